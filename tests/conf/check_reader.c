/* SPDX-License-Identifier: MIT */
/*
 * The reading pass: sections and their keys with their lines, and every
 * line the reader refuses, reported as "FILE:LINE: message" (the loader's
 * tests, tests/load, see the same through whole files).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reader.h"
#include "tests/fixtures/run.h"

struct read {
	int ret;
	struct sgw_diag d;
	struct sgw_ini ini;
	char *text;		/* everything reported */
	size_t len;
};

/* Read IN as the file "t.ini", with ERRORS0 errors already counted. */
static void read_stream(struct read *r, FILE *in, int errors0)
{
	memset(r, 0, sizeof(*r));
	r->d.file = "t.ini";
	r->d.errors = errors0;
	r->d.out = open_memstream(&r->text, &r->len);
	ck_assert_ptr_nonnull(r->d.out);
	r->ret = sgw_ini_read(in, &r->d, &r->ini);
	fclose(r->d.out);
	r->d.out = NULL;
}

/* Read LEN bytes of TEXT as the file "t.ini". */
static void read_mem(struct read *r, const char *text, size_t len)
{
	FILE *in = fmemopen((void *)text, len, "r");

	ck_assert_ptr_nonnull(in);
	read_stream(r, in, 0);
	fclose(in);
}

static void read_str(struct read *r, const char *text)
{
	read_mem(r, text, strlen(text));
}

static void read_done(struct read *r)
{
	sgw_ini_free(&r->ini);
	ck_assert_ptr_null(r->ini.sections);
	free(r->text);
}

static void assert_key(const struct sgw_opt *o, const char *key, const char *value, int line)
{
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->key, key);
	ck_assert_str_eq(o->value, value);
	ck_assert_int_eq(o->line, line);
	ck_assert(!o->used);
}

START_TEST(test_sections_and_keys)
{
	static const char text[] =
		"; a comment\n"				/* 1 */
		"[gateway]\n"
		"name = sala\n"
		"  topic_prefix=casa;sala   \n"		/* ';' without a blank: data */
		"format = json ; inline comment\n"	/* 5 */
		"\n"
		"[mqtt]\n"
		"uri = mqtt://h\n"
		"[ mqtt   b ]\n"
		"uri = mqtt://b\n"			/* 10 */
		"# another comment\n"
		"[queue]\n"
		"[sensor s-1.x_y]\n"
		"driver = sim\n"
		"topic.temperature = a/{quantity}\n";	/* 15 */
	struct sgw_section *s;
	struct read r;
	char label[SGW_SECTION_LABEL_MAX];

	read_str(&r, text);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_msg(r.d.errors == 0, "%s", r.text);
	ck_assert_str_eq(r.text, "");
	ck_assert(r.ini.content);
	ck_assert(!r.ini.stopped);
	ck_assert_int_eq(r.ini.bad_headers, 0);
	ck_assert_uint_eq(r.ini.nuplinks, 2);
	ck_assert_uint_eq(r.ini.nsensors, 1);

	s = r.ini.sections;
	ck_assert_int_eq(s->kind, SGW_SECTION_GATEWAY);
	ck_assert_ptr_null(s->name);
	ck_assert_int_eq(s->line, 2);
	ck_assert_str_eq(sgw_section_label(s, label, sizeof(label)), "[gateway]");
	assert_key(s->keys, "name", "sala", 3);
	assert_key(s->keys->next, "topic_prefix", "casa;sala", 4);
	assert_key(s->keys->next->next, "format", "json", 5);
	ck_assert_ptr_null(s->keys->next->next->next);

	s = s->next;
	ck_assert_int_eq(s->kind, SGW_SECTION_MQTT);
	ck_assert_ptr_null(s->name);
	ck_assert_int_eq(s->line, 7);
	ck_assert_str_eq(sgw_section_label(s, label, sizeof(label)), "[mqtt]");
	assert_key(s->keys, "uri", "mqtt://h", 8);
	ck_assert_ptr_null(s->keys->next);

	s = s->next;
	ck_assert_int_eq(s->kind, SGW_SECTION_MQTT);
	ck_assert_str_eq(s->name, "b");
	ck_assert_int_eq(s->line, 9);
	ck_assert_str_eq(sgw_section_label(s, label, sizeof(label)), "[mqtt b]");
	assert_key(s->keys, "uri", "mqtt://b", 10);

	s = s->next;
	ck_assert_int_eq(s->kind, SGW_SECTION_QUEUE);
	ck_assert_int_eq(s->line, 12);
	ck_assert_ptr_null(s->keys);
	ck_assert_str_eq(sgw_section_label(s, label, sizeof(label)), "[queue]");

	s = s->next;
	ck_assert_int_eq(s->kind, SGW_SECTION_SENSOR);
	ck_assert_str_eq(s->name, "s-1.x_y");
	ck_assert_int_eq(s->line, 13);
	ck_assert_str_eq(sgw_section_label(s, label, sizeof(label)), "[sensor s-1.x_y]");
	assert_key(s->keys, "driver", "sim", 14);
	assert_key(s->keys->next, "topic.temperature", "a/{quantity}", 15);
	ck_assert_ptr_null(s->next);

	ck_assert_ptr_eq(sgw_ini_section(&r.ini, SGW_SECTION_MQTT, NULL), r.ini.sections->next);
	ck_assert_ptr_eq(sgw_ini_section(&r.ini, SGW_SECTION_MQTT, "b"), r.ini.sections->next->next);
	ck_assert_ptr_eq(sgw_ini_section(&r.ini, SGW_SECTION_SENSOR, "s-1.x_y"), s);
	ck_assert_ptr_null(sgw_ini_section(&r.ini, SGW_SECTION_SENSOR, "S-1.x_y"));
	ck_assert_ptr_null(sgw_ini_section(&r.ini, SGW_SECTION_SENSOR, NULL));
	ck_assert_ptr_null(sgw_ini_section(&r.ini, SGW_SECTION_MQTT, "c"));
	read_done(&r);
}
END_TEST

