/*
 * schema/identity: stable identities for a canonical shape (schema-lang.md
 * §9).  Types, properties and node/edge table incarnations draw from one
 * increasing counter and are never reused.  The allocation order is the
 * reference's, so identity-based constraint keys ("unique:property:2:6")
 * come out the same: unmatched types by (kind, name), then unmatched
 * properties by (owner id, name), then incarnations of unmatched nodes and
 * edges by type id.
 */
#include "engine/schema/normalize.h"
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND[] = { "interface", "node", "edge" };

static int vfail(char **err, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int vfail(char **err, const char *prefix, const char *fmt, va_list ap)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_adds(&sb, prefix);
	cfs_sb_vaddf(&sb, fmt, ap);
	*err = cfs_sb_detach(&sb);
	return -1;
}

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, "schema identity resolution failed: ", fmt, ap);
	va_end(ap);
	return -1;
}

static int invalid(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(err, "invalid accepted SchemaIR: ", fmt, ap);
	va_end(ap);
	return -1;
}

struct resolver {
	struct cfs_shape *sh;
	const struct cfs_shape *acc;            /* NULL for a brand-new graph */
	uint64_t next;
	bool *used[3];                          /* accepted types already matched */
	uint64_t *used_props;                   /* accepted property ids already matched */
	size_t nused_props;
};

static bool named_in_any_kind(const struct cfs_shape *acc, const char *name)
{
	for (int k = 0; k < 3; k++)
		if (cfs_shape_find(acc, (enum cfs_decl_kind)k, name))
			return true;
	return false;
}

/* Same kind and name, else the same kind named by @rename_from.  A hint on
 * an exact match is ignored; on a brand-new graph every hint is inert. */
static int match_type(struct resolver *r, struct cfs_shape_type *t, char **err)
{
	const struct cfs_shape_type *m = cfs_shape_find(r->acc, t->kind, t->name);

	if (!m && t->rename_from) {
		if (!named_in_any_kind(r->acc, t->rename_from))
			return fail(err, "%s '%s' declares @rename_from(\"%s\") but no accepted declaration has that name",
				    KIND[t->kind], t->name, t->rename_from);
		m = cfs_shape_find(r->acc, t->kind, t->rename_from);
		if (!m)
			return fail(err, "%s '%s' cannot rename accepted '%s' across declaration kinds",
				    KIND[t->kind], t->name, t->rename_from);
	}
	if (!m)
		return 0;
	bool *used = &r->used[t->kind][m - r->acc->types[t->kind]];
	if (*used)
		return fail(err, "accepted %s '%s' is consumed by more than one desired declaration",
			    KIND[m->kind], m->name);
	*used = true;
	t->match = m;
	t->id = m->id;
	t->incarnation = m->incarnation;
	return 0;
}

static bool hint_elsewhere(const struct cfs_shape *acc, const struct cfs_shape_type *owner, const char *hint)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < acc->ntypes[k]; i++)
			if (&acc->types[k][i] != owner && cfs_shape_prop(&acc->types[k][i], hint))
				return true;
	return false;
}

/* Properties match by name under the matched owner, else by their hint
 * under that same owner: identity never moves between types. */
static int match_prop(struct resolver *r, const struct cfs_shape_type *t, struct cfs_shape_prop *p, char **err)
{
	const struct cfs_shape_type *owner = t->match;
	const struct cfs_shape_prop *m;

	if (!owner) {
		if (p->rename_from && r->acc)
			return fail(err, "new owner '%s:%s' cannot import property identity with @rename_from(\"%s\")",
				    KIND[t->kind], t->name, p->rename_from);
		return 0;
	}
	m = cfs_shape_prop(owner, p->name);
	if (!m && p->rename_from) {
		m = cfs_shape_prop(owner, p->rename_from);
		if (!m)
			return fail(err, "property '%s.%s' declares @rename_from(\"%s\"): %s", t->name, p->name,
				    p->rename_from, hint_elsewhere(r->acc, owner, p->rename_from)
				    ? "property moves across stable owners are not supported"
				    : "no accepted property with that name exists under the stable owner");
	}
	if (!m)
		return 0;
	for (size_t i = 0; i < r->nused_props; i++)
		if (r->used_props[i] == m->id)
			return fail(err, "accepted property id %llu is consumed more than once",
				    (unsigned long long)m->id);
	r->used_props = cfs_xrealloc(r->used_props, (r->nused_props + 1) * sizeof(*r->used_props));
	r->used_props[r->nused_props++] = m->id;
	p->match = m;
	p->id = m->id;
	return 0;
}

