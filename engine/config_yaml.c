/*
 * config_yaml: the typed decode of cluster.yaml (cluster.md §2.1, §4.1 step
 * 4) on libyaml's document API.  Every mapping is closed; errors name the
 * YAML path and position the way serde_yaml does, since that is the detail
 * users of the reference are used to reading.
 */
#include "engine/config.h"
#include "core/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct dec {
	yaml_document_t *doc;
	char *err;          /* first error wins */
};

/* ---- scalars (YAML 1.2 core schema) ------------------------------------ */

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (!is_plain(n))
		return false;
	const char *v = sval(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static int plain_bool(const yaml_node_t *n)
{
	static const char *t[] = { "true", "True", "TRUE" }, *f[] = { "false", "False", "FALSE" };

	if (!is_plain(n))
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!strcmp(sval(n), t[i]))
			return 1;
		if (!strcmp(sval(n), f[i]))
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
static bool plain_int(const yaml_node_t *n, bool *neg, unsigned long long *v)
{
	static const struct { const char *prefix, *digits; int base; } radix[] = {
		{ "0x", "0123456789abcdefABCDEF", 16 }, { "0o", "01234567", 8 }, { "0b", "01", 2 },
	};
	int base = 10;

	if (!is_plain(n))
		return false;
	const char *s = sval(n);
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
static bool plain_float(const yaml_node_t *n)
{
	static const char *const inf[] = { ".inf", ".Inf", ".INF" }, *const nan[] = { ".nan", ".NaN", ".NAN" };
	char *end;

	if (!is_plain(n))
		return false;
	const char *s = sval(n), *u = s + (*s == '+');
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
static char *describe(const yaml_node_t *n)
{
	bool neg;
	unsigned long long v;

	if (is_null(n))
		return cfs_xstrdup("unit value");
	if (n->type == YAML_SEQUENCE_NODE)
		return cfs_xstrdup("sequence");
	if (n->type == YAML_MAPPING_NODE)
		return cfs_xstrdup("map");
	if (plain_bool(n) >= 0)
		return cfs_xasprintf("boolean `%s`", plain_bool(n) ? "true" : "false");
	if (plain_int(n, &neg, &v))
		return cfs_xasprintf("integer `%s`", sval(n));
	if (plain_float(n))
		return cfs_xasprintf("floating point `%s`", sval(n));
	return cfs_xasprintf("string \"%s\"", sval(n));
}

/* ---- errors ------------------------------------------------------------ */

static int failf(struct dec *d, const char *path, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int failf(struct dec *d, const char *path, const yaml_node_t *n, const char *fmt, ...)
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

static int bad_type(struct dec *d, const char *path, const yaml_node_t *n, const char *expected)
{
	char *what = describe(n);
	int r = failf(d, path, n, "invalid type: %s, expected %s", what, expected);

	free(what);
	return r;
}

static char *subpath(const char *path, const char *key)
{
	return *path ? cfs_xasprintf("%s.%s", path, key) : cfs_xstrdup(key);
}

/* ---- typed getters ----------------------------------------------------- */

static yaml_node_t *node(struct dec *d, int id)
{
	return yaml_document_get_node(d->doc, id);
}

/* Any non-null scalar's text; NULL for null.  -1 on a non-scalar. */
static int get_str(struct dec *d, const char *path, yaml_node_t *n, char **out)
{
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SCALAR_NODE)
		return bad_type(d, path, n, "a string");
	*out = cfs_xstrdup(sval(n));
	return 0;
}

static int get_bool(struct dec *d, const char *path, yaml_node_t *n, int *out)
{
	*out = -1;
	if (is_null(n))
		return 0;
	if ((*out = plain_bool(n)) < 0)
		return bad_type(d, path, n, "a boolean");
	return 0;
}

static int get_u32(struct dec *d, const char *path, yaml_node_t *n, uint32_t *out)
{
	bool neg;
	unsigned long long v;

	if (n->type != YAML_SCALAR_NODE || !plain_int(n, &neg, &v))
		return bad_type(d, path, n, "u32");
	if ((neg && v) || v > 0xffffffffULL)
		return failf(d, path, n, "invalid value: integer `%s`, expected u32", sval(n));
	*out = (uint32_t)v;
	return 0;
}

/*
 * Walk a closed mapping: for each pair call fn with the key's index in
 * fields[] (a NULL-terminated list).  Unknown and repeated keys fail.
 */
typedef int (*field_fn)(struct dec *d, const char *path, int field, yaml_node_t *val, void *arg);

static int fields_expected(struct cfs_sb *sb, const char *const *fields)
{
	for (int i = 0; fields[i]; i++)
		cfs_sb_addf(sb, "%s`%s`", i ? ", " : "", fields[i]);
	return 0;
}

static int walk_struct(struct dec *d, const char *path, yaml_node_t *map,
		       const char *const *fields, field_fn fn, void *arg)
{
	unsigned long long seen = 0;

	if (map->type != YAML_MAPPING_NODE)
		return bad_type(d, path, map, "a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return bad_type(d, path, k, "a field name");
		int f = -1;
		for (int i = 0; fields[i]; i++)
			if (!strcmp(fields[i], sval(k)))
				f = i;
		if (f < 0) {
			struct cfs_sb sb = CFS_SB_INIT;
			fields_expected(&sb, fields);
			failf(d, path, k, "unknown field `%s`, expected %s%s", sval(k),
			      fields[1] ? "one of " : "", cfs_sb_str(&sb));
			cfs_sb_release(&sb);
			return -1;
		}
		if (seen & (1ULL << f))
			return failf(d, path, k, "duplicate field `%s`", sval(k));
		seen |= 1ULL << f;
		char *sub = subpath(path, sval(k));
		int r = fn(d, sub, f, v, arg);
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

static int require(struct dec *d, const char *path, yaml_node_t *map, bool present, const char *field)
{
	if (present)
		return 0;
	return failf(d, path, map, "missing field `%s`", field);
}

/* A map of name -> T: keys are strings, sorted by the caller afterwards. */
typedef int (*entry_fn)(struct dec *d, const char *path, const char *key, yaml_node_t *val, void *arg);

static int walk_map(struct dec *d, const char *path, yaml_node_t *map, entry_fn fn, void *arg)
{
	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return bad_type(d, path, map, "a map");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return bad_type(d, path, k, "a string key");
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(sval(node(d, q->key)), sval(k)))
				return failf(d, path, k, "duplicate entry with key \"%s\"", sval(k));
		char *sub = subpath(path, sval(k));
		int r = fn(d, sub, sval(k), v, arg);
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

static int get_str_list(struct dec *d, const char *path, yaml_node_t *n, char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return bad_type(d, path, n, "a sequence");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = cfs_xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = node(d, n->data.sequence.items.start[i]);
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		int r = get_str(d, sub, it, &(*out)[i]);
		if (!r && !(*out)[i])
			r = bad_type(d, sub, it, "a string");
		free(sub);
		(*nout)++;
		if (r)
			return r;
	}
	return 0;
}

/* ---- structs ----------------------------------------------------------- */

static const char *const TOP_FIELDS[] = { "version", "metadata", "storage", "state", "providers",
					  "graphs", "policies", NULL };
static const char *const META_FIELDS[] = { "name", NULL };
static const char *const STATE_FIELDS[] = { "backend", "lock", NULL };
static const char *const PROVIDERS_FIELDS[] = { "embedding", NULL };
static const char *const PROFILE_FIELDS[] = { "kind", "provider", "base_url", "model", "api_key", NULL };
static const char *const GRAPH_FIELDS[] = { "schema", "queries", "embedding_provider",
					    "external_blobs", NULL };
static const char *const BLOBS_FIELDS[] = { "allow", NULL };
static const char *const BASE_FIELDS[] = { "base", "scope", NULL };
static const char *const QFILE_FIELDS[] = { "file", NULL };
static const char *const POLICY_FIELDS[] = { "file", "applies_to", NULL };

static int meta_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return get_str(d, path, v, &((struct cfs_config *)arg)->metadata_name);
}

static int state_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;

	return f == 0 ? get_str(d, path, v, &c->state_backend) : get_bool(d, path, v, &c->state_lock);
}

static int profile_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_provider_cfg *p = arg;
	char **slot[] = { &p->kind, &p->kind, &p->base_url, &p->model, &p->api_key };

	/* `provider` is an alias of `kind`: both at once is a repeated field */
	if (f <= 1 && p->kind)
		return failf(d, path, v, "duplicate field `kind`");
	return get_str(d, path, v, slot[f]);
}

static int provider_entry(struct dec *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_provider_cfg *p;

	c->providers = cfs_xrealloc(c->providers, (c->nproviders + 1) * sizeof(*p));
	p = &c->providers[c->nproviders++];
	memset(p, 0, sizeof(*p));
	p->name = cfs_xstrdup(key);
	if (is_null(v))
		return 0;
	return walk_struct(d, path, v, PROFILE_FIELDS, profile_field, p);
}

static int providers_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return walk_map(d, path, v, provider_entry, arg);
}

