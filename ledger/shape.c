/*
 * shape: the record walker of shape.h.
 */
#include "ledger/shape.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *cfs_shape_fail(struct cfs_sb *err, const char *fmt, ...)
{
	va_list ap;

	if (err->len == 0) {
		va_start(ap, fmt);
		cfs_sb_vaddf(err, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

/* How the reference's deserializer names an unexpected value. */
static void describe(const json_t *v, struct cfs_sb *sb)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: cfs_sb_adds(sb, "map"); break;
	case JSON_ARRAY: cfs_sb_adds(sb, "sequence"); break;
	case JSON_STRING: cfs_sb_addf(sb, "string \"%s\"", json_string_value(v)); break;
	case JSON_INTEGER: cfs_sb_addf(sb, "integer `%" JSON_INTEGER_FORMAT "`", json_integer_value(v)); break;
	case JSON_REAL: cfs_sb_addf(sb, "floating point `%g`", json_real_value(v)); break;
	case JSON_TRUE: cfs_sb_adds(sb, "boolean `true`"); break;
	case JSON_FALSE: cfs_sb_adds(sb, "boolean `false`"); break;
	case JSON_NULL: cfs_sb_adds(sb, "null"); break;
	}
}

json_t *cfs_shape_type_error(struct cfs_sb *err, const json_t *v, const char *expected)
{
	struct cfs_sb what = CFS_SB_INIT;

	describe(v, &what);
	cfs_shape_fail(err, "invalid type: %s, expected %s", cfs_sb_str(&what), expected);
	cfs_sb_release(&what);
	return NULL;
}

/* "`a`", "`a` or `b`", "one of `a`, `b`, `c`". */
static void alternatives(struct cfs_sb *sb, const char *const *names, size_t n)
{
	if (n == 1) {
		cfs_sb_addf(sb, "`%s`", names[0]);
	} else if (n == 2) {
		cfs_sb_addf(sb, "`%s` or `%s`", names[0], names[1]);
	} else {
		cfs_sb_adds(sb, "one of ");
		for (size_t i = 0; i < n; i++)
			cfs_sb_addf(sb, "%s`%s`", i ? ", " : "", names[i]);
	}
}

static const struct cfs_field *find_field(const struct cfs_shape *s, const char *key)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, key) || (s->fields[i].alias && !strcmp(s->fields[i].alias, key)))
			return &s->fields[i];
	return NULL;
}

static json_t *unknown_field(struct cfs_sb *err, const struct cfs_shape *s, const char *key)
{
	const char *names[CFS_SHAPE_MAX_FIELDS];
	struct cfs_sb alts = CFS_SB_INIT;

	for (size_t i = 0; i < s->nfields; i++)
		names[i] = s->fields[i].name;
	alternatives(&alts, names, s->nfields);
	cfs_shape_fail(err, "unknown field `%s`, expected %s", key, cfs_sb_str(&alts));
	cfs_sb_release(&alts);
	return NULL;
}

/* The present members of in, canonicalized into vals[] (by field index). */
static int take_members(json_t *in, const struct cfs_shape *s, json_t **vals, bool *seen, struct cfs_sb *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		const struct cfs_field *f = find_field(s, key);
		if (!f) {
			unknown_field(err, s, key);
			return -1;
		}
		size_t i = (size_t)(f - s->fields);
		if (seen[i]) {
			cfs_shape_fail(err, "duplicate field `%s`", f->name);
			return -1;
		}
		seen[i] = true;
		if (json_is_null(v) && (f->absent == CFS_OMIT || f->absent == CFS_NULL))
			continue;
		vals[i] = f->canon(v, err);
		if (!vals[i])
			return -1;
	}
	return 0;
}

