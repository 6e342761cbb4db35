/*
 * fs/mount: `clusterfs mount [--config DIR] MOUNTPOINT [-f] [-d] [-o OPTS]`
 * on libfuse3's high-level API (multi-threaded).  Paths are resolved into
 * nodes (resolve()), each node kind answers getattr/readdir/open/read/
 * write; desired/ goes to fs/desired.c.  Every open file gets a handle
 * (struct handle) holding what it reads: an immutable blob (reports,
 * views: one open = one consistent report), a read-only backing fd
 * (state.json, catalog/, events), or the passthrough's own fh.
 *
 * Options of ours, parsed out of -o: config=DIR, group=NAME (control files
 * writable by that group too; implies allow_other), actor=UID:NAME.  Always
 * added: default_permissions, fsname=clusterfs:<dir>, subtype=clusterfs.
 */
#define _GNU_SOURCE
#include "fs/fs.h"
#include "fs/mount.h"
#include "fs/views.h"
#include "core/path.h"
#include "core/strbuf.h"
#include "engine/gitrepo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HISTORY_MAX 100

static bool log_stderr = true;

void cfs_fs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_stderr) {
		va_list ap2;
		va_copy(ap2, ap);
		fputs("clusterfs: ", stderr);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
		va_end(ap2);
	}
	vsyslog(LOG_INFO, fmt, ap);
	va_end(ap);
}

static struct cfs_fs *ctx(void)
{
	return fuse_get_context()->private_data;
}

/* ---- nodes ------------------------------------------------------------ */

enum nkind {
	N_ROOT, N_README, N_DESIRED, N_REPORT, N_CONTROL, N_APPROVALS, N_APPROVAL, N_LOCK,
	N_REAL,                 /* a ledger file or catalog entry, read-only */
	N_GRAPHS, N_GRAPH, N_GRAPH_FILE, N_GRAPH_QUERIES, N_GRAPH_QUERY,
	N_HISTORY, N_HISTORY_LINK, N_GIT,
};

struct node {
	enum nkind kind;
	const char *rel;        /* N_DESIRED: path below desired/ */
	int which;              /* report / control kind */
	bool json;
	char *name;             /* graph id, approval resource, commit id */
	char *sub;              /* graph file, query file, git path */
	char *real;             /* N_REAL: the storage root */
	char *key;              /* N_REAL: "__cluster/..." below it */
	bool empty_ok;          /* N_REAL: a missing entry is empty (events, catalog/) */
	bool is_dir;            /* N_REAL: a directory (catalog/ itself, when missing) */
	bool immutable;         /* N_REAL: a catalog blob; N_GIT: below history/ */
};

static void node_free(struct node *n)
{
	free(n->name);
	free(n->sub);
	free(n->real);
	free(n->key);
}

static const char *const report_names[] = { "validate", "plan", "status" };

static struct cfs_gitview *git(struct cfs_fs *fs)
{
	struct cfs_gitview *gv;

	pthread_mutex_lock(&fs->mu);
	if (!fs->git && fs->git_tried != time(NULL)) {
		fs->git_tried = time(NULL);
		if (cfs_gitview_open(fs->config_dir, &gv) == 0)
			fs->git = gv;
	}
	gv = fs->git;
	pthread_mutex_unlock(&fs->mu);
	return gv;
}

static bool is_declared(struct cfs_fs *fs, const char *id)
{
	char **ids;
	size_t n;
	bool found = false;

	cfs_fs_graph_ids(fs, &ids, &n);
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(ids[i], id);
	cfs_fs_names_free(ids, n);
	return found;
}

static bool is_gate(struct cfs_fs *fs, const char *res)
{
	struct cfs_gate_info *g;
	size_t n;
	bool found = false;

	cfs_fs_gates(fs, &g, &n);
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(g[i].resource, res);
	cfs_fs_gates_free(g, n);
	return found;
}

/* Split "a/b/c" at the first '/': returns the rest (or "") and copies the
 * head.  */
static const char *head(const char *p, char **out)
{
	const char *s = strchr(p, '/');

	*out = s ? cfs_xstrndup(p, (size_t)(s - p)) : cfs_xstrdup(p);
	return s ? s + 1 : p + strlen(p);
}

static int resolve_ledger(struct cfs_fs *fs, struct node *n, const char *key, bool empty_ok)
{
	char *root = cfs_fs_storage_root(fs);

	if (!root)
		return -ENOENT;
	n->kind = N_REAL;
	n->real = root;
	n->key = cfs_xstrdup(key);
	n->empty_ok = empty_ok;
	return 0;
}

/*
 * Open a ledger entry below its storage root, following no symlink on
 * the way (a ledger folder writable by others must not lead the daemon
 * elsewhere) and never blocking on a FIFO.  An fd, or -errno.
 */