struct base_acc { struct cfs_blob_base_cfg *b; bool has_base, has_scope; };

static int base_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct base_acc *a = arg;

	if (f == 0) {
		a->has_base = !is_null(v);
		return get_str(d, path, v, &a->b->base);
	}
	a->has_scope = !is_null(v);
	if (!a->has_scope)
		return 0;
	if (v->type != YAML_SCALAR_NODE ||
	    (strcmp(sval(v), "server_safe") && strcmp(sval(v), "embedded_only"))) {
		if (v->type != YAML_SCALAR_NODE)
			return bad_type(d, path, v, "a scope");
		return failf(d, path, v, "unknown variant `%s`, expected `server_safe` or `embedded_only`",
			     sval(v));
	}
	a->b->scope = cfs_xstrdup(sval(v));
	return 0;
}

static int blobs_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;

	(void)f;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return bad_type(d, path, v, "a sequence");
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	g->allow = cfs_xcalloc(cnt, sizeof(*g->allow));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = node(d, v->data.sequence.items.start[i]);
		struct base_acc a = { &g->allow[i], false, false };
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		g->nallow++;
		int r = walk_struct(d, sub, it, BASE_FIELDS, base_field, &a);
		if (!r)
			r = require(d, sub, it, a.has_base, "base");
		if (!r)
			r = require(d, sub, it, a.has_scope, "scope");
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

