/*
 * schema/rules: stages S3 (interface expansion, §5.3), S4 (annotation
 * rules, §6) and S5 (constraint rules, §7).  Each walks declarations in
 * source order and stops at the first violation, whose message is
 * contractual.
 */
#include "engine/schema/build_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* ---- S3 ---------------------------------------------------------------- */

static char *disp(const struct cfs_ptype *t)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(t, &sb);
	return cfs_sb_detach(&sb);
}

static int inject(struct cfs_type *node, const struct cfs_type *iface, char **err)
{
	for (size_t i = 0; i < iface->nprops; i++) {
		const struct cfs_prop *ip = &iface->props[i];
		const struct cfs_prop *np = cfs_type_prop(node, ip->name);
		if (np) {
			if (cfs_ptype_equal(&np->type, &ip->type))
				continue;
			char *a = disp(&np->type), *b = disp(&ip->type);
			cfs_build_fail(err, "node %s property '%s' has type %s but interface %s declares it as %s",
				       node->name, ip->name, a, iface->name, b);
			free(a);
			free(b);
			return -1;
		}
		node->props = cfs_xrealloc(node->props, (node->nprops + 1) * sizeof(*node->props));
		struct cfs_prop *copy = &node->props[node->nprops++];
		cfs_prop_copy(copy, ip);
		copy->injected_from = cfs_xstrdup(iface->name);
		cfs_desugar_prop(node, copy, CFS_ORIGIN_INJECTED);
	}
	return 0;
}

int cfs_schema_expand(struct cfs_schema *s, char **err)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		struct cfs_type *t = &s->types[i];
		if (t->kind != CFS_DECL_NODE)
			continue;
		for (size_t j = 0; j < t->nimplements; j++) {
			const struct cfs_type *iface = cfs_schema_interface(s, t->implements[j]);
			if (!iface)
				return cfs_build_fail(err, "node %s implements unknown interface '%s'",
						      t->name, t->implements[j]);
			if (inject(t, iface, err))
				return -1;
		}
	}
	return 0;
}

/* ---- S4 ---------------------------------------------------------------- */

static bool blank(const char *v)
{
	if (!v)
		return true;
	for (; *v; v++)
		if (!strchr(" \t\r\n\f\v", *v))
			return false;
	return true;
}

static bool is_one_of(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(name, *set))
			return true;
	return false;
}

static const char *const KEYISH[] = { "key", "unique", "index", "embed", NULL };
static const char *const KEY_UNIQUE[] = { "key", "unique", NULL };
static const char *const KUI[] = { "key", "unique", "index", NULL };

/* The reference looks for a repeat first, then validates the first one. */
static int rename_check(const struct cfs_annot *a, size_t n, const char *target, char **err)
{
	const struct cfs_annot *first = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].name, "rename_from"))
			continue;
		if (first)
			return cfs_build_fail(err, "%s declares @rename_from multiple times", target);
		first = &a[i];
	}
	if (!first)
		return 0;
	if (blank(first->value))
		return cfs_build_fail(err, "@rename_from on %s requires exactly one non-empty positional value", target);
	if (first->nkwargs)
		return cfs_build_fail(err, "@rename_from on %s does not accept keyword arguments", target);
	return 0;
}

static int text_check(const struct cfs_annot *a, size_t n, const char *what, const char *target, char **err)
{
	bool seen = false;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].name, what))
			continue;
		if (seen)
			return cfs_build_fail(err, "%s declares @%s multiple times", target, what);
		seen = true;
		if (blank(a[i].value))
			return cfs_build_fail(err, "@%s on %s requires a non-empty value", what, target);
	}
	return 0;
}

static size_t count_before(const struct cfs_annot *a, size_t upto, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < upto; i++)
		n += !strcmp(a[i].name, name);
	return n;
}

