/*
 * gitrepo: the git side of the config folder (fs.md "applied/",
 * "history/"), through libgit2, never through a working-tree checkout.
 *
 *  - record: after an apply that changed state, the exact config tree it
 *    applied becomes a commit under refs/clusterfs/applied of the config
 *    folder's repository.  HEAD, the index and the working tree are never
 *    touched.
 *  - view: read-only access to the config tree at any commit (history/)
 *    and at the applied commit (applied/).
 *
 * The config folder may be the repository's work tree or a folder inside
 * it; paths here are always relative to the config folder, and a commit's
 * tree is looked at below the same prefix.  .git, the ledger folders
 * __cluster and the graphs folders beside them (and at the top) are
 * never part of a tree.
 * Every function returns 0 or -1 with errno set (ENOENT: not a git
 * repository / no such commit / no such path; ENOTDIR; EIO: libgit2
 * failure).  None prints.
 */
#ifndef CFS_GITREPO_H
#define CFS_GITREPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define CFS_APPLIED_REF "refs/clusterfs/applied"
#define CFS_OID_HEX 41                  /* 40 hex digits + NUL */

/*
 * Write the config folder's files (regular files, executables, symlinks;
 * recursively; minus the hidden top-level names) as blobs and trees into
 * the repository's object database and return the tree id that the config
 * folder would have, nested under its prefix inside the repository (the
 * root tree of a commit).  ENOENT when config_dir is in no repository.
 */
int cfs_git_snapshot(const char *config_dir, char tree[CFS_OID_HEX]);

/*
 * Record tree (from cfs_git_snapshot) as a new commit on CFS_APPLIED_REF:
 * parent = the ref's current commit (none for the first), author and
 * committer = actor (or "clusterfs") <actor@clusterfs> at now, message as
 * given.  The ref moves with a compare-and-swap on its old value.  If the
 * ref already points at a commit with this tree, nothing is written (0).
 * A ref moved by someone else is retried once, then EAGAIN; a tree that is
 * not 40 hex digits is EINVAL.
 */
int cfs_git_record_applied(const char *config_dir, const char tree[CFS_OID_HEX], const char *actor,
			   const char *message, char commit[CFS_OID_HEX]);

struct cfs_gitview;

/* Open the repository holding config_dir (searching upwards). */
int cfs_gitview_open(const char *config_dir, struct cfs_gitview **out);
void cfs_gitview_close(struct cfs_gitview *gv);

/* Up to max commit ids reachable from HEAD, newest first (time order).
 * *ids is the caller's to free(); NULL with *n = 0 when HEAD has no commit. */
int cfs_gitview_log(struct cfs_gitview *gv, size_t max, char (**ids)[CFS_OID_HEX], size_t *n);
/* A full id or a unique abbreviation (>= 4 hex digits) naming a commit ->
 * its full id.  Anything else: ENOENT. */
int cfs_gitview_resolve(struct cfs_gitview *gv, const char *spec, char full[CFS_OID_HEX]);
/* The commit CFS_APPLIED_REF points at; ENOENT when there is none. */
int cfs_gitview_applied(struct cfs_gitview *gv, char full[CFS_OID_HEX]);

struct cfs_gitnode {
	mode_t mode;                    /* S_IFDIR|0555, S_IFREG|0444 or 0555, S_IFLNK|0777 */
	uint64_t size;                  /* blob size; 0 for trees */
	time_t time;                    /* the commit's committer time */
};

/* commit: any spec cfs_gitview_resolve accepts (normally a full id).
 * path "" = the config folder itself at that commit; "." / ".." / empty
 * components are ENOENT.  A path through a file is ENOTDIR; readdir of a
 * file ENOTDIR, read of a directory EISDIR. */
int cfs_gitview_stat(struct cfs_gitview *gv, const char *commit, const char *path, struct cfs_gitnode *out);
/* Entry names of a directory, in tree order.  Free with cfs_gitview_names_free. */
int cfs_gitview_readdir(struct cfs_gitview *gv, const char *commit, const char *path, char ***names, size_t *n);
void cfs_gitview_names_free(char **names, size_t n);
/* Whole blob (file content or symlink target); *data NUL-terminated, caller frees. */
int cfs_gitview_read(struct cfs_gitview *gv, const char *commit, const char *path, char **data, size_t *len);

#endif