struct qfile_acc { struct cfs_query_entry *e; };

static int qfile_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return get_str(d, path, v, &((struct qfile_acc *)arg)->e->file);
}

static int query_entry(struct dec *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;
	struct cfs_query_entry *e;

	g->qmap = cfs_xrealloc(g->qmap, (g->nqmap + 1) * sizeof(*e));
	e = &g->qmap[g->nqmap++];
	e->name = cfs_xstrdup(key);
	e->file = NULL;
	struct qfile_acc a = { e };
	if (is_null(v))
		return failf(d, path, v, "missing field `file`");
	if (walk_struct(d, path, v, QFILE_FIELDS, qfile_field, &a))
		return -1;
	return require(d, path, v, e->file != NULL, "file");
}

/*
 * `queries` is an untagged union in the reference, decoded through serde's
 * buffered content: there a number or boolean is not a path, so none of the
 * three forms matches.  Elsewhere a string field takes any scalar's text.
 */
static bool typed_scalar(const yaml_node_t *n)
{
	bool neg;
	unsigned long long v;

	return n->type == YAML_SCALAR_NODE &&
	       (plain_bool(n) >= 0 || plain_int(n, &neg, &v) || plain_float(n));
}

static int untagged_mismatch(struct dec *d, const char *path, const yaml_node_t *v)
{
	return failf(d, path, v, "data did not match any variant of untagged enum QueriesDecl");
}

