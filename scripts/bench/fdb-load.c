/*
 * fdb-load: a fixed-rate (open-loop) HTTP load generator for scripts/bench-server.
 *
 * wrk keeps each connection busy (closed loop): when the server slows down, wrk sends less, and
 * the requests it did not send never count (coordinated omission). fdb-load sends request i at
 * its scheduled time start + i / RATE on any idle connection of the pool, whatever the server
 * does; when every connection is busy the request waits, and its latency is measured from its
 * scheduled time, so a stall shows in the percentiles as the clients would have felt it (what
 * wrk2 calls the corrected latency). Every latency is kept and sorted: the percentiles are exact.
 *
 *   cc -O2 -o fdb-load scripts/bench/fdb-load.c
 *   fdb-load -r 5000 -d 30 -c 32 -w 5 -b read1.json http://127.0.0.1:6570/get-online-features
 *
 * -r requests/s (default 1000), -d seconds measured (10), -w warm-up seconds not measured (2),
 * -c connections (16), -b the POST body's file (without it, GET). Prints one line:
 *   rate 5000 sent 150000 achieved 4999.9/s errors 0 p50 0.182 p90 0.240 p99 0.512 p99.9 1.210 max 3.004 ms
 * errors counts non-2xx answers, closed connections and requests unanswered 5 s after the last
 * was sent.
 * Loopback addresses only: it is a benchmark of a server on this machine.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum { READ_BUFFER = 1 << 20 };

/* One keep-alive connection with at most one request in flight. */
struct conn {
  int fd;
  int busy;          /* a request is in flight */
  int64_t scheduled; /* its scheduled send time, ns */
  size_t written;    /* bytes of the request sent */
  char *in;          /* the answer so far */
  size_t got;
};

static char *request;
static size_t request_len;
static struct sockaddr_in address;
static int epoll_fd;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

static void open_conn(struct conn *c) {
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) die("socket");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0 && errno != EINPROGRESS)
    die("connect");
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &e) < 0) die("epoll_ctl");
  c->busy = 0;
  c->got = 0;
}

static void reopen_conn(struct conn *c) {
  close(c->fd);
  open_conn(c);
}

/* Sends what is left of the request; 0 when the connection failed. */
static int send_rest(struct conn *c) {
  while (c->written < request_len) {
    ssize_t n = send(c->fd, request + c->written, request_len - c->written, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOTCONN)) {
      struct epoll_event e = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
      return 1;
    }
    if (n <= 0) return 0;
    c->written += (size_t)n;
  }
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &e);
  return 1;
}

/* The length of a whole answer at the start of c->in (0: not whole yet, -1: malformed), and its
 * status in *status. Content-Length bodies and chunked bodies (ended by a zero-size chunk). */
static long answer_length(struct conn *c, int *status) {
  char *end = memmem(c->in, c->got, "\r\n\r\n", 4);
  if (!end) return 0;
  size_t head = (size_t)(end - c->in) + 4;
  if (c->got < 12 || memcmp(c->in, "HTTP/1.1 ", 9) != 0) return -1;
  *status = atoi(c->in + 9);
  for (char *line = memchr(c->in, '\n', head); line && line < end; line = memchr(line + 1, '\n', (size_t)(end - line))) {
    if (strncasecmp(line + 1, "content-length:", 15) == 0) {
      size_t total = head + strtoul(line + 16, NULL, 10);
      return c->got >= total ? (long)total : 0;
    }
    if (strncasecmp(line + 1, "transfer-encoding:", 18) == 0) {
      char *last = memmem(c->in + head - 2, c->got - head + 2, "\r\n0\r\n\r\n", 7);
      return last ? (long)(last + 7 - c->in) : 0;
    }
  }
  return (long)head; /* no body */
}

