/*
 * ledger/store: the object-store interface everything durable goes through
 * (graph roots, and later the cluster ledger).  Keys are '/'-separated
 * relative names under the store's root; values are whole byte strings.
 * The primitives are the ones an object store offers (get, put, put-if-
 * absent, list, delete), so an S3 backend can replace the local-directory
 * one without changing callers: no rename, no append, no partial update.
 * Every function returns 0 or -1 with errno set; none prints.
 */
#ifndef CFS_LEDGER_STORE_H
#define CFS_LEDGER_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct cfs_store;

/* A store rooted at a local directory (created on the first write; the
 * root itself need not exist to open).  Caller frees with cfs_store_close. */
int cfs_store_open_local(const char *root, struct cfs_store **out);
void cfs_store_close(struct cfs_store *s);
const char *cfs_store_root(const struct cfs_store *s);

/* Whole object; ENOENT when absent.  *data is NUL-terminated (not counted
 * in *len); caller frees. */
int cfs_store_get(struct cfs_store *s, const char *key, char **data, size_t *len);
/* Durable replace (atomic: readers see the old or the new bytes). */
int cfs_store_put(struct cfs_store *s, const char *key, const void *data, size_t len);
/* Durable create-if-absent: EEXIST if the key exists (the commit primitive). */
int cfs_store_put_new(struct cfs_store *s, const char *key, const void *data, size_t len);
/* 0 if present, -1/ENOENT if not. */
int cfs_store_exists(struct cfs_store *s, const char *key);
/* Remove one object; ENOENT when absent. */
int cfs_store_delete(struct cfs_store *s, const char *key);

/*
 * Keys directly under prefix ("dir/" lists "dir/a", not "dir/x/y"; the
 * names returned are the last component only), sorted byte-wise.  A prefix
 * that does not exist lists empty.  Caller frees with cfs_store_list_free.
 */
int cfs_store_list(struct cfs_store *s, const char *prefix, char ***names, size_t *n);
void cfs_store_list_free(char **names, size_t n);
/*
 * Remove what a writer killed mid-put left directly under prefix (the
 * local backend's ".<name>.tmp.*" files; nothing on an object store,
 * whose puts are atomic).  Only for a prefix nobody else can be writing
 * (the caller holds the lock that every writer there holds).
 */
int cfs_store_remove_temps(struct cfs_store *s, const char *prefix);

/* True if the root holds anything at all (a local dir that exists). */
bool cfs_store_root_exists(struct cfs_store *s);
/* True if the root exists and holds at least one entry. */
bool cfs_store_root_nonempty(struct cfs_store *s);
/* Remove everything under the root, and the root; idempotent, resumable. */
int cfs_store_destroy(struct cfs_store *s);

#endif