static int check_untagged(struct dec *d, const char *path, yaml_node_t *v)
{
	if (typed_scalar(v))
		return untagged_mismatch(d, path, v);
	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (typed_scalar(node(d, *it)))
				return untagged_mismatch(d, path, v);
	} else if (v->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *val = node(d, p->value);
			if (typed_scalar(node(d, p->key)))
				return untagged_mismatch(d, path, v);
			if (val->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *q = val->data.mapping.pairs.start; q < val->data.mapping.pairs.top; q++)
				if (node(d, q->key)->type == YAML_SCALAR_NODE &&
				    !strcmp(sval(node(d, q->key)), "file") && typed_scalar(node(d, q->value)))
					return untagged_mismatch(d, path, v);
		}
	}
	return 0;
}

static int decode_queries(struct dec *d, const char *path, yaml_node_t *v, struct cfs_graph_cfg *g)
{
	if (is_null(v))
		return 0;
	if (check_untagged(d, path, v))
		return -1;
	if (v->type == YAML_SCALAR_NODE) {
		g->qform = CFS_QUERIES_PATH;
		g->qpath = cfs_xstrdup(sval(v));
		return 0;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		g->qform = CFS_QUERIES_LIST;
		return get_str_list(d, path, v, &g->qlist, &g->nqlist);
	}
	return walk_map(d, path, v, query_entry, g);
}

static int graph_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;

	switch (f) {
	case 0:
		return get_str(d, path, v, &g->schema);
	case 1:
		return decode_queries(d, path, v, g);
	case 2:
		return get_str(d, path, v, &g->embedding_provider);
	default:
		return is_null(v) ? 0 : walk_struct(d, path, v, BLOBS_FIELDS, blobs_field, g);
	}
}

static int graph_entry(struct dec *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_graph_cfg *g;

	c->graphs = cfs_xrealloc(c->graphs, (c->ngraphs + 1) * sizeof(*g));
	g = &c->graphs[c->ngraphs++];
	memset(g, 0, sizeof(*g));
	g->id = cfs_xstrdup(key);
	if (is_null(v))
		return failf(d, path, v, "missing field `schema`");
	if (walk_struct(d, path, v, GRAPH_FIELDS, graph_field, g))
		return -1;
	return require(d, path, v, g->schema != NULL, "schema");
}

struct policy_acc { struct cfs_policy_cfg *p; bool has_applies; };

static int policy_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct policy_acc *a = arg;

	if (f == 0)
		return get_str(d, path, v, &a->p->file);
	a->has_applies = !is_null(v);
	return get_str_list(d, path, v, &a->p->applies_to, &a->p->napplies_to);
}

static int policy_entry(struct dec *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_policy_cfg *p;

	c->policies = cfs_xrealloc(c->policies, (c->npolicies + 1) * sizeof(*p));
	p = &c->policies[c->npolicies++];
	memset(p, 0, sizeof(*p));
	p->name = cfs_xstrdup(key);
	struct policy_acc a = { p, false };
	if (is_null(v))
		return failf(d, path, v, "missing field `file`");
	if (walk_struct(d, path, v, POLICY_FIELDS, policy_field, &a))
		return -1;
	if (require(d, path, v, p->file != NULL, "file"))
		return -1;
	return require(d, path, v, a.has_applies, "applies_to");
}

struct top_acc { struct cfs_config *c; bool has_version; };

static int top_field(struct dec *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct top_acc *a = arg;
	struct cfs_config *c = a->c;

	switch (f) {
	case 0:
		a->has_version = true;
		return get_u32(d, path, v, &c->version);
	case 1:
		return is_null(v) ? 0 : walk_struct(d, path, v, META_FIELDS, meta_field, c);
	case 2:
		return get_str(d, path, v, &c->storage);
	case 3:
		return is_null(v) ? 0 : walk_struct(d, path, v, STATE_FIELDS, state_field, c);
	case 4:
		return is_null(v) ? 0 : walk_struct(d, path, v, PROVIDERS_FIELDS, providers_field, c);
	case 5:
		return walk_map(d, path, v, graph_entry, c);
	default:
		return walk_map(d, path, v, policy_entry, c);
	}
}