static int ledger_open(const struct node *n, int flags)
{
	/* (openat2 refuses O_NONBLOCK beside O_PATH) */
	int extra = flags & O_PATH ? O_CLOEXEC | O_NOFOLLOW : O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW;
	struct open_how how = { .flags = (uint64_t)(unsigned)(flags | extra),
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
	int root = open(n->real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long fd;

	if (root < 0)
		return -errno;
	fd = syscall(SYS_openat2, root, n->key, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)  /* no openat2 (old kernel, valgrind) */
		fd = openat(root, n->key, flags | extra);
	int err = errno;
	close(root);
	return fd < 0 ? -err : (int)fd;
}

/* Components that must not appear in view paths. */
static bool bad_rest(const char *rest)
{
	const char *p = rest;

	while (*p) {
		const char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		if (!l || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p += l + (s ? 1 : 0);
	}
	return false;
}

static int resolve_git(struct cfs_fs *fs, struct node *n, const char *commit, const char *rest)
{
	struct cfs_gitview *gv = git(fs);
	struct cfs_gitnode gn;

	if (!gv)
		return -ENOENT;
	if (cfs_gitview_stat(gv, commit, rest, &gn))
		return errno == ENOTDIR ? -ENOTDIR : -ENOENT;
	n->kind = N_GIT;
	n->name = cfs_xstrdup(commit);
	n->sub = cfs_xstrdup(rest);
	return 0;
}

/* top is name or its JSON twin name.json (which sets *json). */
static bool name_or_json(const char *top, const char *name, bool *json)
{
	size_t len = strlen(name);

	if (strncmp(top, name, len) || (top[len] && strcmp(top + len, ".json")))
		return false;
	*json = top[len] != '\0';
	return true;
}

static int resolve(struct cfs_fs *fs, const char *path, struct node *n)
{
	const char *rest;
	char *top;

	memset(n, 0, sizeof(*n));
	if (!path || path[0] != '/')
		return -ENOENT;
	path++;
	if (!*path) {
		n->kind = N_ROOT;
		return 0;
	}
	rest = head(path, &top);
	int rc = -ENOENT;
	if (!strcmp(top, "desired")) {
		n->kind = N_DESIRED;
		n->rel = rest;
		rc = 0;
	} else if (*rest && strcmp(top, "approvals") && strcmp(top, "catalog") && strcmp(top, "graphs") &&
		   strcmp(top, "applied") && strcmp(top, "history")) {
		rc = -ENOTDIR;
	} else if (!strcmp(top, "README")) {
		n->kind = N_README;
		rc = 0;
	} else if (!strcmp(top, "lock")) {
		n->kind = N_LOCK;
		rc = 0;
	} else if (!strcmp(top, "state.json")) {
		rc = resolve_ledger(fs, n, "__cluster/state.json", false);
	} else if (!strcmp(top, "events")) {
		rc = resolve_ledger(fs, n, "__cluster/events.jsonl", true);
	} else if (!strcmp(top, "catalog")) {
		if (bad_rest(rest))
			rc = -ENOENT;
		else if (!*rest) {
			rc = resolve_ledger(fs, n, "__cluster/resources", true);
			n->is_dir = true;
		} else {
			char *key = cfs_xasprintf("__cluster/resources/%s", rest);
			rc = resolve_ledger(fs, n, key, false);
			n->immutable = true;    /* blobs are written once (cluster.md §6) */
			free(key);
		}
	} else if (!strcmp(top, "approvals")) {
		if (!*rest) {
			n->kind = N_APPROVALS;
			rc = 0;
		} else if (!strchr(rest, '/') && is_gate(fs, rest)) {
			n->kind = N_APPROVAL;
			n->name = cfs_xstrdup(rest);
			rc = 0;
		}
	} else if (!strcmp(top, "graphs")) {
		char *id = NULL;
		if (!*rest) {
			n->kind = N_GRAPHS;
			rc = 0;
		} else {
			rest = head(rest, &id);
			if (is_declared(fs, id)) {
				char *file = NULL;
				n->name = id;
				id = NULL;
				if (!*rest) {
					n->kind = N_GRAPH;
					rc = 0;
				} else {
					rest = head(rest, &file);
					if (!strcmp(file, "queries")) {
						if (!*rest) {
							n->kind = N_GRAPH_QUERIES;
							rc = 0;
						} else if (!strchr(rest, '/')) {
							n->kind = N_GRAPH_QUERY;
							n->sub = cfs_xstrdup(rest);
							rc = 0;
						}
					} else if (!*rest && (!strcmp(file, "schema.pg") || !strcmp(file, "version") ||
							      !strcmp(file, "status"))) {
						n->kind = N_GRAPH_FILE;
						n->sub = cfs_xstrdup(file);
						rc = 0;
					} else if (*rest) {
						rc = -ENOTDIR;
					}
					free(file);
				}
			}
			free(id);
		}
	} else if (!strcmp(top, "applied")) {
		struct cfs_gitview *gv = git(fs);
		char full[CFS_OID_HEX];
		if (!gv || bad_rest(rest)) {
			rc = -ENOENT;
		} else if (cfs_gitview_applied(gv, full)) {
			/* a repository but nothing applied yet: an empty directory */
			if (!*rest) {
				n->kind = N_GIT;
				rc = 0;
			}
		} else {
			rc = resolve_git(fs, n, full, rest);
		}
	} else if (!strcmp(top, "history")) {
		struct cfs_gitview *gv = git(fs);
		if (!gv || bad_rest(rest)) {
			rc = -ENOENT;
		} else if (!*rest) {
			n->kind = N_HISTORY;
			rc = 0;
		} else {
			char *spec = NULL, full[CFS_OID_HEX];
			rest = head(rest, &spec);
			if (!cfs_gitview_resolve(gv, spec, full)) {
				if (strcmp(spec, full)) {
					/* an abbreviation is a symlink to the full id */
					if (!*rest) {
						n->kind = N_HISTORY_LINK;
						n->name = cfs_xstrdup(full);
						rc = 0;
					} else {
						rc = -ENOTDIR;
					}
				} else {
					rc = resolve_git(fs, n, full, rest);
					n->immutable = true;
				}
			}
			free(spec);
		}
	} else {
		for (int i = 0; i < CFS_REPORT_N && rc; i++)
			if (name_or_json(top, report_names[i], &n->json)) {
				n->kind = N_REPORT;
				n->which = i;
				rc = 0;
			}
		for (int i = 0; i < CFS_CONTROL_N && rc; i++)
			if (name_or_json(top, cfs_control_name(i), &n->json)) {
				n->kind = N_CONTROL;
				n->which = i;
				rc = 0;
			}
	}
	free(top);
	if (rc)
		node_free(n);
	return rc;
}

/* ---- content of blob-backed nodes ------------------------------------- */

static int node_blob(struct cfs_fs *fs, const struct node *n, struct cfs_blob **out)
{
	char *data = NULL, *root;
	size_t len = 0;
	int rc;

	switch (n->kind) {
	case N_README:
		*out = cfs_blob_new(cfs_fs_readme, strlen(cfs_fs_readme));
		return 0;
	case N_REPORT:
		*out = cfs_report_get(fs, n->which, n->json);
		return 0;
	case N_CONTROL:
		*out = cfs_control_last(fs, n->which, n->json);
		return 0;
	case N_APPROVAL:
		*out = cfs_fs_approval_view(fs, n->name);
		return *out ? 0 : -ENOENT;
	case N_LOCK:
		*out = cfs_fs_lock_view(fs);
		return 0;
	case N_HISTORY_LINK:
		*out = cfs_blob_new(n->name, strlen(n->name));
		return 0;
	case N_GRAPH_FILE:
	case N_GRAPH_QUERY:
		root = cfs_fs_storage_root(fs);
		if (!root)
			return -ENOENT;
		rc = n->kind == N_GRAPH_FILE ? cfs_view_graph_file(root, n->name, n->sub, &data, &len)
					     : cfs_view_graph_query(root, n->name, n->sub, &data, &len);
		free(root);
		if (rc)
			return rc;
		*out = cfs_blob_take(data, len);
		return 0;
	case N_GIT: {
		struct cfs_gitview *gv = git(fs);
		if (!gv || !n->name)
			return -EISDIR;
		if (cfs_gitview_read(gv, n->name, n->sub, &data, &len))
			return errno == ENOENT ? -ENOENT : -EIO;
		*out = cfs_blob_take(data, len);
		return 0;
	}
	default:
		return -EISDIR;
	}
}

static void fill_common(struct cfs_fs *fs, struct stat *st, mode_t mode)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(st, 0, sizeof(*st));
	st->st_mode = mode;
	st->st_nlink = S_ISDIR(mode) ? 2 : 1;
	st->st_uid = fs->owner;
	st->st_gid = fs->group;
	st->st_atim = st->st_mtim = st->st_ctim = now;
	st->st_blksize = 4096;
}

static mode_t writable_mode(const struct cfs_fs *fs)
{
	return fs->group_set ? 0664 : 0644;
}

/* Attributes of a node whose content is the blob b. */
static void blob_stat(struct cfs_fs *fs, const struct node *n, const struct cfs_blob *b, struct stat *st)
{
	mode_t mode = S_IFREG | 0444;

	if (n->kind == N_HISTORY_LINK)
		mode = S_IFLNK | 0777;
	else if ((n->kind == N_CONTROL && !n->json) || n->kind == N_LOCK)
		mode = S_IFREG | writable_mode(fs);
	else if (n->kind == N_APPROVAL) {
		/* the view (b) says whether the gate is satisfied */
		json_t *view = json_loadb(b->data, b->len, 0, NULL);
		bool satisfied = json_is_true(json_object_get(view, "satisfied"));
		json_decref(view);
		mode = S_IFREG | (satisfied ? 0444 : writable_mode(fs));
	}
	fill_common(fs, st, mode);
	st->st_size = (off_t)b->len;
	st->st_blocks = (blkcnt_t)((b->len + 511) / 512);
}

static int node_getattr(struct cfs_fs *fs, const struct node *n, struct stat *st)
{
	struct cfs_blob *b = NULL;
	int rc;

	switch (n->kind) {
	case N_APPROVALS:
		/* writable, so that a create of a name that is no gate reaches
		 * op_create and fails with ENOENT (fs.md) */
		fill_common(fs, st, S_IFDIR | (fs->group_set ? 0775 : 0755));
		return 0;
	case N_ROOT:
	case N_GRAPHS:
	case N_GRAPH:
	case N_GRAPH_QUERIES:
	case N_HISTORY:
		fill_common(fs, st, S_IFDIR | 0555);
		return 0;
	case N_REAL: {
		int fd = ledger_open(n, O_PATH), err = 0;
		if (fd >= 0) {
			err = fstat(fd, st) ? -errno : 0;
			close(fd);
		}
		if (fd < 0 || err) {
			if ((fd < 0 ? fd : err) != -ENOENT || !n->empty_ok)
				return fd < 0 ? fd : err;
			fill_common(fs, st, n->is_dir ? S_IFDIR | 0555 : S_IFREG | 0444);
			return 0;
		}
		if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
			return -EACCES;         /* no devices, FIFOs or sockets */
		st->st_mode &= ~(mode_t)0222;
		st->st_uid = fs->owner;
		st->st_gid = fs->group;
		return 0;
	}
	case N_GIT: {
		struct cfs_gitnode gn;
		struct cfs_gitview *gv = git(fs);
		if (!n->name) {         /* applied/ before the first apply */
			fill_common(fs, st, S_IFDIR | 0555);
			return 0;
		}
		if (!gv || cfs_gitview_stat(gv, n->name, n->sub, &gn))
			return -ENOENT;
		fill_common(fs, st, gn.mode);
		st->st_size = (off_t)gn.size;
		st->st_atim.tv_sec = st->st_mtim.tv_sec = st->st_ctim.tv_sec = gn.time;
		st->st_atim.tv_nsec = st->st_mtim.tv_nsec = st->st_ctim.tv_nsec = 0;
		return 0;
	}
	default:
		break;
	}
	rc = node_blob(fs, n, &b);
	if (rc)
		return rc;
	blob_stat(fs, n, b, st);
	cfs_blob_unref(b);
	return 0;
}

/* ---- handles ---------------------------------------------------------- */

enum hkind { H_DESIRED, H_BLOB, H_FD, H_CONTROL, H_DIR };

struct handle {
	enum hkind kind;
	uint64_t inner;                 /* H_DESIRED: the passthrough's fh */
	struct cfs_blob *blob;          /* H_BLOB, H_CONTROL (current view) */
	int fd;                         /* H_FD */
	struct node node;               /* H_CONTROL: what writes go to; H_DIR: what it lists */
	char *rel;                      /* H_DESIRED directory: its path below desired/ */
	int write_rc;                   /* H_CONTROL: result of the last write */
	struct stat st;                 /* H_BLOB, H_CONTROL, H_DIR: attributes at open */
};

static struct handle *handle_new(enum hkind k)
{
	struct handle *h = cfs_xcalloc(1, sizeof(*h));

	h->kind = k;
	h->fd = -1;
	return h;
}

static struct handle *H(const struct fuse_file_info *fi)
{
	return (struct handle *)(uintptr_t)fi->fh;
}

/* A copy of fi whose fh is the passthrough's own. */
static struct fuse_file_info inner_fi(const struct fuse_file_info *fi)
{
	struct fuse_file_info x = *fi;

	x.fh = H(fi)->inner;
	return x;
}

/*
 * Wrap what the passthrough opened (x, filled from fi) in a handle of
 * ours.  A file keeps the passthrough's open flags (x); a directory
 * (dir_rel: its path below desired/) keeps fi's and remembers the path.
 */
static void adopt_desired(struct fuse_file_info *fi, const struct fuse_file_info *x, const char *dir_rel)
{
	struct handle *h = handle_new(H_DESIRED);

	h->inner = x->fh;
	if (dir_rel)
		h->rel = cfs_xstrdup(dir_rel);
	else
		*fi = *x;
	fi->fh = (uintptr_t)h;
}

static void handle_free(struct handle *h)
{
	if (!h)
		return;
	cfs_blob_unref(h->blob);
	free(h->rel);
	if (h->fd >= 0)
		close(h->fd);
	node_free(&h->node);
	free(h);
}

/* ---- fuse operations -------------------------------------------------- */

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* lookups in one directory in parallel: faster, and a request that
	 * reaches back into this mount is served by another worker instead
	 * of waiting for the directory the first one holds */
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	cfg->use_ino = 0;
	cfg->nullpath_ok = 1;
	/* An unlinked open file lives on as .fuse_hidden* until its last
	 * close (fstat on it needs a path: the kernel sends no handle);
	 * desired/ listings skip those names. */
	cfg->hard_remove = 0;
	cfg->entry_timeout = 0;         /* reports change under the kernel's feet */
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return ctx();
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if (fi && fi->fh) {
		struct handle *h = H(fi);
		if (h->kind == H_DESIRED) {
			struct fuse_file_info x = inner_fi(fi);
			return cfs_dfs_getattr(&fs->dfs, "", st, &x);
		}
		if (h->kind == H_FD) {
			if (fstat(h->fd, st))
				return -errno;
			st->st_mode &= ~(mode_t)0222;
			return 0;
		}
		if (!path) {            /* unlinked or nullpath: what it was at open */
			*st = h->st;
			return 0;
		}
	}
	if ((rc = resolve(fs, path, &n)))
		return rc;
	rc = n.kind == N_DESIRED ? cfs_dfs_getattr(&fs->dfs, n.rel, st, NULL) : node_getattr(fs, &n, st);
	node_free(&n);
	return rc;
}

static int op_access(const char *path, int mask)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED)
		rc = cfs_dfs_access(&fs->dfs, n.rel, mask);
	node_free(&n);
	return rc;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	struct cfs_blob *b;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED) {
		rc = cfs_dfs_readlink(&fs->dfs, n.rel, buf, size);
	} else if (n.kind == N_HISTORY_LINK || n.kind == N_GIT) {
		struct stat st;
		rc = node_getattr(fs, &n, &st);
		if (!rc && !S_ISLNK(st.st_mode))
			rc = -EINVAL;
		if (!rc && !(rc = node_blob(fs, &n, &b))) {
			if (!size)
				rc = -EINVAL;
			else {
				size_t l = b->len < size - 1 ? b->len : size - 1;
				memcpy(buf, b->data, l);
				buf[l] = '\0';
			}
			cfs_blob_unref(b);
		}
	} else {
		rc = -EINVAL;
	}
	node_free(&n);
	return rc;
}

