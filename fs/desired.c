/*
 * fs/desired: MOUNT/desired/, the passthrough of the config folder (the
 * contract is in fs/desired.h).  One small function per fuse operation,
 * each mostly one syscall on the backing folder.  Three decisions shape
 * the code:
 *
 * - Paths are resolved beneath d->dirfd without following symlinks.  The
 *   kernel resolves symlinks itself (readlink, then a lookup of the
 *   target), so a path it sends never legitimately goes through one; a
 *   symlink found there was swapped into the backing folder after the
 *   kernel's lookup.  Following it would let a user make a daemon running
 *   as root open, chmod or truncate files outside the folder.  So rel's
 *   parent is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
 *   (a component walk with O_NOFOLLOW where openat2 is missing) and the
 *   last component is used with AT_SYMLINK_NOFOLLOW or O_NOFOLLOW.
 *   Top-level names, the common case, cost no extra syscall.
 *
 * - Objects created through the mount look as if a real filesystem had
 *   created them: owned by the caller when the daemon runs as root, and
 *   with exactly the permission bits the kernel asked for (it already
 *   applied the caller's umask; the daemon's own umask may cut more).  A
 *   creation whose follow-up fails is undone.
 *
 * - xattr calls have no *at() form; they go through the path
 *   /proc/self/fd/<parent fd>/<name> with the l*xattr() calls.
 */
#define _GNU_SOURCE

#include "fs/desired.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Open flags passed on to the backing file; the kernel also sends internal
 * bits (e.g. __FMODE_EXEC) that openat2() rejects, and O_DIRECT would need
 * aligned buffers the daemon does not have. */
#define PASSED_OPEN_FLAGS (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_DSYNC | O_SYNC)

/* /proc/self/fd/<int>/<one path component> */
#define PROC_PATH_MAX (sizeof("/proc/self/fd//") + 3 * sizeof(int) + NAME_MAX + 1)

static const char *const hidden_names[] = { "__cluster", "graphs" };

bool cfs_dfs_hidden(const char *rel)
{
	size_t len = strcspn(rel, "/");

	for (size_t i = 0; i < sizeof(hidden_names) / sizeof(hidden_names[0]); i++)
		if (strlen(hidden_names[i]) == len && memcmp(rel, hidden_names[i], len) == 0)
			return true;
	return false;
}

int cfs_dfs_init(struct cfs_dfs *d, const char *config_dir)
{
	d->dirfd = open(config_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->dirfd == -1 ? -errno : 0;
}

void cfs_dfs_fini(struct cfs_dfs *d)
{
	if (d->dirfd >= 0)
		close(d->dirfd);
	d->dirfd = -1;
}

/* ---- path resolution ---------------------------------------------------- */

/*
 * openat() of path below dirfd, one component at a time, refusing symlinks
 * and "..": the fallback for kernels (or seccomp filters) without openat2.
 */
static int walk_open(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[PATH_MAX];
	char *comp = buf;
	int cur = dirfd;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (;;) {
		char *slash = strchr(comp, '/');
		int fd, err;

		if (slash)
			*slash = '\0';
		if (strcmp(comp, "..") == 0) {
			fd = -1;
			errno = EXDEV;
		} else if (slash) {
			fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		} else {
			fd = openat(cur, comp, flags | O_NOFOLLOW, mode);
		}
		err = errno;
		if (cur != dirfd)
			close(cur);
		errno = err;
		if (fd == -1 || !slash)
			return fd;
		cur = fd;
		comp = slash + 1;
	}
}

/* openat(dirfd, path, flags, mode) that stays below dirfd and follows no
 * symlink, the last component included.  An fd, or -1 with errno. */
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)flags,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
	return walk_open(dirfd, path, flags, mode);
}

/* Where an operation on rel happens: the *at() pair (fd, name). */
struct at {
	int fd;                 /* d->dirfd, or an O_PATH fd on rel's parent */
	const char *name;       /* rel's last component; "." for the folder */
};

