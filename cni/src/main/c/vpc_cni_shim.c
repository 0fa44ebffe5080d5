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
 *
 * An ADD that finds neither the plugin server nor ipamd's own socket listening (missing, or left
 * behind by a daemon that died) is ipamd restarting or being upgraded: the standalone plugin would
 * fail it too, for want of ipamd. The shim waits for the plugin server instead, polling, for up to
 * VPC_CNI_SHIM_WAIT_SECONDS (environment) or "shimWaitSeconds" (configuration), 60 s by default,
 * and writes the wait to the plugin log; past it the ADD fails with code 11 (try again). ipamd's
 * socket answering alone means a daemon without a plugin server: the standalone plugin at once.
 * Every other verb goes to the standalone plugin at once, as before (DEL from prevResult).
 *
 * The pod's network namespace travels as a descriptor, not as a path: the shim opens CNI_NETNS here,
 * in the runtime's mount namespace where the path means what the runtime meant, checks that it is a
 * network namespace, and passes it with the request (SCM_RIGHTS); the daemon works in that one and
 * never opens the runtime's path in its own mount namespace. A path it cannot open as a network
 * namespace (gone, or something else) goes without one, and the daemon judges the path as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
#define IPAMD_SOCKET_NAME "ipamd.sock"
/*
 * Restarts under load took 3-28 s in the churn test (ChurnTest, "ready in N s"); twice the worst,
 * and a quarter of kubelet's 4 minutes for a sandbox (twice its 2-minute runtime request time-out).
 */
#define DEFAULT_WAIT_SECONDS 60
#define MAX_WAIT_SECONDS 180          /* leaves a minute of kubelet's 4 for the ADD itself */
#define WAIT_POLL_MS 50               /* a connect to a missing socket costs microseconds */
#define WAIT_ENV "VPC_CNI_SHIM_WAIT_SECONDS"
#define MAX_SENDS 4                   /* an ADD cut short by dying daemons goes out at most this often */
#define DYING_MS 200                  /* how long a killed daemon's listener may outlive its connections */
#define WAIT_KEY "shimWaitSeconds"
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE 0xb703          /* linux/nsfs.h, _IO(0xb7, 0x3), Linux 4.11 */
#endif
#ifndef CLONE_NEWNET
#define CLONE_NEWNET 0x40000000
#endif

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

/*
 * The socket named name in ipamd's directory (that of VPC_CNI_SOCKET, or the default's): the server's
 * (SOCKET_NAME) or ipamd's own. -1 if it cannot be a socket path.
 */
static int socket_path(struct sockaddr_un *addr, const char *name) {
    const char *ipamd = getenv("VPC_CNI_SOCKET");
    char path[PATH_MAX];
    const char *dir_of = ipamd && *ipamd ? ipamd : DEFAULT_SOCKET;
    const char *slash = strrchr(dir_of, '/');
    size_t dir = slash ? (size_t) (slash - dir_of) + 1 : 0;
    if (dir + strlen(name) + 1 > sizeof path) return -1;
    memcpy(path, dir_of, dir);
    memcpy(path + dir, name, strlen(name) + 1);
    if (strlen(path) >= sizeof addr->sun_path) return -1;
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    strcpy(addr->sun_path, path);
    return 0;
}

/*
 * The first string value of "key" in the configuration, without escapes and shorter than n bytes:
 * a plain search, as a JSON parser is more than the shim needs for three keys of a flat object
 * (an escaped quote cannot match "key" with both its quotes). 0, or -1 if there is none.
 */
static int config_string(const struct buf *in, const char *key, char *out, size_t n) {
    char quoted[64];
    int q = snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = in->data ? memmem(in->data, in->len, quoted, (size_t) q) : NULL;
    if (!at) return -1;
    const char *p = at + q, *end = in->data + in->len;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    if (p >= end || *p != '"') return -1;
    const char *v = ++p;
    while (p < end && *p != '"' && *p != '\\' && (unsigned char) *p >= 0x20 && (size_t) (p - v) < n - 1) p++;
    if (p >= end || *p != '"') return -1;
    memcpy(out, v, (size_t) (p - v));
    out[p - v] = 0;
    return 0;
}