/* Everything outside desired/ is read-only apart from writes to control
 * files, approvals and lock. */
#define DESIRED_ONLY(path, n, call)                                                            \
	do {                                                                                   \
		int rc_;                                                                       \
		if ((rc_ = resolve(fs, path, &n)))                                             \
			return rc_ == -ENOENT ? -EACCES : rc_;                                 \
		rc_ = n.kind == N_DESIRED ? (call) : -EACCES;                                  \
		node_free(&n);                                                                 \
		return rc_;                                                                    \
	} while (0)

static int op_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	DESIRED_ONLY(path, n, cfs_dfs_mknod(&fs->dfs, n.rel, mode, rdev));
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	DESIRED_ONLY(path, n, cfs_dfs_mkdir(&fs->dfs, n.rel, mode));
}

static int op_unlink(const char *path)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	DESIRED_ONLY(path, n, cfs_dfs_unlink(&fs->dfs, n.rel));
}

static int op_rmdir(const char *path)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	DESIRED_ONLY(path, n, cfs_dfs_rmdir(&fs->dfs, n.rel));
}

static int op_symlink(const char *target, const char *path)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	DESIRED_ONLY(path, n, cfs_dfs_symlink(&fs->dfs, target, n.rel));
}

static int two_desired(const char *from, const char *to, struct node *a, struct node *b)
{
	struct cfs_fs *fs = ctx();
	int rc;

	if ((rc = resolve(fs, from, a)))
		return rc;
	if ((rc = resolve(fs, to, b))) {
		node_free(a);
		return rc == -ENOENT ? -EACCES : rc;
	}
	if (a->kind != N_DESIRED || b->kind != N_DESIRED)
		rc = a->kind == N_DESIRED || b->kind == N_DESIRED ? -EXDEV : -EACCES;
	if (rc) {
		node_free(a);
		node_free(b);
	}
	return rc;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	struct node a, b;
	int rc = two_desired(from, to, &a, &b);

	if (rc)
		return rc;
	rc = cfs_dfs_rename(&ctx()->dfs, a.rel, b.rel, flags);
	node_free(&a);
	node_free(&b);
	return rc;
}