/* Resolve rel's parent (see the top of the file).  0 or -errno; on 0 the
 * caller ends with at_release(). */
static int at_resolve(const struct cfs_dfs *d, const char *rel, struct at *at)
{
	const char *slash = strrchr(rel, '/');
	char parent[PATH_MAX];
	size_t len;
	int fd;

	assert(rel[0] != '/');
	at->fd = d->dirfd;
	at->name = slash ? slash + 1 : rel[0] ? rel : ".";
	if (strcmp(at->name, "..") == 0)
		return -EINVAL;
	if (!slash)
		return 0;
	len = (size_t)(slash - rel);
	if (len >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, rel, len);
	parent[len] = '\0';
	fd = open_beneath(d->dirfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	at->fd = fd;
	return 0;
}

static void at_release(const struct cfs_dfs *d, const struct at *at)
{
	if (at->fd != d->dirfd)
		close(at->fd);
}

/* res of a syscall returning -1/errno, as 0 or -errno, read before any
 * cleanup can touch errno. */
static int sysret(int res)
{
	return res == -1 ? -errno : 0;
}

/* "/proc/self/fd/<fd>[/name]" into buf[PROC_PATH_MAX]. */
static int proc_path(char *buf, int fd, const char *name)
{
	int n = name ? snprintf(buf, PROC_PATH_MAX, "/proc/self/fd/%d/%s", fd, name)
		     : snprintf(buf, PROC_PATH_MAX, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= PROC_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* ---- ownership of new objects --------------------------------------------- */

/* The caller of the current request, or NULL outside a request. */
static const struct fuse_context *caller(void)
{
	return fuse_get_context();
}

static bool caller_in_group(const struct fuse_context *ctx, gid_t gid)
{
	gid_t groups[64];
	int n;

	if (ctx->gid == gid)
		return true;
	n = fuse_getgroups((int)(sizeof(groups) / sizeof(groups[0])), groups);
	for (int i = 0; i < n && i < (int)(sizeof(groups) / sizeof(groups[0])); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * create() found the file already there (the kernel's negative entry was
 * stale): the kernel only checked that the caller may create in the parent,
 * so check here that the caller may open this file with these flags, as
 * the daemon's own rights may exceed the caller's.
 */
static int caller_may_open(int fd, int flags)
{
	const struct fuse_context *ctx = caller();
	struct stat st;
	mode_t need, have;

	if (!ctx || ctx->uid == 0 || ctx->uid == geteuid())
		return 0;
	if (fstat(fd, &st) == -1)
		return -errno;
	need = (flags & O_ACCMODE) == O_RDONLY ? 4 : (flags & O_ACCMODE) == O_WRONLY ? 2 : 6;
	if (flags & O_TRUNC)
		need |= 2;
	if (st.st_uid == ctx->uid)
		have = st.st_mode >> 6;
	else if (caller_in_group(ctx, st.st_gid))
		have = st.st_mode >> 3;
	else
		have = st.st_mode;
	return (have & need) == need ? 0 : -EACCES;
}

/*
 * Give the object just created as (at, fd) its owner and mode.  fd is open
 * on it (O_PATH for nodes and symlinks).  When the daemon is root and the
 * caller is not, the caller owns it; its group is the caller's unless the
 * parent is set-group-ID (then it keeps the parent's, as on any Unix
 * filesystem).  Its permission bits become exactly mode's.
 */
static int settle_new(const struct at *at, int fd, mode_t mode)
{
	const struct fuse_context *ctx = caller();
	char path[PROC_PATH_MAX];
	struct stat st;
	mode_t want;
	int err;

	if (geteuid() == 0 && ctx && ctx->uid != 0) {
		gid_t gid = ctx->gid;

		if (fstat(at->fd, &st) == -1)
			return -errno;
		if (st.st_mode & S_ISGID)
			gid = (gid_t)-1;
		if (fchownat(fd, "", ctx->uid, gid, AT_EMPTY_PATH) == -1)
			return -errno;
	}
	if (fstat(fd, &st) == -1)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	want = (mode & 07777) | (S_ISDIR(st.st_mode) ? (st.st_mode & S_ISGID) : 0);
	if ((st.st_mode & 07777) == want)
		return 0;
	err = proc_path(path, fd, NULL);
	return err ? err : sysret(chmod(path, want));
}

/* settle_new() for an object made by name (mkdir, mknod, symlink), undone
 * with unlinkat(at, unlink_flags) if that fails. */
static int settle_named(const struct at *at, mode_t mode, int unlink_flags)
{
	int fd = openat(at->fd, at->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int err = fd == -1 ? -errno : settle_new(at, fd, mode);

	if (fd != -1)
		close(fd);
	if (err)
		unlinkat(at->fd, at->name, unlink_flags);
	return err;
}

/* ---- metadata ------------------------------------------------------------ */

int cfs_dfs_getattr(struct cfs_dfs *d, const char *rel, struct stat *st, struct fuse_file_info *fi)
{
	struct at at;
	int err;

	if (fi)
		return sysret(fstat((int)fi->fh, st));
	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(fstatat(at.fd, at.name, st, AT_SYMLINK_NOFOLLOW));
	at_release(d, &at);
	return err;
}

int cfs_dfs_access(struct cfs_dfs *d, const char *rel, int mask)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(faccessat(at.fd, at.name, mask, AT_SYMLINK_NOFOLLOW));
	at_release(d, &at);
	return err;
}

int cfs_dfs_readlink(struct cfs_dfs *d, const char *rel, char *buf, size_t size)
{
	struct at at;
	ssize_t n;
	int err;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if (size == 0)
		return -EINVAL;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	n = readlinkat(at.fd, at.name, buf, size - 1);
	err = n == -1 ? -errno : 0;
	at_release(d, &at);
	if (!err)
		buf[n] = '\0';
	return err;
}

/* chmod(2) follows symlinks, so the kernel never asks to chmod one: a
 * symlink found here is refused (EOPNOTSUPP) rather than followed. */
int cfs_dfs_chmod(struct cfs_dfs *d, const char *rel, mode_t mode, struct fuse_file_info *fi)
{
	struct at at;
	int err;

	if (fi)
		return sysret(fchmod((int)fi->fh, mode));
	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(fchmodat(at.fd, at.name, mode, AT_SYMLINK_NOFOLLOW));
	at_release(d, &at);
	return err;
}

int cfs_dfs_chown(struct cfs_dfs *d, const char *rel, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct at at;
	int err;

	if (fi)
		return sysret(fchown((int)fi->fh, uid, gid));
	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(fchownat(at.fd, at.name, uid, gid, AT_SYMLINK_NOFOLLOW));
	at_release(d, &at);
	return err;
}

int cfs_dfs_truncate(struct cfs_dfs *d, const char *rel, off_t size, struct fuse_file_info *fi)
{
	int fd, err;

	if (fi)
		return sysret(ftruncate((int)fi->fh, size));
	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	fd = open_beneath(d->dirfd, rel[0] ? rel : ".", O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	err = sysret(ftruncate(fd, size));
	close(fd);
	return err;
}

int cfs_dfs_utimens(struct cfs_dfs *d, const char *rel, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct at at;
	int err;

	if (fi)
		return sysret(futimens((int)fi->fh, tv));
	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(utimensat(at.fd, at.name, tv, AT_SYMLINK_NOFOLLOW));
	at_release(d, &at);
	return err;
}

int cfs_dfs_statfs(struct cfs_dfs *d, struct statvfs *st)
{
	return sysret(fstatvfs(d->dirfd, st));
}

/* ---- names --------------------------------------------------------------- */

int cfs_dfs_mknod(struct cfs_dfs *d, const char *rel, mode_t mode, dev_t rdev)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -EPERM;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(mknodat(at.fd, at.name, mode, rdev));
	if (!err)
		err = settle_named(&at, mode, 0);
	at_release(d, &at);
	return err;
}

int cfs_dfs_mkdir(struct cfs_dfs *d, const char *rel, mode_t mode)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -EPERM;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(mkdirat(at.fd, at.name, mode));
	if (!err)
		err = settle_named(&at, mode, AT_REMOVEDIR);
	at_release(d, &at);
	return err;
}

int cfs_dfs_symlink(struct cfs_dfs *d, const char *target, const char *rel)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -EPERM;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(symlinkat(target, at.fd, at.name));
	if (!err)
		err = settle_named(&at, 0777, 0);
	at_release(d, &at);
	return err;
}

static int remove_name(struct cfs_dfs *d, const char *rel, int flags)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = sysret(unlinkat(at.fd, at.name, flags));
	at_release(d, &at);
	return err;
}

int cfs_dfs_unlink(struct cfs_dfs *d, const char *rel)
{
	return remove_name(d, rel, 0);
}

int cfs_dfs_rmdir(struct cfs_dfs *d, const char *rel)
{
	return remove_name(d, rel, AT_REMOVEDIR);
}

/* rename() and link(): from must be visible (ENOENT), to must not be a
 * hidden name (EPERM).  rename_flags < 0 means link. */
static int two_names(struct cfs_dfs *d, const char *from, const char *to, int rename_flags)
{
	struct at af, at;
	int err;

	if (cfs_dfs_hidden(from))
		return -ENOENT;
	if (cfs_dfs_hidden(to))
		return -EPERM;
	if ((err = at_resolve(d, from, &af)))
		return err;
	if ((err = at_resolve(d, to, &at))) {
		at_release(d, &af);
		return err;
	}
	if (rename_flags < 0)
		err = sysret(linkat(af.fd, af.name, at.fd, at.name, 0));
	else
		err = sysret(renameat2(af.fd, af.name, at.fd, at.name, (unsigned int)rename_flags));
	at_release(d, &at);
	at_release(d, &af);
	return err;
}

int cfs_dfs_rename(struct cfs_dfs *d, const char *from, const char *to, unsigned int flags)
{
	if (flags & ~(unsigned int)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	return two_names(d, from, to, (int)flags);
}

int cfs_dfs_link(struct cfs_dfs *d, const char *from, const char *to)
{
	return two_names(d, from, to, -1);
}

/* ---- files --------------------------------------------------------------- */

static void set_handle(struct fuse_file_info *fi, int fd)
{
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 0;
	fi->direct_io = 0;
}

int cfs_dfs_open(struct cfs_dfs *d, const char *rel, struct fuse_file_info *fi)
{
	int fd;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	fd = open_beneath(d->dirfd, rel[0] ? rel : ".", (fi->flags & PASSED_OPEN_FLAGS) | O_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	set_handle(fi, fd);
	return 0;
}

/* Create with O_EXCL so the new file is known to be ours to settle; if it
 * already exists and the caller did not ask for O_EXCL, open it instead
 * (retrying if it vanishes in between). */
static int create_at(const struct at *at, mode_t mode, struct fuse_file_info *fi)
{
	int flags = (fi->flags & PASSED_OPEN_FLAGS) | O_CLOEXEC | O_NOFOLLOW;

	for (int tries = 0; tries < 16; tries++) {
		int fd = openat(at->fd, at->name, flags | O_CREAT | O_EXCL, mode);
		int err;

		if (fd != -1) {
			if ((err = settle_new(at, fd, mode))) {
				close(fd);
				unlinkat(at->fd, at->name, 0);
				return err;
			}
			set_handle(fi, fd);
			return 0;
		}
		if (errno != EEXIST || (fi->flags & O_EXCL))
			return -errno;
		fd = openat(at->fd, at->name, flags);
		if (fd != -1) {
			if ((err = caller_may_open(fd, flags))) {
				close(fd);
				return err;
			}
			set_handle(fi, fd);
			return 0;
		}
		if (errno != ENOENT)
			return -errno;
	}
	return -EAGAIN;
}

int cfs_dfs_create(struct cfs_dfs *d, const char *rel, mode_t mode, struct fuse_file_info *fi)
{
	struct at at;
	int err;

	if (cfs_dfs_hidden(rel))
		return -EPERM;
	if ((err = at_resolve(d, rel, &at)))
		return err;
	err = create_at(&at, mode, fi);
	at_release(d, &at);
	return err;
}

/* pread or pwrite all of size bytes, retrying short transfers and EINTR;
 * a count, or -errno when nothing moved. */
static int transfer(int fd, char *buf, size_t size, off_t off, bool write)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = write ? pwrite(fd, buf + done, size - done, off + (off_t)done)
				  : pread(fd, buf + done, size - done, off + (off_t)done);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return done ? (int)done : -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (int)done;
}

int cfs_dfs_read(struct cfs_dfs *d, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)d;
	return transfer((int)fi->fh, buf, size, off, false);
}

/* The zero-copy path: hand libfuse the fd and offset so it can splice.
 * libfuse frees the bufvec. */
int cfs_dfs_read_buf(struct cfs_dfs *d, struct fuse_bufvec **bufp, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fuse_bufvec *src = malloc(sizeof(*src));

	(void)d;
	if (!src)
		return -ENOMEM;
	*src = FUSE_BUFVEC_INIT(size);
	src->buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	src->buf[0].fd = (int)fi->fh;
	src->buf[0].pos = off;
	*bufp = src;
	return 0;
}

int cfs_dfs_write(struct cfs_dfs *d, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)d;
	return transfer((int)fi->fh, (char *)buf, size, off, true);
}

int cfs_dfs_write_buf(struct cfs_dfs *d, struct fuse_bufvec *buf, off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(fuse_buf_size(buf));

	(void)d;
	dst.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	dst.buf[0].fd = (int)fi->fh;
	dst.buf[0].pos = off;
	return (int)fuse_buf_copy(&dst, buf, FUSE_BUF_SPLICE_NONBLOCK);
}

/* Called on every close() of a descriptor of the handle, possibly several
 * times: closing a duplicate reports the backing filesystem's close-time
 * errors without ending the handle. */
int cfs_dfs_flush(struct cfs_dfs *d, struct fuse_file_info *fi)
{
	int fd = dup((int)fi->fh);

	(void)d;
	if (fd == -1)
		return -errno;
	return sysret(close(fd));
}

int cfs_dfs_release(struct cfs_dfs *d, struct fuse_file_info *fi)
{
	(void)d;
	close((int)fi->fh);
	return 0;
}

int cfs_dfs_fsync(struct cfs_dfs *d, int datasync, struct fuse_file_info *fi)
{
	(void)d;
	return sysret(datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

int cfs_dfs_fallocate(struct cfs_dfs *d, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
	(void)d;
	return sysret(fallocate((int)fi->fh, mode, off, len));
}

off_t cfs_dfs_lseek(struct cfs_dfs *d, off_t off, int whence, struct fuse_file_info *fi)
{
	off_t res = lseek((int)fi->fh, off, whence);

	(void)d;
	return res == -1 ? -errno : res;
}

/* ---- xattrs -------------------------------------------------------------- */

/* The l*xattr() path of rel into path[PROC_PATH_MAX]; on 0 the caller ends
 * with at_release(). */
static int xattr_at(struct cfs_dfs *d, const char *rel, struct at *at, char *path)
{
	int err;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	if ((err = at_resolve(d, rel, at)))
		return err;
	if ((err = proc_path(path, at->fd, at->name)))
		at_release(d, at);
	return err;
}

int cfs_dfs_setxattr(struct cfs_dfs *d, const char *rel, const char *name, const char *value, size_t size,
		     int flags)
{
	char path[PROC_PATH_MAX];
	struct at at;
	int err;

	if ((err = xattr_at(d, rel, &at, path)))
		return err;
	err = sysret(lsetxattr(path, name, value, size, flags));
	at_release(d, &at);
	return err;
}

int cfs_dfs_getxattr(struct cfs_dfs *d, const char *rel, const char *name, char *value, size_t size)
{
	char path[PROC_PATH_MAX];
	struct at at;
	ssize_t n;
	int err;

	if ((err = xattr_at(d, rel, &at, path)))
		return err;
	n = lgetxattr(path, name, value, size);
	err = n == -1 ? -errno : (int)n;
	at_release(d, &at);
	return err;
}

int cfs_dfs_listxattr(struct cfs_dfs *d, const char *rel, char *list, size_t size)
{
	char path[PROC_PATH_MAX];
	struct at at;
	ssize_t n;
	int err;

	if ((err = xattr_at(d, rel, &at, path)))
		return err;
	n = llistxattr(path, list, size);
	err = n == -1 ? -errno : (int)n;
	at_release(d, &at);
	return err;
}

int cfs_dfs_removexattr(struct cfs_dfs *d, const char *rel, const char *name)
{
	char path[PROC_PATH_MAX];
	struct at at;
	int err;

	if ((err = xattr_at(d, rel, &at, path)))
		return err;
	err = sysret(lremovexattr(path, name));
	at_release(d, &at);
	return err;
}

/* ---- directories --------------------------------------------------------- */

static DIR *dir_of(const struct fuse_file_info *fi)
{
	return (DIR *)(uintptr_t)fi->fh;
}

int cfs_dfs_opendir(struct cfs_dfs *d, const char *rel, struct fuse_file_info *fi)
{
	DIR *dp;
	int fd;

	if (cfs_dfs_hidden(rel))
		return -ENOENT;
	fd = open_beneath(d->dirfd, rel[0] ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd == -1)
		return -errno;
	dp = fdopendir(fd);
	if (!dp) {
		int err = -errno;

		close(fd);
		return err;
	}
	fi->fh = (uint64_t)(uintptr_t)dp;
	return 0;
}

/*
 * Entries from off on, each with the telldir() offset of the next one, so
 * a listing continued in a later call (the kernel's buffer was full)
 * resumes with a seekdir().  The folder's own listing skips hidden names;
 * every listing skips the .fuse_hidden* names under which libfuse keeps
 * files that were unlinked while open (they vanish at the last close).
 */
int cfs_dfs_readdir(struct cfs_dfs *d, const char *rel, void *buf, fuse_fill_dir_t filler, off_t off,
		    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *dp = dir_of(fi);
	bool top = rel && rel[0] == '\0';

	(void)d;
	(void)flags;
	if (telldir(dp) != off)
		seekdir(dp, off);
	for (;;) {
		struct dirent *e;
		struct stat st;

		errno = 0;
		e = readdir(dp);
		if (!e)
			return -errno;
		if ((top && cfs_dfs_hidden(e->d_name)) || !strncmp(e->d_name, ".fuse_hidden", 12))
			continue;
		memset(&st, 0, sizeof(st));
		st.st_ino = e->d_ino;
		st.st_mode = (mode_t)e->d_type << 12;
		if (filler(buf, e->d_name, &st, telldir(dp), 0))
			return 0;
	}
}

int cfs_dfs_releasedir(struct cfs_dfs *d, struct fuse_file_info *fi)
{
	(void)d;
	closedir(dir_of(fi));
	return 0;
}

int cfs_dfs_fsyncdir(struct cfs_dfs *d, int datasync, struct fuse_file_info *fi)
{
	int fd = dirfd(dir_of(fi));

	(void)d;
	return sysret(datasync ? fdatasync(fd) : fsync(fd));
}
