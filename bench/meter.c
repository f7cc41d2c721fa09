/* SPDX-License-Identifier: MIT */
/*
 * meter: the benchmark's subscriber and process sampler in one program.
 *
 * It subscribes (MQTT 3.1.1, QoS 0, clean session) to a topic filter on a
 * loopback broker and counts the PUBLISH packets that arrive; those are the
 * "delivered readings".  After a warm-up it opens a measurement window and
 * takes, at both ends of the window, the delivered count, the CPU time of the
 * producer's process tree, of the broker and of itself; in between it samples
 * the producer tree's VmRSS twice a second.  It prints one line of key=value
 * pairs and exits.
 *
 * It speaks raw MQTT over a socket, with one large receive buffer, so that the
 * counter costs far less CPU per message than the broker that feeds it: a
 * counter that cannot keep up would cap the rate being measured.  Its own CPU
 * use is printed so that this can be checked.
 *
 * CPU time comes from /proc/PID/task/TID/schedstat (nanoseconds, summed over
 * the threads).  A thread that exits inside the window takes its time with it,
 * so when a process's thread set changes the tick-based utime+stime of
 * /proc/PID/stat (which keeps dead threads' time, in 1/CLK_TCK steps) is used
 * for that process instead, and cpu_src says so.
 *
 * Usage: meter -p PORT -t FILTER -P PRODUCER_PID [-B BROKER_PID]
 *              [-w WARMUP_S] [-d WINDOW_S] [-m MIN_MSGS] [-c CONNECT_TIMEOUT_S]
 *              [-f FIRST_READING_TIMEOUT_S]
 * The warm-up starts when the first reading arrives.
 * The window closes after WINDOW_S seconds, and no earlier than MIN_MSGS
 * messages or 3*WINDOW_S seconds, whichever comes first.
 * "ready" goes to stderr once the subscription is acknowledged.
 *
 * -r counts readings instead of messages: a payload that is a JSON array
 * (sensorgw's batches, a Node-RED join's output) counts one reading per
 * "seq" key in it, any other payload one; "messages" then says how many
 * PUBLISH packets carried them.  -N COUNT (drain mode) skips the warm-up
 * and the window: it starts at the first reading and stops at the
 * COUNT-th (or after 10 s without any), and prints drain_s, the time from
 * the first to the last, with the producer's CPU time in between.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_TREE 64		/* processes followed in the producer's tree */
#define MAX_RSS_SAMPLES 4096

struct proc_cpu {
	pid_t pid;
	uint64_t ns;		/* schedstat sum over threads */
	uint64_t ticks;		/* utime + stime of /proc/PID/stat */
	uint64_t tid_hash;	/* cheap fingerprint of the thread set */
	int nthreads;
	bool ok;
};

struct tree_cpu {
	int n;
	struct proc_cpu p[MAX_TREE];
};

static long clk_tck;