static int embed_rule(const struct cfs_type *t, const struct cfs_prop *p, const struct cfs_annot *a,
		      bool repeated, char **err)
{
	if (repeated)
		return cfs_build_fail(err, "property %s.%s declares @embed multiple times", t->name, p->name);
	if (p->type.scalar != CFS_SC_VECTOR)
		return cfs_build_fail(err, "@embed is only supported on vector properties (%s.%s)", t->name, p->name);
	if (!a->value)
		return cfs_build_fail(err, "@embed on %s.%s requires a source property name", t->name, p->name);
	if (blank(a->value))
		return cfs_build_fail(err, "@embed on %s.%s requires a non-empty source property name", t->name, p->name);
	const struct cfs_prop *src = cfs_type_prop(t, a->value);
	if (!src)
		return cfs_build_fail(err, "@embed on %s.%s references unknown source property %s",
				      t->name, p->name, a->value);
	if (src->type.list || src->type.scalar != CFS_SC_STRING)
		return cfs_build_fail(err, "@embed source property %s.%s must be String", t->name, a->value);
	const char *unknown = NULL;
	for (size_t i = 0; i < a->nkwargs; i++)
		if (strcmp(a->kwargs[i].key, "model") && (!unknown || strcmp(a->kwargs[i].key, unknown) < 0))
			unknown = a->kwargs[i].key;
	if (unknown)
		return cfs_build_fail(err, "@embed on %s.%s has unknown argument '%s=' (only 'model' is supported)",
				      t->name, p->name, unknown);
	return 0;
}

static int annot_rule(const struct cfs_type *t, const struct cfs_prop *p, size_t i, char **err)
{
	const struct cfs_annot *a = &p->annots[i];
	const char *n = a->name;

	if (p->type.list && is_one_of(n, KEYISH))
		return cfs_build_fail(err, "@%s is not supported on list property %s.%s", n, t->name, p->name);
	if (p->type.scalar == CFS_SC_VECTOR && is_one_of(n, KEY_UNIQUE))
		return cfs_build_fail(err, "@%s is not supported on vector property %s.%s", n, t->name, p->name);
	if (p->type.scalar == CFS_SC_BLOB && is_one_of(n, KEYISH))
		return cfs_build_fail(err, "@%s is not supported on blob property %s.%s", n, t->name, p->name);
	if (!strcmp(n, "instruction"))
		return cfs_build_fail(err, "@instruction is only supported on node and edge types (property %s.%s)",
				      t->name, p->name);
	if (t->kind == CFS_DECL_EDGE && (!strcmp(n, "key") || !strcmp(n, "embed")))
		return cfs_build_fail(err, "@%s is not supported on edge properties (edge %s.%s)", n, t->name, p->name);
	bool repeated = count_before(p->annots, i, n) > 0;
	if (repeated && is_one_of(n, KUI))
		return cfs_build_fail(err, "property %s.%s declares @%s multiple times", t->name, p->name, n);
	if (!strcmp(n, "embed"))
		return embed_rule(t, p, a, repeated, err);
	return 0;
}

static int check_prop(const struct cfs_type *t, const struct cfs_prop *p, char **err)
{
	char *target = cfs_xasprintf("property %s.%s", t->name, p->name);
	int r = text_check(p->annots, p->nannots, "description", target, err) ||
		rename_check(p->annots, p->nannots, target, err);

	free(target);
	for (size_t i = 0; !r && i < p->nannots; i++)
		r = annot_rule(t, p, i, err);
	return r ? -1 : 0;
}

static int check_type_annots(const struct cfs_type *t, char **err)
{
	bool edge = t->kind == CFS_DECL_EDGE;
	char *target = cfs_xasprintf("%s %s", edge ? "edge" : "node", t->name);
	int r = rename_check(t->annots, t->nannots, target, err);

	for (size_t i = 0; !r && i < t->nannots; i++) {
		if (!is_one_of(t->annots[i].name, KEYISH))
			continue;
		r = edge ? cfs_build_fail(err, "@%s is not supported on edges (%s)", t->annots[i].name, target)
			 : cfs_build_fail(err, "@%s is only supported on node properties or as body constraint (%s)",
					  t->annots[i].name, target);
	}
	if (!r)
		r = text_check(t->annots, t->nannots, "description", target, err) ||
		    text_check(t->annots, t->nannots, "instruction", target, err);
	free(target);
	return r ? -1 : 0;
}

int cfs_schema_check_annotations(const struct cfs_schema *s, char **err)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cfs_type *t = &s->types[i];
		if (t->kind == CFS_DECL_INTERFACE) {
			for (size_t j = 0; j < t->nprops; j++) {
				char *target = cfs_xasprintf("property %s.%s", t->name, t->props[j].name);
				int r = rename_check(t->props[j].annots, t->props[j].nannots, target, err);
				free(target);
				if (r)
					return -1;
			}
			continue;
		}
		if (check_type_annots(t, err))
			return -1;
		for (size_t j = 0; j < t->nprops; j++)
			if (check_prop(t, &t->props[j], err))
				return -1;
	}
	return 0;
}