/* A byte order mark and CRLF line ends are taken as they come from Windows. */
START_TEST(test_bom_crlf)
{
	struct read r;

	read_str(&r, "\xef\xbb\xbf[gateway]\r\nname = x\r\n\r\n[sensor a]\r\n");
	ck_assert_int_eq(r.ret, 0);
	ck_assert_msg(r.d.errors == 0, "%s", r.text);
	ck_assert_int_eq(r.ini.sections->line, 1);
	assert_key(r.ini.sections->keys, "name", "x", 2);
	ck_assert_int_eq(r.ini.sections->next->line, 4);
	read_done(&r);
}
END_TEST

/* Nothing but comments and blank lines: no content, and no error yet. */
START_TEST(test_empty)
{
	struct read r;

	read_str(&r, "");
	ck_assert_int_eq(r.ret, 0);
	ck_assert(!r.ini.content);
	ck_assert_ptr_null(r.ini.sections);
	read_done(&r);

	read_str(&r, "; nothing\n\n   \n# here\n");
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.d.errors, 0);
	ck_assert(!r.ini.content);
	read_done(&r);
}
END_TEST

/*
 * Refused headers: one message each, the keys after them dropped quietly
 * (they would only repeat the error), the sections before them kept.
 */
START_TEST(test_bad_headers)
{
	static const char text[] =
		"[gateway]\n"				/* 1 */
		"name = a\n"
		"[gateway]\n"
		"name = b\n"
		"[gateway x]\n"				/* 5 */
		"[queue x]\n"
		"[sensor]\n"
		"[sensors s]\n"
		"[sensor a b]\n"
		"[sensor s] x\n"			/* 10 */
		"[sensor s\n"
		"driver = sim\n"
		"[sensor s] ; fine\n"
		"driver = sim\n"
		"[sensor s]\n"				/* 15 */
		"[mqtt]\n"
		"[mqtt]\n"
		"[mqtt 1]\n"
		"[mqtt 2]\n"
		"[mqtt 3]\n"				/* 20 */
		"[mqtt 3]\n"
		"[mqtt 4]\n";
	struct read r;

	read_str(&r, text);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.text,
			 "t.ini:3: duplicate section [gateway] (first at line 1)\n"
			 "t.ini:5: [gateway] takes no name\n"
			 "t.ini:6: [queue] takes no name\n"
			 "t.ini:7: sensor section without a name: use [sensor NAME]\n"
			 "t.ini:8: unknown section [sensors s] (expected [gateway], [mqtt], [mqtt NAME], [queue], [sensor NAME] or [actuator NAME])\n"
			 "t.ini:9: [sensor a b]: bad name (1..64 characters of A-Z a-z 0-9 . _ -)\n"
			 "t.ini:10: text after the section header: \"x\"\n"
			 "t.ini:11: section header without ']'\n"
			 "t.ini:15: duplicate sensor name \"s\" (first at line 13)\n"
			 "t.ini:17: duplicate section [mqtt] (first at line 16)\n"
			 "t.ini:21: duplicate section [mqtt 3] (first at line 20)\n"
			 "t.ini:22: too many [mqtt] sections (at most 4)\n");
	ck_assert_int_eq(r.d.errors, 12);
	ck_assert_int_eq(r.ini.bad_headers, 12);
	ck_assert_uint_eq(r.ini.nuplinks, 4);
	ck_assert_uint_eq(r.ini.nsensors, 1);
	/* the first [gateway] keeps its key; "name = b" went nowhere */
	assert_key(r.ini.sections->keys, "name", "a", 2);
	ck_assert_ptr_null(r.ini.sections->keys->next);
	assert_key(sgw_ini_section(&r.ini, SGW_SECTION_SENSOR, "s")->keys, "driver", "sim", 14);
	read_done(&r);
}
END_TEST

