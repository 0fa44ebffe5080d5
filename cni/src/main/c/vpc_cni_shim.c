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
 * prevResult, STATUS saying why), as the standalone plugin does it. So does a server that does not
 * take the connection or the request within a few seconds (a full backlog, a wedged daemon), and
 * one that does not run as root: the invocation carries the pod's configuration to whoever listens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
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
#define CONNECT_TIMEOUT_MS 3000       /* a healthy server accepts at once; past this, the standalone plugin */
#define SEND_TIMEOUT_SECONDS 5        /* the same for taking the request */

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

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Connects within CONNECT_TIMEOUT_MS. A Unix socket whose backlog is full fails a non-blocking
 * connect with EAGAIN rather than letting it wait, so that is retried until the deadline.
 * The socket is blocking again on return. 0, or -1 with a reason in why.
 */
static int connect_within(int s, const struct sockaddr_un *addr, const char **why) {
    long long deadline = now_ms() + CONNECT_TIMEOUT_MS;
    int flags = fcntl(s, F_GETFL);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0) {
        *why = "cannot make the socket non-blocking";
        return -1;
    }
    for (;;) {
        if (connect(s, (const struct sockaddr *) addr, sizeof *addr) == 0) break;
        if (errno == EINTR) continue;
        if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = s, .events = POLLOUT};
            long long left = deadline - now_ms();
            int err = 0;
            socklen_t len = sizeof err;
            if (left <= 0 || poll(&p, 1, (int) left) <= 0
                    || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
                *why = "the plugin server did not take the connection in time";
                return -1;
            }
            break;
        }
        if (errno != EAGAIN) {
            *why = NULL; /* nothing listens: the ordinary case with the daemon down */
            return -1;
        }
        if (now_ms() >= deadline) {
            *why = "the plugin server's backlog stayed full";
            return -1;
        }
        usleep(20000);
    }
    if (fcntl(s, F_SETFL, flags) < 0) {
        *why = "cannot make the socket blocking again";
        return -1;
    }
    return 0;
}

/* Whether root listens on the socket: anyone else would receive the pod's configuration. */
static int peer_is_root(int s) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    return getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof cred && cred.uid == 0;
}

/*
 * A decimal number made only of digits, within [p, end): no sign, no spaces, no more than 10
 * digits. The buffer need not be NUL-terminated. 0, or -1 if it is not one.
 */
static int parse_decimal(const char *p, const char *end, unsigned long long *out) {
    if (p >= end || end - p > 10) return -1;
    unsigned long long v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (unsigned long long) (*p - '0');
    }
    *out = v;
    return 0;
}

/*
 * The reply: "MAGIC exit STATUS LENGTH\n" then exactly LENGTH bytes of stdout, or "MAGIC unserved
 * REASON\n". Parsed within [data, data + len) only.
 */
enum reply_kind { REPLY_EXIT, REPLY_UNSERVED, REPLY_BAD };

static enum reply_kind parse_reply(const char *data, size_t len, int *status, const char **body,
                                   size_t *body_len, const char **reason, int *reason_len) {
    size_t m = strlen(MAGIC);
    if (!data || len <= m || memcmp(data, MAGIC, m) != 0) return REPLY_BAD;
    const char *head = data + m, *end = data + len;
    const char *nl = memchr(head, '\n', (size_t) (end - head));
    if (!nl) return REPLY_BAD;
    if ((size_t) (nl - head) > 5 && memcmp(head, "exit ", 5) == 0) {
        const char *digits = head + 5;
        const char *space = memchr(digits, ' ', (size_t) (nl - digits));
        unsigned long long st, length;
        if (!space || parse_decimal(digits, space, &st) < 0 || parse_decimal(space + 1, nl, &length) < 0
                || st > 255 || length != (unsigned long long) (end - nl - 1)) {
            return REPLY_BAD;
        }
        *status = (int) st;
        *body = nl + 1;
        *body_len = (size_t) length;
        return REPLY_EXIT;
    }
    if ((size_t) (nl - head) >= 9 && memcmp(head, "unserved ", 9) == 0) {
        *reason = head + 9;
        *reason_len = (int) (nl - head - 9 > 4096 ? 4096 : nl - head - 9);
        return REPLY_UNSERVED;
    }
    return REPLY_BAD;
}

int main(int argc, char **argv) {
    (void) argc;
    struct buf in = {0}, request = {0}, reply = {0};
    struct sockaddr_un addr;
    const char *why = NULL;

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || server_path(&addr) < 0 || connect_within(s, &addr, &why) < 0) {
        if (why) fprintf(stderr, "vpc-cni: %s; running the plugin here\n", why);
        run_standalone(argv, &in, 0); /* no server: stdin untouched */
    }
    if (!peer_is_root(s)) {
        fputs("vpc-cni: the process listening on the plugin socket is not root; running the plugin here\n", stderr);
        run_standalone(argv, &in, 0);
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
    struct timeval send_timeout = {.tv_sec = SEND_TIMEOUT_SECONDS};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    if (write_all(s, request.data, request.len, MSG_NOSIGNAL) < 0 || shutdown(s, SHUT_WR) < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            fputs("vpc-cni: the plugin server did not take the request in time; running the plugin here\n", stderr);
        }
        run_standalone(argv, &in, 1); /* the server went away, or stalled, before taking the request */
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

    int status = 0, reason_len = 0;
    const char *body = NULL, *reason = NULL;
    size_t body_len = 0;
    switch (parse_reply(reply.data, reply.len, &status, &body, &body_len, &reason, &reason_len)) {
    case REPLY_EXIT:
        if (write_all(1, body, body_len, 0) < 0) return 1;
        return status;
    case REPLY_UNSERVED:
        fprintf(stderr, "vpc-cni: plugin server did not run this invocation (%.*s); running the plugin here\n",
                reason_len, reason);
        break;
    case REPLY_BAD:
        break;
    }
    /* unserved, or a reply cut short (the daemon died): run it here. */
    run_standalone(argv, &in, 1);
    return 1;
}
