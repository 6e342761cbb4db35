/*
 * fs/desired: MOUNT/desired/, a passthrough of the config folder (fs.md).
 * Every POSIX operation goes to the backing files through *at() calls
 * relative to one directory fd: no file descriptor is kept per inode (the
 * open-file limit is 20,000), only one per open handle (fi->fh is the
 * backing fd for files, a DIR * for directories).
 *
 * rel is the path below desired/ without a leading '/': "" is desired/
 * itself.  The top-level names __cluster and graphs (ledger and graph
 * roots, not desired state) are hidden: lookups give ENOENT, readdir
 * skips them, and nothing can be created or renamed onto them (EPERM).
 * Every function returns what the fuse_operations member it serves
 * returns: 0 (or a byte count) or -errno.
 */
#ifndef CFS_FS_DESIRED_H
#define CFS_FS_DESIRED_H

#include <fuse.h>
#include <stdbool.h>
#include <sys/stat.h>

struct cfs_dfs {
	int dirfd;                      /* the config folder, O_DIRECTORY */
};

/* Open config_dir (absolute).  0 or -errno. */
int cfs_dfs_init(struct cfs_dfs *d, const char *config_dir);
void cfs_dfs_fini(struct cfs_dfs *d);
/* True if rel names a hidden top-level entry or something below one. */
bool cfs_dfs_hidden(const char *rel);

int cfs_dfs_getattr(struct cfs_dfs *d, const char *rel, struct stat *st, struct fuse_file_info *fi);
int cfs_dfs_access(struct cfs_dfs *d, const char *rel, int mask);
int cfs_dfs_readlink(struct cfs_dfs *d, const char *rel, char *buf, size_t size);
int cfs_dfs_mknod(struct cfs_dfs *d, const char *rel, mode_t mode, dev_t rdev);
int cfs_dfs_mkdir(struct cfs_dfs *d, const char *rel, mode_t mode);
int cfs_dfs_unlink(struct cfs_dfs *d, const char *rel);
int cfs_dfs_rmdir(struct cfs_dfs *d, const char *rel);
int cfs_dfs_symlink(struct cfs_dfs *d, const char *target, const char *rel);
int cfs_dfs_rename(struct cfs_dfs *d, const char *from, const char *to, unsigned int flags);
int cfs_dfs_link(struct cfs_dfs *d, const char *from, const char *to);
int cfs_dfs_chmod(struct cfs_dfs *d, const char *rel, mode_t mode, struct fuse_file_info *fi);
int cfs_dfs_chown(struct cfs_dfs *d, const char *rel, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int cfs_dfs_truncate(struct cfs_dfs *d, const char *rel, off_t size, struct fuse_file_info *fi);
int cfs_dfs_utimens(struct cfs_dfs *d, const char *rel, const struct timespec tv[2], struct fuse_file_info *fi);
int cfs_dfs_open(struct cfs_dfs *d, const char *rel, struct fuse_file_info *fi);
int cfs_dfs_create(struct cfs_dfs *d, const char *rel, mode_t mode, struct fuse_file_info *fi);
int cfs_dfs_read(struct cfs_dfs *d, char *buf, size_t size, off_t off, struct fuse_file_info *fi);
int cfs_dfs_read_buf(struct cfs_dfs *d, struct fuse_bufvec **bufp, size_t size, off_t off,
		     struct fuse_file_info *fi);
int cfs_dfs_write(struct cfs_dfs *d, const char *buf, size_t size, off_t off, struct fuse_file_info *fi);
int cfs_dfs_write_buf(struct cfs_dfs *d, struct fuse_bufvec *buf, off_t off, struct fuse_file_info *fi);
int cfs_dfs_statfs(struct cfs_dfs *d, struct statvfs *st);
int cfs_dfs_flush(struct cfs_dfs *d, struct fuse_file_info *fi);
int cfs_dfs_release(struct cfs_dfs *d, struct fuse_file_info *fi);
int cfs_dfs_fsync(struct cfs_dfs *d, int datasync, struct fuse_file_info *fi);
int cfs_dfs_fallocate(struct cfs_dfs *d, int mode, off_t off, off_t len, struct fuse_file_info *fi);
off_t cfs_dfs_lseek(struct cfs_dfs *d, off_t off, int whence, struct fuse_file_info *fi);
int cfs_dfs_setxattr(struct cfs_dfs *d, const char *rel, const char *name, const char *value, size_t size,
		     int flags);
int cfs_dfs_getxattr(struct cfs_dfs *d, const char *rel, const char *name, char *value, size_t size);
int cfs_dfs_listxattr(struct cfs_dfs *d, const char *rel, char *list, size_t size);
int cfs_dfs_removexattr(struct cfs_dfs *d, const char *rel, const char *name);
int cfs_dfs_opendir(struct cfs_dfs *d, const char *rel, struct fuse_file_info *fi);
int cfs_dfs_readdir(struct cfs_dfs *d, const char *rel, void *buf, fuse_fill_dir_t filler, off_t off,
		    struct fuse_file_info *fi, enum fuse_readdir_flags flags);
int cfs_dfs_releasedir(struct cfs_dfs *d, struct fuse_file_info *fi);
int cfs_dfs_fsyncdir(struct cfs_dfs *d, int datasync, struct fuse_file_info *fi);

#endif
