/*
 * schema/migrate_props: the §10 classification inside one matched type:
 * its metadata, each property (rename, type, @embed, relations,
 * provenance, interface links, metadata) and its type-level constraints.
 * Everything is compared by identity; names only label the steps, and
 * always with the desired (post-rename) name.
 */
#include "engine/schema/migrate_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* ---- metadata ---------------------------------------------------------- */

static bool is_metadata(const struct cfs_shape_annot *a)
{
	const char *name = json_string_value(json_object_get(a->json, "name"));

	return !strcmp(name, "description") || !strcmp(name, "instruction");
}

/* Do the two canonical lists agree on the annotations on one side of the
 * metadata line (want_meta) ? */
static bool same_side(const struct cfs_shape_annot *a, size_t na, const struct cfs_shape_annot *b, size_t nb,
		      bool want_meta)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < na && is_metadata(&a[i]) != want_meta)
			i++;
		while (j < nb && is_metadata(&b[j]) != want_meta)
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (strcmp(a[i++].key, b[j++].key))
			return false;
	}
}

static json_t *metadata_list(const struct cfs_shape_annot *a, size_t n)
{
	json_t *v = json_array();

	for (size_t i = 0; i < n; i++)
		if (is_metadata(&a[i]))
			json_array_append(v, a[i].json);
	return v;
}

enum annot_change { ANNOT_SAME, ANNOT_METADATA, ANNOT_OTHER };

static enum annot_change annot_change(const struct cfs_shape_annot *acc, size_t nacc,
				      const struct cfs_shape_annot *des, size_t ndes)
{
	if (!same_side(acc, nacc, des, ndes, false))
		return ANNOT_OTHER;
	return same_side(acc, nacc, des, ndes, true) ? ANNOT_SAME : ANNOT_METADATA;
}

#define OTHER_ANNOTS "changing annotations beyond @description/@instruction" CFS_MIGRATE_V1

void cfs_plan_type_metadata(struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	const struct cfs_shape_type *a = t->match;
	char *entity;

	switch (annot_change(a->annots, a->nannots, t->annots, t->nannots)) {
	case ANNOT_SAME:
		break;
	case ANNOT_METADATA:
		cfs_plan_push(pl, cfs_step_type_metadata(t->kind, t->name, metadata_list(t->annots, t->nannots)));
		break;
	case ANNOT_OTHER:
		entity = cfs_xasprintf("%s:%s", cfs_decl_kind_name(t->kind), t->name);
		cfs_plan_refuse(pl, entity, NULL, "%s", OTHER_ANNOTS);
		free(entity);
		break;
	}
}

/* ---- one matched property ---------------------------------------------- */

/* The added values when des is a pure widening of the enum acc (same
 * shape and nullability, every old value kept, something new); else NULL. */
static json_t *enum_widening(const struct cfs_ptype *acc, const struct cfs_ptype *des)
{
	if (!acc->nenum || !des->nenum || acc->scalar != des->scalar || acc->nullable != des->nullable ||
	    acc->list != des->list || cfs_ptype_equal(acc, des))
		return NULL;
	for (size_t i = 0; i < acc->nenum; i++) {
		size_t j = 0;
		while (j < des->nenum && strcmp(acc->enum_values[i], des->enum_values[j]))
			j++;
		if (j == des->nenum)
			return NULL;
	}
	json_t *added = json_array();
	for (size_t j = 0; j < des->nenum; j++) {
		size_t i = 0;
		while (i < acc->nenum && strcmp(acc->enum_values[i], des->enum_values[j]))
			i++;
		if (i == acc->nenum)
			json_array_append_new(added, json_string(des->enum_values[j]));
	}
	return added;
}

/* The embed binding is the source property's identity plus the model. */
static bool same_embed(const struct cfs_shape_type *t, const struct cfs_shape_prop *p,
		       const struct cfs_shape_prop *ap)
{
	if (!p->embed_source || !ap->embed_source)
		return !p->embed_source && !ap->embed_source;
	if (cfs_shape_prop(t, p->embed_source)->id != cfs_shape_prop(t->match, ap->embed_source)->id)
		return false;
	if (!p->embed_model || !ap->embed_model)
		return !p->embed_model && !ap->embed_model;
	return !strcmp(p->embed_model, ap->embed_model);
}

struct id_pair {
	uint64_t owner, prop;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct id_pair *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	return x->prop < y->prop ? -1 : x->prop > y->prop;
}

/* The interface contracts of p as sorted (interface id, property id). */
static struct id_pair *contract_ids(const struct cfs_shape *sh, const struct cfs_shape_prop *p)
{
	struct id_pair *v = cfs_xcalloc(p->nsatisfies + 1, sizeof(*v));

	for (size_t i = 0; i < p->nsatisfies; i++) {
		const struct cfs_shape_type *iface = cfs_shape_find(sh, CFS_DECL_INTERFACE, p->satisfies[i].iface);
		v[i] = (struct id_pair){ iface->id, cfs_shape_prop(iface, p->satisfies[i].prop)->id };
	}
	cfs_qsort(v, p->nsatisfies, sizeof(*v), pair_cmp);
	return v;
}