/* ---- S5 ---------------------------------------------------------------- */

static bool numeric(enum cfs_scalar s)
{
	return s == CFS_SC_I32 || s == CFS_SC_I64 || s == CFS_SC_U32 || s == CFS_SC_U64 ||
	       s == CFS_SC_F32 || s == CFS_SC_F64;
}

static int key_rule(const struct cfs_type *t, const struct cfs_constraint *c, bool *seen_key, char **err)
{
	if (t->kind == CFS_DECL_EDGE)
		return cfs_build_fail(err, "@key constraint is not supported on edges (edge %s)", t->name);
	if (*seen_key)
		return cfs_build_fail(err, "node type %s has multiple @key constraints; only one is supported", t->name);
	*seen_key = true;
	for (size_t i = 0; i < c->ncols; i++) {
		const struct cfs_prop *p = cfs_type_prop(t, c->cols[i]);
		if (!p)
			return cfs_build_fail(err, "@key on %s references unknown property '%s'", t->name, c->cols[i]);
		if (p->type.nullable)
			return cfs_build_fail(err, "@key property %s.%s cannot be nullable", t->name, c->cols[i]);
		if (p->type.list)
			return cfs_build_fail(err, "@key is not supported on list property %s.%s", t->name, c->cols[i]);
		if (p->type.scalar == CFS_SC_VECTOR)
			return cfs_build_fail(err, "@key is not supported on vector property %s.%s", t->name, c->cols[i]);
		if (p->type.scalar == CFS_SC_BLOB)
			return cfs_build_fail(err, "@key is not supported on blob property %s.%s", t->name, c->cols[i]);
	}
	return 0;
}

static int unique_index_rule(const struct cfs_type *t, const struct cfs_constraint *c, char **err)
{
	const char *what = cfs_cons_name(c->kind);

	for (size_t i = 0; i < c->ncols; i++) {
		const char *col = c->cols[i];
		if (t->kind == CFS_DECL_EDGE && (!strcmp(col, "src") || !strcmp(col, "dst")))
			continue;
		const struct cfs_prop *p = cfs_type_prop(t, col);
		if (!p)
			return cfs_build_fail(err, "@%s on %s references unknown property '%s'", what, t->name, col);
		if (p->type.scalar == CFS_SC_BLOB)
			return cfs_build_fail(err, "@%s is not supported on blob property %s.%s", what, t->name, col);
	}
	return 0;
}

static int range_check_rule(const struct cfs_type *t, const struct cfs_constraint *c, char **err)
{
	bool range = c->kind == CFS_CONS_RANGE;
	const char *what = range ? "range" : "check";

	if (t->kind == CFS_DECL_EDGE)
		return cfs_build_fail(err, "@%s constraint is not supported on edges (edge %s)", what, t->name);
	const struct cfs_prop *p = cfs_type_prop(t, c->cols[0]);
	if (!p)
		return cfs_build_fail(err, "@%s on %s references unknown property '%s'", what, t->name, c->cols[0]);
	if (range ? numeric(p->type.scalar) : p->type.scalar == CFS_SC_STRING)
		return 0;
	char *d = disp(&p->type);
	if (range)
		cfs_build_fail(err, "@range on %s.%s requires a numeric type, got %s", t->name, p->name, d);
	else
		cfs_build_fail(err, "@check on %s.%s requires String type, got %s", t->name, p->name, d);
	free(d);
	return -1;
}

int cfs_schema_check_constraints(const struct cfs_schema *s, char **err)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cfs_type *t = &s->types[i];
		bool seen_key = false;
		if (t->kind == CFS_DECL_INTERFACE)
			continue;
		for (size_t j = 0; j < t->ncons; j++) {
			const struct cfs_constraint *c = &t->cons[j];
			int r = c->kind == CFS_CONS_KEY ? key_rule(t, c, &seen_key, err)
				: c->kind == CFS_CONS_RANGE || c->kind == CFS_CONS_CHECK ? range_check_rule(t, c, err)
				: unique_index_rule(t, c, err);
			if (r)
				return -1;
		}
	}
	return 0;
}
