/*
 * query/check_mut: mutation statements (query-lang.md §7.7) — insert,
 * update, delete — against node and edge types, matched by exact name,
 * node types first.
 */
#include "engine/query/check_int.h"

#include <stdlib.h>
#include <string.h>

/* Statement type names are case-sensitive, unlike traversal edge names. */
static const struct cfs_type *edge_exact(const struct cfs_schema *s, const char *name)
{
	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].kind == CFS_DECL_EDGE && !strcmp(s->types[i].name, name))
			return &s->types[i];
	return NULL;
}

static bool is_endpoint(const char *p)
{
	return !strcmp(p, "from") || !strcmp(p, "to");
}

static bool assigned(const struct cfs_qstmt *s, const char *p)
{
	for (size_t i = 0; i < s->nassigns; i++)
		if (!strcmp(s->assigns[i].prop, p))
			return true;
	return false;
}

/* T13a: the first name assigned a second time. */
static int no_duplicates(struct ck *c, const struct cfs_qstmt *s)
{
	for (size_t i = 1; i < s->nassigns; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->assigns[i].prop, s->assigns[j].prop))
				return ck_fail(c, "T13: duplicate assignment for property `%s`", s->assigns[i].prop);
	return 0;
}

/*
 * One `p: value` (or the predicate's `p op value`) against type t: an
 * edge's from/to are non-null Strings, anything else must be a property
 * (T11a), not a Blob in a predicate (T11b), then the value check V.
 */
static int target(struct ck *c, const struct cfs_qstmt *s, const struct cfs_type *t, bool pred,
		  const char *p, const struct cfs_qvalue *v, struct cfs_tassign *a)
{
	const struct cfs_prop *prop = NULL;

	a->prop = cfs_xstrdup(p);
	if (t->kind == CFS_DECL_EDGE && is_endpoint(p)) {
		a->target = ck_ptype(CFS_SC_STRING);
	} else {
		prop = cfs_type_prop(t, p);
		if (!prop)
			return ck_fail(c, "T11: type `%s` has no property `%s`", s->type, p);
		if (pred && prop->type.scalar == CFS_SC_BLOB)
			return ck_fail(c, "T11: blob property `%s` cannot be used in WHERE predicates", p);
		a->property = prop;
		a->target = prop->type;
	}
	return ck_value(c, v, &a->target, p, &a->value);
}

static int assignments(struct ck *c, const struct cfs_qstmt *s, const struct cfs_type *t,
		       struct cfs_tstmt *o)
{
	if (s->nassigns) {
		o->assigns = cfs_xcalloc(s->nassigns, sizeof *o->assigns);
		o->nassigns = s->nassigns;
	}
	for (size_t i = 0; i < s->nassigns; i++)
		if (target(c, s, t, false, s->assigns[i].prop, &s->assigns[i].value, &o->assigns[i]))
			return -1;
	return 0;
}

/* Non-nullable properties an insert leaves out (T12a/T12b), in property order. */
static int required(struct ck *c, const struct cfs_qstmt *s, const struct cfs_type *t)
{
	for (size_t i = 0; i < t->nprops; i++) {
		const struct cfs_prop *p = &t->props[i];
		const struct cfs_annot *embed;

		if (cfs_type_prop(t, p->name) != p || p->type.nullable || assigned(s, p->name))
			continue;       /* shadowed by a later declaration, optional, or given */
		embed = t->kind == CFS_DECL_NODE ? cfs_annot_find(p->annots, p->nannots, "embed") : NULL;
		if (embed && embed->value) {
			if (assigned(s, embed->value))
				continue;
			return ck_fail(c, "T12: insert for `%s` must provide non-nullable property `%s` or @embed "
				       "source `%s`", s->type, p->name, embed->value);
		}
		return ck_fail(c, "T12: insert for `%s` must provide non-nullable property `%s`", s->type, p->name);
	}
	return 0;
}

static int check_insert(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o)
{
	const struct cfs_type *t;

	if (no_duplicates(c, s))
		return -1;
	t = cfs_schema_node(c->cat, s->type);
	if (!t)
		t = edge_exact(c->cat, s->type);
	if (!t)
		return ck_fail(c, "T10: unknown node/edge type `%s`", s->type);
	o->type = t;
	o->on_edge = t->kind == CFS_DECL_EDGE;
	if (assignments(c, s, t, o))
		return -1;
	if (o->on_edge && !assigned(s, "from"))
		return ck_fail(c, "T12: insert for `%s` must provide required endpoint `from`", s->type);
	if (o->on_edge && !assigned(s, "to"))
		return ck_fail(c, "T12: insert for `%s` must provide required endpoint `to`", s->type);
	return required(c, s, t);
}

static int predicate(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o)
{
	o->pred_op = s->pred_op;
	return target(c, s, o->type, true, s->pred_prop, &s->pred_value, &o->pred);
}

static int check_update(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o)
{
	const struct cfs_type *t = cfs_schema_node(c->cat, s->type);

	if (!t && edge_exact(c->cat, s->type))
		return ck_fail(c, "T16: update mutation for edge type `%s` is not supported", s->type);
	if (!t)
		return ck_fail(c, "T10: unknown node/edge type `%s`", s->type);
	o->type = t;
	if (no_duplicates(c, s) || assignments(c, s, t, o))
		return -1;
	return predicate(c, s, o);
}

static int check_delete(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o)
{
	const struct cfs_type *t = cfs_schema_node(c->cat, s->type);

	if (!t)
		t = edge_exact(c->cat, s->type);
	if (!t)
		return ck_fail(c, "T10: unknown node/edge type `%s`", s->type);
	o->type = t;
	o->on_edge = t->kind == CFS_DECL_EDGE;
	return predicate(c, s, o);
}

int ck_stmt(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o)
{
	o->kind = s->kind;
	switch (s->kind) {
	case QS_INSERT: return check_insert(c, s, o);
	case QS_UPDATE: return check_update(c, s, o);
	case QS_DELETE: return check_delete(c, s, o);
	}
	return ck_fail(c, "malformed query");
}

static void assign_free(struct cfs_tassign *a)
{
	free(a->prop);
	ck_value_free(&a->value);
}

void ck_stmt_free(struct cfs_tstmt *s)
{
	for (size_t i = 0; i < s->nassigns; i++)
		assign_free(&s->assigns[i]);
	free(s->assigns);
	assign_free(&s->pred);
	memset(s, 0, sizeof *s);
}
