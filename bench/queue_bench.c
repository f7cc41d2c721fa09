/* SPDX-License-Identifier: MIT */
/*
 * Disk queue benchmark; prints numbers, never part of `make check`.
 *
 *   bench/queue_bench [-d DIR] [-s SECONDS] [-m MIB]
 *
 * DIR (default: a new directory under $TMPDIR or /tmp) should be on the
 * file system to measure.  SECONDS (default 10) is the length of the steady
 * 100 records/s run; MIB (default 256) the size of the queue for the
 * recovery test.  Records are queued messages (qmsg) holding a typical
 * 60-byte JSON reading.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deliver/qmsg.h"
#include "queue/queue.h"

/* 60 bytes, a typical JSON reading. */
static const char payload[] = "{\"value\":23.46,\"unit\":\"C\",\"ts\":1763776800123,\"seq\":12345678}";
static const char topic[] = "casa/sala/temperatura";

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double secs(int64_t ns)
{
	return (double)ns / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "queue_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void rm_queue(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		die("rm -rf", EIO);
}

/* The reading as the daemon would queue it; returns the encoded length. */
/* The daemon's record of a configured reading: form number and value. */
static size_t encode_reading(uint8_t *buf, size_t cap, uint64_t seq)
{
	struct sgw_qmsg m = {
		.ts.wall_ms = INT64_C(1763776800123) + (int64_t)seq * 1000,
		.seq = seq,
		.qos = 1,
		.reading = true,
		.form = 3,
		.value = 2346,
	};
	long n = sgw_qmsg_encode(&m, buf, cap);

	if (n < 0)
		die("encode", (int)n);
	return (size_t)n;
}

static size_t encode(uint8_t *buf, size_t cap, uint64_t seq)
{
	struct sgw_qmsg m = {
		.ts.wall_ms = INT64_C(1763776800123) + (int64_t)seq * 1000,
		.seq = seq,
		.topic = topic,
		.topic_len = sizeof(topic) - 1,
		.payload = payload,
		.payload_len = sizeof(payload) - 1,
		.qos = 1,
	};
	long n = sgw_qmsg_encode(&m, buf, cap);

	if (n < 0)
		die("encode", (int)n);
	return (size_t)n;
}

static struct sgw_queue *open_q(const char *dir, enum sgw_queue_sync sync, uint64_t max)
{
	struct sgw_queue_options o;
	struct sgw_queue *q;

	sgw_queue_options_init(&o);
	o.sync = sync;
	if (max)
		o.max_size = max;
	o.record_ts = sgw_qmsg_peek_ts;
	q = sgw_queue_open(dir, &o);
	if (!q)
		die(dir, errno);
	return q;
}

/* Append N records, the main loop driving group commit; returns seconds. */
static double fill(struct sgw_queue *q, uint64_t n)
{
	uint8_t buf[256];
	int64_t t0 = now_ns();

	for (uint64_t i = 0; i < n; i++) {
		size_t len = encode(buf, sizeof(buf), i);
		int err = sgw_queue_append(q, buf, len, NULL);

		if (err)
			die("append", err);
		err = sgw_queue_sync_if_due(q, now_ns());
		if (err)
			die("sync", err);
	}
	if (sgw_queue_sync(q))
		die("sync", EIO);
	return secs(now_ns() - t0);
}

static void bench_enqueue(const char *base)
{
	char dir[512];
	struct sgw_queue_stats st;
	struct sgw_queue_cursor *c;
	struct sgw_queue_record r;
	struct sgw_queue *q;
	uint64_t n = 200000, got = 0;
	double t;
	int64_t t0;
	int err;

	snprintf(dir, sizeof(dir), "%s/group", base);
	q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, 0);
	c = sgw_queue_cursor_get(q, "bench", 0);
	t = fill(q, n);
	sgw_queue_get_stats(q, &st);
	printf("enqueue, group commit (1 s / 512 records): %" PRIu64 " records in %.3f s = %.0f records/s, %" PRIu64 " fsyncs\n",
	       n, t, (double)n / t, st.fsyncs);

	t0 = now_ns();
	while ((err = sgw_queue_read(c, &r)) == 0) {
		if (sgw_queue_ack(c, r.seq) != 0)
			die("ack", EINVAL);
		got++;
		sgw_queue_sync_if_due(q, now_ns());
	}
	if (err != -ENODATA)
		die("read", err);
	if (sgw_queue_sync(q))
		die("sync", EIO);
	t = secs(now_ns() - t0);
	printf("drain (read + ack, one cursor, page cache warm): %" PRIu64 " records in %.3f s = %.0f records/s\n",
	       got, t, (double)got / t);
	sgw_queue_close(q);
	rm_queue(dir);

	snprintf(dir, sizeof(dir), "%s/always", base);
	q = open_q(dir, SGW_QUEUE_SYNC_ALWAYS, 0);
	n = 0;
	t0 = now_ns();
	do {
		uint8_t buf[256];
		size_t len = encode(buf, sizeof(buf), n);

		err = sgw_queue_append(q, buf, len, NULL);
		if (err)
			die("append", err);
		n++;
	} while (now_ns() - t0 < 2000000000);
	t = secs(now_ns() - t0);
	printf("enqueue, sync = always: %" PRIu64 " records in %.3f s = %.0f records/s\n",
	       n, t, (double)n / t);
	sgw_queue_close(q);
	rm_queue(dir);
}