static int op_link(const char *from, const char *to)
{
	struct node a, b;
	int rc = two_desired(from, to, &a, &b);

	if (rc)
		return rc;
	rc = cfs_dfs_link(&ctx()->dfs, a.rel, b.rel);
	node_free(&a);
	node_free(&b);
	return rc;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	if (fi && fi->fh && H(fi)->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_chmod(&fs->dfs, "", mode, &x);
	}
	DESIRED_ONLY(path, n, cfs_dfs_chmod(&fs->dfs, n.rel, mode, NULL));
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;

	if (fi && fi->fh && H(fi)->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_chown(&fs->dfs, "", uid, gid, &x);
	}
	DESIRED_ONLY(path, n, cfs_dfs_chown(&fs->dfs, n.rel, uid, gid, NULL));
}

static bool writable_node(const struct node *n)
{
	return (n->kind == N_CONTROL && !n->json) || n->kind == N_LOCK || n->kind == N_APPROVAL;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if (fi && fi->fh) {
		struct handle *h = H(fi);
		if (h->kind == H_DESIRED) {
			struct fuse_file_info x = inner_fi(fi);
			return cfs_dfs_truncate(&fs->dfs, "", size, &x);
		}
		return h->kind == H_CONTROL ? 0 : -EACCES;
	}
	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED)
		rc = cfs_dfs_truncate(&fs->dfs, n.rel, size, NULL);
	else
		rc = writable_node(&n) ? 0 : -EACCES;   /* `echo x > apply` truncates first: a no-op */
	node_free(&n);
	return rc;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if (fi && fi->fh && H(fi)->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_utimens(&fs->dfs, "", tv, &x);
	}
	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED)
		rc = cfs_dfs_utimens(&fs->dfs, n.rel, tv, NULL);
	else
		rc = writable_node(&n) ? 0 : -EACCES;   /* `touch apply` does nothing */
	node_free(&n);
	return rc;
}

