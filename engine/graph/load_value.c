/*
 * graph/load_value: property values against their schema types
 * (schema-lang.md §4), shared by loads, mutations and parameters, so a
 * value is accepted or refused the same way whichever door it comes in.
 */
#include "engine/graph/load_int.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a float";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

static char *disp(const struct cfs_ptype *t)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(t, &sb);
	return cfs_sb_detach(&sb);
}

/* "expected <disp>, got <kind>" (null is refused apart: t shown non-null) */
static json_t *mismatch(const struct cfs_ptype *t, const json_t *v, char **why)
{
	struct cfs_ptype nn = *t;
	char *d;

	nn.nullable = false;
	d = disp(&nn);

	*why = cfs_xasprintf("expected %s, got %s", d, json_kind(v));
	free(d);
	return NULL;
}

static json_t *conv_int(const struct cfs_ptype *t, const json_t *v, char **why)
{
	json_int_t x, lo = INT64_MIN, hi = INT64_MAX;

	if (!json_is_integer(v))
		return mismatch(t, v, why);
	x = json_integer_value(v);
	if (t->scalar == CFS_SC_I32) {
		lo = INT32_MIN;
		hi = INT32_MAX;
	} else if (t->scalar == CFS_SC_U32) {
		lo = 0;
		hi = UINT32_MAX;
	} else if (t->scalar == CFS_SC_U64) {
		lo = 0;         /* jansson integers stop at 2^63-1 */
	}
	if (x < lo || x > hi) {
		*why = cfs_xasprintf("%lld is out of range for %s", (long long)x, cfs_scalar_name(t->scalar));
		return NULL;
	}
	return json_integer(x);
}

/* A number as a real; F32 (and Vector elements) must fit a float. */
static json_t *conv_float(const struct cfs_ptype *t, const json_t *v, bool f32, char **why)
{
	double x;

	if (!json_is_number(v))
		return mismatch(t, v, why);
	x = json_number_value(v);
	if (f32 && fabs(x) > FLT_MAX) {
		*why = cfs_xasprintf("%g is out of range for F32", x);
		return NULL;
	}
	return json_real(x);
}

static json_t *conv_string(const struct cfs_ptype *t, const json_t *v, char **why)
{
	const char *s = json_string_value(v);

	if (!s)
		return mismatch(t, v, why);
	if (t->scalar == CFS_SC_DATE && !lv_valid_date(s)) {
		*why = cfs_xasprintf("invalid Date \"%s\" (expected YYYY-MM-DD)", s);
		return NULL;
	}
	if (t->scalar == CFS_SC_DATETIME && !lv_valid_datetime(s)) {
		*why = cfs_xasprintf("invalid DateTime \"%s\" (expected RFC 3339, e.g. 2024-05-01T12:00:00Z)", s);
		return NULL;
	}
	if (t->nenum) {
		for (size_t i = 0; i < t->nenum; i++)
			if (!strcmp(t->enum_values[i], s))
				return json_incref((json_t *)v);
		struct cfs_ptype nn = *t;
		nn.nullable = false;
		char *d = disp(&nn);
		*why = cfs_xasprintf("\"%s\" is not a value of %s", s, d);
		free(d);
		return NULL;
	}
	return json_incref((json_t *)v);
}

static json_t *conv_vector(const struct cfs_ptype *t, const json_t *v, char **why)
{
	size_t i;
	json_t *e, *out;

	if (!json_is_array(v)) {
		*why = cfs_xasprintf("expected Vector(%u), got %s", (unsigned)t->dim, json_kind(v));
		return NULL;
	}
	if (json_array_size(v) != t->dim) {
		*why = cfs_xasprintf("expected %u numbers for Vector(%u), got %zu", (unsigned)t->dim, (unsigned)t->dim,
				     json_array_size(v));
		return NULL;
	}
	out = json_array();
	json_array_foreach(v, i, e) {
		struct cfs_ptype num = { .scalar = CFS_SC_F32 };
		char *inner = NULL;
		json_t *c = json_is_number(e) ? conv_float(&num, e, true, &inner) : NULL;
		if (!c && !inner)
			inner = cfs_xasprintf("expected a number, got %s", json_kind(e));
		if (!c) {
			*why = cfs_xasprintf("element %zu: %s", i, inner);
			free(inner);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, c);
	}
	return out;
}

static json_t *conv_scalar(const struct cfs_ptype *t, const json_t *v, char **why)
{
	switch (t->scalar) {
	case CFS_SC_STRING:
	case CFS_SC_BLOB:
	case CFS_SC_DATE:
	case CFS_SC_DATETIME:
		return conv_string(t, v, why);
	case CFS_SC_BOOL:
		return json_is_boolean(v) ? json_incref((json_t *)v) : mismatch(t, v, why);
	case CFS_SC_I32:
	case CFS_SC_I64:
	case CFS_SC_U32:
	case CFS_SC_U64:
		return conv_int(t, v, why);
	case CFS_SC_F32:
	case CFS_SC_F64:
		return conv_float(t, v, t->scalar == CFS_SC_F32, why);
	case CFS_SC_VECTOR:
		return conv_vector(t, v, why);
	}
	return mismatch(t, v, why);
}

