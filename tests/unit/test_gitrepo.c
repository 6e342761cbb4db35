/*
 * Unit tests for engine/gitrepo: snapshots, applied records and read-only
 * views against real repositories made with libgit2 in a scratch
 * directory.  Commits standing in for the user's own are built either
 * through the index (an independent way to get git's tree for the same
 * files) or from a snapshot with HEAD as the updated ref.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "engine/gitrepo.h"
#include "tmpdir.h"

#define T0 1700000000                   /* commit times of the fixtures */
#define EMPTY_TREE "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

struct fx {
	char *tmp;                      /* scratch dir, removed afterwards */
	char *repo;                     /* tmp/repo: a fresh non-bare repository */
};

static int setup(void **state)
{
	struct fx *f = cfs_xcalloc(1, sizeof *f);
	git_repository *r = NULL;

	git_libgit2_init();
	f->tmp = tmpdir_make();
	f->repo = cfs_xasprintf("%s/repo", f->tmp);
	if (git_repository_init(&r, f->repo, 0) < 0)
		return -1;
	git_repository_free(r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tmpdir_remove(f->tmp);
	free(f->repo);
	free(f);
	git_libgit2_shutdown();
	return 0;
}

/* Write dir/rel (making parents) with content and permission bits. */
static void put(const char *dir, const char *rel, const char *content, unsigned mode)
{
	char *path = cfs_xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(cfs_mkdirs(path, 0755), 0);
	*slash = '/';
	assert_int_equal(cfs_write_atomic(path, content, strlen(content)), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void put_link(const char *dir, const char *rel, const char *target)
{
	char *path = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(symlink(target, path), 0);
	free(path);
}

static void put_dir(const char *dir, const char *rel)
{
	char *path = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(cfs_mkdirs(path, 0755), 0);
	free(path);
}

static git_repository *open_repo(const char *path)
{
	git_repository *r = NULL;

	assert_int_equal(git_repository_open(&r, path), 0);
	return r;
}

static void hex_to_oid(git_oid *oid, const char *hex)
{
	assert_int_equal(git_oid_fromstr(oid, hex), 0);
}

static void assert_errno(int rc, int want)
{
	assert_int_equal(rc, -1);
	assert_int_equal(errno, want);
	errno = 0;
}

/* A commit of tree on top of HEAD (if any) that moves HEAD, at time t. */
static void commit_tree_head(const char *repo_path, const char *tree_hex, git_time_t t, char out[CFS_OID_HEX])
{
	git_repository *r = open_repo(repo_path);
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_oid id;

	hex_to_oid(&id, tree_hex);
	assert_int_equal(git_tree_lookup(&tree, r, &id), 0);
	if (git_reference_name_to_id(&id, r, "HEAD") == 0)
		assert_int_equal(git_commit_lookup(&parent, r, &id), 0);
	assert_int_equal(git_signature_new(&sig, "Test", "test@example.org", t, 0), 0);
	assert_int_equal(git_commit_create(&id, r, "HEAD", sig, sig, NULL, "test\n", tree, parent ? 1 : 0,
					   (const git_commit **)&parent), 0);
	git_oid_tostr(out, CFS_OID_HEX, &id);
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(tree);
	git_repository_free(r);
}

/* Snapshot config_dir and commit it as HEAD at time t. */
static void commit_head(const char *repo_path, const char *config_dir, git_time_t t, char out[CFS_OID_HEX])
{
	char tree[CFS_OID_HEX];

	assert_int_equal(cfs_git_snapshot(config_dir, tree), 0);
	commit_tree_head(repo_path, tree, t, out);
}

/* Everything in the work tree staged through the index; its tree id. */
static void index_tree(const char *repo_path, char out[CFS_OID_HEX])
{
	git_repository *r = open_repo(repo_path);
	git_index *idx = NULL;
	git_oid id;

	assert_int_equal(git_repository_index(&idx, r), 0);
	assert_int_equal(git_index_add_all(idx, NULL, 0, NULL, NULL), 0);
	assert_int_equal(git_index_write(idx), 0);
	assert_int_equal(git_index_write_tree(&id, idx), 0);
	git_oid_tostr(out, CFS_OID_HEX, &id);
	git_index_free(idx);
	git_repository_free(r);
}

static int count_cb(const git_oid *id, void *payload)
{
	(void)id;
	++*(size_t *)payload;
	return 0;
}

static size_t object_count(const char *repo_path)
{
	git_repository *r = open_repo(repo_path);
	git_odb *odb = NULL;
	size_t n = 0;

	assert_int_equal(git_repository_odb(&odb, r), 0);
	assert_int_equal(git_odb_foreach(odb, count_cb, &n), 0);
	git_odb_free(odb);
	git_repository_free(r);
	return n;
}

/* The entry names of tree_hex (its path below the root: sub, "" = root). */
static char *tree_names(const char *repo_path, const char *tree_hex, const char *sub)
{
	git_repository *r = open_repo(repo_path);
	struct cfs_sb sb = CFS_SB_INIT;
	git_tree *tree = NULL, *inner = NULL;
	git_tree_entry *e = NULL;
	git_oid id;
	char *names;

	hex_to_oid(&id, tree_hex);
	assert_int_equal(git_tree_lookup(&tree, r, &id), 0);
	if (*sub) {
		assert_int_equal(git_tree_entry_bypath(&e, tree, sub), 0);
		assert_int_equal(git_tree_lookup(&inner, r, git_tree_entry_id(e)), 0);
		git_tree_entry_free(e);
	}
	for (size_t i = 0; i < git_tree_entrycount(inner ? inner : tree); i++)
		cfs_sb_addf(&sb, "%s%s", i ? " " : "",
			    git_tree_entry_name(git_tree_entry_byindex(inner ? inner : tree, i)));
	git_tree_free(inner);
	git_tree_free(tree);
	git_repository_free(r);
	names = cfs_xstrdup(cfs_sb_str(&sb));
	cfs_sb_release(&sb);
	return names;
}

static void assert_names(const char *repo_path, const char *tree_hex, const char *sub, const char *want)
{
	char *got = tree_names(repo_path, tree_hex, sub);

	assert_string_equal(got, want);
	free(got);
}

/* ---- repository discovery ---------------------------------------------- */

static void test_not_a_repo_is_enoent(void **state)
{
	struct fx *f = *state;
	char *plain = cfs_xasprintf("%s/plain", f->tmp);
	char *missing = cfs_xasprintf("%s/missing", f->tmp);
	git_buf found = { 0 };
	struct cfs_gitview *gv = (void *)1;
	char id[CFS_OID_HEX];

	put(plain, "a.yaml", "a: 1\n", 0644);
	if (git_repository_discover(&found, plain, 0, NULL) == 0) {
		git_buf_dispose(&found);
		free(plain);
		free(missing);
		skip();                 /* the scratch dir itself is inside a repository */
	}
	assert_errno(cfs_git_snapshot(plain, id), ENOENT);
	assert_errno(cfs_git_record_applied(plain, EMPTY_TREE, NULL, "m", id), ENOENT);
	assert_errno(cfs_gitview_open(plain, &gv), ENOENT);
	assert_null(gv);
	assert_errno(cfs_git_snapshot(missing, id), ENOENT);
	free(plain);
	free(missing);
}

static void test_bare_repo_is_enoent(void **state)
{
	struct fx *f = *state;
	char *bare = cfs_xasprintf("%s/bare.git", f->tmp);
	git_repository *r = NULL;
	struct cfs_gitview *gv = NULL;
	char id[CFS_OID_HEX];

	assert_int_equal(git_repository_init(&r, bare, 1), 0);
	git_repository_free(r);
	assert_errno(cfs_git_snapshot(bare, id), ENOENT);
	assert_errno(cfs_gitview_open(bare, &gv), ENOENT);
	free(bare);
}

/* ---- snapshot ---------------------------------------------------------- */

static void test_snapshot_skips_hidden_names(void **state)
{
	struct fx *f = *state;
	char tree[CFS_OID_HEX];
	char *fifo = cfs_xasprintf("%s/pipe", f->repo);

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	put(f->repo, "__cluster/state.json", "{}\n", 0644);
	put(f->repo, "graphs/g/graph.yaml", "g\n", 0644);
	put(f->repo, "hosts/graphs/kept.yaml", "k\n", 0644);
	put(f->repo, "hosts/.git", "gitdir: elsewhere\n", 0644);
	/* a storage root inside the folder ("storage: ./state") */
	put(f->repo, "state/__cluster/state.json", "{}\n", 0644);
	put(f->repo, "state/graphs/g.omni/_graph.json", "{}\n", 0644);
	put(f->repo, "state/notes.txt", "kept\n", 0644);
	put_dir(f->repo, "empty/deeper");
	assert_int_equal(mkfifo(fifo, 0644), 0);

	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_names(f->repo, tree, "", "cluster.yaml hosts state");
	assert_names(f->repo, tree, "hosts", "graphs");
	assert_names(f->repo, tree, "hosts/graphs", "kept.yaml");
	assert_names(f->repo, tree, "state", "notes.txt");
	free(fifo);
}

static void test_snapshot_equals_index_tree(void **state)
{
	struct fx *f = *state;
	char snap[CFS_OID_HEX], idx[CFS_OID_HEX];

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	put(f->repo, "bin/hook.sh", "#!/bin/sh\nexit 0\n", 0755);
	put(f->repo, "hosts/a.yaml", "a: 1\n", 0644);
	put(f->repo, "hosts/a-b.yaml", "ab: 1\n", 0600);
	put(f->repo, "hosts/a/b.yaml", "b: 1\n", 0644);
	put(f->repo, "empty.txt", "", 0644);
	put_link(f->repo, "current", "hosts/a.yaml");
	put_link(f->repo, "dangling", "../nowhere");

	assert_int_equal(cfs_git_snapshot(f->repo, snap), 0);
	index_tree(f->repo, idx);
	assert_string_equal(snap, idx);
	/* and again: the same files give the same tree */
	assert_int_equal(cfs_git_snapshot(f->repo, idx), 0);
	assert_string_equal(snap, idx);
}

static void test_snapshot_of_nothing_is_the_empty_tree(void **state)
{
	struct fx *f = *state;
	char tree[CFS_OID_HEX];

	put(f->repo, "__cluster/state.json", "{}\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_string_equal(tree, EMPTY_TREE);
}

/* ---- record ------------------------------------------------------------ */

static void assert_same_mtime(const struct stat *a, const char *path)
{
	struct stat b;

	assert_int_equal(lstat(path, &b), 0);
	assert_int_equal(a->st_mtim.tv_sec, b.st_mtim.tv_sec);
	assert_int_equal(a->st_mtim.tv_nsec, b.st_mtim.tv_nsec);
	assert_int_equal(a->st_ino, b.st_ino);
}

static size_t index_entries(const char *repo_path)
{
	git_repository *r = open_repo(repo_path);
	git_index *idx = NULL;
	size_t n;

	assert_int_equal(git_repository_index(&idx, r), 0);
	n = git_index_entrycount(idx);
	git_index_free(idx);
	git_repository_free(r);
	return n;
}

static void test_record_leaves_head_index_and_worktree(void **state)
{
	struct fx *f = *state;
	char *index_path = cfs_xasprintf("%s/.git/index", f->repo);
	char *file_path = cfs_xasprintf("%s/cluster.yaml", f->repo);
	char *head_path = cfs_xasprintf("%s/.git/HEAD", f->repo);
	char head[CFS_OID_HEX], idx_tree[CFS_OID_HEX], tree[CFS_OID_HEX], commit[CFS_OID_HEX];
	struct stat st_index, st_file, st_head;
	git_repository *r;
	git_commit *c = NULL;
	git_oid id;
	size_t entries;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	put(f->repo, "hosts/a.yaml", "a: 1\n", 0644);
	index_tree(f->repo, idx_tree);
	commit_tree_head(f->repo, idx_tree, T0, head);
	put(f->repo, "cluster.yaml", "name: changed\n", 0644);   /* unstaged change */
	entries = index_entries(f->repo);
	assert_int_equal(entries, 2);
	assert_int_equal(lstat(index_path, &st_index), 0);
	assert_int_equal(lstat(file_path, &st_file), 0);
	assert_int_equal(lstat(head_path, &st_head), 0);

	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_string_not_equal(tree, idx_tree);
	assert_int_equal(cfs_git_record_applied(f->repo, tree, "alice", "apply 1\n", commit), 0);

	assert_same_mtime(&st_index, index_path);
	assert_same_mtime(&st_file, file_path);
	assert_same_mtime(&st_head, head_path);
	assert_int_equal(index_entries(f->repo), entries);
	r = open_repo(f->repo);
	assert_int_equal(git_reference_name_to_id(&id, r, "HEAD"), 0);
	assert_string_equal(git_oid_tostr_s(&id), head);
	assert_int_equal(git_reference_name_to_id(&id, r, CFS_APPLIED_REF), 0);
	assert_string_equal(git_oid_tostr_s(&id), commit);
	assert_int_equal(git_commit_lookup(&c, r, &id), 0);
	assert_int_equal(git_commit_parentcount(c), 0);
	assert_string_equal(git_oid_tostr_s(git_commit_tree_id(c)), tree);
	assert_string_equal(git_commit_author(c)->name, "alice");
	assert_string_equal(git_commit_author(c)->email, "alice@clusterfs");
	assert_string_equal(git_commit_committer(c)->email, "alice@clusterfs");
	assert_string_equal(git_commit_message(c), "apply 1\n");
	git_commit_free(c);
	git_repository_free(r);
	free(index_path);
	free(file_path);
	free(head_path);
}

static void test_record_same_tree_writes_nothing(void **state)
{
	struct fx *f = *state;
	char tree[CFS_OID_HEX], first[CFS_OID_HEX], again[CFS_OID_HEX];
	size_t objects;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_int_equal(cfs_git_record_applied(f->repo, tree, NULL, "first\n", first), 0);
	objects = object_count(f->repo);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_int_equal(cfs_git_record_applied(f->repo, tree, "bob", "second\n", again), 0);
	assert_string_equal(first, again);
	assert_int_equal(object_count(f->repo), objects);
}

static void test_record_changed_tree_makes_child(void **state)
{
	struct fx *f = *state;
	char tree1[CFS_OID_HEX], tree2[CFS_OID_HEX], c1[CFS_OID_HEX], c2[CFS_OID_HEX];
	git_repository *r;
	git_commit *c = NULL;
	git_oid id;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree1), 0);
	assert_int_equal(cfs_git_record_applied(f->repo, tree1, NULL, "one\n", c1), 0);
	put(f->repo, "hosts/new.yaml", "n: 1\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree2), 0);
	assert_string_not_equal(tree1, tree2);
	assert_int_equal(cfs_git_record_applied(f->repo, tree2, NULL, "two\n", c2), 0);
	assert_string_not_equal(c1, c2);

	r = open_repo(f->repo);
	hex_to_oid(&id, c2);
	assert_int_equal(git_commit_lookup(&c, r, &id), 0);
	assert_int_equal(git_commit_parentcount(c), 1);
	assert_string_equal(git_oid_tostr_s(git_commit_parent_id(c, 0)), c1);
	assert_string_equal(git_commit_author(c)->name, "clusterfs");
	assert_string_equal(git_commit_author(c)->email, "clusterfs@clusterfs");
	git_commit_free(c);
	/* the user's HEAD is still unborn */
	assert_int_equal(git_repository_head_unborn(r), 1);
	git_repository_free(r);
}

static void test_record_bad_tree(void **state)
{
	struct fx *f = *state;
	char commit[CFS_OID_HEX], bad[CFS_OID_HEX] = "not-a-tree";
	const char *missing = "0123456789012345678901234567890123456789";
	git_repository *r;
	git_oid id;

	assert_errno(cfs_git_record_applied(f->repo, bad, NULL, "m\n", commit), EINVAL);
	assert_errno(cfs_git_record_applied(f->repo, missing, NULL, "m\n", commit), ENOENT);
	r = open_repo(f->repo);
	assert_int_equal(git_reference_name_to_id(&id, r, CFS_APPLIED_REF), GIT_ENOTFOUND);
	git_repository_free(r);
}

static void test_record_failpoint_leaves_no_ref(void **state)
{
	struct fx *f = *state;
	char tree[CFS_OID_HEX], commit[CFS_OID_HEX];
	git_repository *r;
	git_oid id;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	setenv("CLUSTERFS_FAILPOINTS", "git.record.before_ref", 1);
	assert_errno(cfs_git_record_applied(f->repo, tree, NULL, "m\n", commit), EIO);
	unsetenv("CLUSTERFS_FAILPOINTS");
	r = open_repo(f->repo);
	assert_int_equal(git_reference_name_to_id(&id, r, CFS_APPLIED_REF), GIT_ENOTFOUND);
	git_repository_free(r);
}

/* A commit of a one-file tree (content) with no ref moved. */
static void loose_commit(const char *repo_path, const char *content, char out[CFS_OID_HEX])
{
	git_repository *r = open_repo(repo_path);
	git_treebuilder *bld = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid blob, id;

	assert_int_equal(git_blob_create_from_buffer(&blob, r, content, strlen(content)), 0);
	assert_int_equal(git_treebuilder_new(&bld, r, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, bld, "other.yaml", &blob, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_write(&id, bld), 0);
	assert_int_equal(git_tree_lookup(&tree, r, &id), 0);
	assert_int_equal(git_signature_new(&sig, "Other", "other@example.org", T0, 0), 0);
	assert_int_equal(git_commit_create(&id, r, NULL, sig, sig, NULL, "other\n", tree, 0, NULL), 0);
	git_oid_tostr(out, CFS_OID_HEX, &id);
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(bld);
	git_repository_free(r);
}

static void set_applied(const char *repo_path, const char *hex)
{
	git_repository *r = open_repo(repo_path);
	git_reference *ref = NULL;
	git_oid id;

	hex_to_oid(&id, hex);
	assert_int_equal(git_reference_create(&ref, r, CFS_APPLIED_REF, &id, 1, "test"), 0);
	git_reference_free(ref);
	git_repository_free(r);
}

/* Wait until the object database holds more than n objects. */
static void wait_objects(const char *repo_path, size_t n)
{
	for (int i = 0; i < 20000 && object_count(repo_path) <= n; i++)
		usleep(1000);
	assert_true(object_count(repo_path) > n);
}

struct recorder {
	const char *dir;
	const char *tree;
	char commit[CFS_OID_HEX];
	int rc;
	int err;
};

static void *record_thread(void *arg)
{
	struct recorder *rec = arg;

	rec->rc = cfs_git_record_applied(rec->dir, rec->tree, NULL, "raced\n", rec->commit);
	rec->err = errno;
	return NULL;
}

/*
 * Move the ref under a running record once per attempt, while it sleeps
 * between writing its commit and moving the ref: after one move it retries
 * on top of the new value; after two it gives up with EAGAIN.
 */
static void race_record(struct fx *f, int moves, struct recorder *rec)
{
	char tree[CFS_OID_HEX], other[2][CFS_OID_HEX];
	git_repository *r;
	git_commit *c = NULL;
	git_oid id;
	pthread_t th;
	size_t objects;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	loose_commit(f->repo, "x\n", other[0]);
	loose_commit(f->repo, "y\n", other[1]);
	*rec = (struct recorder){ .dir = f->repo, .tree = tree };
	objects = object_count(f->repo);
	setenv("CLUSTERFS_FAILPOINTS", "git.record.before_ref=sleep(500)", 1);
	assert_int_equal(pthread_create(&th, NULL, record_thread, rec), 0);
	for (int i = 0; i < moves; i++) {
		wait_objects(f->repo, objects + (size_t)i);     /* attempt i wrote its commit */
		set_applied(f->repo, other[i]);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	unsetenv("CLUSTERFS_FAILPOINTS");
	rec->tree = NULL;               /* was this frame's */
	r = open_repo(f->repo);
	assert_int_equal(git_reference_name_to_id(&id, r, CFS_APPLIED_REF), 0);
	if (rec->rc != 0) {             /* the loser leaves the winner's value alone */
		assert_string_equal(git_oid_tostr_s(&id), other[moves - 1]);
	} else {
		assert_string_equal(git_oid_tostr_s(&id), rec->commit);
		assert_int_equal(git_commit_lookup(&c, r, &id), 0);
		assert_int_equal(git_commit_parentcount(c), 1);
		assert_string_equal(git_oid_tostr_s(git_commit_parent_id(c, 0)), other[0]);
		assert_string_equal(git_oid_tostr_s(git_commit_tree_id(c)), tree);
		git_commit_free(c);
	}
	git_repository_free(r);
}

static void test_record_retries_after_a_race(void **state)
{
	struct recorder rec;

	race_record(*state, 1, &rec);
	assert_int_equal(rec.rc, 0);
}

static void test_record_raced_twice_is_eagain(void **state)
{
	struct fx *f = *state;
	struct recorder rec;

	race_record(f, 2, &rec);
	assert_int_equal(rec.rc, -1);
	assert_int_equal(rec.err, EAGAIN);
}

/* ---- views ------------------------------------------------------------- */

static struct cfs_gitview *view(const char *dir)
{
	struct cfs_gitview *gv = NULL;

	assert_int_equal(cfs_gitview_open(dir, &gv), 0);
	assert_non_null(gv);
	return gv;
}

static void assert_dir_is(struct cfs_gitview *gv, const char *commit, const char *path, const char *want)
{
	struct cfs_sb sb = CFS_SB_INIT;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(cfs_gitview_readdir(gv, commit, path, &names, &n), 0);
	for (size_t i = 0; i < n; i++)
		cfs_sb_addf(&sb, "%s%s", i ? " " : "", names[i]);
	assert_string_equal(cfs_sb_str(&sb), want);
	cfs_gitview_names_free(names, n);
	cfs_sb_release(&sb);
}

static void assert_read_is(struct cfs_gitview *gv, const char *commit, const char *path, const char *want)
{
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_gitview_read(gv, commit, path, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	free(data);
}

static void test_prefix_subdirectory(void **state)
{
	struct fx *f = *state;
	char *cfg = cfs_xasprintf("%s/deploy/cluster", f->repo);
	char outer[CFS_OID_HEX], tree[CFS_OID_HEX], commit[CFS_OID_HEX], applied[CFS_OID_HEX];
	struct cfs_gitview *gv;
	struct cfs_gitnode node;
	char **names = (char **)1;
	char *data = (char *)1;
	size_t n = 9, len = 9;

	put(f->repo, "README", "outside\n", 0644);
	commit_head(f->repo, f->repo, T0, outer);          /* no deploy/cluster yet */
	put(cfg, "cluster.yaml", "name: c\n", 0644);
	put(cfg, "hosts/a.yaml", "a: 1\n", 0644);
	put(cfg, "__cluster/state.json", "{}\n", 0644);
	put(f->repo, "deploy/other.txt", "not config\n", 0644);

	assert_int_equal(cfs_git_snapshot(cfg, tree), 0);
	assert_names(f->repo, tree, "", "deploy");
	assert_names(f->repo, tree, "deploy", "cluster");
	assert_names(f->repo, tree, "deploy/cluster", "cluster.yaml hosts");
	assert_int_equal(cfs_git_record_applied(cfg, tree, "carol", "apply\n", commit), 0);

	gv = view(cfg);
	assert_int_equal(cfs_gitview_applied(gv, applied), 0);
	assert_string_equal(applied, commit);
	assert_int_equal(cfs_gitview_stat(gv, commit, "", &node), 0);
	assert_int_equal(node.mode, S_IFDIR | 0555);
	assert_dir_is(gv, commit, "", "cluster.yaml hosts");
	assert_dir_is(gv, commit, "hosts", "a.yaml");
	assert_read_is(gv, commit, "hosts/a.yaml", "a: 1\n");
	assert_int_equal(cfs_gitview_stat(gv, commit, "cluster.yaml", &node), 0);
	assert_int_equal(node.mode, S_IFREG | 0444);
	assert_int_equal(node.size, 8);
	/* a commit without the prefix has nothing, not even the folder */
	assert_errno(cfs_gitview_stat(gv, outer, "", &node), ENOENT);
	assert_errno(cfs_gitview_readdir(gv, outer, "", &names, &n), ENOENT);
	assert_null(names);
	assert_int_equal(n, 0);
	assert_errno(cfs_gitview_read(gv, outer, "README", &data, &len), ENOENT);
	assert_null(data);
	cfs_gitview_close(gv);

	/* a view opened at the top sees the commit's whole tree */
	gv = view(f->repo);
	assert_dir_is(gv, commit, "", "deploy");
	assert_dir_is(gv, outer, "", "README");
	cfs_gitview_close(gv);
	free(cfg);
}

static void test_prefix_through_a_file_is_enoent(void **state)
{
	struct fx *f = *state;
	char *cfg = cfs_xasprintf("%s/sub", f->repo);
	char c1[CFS_OID_HEX];
	struct cfs_gitview *gv;
	struct cfs_gitnode node;

	put(f->repo, "sub", "a file, at first\n", 0644);
	commit_head(f->repo, f->repo, T0, c1);
	assert_int_equal(unlink(cfg), 0);
	put(cfg, "x.yaml", "x\n", 0644);
	gv = view(cfg);
	assert_errno(cfs_gitview_stat(gv, c1, "", &node), ENOENT);
	assert_errno(cfs_gitview_stat(gv, c1, "x.yaml", &node), ENOENT);
	cfs_gitview_close(gv);
	free(cfg);
}

static void test_log_newest_first_and_limited(void **state)
{
	struct fx *f = *state;
	char made[5][CFS_OID_HEX];
	char (*ids)[CFS_OID_HEX] = (void *)1;
	size_t n = 9;
	struct cfs_gitview *gv = view(f->repo);

	/* unborn HEAD: an empty log */
	assert_int_equal(cfs_gitview_log(gv, 100, &ids, &n), 0);
	assert_int_equal(n, 0);
	assert_null(ids);
	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof name, "f%d.yaml", i);
		put(f->repo, name, "x\n", 0644);
		commit_head(f->repo, f->repo, T0 + 10 * i, made[i]);
	}
	assert_int_equal(cfs_gitview_log(gv, 3, &ids, &n), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(ids[i], made[4 - i]);
	free(ids);
	assert_int_equal(cfs_gitview_log(gv, 100, &ids, &n), 0);
	assert_int_equal(n, 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(ids[i], made[4 - i]);
	free(ids);
	assert_int_equal(cfs_gitview_log(gv, 0, &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);
	cfs_gitview_close(gv);
}

/* Write a blob whose id starts with the first 4 hex digits of hex but
 * differs at the 5th; its id into out. */
static void make_colliding_blob(const char *repo_path, const char *hex, char out[CFS_OID_HEX])
{
	git_repository *r = open_repo(repo_path);
	char buf[64], got[CFS_OID_HEX];
	git_oid id;

	for (unsigned i = 0;; i++) {
		int len = snprintf(buf, sizeof buf, "collide %u\n", i);

		assert_int_equal(git_odb_hash(&id, buf, (size_t)len, GIT_OBJECT_BLOB), 0);
		git_oid_tostr(got, sizeof got, &id);
		if (!strncmp(got, hex, 4) && got[4] != hex[4]) {
			assert_int_equal(git_blob_create_from_buffer(&id, r, buf, (size_t)len), 0);
			break;
		}
	}
	memcpy(out, got, CFS_OID_HEX);
	git_repository_free(r);
}

static void test_resolve(void **state)
{
	struct fx *f = *state;
	char c[CFS_OID_HEX], blob[CFS_OID_HEX], full[CFS_OID_HEX], spec[CFS_OID_HEX];
	struct cfs_gitview *gv;

	put(f->repo, "a.yaml", "a\n", 0644);
	commit_head(f->repo, f->repo, T0, c);
	gv = view(f->repo);
	assert_int_equal(cfs_gitview_resolve(gv, c, full), 0);
	assert_string_equal(full, c);
	memcpy(spec, c, 7);
	spec[7] = '\0';
	assert_int_equal(cfs_gitview_resolve(gv, spec, full), 0);
	assert_string_equal(full, c);
	memcpy(spec, c, 4);
	spec[4] = '\0';
	assert_int_equal(cfs_gitview_resolve(gv, spec, full), 0);
	assert_string_equal(full, c);

	spec[3] = '\0';
	assert_errno(cfs_gitview_resolve(gv, spec, full), ENOENT);       /* too short */
	assert_errno(cfs_gitview_resolve(gv, "", full), ENOENT);
	assert_errno(cfs_gitview_resolve(gv, "HEAD", full), ENOENT);     /* not hex */
	assert_errno(cfs_gitview_resolve(gv, "../..", full), ENOENT);
	assert_errno(cfs_gitview_resolve(gv, "0000000000000000000000000000000000000000", full), ENOENT);
	snprintf(spec, sizeof spec, "%.39sg", c);
	assert_errno(cfs_gitview_resolve(gv, spec, full), ENOENT);
	{
		char *longer = cfs_xasprintf("%s0", c);

		assert_errno(cfs_gitview_resolve(gv, longer, full), ENOENT);
		free(longer);
	}

	/* a blob sharing the first 4 digits makes them ambiguous; 5 do not */
	make_colliding_blob(f->repo, c, blob);
	memcpy(spec, c, 4);
	spec[4] = '\0';
	assert_errno(cfs_gitview_resolve(gv, spec, full), ENOENT);
	memcpy(spec, c, 5);
	spec[5] = '\0';
	assert_int_equal(cfs_gitview_resolve(gv, spec, full), 0);
	assert_string_equal(full, c);
	/* an object that is not a commit is no commit */
	assert_errno(cfs_gitview_resolve(gv, blob, full), ENOENT);
	cfs_gitview_close(gv);
}

static void test_view_modes_and_times(void **state)
{
	struct fx *f = *state;
	char c[CFS_OID_HEX];
	struct cfs_gitview *gv;
	struct cfs_gitnode node;

	put(f->repo, "run.sh", "#!/bin/sh\n", 0755);
	put(f->repo, "data.yaml", "0123456789", 0644);
	put(f->repo, "empty", "", 0644);
	put(f->repo, "dir/inner.yaml", "i\n", 0644);
	put_link(f->repo, "link", "dir/inner.yaml");
	commit_head(f->repo, f->repo, T0 + 42, c);
	gv = view(f->repo);

	assert_int_equal(cfs_gitview_stat(gv, c, "run.sh", &node), 0);
	assert_int_equal(node.mode, S_IFREG | 0555);
	assert_int_equal(node.size, 10);
	assert_int_equal(node.time, T0 + 42);
	assert_int_equal(cfs_gitview_stat(gv, c, "data.yaml", &node), 0);
	assert_int_equal(node.mode, S_IFREG | 0444);
	assert_int_equal(node.size, 10);
	assert_int_equal(cfs_gitview_stat(gv, c, "empty", &node), 0);
	assert_int_equal(node.size, 0);
	assert_read_is(gv, c, "empty", "");
	assert_int_equal(cfs_gitview_stat(gv, c, "link", &node), 0);
	assert_int_equal(node.mode, S_IFLNK | 0777);
	assert_int_equal(node.size, strlen("dir/inner.yaml"));
	assert_read_is(gv, c, "link", "dir/inner.yaml");
	assert_int_equal(cfs_gitview_stat(gv, c, "dir", &node), 0);
	assert_int_equal(node.mode, S_IFDIR | 0555);
	assert_int_equal(node.size, 0);
	assert_int_equal(node.time, T0 + 42);
	assert_int_equal(cfs_gitview_stat(gv, c, "", &node), 0);
	assert_int_equal(node.mode, S_IFDIR | 0555);
	assert_dir_is(gv, c, "", "data.yaml dir empty link run.sh");
	assert_read_is(gv, c, "run.sh", "#!/bin/sh\n");
	cfs_gitview_close(gv);
}

static void test_view_path_escapes_are_enoent(void **state)
{
	static const char *const bad[] = {
		"..", "../repo", "dir/..", "dir/../data.yaml", ".", "./data.yaml", "dir/./inner.yaml",
		"dir//inner.yaml", "/data.yaml", "dir/", "/", ".git", "..data.yaml/..",
	};
	struct fx *f = *state;
	char c[CFS_OID_HEX];
	struct cfs_gitview *gv;
	struct cfs_gitnode node;
	char **names;
	char *data;
	size_t n, len;

	put(f->repo, "data.yaml", "d\n", 0644);
	put(f->repo, "dir/inner.yaml", "i\n", 0644);
	commit_head(f->repo, f->repo, T0, c);
	gv = view(f->repo);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_errno(cfs_gitview_stat(gv, c, bad[i], &node), ENOENT);
		assert_errno(cfs_gitview_readdir(gv, c, bad[i], &names, &n), ENOENT);
		assert_errno(cfs_gitview_read(gv, c, bad[i], &data, &len), ENOENT);
	}
	assert_errno(cfs_gitview_stat(gv, c, "missing", &node), ENOENT);
	assert_errno(cfs_gitview_stat(gv, c, "data.yaml/x", &node), ENOTDIR);
	assert_errno(cfs_gitview_readdir(gv, c, "data.yaml", &names, &n), ENOTDIR);
	assert_errno(cfs_gitview_read(gv, c, "dir", &data, &len), EISDIR);
	assert_errno(cfs_gitview_read(gv, c, "", &data, &len), EISDIR);
	assert_errno(cfs_gitview_stat(gv, "zzzz", "", &node), ENOENT);
	cfs_gitview_close(gv);
}

static void test_view_submodule_is_an_empty_dir(void **state)
{
	struct fx *f = *state;
	char c[CFS_OID_HEX];
	git_repository *r = open_repo(f->repo);
	git_treebuilder *bld = NULL;
	git_oid blob, sub, tree;
	struct cfs_gitview *gv;
	struct cfs_gitnode node;
	char *data;
	size_t len;

	assert_int_equal(git_blob_create_from_buffer(&blob, r, "x\n", 2), 0);
	hex_to_oid(&sub, "1111111111111111111111111111111111111111");
	assert_int_equal(git_treebuilder_new(&bld, r, NULL), 0);
	assert_int_equal(git_treebuilder_insert(NULL, bld, "file", &blob, GIT_FILEMODE_BLOB), 0);
	assert_int_equal(git_treebuilder_insert(NULL, bld, "module", &sub, GIT_FILEMODE_COMMIT), 0);
	assert_int_equal(git_treebuilder_write(&tree, bld), 0);
	git_treebuilder_free(bld);
	git_repository_free(r);
	commit_tree_head(f->repo, git_oid_tostr_s(&tree), T0, c);

	gv = view(f->repo);
	assert_int_equal(cfs_gitview_stat(gv, c, "module", &node), 0);
	assert_int_equal(node.mode, S_IFDIR | 0555);
	assert_int_equal(node.size, 0);
	assert_dir_is(gv, c, "module", "");
	assert_errno(cfs_gitview_read(gv, c, "module", &data, &len), EISDIR);
	assert_errno(cfs_gitview_stat(gv, c, "module/x", &node), ENOENT);
	cfs_gitview_close(gv);
}

static void test_applied_absent_then_present(void **state)
{
	struct fx *f = *state;
	char tree[CFS_OID_HEX], commit[CFS_OID_HEX], got[CFS_OID_HEX];
	struct cfs_gitview *gv;

	put(f->repo, "cluster.yaml", "name: c\n", 0644);
	gv = view(f->repo);
	assert_errno(cfs_gitview_applied(gv, got), ENOENT);
	assert_int_equal(cfs_git_snapshot(f->repo, tree), 0);
	assert_int_equal(cfs_git_record_applied(f->repo, tree, "dave", "m\n", commit), 0);
	/* the open view sees the new ref and its commit */
	assert_int_equal(cfs_gitview_applied(gv, got), 0);
	assert_string_equal(got, commit);
	assert_read_is(gv, got, "cluster.yaml", "name: c\n");
	cfs_gitview_close(gv);
}

struct reader {
	struct cfs_gitview *gv;
	const char *commit;
	int failures;
};

static void *read_loop(void *arg)
{
	struct reader *rd = arg;
	struct cfs_gitnode node;
	char *data;
	size_t len;

	for (int i = 0; i < 200; i++) {
		if (cfs_gitview_stat(rd->gv, rd->commit, "hosts/a.yaml", &node) != 0 || node.size != 5)
			rd->failures++;
		if (cfs_gitview_read(rd->gv, rd->commit, "hosts/a.yaml", &data, &len) != 0 || len != 5)
			rd->failures++;
		else
			free(data);
	}
	return NULL;
}

static void test_view_from_several_threads(void **state)
{
	struct fx *f = *state;
	char c[CFS_OID_HEX];
	struct reader rd[4];
	pthread_t th[4];
	struct cfs_gitview *gv;

	put(f->repo, "hosts/a.yaml", "a: 1\n", 0644);
	commit_head(f->repo, f->repo, T0, c);
	gv = view(f->repo);
	for (int i = 0; i < 4; i++) {
		rd[i] = (struct reader){ gv, c, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, read_loop, &rd[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(rd[i].failures, 0);
	}
	cfs_gitview_close(gv);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_not_a_repo_is_enoent),
		T(test_bare_repo_is_enoent),
		T(test_snapshot_skips_hidden_names),
		T(test_snapshot_equals_index_tree),
		T(test_snapshot_of_nothing_is_the_empty_tree),
		T(test_record_leaves_head_index_and_worktree),
		T(test_record_same_tree_writes_nothing),
		T(test_record_changed_tree_makes_child),
		T(test_record_bad_tree),
		T(test_record_failpoint_leaves_no_ref),
		T(test_record_retries_after_a_race),
		T(test_record_raced_twice_is_eagain),
		T(test_prefix_subdirectory),
		T(test_prefix_through_a_file_is_enoent),
		T(test_log_newest_first_and_limited),
		T(test_resolve),
		T(test_view_modes_and_times),
		T(test_view_path_escapes_are_enoent),
		T(test_view_submodule_is_an_empty_dir),
		T(test_applied_absent_then_present),
		T(test_view_from_several_threads),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
