/*
 * The pods of the network-policy matrix (NetworkPolicyMatrixTest): a server and a prober in one static binary, in
 * the spirit of Kubernetes' agnhost, small enough to build offline with gcc.
 *
 *   netpol-server serve
 *       echoes on TCP 80 and 81 and UDP 80 (one thread, poll; at most MAX_CONNS connections, each closed after
 *       IDLE_MS without data or MAX_BYTES echoed)
 *   netpol-server probe TIMEOUT_MS tcp:IP:PORT|udp:IP:PORT ...
 *       tries every target at once and prints one line per target, in order: "ok" (TCP connected, or the UDP echo
 *       came back), "refused" (RST or ICMP port unreachable: reachable, nothing listening) or "timeout" (dropped)
 *   netpol-server hold IP PORT
 *       opens one TCP connection, then for each line read on stdin sends it and prints "ok" when the echo comes back
 *       within 2 s, "lost" when not (the connection is kept either way; EOF on stdin closes it)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define MAX_TARGETS 256
#define IDLE_MS 600000
#define MAX_BYTES (1 << 20)

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int listener(int type, int port) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || (type == SOCK_STREAM && listen(fd, 128) < 0)) {
    fprintf(stderr, "netpol-server: cannot listen on %s %d: %s\n", type == SOCK_STREAM ? "TCP" : "UDP", port,
            strerror(errno));
    exit(1);
  }
  return fd;
}

static int serve(void) {
  struct pollfd fds[3 + MAX_CONNS];
  long long last[3 + MAX_CONNS];
  long echoed[3 + MAX_CONNS];
  int n = 3;
  char buf[4096];
  signal(SIGPIPE, SIG_IGN);
  fds[0] = (struct pollfd){.fd = listener(SOCK_STREAM, 80), .events = POLLIN};
  fds[1] = (struct pollfd){.fd = listener(SOCK_STREAM, 81), .events = POLLIN};
  fds[2] = (struct pollfd){.fd = listener(SOCK_DGRAM, 80), .events = POLLIN};
  fprintf(stderr, "netpol-server: serving TCP 80, TCP 81, UDP 80\n");
  for (;;) {
    if (poll(fds, n, 1000) < 0 && errno != EINTR) return 1;
    long long t = now_ms();
    for (int i = 0; i < 2; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      int c = accept4(fds[i].fd, NULL, NULL, SOCK_NONBLOCK);
      if (c < 0) continue;
      if (n == 3 + MAX_CONNS) { close(c); continue; }
      fds[n] = (struct pollfd){.fd = c, .events = POLLIN};
      last[n] = t;
      echoed[n++] = 0;
    }
    if (fds[2].revents & POLLIN) {
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t r = recvfrom(fds[2].fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
      if (r >= 0) sendto(fds[2].fd, buf, r, 0, (struct sockaddr *)&from, len);
    }
    for (int i = 3; i < n; i++) {
      int done = 0;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t r = read(fds[i].fd, buf, sizeof buf);
        if (r > 0 && write(fds[i].fd, buf, r) == r) {
          last[i] = t;
          echoed[i] += r;
        } else if (r == 0 || (r < 0 && errno != EAGAIN)) {
          done = 1;
        }
      }
      if (done || t - last[i] > IDLE_MS || echoed[i] > MAX_BYTES) {
        close(fds[i].fd);
        fds[i] = fds[n - 1];
        last[i] = last[n - 1];
        echoed[i] = echoed[n - 1];
        n--;
        i--;
      }
    }
  }
}

static int parse(const char *spec, int *udp, struct sockaddr_in *a) {
  char ip[64];
  int port;
  if (strncmp(spec, "tcp:", 4) == 0) *udp = 0;
  else if (strncmp(spec, "udp:", 4) == 0) *udp = 1;
  else return -1;
  const char *colon = strrchr(spec + 4, ':');
  if (!colon || colon - (spec + 4) >= (long)sizeof ip) return -1;
  memcpy(ip, spec + 4, colon - (spec + 4));
  ip[colon - (spec + 4)] = 0;
  port = atoi(colon + 1);
  *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port)};
  return port > 0 && port < 65536 && inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

static int probe(int timeout, int count, char **specs) {
  struct pollfd fds[MAX_TARGETS];
  const char *result[MAX_TARGETS];
  int udp[MAX_TARGETS], pending = 0;
  long long sent[MAX_TARGETS];
  if (count > MAX_TARGETS || timeout <= 0) {
    fprintf(stderr, "netpol-server: probe takes a positive time-out and at most %d targets\n", MAX_TARGETS);
    return 2;
  }
  for (int i = 0; i < count; i++) {
    struct sockaddr_in a;
    if (parse(specs[i], &udp[i], &a) < 0) {
      fprintf(stderr, "netpol-server: bad target %s (tcp:IP:PORT or udp:IP:PORT)\n", specs[i]);
      return 2;
    }
    int fd = socket(AF_INET, (udp[i] ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK, 0);
    result[i] = NULL;
    fds[i] = (struct pollfd){.fd = fd, .events = udp[i] ? POLLIN : POLLOUT};
    if (fd < 0 || (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)) {
      result[i] = errno == ECONNREFUSED ? "refused" : "error";
      fds[i].fd = -1;
      continue;
    }
    if (udp[i]) {
      send(fd, "probe", 5, 0);
      sent[i] = now_ms();
    }
    pending++;
  }
  long long deadline = now_ms() + timeout;
  while (pending > 0) {
    long long left = deadline - now_ms();
    if (left <= 0) break;
    poll(fds, count, left < 200 ? (int)left : 200);
    for (int i = 0; i < count; i++) {
      if (fds[i].fd < 0) continue;
      int err = 0;
      socklen_t len = sizeof err;
      if (udp[i]) {
        char b[16];
        ssize_t r = recv(fds[i].fd, b, sizeof b, 0);
        if (r >= 0) result[i] = "ok";
        else if (errno == ECONNREFUSED) result[i] = "refused";
        else if (now_ms() - sent[i] >= 250) {  // a lost datagram is sent again; a dropped one stays unanswered
          send(fds[i].fd, "probe", 5, 0);
          sent[i] = now_ms();
        }
      } else if (fds[i].revents) {
        getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
        result[i] = err == 0 ? "ok" : err == ECONNREFUSED ? "refused" : "error";
      }
      if (result[i]) {
        close(fds[i].fd);
        fds[i].fd = -1;
        pending--;
      }
    }
  }
  for (int i = 0; i < count; i++) printf("%s %s\n", specs[i], result[i] ? result[i] : "timeout");
  return 0;
}

static int hold(const char *ip, const char *port) {
  char spec[96], line[256], echo[256];
  struct sockaddr_in a;
  int u;
  snprintf(spec, sizeof spec, "tcp:%s:%s", ip, port);
  if (parse(spec, &u, &a) < 0) { fprintf(stderr, "netpol-server: bad address %s %s\n", ip, port); return 2; }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval two = {.tv_sec = 2};
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &two, sizeof two) < 0
      || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two, sizeof two) < 0
      || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    printf("unconnected %s\n", strerror(errno));
    return 1;
  }
  printf("connected\n");
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line), got = 0;
    int ok = send(fd, line, len, MSG_NOSIGNAL) == (ssize_t)len;
    while (ok && got < len) {
      ssize_t r = recv(fd, echo + got, len - got, 0);
      if (r <= 0) ok = 0;
      else got += r;
    }
    printf("%s\n", ok ? "ok" : "lost");
    fflush(stdout);
  }
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "serve") == 0) return serve();
  if (argc >= 3 && strcmp(argv[1], "probe") == 0) return probe(atoi(argv[2]), argc - 3, argv + 3);
  if (argc == 4 && strcmp(argv[1], "hold") == 0) return hold(argv[2], argv[3]);
  fprintf(stderr, "usage: netpol-server serve | probe TIMEOUT_MS tcp:IP:PORT|udp:IP:PORT ... | hold IP PORT\n");
  return 2;
}
