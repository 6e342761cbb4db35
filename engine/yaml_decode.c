/*
 * yaml_decode: the serde_yaml-compatible typed decoding shared by
 * cluster.yaml and policy bundles (see yaml_decode.h).
 */
#include "engine/yaml_decode.h"
#include "core/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- scalars (YAML 1.2 core schema) ------------------------------------ */

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

const char *cfs_yd_sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool cfs_yd_is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (!is_plain(n))
		return false;
	const char *v = cfs_yd_sval(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

bool cfs_yd_is_empty(const yaml_node_t *n)
{
	return !n || (is_plain(n) && !*cfs_yd_sval(n));
}

int cfs_yd_plain_bool(const yaml_node_t *n)
{
	static const char *t[] = { "true", "True", "TRUE" }, *f[] = { "false", "False", "FALSE" };

	if (!is_plain(n))
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(cfs_yd_sval(n), t[i]))
			return 1;
		if (!strcmp(cfs_yd_sval(n), f[i]))
			return 0;
	}
	return -1;
}

static bool all_in(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

/*
 * Integers and floats as serde_yaml 0.9 resolves a plain scalar (the
 * reference's reader), which is what decides whether `queries: x` is a
 * path and what `version` holds.  Decimals with a leading zero ("007",
 * "-01") stay strings, as YAML 1.2 says.
 */
static bool leading_zero_digits(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return s[0] == '0' && s[1] && all_in(s + 1, "0123456789");
}

/* [-+]?(0x|0o|0b)?digits */
bool cfs_yd_plain_int(const yaml_node_t *n, bool *neg, unsigned long long *v)
{
	static const struct { const char *prefix, *digits; int base; } radix[] = {
		{ "0x", "0123456789abcdefABCDEF", 16 }, { "0o", "01234567", 8 }, { "0b", "01", 2 },
	};
	int base = 10;

	if (!is_plain(n))
		return false;
	const char *s = cfs_yd_sval(n);
	*neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	for (size_t i = 0; i < sizeof(radix) / sizeof(radix[0]) && base == 10; i++) {
		if (strncmp(s, radix[i].prefix, 2))
			continue;
		if (!all_in(s + 2, radix[i].digits))
			return false;
		base = radix[i].base;
		s += 2;
	}
	if (base == 10 && (!all_in(s, "0123456789") || leading_zero_digits(s)))
		return false;
	errno = 0;
	*v = strtoull(s, NULL, base);
	if (errno == ERANGE)
		*v = ~0ULL;
	return true;
}

/* [-+]?.inf, .nan, or a finite decimal float (no hex, no inf/nan words). */
bool cfs_yd_plain_float(const yaml_node_t *n)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF" }, *const nan[] = { ".nan", ".NaN", ".NAN" };
	char *end;

	if (!is_plain(n))
		return false;
	const char *s = cfs_yd_sval(n), *u = s + (*s == '+');
	if (*s == '+' && (*u == '+' || *u == '-'))
		return false;
	for (int i = 0; i < 3; i++)
		if (!strcmp(u, inf[i]) || (*s == '-' && !strcmp(s + 1, inf[i])) || !strcmp(s, nan[i]))
			return true;
	if (!all_in(u, "0123456789+-.eE") || !strpbrk(u, "0123456789") || leading_zero_digits(s))
		return false;
	errno = 0;
	double d = strtod(u, &end);
	return *end == '\0' && isfinite(d);
}

/* How serde would name what it found, for "invalid type" messages. */
char *cfs_yd_describe(const yaml_node_t *n)
{
	bool neg;
	unsigned long long v;

	if (cfs_yd_is_null(n))
		return cfs_xstrdup("unit value");
	if (n->type == YAML_SEQUENCE_NODE)
		return cfs_xstrdup("sequence");
	if (n->type == YAML_MAPPING_NODE)
		return cfs_xstrdup("map");
	if (cfs_yd_plain_bool(n) >= 0)
		return cfs_xasprintf("boolean `%s`", cfs_yd_plain_bool(n) ? "true" : "false");
	if (cfs_yd_plain_int(n, &neg, &v))
		return cfs_xasprintf("integer `%s`", cfs_yd_sval(n));
	if (cfs_yd_plain_float(n))
		return cfs_xasprintf("floating point `%s`", cfs_yd_sval(n));
	return cfs_xasprintf("string \"%s\"", cfs_yd_sval(n));
}

/* ---- errors ------------------------------------------------------------ */

