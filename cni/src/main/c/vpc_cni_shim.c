/*
 * vpc-cni: the executable the container runtime runs for every pod.
 *
 * A JVM per invocation costs about 45 ms before the plugin does anything (BENCHMARKS.md), so this
 * small program hands the invocation (the CNI_* and VPC_CNI_* variables and stdin) to the plugin
 * server in the node daemon, which runs the same Java plugin code, and prints what it answers.
 * Wire format: io.vpccni.cni.server.PluginFrames.
 *
 * When no server answers (no daemon, or one that cannot see the pod's netns), or the server goes
 * away before its reply is complete, it runs the standalone Java plugin, vpc-cni-jvm beside it,
 * with the same environment and stdin: every verb still works with the daemon down (DEL from
 * prevResult, STATUS saying why), as the standalone plugin does it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAGIC "vpc-cni-plugin/1\n"
#define MAX_REQUEST (1 << 20)        /* PluginFrames.MAX_REQUEST_BYTES */
#define MAX_REPLY (16 << 20)
#define DEFAULT_SOCKET "/var/run/vpc-cni/plugin.sock"
#define SOCKET_NAME "plugin.sock"     /* beside ipamd's socket, whose path VPC_CNI_SOCKET overrides */
#define STANDALONE "vpc-cni-jvm"
#define STR(x) #x
#define XSTR(x) STR(x)
#define REPLY_TIMEOUT_SECONDS 600     /* the server bounds its own work; this only ends a hung daemon's hold */

extern char **environ;

struct buf {
    char *data;
    size_t len, cap;
};

static void die_oom(void) {
    fputs("vpc-cni: out of memory\n", stderr);
    exit(1);
}

static void append(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) die_oom();
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/*
 * Reads fd to end of file into b. Past limit bytes it stops with E2BIG, keeping what it read: the
 * caller may read on. 0, or -1 with errno.
 */
static int read_all(int fd, struct buf *b, size_t limit) {
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        append(b, chunk, (size_t) n);
        if (b->len > limit) {
            errno = E2BIG;
            return -1;
        }
    }
}

static int write_all(int fd, const char *p, size_t n, int flags) {
    while (n > 0) {
        ssize_t w = flags ? send(fd, p, n, flags) : write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* CNI_* and VPC_CNI_* with a plain name: what the plugin reads (PluginFrames.forwarded). */
static int forwarded(const char *entry) {
    if (strncmp(entry, "CNI_", 4) != 0 && strncmp(entry, "VPC_CNI_", 8) != 0) return 0;
    for (const char *c = entry; *c != '='; c++) {
        if (!*c) return 0;
        if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))) return 0;
    }
    return 1;
}

/* The server's socket: beside ipamd's (VPC_CNI_SOCKET), or the default. -1 if it cannot be a socket path. */
static int server_path(struct sockaddr_un *addr) {
    const char *ipamd = getenv("VPC_CNI_SOCKET");
    char path[PATH_MAX];
    if (ipamd && *ipamd) {
        const char *slash = strrchr(ipamd, '/');
        size_t dir = slash ? (size_t) (slash - ipamd) + 1 : 0;
        if (dir + sizeof SOCKET_NAME > sizeof path) return -1;
        memcpy(path, ipamd, dir);
        memcpy(path + dir, SOCKET_NAME, sizeof SOCKET_NAME);
    } else {
        memcpy(path, DEFAULT_SOCKET, sizeof DEFAULT_SOCKET);
    }
    if (strlen(path) >= sizeof addr->sun_path) return -1;
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    strcpy(addr->sun_path, path);
    return 0;
}

/* The cniVersion the configuration asks for, for an error object of our own; "1.1.0" if none is found. */
static void config_version(const struct buf *in, char *out, size_t n) {
    snprintf(out, n, "1.1.0");
    const char *key = in->data ? memmem(in->data, in->len, "\"cniVersion\"", 12) : NULL;
    if (!key) return;
    const char *p = key + 12, *end = in->data + in->len;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    if (p >= end || *p != '"') return;
    const char *v = ++p;
    while (p < end && p - v < 16 && ((*p >= '0' && *p <= '9') || *p == '.')) p++;
    if (p < end && *p == '"' && p > v) snprintf(out, n, "%.*s", (int) (p - v), v);
}

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* The spec's error object on stdout, exit status 1. */
static void fail(const struct buf *in, int code, const char *msg, const char *details) {
    char version[20];
    config_version(in, version, sizeof version);
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":", version, code);
    print_json_string(msg);
    fputs(",\"details\":", stdout);
    print_json_string(details);
    putchar('}');
    fflush(stdout);
    exit(1);
}