/* The cniVersion the configuration asks for, for an error object of our own; "1.1.0" if none is found. */
static void config_version(const struct buf *in, char *out, size_t n) {
    char v[17];
    snprintf(out, n, "1.1.0");
    if (config_string(in, "cniVersion", v, sizeof v) < 0 || !*v || strspn(v, "0123456789.") != strlen(v)) return;
    snprintf(out, n, "%s", v);
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

enum level { DEBUG, INFO, WARN, ERROR };

/* The plugin log's threshold, read from pluginLogLevel as PluginLog.parseLevel reads it; INFO by default. */
static enum level log_threshold(const struct buf *in) {
    char text[16];
    if (config_string(in, "pluginLogLevel", text, sizeof text) < 0) return INFO;
    char *t = text;
    while (*t == ' ') t++;
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == ' ') t[--n] = 0;
    if (!strcasecmp(t, "DEBUG") || !strcasecmp(t, "TRACE")) return DEBUG;
    if (!strcasecmp(t, "WARN") || !strcasecmp(t, "WARNING")) return WARN;
    if (!strcasecmp(t, "ERROR") || !strcasecmp(t, "FATAL")) return ERROR;
    return INFO;
}

/*
 * A line on stderr and, at or above the configured level, in the plugin log (pluginLogFile) in
 * PluginLog's shape: "2026-11-27T20:27:18.261Z INFO [pid] message", control characters escaped,
 * one write with O_APPEND so that it stays whole beside the Java writers'. Rotation is left to
 * them: this adds a line or two to a file they move once it is over 4 MiB.
 */
__attribute__((format(printf, 3, 4)))
static void plugin_log(const struct buf *in, enum level level, const char *format, ...) {
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char raw[1024], msg[4096], file[PATH_MAX], stamp[32], line[4200];
    va_list args;
    va_start(args, format);
    vsnprintf(raw, sizeof raw, format, args);
    va_end(args);
    size_t m = 0;
    for (const unsigned char *c = (const unsigned char *) raw; *c && m + 7 < sizeof msg; c++) {
        if (*c < 0x20 || *c == 0x7f) m += (size_t) snprintf(msg + m, sizeof msg - m, "\\u%04x", *c);
        else msg[m++] = (char) *c;
    }
    msg[m] = 0;
    fprintf(stderr, "vpc-cni: %s\n", msg);
    if (level < log_threshold(in) || config_string(in, "pluginLogFile", file, sizeof file) < 0 || !*file) return;
    struct timespec t;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &utc);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    int len = snprintf(line, sizeof line, "%s.%03ldZ %s [%d] %s\n", stamp, t.tv_nsec / 1000000, names[level],
                       (int) getpid(), msg);
    if (len < 0) return;
    if ((size_t) len >= sizeof line) len = (int) sizeof line - 1;
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return; /* a log that cannot be written is no reason to fail a pod */
    if (write_all(fd, line, (size_t) len, 0) < 0) {
        /* as above */
    }
    close(fd);
}

/* How long an ADD waits for a restarting ipamd, and where that came from (for the messages). */
struct wait_setting {
    unsigned long long seconds;
    const char *source;
};

