/*
 * path: joining config-relative paths and proving they stay inside the
 * config directory, lexically ("..") and physically (symlinks), so that the
 * folder can be reviewed and versioned as one self-contained unit.
 */
#include "core/path.h"
#include "core/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cfs_path_join(const char *dir, const char *rel)
{
	size_t n = strlen(dir);

	if (rel[0] == '/' || n == 0)
		return cfs_xstrdup(rel);
	if (dir[n - 1] == '/')
		return cfs_xasprintf("%s%s", dir, rel);
	return cfs_xasprintf("%s/%s", dir, rel);
}

/* getcwd() into a buffer that grows until the directory name fits. */
static char *current_dir(void)
{
	size_t cap = 256;

	for (;;) {
		char *buf = cfs_xmalloc(cap);
		if (getcwd(buf, cap))
			return buf;
		int e = errno;
		free(buf);
		if (e != ERANGE) {
			errno = e;
			return NULL;
		}
		cap *= 2;
	}
}

/* Append the components of s to sb, each as "/name", dropping "." and
 * empty ones. */
static void add_components(struct cfs_sb *sb, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "/");
		if (n > 0 && !(n == 1 && s[0] == '.')) {
			cfs_sb_addc(sb, '/');
			cfs_sb_add(sb, s, n);
		}
		s += n;
		if (*s == '/')
			s++;
	}
}

char *cfs_path_absolute(const char *path)
{
	struct cfs_sb sb = CFS_SB_INIT;

	if (path[0] != '/') {
		char *cwd = current_dir();
		if (!cwd)
			return NULL;
		add_components(&sb, cwd);
		free(cwd);
	}
	add_components(&sb, path);
	if (sb.len == 0)
		cfs_sb_addc(&sb, '/');
	return cfs_sb_detach(&sb);
}

/* Whether rel's ".." components ever climb above its starting directory. */
static int climbs_out(const char *rel)
{
	long depth = 0;

	while (*rel) {
		size_t n = strcspn(rel, "/");
		if (n == 2 && rel[0] == '.' && rel[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (n > 0 && !(n == 1 && rel[0] == '.')) {
			depth++;
		}
		rel += n;
		if (*rel == '/')
			rel++;
	}
	return 0;
}

static int under(const char *real, const char *base_real)
{
	size_t n = strlen(base_real);

	/* the root contains everything; "/" + "/" would never match */
	if (!strcmp(base_real, "/"))
		return 1;
	return !strncmp(real, base_real, n) && (real[n] == '\0' || real[n] == '/');
}

/*
 * Resolve one existing prefix of the joined path.  Returns 1 if it stays
 * inside, 0 if it escapes, -1 if it cannot be seen at all (missing, a file
 * in the middle, an unsearchable directory, a name too long): nothing
 * further to check, and reading the path fails the same way, with the real
 * reason.  An entry that exists but cannot be resolved (a dangling or
 * looping symlink) fails closed: it cannot be shown to stay inside.
 */
static int prefix_inside(const char *prefix, const char *base_real)
{
	struct stat st;
	char *real = realpath(prefix, NULL);

	if (real) {
		int in = under(real, base_real);
		free(real);
		return in;
	}
	return lstat(prefix, &st) != 0 ? -1 : 0;
}

/* Walk rel component by component from base_real, as the kernel would. */
static enum cfs_path_verdict check_symlinks(const char *base_real, const char *rel)
{
	struct cfs_sb sb = CFS_SB_INIT;
	enum cfs_path_verdict v = CFS_PATH_INSIDE;

	cfs_sb_adds(&sb, base_real);
	while (*rel) {
		size_t n = strcspn(rel, "/");
		/* "." and "//" resolve to the same place as the previous prefix;
		 * ".." is kept because after a symlink it is physical. */
		if (n > 0 && !(n == 1 && rel[0] == '.')) {
			cfs_sb_addc(&sb, '/');
			cfs_sb_add(&sb, rel, n);
			int in = prefix_inside(sb.buf, base_real);
			if (in < 0)
				break;
			if (in == 0) {
				v = CFS_PATH_SYMLINK;
				break;
			}
		}
		rel += n;
		if (*rel == '/')
			rel++;
	}
	cfs_sb_release(&sb);
	return v;
}

enum cfs_path_verdict cfs_path_check(const char *base, const char *rel)
{
	if (rel[0] == '/')
		return CFS_PATH_ABSOLUTE;
	if (climbs_out(rel))
		return CFS_PATH_DOTDOT;

	char *base_real = realpath(base, NULL);
	/* No base on disk means no component under it exists either: the
	 * lexical checks above are all that can be judged. */
	if (!base_real)
		return CFS_PATH_INSIDE;
	enum cfs_path_verdict v = check_symlinks(base_real, rel);
	free(base_real);
	return v;
}

const char *cfs_path_verdict_str(enum cfs_path_verdict v)
{
	switch (v) {
	case CFS_PATH_INSIDE:
		return "it stays inside the config directory";
	case CFS_PATH_ABSOLUTE:
		return "it is absolute";
	case CFS_PATH_DOTDOT:
		return "'..' leaves the config directory";
	case CFS_PATH_SYMLINK:
		return "a symlink resolves outside the config directory";
	}
	return "unknown path verdict";
}
