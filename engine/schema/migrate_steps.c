/*
 * schema/migrate_steps: the step vocabulary of schema-lang.md §10 in one
 * place: building each step's JSON (keys in the contractual order, which
 * the compact rendering preserves) and rendering it as a human preview
 * line.  The preview reads only the JSON, so a stored plan renders the
 * same as a fresh one.
 */
#include "engine/schema/migrate_int.h"
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ---------------------------------------------------------- */

void cfs_plan_push(struct cfs_plan *pl, json_t *step)
{
	json_array_append_new(pl->steps, step);
}

void cfs_plan_push_once(struct cfs_plan *pl, json_t *step)
{
	size_t i;
	json_t *s;

	json_array_foreach(pl->steps, i, s) {
		if (json_equal(s, step)) {
			json_decref(step);
			return;
		}
	}
	cfs_plan_push(pl, step);
}

void cfs_plan_refuse(struct cfs_plan *pl, const char *entity, const char *code, const char *fmt, ...)
{
	struct cfs_sb reason = CFS_SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(&reason, fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:s,s:s,s:s}", "kind", "unsupported_change", "entity", entity, "reason",
			      cfs_sb_str(&reason));
	if (code)
		json_object_set_new(o, "code", json_string(code));
	cfs_plan_push(pl, o);
	cfs_sb_release(&reason);
}

/* {"kind":kind,"type_kind":K} — every other step starts this way. */
static json_t *step(const char *kind, enum cfs_decl_kind k)
{
	return json_pack("{s:s,s:s}", "kind", kind, "type_kind", cfs_decl_kind_name(k));
}

static json_t *with(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);
	return o;
}

static json_t *with_s(json_t *o, const char *key, const char *v)
{
	return with(o, key, json_string(v));
}

json_t *cfs_step_add_type(enum cfs_decl_kind k, const char *name)
{
	return with_s(step("add_type", k), "name", name);
}

json_t *cfs_step_rename_type(enum cfs_decl_kind k, const char *from, const char *to)
{
	return with_s(with_s(step("rename_type", k), "from", from), "to", to);
}

json_t *cfs_step_drop_type(enum cfs_decl_kind k, const char *name)
{
	return with_s(with_s(step("drop_type", k), "name", name), "mode", "soft");
}

json_t *cfs_step_type_metadata(enum cfs_decl_kind k, const char *name, json_t *anns)
{
	return with(with_s(step("update_type_metadata", k), "name", name), "annotations", anns);
}

/* The steps about one property: kind, type_kind, type_name, property_name. */
static json_t *prop_step(const char *kind, enum cfs_decl_kind k, const char *type, const char *prop)
{
	return with_s(with_s(step(kind, k), "type_name", type), "property_name", prop);
}

json_t *cfs_step_add_property(enum cfs_decl_kind k, const char *type, const char *prop, const struct cfs_ptype *pt)
{
	return with(prop_step("add_property", k, type, prop), "property_type", cfs_ptype_json(pt));
}

json_t *cfs_step_rename_property(enum cfs_decl_kind k, const char *type, const char *from, const char *to)
{
	return with_s(with_s(with_s(step("rename_property", k), "type_name", type), "from", from), "to", to);
}

json_t *cfs_step_drop_property(enum cfs_decl_kind k, const char *type, const char *prop)
{
	return with_s(prop_step("drop_property", k, type, prop), "mode", "soft");
}

json_t *cfs_step_prop_metadata(enum cfs_decl_kind k, const char *type, const char *prop, json_t *anns)
{
	return with(prop_step("update_property_metadata", k, type, prop), "annotations", anns);
}

json_t *cfs_step_extend_enum(enum cfs_decl_kind k, const char *type, const char *prop, json_t *added)
{
	return with(prop_step("extend_enum", k, type, prop), "added_values", added);
}