int cfs_yd_failf(struct cfs_yd *d, const char *path, const yaml_node_t *n, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	if (d->err)
		return -1;
	if (path && *path)
		cfs_sb_addf(&sb, "%s: ", path);
	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (n)
		cfs_sb_addf(&sb, " at line %lu column %lu", (unsigned long)n->start_mark.line + 1,
			    (unsigned long)n->start_mark.column + 1);
	d->err = cfs_sb_detach(&sb);
	return -1;
}

int cfs_yd_bad_type(struct cfs_yd *d, const char *path, const yaml_node_t *n, const char *expected)
{
	char *what = cfs_yd_describe(n);
	int r = cfs_yd_failf(d, path, n, "invalid type: %s, expected %s", what, expected);

	free(what);
	return r;
}

char *cfs_yd_subpath(const char *path, const char *key)
{
	return *path ? cfs_xasprintf("%s.%s", path, key) : cfs_xstrdup(key);
}

/* ---- typed getters ----------------------------------------------------- */

yaml_node_t *cfs_yd_node(struct cfs_yd *d, int id)
{
	return yaml_document_get_node(d->doc, id);
}

/* Any non-null scalar's text; NULL for null.  -1 on a non-scalar. */
int cfs_yd_get_str(struct cfs_yd *d, const char *path, yaml_node_t *n, char **out)
{
	*out = NULL;
	if (cfs_yd_is_null(n))
		return 0;
	if (n->type != YAML_SCALAR_NODE)
		return cfs_yd_bad_type(d, path, n, "a string");
	*out = cfs_xstrdup(cfs_yd_sval(n));
	return 0;
}

int cfs_yd_get_text(struct cfs_yd *d, const char *path, yaml_node_t *n, char **out)
{
	*out = NULL;
	if (!n || n->type != YAML_SCALAR_NODE)
		return cfs_yd_bad_type(d, path, n, "a string");
	*out = cfs_xstrdup(cfs_yd_sval(n));
	return 0;
}

int cfs_yd_get_bool(struct cfs_yd *d, const char *path, yaml_node_t *n, int *out)
{
	*out = -1;
	if (cfs_yd_is_null(n))
		return 0;
	if ((*out = cfs_yd_plain_bool(n)) < 0)
		return cfs_yd_bad_type(d, path, n, "a boolean");
	return 0;
}

int cfs_yd_get_u32(struct cfs_yd *d, const char *path, yaml_node_t *n, uint32_t *out)
{
	bool neg;
	unsigned long long v;

	if (n->type != YAML_SCALAR_NODE || !cfs_yd_plain_int(n, &neg, &v))
		return cfs_yd_bad_type(d, path, n, "u32");
	if ((neg && v) || v > 0xffffffffULL)
		return cfs_yd_failf(d, path, n, "invalid value: integer `%s`, expected u32", cfs_yd_sval(n));
	*out = (uint32_t)v;
	return 0;
}

/* serde's list of alternatives: `a`; `a` or `b`; one of `a`, `b`, `c`. */
static void one_of(struct cfs_sb *sb, const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	if (n == 2) {
		cfs_sb_addf(sb, "`%s` or `%s`", names[0], names[1]);
		return;
	}
	if (n > 2)
		cfs_sb_adds(sb, "one of ");
	for (size_t i = 0; i < n; i++)
		cfs_sb_addf(sb, "%s`%s`", i ? ", " : "", names[i]);
}

