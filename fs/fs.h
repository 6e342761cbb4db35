/*
 * fs: the daemon behind `clusterfs mount` (fs.md).  The mount is a thin
 * view: every entry translates into the engine calls the CLI makes
 * (validate, plan --observe, status, apply, approve, refresh, import,
 * force-unlock) and renders their reports with the same renderers.
 *
 *   fs/mount.c     options, fuse_operations, path dispatch, permissions
 *   fs/desired.c   desired/: passthrough of the config folder
 *   fs/report.c    validate, plan, status (+ .json): computed at open,
 *                  cached while inotify reports no change of their inputs
 *   fs/control.c   apply, refresh, import, approvals/, lock: writes run
 *                  operations; reads show the last report
 *   fs/views.c     state.json, catalog/, graphs/, events, applied/, history/
 */
#ifndef CFS_FS_FS_H
#define CFS_FS_FS_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "fs/desired.h"

/* An immutable byte string shared by the cache and open handles. */
struct cfs_blob {
	int refs;                       /* atomic */
	size_t len;
	char data[];
};

struct cfs_blob *cfs_blob_new(const char *data, size_t len);
struct cfs_blob *cfs_blob_take(char *data, size_t len);       /* copies, frees data */
struct cfs_blob *cfs_blob_json(json_t *v);                   /* pretty JSON; steals v */

/* An in-memory stream for one of the CLI's renderers: cfs_mem_open gives
 * the stream (NULL if none could be opened: nothing is rendered), and
 * cfs_mem_blob closes it and returns what was written. */
struct cfs_mem {
	char *buf;
	size_t len;
	FILE *f;
};
FILE *cfs_mem_open(struct cfs_mem *m);
struct cfs_blob *cfs_mem_blob(struct cfs_mem *m);
struct cfs_blob *cfs_blob_ref(struct cfs_blob *b);
void cfs_blob_unref(struct cfs_blob *b);

enum cfs_report_kind { CFS_REPORT_VALIDATE, CFS_REPORT_PLAN, CFS_REPORT_STATUS, CFS_REPORT_N };
enum cfs_control_kind { CFS_CONTROL_APPLY, CFS_CONTROL_REFRESH, CFS_CONTROL_IMPORT, CFS_CONTROL_N };

struct cfs_actor_map {
	uid_t uid;
	char *name;
};

struct cfs_gate_info;
struct cfs_gitview;

struct cfs_fs {
	char *config_dir;               /* absolute */
	char *mountpoint;               /* absolute; no I/O below it */
	struct cfs_dfs dfs;
	uid_t owner;                    /* the mounting user */
	gid_t group;                    /* -o group=NAME, else the owner's gid */
	bool group_set;
	struct cfs_actor_map *actors;   /* -o actor=UID:NAME */
	size_t nactors;

	pthread_mutex_t mu;             /* guards everything below */
	struct cfs_report_cache {
		uint64_t gen;           /* fs->gen its inputs were read at */
		bool set;               /* may be served while gen is current */
		struct cfs_blob *text, *json;
	} reports[CFS_REPORT_N];
	struct cfs_blob *last[CFS_CONTROL_N][2];        /* last report: text, json */
	int ino_fd;                     /* inotify on every input of the reports */
	uint64_t gen;                   /* bumped by every inotify event */
	bool need_scan;                 /* (re)add watches (new directories) */
	bool watching;                  /* ledger folder exists, every watch in place */
	char *storage_root;             /* resolved from cluster.yaml at header_gen */
	char *self_root;                /* a storage root inside this mount (refused) */
	uint64_t header_gen;
	bool header_set;
	char **graph_ids;               /* declared graphs (header) */
	size_t ngraph_ids;
	struct cfs_gitview *git;        /* NULL: config folder is not in a git repo */
	time_t git_tried;
};

/* fs/report.c */
/*
 * The report of kind (text or JSON twin), from the cache when its inputs
 * are unchanged, else computed now.  Never takes the ledger lock.
 */
struct cfs_blob *cfs_report_get(struct cfs_fs *fs, enum cfs_report_kind kind, bool json);
/* Start / stop watching the inputs (0 or -errno; without inotify nothing
 * is cached). */
int cfs_fs_watch_init(struct cfs_fs *fs);
void cfs_fs_watch_fini(struct cfs_fs *fs);
/* Refresh the cached header facts (storage root, declared graph ids) if
 * cluster.yaml changed; returns the storage root (caller frees) or NULL. */
char *cfs_fs_storage_root(struct cfs_fs *fs);
/* The storage root when it lies inside this mount (caller frees), else
 * NULL.  The daemon never runs an operation then: the engine would read
 * the ledger through the mount it is serving. */
char *cfs_fs_self_root(struct cfs_fs *fs);
/* The report of an operation refused for that reason (storage_root_invalid). */
void cfs_fs_refusal(const struct cfs_fs *fs, const char *operation, const char *self_root, struct cfs_blob **text,
		    struct cfs_blob **json);
/* Declared graph ids (copy; free with cfs_fs_names_free). */
void cfs_fs_graph_ids(struct cfs_fs *fs, char ***ids, size_t *n);
void cfs_fs_names_free(char **v, size_t n);

/* fs/control.c */
const char *cfs_control_name(enum cfs_control_kind k);
/* Run the operation for a write of buf (see fs.md).  0 or -errno. */
int cfs_control_write(struct cfs_fs *fs, enum cfs_control_kind k, const char *buf, size_t len, uid_t uid);
/* The last report of k (empty before the first operation). */
struct cfs_blob *cfs_control_last(struct cfs_fs *fs, enum cfs_control_kind k, bool json);

/* The gates of the current (observed) plan: resource names ("graph.x") and
 * whether a valid approval covers each. */
struct cfs_gate_info {
	char *resource;
	bool satisfied;
};
void cfs_fs_gates(struct cfs_fs *fs, struct cfs_gate_info **gates, size_t *n);
void cfs_fs_gates_free(struct cfs_gate_info *g, size_t n);
/* What approvals/<resource> shows; NULL (ENOENT) if it is no gate. */
struct cfs_blob *cfs_fs_approval_view(struct cfs_fs *fs, const char *resource);
int cfs_fs_approve(struct cfs_fs *fs, const char *resource, uid_t uid);
/* lock: the current lock bytes (empty if none); a write force-unlocks. */
struct cfs_blob *cfs_fs_lock_view(struct cfs_fs *fs);
int cfs_fs_lock_write(struct cfs_fs *fs, const char *buf, size_t len, uid_t uid);

/* The actor for an operation by uid (-o actor map, passwd name, "uid:N").
 * Caller frees. */
char *cfs_fs_actor(const struct cfs_fs *fs, uid_t uid);

/* True if path is (lexically) the mount point or below it: the daemon
 * must never do I/O through its own mount. */
bool cfs_fs_inside_mount(const struct cfs_fs *fs, const char *path);

/* fs/mount.c: log one line to stderr (syslog when daemonized). */
void cfs_fs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
