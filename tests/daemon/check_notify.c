/* SPDX-License-Identifier: MIT */
/*
 * The notification protocol against datagram sockets the test binds: a
 * path and an abstract name, each message one datagram of exactly its
 * bytes with our credentials, nothing without $NOTIFY_SOCKET, names that
 * cannot be a socket refused, never a wait when the manager lags; and the
 * watchdog's timeout from $WATCHDOG_USEC and $WATCHDOG_PID.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "tests/fixtures/run.h"
#include "tests/fixtures/tmpdir.h"

static char dir[PATH_MAX];
static char sock_path[PATH_MAX + 16];

static void setup(void)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	test_mkdtemp(dir, sizeof(dir), "check_notify");
	snprintf(sock_path, sizeof(sock_path), "%s/notify", dir);
}

static void teardown(void)
{
	test_rm_tree(dir);
}

/* A receiving socket at NAME ('@': abstract), with the senders' credentials. */
static int listen_at(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int one = 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_le(len, sizeof(a.sun_path) - 1);
	memcpy(a.sun_path, name, len);
	if (name[0] == '@')
		a.sun_path[0] = '\0';
	else
		len++;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
	return fd;
}

/* The next datagram on FD (waiting up to 10 s) must be exactly WANT, from us. */
static void expect(int fd, const char *want)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[8192];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	struct ucred cred = { .pid = 0 };
	ssize_t n;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	n = recvmsg(fd, &mh, 0);
	ck_assert_int_ge(n, 0);
	ck_assert_msg((size_t)n == strlen(want) && memcmp(buf, want, (size_t)n) == 0,
		      "got %zd bytes \"%.*s\", want \"%s\"", n, (int)n, buf, want);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	/* The manager knows the sender by them: NotifyAccess=main. */
	ck_assert_int_eq(cred.pid, getpid());
}