static int open_node(struct cfs_fs *fs, struct node *n, struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;
	struct handle *h;
	int rc;

	if (acc != O_RDONLY && !writable_node(n))
		return n->kind == N_ROOT || n->kind == N_GRAPHS || n->kind == N_APPROVALS ? -EISDIR : -EACCES;
	if (n->kind == N_REAL) {
		struct stat st;
		int fd = ledger_open(n, O_RDONLY);
		if (fd < 0 && !(fd == -ENOENT && n->empty_ok))
			return fd;
		if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
			close(fd);
			return -EACCES;
		}
		h = handle_new(fd < 0 ? H_BLOB : H_FD);
		h->fd = fd;
		if (fd < 0)
			h->blob = cfs_blob_new("", 0);
		/* catalog blobs are immutable; events grow: read through us */
		fi->keep_cache = n->immutable;
		fi->direct_io = !n->immutable;
		fi->fh = (uintptr_t)h;
		return 0;
	}
	h = handle_new(writable_node(n) ? H_CONTROL : H_BLOB);
	if ((rc = node_blob(fs, n, &h->blob)) || (n->kind == N_GIT && (rc = node_getattr(fs, n, &h->st)))) {
		handle_free(h);
		return rc;
	}
	if (n->kind != N_GIT)
		blob_stat(fs, n, h->blob, &h->st);
	if (h->kind == H_CONTROL) {
		h->node = *n;
		memset(n, 0, sizeof(*n));       /* the handle owns it now */
	}
	fi->direct_io = 1;              /* size and bytes come from this handle */
	fi->keep_cache = 0;
	if (n->kind == N_GIT && n->immutable) {
		fi->direct_io = 0;      /* a commit's tree never changes (applied/ does) */
		fi->keep_cache = 1;
	}
	fi->nonseekable = 0;
	fi->fh = (uintptr_t)h;
	return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED) {
		struct fuse_file_info x = *fi;
		if (!(rc = cfs_dfs_open(&fs->dfs, n.rel, &x)))
			adopt_desired(fi, &x, NULL);
	} else {
		rc = open_node(fs, &n, fi);
	}
	node_free(&n);
	return rc;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n))) {
		/* approvals/<not a gate>: ENOENT (fs.md); elsewhere read-only */
		return !strncmp(path, "/approvals/", 11) ? -ENOENT : rc == -ENOENT ? -EACCES : rc;
	}
	if (n.kind == N_DESIRED) {
		struct fuse_file_info x = *fi;
		if (!(rc = cfs_dfs_create(&fs->dfs, n.rel, mode, &x)))
			adopt_desired(fi, &x, NULL);
	} else {
		rc = open_node(fs, &n, fi);     /* O_CREAT of an existing control file */
	}
	node_free(&n);
	return rc;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct handle *h = H(fi);
	(void)path;

	switch (h->kind) {
	case H_DESIRED: {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_read(&ctx()->dfs, buf, size, off, &x);
	}
	case H_FD: {
		ssize_t got = pread(h->fd, buf, size, off);
		return got < 0 ? -errno : (int)got;
	}
	case H_BLOB:
	case H_CONTROL:
		if (off < 0)
			return -EINVAL;
		if ((size_t)off >= h->blob->len)
			return 0;
		if (size > h->blob->len - (size_t)off)
			size = h->blob->len - (size_t)off;
		memcpy(buf, h->blob->data + off, size);
		return (int)size;
	case H_DIR:
		break;
	}
	return -EISDIR;
}