static bool same_contracts(const struct cfs_plan *pl, const struct cfs_shape_prop *p,
			   const struct cfs_shape_prop *ap)
{
	if (p->nsatisfies != ap->nsatisfies)
		return false;
	struct id_pair *d = contract_ids(pl->des, p), *a = contract_ids(pl->acc, ap);
	bool same = !p->nsatisfies || !memcmp(d, a, p->nsatisfies * sizeof(*d));
	free(d);
	free(a);
	return same;
}

static void plan_relations(struct cfs_plan *pl, const struct cfs_shape_type *t, const struct cfs_shape_prop *p,
			   const char *entity)
{
	unsigned had = p->match->pcons, has = p->pcons;

	if (had & ~has)
		cfs_plan_refuse(pl, entity, NULL, "removing property constraints from '%s.%s'" CFS_MIGRATE_V1,
				t->name, p->name);
	if (has & ~had & CFS_PCONS_KEY)
		cfs_plan_refuse(pl, entity, NULL, "adding a property-level @key constraint to '%s.%s'" CFS_MIGRATE_V1,
				t->name, p->name);
	if (has & ~had & CFS_PCONS_UNIQUE)
		cfs_plan_refuse(pl, entity, NULL,
				"adding a property-level @unique constraint to '%s.%s'" CFS_MIGRATE_V1, t->name, p->name);
	if (has & ~had & CFS_PCONS_INDEX)
		cfs_plan_push_once(pl, cfs_step_add_index(t->kind, t->name, &p->name, 1));
}

static void plan_prop_metadata(struct cfs_plan *pl, const struct cfs_shape_type *t, const struct cfs_shape_prop *p,
			       const char *entity)
{
	const struct cfs_shape_prop *ap = p->match;

	switch (annot_change(ap->annots, ap->nannots, p->annots, p->nannots)) {
	case ANNOT_SAME:
		break;
	case ANNOT_METADATA:
		cfs_plan_push(pl, cfs_step_prop_metadata(t->kind, t->name, p->name,
							 metadata_list(p->annots, p->nannots)));
		break;
	case ANNOT_OTHER:
		cfs_plan_refuse(pl, entity, NULL, "%s", OTHER_ANNOTS);
		break;
	}
}

static void plan_matched_prop(struct cfs_plan *pl, const struct cfs_shape_type *t, const struct cfs_shape_prop *p)
{
	const struct cfs_shape_prop *ap = p->match;
	char *entity = cfs_xasprintf("%s:%s.%s", cfs_decl_kind_name(t->kind), t->name, p->name);
	json_t *added;

	if (strcmp(ap->name, p->name))
		cfs_plan_push(pl, cfs_step_rename_property(t->kind, t->name, ap->name, p->name));
	if ((added = enum_widening(ap->type, p->type)))
		cfs_plan_push(pl, cfs_step_extend_enum(t->kind, t->name, p->name, added));
	else if (!cfs_ptype_equal(ap->type, p->type))
		cfs_plan_refuse(pl, entity, "OG-MF-106", "changing property type for '%s.%s'" CFS_MIGRATE_V1,
				t->name, p->name);
	if (!same_embed(t, p, ap))
		cfs_plan_refuse(pl, entity, NULL,
				"changing @embed source or model for '%s.%s'" CFS_MIGRATE_V1
				"; rebuild the graph so stored vectors and their declared embedding space cannot diverge",
				t->name, p->name);
	plan_relations(pl, t, p, entity);
	if (ap->declared_directly != p->declared_directly)
		cfs_plan_refuse(pl, entity, NULL, "changing declaration provenance for '%s.%s'" CFS_MIGRATE_V1,
				t->name, p->name);
	if (!same_contracts(pl, p, ap))
		cfs_plan_refuse(pl, entity, NULL,
				"changing interface-property satisfaction links for '%s.%s'" CFS_MIGRATE_V1,
				t->name, p->name);
	plan_prop_metadata(pl, t, p, entity);
	free(entity);
}

static bool prop_consumed(const struct cfs_shape_type *t, const struct cfs_shape_prop *ap)
{
	for (size_t i = 0; i < t->nprops; i++)
		if (t->props[i].match == ap)
			return true;
	return false;
}

void cfs_plan_props(struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	const struct cfs_shape_type *a = t->match;

	for (size_t i = 0; i < t->nprops; i++) {
		const struct cfs_shape_prop *p = &t->props[i];
		if (p->match) {
			plan_matched_prop(pl, t, p);
		} else if (p->type->nullable) {
			cfs_plan_push(pl, cfs_step_add_property(t->kind, t->name, p->name, p->type));
		} else {
			char *entity = cfs_xasprintf("%s:%s.%s", cfs_decl_kind_name(t->kind), t->name, p->name);
			cfs_plan_refuse(pl, entity, "OG-MF-103",
					"adding required property '%s.%s' requires a backfill and" CFS_MIGRATE_V1,
					t->name, p->name);
			free(entity);
		}
	}
	for (size_t i = 0; i < a->nprops; i++)
		if (!prop_consumed(t, &a->props[i]))
			cfs_plan_push(pl, cfs_step_drop_property(t->kind, t->name, a->props[i].name));
}

