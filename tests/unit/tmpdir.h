/*
 * tmpdir: a scratch directory per test, removed recursively afterwards, for
 * the unit tests that touch the filesystem.  Header-only because every
 * tests/unit/test_*.c is its own binary with no shared test library.
 */
#ifndef CFS_TEST_TMPDIR_H
#define CFS_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strbuf.h"

/* Caller frees with tmpdir_remove(). */
static inline char *tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = cfs_xasprintf("%s/cfs-unit.XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

/* rm -rf that never follows symlinks, so a link to outside is removed,
 * not its target. */
static inline void tmpdir_rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *child = cfs_xasprintf("%s/%s", path, e->d_name);
		tmpdir_rm_rf(child);
		free(child);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static inline void tmpdir_remove(char *dir)
{
	tmpdir_rm_rf(dir);
	free(dir);
}

/* Number of directory entries besides "." and "..". */
static inline int tmpdir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

#endif