json_t *cfs_shape_struct(json_t *in, const struct cfs_shape *s, struct cfs_sb *err)
{
	json_t *vals[CFS_SHAPE_MAX_FIELDS] = { NULL };
	bool seen[CFS_SHAPE_MAX_FIELDS] = { false };
	json_t *out = NULL;

	if (!json_is_object(in)) {
		char *exp = cfs_xasprintf("struct %s", s->name);
		cfs_shape_type_error(err, in, exp);
		free(exp);
		return NULL;
	}
	if (take_members(in, s, vals, seen, err) != 0)
		goto done;
	for (size_t i = 0; i < s->nfields; i++)
		if (!seen[i] && s->fields[i].absent == CFS_REQUIRED) {
			cfs_shape_fail(err, "missing field `%s`", s->fields[i].name);
			goto done;
		}
	out = json_object();
	for (size_t i = 0; i < s->nfields; i++) {
		const struct cfs_field *f = &s->fields[i];
		if (!vals[i]) {
			if (f->absent == CFS_NULL)
				vals[i] = json_null();
			else if (f->absent == CFS_DEFAULT)
				vals[i] = f->dflt();
			else
				continue;
		}
		json_object_set_new(out, f->name, vals[i]);
		vals[i] = NULL;
	}
done:
	for (size_t i = 0; i < s->nfields; i++)
		json_decref(vals[i]);
	return out;
}

json_t *cfs_shape_map(json_t *in, cfs_shape_fn each, struct cfs_sb *err)
{
	const char **keys;
	size_t n = 0;
	const char *key;
	json_t *v, *vals, *out;

	if (!json_is_object(in))
		return cfs_shape_type_error(err, in, "a map");
	keys = cfs_xcalloc(json_object_size(in) + 1, sizeof(*keys));
	vals = json_object();
	/* values in document order (the first bad one is the one reported) */
	json_object_foreach(in, key, v) {
		json_t *c = each(v, err);
		if (!c) {
			json_decref(vals);
			free(keys);
			return NULL;
		}
		json_object_set_new(vals, key, c);
		keys[n++] = key;
	}
	cfs_qsort(keys, n, sizeof(*keys), cfs_strptrcmp);
	out = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(vals, keys[i]));
	json_decref(vals);
	free(keys);
	return out;
}

json_t *cfs_shape_enum(json_t *in, const char *const *variants, size_t n, struct cfs_sb *err)
{
	struct cfs_sb alts = CFS_SB_INIT;

	if (!json_is_string(in))
		return cfs_shape_type_error(err, in, "a string");
	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_string_value(in), variants[i]))
			return json_incref(in);
	alternatives(&alts, variants, n);
	cfs_shape_fail(err, "unknown variant `%s`, expected %s", json_string_value(in), cfs_sb_str(&alts));
	cfs_sb_release(&alts);
	return NULL;
}

json_t *cfs_shape_any(json_t *in, struct cfs_sb *err)
{
	(void)err;
	return json_incref(in);
}

json_t *cfs_shape_string(json_t *in, struct cfs_sb *err)
{
	if (!json_is_string(in))
		return cfs_shape_type_error(err, in, "a string");
	return json_incref(in);
}

static json_t *unsigned_int(json_t *in, json_int_t max, const char *name, struct cfs_sb *err)
{
	if (!json_is_integer(in))
		return cfs_shape_type_error(err, in, name);
	json_int_t v = json_integer_value(in);
	if (v < 0 || v > max)
		return cfs_shape_fail(err, "invalid value: integer `%" JSON_INTEGER_FORMAT "`, expected %s", v, name);
	return json_incref(in);
}

json_t *cfs_shape_u32(json_t *in, struct cfs_sb *err)
{
	return unsigned_int(in, (json_int_t)UINT32_MAX, "u32", err);
}

json_t *cfs_shape_u64(json_t *in, struct cfs_sb *err)
{
	return unsigned_int(in, (json_int_t)INT64_MAX, "u64", err);
}

json_t *cfs_shape_string_list(json_t *in, struct cfs_sb *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(in))
		return cfs_shape_type_error(err, in, "a sequence");
	json_array_foreach(in, i, v)
		if (!json_is_string(v))
			return cfs_shape_type_error(err, v, "a string");
	return json_deep_copy(in);
}

json_t *cfs_shape_free_map(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_map(in, cfs_shape_any, err);
}

json_t *cfs_shape_empty_object(void)
{
	return json_object();
}

json_t *cfs_shape_empty_array(void)
{
	return json_array();
}

json_t *cfs_shape_zero(void)
{
	return json_integer(0);
}

json_t *cfs_shape_parse(const char *data, size_t len, struct cfs_sb *err)
{
	json_error_t je;
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);

	if (!v)
		cfs_shape_fail(err, "%s at line %d column %d", je.text, je.line, je.column);
	return v;
}
