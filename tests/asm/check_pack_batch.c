/* SPDX-License-Identifier: MIT */
/*
 * The batch packer of asm/sgw_kernels.h: the public kernel against the C
 * reference, byte for byte, and both against the JSON writer
 * (src/message/json.h) given the same readings; the bound, the guard bytes
 * after it, the ends and the limit; strings that end at a page's end.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel_fixture.h"
#include "message/json.h"
#include "tests/fixtures/run.h"

#define GUARD_BYTE 0xa7
#define GUARD_LEN 64	/* checked before DST and after the bound */

typedef size_t pack_fn(char *dst, const struct sgw_pack_item *it, size_t n, size_t limit,
		       size_t *ends);

/* What the JSON writer makes of the same readings: "[{...},{...}]". */
static char *writer_text(const struct sgw_pack_item *it, size_t n, size_t *len)
{
	struct sgw_json w;
	size_t cap = sgw_pack_bound(it, n) + 3;
	char *buf = malloc(cap);
	ssize_t got;

	ck_assert_ptr_nonnull(buf);
	sgw_json_init(&w, buf, cap);
	sgw_json_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		sgw_json_object_begin(&w);
		if (it[i].topic) {
			sgw_json_key(&w, "topic");
			sgw_json_string_len(&w, it[i].topic, it[i].topic_len);
		}
		sgw_json_key(&w, "value");
		sgw_json_fixed(&w, it[i].value, it[i].scale, it[i].precision);
		sgw_json_key(&w, "unit");
		sgw_json_string_len(&w, it[i].unit ? it[i].unit : "", it[i].unit_len);
		sgw_json_key(&w, "ts");
		sgw_json_int(&w, it[i].ts_ms);
		sgw_json_key(&w, "seq");
		sgw_json_uint(&w, it[i].seq);
		sgw_json_object_end(&w);
	}
	sgw_json_array_end(&w);
	got = sgw_json_finish(&w);
	ck_assert_int_ge(got, 2);
	ck_assert_int_lt(got, (ssize_t)cap);
	*len = (size_t)got;
	return buf;
}

/* One run of FN into a fresh buffer at offset OFF, guard bytes around the bound. */
struct run {
	char *buf;	/* GUARD_LEN + OFF + bound + GUARD_LEN bytes */
	char *dst;
	size_t k;
	size_t *ends;
};

static void run_one(struct run *r, pack_fn *fn, const char *name, const struct sgw_pack_item *it,
		    size_t n, size_t limit, size_t off)
{
	size_t bound = sgw_pack_bound(it, n);

	r->buf = malloc(GUARD_LEN + off + bound + GUARD_LEN);
	r->ends = malloc((n + 1) * sizeof(*r->ends));
	ck_assert_ptr_nonnull(r->buf);
	ck_assert_ptr_nonnull(r->ends);
	memset(r->buf, GUARD_BYTE, GUARD_LEN + off + bound + GUARD_LEN);
	for (size_t i = 0; i <= n; i++)
		r->ends[i] = (size_t)0xdeadbeef;
	r->dst = r->buf + GUARD_LEN + off;
	r->k = fn(r->dst, it, n, limit, r->ends);
	for (size_t i = 0; i < GUARD_LEN + off; i++)
		EXPECT((unsigned char)r->buf[i] == GUARD_BYTE, "%s wrote %zu bytes before DST", name,
		       GUARD_LEN + off - i);
	for (size_t i = 0; i < GUARD_LEN; i++)
		EXPECT((unsigned char)r->dst[bound + i] == GUARD_BYTE,
		       "%s wrote past the bound (%zu) at +%zu, %zu items", name, bound, i, n);
	EXPECT(r->k <= n, "%s: %zu objects of %zu", name, r->k, n);
	EXPECT(r->ends[r->k] == (size_t)0xdeadbeef, "%s wrote ENDS[%zu]", name, r->k);
	/* Every object within the bound and in order. */
	for (size_t i = 0; i < r->k; i++)
		EXPECT(r->ends[i] + SGW_PACK_SLACK <= bound && (i == 0 || r->ends[i] > r->ends[i - 1]),
		       "%s: ENDS[%zu] = %zu, bound %zu", name, i, r->ends[i], bound);
}

static void run_free(struct run *r)
{
	free(r->ends);
	free(r->buf);
}