static void die(const char *what)
{
	fprintf(stderr, "meter: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void diex(const char *what)
{
	fprintf(stderr, "meter: %s\n", what);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "meter: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

/* Read a whole small /proc file into buf (NUL-terminated); -1 on error. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* utime+stime and ppid from /proc/PID/stat; the comm field may hold spaces. */
static bool stat_fields(pid_t pid, uint64_t *ticks, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	int pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	p = strrchr(buf, ')');
	if (!p)
		return false;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime */
	if (sscanf(p + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &pp, &ut, &st) != 3)
		return false;
	if (ticks)
		*ticks = (uint64_t)ut + st;
	if (ppid)
		*ppid = pp;
	return true;
}

static void proc_sample(pid_t pid, struct proc_cpu *pc)
{
	char path[64], buf[256];
	DIR *d;
	struct dirent *de;

	memset(pc, 0, sizeof(*pc));
	pc->pid = pid;
	if (!stat_fields(pid, &pc->ticks, NULL))
		return;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char tpath[96];
		unsigned long long run;
		unsigned long tid;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		tid = strtoul(de->d_name, NULL, 10);
		snprintf(tpath, sizeof(tpath), "/proc/%d/task/%lu/schedstat", (int)pid, tid);
		if (read_small(tpath, buf, sizeof(buf)) < 0 ||
		    sscanf(buf, "%llu", &run) != 1)
			continue;
		pc->ns += run;
		pc->tid_hash += tid * 2654435761u;
		pc->nthreads++;
	}
	closedir(d);
	pc->ok = true;
}

/* PIDs of ROOT and all its descendants (one scan of /proc per level). */
static int tree_pids(pid_t root, pid_t *out, int max)
{
	int n = 0, i;
	DIR *d;
	struct dirent *de;

	out[n++] = root;
	for (i = 0; i < n; i++) {
		d = opendir("/proc");
		if (!d)
			die("/proc");
		while ((de = readdir(d))) {
			pid_t pid, ppid;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			pid = (pid_t)strtol(de->d_name, NULL, 10);
			if (stat_fields(pid, NULL, &ppid) && ppid == out[i] && n < max)
				out[n++] = pid;
		}
		closedir(d);
	}
	return n;
}

static void tree_sample(pid_t root, struct tree_cpu *t)
{
	pid_t pids[MAX_TREE];
	int i;

	t->n = tree_pids(root, pids, MAX_TREE);
	for (i = 0; i < t->n; i++)
		proc_sample(pids[i], &t->p[i]);
}

/*
 * CPU seconds that the processes of A (window start) used until B (window
 * end).  Sets *ticks_used when some process fell back to tick accounting.
 */
static double tree_cpu_delta(const struct tree_cpu *a, const struct tree_cpu *b,
			     bool *ticks_used)
{
	double sum = 0;
	int i, j;

	for (i = 0; i < a->n; i++) {
		const struct proc_cpu *pa = &a->p[i], *pb = NULL;

		for (j = 0; j < b->n; j++)
			if (b->p[j].pid == pa->pid)
				pb = &b->p[j];
		if (!pa->ok || !pb || !pb->ok)
			continue;	/* exited in the window: nothing to diff */
		if (pa->tid_hash == pb->tid_hash && pa->nthreads == pb->nthreads) {
			sum += (double)(pb->ns - pa->ns) / 1e9;
		} else {
			sum += (double)(pb->ticks - pa->ticks) / (double)clk_tck;
			*ticks_used = true;
		}
	}
	return sum;
}

static long status_kib(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

/* VmRSS of ROOT's tree, and the anonymous part of it, in KiB. */
static long tree_rss_kib(pid_t root, long *anon)
{
	pid_t pids[MAX_TREE];
	char path[64], buf[4096];
	long sum = 0;
	int n, i;

	*anon = 0;
	n = tree_pids(root, pids, MAX_TREE);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pids[i]);
		if (read_small(path, buf, sizeof(buf)) < 0)
			continue;
		sum += status_kib(buf, "\nVmRSS:");
		*anon += status_kib(buf, "\nRssAnon:");
	}
	return sum;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static size_t put_str(unsigned char *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (unsigned char)(n >> 8);
	p[1] = (unsigned char)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

static size_t put_remlen(unsigned char *p, size_t len)
{
	size_t i = 0;

	do {
		unsigned char b = len % 128;

		len /= 128;
		p[i++] = b | (len ? 0x80 : 0);
	} while (len);
	return i;
}

static int mqtt_connect(int port, const char *filter, double timeout_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned char body[512], pkt[600];
	size_t blen = 0, plen;
	int fd, one = 1, rcvbuf = 4 << 20;
	char cid[64];
	double deadline = now_s() + timeout_s;

	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		if (now_s() > deadline)
			die("connect");
		usleep(50000);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* CONNECT: protocol "MQTT" level 4, clean session, keepalive 0 (off) */
	snprintf(cid, sizeof(cid), "bench-meter-%d", (int)getpid());
	blen += put_str(body + blen, "MQTT");
	body[blen++] = 4;
	body[blen++] = 0x02;
	body[blen++] = 0;
	body[blen++] = 0;
	blen += put_str(body + blen, cid);
	pkt[0] = 0x10;
	plen = 1 + put_remlen(pkt + 1, blen);
	memcpy(pkt + plen, body, blen);
	write_all(fd, pkt, plen + blen);

	/* SUBSCRIBE packet id 1, one filter at QoS 0 */
	blen = 0;
	body[blen++] = 0;
	body[blen++] = 1;
	if (strlen(filter) > 400)
		diex("topic filter too long");
	blen += put_str(body + blen, filter);
	body[blen++] = 0;
	pkt[0] = 0x82;
	plen = 1 + put_remlen(pkt + 1, blen);
	memcpy(pkt + plen, body, blen);
	write_all(fd, pkt, plen + blen);
	return fd;
}

/* Incremental MQTT packet splitter over a stream. */
struct parser {
	unsigned char *buf;
	size_t cap, len;
	uint64_t publishes;
	uint64_t pub_bytes;	/* topic + payload bytes of counted PUBLISHes */
	bool count_readings;	/* -r */
	uint64_t readings;	/* with -r: readings in them */
	double last_s;		/* when the last PUBLISH arrived */
	bool connacked, subacked;
};

/* The readings a QoS 0 PUBLISH's variable header and payload (LEN bytes at P) carry. */
static uint64_t readings_in(const unsigned char *p, size_t len)
{
	static const char key[] = "\"seq\":";
	size_t tlen = len >= 2 ? (size_t)p[0] << 8 | p[1] : 0;
	const unsigned char *q, *end = p + len;
	uint64_t n = 0;

	if (len < 2 + tlen + 1 || p[2 + tlen] != '[')
		return 1;
	for (q = p + 2 + tlen; (q = memmem(q, (size_t)(end - q), key, sizeof(key) - 1)); q++)
		n++;
	return n;
}

static void parse(struct parser *ps)
{
	size_t off = 0;

	for (;;) {
		size_t avail = ps->len - off, rl = 0, i = 1, hdr;
		unsigned mult = 1;
		unsigned char type;

		if (avail < 2)
			break;
		for (;;) {
			if (i >= avail)
				goto need_more;
			rl += (size_t)(ps->buf[off + i] & 0x7f) * mult;
			if (!(ps->buf[off + i] & 0x80))
				break;
			mult *= 128;
			if (++i > 4)
				diex("bad remaining length from broker");
		}
		hdr = i + 1;
		if (hdr + rl > avail)
			goto need_more;
		type = ps->buf[off] >> 4;
		if (type == 3) {
			ps->publishes++;
			ps->pub_bytes += rl - 2;
			if (ps->count_readings)
				ps->readings += readings_in(ps->buf + off + hdr, rl);
		} else if (type == 2) {
			if (rl < 2 || ps->buf[off + hdr + 1] != 0)
				diex("broker refused the connection");
			ps->connacked = true;
		} else if (type == 9) {
			if (rl < 3 || ps->buf[off + hdr + 2] == 0x80)
				diex("broker refused the subscription");
			ps->subacked = true;
		}
		off += hdr + rl;
	}
need_more:
	if (off) {
		memmove(ps->buf, ps->buf + off, ps->len - off);
		ps->len -= off;
	}
	if (ps->len == ps->cap) {
		/* a PUBLISH larger than the buffer: grow */
		ps->cap *= 2;
		ps->buf = realloc(ps->buf, ps->cap);
		if (!ps->buf)
			die("realloc");
	}
}

/* Read what is there (or wait up to TIMEOUT_MS for it) and count it. */
static void pump(int fd, struct parser *ps, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	for (;;) {
		n = recv(fd, ps->buf + ps->len, ps->cap - ps->len, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv");
		if (n == 0)
			diex("broker closed the connection");
		ps->len += (size_t)n;
		ps->last_s = now_s();
		parse(ps);
	}
}

/*
 * -N: from the first reading (already counted) to the COUNT-th, or to 10 s
 * without any; prints the time between the first and the last arrival.
 */
static int drain(int fd, struct parser *ps, pid_t producer, long count)
{
	struct tree_cpu pa, pb;
	bool ticks = false;
	double t0 = ps->last_s, cpu;

	tree_sample(producer, &pa);
	while ((long)ps->readings < count && now_s() - ps->last_s < 10)
		pump(fd, ps, 100);
	tree_sample(producer, &pb);
	cpu = tree_cpu_delta(&pa, &pb, &ticks);
	printf("drain_s=%.3f readings=%llu messages=%llu rate=%.1f cpu_s=%.3f "
	       "cpu_us_per_reading=%.2f complete=%d\n", ps->last_s - t0,
	       (unsigned long long)ps->readings, (unsigned long long)ps->publishes,
	       ps->last_s > t0 ? (double)ps->readings / (ps->last_s - t0) : 0.0, cpu,
	       ps->readings ? cpu * 1e6 / (double)ps->readings : 0.0,
	       (long)ps->readings >= count);
	close(fd);
	free(ps->buf);
	return (long)ps->readings >= count ? 0 : 1;
}

int main(int argc, char **argv)
{
	int port = 0, opt, fd, nrss = 0;
	const char *filter = NULL;
	pid_t producer = 0, broker = 0;
	double warmup = 5, window = 10, conn_timeout = 10, first_timeout = 30, t, t0, t1, c0, c1, tnext;
	long min_msgs = 0, drain_n = 0;
	static long rss[MAX_RSS_SAMPLES], anon[MAX_RSS_SAMPLES];
	struct parser ps = { 0 };
	struct tree_cpu pa, pb, ba, bb;
	uint64_t n0, n1, m0, b0, b1, got;
	bool pticks = false, bticks = false;
	double pcpu, bcpu;

	while ((opt = getopt(argc, argv, "p:t:P:B:w:d:m:c:f:rN:")) != -1) {
		switch (opt) {
		case 'p': port = (int)parse_long(optarg, 1, 65535, "port"); break;
		case 't': filter = optarg; break;
		case 'P': producer = (pid_t)parse_long(optarg, 1, 1 << 30, "pid"); break;
		case 'B': broker = (pid_t)parse_long(optarg, 1, 1 << 30, "pid"); break;
		case 'w': warmup = (double)parse_long(optarg, 0, 3600, "warm-up"); break;
		case 'd': window = (double)parse_long(optarg, 1, 3600, "window"); break;
		case 'm': min_msgs = parse_long(optarg, 0, 1L << 40, "min messages"); break;
		case 'c': conn_timeout = (double)parse_long(optarg, 1, 600, "timeout"); break;
		case 'f': first_timeout = (double)parse_long(optarg, 1, 600, "timeout"); break;
		case 'r': ps.count_readings = true; break;
		case 'N': drain_n = parse_long(optarg, 1, 1L << 40, "count"); ps.count_readings = true; break;
		default:
			fprintf(stderr, "usage: meter -p PORT -t FILTER -P PID [-B PID] "
				"[-w S] [-d S] [-m N] [-c S] [-f S] [-r] [-N COUNT]\n");
			return 2;
		}
	}
	if (!port || !filter || !producer)
		diex("need -p PORT -t FILTER -P PID");
	clk_tck = sysconf(_SC_CLK_TCK);
	ps.cap = 8 << 20;
	ps.buf = malloc(ps.cap);
	if (!ps.buf)
		die("malloc");

	fd = mqtt_connect(port, filter, conn_timeout);
	t = now_s() + conn_timeout;
	while (!ps.subacked) {
		if (now_s() > t)
			diex("no SUBACK from broker");
		pump(fd, &ps, 100);
	}
	fprintf(stderr, "ready\n");

	/*
	 * Warm-up starts with the first delivered reading, so that a producer's
	 * start-up time (seconds for Node-RED) does not eat into it.
	 */
	t = now_s() + first_timeout;
	while (ps.publishes == 0) {
		if (now_s() > t)
			diex("no reading arrived");
		if (kill(producer, 0) != 0)
			diex("producer exited before its first reading");
		pump(fd, &ps, 50);
	}
	if (drain_n)
		return drain(fd, &ps, producer, drain_n);
	t = now_s() + warmup;
	while (now_s() < t)
		pump(fd, &ps, 50);

	/* window start: take the counters as close together as possible */
	tree_sample(producer, &pa);
	if (broker)
		tree_sample(broker, &ba);
	n0 = ps.count_readings ? ps.readings : ps.publishes;
	m0 = ps.publishes;
	b0 = ps.pub_bytes;
	c0 = self_cpu_s();
	t0 = now_s();

	tnext = t0;
	for (;;) {
		t = now_s();
		if (t >= tnext) {
			if (kill(producer, 0) != 0)
				diex("producer exited during the window");
			if (nrss < MAX_RSS_SAMPLES) {
				rss[nrss] = tree_rss_kib(producer, &anon[nrss]);
				nrss++;
			}
			tnext += 0.5;
		}
		got = ps.count_readings ? ps.readings : ps.publishes;
		if (t - t0 >= window && ((long)(got - n0) >= min_msgs || t - t0 >= 3 * window))
			break;
		pump(fd, &ps, 20);
	}

	t1 = now_s();
	n1 = ps.count_readings ? ps.readings : ps.publishes;
	b1 = ps.pub_bytes;
	tree_sample(producer, &pb);
	if (broker)
		tree_sample(broker, &bb);
	c1 = self_cpu_s();

	pcpu = tree_cpu_delta(&pa, &pb, &pticks);
	bcpu = broker ? tree_cpu_delta(&ba, &bb, &bticks) : 0;
	{
		double dt = t1 - t0;
		uint64_t n = n1 - n0;
		long first = nrss ? rss[0] : 0, last = nrss ? rss[nrss - 1] : 0;
		long med, max;

		qsort(rss, (size_t)nrss, sizeof(rss[0]), cmp_long);
		qsort(anon, (size_t)nrss, sizeof(anon[0]), cmp_long);
		med = nrss ? rss[nrss / 2] : 0;
		max = nrss ? rss[nrss - 1] : 0;
		printf("window_s=%.3f delivered=%llu rate=%.1f "
		       "cpu_s=%.6f cpu_us_per_msg=%.2f cpu_pct=%.1f cpu_src=%s procs=%d "
		       "rss_med_kib=%ld rss_max_kib=%ld rss_first_kib=%ld rss_last_kib=%ld "
		       "rss_anon_med_kib=%ld "
		       "broker_cpu_pct=%.1f meter_cpu_pct=%.1f avg_msg_bytes=%.1f messages=%llu\n",
		       dt, (unsigned long long)n, (double)n / dt,
		       pcpu, n ? pcpu * 1e6 / (double)n : 0.0, 100 * pcpu / dt,
		       pticks ? "ticks" : "schedstat", pa.n,
		       med, max, first, last, nrss ? anon[nrss / 2] : 0,
		       100 * bcpu / dt, 100 * (c1 - c0) / dt,
		       ps.publishes > m0 ? (double)(b1 - b0) / (double)(ps.publishes - m0) : 0.0,
		       (unsigned long long)(ps.publishes - m0));
	}
	close(fd);
	free(ps.buf);
	return 0;
}