static int compare(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static double percentile(int64_t *sorted, size_t n, double p) {
  if (n == 0) return 0;
  size_t i = (size_t)(p / 100.0 * (double)n);
  return (double)sorted[i < n ? i : n - 1] / 1e6;
}

int main(int argc, char **argv) {
  double rate = 1000, seconds = 10, warmup = 2;
  int connections = 16, opt;
  const char *body_file = NULL;
  while ((opt = getopt(argc, argv, "r:d:w:c:b:")) != -1) {
    switch (opt) {
    case 'r': rate = atof(optarg); break;
    case 'd': seconds = atof(optarg); break;
    case 'w': warmup = atof(optarg); break;
    case 'c': connections = atoi(optarg); break;
    case 'b': body_file = optarg; break;
    default: return 2;
    }
  }
  char host[256], path[2048] = "/";
  int port = 80;
  if (optind != argc - 1 || sscanf(argv[optind], "http://%255[^:/]:%d%2047s", host, &port, path) < 2 ||
      rate <= 0 || seconds <= 0 || connections < 1) {
    fprintf(stderr, "usage: fdb-load [-r RATE] [-d SECONDS] [-w SECONDS] [-c CONNECTIONS] [-b BODY] http://HOST:PORT/PATH\n");
    return 2;
  }
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *found;
  if (getaddrinfo(host, NULL, &hints, &found) != 0) { fprintf(stderr, "fdb-load: cannot resolve %s\n", host); return 2; }
  address = *(struct sockaddr_in *)found->ai_addr;
  address.sin_port = htons((uint16_t)port);
  freeaddrinfo(found);
  if ((ntohl(address.sin_addr.s_addr) >> 24) != 127) { fprintf(stderr, "fdb-load: %s is not a loopback address\n", host); return 2; }

  char *body = NULL;
  size_t body_len = 0;
  if (body_file) {
    FILE *f = fopen(body_file, "rb");
    if (!f) die(body_file);
    fseek(f, 0, SEEK_END);
    body_len = (size_t)ftell(f);
    rewind(f);
    body = malloc(body_len + 1);
    if (fread(body, 1, body_len, f) != body_len) die(body_file);
    fclose(f);
  }
  request = malloc(body_len + 4096);
  request_len = (size_t)sprintf(request, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s%zu\r\n\r\n", body ? "POST" : "GET", path, host, port,
                                body ? "Content-Type: application/json\r\nContent-Length: " : "Content-Length: ", body_len);
  if (body) memcpy(request + request_len, body, body_len);
  request_len += body_len;

  epoll_fd = epoll_create1(0);
  int timer = timerfd_create(CLOCK_MONOTONIC, 0);
  struct epoll_event te = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer, &te);
  struct conn *conns = calloc((size_t)connections, sizeof *conns);
  for (int i = 0; i < connections; i++) {
    conns[i].in = malloc(READ_BUFFER);
    open_conn(&conns[i]);
  }

  const double interval = 1e9 / rate;
  const uint64_t total = (uint64_t)llround((warmup + seconds) * rate);
  const int64_t start = now_ns() + 100000000; /* connections are up by then */
  const int64_t measured_from = start + (int64_t)(warmup * 1e9);
  int64_t *latencies = malloc(sizeof(int64_t) * (size_t)(seconds * rate + 16));
  size_t measured = 0;
  int64_t last_done = measured_from;
  uint64_t next = 0, errors = 0, in_flight = 0;
  int64_t last_sent = start;
  struct epoll_event events[64];

  for (;;) {
    int64_t now = now_ns();
    /* Send every request that is due, while a connection is idle. */
    for (int i = 0; i < connections && next < total; i++) {
      int64_t due = start + (int64_t)((double)next * interval);
      if (due > now) break;
      if (conns[i].busy) continue;
      conns[i].busy = 1;
      conns[i].scheduled = due;
      conns[i].written = 0;
      conns[i].got = 0;
      in_flight++;
      next++;
      last_sent = now;
      if (!send_rest(&conns[i])) { errors++; in_flight--; reopen_conn(&conns[i]); }
      i = -1; /* look for the next due request from the first connection again */
    }
    if (next >= total && in_flight == 0) break;
    if (next >= total && now > last_sent + 5000000000) { errors += in_flight; break; }
    if (next < total) {
      int64_t due = start + (int64_t)((double)next * interval);
      struct itimerspec at = {.it_value = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000}};
      timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, NULL);
    }
    int n = epoll_wait(epoll_fd, events, 64, next < total ? -1 : 100);
    for (int e = 0; e < n; e++) {
      struct conn *c = events[e].data.ptr;
      if (!c) { uint64_t ticks; (void)!read(timer, &ticks, sizeof ticks); continue; }
      if ((events[e].events & EPOLLOUT) && c->busy && !send_rest(c)) { errors++; in_flight--; reopen_conn(c); continue; }
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t got = recv(c->fd, c->in + c->got, READ_BUFFER - c->got, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0 || !c->busy) { /* closed, or an answer nobody asked for */
        if (c->busy) { errors++; in_flight--; }
        reopen_conn(c);
        continue;
      }
      c->got += (size_t)got;
      int status = 0;
      long length = answer_length(c, &status);
      if (length == 0 && c->got < READ_BUFFER) continue;
      int64_t done = now_ns();
      in_flight--;
      c->busy = 0;
      if (length <= 0 || status < 200 || status > 299) errors++;
      else if (c->scheduled >= measured_from) {
        latencies[measured++] = done - c->scheduled;
        last_done = done;
      }
      if (length <= 0) reopen_conn(c);
    }
  }
  qsort(latencies, measured, sizeof *latencies, compare);
  printf("rate %.0f sent %zu achieved %.1f/s errors %llu p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f ms\n", rate, measured,
         (double)measured * 1e9 / (double)(last_done - measured_from + 1), (unsigned long long)errors, percentile(latencies, measured, 50), percentile(latencies, measured, 90),
         percentile(latencies, measured, 99), percentile(latencies, measured, 99.9), percentile(latencies, measured, 100));
  return 0;
}
