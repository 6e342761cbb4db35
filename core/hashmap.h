/*
 * hashmap: string -> size_t map with open addressing (FNV-1a, linear
 * probing, power-of-two capacity).  Used for the graph store's key and
 * adjacency indexes.  Keys are copied; not thread-safe.
 */
#ifndef CFS_HASHMAP_H
#define CFS_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>

struct cfs_hmap {
	struct cfs_hslot { char *key; size_t val; } *slots;
	size_t cap, n;
};

#define CFS_HMAP_INIT { NULL, 0, 0 }

/* Insert or replace. */
void cfs_hmap_put(struct cfs_hmap *m, const char *key, size_t val);
/* true and *val when present. */
bool cfs_hmap_get(const struct cfs_hmap *m, const char *key, size_t *val);
void cfs_hmap_free(struct cfs_hmap *m);

#endif