struct pending {
	uint64_t owner;
	struct cfs_shape_prop *prop;
};

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return strcmp(x->prop->name, y->prop->name);
}

static size_t count_props(const struct cfs_shape *sh)
{
	size_t n = 0;

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < sh->ntypes[k]; i++)
			n += sh->types[k][i].nprops;
	return n;
}

/* Match every property, then give the unmatched ones fresh identities in
 * (owner id, name) order. */
static int resolve_props(struct resolver *r, char **err)
{
	struct pending *pend = cfs_xcalloc(count_props(r->sh) + 1, sizeof(*pend));
	size_t n = 0;

	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < r->sh->ntypes[k]; i++) {
			struct cfs_shape_type *t = &r->sh->types[k][i];
			for (size_t j = 0; j < t->nprops; j++) {
				if (match_prop(r, t, &t->props[j], err)) {
					free(pend);
					return -1;
				}
				if (!t->props[j].match)
					pend[n++] = (struct pending){ t->id, &t->props[j] };
			}
		}
	}
	cfs_qsort(pend, n, sizeof(*pend), pending_cmp);
	for (size_t i = 0; i < n; i++)
		pend[i].prop->id = r->next++;
	free(pend);
	return 0;
}

static bool system_column(enum cfs_decl_kind k, const char *col)
{
	return !strcmp(col, "id") || (k == CFS_DECL_EDGE && (!strcmp(col, "src") || !strcmp(col, "dst")));
}

/* Every reference by name (embed sources, constraint columns) must land on
 * a property of the same owner; loading guarantees it except for embeds on
 * interface properties no node implements (§11.5). */
static int check_refs(const struct cfs_shape_type *t, char **err)
{
	for (size_t i = 0; i < t->nprops; i++) {
		const char *src = t->props[i].embed_source;
		if (src && !cfs_shape_prop(t, src))
			return fail(err, "unknown property reference '%s.%s'", t->name, src);
	}
	for (size_t i = 0; i < t->ncons; i++)
		for (size_t j = 0; j < t->cons[i].ncols; j++) {
			const char *col = t->cons[i].cols[j];
			if (!system_column(t->kind, col) && !cfs_shape_prop(t, col))
				return fail(err, "unknown property reference '%s.%s'", t->name, col);
		}
	return 0;
}

static int check_shape(const struct cfs_shape *sh, char **err)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < sh->ntypes[k]; i++)
			if (check_refs(&sh->types[k][i], err))
				return -1;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < sh->ntypes[k]; i++) {
			const struct cfs_shape_type *t = &sh->types[k][i];
			for (size_t j = 1; j < t->nprops; j++)
				if (!strcmp(t->props[j - 1].name, t->props[j].name))
					return invalid(err, "duplicate property '%s.%s'", t->name, t->props[j].name);
		}
	return 0;
}

static int resolve_types(struct resolver *r, char **err)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < r->sh->ntypes[k]; i++)
			if (r->acc && match_type(r, &r->sh->types[k][i], err))
				return -1;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < r->sh->ntypes[k]; i++)
			if (!r->sh->types[k][i].match)
				r->sh->types[k][i].id = r->next++;
	return 0;
}

int cfs_shape_resolve(struct cfs_shape *sh, const struct cfs_shape *accepted, char **err)
{
	struct resolver r = { .sh = sh, .acc = accepted, .next = accepted ? accepted->next_id : 1 };
	int rc;

	for (int k = 0; k < 3; k++)
		r.used[k] = cfs_xcalloc(accepted && accepted->ntypes[k] ? accepted->ntypes[k] : 1, sizeof(bool));
	rc = resolve_types(&r, err);
	if (!rc)
		rc = resolve_props(&r, err);
	if (!rc) {
		/* unmatched types got ascending ids node-before-edge, so this
		 * walk is already in type-id order */
		for (int k = CFS_DECL_NODE; k <= CFS_DECL_EDGE; k++)
			for (size_t i = 0; i < sh->ntypes[k]; i++)
				if (!sh->types[k][i].match)
					sh->types[k][i].incarnation = r.next++;
		sh->next_id = r.next;
		rc = check_shape(sh, err);
	}
	for (int k = 0; k < 3; k++)
		free(r.used[k]);
	free(r.used_props);
	return rc;
}