static int op_read_buf(const char *path, struct fuse_bufvec **bufp, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct handle *h = H(fi);

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_read_buf(&ctx()->dfs, bufp, size, off, &x);
	}
	struct fuse_bufvec *v = malloc(sizeof(*v));
	char *mem = malloc(size ? size : 1);
	if (!v || !mem) {
		free(v);
		free(mem);
		return -ENOMEM;
	}
	int got = op_read(path, mem, size, off, fi);
	if (got < 0) {
		free(v);
		free(mem);
		return got;
	}
	*v = FUSE_BUFVEC_INIT((size_t)got);
	v->buf[0].mem = mem;
	*bufp = v;
	return 0;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct handle *h = H(fi);
	uid_t uid = fuse_get_context()->uid;
	int rc;
	(void)path;

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_write(&fs->dfs, buf, size, off, &x);
	}
	if (h->kind != H_CONTROL)
		return -EBADF;
	switch (h->node.kind) {
	case N_CONTROL:
		rc = cfs_control_write(fs, h->node.which, buf, size, uid);
		break;
	case N_APPROVAL:
		rc = cfs_fs_approve(fs, h->node.name, uid);
		break;
	case N_LOCK:
		rc = cfs_fs_lock_write(fs, buf, size, uid);
		break;
	default:
		rc = -EBADF;
	}
	h->write_rc = rc;
	return rc ? rc : (int)size;
}

static int op_write_buf(const char *path, struct fuse_bufvec *src, off_t off, struct fuse_file_info *fi)
{
	struct handle *h = H(fi);

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_write_buf(&ctx()->dfs, src, off, &x);
	}
	size_t size = fuse_buf_size(src);
	char *mem = malloc(size ? size : 1);
	if (!mem)
		return -ENOMEM;
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
	dst.buf[0].mem = mem;
	ssize_t got = fuse_buf_copy(&dst, src, 0);
	int rc = got < 0 ? (int)got : op_write(path, mem, (size_t)got, off, fi);
	free(mem);
	return rc;
}

static int op_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return cfs_dfs_statfs(&ctx()->dfs, st);
}

static int op_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	if (H(fi)->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_flush(&ctx()->dfs, &x);
	}
	return 0;
}

/* Close a handle: the passthrough's own part through close_inner. */
static int release_with(struct fuse_file_info *fi, int (*close_inner)(struct cfs_dfs *, struct fuse_file_info *))
{
	struct handle *h = H(fi);
	int rc = 0;

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		rc = close_inner(&ctx()->dfs, &x);
	}
	handle_free(h);
	return rc;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return release_with(fi, cfs_dfs_release);
}

/* fsync of the passthrough's own part; the rest is durable already (an
 * operation's write returns after the operation's own fsyncs). */
static int fsync_with(int datasync, struct fuse_file_info *fi,
		      int (*sync_inner)(struct cfs_dfs *, int, struct fuse_file_info *))
{
	if (H(fi)->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return sync_inner(&ctx()->dfs, datasync, &x);
	}
	return 0;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	return fsync_with(datasync, fi, cfs_dfs_fsync);
}

static int op_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
	(void)path;
	if (H(fi)->kind != H_DESIRED)
		return -EOPNOTSUPP;
	struct fuse_file_info x = inner_fi(fi);
	return cfs_dfs_fallocate(&ctx()->dfs, mode, off, len, &x);
}

static off_t op_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
	struct handle *h = H(fi);
	(void)path;

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_lseek(&ctx()->dfs, off, whence, &x);
	}
	if (h->kind == H_FD) {
		off_t r = lseek(h->fd, off, whence);
		return r < 0 ? -errno : r;
	}
	size_t len = h->blob ? h->blob->len : 0;
	if (whence == SEEK_DATA)
		return (size_t)off < len ? off : -ENXIO;
	if (whence == SEEK_HOLE)
		return (size_t)off < len ? (off_t)len : -ENXIO;
	return -EINVAL;
}

/* xattrs: desired/ only; virtual files answer ENOTSUP so the kernel stops
 * asking (fs.md performance notes). */
static int op_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	rc = n.kind == N_DESIRED ? cfs_dfs_setxattr(&fs->dfs, n.rel, name, value, size, flags) : -ENOTSUP;
	node_free(&n);
	return rc;
}

static int op_getxattr(const char *path, const char *name, char *value, size_t size)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	rc = n.kind == N_DESIRED ? cfs_dfs_getxattr(&fs->dfs, n.rel, name, value, size) : -ENOTSUP;
	node_free(&n);
	return rc;
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	rc = n.kind == N_DESIRED ? cfs_dfs_listxattr(&fs->dfs, n.rel, list, size) : -ENOTSUP;
	node_free(&n);
	return rc;
}

static int op_removexattr(const char *path, const char *name)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	rc = n.kind == N_DESIRED ? cfs_dfs_removexattr(&fs->dfs, n.rel, name) : -ENOTSUP;
	node_free(&n);
	return rc;
}

/* ---- directories ------------------------------------------------------ */

static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct cfs_fs *fs = ctx();
	struct node n;
	struct stat st;
	int rc;

	if ((rc = resolve(fs, path, &n)))
		return rc;
	if (n.kind == N_DESIRED) {
		struct fuse_file_info x = *fi;
		if (!(rc = cfs_dfs_opendir(&fs->dfs, n.rel, &x)))
			adopt_desired(fi, &x, n.rel);
	} else if (!(rc = node_getattr(fs, &n, &st))) {
		if (!S_ISDIR(st.st_mode)) {
			rc = -ENOTDIR;
		} else {
			struct handle *h = handle_new(H_DIR);
			h->st = st;
			h->node = n;
			memset(&n, 0, sizeof(n));
			fi->fh = (uintptr_t)h;
		}
	}
	node_free(&n);
	return rc;
}

static void fill_names(void *buf, fuse_fill_dir_t filler, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		filler(buf, names[i], NULL, 0, 0);
}