int cfs_yd_walk_struct(struct cfs_yd *d, const char *path, yaml_node_t *map,
		       const char *const *fields, cfs_yd_field_fn fn, void *arg)
{
	unsigned long long seen = 0;

	if (map->type != YAML_MAPPING_NODE)
		return cfs_yd_bad_type(d, path, map, "a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfs_yd_node(d, p->key), *v = cfs_yd_node(d, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return cfs_yd_bad_type(d, path, k, "a field name");
		int f = -1;
		for (int i = 0; fields[i]; i++)
			if (!strcmp(fields[i], cfs_yd_sval(k)))
				f = i;
		if (f < 0) {
			struct cfs_sb sb = CFS_SB_INIT;
			one_of(&sb, fields);
			cfs_yd_failf(d, path, k, "unknown field `%s`, expected %s", cfs_yd_sval(k), cfs_sb_str(&sb));
			cfs_sb_release(&sb);
			return -1;
		}
		if (seen & (1ULL << f))
			return cfs_yd_failf(d, path, k, "duplicate field `%s`", cfs_yd_sval(k));
		seen |= 1ULL << f;
		char *sub = cfs_yd_subpath(path, cfs_yd_sval(k));
		int r = fn(d, sub, f, v, arg);
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

int cfs_yd_require(struct cfs_yd *d, const char *path, const yaml_node_t *map, bool present,
		   const char *field)
{
	if (present)
		return 0;
	return cfs_yd_failf(d, path, map, "missing field `%s`", field);
}

int cfs_yd_walk_map(struct cfs_yd *d, const char *path, yaml_node_t *map, cfs_yd_entry_fn fn, void *arg)
{
	if (cfs_yd_is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return cfs_yd_bad_type(d, path, map, "a map");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = cfs_yd_node(d, p->key), *v = cfs_yd_node(d, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return cfs_yd_bad_type(d, path, k, "a string key");
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(cfs_yd_sval(cfs_yd_node(d, q->key)), cfs_yd_sval(k)))
				return cfs_yd_failf(d, path, k, "duplicate entry with key \"%s\"", cfs_yd_sval(k));
		char *sub = cfs_yd_subpath(path, cfs_yd_sval(k));
		int r = fn(d, sub, cfs_yd_sval(k), v, arg);
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

/*
 * A sequence of strings.  serde reads Option<Vec<String>> (strict = false)
 * with null as empty and null items refused; Vec<String> (strict) with only
 * the plain empty scalar as empty and every scalar item as its text.
 */
static int get_list(struct cfs_yd *d, const char *path, yaml_node_t *n, bool strict, char ***out,
		    size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (strict ? cfs_yd_is_empty(n) : cfs_yd_is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return cfs_yd_bad_type(d, path, n, "a sequence");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = cfs_xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = cfs_yd_node(d, n->data.sequence.items.start[i]);
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		int r = strict ? cfs_yd_get_text(d, sub, it, &(*out)[i]) : cfs_yd_get_str(d, sub, it, &(*out)[i]);
		if (!r && !(*out)[i])
			r = cfs_yd_bad_type(d, sub, it, "a string");
		free(sub);
		(*nout)++;
		if (r)
			return r;
	}
	return 0;
}

int cfs_yd_get_str_list(struct cfs_yd *d, const char *path, yaml_node_t *n, char ***out, size_t *nout)
{
	return get_list(d, path, n, false, out, nout);
}

int cfs_yd_get_text_list(struct cfs_yd *d, const char *path, yaml_node_t *n, char ***out, size_t *nout)
{
	return get_list(d, path, n, true, out, nout);
}

/*
 * serde_yaml reads a unit variant from any scalar's text; an untagged
 * mapping or sequence is refused before the variant is looked at.
 */
int cfs_yd_get_enum(struct cfs_yd *d, const char *path, yaml_node_t *n, const char *const *variants,
		    int *out)
{
	struct cfs_sb sb = CFS_SB_INIT;

	if (n->type == YAML_MAPPING_NODE || n->type == YAML_SEQUENCE_NODE)
		return cfs_yd_bad_type(d, path, n, "a YAML tag starting with '!'");
	for (int i = 0; variants[i]; i++) {
		if (!strcmp(variants[i], cfs_yd_sval(n))) {
			*out = i;
			return 0;
		}
	}
	one_of(&sb, variants);
	cfs_yd_failf(d, path, n, "unknown variant `%s`, expected %s", cfs_yd_sval(n), cfs_sb_str(&sb));
	cfs_sb_release(&sb);
	return -1;
}

static char *yaml_problem(const yaml_parser_t *p)
{
	return cfs_xasprintf("%s at line %lu column %lu", p->problem ? p->problem : "invalid YAML",
			     (unsigned long)p->problem_mark.line + 1, (unsigned long)p->problem_mark.column + 1);
}

/*
 * Load the single document of text; -1 with *detail on a YAML error.  The
 * reference reads the whole stream, so a syntax error in a later document
 * fails too, and a second non-empty document is refused.
 */
int cfs_yd_load(const char *text, size_t len, yaml_document_t *doc, char **detail)
{
	yaml_parser_t p;
	yaml_document_t extra;
	int rc = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, doc)) {
		*detail = yaml_problem(&p);
		yaml_parser_delete(&p);
		return -1;
	}
	if (yaml_document_get_root_node(doc)) {
		if (!yaml_parser_load(&p, &extra)) {
			*detail = yaml_problem(&p);
			rc = -1;
		} else {
			if (yaml_document_get_root_node(&extra)) {
				*detail = cfs_xstrdup("deserializing from YAML containing more than one document is not supported");
				rc = -1;
			}
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&p);
	if (rc)
		yaml_document_delete(doc);
	return rc;
}