/*
 * The public kernel and the reference with LIMIT at unaligned offsets: the
 * same count, ends and text; the text the writer's array without its
 * brackets, cut at the last object written; the count what LIMIT says.
 */
static void check_limit(const struct sgw_pack_item *it, size_t n, size_t limit, const char *want,
			size_t want_len)
{
	struct run a, r;
	size_t off = (size_t)(rng() % 16), len, k;

	run_one(&a, sgw_pack_batch, "sgw_pack_batch", it, n, limit, off);
	run_one(&r, sgw_ref_pack_batch, "sgw_ref_pack_batch", it, n, limit, (off + 7) % 16);
	EXPECT(a.k == r.k, "%zu objects, reference %zu (n %zu, limit %zu)", a.k, r.k, n, limit);
	for (size_t i = 0; i < a.k; i++)
		EXPECT(a.ends[i] == r.ends[i], "ENDS[%zu] = %zu, reference %zu", i, a.ends[i],
		       r.ends[i]);
	len = a.k ? a.ends[a.k - 1] : 0;
	if (memcmp(a.dst, r.dst, len) != 0) {
		size_t i = 0;

		while (a.dst[i] == r.dst[i])
			i++;
		ck_abort_msg("text differs from the reference at %zu: \"%.*s\" / \"%.*s\"", i,
			     (int)(len - i < 60 ? len - i : 60), a.dst + i,
			     (int)(len - i < 60 ? len - i : 60), r.dst + i);
	}
	/* The writer's array, without '[', up to the same object. */
	if (n == 0) {
		EXPECT(want_len == 2, "writer: %zu bytes for no readings", want_len);
	} else {
		EXPECT(len <= want_len - 2 && memcmp(a.dst, want + 1, len) == 0 &&
		       (want[1 + len] == ',' || want[1 + len] == ']'),
		       "not the writer's text: \"%.*s\" / \"%.*s\"", (int)(len < 200 ? len : 200),
		       a.dst, (int)(want_len < 200 ? want_len : 200), want);
	}
	/* Stopped after the first object past LIMIT, or when all are written. */
	for (k = 0; k < a.k; k++)
		EXPECT(k + 1 == a.k || a.ends[k] <= limit, "went on after ENDS[%zu] = %zu > %zu",
		       k, a.ends[k], limit);
	EXPECT(a.k == n || (a.k > 0 && a.ends[a.k - 1] > limit),
	       "stopped after %zu of %zu objects, the last ending at %zu, limit %zu", a.k, n,
	       a.k ? a.ends[a.k - 1] : 0, limit);
	run_free(&r);
	run_free(&a);
}

/*
 * IT[0..N) through both kernels: without a limit the whole writer's text;
 * then with limits at, around and between the ends of the first, the last
 * and a few other objects.
 */
static void check_items(const struct sgw_pack_item *it, size_t n)
{
	size_t want_len, *ends = malloc((n + 1) * sizeof(*ends));
	char *want = writer_text(it, n, &want_len);
	char *buf = malloc(sgw_pack_bound(it, n));
	size_t k;

	ck_assert_ptr_nonnull(ends);
	ck_assert_ptr_nonnull(buf);
	check_limit(it, n, SIZE_MAX, want, want_len);
	k = sgw_ref_pack_batch(buf, it, n, SIZE_MAX, ends);
	ck_assert_uint_eq(k, n);
	EXPECT(n == 0 || ends[n - 1] == want_len - 2, "length %zu, writer %zu", ends[n - 1],
	       want_len - 2);
	check_limit(it, n, 0, want, want_len);
	for (size_t j = 0; j < n && j < 6; j++) {
		size_t i = j == 0 ? 0 : j == 1 ? n - 1 : (size_t)(rng() % n);

		check_limit(it, n, ends[i] - 1, want, want_len);
		check_limit(it, n, ends[i], want, want_len);
		check_limit(it, n, ends[i] + 1 + (size_t)(rng() % 40), want, want_len);
	}
	free(buf);
	free(want);
	free(ends);
}

/* The same readings once more, one item at a time (its own first object). */
static void check_each(const struct sgw_pack_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_items(it + i, 1);
}

static struct sgw_pack_item item(const char *topic, const char *unit, int32_t v, unsigned s,
				 unsigned p, int64_t ts, uint64_t seq)
{
	return (struct sgw_pack_item){
		.topic = topic, .topic_len = topic ? strlen(topic) : 0,
		.unit = unit, .unit_len = unit ? strlen(unit) : 0,
		.value = v, .scale = (uint8_t)s, .precision = (uint8_t)p, .ts_ms = ts, .seq = seq,
	};
}