/* Refused lines: one message each, the line dropped, the rest still read. */
START_TEST(test_bad_lines)
{
	static const char text[] =
		"name = early\n"			/* 1 */
		"[gateway]\n"
		"name\n"
		"name: x\n"
		"= x\n"					/* 5 */
		"na me = x\n"
		"name = \x1b[1m\n"
		"name = \xc3\x28\n"
		"name = a\0b\n"
		"name = ok\n"				/* 10 */
		"name = again\n"
		"format = plain\n";
	struct read r;

	read_mem(&r, text, sizeof(text) - 1);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.text,
			 "t.ini:1: key \"name\" outside any section\n"
			 "t.ini:3: expected \"key = value\"\n"
			 "t.ini:4: expected \"key = value\" (':' is not a separator)\n"
			 "t.ini:5: key missing before '='\n"
			 "t.ini:6: bad key name \"na me\"\n"
			 "t.ini:7: control character 0x1b in line\n"
			 "t.ini:8: invalid UTF-8 in line\n"
			 "t.ini:9: NUL byte in line: not a text file?\n"
			 "t.ini:11: [gateway] duplicate key \"name\" (first at line 10)\n");
	ck_assert_int_eq(r.d.errors, 9);
	ck_assert_int_eq(r.ini.bad_headers, 0);
	assert_key(r.ini.sections->keys, "name", "ok", 10);
	assert_key(r.ini.sections->keys->next, "format", "plain", 12);
	ck_assert_ptr_null(r.ini.sections->keys->next->next);
	read_done(&r);
}
END_TEST

/* A line of SGW_INI_LINE_MAX bytes is read; one more byte is refused. */
START_TEST(test_line_length)
{
	static const char key[] = "name = ";
	size_t n = SGW_INI_LINE_MAX - strlen(key);
	char *text = malloc(2 * SGW_INI_LINE_MAX + 64), *p;
	struct read r;

	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "[gateway]\n%s", key);
	memset(p, 'v', n);
	p += n;
	p += sprintf(p, "\nformat = ");
	memset(p, 'v', n - 2);		/* "format" is 2 bytes longer than "name" */
	p += n - 2;
	p += sprintf(p, "v\n");
	read_mem(&r, text, (size_t)(p - text));
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.text, "t.ini:3: line too long (4097 bytes, at most 4096)\n");
	ck_assert_uint_eq(strlen(r.ini.sections->keys->value), n);
	ck_assert_ptr_null(r.ini.sections->keys->next);
	read_done(&r);
	free(text);
}
END_TEST

/* SGW_SECTION_KEYS_MAX keys in a section, SGW_MAX_SENSORS sensors: no more. */
START_TEST(test_counts)
{
	size_t cap = (SGW_MAX_SENSORS + 2) * 32 + (SGW_SECTION_KEYS_MAX + 2) * 32, n = 0;
	char *text = malloc(cap);
	struct read r;

	ck_assert_ptr_nonnull(text);
	n += (size_t)sprintf(text + n, "[gateway]\n");
	for (int i = 0; i <= SGW_SECTION_KEYS_MAX; i++)
		n += (size_t)sprintf(text + n, "k%d = %d\n", i, i);
	for (int i = 0; i <= SGW_MAX_SENSORS; i++)
		n += (size_t)sprintf(text + n, "[sensor s%d]\n", i);
	ck_assert_uint_lt(n, cap);
	read_mem(&r, text, n);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_str_eq(r.text,
			 "t.ini:258: [gateway] too many keys (at most 256)\n"
			 "t.ini:515: too many sensors (at most 256)\n");
	ck_assert_uint_eq(r.ini.nsensors, SGW_MAX_SENSORS);
	read_done(&r);
	free(text);
}
END_TEST