/* The raw 60-byte payload as a record body. */
static size_t encode_raw(uint8_t *buf, size_t cap, uint64_t seq)
{
	(void)seq;
	if (cap < sizeof(payload) - 1)
		die("encode", EMSGSIZE);
	memcpy(buf, payload, sizeof(payload) - 1);
	return sizeof(payload) - 1;
}

/* Bytes on disk per record of 10000 made by ENCODE. */
static double size_per_record(const char *dir, size_t (*encode_fn)(uint8_t *, size_t, uint64_t))
{
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint8_t buf[256];
	uint64_t n = 10000;

	q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, 0);
	for (uint64_t i = 0; i < n; i++) {
		size_t len = encode_fn(buf, sizeof(buf), 1000000 + i);

		if (sgw_queue_append(q, buf, len, NULL))
			die("append", EIO);
	}
	sgw_queue_get_stats(q, &st);
	sgw_queue_close(q);
	rm_queue(dir);
	return (double)st.bytes / (double)n;
}

static void bench_size(const char *base)
{
	char dir[512];
	uint8_t buf[256];
	size_t body = encode(buf, sizeof(buf), 1000000);
	double b;

	snprintf(dir, sizeof(dir), "%s/size", base);
	b = size_per_record(dir, encode_raw);
	printf("bytes per record, 60-byte payload stored raw: %.2f = %.3f x payload (header %d bytes)\n",
	       b, b / 60.0, SGW_QUEUE_HEADER_SIZE);
	b = size_per_record(dir, encode);
	printf("bytes per record, as a queued message (topic \"%s\", %zu bytes, qos, seq, ts): %.2f = %.3f x payload (qmsg body %zu bytes)\n",
	       topic, sizeof(topic) - 1, b, b / 60.0, body);
	b = size_per_record(dir, encode_reading);
	printf("bytes per record, as a compact reading (form number, value, qos, seq, ts): %.2f = %.3f x payload\n",
	       b, b / 60.0);
}

static void bench_steady(const char *base, int seconds)
{
	char dir[512];
	struct sgw_queue_stats st0, st;
	struct sgw_queue *q;
	uint8_t buf[256];
	int64_t t0, next;
	uint64_t i = 0;

	snprintf(dir, sizeof(dir), "%s/steady", base);
	q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, 0);
	sgw_queue_sync(q);
	sgw_queue_get_stats(q, &st0);
	t0 = now_ns();
	next = t0;
	while (next - t0 < (int64_t)seconds * 1000000000) {
		struct timespec ts;
		int64_t wake = next, dl = sgw_queue_next_sync_deadline(q);

		/* A main loop: sleep until the next record or sync is due. */
		if (dl < wake)
			wake = dl;
		ts.tv_sec = (time_t)(wake / 1000000000);
		ts.tv_nsec = (long)(wake % 1000000000);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (now_ns() >= next) {
			size_t len = encode(buf, sizeof(buf), i++);

			if (sgw_queue_append(q, buf, len, NULL))
				die("append", EIO);
			next += 10000000;	/* 100 records/s */
		}
		sgw_queue_sync_if_due(q, now_ns());
	}
	sgw_queue_get_stats(q, &st);
	printf("steady 100 records/s for %d s: %" PRIu64 " records, %" PRIu64 " fsyncs = %.2f fsyncs/s\n",
	       seconds, i, st.fsyncs - st0.fsyncs, (double)(st.fsyncs - st0.fsyncs) / seconds);
	sgw_queue_close(q);
	rm_queue(dir);
}

/*
 * Half a record at the end of the newest segment, as a crash mid-write
 * leaves it.  The record is made by appending it to a scratch queue (its
 * first segment holds just that record), so that only queue.h is needed;
 * its sequence number is the scratch queue's, which recovery never reaches:
 * half a record already fails the length check.
 */