START_TEST(test_known)
{
	static const char want[] =
		"{\"topic\":\"casa/sala/temperatura\",\"value\":23.46,\"unit\":\"\xc2\xb0"
		"C\",\"ts\":1700000000123,\"seq\":42},"
		"{\"value\":-0.1,\"unit\":\"a\\\"b\\\\c\\n\\u0001\\u001f\",\"ts\":-1,"
		"\"seq\":18446744073709551615},"
		"{\"topic\":\"\",\"value\":0,\"unit\":\"\",\"ts\":0,\"seq\":0}";
	struct sgw_pack_item it[3] = {
		item("casa/sala/temperatura", "\xc2\xb0" "C", 2346, 2, 2, 1700000000123, 42),
		item(NULL, "a\"b\\c\n\x01\x1f", -5, 2, 1, -1, UINT64_MAX),
		item("", NULL, -4, 2, 0, 0, 0),
	};
	pack_fn *fn[2] = { sgw_pack_batch, sgw_ref_pack_batch };

	for (int f = 0; f < 2; f++) {
		char buf[1024];
		size_t ends[3], k;

		ck_assert_uint_le(sgw_pack_bound(it, 3), sizeof(buf));
		k = fn[f](buf, it, 3, SIZE_MAX, ends);
		ck_assert_uint_eq(k, 3);
		ck_assert_uint_eq(ends[2], strlen(want));
		ck_assert_msg(memcmp(buf, want, ends[2]) == 0, "%s: %.*s", f ? "reference" : "kernel",
			      (int)ends[2], buf);
		ck_assert_uint_eq(ends[0], strchr(want, '}') + 1 - want);
		/* A limit inside the second object: it is written, then the packer stops. */
		k = fn[f](buf, it, 3, ends[0], ends);
		ck_assert_uint_eq(k, 2);
		k = fn[f](buf, it, 3, ends[0] - 1, ends);
		ck_assert_uint_eq(k, 1);
		ck_assert_uint_eq(fn[f](buf, it, 0, SIZE_MAX, ends), 0);
	}
	check_items(it, 3);
	ck_assert_uint_eq(sgw_pack_bound(it, 0), SGW_PACK_SLACK);
	ck_assert_uint_eq(sgw_pack_bound(it, 1), SGW_PACK_SLACK + SGW_PACK_ITEM_FIXED + 6 * (21 + 3));
	/* A NULL topic's length does not count. */
	it[1].topic_len = 1000;
	ck_assert_uint_eq(sgw_pack_bound(it + 1, 1), SGW_PACK_SLACK + SGW_PACK_ITEM_FIXED + 6 * 8);
}
END_TEST

