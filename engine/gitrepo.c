/*
 * gitrepo: the config folder's git repository through libgit2 (fs.md
 * "applied/", "history/").  Writing is limited to new objects and the one
 * ref CFS_APPLIED_REF; HEAD, the index and the working tree are never
 * looked at for writing.  Snapshots walk the folder itself (not the index),
 * so what is recorded is exactly what an apply read.  Views read trees of
 * commits by path, below the config folder's prefix inside the repository.
 *
 * Every public entry brackets its libgit2 use with git_libgit2_init /
 * git_libgit2_shutdown (refcounted by libgit2), a view for its lifetime.
 */
#include "engine/gitrepo.h"
#include "core/failpoint.h"
#include "core/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

struct cfs_gitview {
	pthread_mutex_t lock;           /* a git_repository is not thread-safe */
	git_repository *repo;
	char *prefix;                   /* config folder inside the work tree; "" = top */
};

/* A located tree entry (or the root): its mode and object id. */
struct gnode {
	git_filemode_t mode;
	git_oid id;
};

/* Map a libgit2 error code to errno; always -1. */
static int git_fail(int err)
{
	errno = err == GIT_ENOTFOUND ? ENOENT : EIO;
	return -1;
}

/* Top-level names of the config folder that never become part of a tree. */
/*
 * Names never recorded: .git anywhere; the ledger and graph roots of a
 * storage root, which is the config folder by default but may be any
 * folder inside it ("storage: ./state"): __cluster at any depth, and
 * graphs where __cluster is its sibling (or at the top).  names is the
 * sorted listing name belongs to.
 */
static bool hidden_name(const char *name, bool top, char *const *names, size_t n)
{
	if (!strcmp(name, ".git") || !strcmp(name, "__cluster"))
		return true;
	if (strcmp(name, "graphs"))
		return false;
	if (top)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], "__cluster"))
			return true;
	return false;
}

/*
 * The config folder's path relative to repo's work tree ("" when it is
 * the work tree).  ENOENT for bare repositories or a folder outside (or
 * inside the .git of) the work tree.  Caller frees.
 */
static char *config_prefix(git_repository *repo, const char *config_dir)
{
	const char *workdir = git_repository_workdir(repo);
	char *top = workdir ? realpath(workdir, NULL) : NULL;
	char *dir = realpath(config_dir, NULL);
	char *prefix = NULL;
	size_t n;

	if (top && dir) {
		n = strlen(top);
		if (!strcmp(dir, top))
			prefix = cfs_xstrdup("");
		else if (!strncmp(dir, top, n) && (dir[n] == '/' || n == 1))
			prefix = cfs_xstrdup(dir + n + (n > 1));
	}
	if (prefix && (!strcmp(prefix, ".git") || !strncmp(prefix, ".git/", 5))) {
		free(prefix);
		prefix = NULL;
	}
	free(top);
	free(dir);
	if (!prefix)
		errno = ENOENT;
	return prefix;
}

/* Open the repository holding config_dir and compute the prefix. */
static int open_repo(const char *config_dir, git_repository **repo, char **prefix)
{
	int err = git_repository_open_ext(repo, config_dir, 0, NULL);

	if (err < 0) {
		*repo = NULL;
		return git_fail(err);
	}
	*prefix = config_prefix(*repo, config_dir);
	if (!*prefix) {
		git_repository_free(*repo);
		*repo = NULL;
		return -1;
	}
	return 0;
}

/* ---- snapshot ---------------------------------------------------------- */

/* The entry names of dir in byte order, minus "." and "..". */
static int list_dir(const char *dir, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*names = cfs_xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = cfs_xstrdup(e->d_name);
	}
	closedir(d);
	cfs_qsort(*names, *n, sizeof **names, cfs_strptrcmp);
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int write_dir(git_repository *repo, struct cfs_sb *path, bool top, git_oid *out, bool *empty);

/* Write a symlink's target as a blob. */
static int write_link(git_repository *repo, const char *path, const struct stat *st, git_oid *id)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : PATH_MAX;
	char *target = cfs_xmalloc(cap);
	ssize_t len = readlink(path, target, cap);
	int err;

	if (len < 0 || (size_t)len >= cap) {
		if (len >= 0)
			errno = EIO;            /* grew between lstat and readlink */
		free(target);
		return -1;
	}
	err = git_blob_create_from_buffer(id, repo, target, (size_t)len);
	free(target);
	return err < 0 ? git_fail(err) : 0;
}

