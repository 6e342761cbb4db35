/*
 * schema/summary: the model as JSON, for `schema check --json` and for
 * anything else that wants to show a schema (the mount's status files).
 * Types in source order; properties with their display type; constraints
 * with their columns.
 */
#include "engine/schema/summary.h"
#include "engine/schema/build_int.h"
#include "core/strbuf.h"

#include <stdlib.h>

static json_t *annots_json(const struct cfs_annot *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(a[i].name));
		json_object_set_new(o, "value", a[i].value ? json_string(a[i].value) : json_null());
		if (a[i].nkwargs) {
			json_t *kw = json_object();
			for (size_t j = 0; j < a[i].nkwargs; j++)
				json_object_set_new(kw, a[i].kwargs[j].key, json_string(a[i].kwargs[j].value));
			json_object_set_new(o, "kwargs", kw);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *prop_json(const struct cfs_prop *p)
{
	json_t *o = json_object();
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(&p->type, &sb);
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "type", json_string(cfs_sb_str(&sb)));
	json_object_set_new(o, "annotations", annots_json(p->annots, p->nannots));
	if (p->injected_from)
		json_object_set_new(o, "from_interface", json_string(p->injected_from));
	cfs_sb_release(&sb);
	return o;
}

static json_t *cons_json(const struct cfs_constraint *c)
{
	json_t *o = json_object(), *cols = json_array();

	json_object_set_new(o, "kind", json_string(cfs_cons_name(c->kind)));
	for (size_t i = 0; i < c->ncols; i++)
		json_array_append_new(cols, json_string(c->cols[i]));
	json_object_set_new(o, "columns", cols);
	if (c->kind == CFS_CONS_RANGE) {
		json_object_set_new(o, "min", c->lo.present ? json_string(c->lo.text) : json_null());
		json_object_set_new(o, "max", c->hi.present ? json_string(c->hi.text) : json_null());
	}
	if (c->pattern)
		json_object_set_new(o, "pattern", json_string(c->pattern));
	return o;
}

static json_t *type_json(const struct cfs_type *t)
{
	json_t *o = json_object(), *props = json_array(), *cons = json_array();

	json_object_set_new(o, "kind", json_string(cfs_decl_kind_name(t->kind)));
	json_object_set_new(o, "name", json_string(t->name));
	if (t->kind == CFS_DECL_EDGE) {
		json_object_set_new(o, "from", json_string(t->from));
		json_object_set_new(o, "to", json_string(t->to));
		json_object_set_new(o, "card_min", json_integer(t->card_min));
		json_object_set_new(o, "card_max", t->card_has_max ? json_integer(t->card_max) : json_null());
	}
	if (t->kind == CFS_DECL_NODE) {
		json_t *impl = json_array();
		for (size_t i = 0; i < t->nimplements; i++)
			json_array_append_new(impl, json_string(t->implements[i]));
		json_object_set_new(o, "implements", impl);
	}
	json_object_set_new(o, "annotations", annots_json(t->annots, t->nannots));
	for (size_t i = 0; i < t->nprops; i++)
		json_array_append_new(props, prop_json(&t->props[i]));
	json_object_set_new(o, "properties", props);
	for (size_t i = 0; i < t->ncons; i++)
		json_array_append_new(cons, cons_json(&t->cons[i]));
	json_object_set_new(o, "constraints", cons);
	return o;
}

json_t *cfs_schema_summary(const struct cfs_schema *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->ntypes; i++)
		json_array_append_new(arr, type_json(&s->types[i]));
	return arr;
}
