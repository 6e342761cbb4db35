/*
 * hashmap: open addressing keeps lookups to one or two cache lines, which
 * is what key lookups in the graph store need.
 */
#include "core/hashmap.h"
#include "core/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct cfs_hslot *find(const struct cfs_hmap *m, const char *key)
{
	size_t mask = m->cap - 1;

	for (size_t i = (size_t)fnv1a(key) & mask;; i = (i + 1) & mask)
		if (!m->slots[i].key || !strcmp(m->slots[i].key, key))
			return &m->slots[i];
}

static void grow(struct cfs_hmap *m)
{
	struct cfs_hmap bigger = { NULL, m->cap ? m->cap * 2 : 16, 0 };

	bigger.slots = cfs_xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		*find(&bigger, m->slots[i].key) = m->slots[i];
		bigger.n++;
	}
	free(m->slots);
	*m = bigger;
}

void cfs_hmap_put(struct cfs_hmap *m, const char *key, size_t val)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	struct cfs_hslot *s = find(m, key);
	if (!s->key) {
		s->key = cfs_xstrdup(key);
		m->n++;
	}
	s->val = val;
}

bool cfs_hmap_get(const struct cfs_hmap *m, const char *key, size_t *val)
{
	if (!m->cap)
		return false;
	const struct cfs_hslot *s = find(m, key);
	if (!s->key)
		return false;
	*val = s->val;
	return true;
}

void cfs_hmap_free(struct cfs_hmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