/* VPC_CNI_SHIM_WAIT_SECONDS, else shimWaitSeconds (a number or a numeric string), else the default. */
static struct wait_setting wait_setting(const struct buf *in) {
    struct wait_setting w = {DEFAULT_WAIT_SECONDS, "the default; set " WAIT_KEY " in the configuration"};
    char text[16], details[128];
    const char *env = getenv(WAIT_ENV);
    if (env && *env) {
        if (parse_decimal(env, env + strlen(env), &w.seconds) < 0 || w.seconds > MAX_WAIT_SECONDS) {
            snprintf(details, sizeof details, WAIT_ENV "='%.20s' is not a number of seconds in 0..%d", env,
                     MAX_WAIT_SECONDS);
            fail(in, 7, "vpc-cni: invalid " WAIT_ENV, details);
        }
        w.source = WAIT_ENV;
        return w;
    }
    char quoted[] = "\"" WAIT_KEY "\"";
    const char *at = in->data ? memmem(in->data, in->len, quoted, sizeof quoted - 1) : NULL;
    if (!at) return w;
    const char *p = at + sizeof quoted - 1, *end = in->data + in->len;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    const char *v = p < end && *p == '"' ? p + 1 : p, *e = v;
    while (e < end && *e >= '0' && *e <= '9') e++;
    int ended = v != p ? e < end && *e == '"'
                       : e == end || *e == ',' || *e == '}' || *e == ' ' || *e == '\t' || *e == '\n' || *e == '\r';
    if (!ended || parse_decimal(v, e, &w.seconds) < 0
            || w.seconds > MAX_WAIT_SECONDS) {
        const char *q = p; /* the value as written, up to what ends it; stdin is not NUL-terminated */
        while (q < end && q - p < 12 && *q != ',' && *q != '}' && *q != '\n') q++;
        snprintf(text, sizeof text, "%.*s", (int) (q - p), p);
        snprintf(details, sizeof details, WAIT_KEY " '%s' is not a number of seconds in 0..%d", text,
                 MAX_WAIT_SECONDS);
        fail(in, 7, "vpc-cni: invalid " WAIT_KEY, details);
    }
    w.source = WAIT_KEY;
    return w;
}

/* Whether anything accepts a connection on ipamd's own socket; nothing is sent. */
static int ipamd_listens(void) {
    struct sockaddr_un addr;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return 0;
    int listens = socket_path(&addr, IPAMD_SOCKET_NAME) == 0
                  && (connect(s, (const struct sockaddr *) &addr, sizeof addr) == 0 || errno == EAGAIN);
    close(s);
    return listens;
}

/* Whether a failed connect_within found nothing listening: no socket file, or one its daemon left behind. */
static int nobody_listens(const char *why, int err) {
    return !why && (err == ENOENT || err == ECONNREFUSED);
}

/*
 * An ADD found neither the plugin server nor ipamd: ipamd is restarting. Polls the plugin server
 * until the wait is over and returns the connected socket; runs the standalone plugin if ipamd comes
 * back without it (a daemon whose plugin server is off), or if the connection fails otherwise.
 */
static int await_server(const struct buf *in, const struct sockaddr_un *addr, char **argv) {
    struct wait_setting w = wait_setting(in);
    if (w.seconds == 0) run_standalone(argv, in, 1);
    const char *container = getenv("CNI_CONTAINERID");
    if (!container) container = "-";
    static long long wait_deadline = -1; /* one wait per invocation, however many times the server goes away */
    long long start = now_ms(), ipamd_seen = -1;
    if (wait_deadline < 0) wait_deadline = start + (long long) w.seconds * 1000;
    long long deadline = wait_deadline;
    plugin_log(in, INFO, "ADD of container %.128s: nothing listens on %s nor on ipamd's socket (ipamd is starting);"
               " waiting up to %lld s for it (%s)", container, addr->sun_path,
               deadline > start ? (deadline - start + 999) / 1000 : 0, w.source);
    for (;;) {
        usleep(WAIT_POLL_MS * 1000);
        const char *why = NULL;
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) run_standalone(argv, in, 1);
        if (connect_within(s, addr, &why) == 0) {
            plugin_log(in, INFO, "ADD of container %.128s: the plugin server answered after %lld ms of waiting",
                       container, now_ms() - start);
            return s;
        }
        int err = errno;
        close(s);
        if (!nobody_listens(why, err)) {
            if (why) fprintf(stderr, "vpc-cni: %s; running the plugin here\n", why);
            run_standalone(argv, in, 1);
        }
        /* ipamd binds its socket a moment before the plugin server's: a second's grace before deciding it has none */
        if (ipamd_seen < 0 && ipamd_listens()) ipamd_seen = now_ms();
        if (ipamd_seen >= 0 && now_ms() - ipamd_seen >= 1000) {
            plugin_log(in, INFO, "ADD of container %.128s: ipamd answered after %lld ms, without a plugin server;"
                       " running the plugin here", container, now_ms() - start);
            run_standalone(argv, in, 1);
        }
        if (now_ms() >= deadline && ipamd_seen >= 0) run_standalone(argv, in, 1);
        if (now_ms() >= deadline) {
            char details[PATH_MAX + 160];
            snprintf(details, sizeof details, "nothing listened on %s nor on ipamd's socket for %llu s (%s)",
                     addr->sun_path, w.seconds, w.source);
            plugin_log(in, ERROR, "ADD of container %.128s: ipamd did not come back within the shim's wait of %llu s;"
                       " failing the ADD (%s)", container, w.seconds, details);
            char msg[128];
            snprintf(msg, sizeof msg, "vpc-cni: ipamd did not come back within the shim's wait of %llu s; try again",
                     w.seconds);
            fail(in, 11, msg, details);
        }
    }
}

