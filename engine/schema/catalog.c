/*
 * schema/catalog: stage S6 (schema-lang.md §8) and the catalog lookups the
 * query typechecker, planner and graph store use.
 */
#include "engine/schema/build_int.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cfs_type *find_kind(const struct cfs_schema *s, enum cfs_decl_kind k,
					const char *name, size_t upto)
{
	for (size_t i = 0; i < upto && i < s->ntypes; i++)
		if (s->types[i].kind == k && !strcmp(s->types[i].name, name))
			return &s->types[i];
	return NULL;
}

int cfs_schema_check_catalog(const struct cfs_schema *s, char **err)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cfs_type *t = &s->types[i];
		if (t->kind == CFS_DECL_NODE && find_kind(s, CFS_DECL_NODE, t->name, i))
			return cfs_build_fail(err, "duplicate node type: %s", t->name);
	}
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cfs_type *t = &s->types[i];
		if (t->kind != CFS_DECL_EDGE)
			continue;
		if (find_kind(s, CFS_DECL_EDGE, t->name, i))
			return cfs_build_fail(err, "duplicate edge type: %s", t->name);
		if (!cfs_schema_node(s, t->from))
			return cfs_build_fail(err, "edge %s references unknown source type: %s", t->name, t->from);
		if (!cfs_schema_node(s, t->to))
			return cfs_build_fail(err, "edge %s references unknown target type: %s", t->name, t->to);
		for (size_t j = 0; j < i; j++)
			if (s->types[j].kind == CFS_DECL_EDGE && !strcasecmp(s->types[j].name, t->name))
				return cfs_build_fail(err, "edge name collision after case folding: '%s' conflicts with '%s'",
						      t->name, s->types[j].name);
	}
	return 0;
}

const struct cfs_type *cfs_schema_node(const struct cfs_schema *s, const char *name)
{
	return find_kind(s, CFS_DECL_NODE, name, s->ntypes);
}

const struct cfs_type *cfs_schema_edge(const struct cfs_schema *s, const char *name)
{
	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].kind == CFS_DECL_EDGE && !strcasecmp(s->types[i].name, name))
			return &s->types[i];
	return NULL;
}

const struct cfs_type *cfs_schema_interface(const struct cfs_schema *s, const char *name)
{
	const struct cfs_type *last = NULL;

	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].kind == CFS_DECL_INTERFACE && !strcmp(s->types[i].name, name))
			last = &s->types[i];
	return last;
}

const struct cfs_prop *cfs_type_prop(const struct cfs_type *t, const char *name)
{
	const struct cfs_prop *last = NULL;

	for (size_t i = 0; i < t->nprops; i++)
		if (!strcmp(t->props[i].name, name))
			last = &t->props[i];
	return last;
}

const struct cfs_constraint *cfs_type_key(const struct cfs_type *t)
{
	for (size_t i = 0; i < t->ncons; i++)
		if (t->cons[i].kind == CFS_CONS_KEY)
			return &t->cons[i];
	return NULL;
}

const struct cfs_annot *cfs_annot_find(const struct cfs_annot *a, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	return NULL;
}

static const char *const SCALARS[] = { "String", "Blob", "Bool", "I32", "I64", "U32", "U64",
				       "F32", "F64", "DateTime", "Date", "Vector" };

const char *cfs_scalar_name(enum cfs_scalar s)
{
	return SCALARS[s];
}

const char *cfs_decl_kind_name(enum cfs_decl_kind k)
{
	return k == CFS_DECL_INTERFACE ? "interface" : k == CFS_DECL_NODE ? "node" : "edge";
}

void cfs_ptype_display(const struct cfs_ptype *t, struct cfs_sb *sb)
{
	if (t->list)
		cfs_sb_addc(sb, '[');
	if (t->nenum) {
		cfs_sb_adds(sb, "enum(");
		for (size_t i = 0; i < t->nenum; i++)
			cfs_sb_addf(sb, "%s%s", i ? ", " : "", t->enum_values[i]);
		cfs_sb_addc(sb, ')');
	} else if (t->scalar == CFS_SC_VECTOR) {
		cfs_sb_addf(sb, "Vector(%u)", t->dim);
	} else {
		cfs_sb_adds(sb, cfs_scalar_name(t->scalar));
	}
	if (t->list)
		cfs_sb_addc(sb, ']');
	if (t->nullable)
		cfs_sb_addc(sb, '?');
}

bool cfs_ptype_equal(const struct cfs_ptype *a, const struct cfs_ptype *b)
{
	if (a->scalar != b->scalar || a->list != b->list || a->nullable != b->nullable ||
	    a->nenum != b->nenum || (a->scalar == CFS_SC_VECTOR && a->dim != b->dim))
		return false;
	for (size_t i = 0; i < a->nenum; i++)
		if (strcmp(a->enum_values[i], b->enum_values[i]))
			return false;
	return true;
}