static void torn_append(const char *dir, uint64_t seq)
{
	uint8_t body[256], rec[SGW_QUEUE_HEADER_SIZE + 256];
	size_t len = encode(body, sizeof(body), seq);
	uint64_t tail = 0;
	struct dirent *de;
	struct sgw_queue *q;
	char scratch[560], path[600];
	DIR *d;
	int fd;

	snprintf(scratch, sizeof(scratch), "%s.torn", dir);
	q = open_q(scratch, SGW_QUEUE_SYNC_INTERVAL, 0);
	if (sgw_queue_append(q, body, len, NULL))
		die("append", EIO);
	sgw_queue_close(q);
	snprintf(path, sizeof(path), "%s/%020" PRIu64 ".seg", scratch, (uint64_t)1);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, rec, sizeof(rec)) != (ssize_t)(SGW_QUEUE_HEADER_SIZE + len))
		die(path, fd < 0 ? errno : EIO);
	close(fd);
	rm_queue(scratch);

	d = opendir(dir);
	if (!d)
		die("opendir", errno);
	while ((de = readdir(d)) != NULL) {
		uint64_t b = strtoull(de->d_name, NULL, 10);

		if (strstr(de->d_name, ".seg") && b > tail)
			tail = b;
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/%020" PRIu64 ".seg", dir, tail);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, rec, (SGW_QUEUE_HEADER_SIZE + len) / 2) < 0)
		die(path, errno);
	close(fd);
}

static int drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	int ok;

	sync();
	if (fd < 0)
		return 0;
	ok = write(fd, "3\n", 2) == 2;
	close(fd);
	return ok;
}

static void bench_recovery(const char *base, unsigned mib)
{
	char dir[512];
	struct sgw_queue_stats st;
	struct sgw_queue *q;
	uint64_t next;
	pid_t pid;
	int status, cold;
	int64_t t0;
	double t;

	snprintf(dir, sizeof(dir), "%s/recovery", base);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		/* Fill, acknowledge nothing, and die mid-write: a torn record. */
		uint8_t buf[256];
		uint64_t i = 0;
		struct sgw_queue_stats cst;

		q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, (uint64_t)mib * 2 << 20);
		sgw_queue_cursor_get(q, "cloud", 0);
		sgw_queue_sync(q);
		do {
			size_t len = encode(buf, sizeof(buf), i++);

			if (sgw_queue_append(q, buf, len, NULL))
				die("append", EIO);
			sgw_queue_sync_if_due(q, now_ns());
			if ((i & 1023) == 0)
				sgw_queue_get_stats(q, &cst);
		} while ((i & 1023) != 0 || cst.bytes < (uint64_t)mib << 20);
		torn_append(dir, cst.next_seq);
		raise(SIGKILL);
		_exit(2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		die("child", ECHILD);

	/* Worst case first: recovery with nothing in the page cache. */
	cold = drop_caches();
	t0 = now_ns();
	q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, (uint64_t)mib * 2 << 20);
	t = secs(now_ns() - t0);
	sgw_queue_get_stats(q, &st);
	printf("open after kill, %" PRIu64 " MiB in %" PRIu64 " segments, %" PRIu64 " torn bytes cut, %s: %.1f ms\n",
	       st.bytes >> 20, st.segments, st.torn_bytes,
	       cold ? "page cache dropped" : "page cache warm (dropping it needs root)", t * 1e3);
	next = st.next_seq;
	sgw_queue_close(q);

	/* Again with the files cached: a new torn record at the tail. */
	torn_append(dir, next);
	t0 = now_ns();
	q = open_q(dir, SGW_QUEUE_SYNC_INTERVAL, (uint64_t)mib * 2 << 20);
	t = secs(now_ns() - t0);
	sgw_queue_get_stats(q, &st);
	printf("open with a torn tail again, page cache warm: %" PRIu64 " torn bytes cut, %.1f ms\n",
	       st.torn_bytes, t * 1e3);
	sgw_queue_close(q);
	rm_queue(dir);
}

int main(int argc, char **argv)
{
	char base[256];
	const char *dir = NULL;
	long seconds = 10, mib = 256;
	int opt, made = 0;

	while ((opt = getopt(argc, argv, "d:s:m:")) != -1) {
		char *end;

		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			errno = 0;
			seconds = strtol(optarg, &end, 10);
			if (errno || *end || seconds < 1 || seconds > 3600)
				die("-s", EINVAL);
			break;
		case 'm':
			errno = 0;
			mib = strtol(optarg, &end, 10);
			if (errno || *end || mib < 8 || mib > 4096)
				die("-m", EINVAL);
			break;
		default:
			fprintf(stderr, "usage: %s [-d DIR] [-s SECONDS] [-m MIB]\n", argv[0]);
			return 2;
		}
	}
	if (!dir) {
		const char *t = getenv("TMPDIR");

		snprintf(base, sizeof(base), "%s/sgwq-bench.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(base))
			die("mkdtemp", errno);
		made = 1;
	} else {
		snprintf(base, sizeof(base), "%s", dir);
	}
	bench_size(base);
	bench_enqueue(base);
	bench_steady(base, (int)seconds);
	bench_recovery(base, (unsigned)mib);
	if (made)
		rmdir(base);
	return 0;
}