/*
 * The server went away during an ADD before its reply was complete: killed, or stopped for an
 * upgrade. If, a moment later (a dying daemon's listener outlives its connections briefly), nothing
 * listens on its socket nor on ipamd's, ipamd is restarting: the ADD waits for it, within the one
 * wait, and is sent again, as kubelet would retry it (ipamd gives the container the address it
 * holds, and the plugin replaces a half-built host veth). The connected socket, or -1 for the
 * standalone plugin, as before, when something still listens.
 */
static int server_again(const struct buf *in, const struct sockaddr_un *addr, char **argv, int sent) {
    const char *command = getenv("CNI_COMMAND"), *why = NULL;
    if (!command || strcmp(command, "ADD") != 0 || sent >= MAX_SENDS) return -1;
    usleep(DYING_MS * 1000);
    int t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (t < 0) return -1;
    int connected = connect_within(t, addr, &why) == 0, err = errno;
    close(t);
    if (connected || !nobody_listens(why, err) || ipamd_listens()) return -1;
    const char *container = getenv("CNI_CONTAINERID");
    plugin_log(in, WARN, "ADD of container %.128s: the plugin server went away before its reply (ipamd restarting)",
               container ? container : "-");
    return await_server(in, addr, argv);
}

/*
 * CNI_NETNS opened here, in the runtime's mount namespace, if it is a network namespace: opened with
 * O_PATH first (a FIFO does not block, a device is not opened), judged by fstat (a namespace file is on
 * the device of /proc/self/ns/net), only then opened for real through that descriptor and asked its
 * kind (NS_GET_NSTYPE). -1 when there is no CNI_NETNS or it is not one: the request then goes without
 * it, and the plugin, wherever it runs, says what the path is.
 */
static int open_netns(void) {
    const char *path = getenv("CNI_NETNS");
    struct stat own, target;
    char self[64];
    if (!path || !*path || stat("/proc/self/ns/net", &own) < 0) return -1;
    int handle = open(path, O_PATH | O_CLOEXEC);
    if (handle < 0) return -1;
    int ns = -1;
    if (fstat(handle, &target) == 0 && target.st_dev == own.st_dev) {
        snprintf(self, sizeof self, "/proc/self/fd/%d", handle);
        ns = open(self, O_RDONLY | O_CLOEXEC);
        if (ns >= 0 && ioctl(ns, NS_GET_NSTYPE) != CLONE_NEWNET) {
            close(ns);
            ns = -1;
        }
    }
    close(handle);
    return ns;
}

/*
 * The request, with the namespace's descriptor (if any) on its first bytes; MSG_NOSIGNAL. 0, or -1
 * with errno as write_all's.
 */