static int readdir_real(const struct node *n, void *buf, fuse_fill_dir_t filler)
{
	int fd = ledger_open(n, O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return fd == -ENOENT && n->empty_ok ? 0 : fd;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			filler(buf, e->d_name, NULL, 0, 0);
	closedir(d);
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct cfs_fs *fs = ctx();
	struct handle *h = H(fi);
	const struct node *n = &h->node;
	char **names = NULL, *root;
	size_t nn = 0;
	int rc = 0;
	(void)path;

	if (h->kind == H_DESIRED) {
		struct fuse_file_info x = inner_fi(fi);
		return cfs_dfs_readdir(&fs->dfs, h->rel, buf, filler, off, &x, flags);
	}
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	switch (n->kind) {
	case N_ROOT: {
		static const char *const fixed[] = {
			"README", "desired", "validate", "validate.json", "plan", "plan.json", "status",
			"status.json", "apply", "apply.json", "refresh", "refresh.json", "import", "import.json",
			"approvals", "lock", "catalog", "graphs", "events",
		};
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			filler(buf, fixed[i], NULL, 0, 0);
		if ((root = cfs_fs_storage_root(fs))) {
			char *p = cfs_xasprintf("%s/__cluster/state.json", root);
			if (!access(p, F_OK))
				filler(buf, "state.json", NULL, 0, 0);
			free(p);
			free(root);
		}
		if (git(fs)) {
			filler(buf, "applied", NULL, 0, 0);
			filler(buf, "history", NULL, 0, 0);
		}
		break;
	}
	case N_APPROVALS: {
		struct cfs_gate_info *g;
		cfs_fs_gates(fs, &g, &nn);
		for (size_t i = 0; i < nn; i++)
			filler(buf, g[i].resource, NULL, 0, 0);
		cfs_fs_gates_free(g, nn);
		nn = 0;
		break;
	}
	case N_GRAPHS:
		cfs_fs_graph_ids(fs, &names, &nn);
		fill_names(buf, filler, names, nn);
		break;
	case N_GRAPH:
		filler(buf, "status", NULL, 0, 0);
		filler(buf, "queries", NULL, 0, 0);
		if ((root = cfs_fs_storage_root(fs))) {
			if (cfs_view_graph_exists(root, n->name)) {
				filler(buf, "schema.pg", NULL, 0, 0);
				filler(buf, "version", NULL, 0, 0);
			}
			free(root);
		}
		break;
	case N_GRAPH_QUERIES:
		if ((root = cfs_fs_storage_root(fs))) {
			cfs_view_graph_queries(root, n->name, &names, &nn);
			fill_names(buf, filler, names, nn);
			free(root);
		}
		break;
	case N_REAL:
		rc = readdir_real(n, buf, filler);
		break;
	case N_HISTORY: {
		char(*ids)[CFS_OID_HEX] = NULL;
		size_t k = 0;
		struct cfs_gitview *gv = git(fs);
		if (gv && !cfs_gitview_log(gv, HISTORY_MAX, &ids, &k)) {
			for (size_t i = 0; i < k; i++) {
				char shortid[8];
				filler(buf, ids[i], NULL, 0, 0);
				memcpy(shortid, ids[i], 7);
				shortid[7] = '\0';
				filler(buf, shortid, NULL, 0, 0);
			}
		}
		free(ids);
		break;
	}
	case N_GIT: {
		struct cfs_gitview *gv = git(fs);
		if (gv && n->name && !cfs_gitview_readdir(gv, n->name, n->sub, &names, &nn)) {
			fill_names(buf, filler, names, nn);
			cfs_gitview_names_free(names, nn);
			names = NULL;
			nn = 0;
		}
		break;
	}
	default:
		rc = -ENOTDIR;
	}
	cfs_fs_names_free(names, nn);
	return rc;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return release_with(fi, cfs_dfs_releasedir);
}

static int op_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	return fsync_with(datasync, fi, cfs_dfs_fsyncdir);
}

static void op_destroy(void *data)
{
	(void)data;
}

static const struct fuse_operations ops = {
	.init = op_init,
	.destroy = op_destroy,
	.getattr = op_getattr,
	.access = op_access,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.chmod = op_chmod,
	.chown = op_chown,
	.truncate = op_truncate,
	.utimens = op_utimens,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.read_buf = op_read_buf,
	.write = op_write,
	.write_buf = op_write_buf,
	.statfs = op_statfs,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.fallocate = op_fallocate,
	.lseek = op_lseek,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
};

/* ---- command line ----------------------------------------------------- */

static void usage(FILE *out)
{
	fputs("usage: clusterfs mount [--config DIR] MOUNTPOINT [-f] [-d] [-o OPTS]\n"
	      "\n"
	      "Serve the cluster of DIR (default .) as a filesystem at MOUNTPOINT.\n"
	      "\n"
	      "    --config DIR     config directory holding cluster.yaml (default .)\n"
	      "    -f               stay in the foreground\n"
	      "    -d               debug: foreground, print every request\n"
	      "    -o OPTS          comma-separated mount options: FUSE's (allow_other, ro, ...)\n"
	      "                     and ours: config=DIR, group=NAME (that group may write control\n"
	      "                     files too; implies allow_other), actor=UID:NAME (repeatable)\n"
	      "\n"
	      "Unmount with `fusermount3 -u MOUNTPOINT`.  See clusterfs-mount(8).\n",
	      out);
}

/* Split one -o value into our options and FUSE's. */
static int take_opts(struct cfs_fs *fs, const char *opts, struct cfs_sb *fuse_opts, char **config,
		     char **group_name)
{
	char *copy = cfs_xstrdup(opts), *save = NULL;
	int rc = 0;

	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strncmp(o, "config=", 7)) {
			free(*config);
			*config = cfs_xstrdup(o + 7);
		} else if (!strncmp(o, "group=", 6)) {
			free(*group_name);
			*group_name = cfs_xstrdup(o + 6);
		} else if (!strncmp(o, "actor=", 6)) {
			char *colon = strchr(o + 6, ':'), *end;
			unsigned long uid = colon ? strtoul(o + 6, &end, 10) : 0;
			if (!colon || end != colon || colon == o + 6 || !colon[1]) {
				fprintf(stderr, "clusterfs mount: bad option 'actor=%s' (want actor=UID:NAME)\n", o + 6);
				rc = -1;
				break;
			}
			fs->actors = cfs_xrealloc(fs->actors, (fs->nactors + 1) * sizeof(*fs->actors));
			fs->actors[fs->nactors].uid = (uid_t)uid;
			fs->actors[fs->nactors++].name = cfs_xstrdup(colon + 1);
		} else {
			cfs_sb_addf(fuse_opts, ",%s", o);
		}
	}
	free(copy);
	return rc;
}