json_t *cfs_step_add_index(enum cfs_decl_kind k, const char *type, const char *const *cols, size_t ncols)
{
	json_t *v = json_array();

	for (size_t i = 0; i < ncols; i++)
		json_array_append_new(v, json_string(cols[i]));
	return with(with_s(step("add_constraint", k), "type_name", type), "constraint", json_pack("{s:o}", "Index", v));
}

void cfs_migration_free(struct cfs_migration *m)
{
	json_decref(m->steps);
	m->steps = NULL;
}

/* ---- human preview ----------------------------------------------------- */

static const char *S(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The CLI's type form: enums as Enum(a|b), not the schema's enum(a, b). */
static void render_ptype(const json_t *pt, struct cfs_sb *sb)
{
	const json_t *scalar = json_object_get(pt, "scalar"), *values = json_object_get(pt, "enum_values");
	bool list = json_is_true(json_object_get(pt, "list"));
	size_t i;
	json_t *v;

	if (list)
		cfs_sb_addc(sb, '[');
	if (json_is_array(values)) {
		cfs_sb_adds(sb, "Enum(");
		json_array_foreach(values, i, v)
			cfs_sb_addf(sb, "%s%s", i ? "|" : "", json_string_value(v));
		cfs_sb_addc(sb, ')');
	} else if (json_is_object(scalar)) {
		cfs_sb_addf(sb, "Vector(%lld)", (long long)json_integer_value(json_object_get(scalar, "Vector")));
	} else {
		cfs_sb_adds(sb, json_string_value(scalar));
	}
	if (list)
		cfs_sb_addc(sb, ']');
	if (json_is_true(json_object_get(pt, "nullable")))
		cfs_sb_addc(sb, '?');
}

/* @a("v", k="w"), joined by ", "; values are quoted as written, unescaped. */
static void render_annots(const json_t *anns, struct cfs_sb *sb)
{
	size_t i;
	json_t *a;

	json_array_foreach(anns, i, a) {
		const json_t *value = json_object_get(a, "value"), *kwargs = json_object_get(a, "kwargs");
		size_t nargs = 0;
		const char *k;
		json_t *kv;
		cfs_sb_addf(sb, "%s@%s", i ? ", " : "", S(a, "name"));
		if (json_is_string(value)) {
			cfs_sb_addf(sb, "(\"%s\"", json_string_value(value));
			nargs++;
		}
		if (kwargs)
			json_object_foreach((json_t *)kwargs, k, kv)
				cfs_sb_addf(sb, "%s%s=\"%s\"", nargs++ ? ", " : "(", k, json_string_value(kv));
		if (nargs)
			cfs_sb_addc(sb, ')');
	}
}

static void render_constraint(const json_t *c, struct cfs_sb *sb)
{
	static const char *const tags[][2] = { { "Key", "key" }, { "Unique", "unique" }, { "Index", "index" } };

	for (size_t t = 0; t < 3; t++) {
		const json_t *cols = json_object_get(c, tags[t][0]);
		size_t i;
		json_t *v;
		if (!cols)
			continue;
		cfs_sb_addf(sb, "@%s(", tags[t][1]);
		json_array_foreach(cols, i, v)
			cfs_sb_addf(sb, "%s%s", i ? ", " : "", json_string_value(v));
		cfs_sb_addc(sb, ')');
	}
}

/* The lint tier the reference shows next to a coded refusal; NULL for a
 * code it does not know, which then renders without the bracket. */
static const char *code_tier(const char *code)
{
	if (!strcmp(code, "OG-MF-103"))
		return "validated";
	if (!strcmp(code, "OG-MF-106"))
		return "destructive";
	return NULL;
}

static void render_unsupported(const json_t *s, struct cfs_sb *sb)
{
	const char *code = json_string_value(json_object_get(s, "code"));
	const char *tier = code ? code_tier(code) : NULL;

	cfs_sb_addf(sb, "unsupported change on %s", S(s, "entity"));
	if (tier)
		cfs_sb_addf(sb, " [%s, %s]", code, tier);
	cfs_sb_addf(sb, ": %s", S(s, "reason"));
}

static void render_prop_step(const char *kind, const json_t *s, struct cfs_sb *sb)
{
	const char *K = S(s, "type_kind"), *T = S(s, "type_name"), *p = S(s, "property_name");
	size_t i;
	json_t *v;

	if (!strcmp(kind, "add_property")) {
		cfs_sb_addf(sb, "add property '%s.%s' (", T, p);
		render_ptype(json_object_get(s, "property_type"), sb);
		cfs_sb_addf(sb, ") on %s '%s'", K, T);
	} else if (!strcmp(kind, "rename_property")) {
		cfs_sb_addf(sb, "rename property '%s.%s' -> '%s.%s' on %s '%s'", T, S(s, "from"), T, S(s, "to"), K, T);
	} else if (!strcmp(kind, "extend_enum")) {
		cfs_sb_addf(sb, "extend enum '%s.%s' (", T, p);
		json_array_foreach(json_object_get(s, "added_values"), i, v)
			cfs_sb_addf(sb, "%s+%s", i ? ", " : "", json_string_value(v));
		cfs_sb_addf(sb, ") on %s '%s'", K, T);
	} else if (!strcmp(kind, "update_property_metadata")) {
		cfs_sb_addf(sb, "update metadata on property '%s.%s' of %s '%s' (", T, p, K, T);
		render_annots(json_object_get(s, "annotations"), sb);
		cfs_sb_addc(sb, ')');
	} else if (!strcmp(kind, "drop_property")) {
		cfs_sb_addf(sb, "drop property '%s.%s' of %s '%s' (%s mode)", T, p, K, T, S(s, "mode"));
	} else {
		cfs_sb_adds(sb, kind);
	}
}

static void render_step(const json_t *s, struct cfs_sb *sb)
{
	const char *kind = S(s, "kind"), *K = S(s, "type_kind");

	if (!strcmp(kind, "add_type")) {
		cfs_sb_addf(sb, "add %s type '%s'", K, S(s, "name"));
	} else if (!strcmp(kind, "rename_type")) {
		cfs_sb_addf(sb, "rename %s type '%s' -> '%s'", K, S(s, "from"), S(s, "to"));
	} else if (!strcmp(kind, "drop_type")) {
		cfs_sb_addf(sb, "drop %s type '%s' (%s mode)", K, S(s, "name"), S(s, "mode"));
	} else if (!strcmp(kind, "update_type_metadata")) {
		cfs_sb_addf(sb, "update metadata on %s '%s' (", K, S(s, "name"));
		render_annots(json_object_get(s, "annotations"), sb);
		cfs_sb_addc(sb, ')');
	} else if (!strcmp(kind, "add_constraint")) {
		cfs_sb_adds(sb, "add constraint ");
		render_constraint(json_object_get(s, "constraint"), sb);
		cfs_sb_addf(sb, " on %s '%s'", K, S(s, "type_name"));
	} else if (!strcmp(kind, "unsupported_change")) {
		render_unsupported(s, sb);
	} else {
		render_prop_step(kind, s, sb);
	}
}

void cfs_migration_render(const struct cfs_migration *m, struct cfs_sb *sb)
{
	size_t i;
	json_t *s;

	cfs_sb_addf(sb, "supported: %s\n", m->supported ? "yes" : "no");
	if (!json_array_size(m->steps)) {
		cfs_sb_adds(sb, "no schema changes\n");
		return;
	}
	json_array_foreach(m->steps, i, s) {
		cfs_sb_adds(sb, "- ");
		render_step(s, sb);
		cfs_sb_addc(sb, '\n');
	}
}

char *cfs_migration_refusal(const struct cfs_migration *m)
{
	size_t i;
	json_t *s;

	json_array_foreach(m->steps, i, s) {
		if (strcmp(S(s, "kind"), "unsupported_change"))
			continue;
		const char *code = json_string_value(json_object_get(s, "code"));
		return code ? cfs_xasprintf("[%s] %s", code, S(s, "reason")) : cfs_xstrdup(S(s, "reason"));
	}
	return NULL;
}
