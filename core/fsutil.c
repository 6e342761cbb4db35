/*
 * fsutil: whole-file reads and the crash-safe writes every ledger and report
 * file goes through (write temp, fsync, rename or link, fsync directory).
 * All functions report failure as -1 with errno from the failing syscall.
 */
#include "core/fsutil.h"
#include "core/utf8.h"
#include "core/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* How often to retry when a random temp name is already taken. */
#define TEMP_ATTEMPTS 16

/* Read until EOF; st_size is only a hint (files may grow, /proc lies). */
static int read_all(int fd, size_t hint, char **data, size_t *len)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_grow(&sb, hint + 1);
	for (;;) {
		if (sb.cap - sb.len < 2)
			cfs_sb_grow(&sb, sb.cap);
		ssize_t n = read(fd, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			cfs_sb_release(&sb);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
	}
	sb.buf[sb.len] = '\0';
	if (len)
		*len = sb.len;
	*data = cfs_sb_detach(&sb);
	return 0;
}

int cfs_read_text(const char *path, char **data, size_t *len, const char **why)
{
	if (cfs_read_file(path, data, len)) {
		*why = strerror(errno);
		return -1;
	}
	if (!cfs_utf8_valid(*data, *len)) {
		free(*data);
		*data = NULL;
		*why = CFS_UTF8_ERROR;
		return -1;
	}
	return 0;
}

int cfs_read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	int fd, rc, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		rc = -1;
	} else if (S_ISDIR(st.st_mode)) {
		/* open() accepts a directory; say so now rather than at read() */
		errno = EISDIR;
		rc = -1;
	} else {
		rc = read_all(fd, st.st_size > 0 ? (size_t)st.st_size : 0, data, len);
	}
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory holding path's last entry: "." or "/" when that is all. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return cfs_xstrdup(".");
	if (slash == path)
		return cfs_xstrdup("/");
	return cfs_xstrndup(path, (size_t)(slash - path));
}

/*
 * Split path into its directory and base name.  A path without a base name
 * ("dir/", "/", "..") cannot name a file we replace: EINVAL.
 */
static int split_path(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		errno = EINVAL;
		return -1;
	}
	*dir = dir_of(path);
	return 0;
}

/*
 * Create a fresh temp file next to the target, so the final rename or link
 * never crosses a filesystem.  The pid and random suffix keep concurrent
 * writers (and leftovers of crashed ones) from colliding.
 */
static int open_temp(const char *dir, const char *base, char **tmp)
{
	for (int i = 0; i < TEMP_ATTEMPTS; i++) {
		unsigned char r[6];

		if (RAND_bytes(r, (int)sizeof(r)) != 1) {
			errno = EIO;
			return -1;
		}
		*tmp = cfs_xasprintf("%s/.%s.tmp.%ld.%02x%02x%02x%02x%02x%02x",
				     dir, base, (long)getpid(),
				     r[0], r[1], r[2], r[3], r[4], r[5]);
		int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		errno = e;
		if (e != EEXIST)
			return -1;
	}
	return -1;
}

/*
 * Write data to a new, fsync'd and closed temp file beside path.  On
 * success *dir and *tmp are set and owned by the caller; on failure nothing
 * is left on disk and errno is the first error.
 */
static int write_temp(const char *path, const void *data, size_t len,
		      char **dir, char **tmp)
{
	const char *base;
	int fd, e;

	*tmp = NULL;
	if (split_path(path, dir, &base) != 0)
		return -1;
	fd = open_temp(*dir, base, tmp);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		errno = e;
		goto fail;
	}
	/* close() can report a deferred write error (NFS): it must count */
	if (close(fd) != 0)
		goto fail;
	return 0;
fail:
	e = errno;
	if (*tmp)
		unlink(*tmp);
	free(*tmp);
	free(*dir);
	*tmp = *dir = NULL;
	errno = e;
	return -1;
}

int cfs_write_atomic(const char *path, const void *data, size_t len)
{
	char *dir, *tmp;
	int rc = 0, e;

	if (write_temp(path, data, len, &dir, &tmp) != 0)
		return -1;
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		rc = -1;
	} else if (cfs_fsync_dir(dir) != 0) {
		rc = -1;
	}
	e = errno;
	free(tmp);
	free(dir);
	errno = e;
	return rc;
}

int cfs_create_excl(const char *path, const void *data, size_t len)
{
	char *dir, *tmp;
	int rc, e;

	if (write_temp(path, data, len, &dir, &tmp) != 0)
		return -1;
	/* link() fails with EEXIST instead of replacing: the atomic
	 * create-if-absent with complete content that O_EXCL alone can't give */
	rc = link(tmp, path);
	e = errno;
	unlink(tmp);
	if (rc == 0)
		rc = cfs_fsync_dir(dir);
	else
		errno = e;
	e = errno;
	free(tmp);
	free(dir);
	errno = e;
	return rc;
}

static int fsync_path(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, e;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	/* Some filesystems cannot fsync a directory and say EINVAL; there is
	 * nothing more durable we could do there. */
	if (rc != 0 && errno == EINVAL)
		rc = 0;
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int fsync_parent(const char *path)
{
	char *parent = dir_of(path);
	int rc = fsync_path(parent);
	int e = errno;

	free(parent);
	errno = e;
	return rc;
}

int cfs_fsync_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return fsync_path(dir);
	} else if (errno != ENOENT) {
		return -1;
	}
	/* A file, or an entry just unlinked: the change to make durable is in
	 * the parent directory. */
	return fsync_parent(dir);
}

/* An existing entry is fine only if it is a directory. */
static int mkdir_one(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0) {
		/* a new directory survives a crash only once its parent does */
		return fsync_parent(path);
	}
	int e = errno;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	errno = e;
	return -1;
}

int cfs_mkdirs(const char *path, unsigned mode)
{
	char *p;
	int rc = 0;

	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	p = cfs_xstrdup(path);
	/* Create the prefix ending before each '/' that closes a component. */
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		rc = mkdir_one(p, (mode_t)mode);
		*s = '/';
	}
	if (rc == 0)
		rc = mkdir_one(p, (mode_t)mode);
	int e = errno;
	free(p);
	errno = e;
	return rc;
}