static json_t *conv_list(const struct cfs_ptype *t, const json_t *v, char **why)
{
	struct cfs_ptype el = *t;
	size_t i;
	json_t *e, *out;

	if (!json_is_array(v))
		return mismatch(t, v, why);
	el.list = el.nullable = false;
	out = json_array();
	json_array_foreach(v, i, e) {
		char *inner = NULL;
		json_t *c = json_is_null(e) ? mismatch(&el, e, &inner) : conv_scalar(&el, e, &inner);
		if (!c) {
			*why = cfs_xasprintf("element %zu: %s", i, inner);
			free(inner);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, c);
	}
	return out;
}

json_t *lv_convert(const struct cfs_ptype *t, const json_t *v, char **why)
{
	if (!v || json_is_null(v)) {
		if (t->nullable)
			return json_null();
		*why = cfs_xstrdup("null is not allowed (the property is not nullable)");
		return NULL;
	}
	return t->list ? conv_list(t, v, why) : conv_scalar(t, v, why);
}

/* n ASCII digits at s, as a number; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = 10 * x + (s[i] - '0');
	}
	return x;
}

static bool date_prefix(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, max;

	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 0 || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

bool lv_valid_date(const char *s)
{
	return date_prefix(s) && s[10] == '\0';
}

/* "hh:mm" with hh <= maxh and mm <= 59. */
static bool hour_minute(const char *s, int maxh)
{
	int h = digits(s, 2), m;

	if (h < 0 || h > maxh || s[2] != ':')
		return false;
	m = digits(s + 3, 2);
	return m >= 0 && m <= 59;
}

bool lv_valid_datetime(const char *s)
{
	int sec;

	if (!date_prefix(s) || !strchr("Tt ", s[10]) || s[10] == '\0')
		return false;
	s += 11;
	if (strnlen(s, 8) < 8 || !hour_minute(s, 23) || s[5] != ':')
		return false;
	sec = digits(s + 6, 2);
	if (sec < 0 || sec > 60)
		return false;
	s += 8;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return false;
		for (s++; isdigit((unsigned char)*s); s++)
			;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return true;
	if (*s != '+' && *s != '-')
		return false;
	return strnlen(s + 1, 6) == 5 && hour_minute(s + 1, 23);
}

/* Whole-string integer (optional '-', digits); false if not one or too big. */
static bool parse_int(const char *text, long long *out)
{
	const char *p = text + (*text == '-');
	char *end;

	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool parse_float(const char *text, double *out)
{
	char *end;

	if (!*text || isspace((unsigned char)*text))
		return false;
	errno = 0;
	*out = strtod(text, &end);
	return errno == 0 && *end == '\0' && isfinite(*out);
}

static json_t *scalar_text(const struct cfs_ptype *t, const char *text, char **why)
{
	long long i;
	double f;
	json_t *raw;

	switch (t->scalar) {
	case CFS_SC_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "false"))
			return json_boolean(!strcmp(text, "true"));
		*why = cfs_xasprintf("invalid Bool `%s` (expected true or false)", text);
		return NULL;
	case CFS_SC_I32:
	case CFS_SC_I64:
	case CFS_SC_U32:
	case CFS_SC_U64:
		if (parse_int(text, &i))
			return json_integer(i);
		break;
	case CFS_SC_F32:
	case CFS_SC_F64:
		if (parse_float(text, &f))
			return json_real(f);
		break;
	default:
		if ((raw = json_string(text)))
			return raw;
		*why = cfs_xstrdup("the value is not valid UTF-8");
		return NULL;
	}
	*why = cfs_xasprintf("invalid %s `%s`", cfs_scalar_name(t->scalar), text);
	return NULL;
}

json_t *lv_from_text(const struct cfs_ptype *t, const char *text, char **why)
{
	bool textual = !t->list && (t->scalar == CFS_SC_STRING || t->scalar == CFS_SC_BLOB);
	json_t *raw, *out;

	if (t->nullable && !textual && !strcmp(text, "null"))
		return json_null();
	if (t->list || t->scalar == CFS_SC_VECTOR) {
		raw = json_loads(text, JSON_DECODE_ANY, NULL);
		if (!json_is_array(raw)) {
			json_decref(raw);
			*why = cfs_xasprintf("expected a JSON array (e.g. [1, 2] or [\"a\", \"b\"]), got `%s`", text);
			return NULL;
		}
	} else if (!(raw = scalar_text(t, text, why))) {
		return NULL;
	}
	out = lv_convert(t, raw, why);
	json_decref(raw);
	return out;
}