static void fs_free(struct cfs_fs *fs)
{
	cfs_dfs_fini(&fs->dfs);
	cfs_fs_watch_fini(fs);
	for (int i = 0; i < CFS_REPORT_N; i++) {
		cfs_blob_unref(fs->reports[i].text);
		cfs_blob_unref(fs->reports[i].json);
	}
	for (int i = 0; i < CFS_CONTROL_N; i++) {
		cfs_blob_unref(fs->last[i][0]);
		cfs_blob_unref(fs->last[i][1]);
	}
	for (size_t i = 0; i < fs->nactors; i++)
		free(fs->actors[i].name);
	free(fs->actors);
	free(fs->storage_root);
	free(fs->self_root);
	cfs_fs_names_free(fs->graph_ids, fs->ngraph_ids);
	if (fs->git)
		cfs_gitview_close(fs->git);
	free(fs->config_dir);
	free(fs->mountpoint);
	pthread_mutex_destroy(&fs->mu);
}

int cfs_mount_main(int argc, char **argv)
{
	struct cfs_fs fs;
	struct cfs_sb fo = CFS_SB_INIT;
	const char *config = ".", *mountpoint = NULL;
	char *group_name = NULL, *config_opt = NULL;    /* -o config=DIR */
	bool foreground = false, debug = false, single = false;
	int rc;

	memset(&fs, 0, sizeof(fs));
	fs.ino_fd = -1;
	fs.dfs.dirfd = -1;
	pthread_mutex_init(&fs.mu, NULL);
	fs.owner = getuid();
	fs.group = getgid();
	cfs_sb_adds(&fo, "default_permissions,subtype=clusterfs,max_threads=16,max_idle_threads=8");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (!strcmp(a, "--config") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "clusterfs mount: option '%s' requires an argument\n", a);
				goto usage;
			}
			if (a[1] == 'o') {
				if (take_opts(&fs, argv[++i], &fo, &config_opt, &group_name))
					goto usage;
			} else {
				config = argv[++i];
			}
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (!strncmp(a, "-o", 2)) {
			if (take_opts(&fs, a + 2, &fo, &config_opt, &group_name))
				goto usage;
		} else if (!strcmp(a, "-f")) {
			foreground = true;
		} else if (!strcmp(a, "-d")) {
			debug = foreground = true;
		} else if (!strcmp(a, "-s")) {
			single = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "clusterfs mount: unknown option '%s'\n", a);
			goto usage;
		} else if (!mountpoint) {
			mountpoint = a;
		} else {
			fprintf(stderr, "clusterfs mount: unexpected argument '%s'\n", a);
			goto usage;
		}
	}
	if (config_opt)
		config = config_opt;
	if (!mountpoint) {
		fputs("clusterfs mount: missing MOUNTPOINT\n", stderr);
		goto usage;
	}
	if (group_name) {
		struct group gr, *res = NULL;
		char buf[4096];
		if (getgrnam_r(group_name, &gr, buf, sizeof(buf), &res) || !res) {
			fprintf(stderr, "clusterfs mount: unknown group '%s'\n", group_name);
			goto usage;
		}
		fs.group = res->gr_gid;
		fs.group_set = true;
		cfs_sb_adds(&fo, ",allow_other");
	}

	fs.config_dir = cfs_path_absolute(config);
	struct stat st;
	if (!fs.config_dir || stat(fs.config_dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "clusterfs mount: config directory '%s' not found\n", config);
		rc = 1;
		goto out;
	}
	fs.mountpoint = cfs_path_absolute(mountpoint);
	if (cfs_fs_inside_mount(&fs, fs.config_dir)) {
		fprintf(stderr, "clusterfs mount: config directory '%s' is inside the mount point\n", config);
		rc = 1;
		goto out;
	}
	if ((rc = cfs_dfs_init(&fs.dfs, fs.config_dir))) {
		fprintf(stderr, "clusterfs mount: cannot open '%s': %s\n", fs.config_dir, strerror(-rc));
		rc = 1;
		goto out;
	}
	if ((rc = cfs_fs_watch_init(&fs)))
		fprintf(stderr, "clusterfs mount: inotify unavailable (%s); reports are not cached\n", strerror(-rc));
	char *fsname = cfs_xasprintf(",fsname=clusterfs:%s", fs.config_dir);
	/* fuse's option parser treats ',' as a separator; escape it */
	for (const char *p = fsname; *p; p++) {
		if ((*p == ',' && p != fsname) || *p == '\\')
			cfs_sb_addc(&fo, '\\');
		cfs_sb_addc(&fo, *p);
	}
	free(fsname);

	char *fargv[10];
	int fargc = 0;
	fargv[fargc++] = "clusterfs";
	fargv[fargc++] = (char *)mountpoint;
	fargv[fargc++] = "-o";
	fargv[fargc++] = (char *)cfs_sb_str(&fo);
	if (foreground)
		fargv[fargc++] = "-f";
	if (debug)
		fargv[fargc++] = "-d";
	if (single)
		fargv[fargc++] = "-s";
	fargv[fargc] = NULL;
	log_stderr = foreground;
	openlog("clusterfs", LOG_PID, LOG_DAEMON);
	rc = fuse_main(fargc, fargv, &ops, &fs) ? 1 : 0;
	closelog();
	goto out;
usage:
	usage(stderr);
	rc = 2;
out:
	free(group_name);
	free(config_opt);
	cfs_sb_release(&fo);
	fs_free(&fs);
	return rc;
}