START_TEST(test_shortest_and_longest)
{
	/* The shortest object is SGW_PACK_OBJ_MIN bytes; the longest fills its bound. */
	char topic[40], unit[40];
	struct sgw_pack_item it[2];
	char buf[2048];
	size_t ends[2];

	it[0] = item(NULL, NULL, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(sgw_pack_batch(buf, it, 1, SIZE_MAX, ends), 1);
	ck_assert_uint_eq(ends[0], SGW_PACK_OBJ_MIN);
	memset(topic, 1, sizeof(topic));
	memset(unit, 0x1f, sizeof(unit));
	it[0] = item(NULL, NULL, INT32_MIN, 0, 9, INT64_MIN, UINT64_MAX);
	it[0].topic = topic;
	it[0].topic_len = sizeof(topic);
	it[0].unit = unit;
	it[0].unit_len = sizeof(unit);
	it[1] = it[0];
	ck_assert_uint_le(sgw_pack_bound(it, 2), sizeof(buf));
	ck_assert_uint_eq(sgw_pack_batch(buf, it, 2, SIZE_MAX, ends), 2);
	/* The value is 21 bytes of SGW_FMT_FIXED_MAX's 24: 3 short of the bound per item. */
	ck_assert_uint_eq(ends[1] - ends[0], SGW_PACK_ITEM_FIXED + 6 * 80 - 3);
	/* And the first has no comma before it. */
	ck_assert_uint_eq(ends[1] + SGW_PACK_SLACK + 7, sgw_pack_bound(it, 2));
	check_items(it, 2);
}
END_TEST

static const int64_t ts_edges[] = {
	INT64_MIN, INT64_MIN + 1, -10000000000000000, -9999999999999999, -100000000, -99999999,
	-10, -9, -1, 0, 1, 9, 10, 99, 100, 99999999, 100000000, 100000001, 1700000000123,
	9999999999999999, 10000000000000000, 10000000000000001, 999999999999999999,
	1000000000000000000, INT64_MAX - 1, INT64_MAX,
};

START_TEST(test_edges)
{
	enum { NV = NEDGE * 11 * 11 };
	struct sgw_pack_item *it = malloc(NV * sizeof(*it));
	size_t n = 0;

	ck_assert_ptr_nonnull(it);
	rng_seed(21);
	/* Every edge value with every scale and precision, 10 being taken as 9. */
	for (unsigned s = 0; s <= 10; s++)
		for (unsigned p = 0; p <= 10; p++)
			for (size_t i = 0; i < NEDGE; i++)
				it[n++] = item("t", "u", edge_values[i], s, p, 1, 2);
	check_items(it, n);
	check_each(it, 50);
	/* Time stamps and sequence numbers at every digit count and both ends. */
	n = 0;
	for (size_t i = 0; i < sizeof(ts_edges) / sizeof(ts_edges[0]); i++) {
		it[n++] = item("t", "u", 0, 0, 0, ts_edges[i], (uint64_t)ts_edges[i]);
		it[n++] = item("t", "u", 0, 0, 0, ts_edges[i], (uint64_t)INT64_MAX + (uint64_t)i);
	}
	for (uint64_t p = 1, d = 1; d <= 20; d++, p *= 10) {
		it[n++] = item(NULL, NULL, 1, 0, 0, (int64_t)(p - 1 < INT64_MAX ? p - 1 : 7), p - 1);
		it[n++] = item(NULL, NULL, 1, 0, 0, (int64_t)(p < INT64_MAX ? p : 8), p);
		it[n++] = item(NULL, NULL, 1, 0, 0, (int64_t)(p + 1 < INT64_MAX ? p + 1 : 9), p + 1);
	}
	it[n++] = item(NULL, NULL, 1, 0, 0, 0, UINT64_MAX);
	it[n++] = item(NULL, NULL, 1, 0, 0, 0, UINT64_MAX - 1);
	it[n++] = item(NULL, NULL, 1, 0, 0, 0, 10000000000000000000u);
	it[n++] = item(NULL, NULL, 1, 0, 0, 0, 9999999999999999999u);
	check_items(it, n);
	check_each(it, n);
	free(it);
}
END_TEST

/* A string's bytes: plain ASCII, UTF-8 of 2 to 4 bytes, and everything that is escaped. */
static const char *const pieces[] = {
	"a", "casa/sala/", "temperatura", "\xc2\xb0", "\xc2\xb5g/m\xc2\xb3", "\xe2\x82\xac",
	"\xf0\x9f\x8c\xa1", "\"", "\\", "\x7f", " ", "/", "#", "[", "]", "{", "}", "\xff",
};

/* LEN random bytes at S: pieces, or any byte at all (escapes included). */
static void random_bytes(char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (rng() % 4 == 0) {
			s[i++] = (char)(rng() % 256);
			continue;
		}
		const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t m = strlen(p);

		if (m > len - i)
			m = len - i;
		memcpy(s + i, p, m);
		i += m;
	}
}

START_TEST(test_every_escape_everywhere)
{
	/*
	 * Each byte that needs an escape, and its neighbours, at every place of
	 * every 16-byte block of strings up to 48 bytes, in batches of 64.
	 */
	enum { MAX = 48, BATCH = 64 };
	struct sgw_pack_item it[BATCH];
	char text[BATCH][MAX];
	size_t n = 0;

	rng_seed(22);
	for (unsigned c = 0; c < 256; c++) {
		if (!(c < 0x21 || c == '"' || c == '\\' || c == '#' || c == '[' || c == ']' ||
		      c == 0x7f || c >= 0xfe))
			continue;
		for (size_t len = 1; len <= MAX; len++)
			for (size_t pos = 0; pos < len; pos += 1 + (len > 20) * 2) {
				memset(text[n], 'x', len);
				text[n][pos] = (char)c;
				it[n] = item(NULL, NULL, (int32_t)c, 1, 1, (int64_t)len, pos);
				it[n].topic = text[n];
				it[n].topic_len = len;
				it[n].unit = text[n] + pos;
				it[n].unit_len = len - pos;
				if (++n == BATCH) {
					check_items(it, n);
					n = 0;
				}
			}
	}
	if (n)
		check_items(it, n);
	/* Long strings: all plain, all escapes, random. */
	{
		static char big[3][5000];

		memset(big[0], 'q', sizeof(big[0]));
		memset(big[1], '\x05', sizeof(big[1]));
		random_bytes(big[2], sizeof(big[2]));
		for (size_t i = 0; i < 3; i++) {
			it[i] = item(NULL, NULL, 5, 0, 0, 6, 7);
			it[i].topic = big[i];
			it[i].topic_len = sizeof(big[i]) - i;
			it[i].unit = big[(i + 1) % 3];
			it[i].unit_len = 4000 + i;
		}
		check_items(it, 3);
	}
}
END_TEST