static int send_request(int s, const struct buf *request, int netns) {
    size_t done = 0;
    if (netns >= 0) {
        union {
            struct cmsghdr align;
            char space[CMSG_SPACE(sizeof(int))];
        } control;
        memset(&control, 0, sizeof control);
        struct iovec iov = {.iov_base = request->data, .iov_len = request->len};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                             .msg_controllen = sizeof control.space};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &netns, sizeof netns);
        ssize_t n;
        do {
            n = sendmsg(s, &msg, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return -1;
        done = (size_t) n;
    }
    return write_all(s, request->data + done, request->len - done, MSG_NOSIGNAL);
}

/* stdin, up to the server's limit; past it the standalone plugin judges the whole of it. */
static void read_stdin(struct buf *in, char **argv) {
    if (read_all(0, in, MAX_REQUEST) < 0) {
        if (errno != E2BIG) fail(in, 999, "vpc-cni: cannot read stdin", strerror(errno));
        read_all(0, in, SIZE_MAX);
        run_standalone(argv, in, 1);
    }
}

int main(int argc, char **argv) {
    (void) argc;
    struct buf in = {0}, request = {0}, reply = {0};
    struct sockaddr_un addr;
    const char *why = NULL;

    int consumed = 0;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || socket_path(&addr, SOCKET_NAME) < 0) run_standalone(argv, &in, 0);
    if (connect_within(s, &addr, &why) < 0) {
        int err = errno;
        const char *command = getenv("CNI_COMMAND");
        close(s);
        if (why) fprintf(stderr, "vpc-cni: %s; running the plugin here\n", why);
        /* no server: stdin untouched, unless an ADD waits for a restarting ipamd */
        if (!nobody_listens(why, err) || !command || strcmp(command, "ADD") != 0 || ipamd_listens()) {
            run_standalone(argv, &in, 0);
        }
        read_stdin(&in, argv);
        consumed = 1;
        s = await_server(&in, &addr, argv);
    }
    if (!peer_is_root(s)) {
        fputs("vpc-cni: the process listening on the plugin socket is not root; running the plugin here\n", stderr);
        run_standalone(argv, &in, consumed);
    }
    if (!consumed) read_stdin(&in, argv);
    consumed = 1;
    append(&request, MAGIC, strlen(MAGIC));
    for (char **e = environ; *e; e++) {
        if (forwarded(*e)) append(&request, *e, strlen(*e) + 1);
    }
    append(&request, "", 1);
    append(&request, in.data ? in.data : "", in.len);
    int netns = open_netns(); /* kept open for a request sent again; exec closes it (O_CLOEXEC) */
    for (int sent = 0;; sent++) {
        if (sent > 0 && !peer_is_root(s)) {
            fputs("vpc-cni: the process listening on the plugin socket is not root; running the plugin here\n",
                  stderr);
            run_standalone(argv, &in, consumed);
        }
        struct timeval send_timeout = {.tv_sec = SEND_TIMEOUT_SECONDS};
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
        if (send_request(s, &request, netns) < 0 || shutdown(s, SHUT_WR) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                fputs("vpc-cni: the plugin server did not take the request in time; running the plugin here\n",
                      stderr);
                run_standalone(argv, &in, 1);
            }
            close(s);
            if ((s = server_again(&in, &addr, argv, sent + 1)) >= 0) continue;
            run_standalone(argv, &in, 1); /* the server went away before taking the request */
        }
        struct timeval timeout = {.tv_sec = REPLY_TIMEOUT_SECONDS};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        reply.len = 0;
        if (read_all(s, &reply, MAX_REPLY) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* It may still be working on this pod: running the plugin beside it could race. */
                fail(&in, 11, "vpc-cni plugin server did not answer in time; try again",
                     "no reply within " XSTR(REPLY_TIMEOUT_SECONDS) " s on the plugin socket");
            }
            reply.len = 0; /* cut short, like an incomplete reply */
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
            run_standalone(argv, &in, 1);
            break;
        case REPLY_BAD:
            break;
        }
        /* a reply cut short (the daemon died): the restarted daemon, or the plugin here */
        if ((s = server_again(&in, &addr, argv, sent + 1)) >= 0) continue;
        run_standalone(argv, &in, 1);
    }
}