/*
 * Write the object for path (which lstat described as st) and add it to
 * bld as name.  Other file types and empty directories add nothing.
 */
static int add_entry(git_repository *repo, git_treebuilder *bld, struct cfs_sb *path, const char *name,
		     const struct stat *st)
{
	git_filemode_t mode;
	git_oid id;
	bool empty = false;
	int err;

	if (S_ISDIR(st->st_mode)) {
		if (write_dir(repo, path, false, &id, &empty) < 0)
			return -1;
		if (empty)
			return 0;
		mode = GIT_FILEMODE_TREE;
	} else if (S_ISLNK(st->st_mode)) {
		if (write_link(repo, path->buf, st, &id) < 0)
			return -1;
		mode = GIT_FILEMODE_LINK;
	} else if (S_ISREG(st->st_mode)) {
		err = git_blob_create_from_disk(&id, repo, path->buf);
		if (err < 0)
			return git_fail(err);
		mode = (st->st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
	} else {
		return 0;                       /* sockets, fifos, devices */
	}
	err = git_treebuilder_insert(NULL, bld, name, &id, mode);
	return err < 0 ? git_fail(err) : 0;
}

/*
 * Write the directory at path (absolute, in the sb so that children can
 * extend it) as a tree.  *empty when nothing in it would be recorded; the
 * tree is not written then.
 */
static int write_dir(git_repository *repo, struct cfs_sb *path, bool top, git_oid *out, bool *empty)
{
	size_t base = path->len;
	git_treebuilder *bld = NULL;
	char **names;
	size_t n, i;
	struct stat st;
	int rc = -1, err;

	if (list_dir(path->buf, &names, &n) < 0)
		return -1;
	err = git_treebuilder_new(&bld, repo, NULL);
	if (err < 0) {
		git_fail(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (hidden_name(names[i], top, names, n))
			continue;
		cfs_sb_addc(path, '/');
		cfs_sb_adds(path, names[i]);
		err = lstat(path->buf, &st);
		if (err == 0)
			err = add_entry(repo, bld, path, names[i], &st);
		else if (errno == ENOENT)
			err = 0;                /* removed while we walked */
		path->len = base;
		path->buf[base] = '\0';
		if (err < 0)
			goto out;
	}
	*empty = git_treebuilder_entrycount(bld) == 0;
	err = *empty ? 0 : git_treebuilder_write(out, bld);
	rc = err < 0 ? git_fail(err) : 0;
out:
	git_treebuilder_free(bld);
	free_names(names, n);
	return rc;
}

/* Write a tree holding only child (a tree) as name. */
static int wrap_tree(git_repository *repo, const char *name, git_oid *child)
{
	git_treebuilder *bld = NULL;
	int err = git_treebuilder_new(&bld, repo, NULL);

	if (err == 0)
		err = git_treebuilder_insert(NULL, bld, name, child, GIT_FILEMODE_TREE);
	if (err == 0)
		err = git_treebuilder_write(child, bld);
	git_treebuilder_free(bld);
	return err < 0 ? git_fail(err) : 0;
}

/* Nest tree under each component of prefix, innermost first. */
static int wrap_prefix(git_repository *repo, const char *prefix, git_oid *tree)
{
	char *copy = cfs_xstrdup(prefix);
	char *slash;
	int rc = 0;

	while (rc == 0 && *copy) {
		slash = strrchr(copy, '/');
		rc = wrap_tree(repo, slash ? slash + 1 : copy, tree);
		if (slash)
			*slash = '\0';
		else
			*copy = '\0';
	}
	free(copy);
	return rc;
}

/* The empty tree (what git records for a folder with nothing in it). */
static int empty_tree(git_repository *repo, git_oid *tree)
{
	git_treebuilder *bld = NULL;
	int err = git_treebuilder_new(&bld, repo, NULL);

	if (err == 0)
		err = git_treebuilder_write(tree, bld);
	git_treebuilder_free(bld);
	return err < 0 ? git_fail(err) : 0;
}

static int snapshot(git_repository *repo, const char *prefix, git_oid *tree)
{
	struct cfs_sb path = CFS_SB_INIT;
	const char *workdir = git_repository_workdir(repo);
	bool empty = false;
	int rc;

	/* the work tree as libgit2 sees it plus the prefix names the folder */
	cfs_sb_adds(&path, workdir);
	if (*prefix)
		cfs_sb_adds(&path, prefix);
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		path.buf[--path.len] = '\0';
	rc = write_dir(repo, &path, true, tree, &empty);
	cfs_sb_release(&path);
	if (rc < 0)
		return -1;
	if (empty)                      /* git omits empty folders, prefix included */
		return empty_tree(repo, tree);
	return wrap_prefix(repo, prefix, tree);
}

int cfs_git_snapshot(const char *config_dir, char tree[CFS_OID_HEX])
{
	git_repository *repo = NULL;
	char *prefix = NULL;
	git_oid id;
	int rc = -1;

	if (git_libgit2_init() < 0) {
		errno = EIO;
		return -1;
	}
	if (open_repo(config_dir, &repo, &prefix) == 0 && snapshot(repo, prefix, &id) == 0) {
		git_oid_tostr(tree, CFS_OID_HEX, &id);
		rc = 0;
	}
	git_repository_free(repo);
	free(prefix);
	git_libgit2_shutdown();
	return rc;
}

/* ---- record ------------------------------------------------------------ */

/* actor made acceptable to git: no angle brackets or control characters. */
static char *sig_name(const char *actor)
{
	char *name = cfs_xstrdup(actor && *actor ? actor : "clusterfs");

	for (char *p = name; *p; p++)
		if (*p == '<' || *p == '>' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	return name;
}

/*
 * One attempt: commit tree on top of the ref's current commit and move the
 * ref if it still has that value.  Returns 0, -1 (errno), or GIT_EMODIFIED
 * / GIT_EEXISTS when someone else moved the ref meanwhile.
 */
static int record_once(git_repository *repo, const git_oid *tree_id, const git_signature *sig,
		       const char *message, git_oid *commit_id)
{
	git_oid old;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	bool have_old;
	int rc = 0, err;

	err = git_reference_name_to_id(&old, repo, CFS_APPLIED_REF);
	have_old = err == 0;
	if (err == GIT_ENOTFOUND)
		err = 0;
	if (err == 0 && have_old)
		err = git_commit_lookup(&parent, repo, &old);
	if (err == 0 && parent && git_oid_equal(git_commit_tree_id(parent), tree_id)) {
		git_oid_cpy(commit_id, &old);
		goto out;
	}
	if (err == 0)
		err = git_tree_lookup(&tree, repo, tree_id);
	if (err == 0)
		err = git_commit_create(commit_id, repo, NULL, sig, sig, NULL, message, tree, parent ? 1 : 0,
					(const git_commit **)&parent);
	if (err == 0 && cfs_failpoint("git.record.before_ref") < 0) {
		errno = EIO;
		rc = -1;
		goto out;
	}
	if (err == 0 && have_old)
		err = git_reference_create_matching(&ref, repo, CFS_APPLIED_REF, commit_id, 1, &old,
						    "clusterfs: applied");
	else if (err == 0)
		err = git_reference_create(&ref, repo, CFS_APPLIED_REF, commit_id, 0, "clusterfs: applied");
out:
	git_reference_free(ref);
	git_tree_free(tree);
	git_commit_free(parent);
	if (err == GIT_EMODIFIED || err == GIT_EEXISTS)
		return err;
	return err < 0 ? git_fail(err) : rc;
}

static int record(git_repository *repo, const char *tree_hex, const char *actor, const char *message,
		  git_oid *commit_id)
{
	git_signature *sig = NULL;
	char *name = sig_name(actor);
	char *email = cfs_xasprintf("%s@clusterfs", name);
	git_oid tree_id;
	int rc = -1, err;

	if (strlen(tree_hex) != GIT_OID_HEXSZ || git_oid_fromstr(&tree_id, tree_hex) < 0) {
		errno = EINVAL;
		goto out;
	}
	err = git_signature_now(&sig, name, email);
	if (err < 0) {
		git_fail(err);
		goto out;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = record_once(repo, &tree_id, sig, message ? message : "clusterfs apply\n", commit_id);
		if (rc >= -1)
			break;
		errno = EAGAIN;         /* raced twice: leave it to the caller */
		rc = -1;
	}
out:
	git_signature_free(sig);
	free(email);
	free(name);
	return rc;
}

int cfs_git_record_applied(const char *config_dir, const char tree[CFS_OID_HEX], const char *actor,
			   const char *message, char commit[CFS_OID_HEX])
{
	git_repository *repo = NULL;
	char *prefix = NULL;
	git_oid id;
	int rc = -1;

	if (git_libgit2_init() < 0) {
		errno = EIO;
		return -1;
	}
	if (open_repo(config_dir, &repo, &prefix) == 0 && record(repo, tree, actor, message, &id) == 0) {
		git_oid_tostr(commit, CFS_OID_HEX, &id);
		rc = 0;
	}
	git_repository_free(repo);
	free(prefix);
	git_libgit2_shutdown();
	return rc;
}

/* ---- view -------------------------------------------------------------- */

int cfs_gitview_open(const char *config_dir, struct cfs_gitview **out)
{
	struct cfs_gitview *gv;
	git_repository *repo = NULL;
	char *prefix = NULL;
	int saved;

	*out = NULL;
	if (git_libgit2_init() < 0) {
		errno = EIO;
		return -1;
	}
	if (open_repo(config_dir, &repo, &prefix) < 0) {
		saved = errno;
		git_libgit2_shutdown();
		errno = saved;
		return -1;
	}
	gv = cfs_xcalloc(1, sizeof *gv);
	pthread_mutex_init(&gv->lock, NULL);
	gv->repo = repo;
	gv->prefix = prefix;
	*out = gv;
	return 0;
}

void cfs_gitview_close(struct cfs_gitview *gv)
{
	if (!gv)
		return;
	git_repository_free(gv->repo);
	free(gv->prefix);
	pthread_mutex_destroy(&gv->lock);
	free(gv);
	git_libgit2_shutdown();
}

static int view_log(git_repository *repo, size_t max, char (**ids)[CFS_OID_HEX], size_t *n)
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t cap = 0;
	int err = git_repository_head_unborn(repo);

	if (err == 1)
		return 0;               /* no commit yet */
	if (err == 0)
		err = git_revwalk_new(&walk, repo);
	if (err == 0)
		err = git_revwalk_sorting(walk, GIT_SORT_TIME);
	if (err == 0)
		err = git_revwalk_push_head(walk);
	while (err == 0 && *n < max && (err = git_revwalk_next(&id, walk)) == 0) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			cap = cap < max ? cap : max;
			*ids = cfs_xrealloc(*ids, cap * sizeof **ids);
		}
		git_oid_tostr((*ids)[(*n)++], CFS_OID_HEX, &id);
	}
	git_revwalk_free(walk);
	return err < 0 && err != GIT_ITEROVER ? git_fail(err) : 0;
}

