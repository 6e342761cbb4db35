/*
 * fs/report: the report files validate, plan, status and their .json
 * twins (fs.md "Reports").  A report is computed from desired/ and the
 * ledger without the lock (plan runs in its observe mode), rendered by
 * the CLI's renderers, and held as an immutable blob by each open handle.
 *
 * Cache: a report is reused while none of its inputs changed.  The inputs
 * are watched with inotify: every directory of the config folder, the
 * ledger folder, and the version and branch directories of the graph
 * roots.  The kernel queues an event before the changing call returns, so
 * a reader that drains the queue first never serves a report older than a
 * change it could have seen; any event (also of an unrelated file there)
 * bumps a generation counter that keys the cache.  A warm `cat plan` costs
 * one read(2) of the empty queue.  No cache while a lock is held (its age
 * is reported) or before the ledger folder exists.
 */
#include "fs/fs.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/desired.h"
#include "engine/plan.h"
#include "engine/render.h"
#include "engine/status.h"
#include "engine/validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct cfs_blob *cfs_blob_new(const char *data, size_t len)
{
	struct cfs_blob *b = cfs_xmalloc(sizeof(*b) + len + 1);

	b->refs = 1;
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

struct cfs_blob *cfs_blob_take(char *data, size_t len)
{
	struct cfs_blob *b = cfs_blob_new(data, len);

	free(data);
	return b;
}

struct cfs_blob *cfs_blob_json(json_t *v)
{
	char *s = cfs_json_pretty(v);
	struct cfs_blob *b = cfs_blob_take(s, strlen(s));

	json_decref(v);
	return b;
}

FILE *cfs_mem_open(struct cfs_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f;
}

struct cfs_blob *cfs_mem_blob(struct cfs_mem *m)
{
	if (!m->f)
		return cfs_blob_new("", 0);
	fclose(m->f);
	return cfs_blob_take(m->buf, m->len);
}

struct cfs_blob *cfs_blob_ref(struct cfs_blob *b)
{
	if (b)
		__atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
	return b;
}

void cfs_blob_unref(struct cfs_blob *b)
{
	if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(b);
}

/* ---- watching the inputs --------------------------------------------- */

#define WATCH_MASK                                                                                   \
	(IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
	 IN_MOVE_SELF | IN_ONLYDIR)

void cfs_fs_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Watch dir and (depth permitting) its subdirectories; ".git" and the
 * names in skip_top (directly under dir) are left out.  The start may be
 * a symlink (a config folder or ledger elsewhere); below it, symlinks are
 * not followed.  False if some watch could not be added. */
static bool watch_tree(int ino_fd, const char *dir, const char *const *skip_top, int depth, bool top)
{
	DIR *d;
	struct dirent *e;
	bool ok = true;

	if (inotify_add_watch(ino_fd, dir, WATCH_MASK | (top ? 0 : IN_DONT_FOLLOW)) < 0)
		return errno == ENOENT || errno == ENOTDIR;     /* gone: its parent's watch tells */
	if (depth <= 0 || !(d = opendir(dir)))
		return true;
	while ((e = readdir(d))) {
		bool skip = e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..") ||
						    !strcmp(e->d_name, ".git"));
		for (size_t i = 0; skip_top && skip_top[i] && !skip; i++)
			skip = !strcmp(e->d_name, skip_top[i]);
		if (skip || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		char *p = cfs_xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			ok = watch_tree(ino_fd, p, NULL, depth - 1, false) && ok;
		free(p);
	}
	closedir(d);
	return ok;
}

/*
 * Read every pending event; any event is a change of some input.  A new
 * directory, a dropped watch or an overflow also asks for a rescan.
 * Called with fs->mu held (a non-blocking read of our own fd: no I/O on
 * any filesystem).
 */
static void drain_locked(struct cfs_fs *fs)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t got;

	if (fs->ino_fd < 0)
		return;
	while ((got = read(fs->ino_fd, buf, sizeof(buf))) > 0) {
		fs->gen++;
		for (char *p = buf; p < buf + got;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if ((ev->mask & IN_ISDIR && ev->mask & (IN_CREATE | IN_MOVED_TO)) ||
			    ev->mask & (IN_IGNORED | IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF))
				fs->need_scan = true;
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* The header facts of the config folder (storage root, graph ids). */
struct header {
	char *storage_root;
	char *self_root;        /* a storage root inside our own mount */
	char **graph_ids;
	size_t ngraph_ids;
};

/* (A request the daemon waited for there could need a worker that is
 * waiting for the daemon.) */
bool cfs_fs_inside_mount(const struct cfs_fs *fs, const char *path)
{
	size_t n = fs->mountpoint ? strlen(fs->mountpoint) : 0;

	return n && !strncmp(path, fs->mountpoint, n) && (path[n] == '/' || !path[n] || fs->mountpoint[n - 1] == '/');
}

static void header_load(struct cfs_fs *fs, struct header *h)
{
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_desired_load(fs->config_dir, CFS_LOAD_HEADER, &des, &d);
	h->storage_root = h->self_root = NULL;
	if (des.storage_root && des.storage_root[0] == '/') {
		if (cfs_fs_inside_mount(fs, des.storage_root))
			h->self_root = cfs_xstrdup(des.storage_root);
		else
			h->storage_root = cfs_xstrdup(des.storage_root);
	}
	h->graph_ids = NULL;
	h->ngraph_ids = 0;
	if (des.decoded && des.cfg.ngraphs) {
		h->graph_ids = cfs_xcalloc(des.cfg.ngraphs, sizeof(char *));
		for (size_t i = 0; i < des.cfg.ngraphs; i++)
			h->graph_ids[h->ngraph_ids++] = cfs_xstrdup(des.cfg.graphs[i].id);
	}
	cfs_desired_free(&des);
	cfs_diags_free(&d);
}

/*
 * (Re)watch the config folder, the ledger folder and the version
 * directories of the graph roots.  Returns whether the ledger folder
 * exists and every watch is in place (else nothing may be cached).
 */
static bool scan(int ino_fd, const char *config_dir, const char *storage_root)
{
	static const char *const config_skip[] = { "__cluster", "graphs", NULL };
	char *ledger, *graphs;
	DIR *d;
	struct dirent *e;
	struct stat st;
	bool ok = watch_tree(ino_fd, config_dir, config_skip, 64, true);

	if (!storage_root)
		return false;
	ledger = cfs_xasprintf("%s/__cluster", storage_root);
	graphs = cfs_xasprintf("%s/graphs", storage_root);
	ok = watch_tree(ino_fd, storage_root, config_skip, 0, true) && ok;
	ok = !stat(ledger, &st) && S_ISDIR(st.st_mode) && ok;
	ok = watch_tree(ino_fd, ledger, NULL, 8, true) && ok;
	ok = watch_tree(ino_fd, graphs, NULL, 0, true) && ok;
	if ((d = opendir(graphs))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *g = cfs_xasprintf("%s/%s", graphs, e->d_name);
			char *m = cfs_xasprintf("%s/_manifests", g);
			char *b = cfs_xasprintf("%s/_branches", g);
			ok = watch_tree(ino_fd, g, NULL, 0, false) && ok;
			ok = watch_tree(ino_fd, m, NULL, 1, false) && ok;
			ok = watch_tree(ino_fd, b, NULL, 0, false) && ok;
			free(g);
			free(m);
			free(b);
		}
		closedir(d);
	}
	free(ledger);
	free(graphs);
	return ok;
}

/*
 * Bring the header facts and the watches up to date.  All file I/O runs
 * without fs->mu (a thread holding it never waits for anything); the
 * work is claimed under it first, so concurrent requests do not repeat
 * it (and a request re-entering through the mount cannot recurse).
 */
static void refresh(struct cfs_fs *fs)
{
	bool load, rescan;
	uint64_t gen;

	pthread_mutex_lock(&fs->mu);
	drain_locked(fs);
	gen = fs->gen;
	load = !fs->header_set || fs->header_gen != gen || fs->ino_fd < 0;
	if (load) {
		fs->header_set = true;  /* claimed: others use the old facts meanwhile */
		fs->header_gen = gen;
	}
	pthread_mutex_unlock(&fs->mu);

	if (load) {
		struct header h;
		header_load(fs, &h);
		pthread_mutex_lock(&fs->mu);
		if (!fs->storage_root || !h.storage_root || strcmp(fs->storage_root, h.storage_root))
			fs->need_scan = true;
		free(fs->storage_root);
		free(fs->self_root);
		cfs_fs_names_free(fs->graph_ids, fs->ngraph_ids);
		fs->storage_root = h.storage_root;
		fs->self_root = h.self_root;
		fs->graph_ids = h.graph_ids;
		fs->ngraph_ids = h.ngraph_ids;
		pthread_mutex_unlock(&fs->mu);
	}

	pthread_mutex_lock(&fs->mu);
	rescan = fs->need_scan && fs->ino_fd >= 0;
	char *root = rescan && fs->storage_root ? cfs_xstrdup(fs->storage_root) : NULL;
	if (rescan) {
		fs->need_scan = false;
		fs->watching = false;   /* until the scan is complete */
	}
	pthread_mutex_unlock(&fs->mu);

	if (rescan) {
		bool ok = scan(fs->ino_fd, fs->config_dir, root);
		pthread_mutex_lock(&fs->mu);
		/* a change during the scan asks for another one */
		drain_locked(fs);
		fs->watching = ok && !fs->need_scan;
		if (!ok)
			fs->need_scan = true;
		pthread_mutex_unlock(&fs->mu);
		free(root);
	}
}

int cfs_fs_watch_init(struct cfs_fs *fs)
{
	int rc;

	fs->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	rc = fs->ino_fd < 0 ? -errno : 0;
	fs->need_scan = true;
	refresh(fs);            /* header facts and watches before the first request */
	return rc;
}

void cfs_fs_watch_fini(struct cfs_fs *fs)
{
	if (fs->ino_fd >= 0)
		close(fs->ino_fd);
	fs->ino_fd = -1;
}

char *cfs_fs_storage_root(struct cfs_fs *fs)
{
	char *r;

	refresh(fs);
	pthread_mutex_lock(&fs->mu);
	r = fs->storage_root ? cfs_xstrdup(fs->storage_root) : NULL;
	pthread_mutex_unlock(&fs->mu);
	return r;
}

void cfs_fs_graph_ids(struct cfs_fs *fs, char ***ids, size_t *n)
{
	refresh(fs);
	pthread_mutex_lock(&fs->mu);
	*n = fs->ngraph_ids;
	*ids = cfs_xcalloc(*n ? *n : 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = cfs_xstrdup(fs->graph_ids[i]);
	pthread_mutex_unlock(&fs->mu);
}

/* ---- computing -------------------------------------------------------- */

char *cfs_fs_self_root(struct cfs_fs *fs)
{
	char *r;

	refresh(fs);
	pthread_mutex_lock(&fs->mu);
	r = fs->self_root ? cfs_xstrdup(fs->self_root) : NULL;
	pthread_mutex_unlock(&fs->mu);
	return r;
}

void cfs_fs_refusal(const struct cfs_fs *fs, const char *operation, const char *self_root, struct cfs_blob **text,
		    struct cfs_blob **json)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_mem m;
	FILE *out;

	cfs_diag_error(&d, "storage_root_invalid", "storage",
		       "storage root '%s' is inside this mount ('%s'): the daemon would read its own mount",
		       self_root, fs->mountpoint);
	if ((out = cfs_mem_open(&m))) {
		fprintf(out, "cluster %s failed\n", operation);
		cfs_render_diags(&d, out);
	}
	*text = cfs_mem_blob(&m);
	json_t *o = json_pack("{s:b, s:s, s:o}", "ok", 0, "config_dir", fs->config_dir, "diagnostics",
			      cfs_diags_to_json(&d));
	*json = cfs_blob_json(o);
	cfs_diags_free(&d);
}

/* Render r into *text with one of the CLI's renderers. */
#define RENDER(fn, r, text)                                                                    \
	do {                                                                                   \
		struct cfs_mem m_;                                                             \
		FILE *out_ = cfs_mem_open(&m_);                                                \
		if (out_)                                                                      \
			fn(r, out_);                                                           \
		(text) = cfs_mem_blob(&m_);                                                    \
	} while (0)

static void compute(struct cfs_fs *fs, enum cfs_report_kind kind, struct cfs_blob **text, struct cfs_blob **json)
{
	char *self = kind == CFS_REPORT_VALIDATE ? NULL : cfs_fs_self_root(fs);

	if (self) {
		/* the engine would read the ledger through this very mount */
		cfs_fs_refusal(fs, kind == CFS_REPORT_PLAN ? "plan" : "status", self, text, json);
		free(self);
		return;
	}
	switch (kind) {
	case CFS_REPORT_VALIDATE: {
		struct cfs_validate_report r;
		cfs_validate(fs->config_dir, &r);
		RENDER(cfs_render_validate, &r, *text);
		*json = cfs_blob_json(cfs_validate_report_json(&r));
		cfs_validate_report_free(&r);
		break;
	}
	case CFS_REPORT_PLAN: {
		struct cfs_plan_report r;
		cfs_plan_observe(fs->config_dir, &r);
		RENDER(cfs_render_plan, &r, *text);
		*json = cfs_blob_json(cfs_plan_report_json(&r));
		cfs_plan_report_free(&r);
		break;
	}
	case CFS_REPORT_STATUS: {
		struct cfs_status_report r;
		cfs_status_run(fs->config_dir, &r);
		RENDER(cfs_render_status, &r, *text);
		*json = cfs_blob_json(cfs_status_report_json(&r));
		cfs_status_report_free(&r);
		break;
	}
	case CFS_REPORT_N:
		break;
	}
}

/* A held lock is reported with its age: no report is cached meanwhile. */
static bool lock_held(const char *storage_root)
{
	struct stat st;
	char *p;
	bool held;

	if (!storage_root)
		return false;
	p = cfs_xasprintf("%s/__cluster/lock.json", storage_root);
	held = !lstat(p, &st);
	free(p);
	return held;
}

struct cfs_blob *cfs_report_get(struct cfs_fs *fs, enum cfs_report_kind kind, bool json)
{
	struct cfs_report_cache *c = &fs->reports[kind];
	struct cfs_blob *text = NULL, *js = NULL, *out;
	uint64_t gen;
	bool cacheable;

	char *root = cfs_fs_storage_root(fs);  /* (refreshes the header and watches) */
	bool locked = lock_held(root);
	free(root);
	pthread_mutex_lock(&fs->mu);
	drain_locked(fs);
	gen = fs->gen;
	cacheable = fs->ino_fd >= 0 && fs->watching && !locked;
	if (cacheable && c->set && c->gen == gen) {
		out = cfs_blob_ref(json ? c->json : c->text);
		pthread_mutex_unlock(&fs->mu);
		return out;
	}
	pthread_mutex_unlock(&fs->mu);

	/* inputs read from here on; a change meanwhile moves fs->gen past gen */
	compute(fs, kind, &text, &js);
	out = cfs_blob_ref(json ? js : text);
	pthread_mutex_lock(&fs->mu);
	cfs_blob_unref(c->text);
	cfs_blob_unref(c->json);
	c->text = text;
	c->json = js;
	c->gen = gen;
	c->set = cacheable;
	pthread_mutex_unlock(&fs->mu);
	return out;
}