/* ---- type-level constraints -------------------------------------------- */

/* A constraint column by identity: a property of the owner, or one of the
 * implicit columns, which belong to the table incarnation. */
static char *field_key(const struct cfs_shape_type *t, const char *col)
{
	bool sys = !strcmp(col, "id") ||
		   (t->kind == CFS_DECL_EDGE && (!strcmp(col, "src") || !strcmp(col, "dst")));

	if (sys)
		return cfs_xasprintf("system:%llu:%llu:%s", (unsigned long long)t->id,
				     (unsigned long long)t->incarnation, col);
	return cfs_xasprintf("property:%llu:%llu", (unsigned long long)t->id,
			     (unsigned long long)cfs_shape_prop(t, col)->id);
}

/*
 * The identity key of a constraint: "<kind>:<fields>" with the field keys
 * sorted and comma-joined (e.g. "unique:property:2:6"); range and check
 * append their bounds / pattern.  Renaming a column keeps the key; adding
 * or re-creating one changes it.
 */
static char *cons_id_key(const struct cfs_shape_type *t, const struct cfs_shape_cons *c)
{
	static const char *const word[] = { "key", "unique", "index", "range", "check" };
	struct cfs_sb sb = CFS_SB_INIT;
	char **fields = cfs_xcalloc(c->ncols + 1, sizeof(*fields));

	for (size_t i = 0; i < c->ncols; i++)
		fields[i] = field_key(t, c->cols[i]);
	cfs_qsort(fields, c->ncols, sizeof(*fields), cfs_strptrcmp);
	cfs_sb_addf(&sb, "%s:", word[c->kind]);
	for (size_t i = 0; i < c->ncols; i++) {
		cfs_sb_addf(&sb, "%s%s", i ? "," : "", fields[i]);
		free(fields[i]);
	}
	free(fields);
	if (c->kind == CFS_CONS_RANGE) {
		cfs_sb_addc(&sb, ':');
		cfs_bound_debug(&c->src->lo, &sb);
		cfs_sb_addc(&sb, ':');
		cfs_bound_debug(&c->src->hi, &sb);
	} else if (c->kind == CFS_CONS_CHECK) {
		cfs_sb_addf(&sb, ":%s", c->src->pattern ? c->src->pattern : "");
	}
	return cfs_sb_detach(&sb);
}

struct keyed {
	char *key;
	const struct cfs_shape_cons *c;
};

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* t's constraints by identity key, sorted, one entry per key. */
static struct keyed *keyed_cons(const struct cfs_shape_type *t, size_t *n)
{
	struct keyed *v = cfs_xcalloc(t->ncons + 1, sizeof(*v));
	size_t u = 0;

	for (size_t i = 0; i < t->ncons; i++)
		v[i] = (struct keyed){ cons_id_key(t, &t->cons[i]), &t->cons[i] };
	cfs_qsort(v, t->ncons, sizeof(*v), keyed_cmp);
	for (size_t i = 0; i < t->ncons; i++) {
		if (u && !strcmp(v[u - 1].key, v[i].key)) {
			free(v[i].key);
			continue;
		}
		v[u++] = v[i];
	}
	*n = u;
	return v;
}

static bool has_key(const struct keyed *v, size_t n, const struct keyed *probe)
{
	return n && bsearch(probe, v, n, sizeof(*v), keyed_cmp);
}

void cfs_plan_type_cons(struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	size_t na, nd;
	struct keyed *acc = keyed_cons(t->match, &na), *des = keyed_cons(t, &nd);
	char *entity = cfs_xasprintf("%s:%s", cfs_decl_kind_name(t->kind), t->name);

	for (size_t i = 0; i < na; i++) {
		if (!has_key(des, nd, &acc[i])) {
			cfs_plan_refuse(pl, entity, NULL, "removing constraints from '%s'" CFS_MIGRATE_V1, t->name);
			break;
		}
	}
	for (size_t i = 0; i < nd; i++) {
		if (has_key(acc, na, &des[i]))
			continue;
		if (des[i].c->kind == CFS_CONS_INDEX)
			cfs_plan_push_once(pl, cfs_step_add_index(t->kind, t->name, des[i].c->cols, des[i].c->ncols));
		else
			cfs_plan_refuse(pl, entity, NULL, "adding constraint '%s' to '%s'" CFS_MIGRATE_V1, des[i].key,
					t->name);
	}
	for (size_t i = 0; i < na; i++)
		free(acc[i].key);
	for (size_t i = 0; i < nd; i++)
		free(des[i].key);
	free(acc);
	free(des);
	free(entity);
}