/*
 * Replaces this process with the standalone plugin. With stdin already consumed, its bytes are
 * given back through an in-memory file on descriptor 0.
 */
static void run_standalone(char **argv, const struct buf *in, int consumed) {
    char self[PATH_MAX], target[PATH_MAX + 32];
    const char *home = getenv("VPC_CNI_HOME");
    if (home && *home) {
        snprintf(target, sizeof target, "%s/bin/" STANDALONE, home);
    } else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n < 0) fail(in, 999, "vpc-cni: cannot find its own directory", strerror(errno));
        self[n] = 0;
        char *slash = strrchr(self, '/');
        *slash = 0;
        snprintf(target, sizeof target, "%s/" STANDALONE, self);
    }
    if (consumed) {
        int fd = memfd_create("vpc-cni-stdin", 0);
        if (fd < 0 || write_all(fd, in->data ? in->data : "", in->len, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0
                || dup2(fd, 0) < 0) {
            fail(in, 999, "vpc-cni: cannot hand stdin to the standalone plugin", strerror(errno));
        }
        close(fd);
    }
    argv[0] = target;
    execv(target, argv);
    char details[PATH_MAX + 64];
    snprintf(details, sizeof details, "%s: %s", target, strerror(errno));
    fail(in, 999, "vpc-cni: cannot run the standalone plugin", details);
}

int main(int argc, char **argv) {
    (void) argc;
    struct buf in = {0}, request = {0}, reply = {0};
    struct sockaddr_un addr;

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || server_path(&addr) < 0 || connect(s, (struct sockaddr *) &addr, sizeof addr) < 0) {
        run_standalone(argv, &in, 0); /* no server: stdin untouched */
    }
    if (read_all(0, &in, MAX_REQUEST) < 0) {
        if (errno != E2BIG) fail(&in, 999, "vpc-cni: cannot read stdin", strerror(errno));
        read_all(0, &in, SIZE_MAX); /* too large to send: the standalone plugin judges it */
        run_standalone(argv, &in, 1);
    }
    append(&request, MAGIC, strlen(MAGIC));
    for (char **e = environ; *e; e++) {
        if (forwarded(*e)) append(&request, *e, strlen(*e) + 1);
    }
    append(&request, "", 1);
    append(&request, in.data ? in.data : "", in.len);
    if (write_all(s, request.data, request.len, MSG_NOSIGNAL) < 0 || shutdown(s, SHUT_WR) < 0) {
        run_standalone(argv, &in, 1); /* the server went away before taking the request */
    }
    struct timeval timeout = {.tv_sec = REPLY_TIMEOUT_SECONDS};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (read_all(s, &reply, MAX_REPLY) < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            /* It may still be working on this pod: running the plugin beside it could race. */
            fail(&in, 11, "vpc-cni plugin server did not answer in time; try again",
                 "no reply within " XSTR(REPLY_TIMEOUT_SECONDS) " s on the plugin socket");
        }
        run_standalone(argv, &in, 1);
    }
    close(s);

    /* "exit STATUS LENGTH\n" then exactly LENGTH bytes of stdout; anything shorter was cut off. */
    size_t m = strlen(MAGIC);
    char *head = reply.data, *end = reply.data + reply.len;
    char *nl = reply.len > m ? memchr(head + m, '\n', reply.len - m) : NULL;
    if (nl && memcmp(head, MAGIC, m) == 0 && strncmp(head + m, "exit ", 5) == 0) {
        char *digits = head + m + 5, *space, *after;
        errno = 0;
        long status = strtol(digits, &space, 10);
        unsigned long long length = *space == ' ' ? strtoull(space + 1, &after, 10) : 0;
        if (*space == ' ' && after == nl && space > digits && errno == 0 && status >= 0 && status <= 255
                && length == (unsigned long long) (end - nl - 1)) {
            if (write_all(1, nl + 1, (size_t) length, 0) < 0) return 1;
            return (int) status;
        }
    }
    if (nl && memcmp(head, MAGIC, m) == 0 && strncmp(head + m, "unserved ", 9) == 0) {
        fprintf(stderr, "vpc-cni: plugin server did not run this invocation (%.*s); running the plugin here\n",
                (int) (nl - head - m - 9), head + m + 9);
    }
    /* unserved, or a reply cut short (the daemon died): run it here. */
    run_standalone(argv, &in, 1);
    return 1;
}
