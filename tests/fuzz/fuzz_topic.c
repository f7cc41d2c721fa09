/* SPDX-License-Identifier: MIT */
/*
 * Topic templates and topic checks against a reference written here from
 * topic.h's words: the same result, the same expansion, the same verdict.
 *
 * Input: one byte whose low four bits say which variables are available
 * (prefix, gateway, sensor, quantity), then NUL-separated strings: the
 * template and the values of the four variables (missing ones are "").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "message/topic.h"
#include "tests/fuzz/fuzz.h"

const char *const fuzz_corpus[] = { NULL };

static void seed(fuzz_emit_fn *emit, void *arg, uint8_t mask, const char *tmpl,
		 const char *prefix)
{
	struct fuzz_out o = { 0 };

	fuzz_put_u8(&o, mask);
	fuzz_put(&o, tmpl, strlen(tmpl) + 1);
	fuzz_put(&o, prefix, strlen(prefix) + 1);
	fuzz_put(&o, "sala-pi", 8);
	fuzz_put(&o, "Sala", 5);
	fuzz_put(&o, "temperature", 11);
	fuzz_out_emit(&o, emit, arg);
	fuzz_out_free(&o);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	seed(emit, arg, 0xf, "{prefix}/{gateway}/{sensor}/{quantity}", "casa");
	seed(emit, arg, 0x3, "gw-{prefix}-{gateway}", "casa");
	seed(emit, arg, 0x3, "gw-{sensor}", "casa");
	seed(emit, arg, 0xf, "a}b//{quantity}{quantity}", "casa");
	seed(emit, arg, 0xf, "{prefix", "casa");
	seed(emit, arg, 0xf, "{prefixx}", "casa");
	seed(emit, arg, 0xf, "{prefix}/x", "$SYS");
	/* AWS IoT Basic Ingest: the one '$' topic allowed, and near misses. */
	seed(emit, arg, 0xf, "$aws/rules/readings_1/{prefix}/{sensor}", "casa");
	seed(emit, arg, 0xf, "$aws/rules/ws/r", "casa");
	seed(emit, arg, 0xf, "$aws/rules/bad-rule/x", "casa");
	seed(emit, arg, 0xf, "$aws/rules/rule/", "casa");
	seed(emit, arg, 0xf, "$aws/rules//x", "casa");
	seed(emit, arg, 0xf, "casa/+/#", "casa");
	seed(emit, arg, 0xf, "casa/sala/\xc2\xb0" "C/\xf0\x9f\x8c\xa1", "casa");
	seed(emit, arg, 0xf, "bad/\xc0\xaf/\xed\xa0\x80/\x7f/\xc2\x85", "casa");
	seed(emit, arg, 0xf, "", "");
}

/* ---------------------------------------------------------- the reference */

/* The length of a valid UTF-8 sequence at S (RFC 3629), or 0. */
static size_t ref_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * AWS IoT Basic Ingest, "$aws/rules/RULE/REST": RULE of 1..128 characters of
 * A-Z a-z 0-9 _, REST not empty.  The length of the prefix, or 0.
 */
static size_t ref_basic_ingest(const char *t)
{
	static const char head[] = "$aws/rules/";
	size_t n = sizeof(head) - 1, rule;

	if (strncmp(t, head, n) != 0)
		return 0;
	rule = strspn(t + n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (rule < 1 || rule > 128 || t[n + rule] != '/' || !t[n + rule + 1])
		return 0;
	return n + rule + 1;
}

static bool ref_valid(const char *t)
{
	size_t len = strlen(t);

	if (len == 0 || len > SGW_TOPIC_MAX || (t[0] == '$' && !ref_basic_ingest(t)))
		return false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ref_utf8((const unsigned char *)t + i, len - i, &cp);

		if (!n || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == '+' || cp == '#')
			return false;
		i += n;
	}
	return true;
}

/*
 * Expand TMPL into OUT (SGW_TOPIC_MAX + 1 bytes) as topic.h says, left to
 * right: the first problem met decides.
 */
static int ref_expand(const char *tmpl, const char *const val[4], char *out)
{
	static const char *const names[4] = { "prefix", "gateway", "sensor", "quantity" };
	size_t len = 0;

	for (const char *p = tmpl; *p;) {
		const char *add = p, *close;
		size_t n = 1;

		if (*p == '{') {
			int v = -1;

			close = strchr(p, '}');
			if (!close)
				return -EINVAL;
			for (int i = 0; i < 4; i++)
				if ((size_t)(close - p - 1) == strlen(names[i]) &&
				    !memcmp(p + 1, names[i], strlen(names[i])))
					v = i;
			if (v < 0 || !val[v])
				return -EINVAL;
			add = val[v];
			n = strlen(add);
			p = close + 1;
		} else {
			p++;
		}
		if (len + n > SGW_TOPIC_MAX)
			return -E2BIG;
		memcpy(out + len, add, n);
		len += n;
	}
	out[len] = '\0';
	return 0;
}

/* ---------------------------------------------------------- the target */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char want[SGW_TOPIC_MAX + 1];
	const char *s[5] = { "", "", "", "", "" };
	char *buf = malloc(size + 1), *p, *out = (char *)1;
	const char *val[4], *why = NULL, *v1, *v2;
	struct sgw_topic_vars vars;
	uint8_t mask;
	int ret, ref;

	FUZZ_CHECK(buf, "out of memory");
	if (size)
		memcpy(buf, data, size);
	buf[size] = '\0';
	mask = size ? (uint8_t)buf[0] : 0;
	p = size ? buf + 1 : buf;
	for (int i = 0; i < 5 && p <= buf + size; i++) {
		s[i] = p;
		p += strlen(p) + 1;
	}
	for (int i = 0; i < 4; i++)
		val[i] = mask & (1u << i) ? s[1 + i] : NULL;
	vars = (struct sgw_topic_vars){ val[0], val[1], val[2], val[3] };

	ret = sgw_topic_expand(s[0], &vars, &out, &why);
	ref = ref_expand(s[0], val, want);
	FUZZ_CHECK(ret == ref, "expand \"%.60s\": %d, reference %d", s[0], ret, ref);
	if (ret == 0) {
		FUZZ_CHECK(out && !strcmp(out, want), "expand \"%.60s\": \"%.60s\", reference \"%.60s\"",
			   s[0], out ? out : "(null)", want);
		v1 = sgw_topic_validate(out);
		FUZZ_CHECK(!v1 == ref_valid(out), "validate \"%.60s\": %s", out, v1 ? v1 : "valid");
		free(out);
	} else {
		FUZZ_CHECK(!out && why && *why, "expand failed without a reason or left *out");
	}
	v2 = sgw_topic_validate(s[0]);
	FUZZ_CHECK(!v2 == ref_valid(s[0]), "validate \"%.60s\": %s", s[0], v2 ? v2 : "valid");
	FUZZ_CHECK(sgw_topic_basic_ingest(s[0]) == ref_basic_ingest(s[0]),
		   "basic ingest \"%.60s\": %zu, reference %zu", s[0], sgw_topic_basic_ingest(s[0]),
		   ref_basic_ingest(s[0]));
	free(buf);
	return 0;
}