int cfs_gitview_log(struct cfs_gitview *gv, size_t max, char (**ids)[CFS_OID_HEX], size_t *n)
{
	int rc, saved;

	*ids = NULL;
	*n = 0;
	pthread_mutex_lock(&gv->lock);
	rc = view_log(gv->repo, max, ids, n);
	saved = errno;
	pthread_mutex_unlock(&gv->lock);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	errno = saved;
	return rc;
}

/* The commit spec names: 4..40 hex digits, unique among all objects. */
static int lookup_commit(git_repository *repo, const char *spec, git_commit **out)
{
	size_t len = strlen(spec);
	git_oid oid;
	int err;

	*out = NULL;
	if (len < 4 || len > GIT_OID_HEXSZ || strspn(spec, "0123456789abcdefABCDEF") != len ||
	    git_oid_fromstrn(&oid, spec, len) < 0) {
		errno = ENOENT;
		return -1;
	}
	err = git_commit_lookup_prefix(out, repo, &oid, len);
	if (err == GIT_EAMBIGUOUS || err == GIT_EINVALIDSPEC)
		err = GIT_ENOTFOUND;
	return err < 0 ? git_fail(err) : 0;
}

int cfs_gitview_resolve(struct cfs_gitview *gv, const char *spec, char full[CFS_OID_HEX])
{
	git_commit *c = NULL;
	int rc, saved;

	pthread_mutex_lock(&gv->lock);
	rc = lookup_commit(gv->repo, spec, &c);
	saved = errno;
	if (rc == 0)
		git_oid_tostr(full, CFS_OID_HEX, git_commit_id(c));
	git_commit_free(c);
	pthread_mutex_unlock(&gv->lock);
	errno = saved;
	return rc;
}

