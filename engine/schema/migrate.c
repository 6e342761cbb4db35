/*
 * schema/migrate: the migration planner of schema-lang.md §10.  Both
 * schemas are normalized (§9); the accepted one gets fresh identities as if
 * it were a new graph, the desired one is matched against it, and the
 * types are then walked group by group (interfaces, nodes, edges) in the
 * emission order the contract fixes.  Per-type detail is in
 * migrate_props.c, the step vocabulary in migrate_steps.c.
 */
#include "engine/schema/migrate_int.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The implemented interfaces of node t, as sorted identities in sh. */
static uint64_t *implements_ids(const struct cfs_shape *sh, const struct cfs_shape_type *t)
{
	uint64_t *v = cfs_xcalloc(t->nimplements + 1, sizeof(*v));

	for (size_t i = 0; i < t->nimplements; i++)
		v[i] = cfs_shape_find(sh, CFS_DECL_INTERFACE, t->implements[i])->id;
	cfs_qsort(v, t->nimplements, sizeof(*v), id_cmp);
	return v;
}

static bool same_implements(const struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	const struct cfs_shape_type *a = t->match;

	if (a->nimplements != t->nimplements)
		return false;
	uint64_t *d = implements_ids(pl->des, t), *x = implements_ids(pl->acc, a);
	bool same = !memcmp(d, x, t->nimplements * sizeof(*d));
	free(d);
	free(x);
	return same;
}

/* Endpoints compare by node identity, so renaming a node is not an
 * endpoint change. */
static bool same_endpoints(const struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	const struct cfs_shape_type *a = t->match;

	return cfs_shape_find(pl->des, CFS_DECL_NODE, t->from)->id == cfs_shape_find(pl->acc, CFS_DECL_NODE, a->from)->id &&
	       cfs_shape_find(pl->des, CFS_DECL_NODE, t->to)->id == cfs_shape_find(pl->acc, CFS_DECL_NODE, a->to)->id;
}

static bool same_card(const struct cfs_shape_type *t, const struct cfs_shape_type *a)
{
	return t->card_min == a->card_min && t->card_has_max == a->card_has_max &&
	       (!t->card_has_max || t->card_max == a->card_max);
}

/* Rename, then the structural checks that have no migration in v1. */
static void plan_structure(struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	const struct cfs_shape_type *a = t->match;
	char *entity = cfs_xasprintf("%s:%s", cfs_decl_kind_name(t->kind), t->name);

	if (strcmp(a->name, t->name))
		cfs_plan_push(pl, cfs_step_rename_type(t->kind, a->name, t->name));
	if (t->kind == CFS_DECL_NODE && !same_implements(pl, t))
		cfs_plan_refuse(pl, entity, NULL, "changing implemented interfaces on node '%s'" CFS_MIGRATE_V1,
				t->name);
	if (t->kind == CFS_DECL_EDGE && !same_endpoints(pl, t))
		cfs_plan_refuse(pl, entity, NULL, "changing edge endpoints on '%s'" CFS_MIGRATE_V1, t->name);
	if (t->kind == CFS_DECL_EDGE && !same_card(t, a))
		cfs_plan_refuse(pl, entity, NULL, "changing cardinality on edge '%s'" CFS_MIGRATE_V1, t->name);
	free(entity);
}

static void plan_matched_type(struct cfs_plan *pl, const struct cfs_shape_type *t)
{
	if (t->kind == CFS_DECL_INTERFACE) {
		/* interfaces match by exact name only and carry no metadata
		 * or constraints: their properties are all there is */
		cfs_plan_props(pl, t);
		return;
	}
	plan_structure(pl, t);
	cfs_plan_type_metadata(pl, t);
	cfs_plan_props(pl, t);
	cfs_plan_type_cons(pl, t);
}

static bool type_consumed(const struct cfs_shape *des, const struct cfs_shape_type *a)
{
	for (size_t i = 0; i < des->ntypes[a->kind]; i++)
		if (des->types[a->kind][i].match == a)
			return true;
	return false;
}

/* Desired types by name, then the accepted ones nothing matched. */
static void plan_group(struct cfs_plan *pl, enum cfs_decl_kind k)
{
	for (size_t i = 0; i < pl->des->ntypes[k]; i++) {
		const struct cfs_shape_type *t = &pl->des->types[k][i];
		if (t->match)
			plan_matched_type(pl, t);
		else
			cfs_plan_push(pl, cfs_step_add_type(k, t->name));
	}
	for (size_t i = 0; i < pl->acc->ntypes[k]; i++) {
		const struct cfs_shape_type *a = &pl->acc->types[k][i];
		if (type_consumed(pl->des, a))
			continue;
		if (k != CFS_DECL_INTERFACE) {
			cfs_plan_push(pl, cfs_step_drop_type(k, a->name));
			continue;
		}
		char *entity = cfs_xasprintf("interface:%s", a->name);
		cfs_plan_refuse(pl, entity, NULL, "removing interface '%s'" CFS_MIGRATE_V1, a->name);
		free(entity);
	}
}

/* A difference no rule classified must still block the plan (the
 * reference's guard); with no steps every type and property matched by
 * name, so comparing the identity-free forms is enough. */
static void guard_unclassified(struct cfs_plan *pl)
{
	if (json_array_size(pl->steps))
		return;
	json_t *a = cfs_shape_json(pl->acc), *d = cfs_shape_json(pl->des);
	char *sa = cfs_json_compact(a, 0), *sd = cfs_json_compact(d, 0);
	if (strcmp(sa, sd))
		cfs_plan_refuse(pl, "schema", NULL, "schema migration contains an unclassified semantic IR change");
	free(sa);
	free(sd);
	json_decref(a);
	json_decref(d);
}

static bool any_refused(const json_t *steps)
{
	size_t i;
	json_t *s;

	json_array_foreach(steps, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "kind")), "unsupported_change"))
			return true;
	return false;
}

int cfs_schema_plan(const struct cfs_schema *accepted, const struct cfs_schema *desired,
		    struct cfs_migration *out, char **err)
{
	struct cfs_shape acc, des;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&des, 0, sizeof(des));
	rc = cfs_schema_normalize(accepted, &acc, err);
	if (!rc)
		rc = cfs_shape_resolve(&acc, NULL, err);
	if (!rc)
		rc = cfs_schema_normalize(desired, &des, err);
	if (!rc)
		rc = cfs_shape_resolve(&des, &acc, err);
	if (!rc) {
		struct cfs_plan pl = { json_array(), &acc, &des };
		for (int k = CFS_DECL_INTERFACE; k <= CFS_DECL_EDGE; k++)
			plan_group(&pl, (enum cfs_decl_kind)k);
		guard_unclassified(&pl);
		out->steps = pl.steps;
		out->supported = !any_refused(pl.steps);
	}
	cfs_shape_free(&acc);
	cfs_shape_free(&des);
	return rc ? -1 : 0;
}