/* After 100 errors reading stops: a binary file must not flood the log. */
START_TEST(test_error_limit)
{
	size_t n = 0, cap = 1000 * 8;
	char *text = malloc(cap);
	struct read r;
	FILE *in;

	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(text + n, "x y z\n");
	read_mem(&r, text, n);
	ck_assert_int_eq(r.ret, 0);
	ck_assert(r.ini.stopped);
	ck_assert_int_eq(r.d.errors, 101);
	ck_assert_ptr_nonnull(strstr(r.text, "t.ini:100: expected \"key = value\"\n"
					     "t.ini:101: too many errors, giving up\n"));
	ck_assert_ptr_null(strstr(r.text, "t.ini:102:"));
	read_done(&r);

	/* Errors counted before the reader started are not its own. */
	in = fmemopen(text, 99 * 6, "r");
	ck_assert_ptr_nonnull(in);
	read_stream(&r, in, 50);
	fclose(in);
	ck_assert(!r.ini.stopped);
	ck_assert_int_eq(r.d.errors, 50 + 99);
	read_done(&r);
	free(text);
}
END_TEST

/*
 * TEXT (CAP bytes of room): "[gateway]", a key, then comment lines up to
 * exactly LEN bytes.  Returns the number of lines.
 */
static int comment_file(char *text, size_t len)
{
	size_t n = (size_t)sprintf(text, "[gateway]\nname = big\n");
	int lines = 2;

	while (n < len) {
		size_t k = len - n > 64 ? 64 : len - n;

		memset(text + n, ';', k - 1);
		text[n + k - 1] = '\n';
		n += k;
		lines++;
	}
	return lines;
}

/* A file of SGW_INI_FILE_MAX bytes is read; one byte more is refused at its line. */
START_TEST(test_file_limit)
{
	char *text = malloc(SGW_INI_FILE_MAX + 64);
	struct read r;
	int lines;

	ck_assert_ptr_nonnull(text);
	lines = comment_file(text, SGW_INI_FILE_MAX);
	read_mem(&r, text, SGW_INI_FILE_MAX);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.d.errors, 0);
	ck_assert(!r.ini.stopped);
	assert_key(r.ini.sections->keys, "name", "big", 2);
	read_done(&r);

	/* One more line of one byte: the limit is passed on it. */
	text[SGW_INI_FILE_MAX] = '\n';
	read_mem(&r, text, SGW_INI_FILE_MAX + 1);
	ck_assert_int_eq(r.ret, 0);
	ck_assert(r.ini.stopped);
	ck_assert_int_eq(r.d.errors, 1);
	{
		char want[128];

		snprintf(want, sizeof(want),
			 "t.ini:%d: file too large (more than 1048576 bytes): not a configuration file?\n",
			 lines + 1);
		ck_assert_str_eq(r.text, want);
	}
	read_done(&r);
	free(text);
}
END_TEST

/* A stream that never ends, as /dev/zero through a pipe would be. */
static ssize_t zeros_read(void *cookie, char *buf, size_t size)
{
	*(size_t *)cookie += size;
	memset(buf, 0, size);
	return (ssize_t)size;
}

START_TEST(test_endless_stream)
{
	cookie_io_functions_t io = { .read = zeros_read };
	size_t given = 0;
	struct read r;
	FILE *in = fopencookie(&given, "r", io);

	ck_assert_ptr_nonnull(in);
	read_stream(&r, in, 0);
	fclose(in);
	ck_assert_int_eq(r.ret, 0);
	ck_assert(r.ini.stopped);
	ck_assert_str_eq(r.text,
			 "t.ini:1: file too large (more than 1048576 bytes): not a configuration file?\n");
	/* It stopped there: at most stdio's read-ahead past the limit. */
	ck_assert_uint_gt(given, SGW_INI_FILE_MAX);
	ck_assert_uint_le(given, SGW_INI_FILE_MAX + 65536);
	read_done(&r);
}
END_TEST

/* A file that cannot be read: the error is told and returned. */
START_TEST(test_read_error)
{
	struct read r;
	FILE *dir = fopen("/", "r");

	ck_assert_ptr_nonnull(dir);
	read_stream(&r, dir, 0);
	fclose(dir);
	ck_assert_int_eq(r.ret, -EISDIR);
	ck_assert_int_eq(r.d.errors, 1);
	ck_assert_str_eq(r.text, "t.ini: read error: Is a directory\n");
	read_done(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, test_sections_and_keys);
	tcase_add_test(tc, test_bom_crlf);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_bad_headers);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_line_length);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_error_limit);
	tcase_add_test(tc, test_file_limit);
	tcase_add_test(tc, test_endless_stream);
	tcase_add_test(tc, test_read_error);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
