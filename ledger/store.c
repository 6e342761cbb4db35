/*
 * store (local directory backend): each key is a file under the root, each
 * '/' a directory.  Writes go through core/fsutil's durable primitives so a
 * crash leaves an object either absent, old or new, never torn; directories
 * are an artefact of this backend and appear on demand.
 */
#include "ledger/store.h"
#include "core/fsutil.h"
#include "core/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_MODE 0755

struct cfs_store {
	char *root;   /* no trailing '/', except for "/" itself */
};

int cfs_store_open_local(const char *root, struct cfs_store **out)
{
	size_t n;
	struct cfs_store *s;

	*out = NULL;
	if (!root || !*root) {
		errno = EINVAL;
		return -1;
	}
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	s = cfs_xcalloc(1, sizeof(*s));
	s->root = cfs_xstrndup(root, n);
	*out = s;
	return 0;
}

void cfs_store_close(struct cfs_store *s)
{
	if (!s)
		return;
	free(s->root);
	free(s);
}

const char *cfs_store_root(const struct cfs_store *s)
{
	return s->root;
}

/*
 * A key is one or more '/'-separated components, none empty, "." or "..",
 * and none starting with '.': dot names are where fsutil puts its temp
 * files, so keeping them out of the key space means a key can never
 * collide with a temp file and every stored key shows up in a listing.
 */
static int key_valid(const char *key)
{
	const char *p = key;

	if (!*p)
		return 0;
	for (;;) {
		size_t len = strcspn(p, "/");

		if (len == 0 || p[0] == '.')
			return 0;
		if (!p[len])
			return 1;
		p += len + 1;
	}
}

/* root/key, or NULL with EINVAL for a key key_valid() refuses.  Caller frees. */
static char *key_path(const struct cfs_store *s, const char *key)
{
	if (!key || !key_valid(key)) {
		errno = EINVAL;
		return NULL;
	}
	if (!strcmp(s->root, "/"))
		return cfs_xasprintf("/%s", key);
	return cfs_xasprintf("%s/%s", s->root, key);
}

/* A directory or a path through a file is not an object, as on S3 where
 * neither "dir" nor "file/x" would exist as a key. */
static void not_an_object_is_enoent(void)
{
	if (errno == EISDIR || errno == ENOTDIR)
		errno = ENOENT;
}

int cfs_store_get(struct cfs_store *s, const char *key, char **data, size_t *len)
{
	char *path = key_path(s, key);
	int rc, e;

	*data = NULL;
	if (!path)
		return -1;
	rc = cfs_read_file(path, data, len);
	if (rc != 0)
		not_an_object_is_enoent();
	e = errno;
	free(path);
	errno = e;
	return rc;
}

typedef int (*write_fn)(const char *path, const void *data, size_t len);

/* Create the directories above path: the parent of the file only, so that
 * a key whose component is an existing file fails with ENOTDIR. */
static int make_parents(const char *path)
{
	char *parent = cfs_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	int rc = cfs_mkdirs(*parent ? parent : "/", DIR_MODE);
	int e = errno;

	free(parent);
	errno = e;
	return rc;
}

/*
 * Write with fn, creating the parent directories only when the first try
 * says they are missing: the common case (parents exist) costs no extra
 * syscalls.
 */
static int write_key(struct cfs_store *s, const char *key, const void *data,
		     size_t len, write_fn fn)
{
	char *path = key_path(s, key);
	int rc, e;

	if (!path)
		return -1;
	rc = fn(path, data, len);
	if (rc != 0 && errno == ENOENT) {
		rc = make_parents(path);
		if (rc == 0)
			rc = fn(path, data, len);
	}
	e = errno;
	free(path);
	errno = e;
	return rc;
}

int cfs_store_put(struct cfs_store *s, const char *key, const void *data, size_t len)
{
	return write_key(s, key, data, len, cfs_write_atomic);
}

int cfs_store_put_new(struct cfs_store *s, const char *key, const void *data, size_t len)
{
	return write_key(s, key, data, len, cfs_create_excl);
}

int cfs_store_exists(struct cfs_store *s, const char *key)
{
	char *path = key_path(s, key);
	struct stat st;
	int rc = 0, e;

	if (!path)
		return -1;
	if (stat(path, &st) != 0) {
		not_an_object_is_enoent();
		rc = -1;
	} else if (S_ISDIR(st.st_mode)) {
		errno = ENOENT;
		rc = -1;
	}
	e = errno;
	free(path);
	errno = e;
	return rc;
}

int cfs_store_delete(struct cfs_store *s, const char *key)
{
	char *path = key_path(s, key);
	int rc, e;

	if (!path)
		return -1;
	rc = unlink(path);
	if (rc != 0)
		not_an_object_is_enoent();
	else
		rc = cfs_fsync_dir(path);   /* path is gone: fsyncs its parent */
	e = errno;
	free(path);
	errno = e;
	return rc;
}