START_TEST(test_strings_at_page_end)
{
	/*
	 * Strings that end at the last byte before an unmapped page: the
	 * 16-byte loads must not touch it (a fault ends the test).
	 */
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sgw_pack_item it[40];
	char *end;

	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	end = map + page;
	rng_seed(23);
	random_bytes(map, (size_t)page);
	for (size_t len = 0; len < 40; len++) {
		it[len] = item(NULL, NULL, (int32_t)len, 0, 0, 0, len);
		it[len].topic = end - len;
		it[len].topic_len = len;
		it[len].unit = end - (len + 3) / 2;
		it[len].unit_len = (len + 3) / 2;
	}
	/* With escapes right before the end, and without. */
	check_items(it, 40);
	memset(end - 64, 'z', 64);
	check_items(it, 40);
	end[-1] = '"';
	end[-3] = '\n';
	check_items(it, 40);
	munmap(map, (size_t)page * 2);
}
END_TEST

START_TEST(test_random)
{
	enum { ROUNDS = 400, MAXN = 80 };
	static struct sgw_pack_item it[MAXN];
	static char text[MAXN][2][300];

	rng_seed(24);
	for (int round = 0; round < ROUNDS; round++) {
		size_t n = (size_t)(rng() % (round < 50 ? 4 : MAXN + 1));

		for (size_t i = 0; i < n; i++) {
			uint64_t r = rng();
			size_t tl = (size_t)(r % 8 == 0 ? rng() % 300 : rng() % 40);
			size_t ul = (size_t)(r % 16 == 0 ? rng() % 300 : rng() % 6);
			int32_t v;

			fill_random(&v, 1);
			random_bytes(text[i][0], tl);
			random_bytes(text[i][1], ul);
			it[i] = item(NULL, NULL, v, (unsigned)(r >> 8) % 11, (unsigned)(r >> 16) % 11,
				     (int64_t)rng() >> (rng() % 64), rng() >> (rng() % 64));
			it[i].topic = r % 7 == 0 ? NULL : text[i][0];
			it[i].topic_len = tl;
			it[i].unit = text[i][1];
			it[i].unit_len = ul;
		}
		if (round % 2)	/* sensor-like: short and clean */
			for (size_t i = 0; i < n; i++) {
				it[i].topic = "casa/sala/temperatura";
				it[i].topic_len = 21;
				it[i].unit = i % 2 ? "%" : "\xc2\xb0" "C";
				it[i].unit_len = i % 2 ? 1 : 3;
				it[i].scale = it[i].precision = 2;
				it[i].value %= 10000;
				it[i].ts_ms = 1700000000000 + round * 1000 + (int64_t)i;
				it[i].seq = (uint64_t)round * 100 + i;
			}
		check_items(it, n);
	}
}
END_TEST

/* The build tests what it claims to: the public packer is the assembly where there is one. */
START_TEST(test_dispatch)
{
#ifdef SGW_ASM_AARCH64
	ck_assert_ptr_ne((void *)sgw_pack_batch, (void *)sgw_ref_pack_batch);
#else
	ck_assert_ptr_eq((void *)sgw_pack_batch, (void *)sgw_ref_pack_batch);
#endif
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("batch packer kernel");
	TCase *tc = tcase_create("pack_batch");

	/* Under qemu and sanitizers this takes a while. */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_known);
	tcase_add_test(tc, test_shortest_and_longest);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_every_escape_everywhere);
	tcase_add_test(tc, test_strings_at_page_end);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sgw_test_run(make_suite());
}