/* ---- sorting and entry point ------------------------------------------- */

static int cmp_provider(const void *a, const void *b)
{
	return strcmp(((const struct cfs_provider_cfg *)a)->name, ((const struct cfs_provider_cfg *)b)->name);
}

static int cmp_graph(const void *a, const void *b)
{
	return strcmp(((const struct cfs_graph_cfg *)a)->id, ((const struct cfs_graph_cfg *)b)->id);
}

static int cmp_policy(const void *a, const void *b)
{
	return strcmp(((const struct cfs_policy_cfg *)a)->name, ((const struct cfs_policy_cfg *)b)->name);
}

static int cmp_qentry(const void *a, const void *b)
{
	return strcmp(((const struct cfs_query_entry *)a)->name, ((const struct cfs_query_entry *)b)->name);
}

/* Maps in the contract are ordered by key (the reference's BTreeMap). */
static void sort_config(struct cfs_config *c)
{
	cfs_qsort(c->providers, c->nproviders, sizeof(*c->providers), cmp_provider);
	cfs_qsort(c->graphs, c->ngraphs, sizeof(*c->graphs), cmp_graph);
	cfs_qsort(c->policies, c->npolicies, sizeof(*c->policies), cmp_policy);
	for (size_t i = 0; i < c->ngraphs; i++)
		cfs_qsort(c->graphs[i].qmap, c->graphs[i].nqmap, sizeof(*c->graphs[i].qmap), cmp_qentry);
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
static int load_doc(const char *text, size_t len, yaml_document_t *doc, char **detail)
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

int cfs_config_decode(const char *text, size_t len, struct cfs_config *cfg, char **detail)
{
	yaml_document_t doc;
	struct dec d = { &doc, NULL };
	struct top_acc a = { cfg, false };

	memset(cfg, 0, sizeof(*cfg));
	cfg->state_lock = -1;
	*detail = NULL;
	if (load_doc(text, len, &doc, detail))
		return -1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root)
		failf(&d, "", NULL, "missing field `version`");
	else if (!walk_struct(&d, "", root, TOP_FIELDS, top_field, &a))
		require(&d, "", root, a.has_version, "version");
	yaml_document_delete(&doc);
	if (d.err) {
		*detail = d.err;
		cfs_config_free(cfg);
		return -1;
	}
	sort_config(cfg);
	return 0;
}

/* ---- freeing ----------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_graph(struct cfs_graph_cfg *g)
{
	free(g->id);
	free(g->schema);
	free(g->qpath);
	free_strv(g->qlist, g->nqlist);
	for (size_t i = 0; i < g->nqmap; i++) {
		free(g->qmap[i].name);
		free(g->qmap[i].file);
	}
	free(g->qmap);
	free(g->embedding_provider);
	for (size_t i = 0; i < g->nallow; i++) {
		free(g->allow[i].base);
		free(g->allow[i].scope);
	}
	free(g->allow);
}

void cfs_config_free(struct cfs_config *c)
{
	free(c->metadata_name);
	free(c->storage);
	free(c->state_backend);
	for (size_t i = 0; i < c->nproviders; i++) {
		struct cfs_provider_cfg *p = &c->providers[i];
		free(p->name);
		free(p->kind);
		free(p->base_url);
		free(p->model);
		free(p->api_key);
	}
	free(c->providers);
	for (size_t i = 0; i < c->ngraphs; i++)
		free_graph(&c->graphs[i]);
	free(c->graphs);
	for (size_t i = 0; i < c->npolicies; i++) {
		free(c->policies[i].name);
		free(c->policies[i].file);
		free_strv(c->policies[i].applies_to, c->policies[i].napplies_to);
	}
	free(c->policies);
	memset(c, 0, sizeof(*c));
	c->state_lock = -1;
}

bool cfs_config_valid_id(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}