/* The directory a prefix names: "" is the root, "dir" and "dir/" are the same. */
static char *prefix_path(const struct cfs_store *s, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;
	char *key, *path;

	if (n == 0)
		return cfs_xstrdup(s->root);
	if (prefix[n - 1] == '/')
		n--;
	key = cfs_xstrndup(prefix, n);
	path = key_path(s, key);
	free(key);
	return path;
}

/*
 * The names in d, skipping "." and ".." and, with hide_dot, every other
 * dot name too.  On failure nothing is allocated.
 */
static int read_names(DIR *d, bool hide_dot, char ***names, size_t *n)
{
	char **v = NULL;
	size_t count = 0, cap = 0;
	struct dirent *ent;

	for (;;) {
		errno = 0;   /* readdir() tells end from error only by errno */
		ent = readdir(d);
		if (!ent)
			break;
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		if (hide_dot && ent->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			v = cfs_xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = cfs_xstrdup(ent->d_name);
	}
	if (errno != 0) {
		int e = errno;
		cfs_store_list_free(v, count);
		errno = e;
		return -1;
	}
	*names = v;
	*n = count;
	return 0;
}

int cfs_store_list(struct cfs_store *s, const char *prefix, char ***names, size_t *n)
{
	char *path = prefix_path(s, prefix);
	int rc, e;
	DIR *d;

	*names = NULL;
	*n = 0;
	if (!path)
		return -1;
	d = opendir(path);
	free(path);
	if (!d) {
		/* nothing stored under that prefix: an empty listing, as on S3 */
		return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
	}
	/* fsutil's ".<base>.tmp.*" files are not keys (nor is any dot name) */
	rc = read_names(d, true, names, n);
	e = errno;
	closedir(d);
	errno = e;
	if (rc == 0)
		cfs_qsort(*names, *n, sizeof(**names), cfs_strptrcmp);
	return rc;
}

int cfs_store_remove_temps(struct cfs_store *s, const char *prefix)
{
	char *path = prefix_path(s, prefix), **names;
	size_t n;
	int dfd, rc = 0;
	DIR *d;

	if (!path)
		return -1;
	d = opendir(path);
	free(path);
	if (!d)
		return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
	if (read_names(d, false, &names, &n)) {
		int e = errno;
		closedir(d);
		errno = e;
		return -1;
	}
	dfd = dirfd(d);
	for (size_t i = 0; i < n; i++)
		if (names[i][0] == '.' && strstr(names[i], ".tmp.") && unlinkat(dfd, names[i], 0) && errno != ENOENT)
			rc = -1;
	if (!rc && n)
		rc = fsync(dfd);
	cfs_store_list_free(names, n);
	closedir(d);
	return rc;
}

void cfs_store_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bool cfs_store_root_exists(struct cfs_store *s)
{
	struct stat st;

	return lstat(s->root, &st) == 0;
}

/* A root that exists but is not a directory counts as occupied: nothing
 * could be created there. */
bool cfs_store_root_nonempty(struct cfs_store *s)
{
	struct stat st;
	struct dirent *ent;
	bool found = false;
	DIR *d;

	if (lstat(s->root, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode))
		return true;
	d = opendir(s->root);
	if (!d)
		return true;   /* unreadable yet present: not ours to call empty */
	while (!found && (ent = readdir(d)))
		found = strcmp(ent->d_name, ".") && strcmp(ent->d_name, "..");
	closedir(d);
	return found;
}

static int remove_at(int dirfd, const char *name);

/* Remove every entry of the open directory d (not d itself). */
static int remove_entries(DIR *d)
{
	char **v;
	size_t count;
	int rc = 0, e;

	/* Names first, removals after: unlinking while readdir() is still
	 * walking the same directory may make it skip entries. */
	if (read_names(d, false, &v, &count) != 0)
		return -1;
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = remove_at(dirfd(d), v[i]);
	e = errno;
	cfs_store_list_free(v, count);
	errno = e;
	return rc;
}

/*
 * Remove name (relative to dirfd) and, if it is a directory, everything in
 * it, depth first.  Symlinks are removed, never followed.  An entry that is
 * already gone (an earlier interrupted run, a concurrent destroy) is done.
 */
static int remove_at(int dirfd, const char *name)
{
	struct stat st;
	int fd, rc, e;
	DIR *d;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
			return -1;
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(fd);
	if (!d) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	rc = remove_entries(d);
	e = errno;
	closedir(d);
	errno = e;
	if (rc != 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

int cfs_store_destroy(struct cfs_store *s)
{
	/* refuse the one root whose removal is never what anyone meant */
	if (!strcmp(s->root, "/")) {
		errno = EINVAL;
		return -1;
	}
	if (remove_at(AT_FDCWD, s->root) != 0)
		return -1;
	/* make the root's removal durable; a missing parent has nothing to sync */
	if (cfs_fsync_dir(s->root) != 0 && errno != ENOENT)
		return -1;
	return 0;
}