static void expect_nothing(int fd)
{
	char c;

	ck_assert_int_eq(recv(fd, &c, 1, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

START_TEST(test_no_socket_no_notify)
{
	errno = EINVAL;
	ck_assert_ptr_null(sgw_notify_open());
	ck_assert_int_eq(errno, 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_ptr_null(sgw_notify_open());
	ck_assert_int_eq(errno, 0);
	/* The daemon calls these all the same: they do nothing. */
	ck_assert_int_eq(sgw_notify_send(NULL, "READY=1"), 0);
	ck_assert_int_eq(sgw_notify_sendf(NULL, "STATUS=%d", 1), 0);
	sgw_notify_close(NULL);
}
END_TEST

START_TEST(test_path_socket)
{
	int fd = listen_at(sock_path);
	struct sgw_notify *n;

	setenv("NOTIFY_SOCKET", sock_path, 1);
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(sgw_notify_name(n), sock_path);
	ck_assert_int_eq(sgw_notify_send(n, "READY=1\nSTATUS=connected to mqtt://h:1883"), 0);
	ck_assert_int_eq(sgw_notify_sendf(n, "RELOADING=1\nMONOTONIC_USEC=%llu", 12345678901ULL), 0);
	ck_assert_int_eq(sgw_notify_send(n, "WATCHDOG=1"), 0);
	/* One datagram each, exactly the lines given: no '\0', no newline added. */
	expect(fd, "READY=1\nSTATUS=connected to mqtt://h:1883");
	expect(fd, "RELOADING=1\nMONOTONIC_USEC=12345678901");
	expect(fd, "WATCHDOG=1");
	expect_nothing(fd);
	sgw_notify_close(n);
	close(fd);
}
END_TEST

START_TEST(test_abstract_socket)
{
	char name[64];
	struct sgw_notify *n;
	int fd;

	snprintf(name, sizeof(name), "@sensorgw/check_notify/%d", (int)getpid());
	fd = listen_at(name);
	setenv("NOTIFY_SOCKET", name, 1);
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(sgw_notify_send(n, "STOPPING=1"), 0);
	expect(fd, "STOPPING=1");
	sgw_notify_close(n);
	close(fd);

	/* Nobody at that name any more. */
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(sgw_notify_send(n, "WATCHDOG=1"), -ECONNREFUSED);
	sgw_notify_close(n);
}
END_TEST

/* The manager went away (or was never there): an error to report, no more. */
START_TEST(test_nobody_listens)
{
	struct sgw_notify *n;

	setenv("NOTIFY_SOCKET", sock_path, 1);
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(sgw_notify_send(n, "READY=1"), -ENOENT);
	/* It comes (back): the next message reaches it. */
	{
		int fd = listen_at(sock_path);

		ck_assert_int_eq(sgw_notify_send(n, "READY=1"), 0);
		expect(fd, "READY=1");
		close(fd);
	}
	sgw_notify_close(n);
}
END_TEST

/* $NOTIFY_SOCKET=NAME opened: 0, or the errno of the refusal. */
static int open_error(const char *name)
{
	struct sgw_notify *n;

	setenv("NOTIFY_SOCKET", name, 1);
	n = sgw_notify_open();
	if (!n) {
		ck_assert_int_ne(errno, 0);
		return errno;
	}
	sgw_notify_close(n);
	return 0;
}

START_TEST(test_names_refused)
{
	char name[200];

	/* Neither a path nor '@': as sd_notify(3), refused. */
	ck_assert_int_eq(open_error("run/notify"), EAFNOSUPPORT);
	ck_assert_int_eq(open_error("@"), EAFNOSUPPORT);
	ck_assert_int_eq(open_error("vsock:2:1234"), EAFNOSUPPORT);

	/* sun_path holds 108 bytes: a path's '\0' among them, an abstract name has none. */
	memset(name, 'x', sizeof(name));
	name[0] = '/';
	name[107] = '\0';
	ck_assert_int_eq(open_error(name), 0);
	name[107] = 'x';
	name[108] = '\0';
	ck_assert_int_eq(open_error(name), ENAMETOOLONG);
	name[0] = '@';
	ck_assert_int_eq(open_error(name), 0);
	name[108] = 'x';
	name[109] = '\0';
	ck_assert_int_eq(open_error(name), ENAMETOOLONG);
}
END_TEST

/* A manager that does not read: the sender gets -EAGAIN, never waits. */
START_TEST(test_never_waits)
{
	int fd = listen_at(sock_path), err = 0, sent = 0;
	struct sgw_notify *n;

	setenv("NOTIFY_SOCKET", sock_path, 1);
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	while (sent < 1000000 && (err = sgw_notify_send(n, "WATCHDOG=1")) == 0)
		sent++;
	ck_assert_int_eq(err, -EAGAIN);
	ck_assert_int_gt(sent, 0);
	expect(fd, "WATCHDOG=1");
	sgw_notify_close(n);
	close(fd);
}
END_TEST

/* The manager would drop a datagram of 4 KiB or more: refused, nothing sent. */
START_TEST(test_too_long)
{
	int fd = listen_at(sock_path);
	char big[4097];
	struct sgw_notify *n;

	setenv("NOTIFY_SOCKET", sock_path, 1);
	n = sgw_notify_open();
	ck_assert_ptr_nonnull(n);
	memset(big, 'x', sizeof(big));
	memcpy(big, "STATUS=", 7);
	big[4095] = '\0';
	ck_assert_int_eq(sgw_notify_send(n, big), 0);
	expect(fd, big);
	big[4095] = 'x';
	big[4096] = '\0';
	ck_assert_int_eq(sgw_notify_send(n, big), -EMSGSIZE);
	ck_assert_int_eq(sgw_notify_sendf(n, "%s", big), -EMSGSIZE);
	expect_nothing(fd);
	sgw_notify_close(n);
	close(fd);
}
END_TEST

START_TEST(test_watchdog_from_environment)
{
	char pid[32];

	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 30000000);
	/* Beyond 32 bits: a long timeout on a 32-bit Pi too. */
	setenv("WATCHDOG_USEC", "5000000000", 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 5000000000ULL);

	/* For this process only. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 5000000000ULL);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "", 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "self", 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");

	/* Anything but a positive decimal number: no watchdog. */
	static const char *const bad[] = {
		"0", "", "-1", "+5", " 5", "5 ", "1e6", "0x10", "30s", "99999999999999999999",
		"9223372036854776",	/* in ns beyond INT64_MAX */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("WATCHDOG_USEC", bad[i], 1);
		ck_assert_msg(sgw_notify_watchdog_usec() == 0, "WATCHDOG_USEC=\"%s\" taken", bad[i]);
	}
	setenv("WATCHDOG_USEC", "9223372036854775", 1);
	ck_assert_uint_eq(sgw_notify_watchdog_usec(), 9223372036854775ULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_socket_no_notify);
	tcase_add_test(tc, test_path_socket);
	tcase_add_test(tc, test_abstract_socket);
	tcase_add_test(tc, test_nobody_listens);
	tcase_add_test(tc, test_names_refused);
	tcase_add_test(tc, test_never_waits);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_watchdog_from_environment);
	suite_add_tcase(s, tc);
	return sgw_test_run(s);
}
