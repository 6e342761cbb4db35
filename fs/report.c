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
	 IN_MOVE_SELF | IN_DONT_FOLLOW | IN_ONLYDIR)

void cfs_fs_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Watch dir and (depth permitting) its subdirectories; ".git" and the
 * names in skip_top (directly under dir) are left out. */
static void watch_tree(struct cfs_fs *fs, const char *dir, const char *const *skip_top, int depth)
{
	DIR *d;
	struct dirent *e;

	if (inotify_add_watch(fs->ino_fd, dir, WATCH_MASK) < 0 || depth <= 0 || !(d = opendir(dir)))
		return;
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
			watch_tree(fs, p, NULL, depth - 1);
		free(p);
	}
	closedir(d);
}

/* Read every pending event; any event is a change of some input.  Called
 * with fs->mu held. */
static void drain_locked(struct cfs_fs *fs)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t got;

	if (fs->ino_fd < 0)
		return;
	while ((got = read(fs->ino_fd, buf, sizeof(buf))) > 0) {
		fs->gen++;
		fs->need_scan = true;   /* new directories need watches */
	}
}

static void header_load_locked(struct cfs_fs *fs)
{
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_desired_load(fs->config_dir, CFS_LOAD_HEADER, &des, &d);
	free(fs->storage_root);
	cfs_fs_names_free(fs->graph_ids, fs->ngraph_ids);
	fs->storage_root = des.storage_root && des.storage_root[0] == '/' ? cfs_xstrdup(des.storage_root) : NULL;
	fs->graph_ids = NULL;
	fs->ngraph_ids = 0;
	if (des.decoded && des.cfg.ngraphs) {
		fs->graph_ids = cfs_xcalloc(des.cfg.ngraphs, sizeof(char *));
		for (size_t i = 0; i < des.cfg.ngraphs; i++)
			fs->graph_ids[fs->ngraph_ids++] = cfs_xstrdup(des.cfg.graphs[i].id);
	}
	cfs_desired_free(&des);
	cfs_diags_free(&d);
}

/* (Re)watch the config folder, the ledger folder and the version
 * directories of the graph roots. */
static void scan_locked(struct cfs_fs *fs)
{
	static const char *const config_skip[] = { "__cluster", "graphs", NULL };
	char *ledger, *graphs;
	DIR *d;
	struct dirent *e;
	struct stat st;

	watch_tree(fs, fs->config_dir, config_skip, 64);
	fs->watching = false;
	if (!fs->storage_root)
		return;
	watch_tree(fs, fs->storage_root, config_skip, 0);
	ledger = cfs_xasprintf("%s/__cluster", fs->storage_root);
	graphs = cfs_xasprintf("%s/graphs", fs->storage_root);
	fs->watching = !stat(ledger, &st) && S_ISDIR(st.st_mode);
	watch_tree(fs, ledger, NULL, 8);
	watch_tree(fs, graphs, NULL, 0);
	if ((d = opendir(graphs))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *g = cfs_xasprintf("%s/%s", graphs, e->d_name);
			char *m = cfs_xasprintf("%s/_manifests", g);
			char *b = cfs_xasprintf("%s/_branches", g);
			watch_tree(fs, g, NULL, 0);
			watch_tree(fs, m, NULL, 1);
			watch_tree(fs, b, NULL, 0);
			free(g);
			free(m);
			free(b);
		}
		closedir(d);
	}
	free(ledger);
	free(graphs);
}

/* Bring the header facts and the watches up to date.  Called with
 * fs->mu held. */
static void refresh_locked(struct cfs_fs *fs)
{
	drain_locked(fs);
	if (!fs->header_set || fs->header_gen != fs->gen || fs->ino_fd < 0) {
		header_load_locked(fs);
		fs->header_gen = fs->gen;
		fs->header_set = true;
	}
	if (fs->need_scan && fs->ino_fd >= 0) {
		fs->need_scan = false;
		scan_locked(fs);
	}
}

int cfs_fs_watch_init(struct cfs_fs *fs)
{
	fs->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	fs->need_scan = true;
	return fs->ino_fd < 0 ? -errno : 0;
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

	pthread_mutex_lock(&fs->mu);
	refresh_locked(fs);
	r = fs->storage_root ? cfs_xstrdup(fs->storage_root) : NULL;
	pthread_mutex_unlock(&fs->mu);
	return r;
}

void cfs_fs_graph_ids(struct cfs_fs *fs, char ***ids, size_t *n)
{
	pthread_mutex_lock(&fs->mu);
	refresh_locked(fs);
	*n = fs->ngraph_ids;
	*ids = cfs_xcalloc(*n ? *n : 1, sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		(*ids)[i] = cfs_xstrdup(fs->graph_ids[i]);
	pthread_mutex_unlock(&fs->mu);
}

/* ---- computing -------------------------------------------------------- */

/* Render into memory with one of the CLI's renderers. */
#define RENDER(fn, r, text)                                                                    \
	do {                                                                                   \
		char *buf_ = NULL;                                                             \
		size_t len_ = 0;                                                               \
		FILE *out_ = open_memstream(&buf_, &len_);                                     \
		if (out_) {                                                                    \
			fn(r, out_);                                                           \
			fclose(out_);                                                          \
		}                                                                              \
		(text) = buf_ ? cfs_blob_take(buf_, len_) : cfs_blob_new("", 0);               \
	} while (0)

static struct cfs_blob *json_blob(json_t *v)
{
	char *s = cfs_json_pretty(v);
	struct cfs_blob *b = cfs_blob_take(s, strlen(s));

	json_decref(v);
	return b;
}

static void compute(struct cfs_fs *fs, enum cfs_report_kind kind, struct cfs_blob **text, struct cfs_blob **json)
{
	switch (kind) {
	case CFS_REPORT_VALIDATE: {
		struct cfs_validate_report r;
		cfs_validate(fs->config_dir, &r);
		RENDER(cfs_render_validate, &r, *text);
		*json = json_blob(cfs_validate_report_json(&r));
		cfs_validate_report_free(&r);
		break;
	}
	case CFS_REPORT_PLAN: {
		struct cfs_plan_report r;
		cfs_plan_observe(fs->config_dir, &r);
		RENDER(cfs_render_plan, &r, *text);
		*json = json_blob(cfs_plan_report_json(&r));
		cfs_plan_report_free(&r);
		break;
	}
	case CFS_REPORT_STATUS: {
		struct cfs_status_report r;
		cfs_status_run(fs->config_dir, &r);
		RENDER(cfs_render_status, &r, *text);
		*json = json_blob(cfs_status_report_json(&r));
		cfs_status_report_free(&r);
		break;
	}
	case CFS_REPORT_N:
		break;
	}
}

/* A held lock is reported with its age: no report is cached meanwhile. */
static bool lock_held_locked(struct cfs_fs *fs)
{
	struct stat st;
	char *p;
	bool held;

	if (!fs->storage_root)
		return false;
	p = cfs_xasprintf("%s/__cluster/lock.json", fs->storage_root);
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

	pthread_mutex_lock(&fs->mu);
	refresh_locked(fs);
	gen = fs->gen;
	cacheable = fs->ino_fd >= 0 && fs->watching && !lock_held_locked(fs);
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

void cfs_report_invalidate(struct cfs_fs *fs)
{
	pthread_mutex_lock(&fs->mu);
	for (int i = 0; i < CFS_REPORT_N; i++)
		fs->reports[i].set = false;
	pthread_mutex_unlock(&fs->mu);
}