int cfs_gitview_applied(struct cfs_gitview *gv, char full[CFS_OID_HEX])
{
	git_oid id;
	int err;

	pthread_mutex_lock(&gv->lock);
	err = git_reference_name_to_id(&id, gv->repo, CFS_APPLIED_REF);
	pthread_mutex_unlock(&gv->lock);
	if (err < 0)
		return git_fail(err);
	git_oid_tostr(full, CFS_OID_HEX, &id);
	return 0;
}

/* "" or names joined by single '/', none of them "." or "..". */
static bool valid_rel(const char *path)
{
	const char *s = path;
	size_t len;

	if (!*s)
		return true;
	for (;;) {
		len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

/*
 * Move node one level down to the entry name of its tree (*tree, replaced
 * by the child's tree when the child is one).  in_prefix: a miss is ENOENT
 * even where the path runs through a file.
 */
static int descend(git_repository *repo, git_tree **tree, struct gnode *node, const char *name, bool in_prefix)
{
	const git_tree_entry *e;
	git_tree *sub = NULL;
	int err;

	if (node->mode != GIT_FILEMODE_TREE) {
		errno = node->mode == GIT_FILEMODE_COMMIT || in_prefix ? ENOENT : ENOTDIR;
		return -1;
	}
	e = git_tree_entry_byname(*tree, name);
	if (!e) {
		errno = ENOENT;
		return -1;
	}
	node->mode = git_tree_entry_filemode(e);
	git_oid_cpy(&node->id, git_tree_entry_id(e));
	if (node->mode == GIT_FILEMODE_TREE) {
		err = git_tree_lookup(&sub, repo, &node->id);
		if (err < 0)
			return git_fail(err);
	}
	git_tree_free(*tree);
	*tree = sub;
	return 0;
}

/* Walk the components of path (under prefix) from commit c's root tree. */
static int locate(git_repository *repo, git_commit *c, const char *prefix, const char *path, struct gnode *node)
{
	const char *parts[2] = { prefix, path };
	git_tree *tree = NULL;
	char *name;
	size_t len;
	int rc = 0, err;

	if (!valid_rel(path)) {
		errno = ENOENT;
		return -1;
	}
	err = git_commit_tree(&tree, c);
	if (err < 0)
		return git_fail(err);
	node->mode = GIT_FILEMODE_TREE;
	git_oid_cpy(&node->id, git_tree_id(tree));
	for (int p = 0; p < 2 && rc == 0; p++) {
		for (const char *s = parts[p]; *s && rc == 0; s += len + (s[len] == '/')) {
			len = strcspn(s, "/");
			name = cfs_xstrndup(s, len);
			rc = descend(repo, &tree, node, name, p == 0);
			free(name);
		}
		if (p == 0 && rc == 0 && node->mode != GIT_FILEMODE_TREE && node->mode != GIT_FILEMODE_COMMIT) {
			errno = ENOENT;         /* the config folder is a file here */
			rc = -1;
		}
	}
	git_tree_free(tree);
	return rc;
}

/* Resolve commit and locate path in it, under the view's lock (held by caller). */
static int find(struct cfs_gitview *gv, const char *commit, const char *path, git_commit **c, struct gnode *node)
{
	if (lookup_commit(gv->repo, commit, c) < 0)
		return -1;
	return locate(gv->repo, *c, gv->prefix, path, node);
}

static mode_t node_mode(git_filemode_t mode)
{
	switch (mode) {
	case GIT_FILEMODE_BLOB:
		return S_IFREG | 0444;
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return S_IFREG | 0555;
	case GIT_FILEMODE_LINK:
		return S_IFLNK | 0777;
	default:                        /* trees and submodules (shown empty) */
		return S_IFDIR | 0555;
	}
}

static bool is_blob(git_filemode_t mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE || mode == GIT_FILEMODE_LINK;
}

static int view_stat(struct cfs_gitview *gv, const char *commit, const char *path, struct cfs_gitnode *out)
{
	git_commit *c = NULL;
	git_odb *odb = NULL;
	struct gnode node;
	git_object_t type;
	size_t size = 0;
	int rc = find(gv, commit, path, &c, &node);

	if (rc == 0 && is_blob(node.mode)) {
		int err = git_repository_odb(&odb, gv->repo);

		if (err == 0)
			err = git_odb_read_header(&size, &type, odb, &node.id);
		git_odb_free(odb);
		if (err < 0)
			rc = git_fail(err);
	}
	if (rc == 0) {
		out->mode = node_mode(node.mode);
		out->size = size;
		out->time = (time_t)git_commit_time(c);
	}
	git_commit_free(c);
	return rc;
}

int cfs_gitview_stat(struct cfs_gitview *gv, const char *commit, const char *path, struct cfs_gitnode *out)
{
	int rc, saved;

	pthread_mutex_lock(&gv->lock);
	rc = view_stat(gv, commit, path, out);
	saved = errno;
	pthread_mutex_unlock(&gv->lock);
	errno = saved;
	return rc;
}

static int view_readdir(struct cfs_gitview *gv, const char *commit, const char *path, char ***names, size_t *n)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct gnode node;
	size_t count;
	int rc = find(gv, commit, path, &c, &node);

	if (rc == 0 && is_blob(node.mode)) {
		errno = ENOTDIR;
		rc = -1;
	}
	if (rc == 0 && node.mode == GIT_FILEMODE_TREE) {
		int err = git_tree_lookup(&tree, gv->repo, &node.id);

		if (err < 0) {
			rc = git_fail(err);
		} else if ((count = git_tree_entrycount(tree)) > 0) {
			*names = cfs_xcalloc(count, sizeof **names);
			for (*n = 0; *n < count; (*n)++)
				(*names)[*n] = cfs_xstrdup(git_tree_entry_name(git_tree_entry_byindex(tree, *n)));
		}
	}
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int cfs_gitview_readdir(struct cfs_gitview *gv, const char *commit, const char *path, char ***names, size_t *n)
{
	int rc, saved;

	*names = NULL;
	*n = 0;
	pthread_mutex_lock(&gv->lock);
	rc = view_readdir(gv, commit, path, names, n);
	saved = errno;
	pthread_mutex_unlock(&gv->lock);
	errno = saved;
	return rc;
}

void cfs_gitview_names_free(char **names, size_t n)
{
	free_names(names, n);
}

static int view_read(struct cfs_gitview *gv, const char *commit, const char *path, char **data, size_t *len)
{
	git_commit *c = NULL;
	git_blob *blob = NULL;
	struct gnode node;
	int rc = find(gv, commit, path, &c, &node);

	if (rc == 0 && !is_blob(node.mode)) {
		errno = EISDIR;
		rc = -1;
	}
	if (rc == 0) {
		int err = git_blob_lookup(&blob, gv->repo, &node.id);

		if (err < 0) {
			rc = git_fail(err);
		} else {
			*len = (size_t)git_blob_rawsize(blob);
			*data = cfs_xmalloc(*len + 1);
			if (*len)
				memcpy(*data, git_blob_rawcontent(blob), *len);
			(*data)[*len] = '\0';
		}
	}
	git_blob_free(blob);
	git_commit_free(c);
	return rc;
}

int cfs_gitview_read(struct cfs_gitview *gv, const char *commit, const char *path, char **data, size_t *len)
{
	int rc, saved;

	*data = NULL;
	*len = 0;
	pthread_mutex_lock(&gv->lock);
	rc = view_read(gv, commit, path, data, len);
	saved = errno;
	pthread_mutex_unlock(&gv->lock);
	errno = saved;
	return rc;
}
