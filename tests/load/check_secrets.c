/* SPDX-License-Identifier: MIT */
/*
 * The files an uplink reads: a password or TLS key file that every user
 * may read loads with a warning that names the file, its mode and the fix;
 * a private one (or a link to one) loads quietly; a FIFO, a directory, a
 * device or a socket is refused with what it is, at once.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/fixtures/load_fixture.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"

static char dir[PATH_MAX];
static char password[PATH_MAX + 32], ca[PATH_MAX + 32], cert[PATH_MAX + 32], key[PATH_MAX + 32];
static char ini[PATH_MAX + 32];

static void make_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* A private password, public certificates, a private key: what a good setup has. */
static void setup(void)
{
	test_mkdtemp(dir, sizeof(dir), "check_secrets");
	snprintf(password, sizeof(password), "%s/password", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/client.crt", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	snprintf(ini, sizeof(ini), "%s/secrets.ini", dir);
	make_file(password, "secret\n", 0640);
	make_file(ca, "-----BEGIN CERTIFICATE-----\n", 0644);
	make_file(cert, "-----BEGIN CERTIFICATE-----\n", 0644);
	make_file(key, "-----BEGIN PRIVATE KEY-----\n", 0600);
}

static void teardown(void)
{
	test_rm_tree(dir);
}

/* password_file is on line 6, ca_file 10, cert_file 11, key_file 12. */
static void write_ini(const char *pw, const char *ca_file, const char *cert_file,
		      const char *key_file)
{
	FILE *f = fopen(ini, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[gateway]\nname = test\n"
		   "[mqtt]\nuri = mqtt://localhost\nusername = u\npassword_file = %s\n"
		   "[mqtt tls]\nuri = mqtts://localhost\nclient_id = tls\n"
		   "ca_file = %s\ncert_file = %s\nkey_file = %s\n"
		   "[sensor s]\ndriver = sim\n", pw, ca_file, cert_file, key_file);
	ck_assert_int_eq(fclose(f), 0);
}

static void assert_loaded(const struct load *r, int warnings)
{
	ck_assert_msg(r->ret == 0 && r->diag.errors == 0, "ret %d, %d errors:\n%s", r->ret,
		      r->diag.errors, r->text);
	ck_assert_msg(r->diag.warnings == warnings, "%d warnings, want %d:\n%s", r->diag.warnings,
		      warnings, r->text);
}

START_TEST(test_private_files_quiet)
{
	char link[PATH_MAX + 32];
	struct load r;

	/* A link is as private as what it points at, whatever its own mode. */
	snprintf(link, sizeof(link), "%s/password.link", dir);
	ck_assert_int_eq(symlink(password, link), 0);
	write_ini(link, ca, cert, key);
	load(ini, &r);
	assert_loaded(&r, 0);
	ck_assert_str_eq(r.cfg->uplinks[0].password, "secret");
	ck_assert_str_eq(r.cfg->uplinks[1].key_file, key);
	load_done(&r);
}
END_TEST

START_TEST(test_public_secrets_warned)
{
	struct load r;

	ck_assert_int_eq(chmod(password, 0644), 0);
	ck_assert_int_eq(chmod(key, 0604), 0);
	write_ini(password, ca, cert, key);
	load(ini, &r);
	assert_loaded(&r, 2);	/* the public certificates are no secret */
	assert_reported(&r, "secrets.ini:6: warning: ", "[mqtt] password_file: \"");
	assert_reported(&r, "secrets.ini:6: warning: ", "/password\" is readable by every user (mode 0644)");
	assert_reported(&r, "secrets.ini:6: warning: ", "chmod 0640 and chown root:sensorgw");
	assert_reported(&r, "secrets.ini:12: warning: ", "[mqtt tls] key_file: \"");
	assert_reported(&r, "secrets.ini:12: warning: ", "/client.key\" is readable by every user (mode 0604)");
	assert_reported(&r, "secrets.ini:12: warning: ", "chmod 0640");
	/* Loaded all the same: a setup that ran before keeps running. */
	ck_assert_str_eq(r.cfg->uplinks[0].password, "secret");
	load_done(&r);

	/* Readable by its group only: quiet. */
	ck_assert_int_eq(chmod(password, 0640), 0);
	ck_assert_int_eq(chmod(key, 0640), 0);
	load(ini, &r);
	assert_loaded(&r, 0);
	load_done(&r);
}
END_TEST

/* A socket file bound at PATH; its fd (kept open while the test runs). */
static int bind_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/*
 * A FIFO with no writer would block open() for good: refused without
 * waiting (the test's timeout catches a hang), as are the others.
 */
START_TEST(test_not_regular_refused)
{
	char fifo[PATH_MAX + 32], sock[PATH_MAX + 32];
	struct load r;
	int sfd;

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	sfd = bind_socket(sock);
	write_ini(fifo, dir, sock, "/dev/null");
	load(ini, &r);
	assert_refused(&r, "secrets.ini");
	ck_assert_int_eq(r.diag.errors, 4);
	assert_reported(&r, "secrets.ini:6: ", "[mqtt] password_file: cannot read \"");
	assert_reported(&r, "secrets.ini:6: ", "/fifo\": it is a FIFO, not a regular file");
	assert_reported(&r, "secrets.ini:10: ", "ca_file: cannot read \"");
	assert_reported(&r, "secrets.ini:10: ", "\": it is a directory, not a regular file");
	assert_reported(&r, "secrets.ini:11: ", "/sock\": it is a socket, not a regular file");
	assert_reported(&r, "secrets.ini:12: ", "[mqtt tls] key_file: cannot read \"/dev/null\": it is a character device, not a regular file");
	load_done(&r);
	close(sfd);

	/* The key as a FIFO too: the same, for the other path through the loader. */
	write_ini(password, ca, cert, fifo);
	load(ini, &r);
	assert_refused(&r, "secrets.ini");
	ck_assert_int_eq(r.diag.errors, 1);
	assert_reported(&r, "secrets.ini:12: ", "/fifo\": it is a FIFO, not a regular file");
	load_done(&r);
}
END_TEST

START_TEST(test_missing_named)
{
	char gone[PATH_MAX + 32];
	struct load r;

	snprintf(gone, sizeof(gone), "%s/gone.key", dir);
	write_ini(password, ca, cert, gone);
	load(ini, &r);
	assert_refused(&r, "secrets.ini");
	assert_reported(&r, "secrets.ini:12: ", "/gone.key\": No such file or directory");
	load_done(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load-secrets");
	TCase *tc = tcase_create("secrets");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_private_files_quiet);
	tcase_add_test(tc, test_public_secrets_warned);
	tcase_add_test(tc, test_not_regular_refused);
	tcase_add_test(tc, test_missing_named);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
