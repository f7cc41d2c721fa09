/* SPDX-License-Identifier: MIT */
#include "tmpdir.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void test_mkdtemp(char *buf, size_t cap, const char *prefix)
{
	const char *t = getenv("TMPDIR");
	int n = snprintf(buf, cap, "%s/%s.XXXXXX", t && *t ? t : "/tmp", prefix);

	ck_assert(n > 0 && (size_t)n < cap);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

void test_rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			test_rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}
