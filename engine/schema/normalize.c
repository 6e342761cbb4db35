/*
 * schema/normalize: builds the canonical shape of schema-lang.md §9 from a
 * loaded schema and checks the shape-level rules (the "catalog error"s that
 * loading alone does not raise).  Errors are raised in the reference's
 * order: per declaration in source order while building, then the
 * whole-shape checks on the sorted result.  Identities live in identity.c.
 */
#include "engine/schema/normalize.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(char **err, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	cfs_sb_adds(&sb, "catalog error: ");
	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	*err = cfs_sb_detach(&sb);
	return -1;
}

static int strptr_cmp(const void *a, const void *b)
{
	return cfs_strptrcmp(a, b);
}

/* Sort an array of borrowed strings and drop repeats; returns the new count. */
static size_t sort_unique(const char **v, size_t n)
{
	size_t out = 0;

	cfs_qsort(v, n, sizeof(*v), strptr_cmp);
	for (size_t i = 0; i < n; i++)
		if (!out || strcmp(v[out - 1], v[i]))
			v[out++] = v[i];
	return out;
}

/* ---- annotations ------------------------------------------------------- */

static bool is_typed_annot(const char *name)
{
	static const char *const typed[] = { "rename_from", "embed", "key", "unique", "index" };

	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
		if (!strcmp(name, typed[i]))
			return true;
	return false;
}

/* The value a repeated kwarg key ends up with: the last one written. */
static const char *kwarg_last(const struct cfs_annot *a, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < a->nkwargs; i++)
		if (!strcmp(a->kwargs[i].key, key))
			v = a->kwargs[i].value;
	return v;
}

/* {"name","value"} plus "kwargs" with sorted keys when there are any: the
 * reference's serialization, whose compact form is the sort key. */
static json_t *annot_json(const struct cfs_annot *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(a->name));
	json_object_set_new(o, "value", a->value ? json_string(a->value) : json_null());
	if (a->nkwargs) {
		const char **keys = cfs_xcalloc(a->nkwargs, sizeof(*keys));
		json_t *kw = json_object();
		for (size_t i = 0; i < a->nkwargs; i++)
			keys[i] = a->kwargs[i].key;
		size_t n = sort_unique(keys, a->nkwargs);
		for (size_t i = 0; i < n; i++)
			json_object_set_new(kw, keys[i], json_string(kwarg_last(a, keys[i])));
		json_object_set_new(o, "kwargs", kw);
		free(keys);
	}
	return o;
}

static int annot_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_shape_annot *)a)->key, ((const struct cfs_shape_annot *)b)->key);
}

static void canon_annots(const struct cfs_annot *a, size_t n, struct cfs_shape_annot **out, size_t *nout)
{
	struct cfs_shape_annot *v = cfs_xcalloc(n ? n : 1, sizeof(*v));
	size_t m = 0, u = 0;

	for (size_t i = 0; i < n; i++) {
		if (is_typed_annot(a[i].name))
			continue;
		v[m].json = annot_json(&a[i]);
		v[m].key = cfs_json_compact(v[m].json, 0);
		m++;
	}
	cfs_qsort(v, m, sizeof(*v), annot_cmp);
	for (size_t i = 0; i < m; i++) {
		if (u && !strcmp(v[u - 1].key, v[i].key)) {
			json_decref(v[i].json);
			free(v[i].key);
			continue;
		}
		v[u++] = v[i];
	}
	*out = v;
	*nout = u;
}

static void free_annots(struct cfs_shape_annot *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(v[i].json);
		free(v[i].key);
	}
	free(v);
}

/* ---- properties -------------------------------------------------------- */

static const char *hint_of(const struct cfs_annot *a, size_t n)
{
	const struct cfs_annot *r = cfs_annot_find(a, n, "rename_from");

	return r ? r->value : NULL;
}

/* The typed facts of one declared property (§9): relations written on it
 * and its embed binding; the opaque rest goes to the annotation list. */
static void prop_shape(const struct cfs_prop *p, bool direct, struct cfs_shape_prop *out)
{
	const struct cfs_annot *embed = cfs_annot_find(p->annots, p->nannots, "embed");

	memset(out, 0, sizeof(*out));
	out->name = p->name;
	out->rename_from = hint_of(p->annots, p->nannots);
	out->type = &p->type;
	canon_annots(p->annots, p->nannots, &out->annots, &out->nannots);
	for (size_t i = 0; i < p->nannots; i++) {
		const struct cfs_annot *a = &p->annots[i];
		if (a->value)
			continue;
		if (!strcmp(a->name, "key"))
			out->pcons |= CFS_PCONS_KEY;
		else if (!strcmp(a->name, "unique"))
			out->pcons |= CFS_PCONS_UNIQUE;
		else if (!strcmp(a->name, "index"))
			out->pcons |= CFS_PCONS_INDEX;
	}
	if (embed && embed->value) {
		out->embed_source = embed->value;
		out->embed_model = kwarg_last(embed, "model");
	}
	out->declared_directly = direct;
}

static void free_prop(struct cfs_shape_prop *p)
{
	free_annots(p->annots, p->nannots);
	free(p->satisfies);
}

static int prop_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_shape_prop *)a)->name, ((const struct cfs_shape_prop *)b)->name);
}

/* Interface and edge properties: all declared, no contracts; a name may
 * appear once. */
static int plain_props(const struct cfs_type *t, struct cfs_shape_type *out, char **err)
{
	out->props = cfs_xcalloc(t->nprops ? t->nprops : 1, sizeof(*out->props));
	for (size_t i = 0; i < t->nprops; i++)
		prop_shape(&t->props[i], true, &out->props[out->nprops++]);
	cfs_qsort(out->props, out->nprops, sizeof(*out->props), prop_cmp);
	for (size_t i = 1; i < out->nprops; i++)
		if (!strcmp(out->props[i - 1].name, out->props[i].name))
			return fail(err, "duplicate property in schema shape for '%s'", t->name);
	return 0;
}

static const struct cfs_prop *first_prop(const struct cfs_type *t, const char *name)
{
	for (size_t i = 0; i < t->nprops; i++)
		if (!strcmp(t->props[i].name, name))
			return &t->props[i];
	return NULL;
}

static int ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_shape_ref *)a)->iface, ((const struct cfs_shape_ref *)b)->iface);
}

/* Every (interface, property) contract the node property `name` satisfies:
 * one per distinct implemented interface that declares the name. */
static void node_contracts(const struct cfs_schema *s, const struct cfs_shape_type *node,
			   const char *name, struct cfs_shape_prop *out)
{
	out->satisfies = cfs_xcalloc(node->nimplements ? node->nimplements : 1, sizeof(*out->satisfies));
	for (size_t i = 0; i < node->nimplements; i++) {
		const struct cfs_type *iface = cfs_schema_interface(s, node->implements[i]);
		if (iface && first_prop(iface, name))
			out->satisfies[out->nsatisfies++] = (struct cfs_shape_ref){ node->implements[i], name };
	}
	cfs_qsort(out->satisfies, out->nsatisfies, sizeof(*out->satisfies), ref_cmp);
}

static json_t *prop_json(const struct cfs_shape_prop *p);

/* The semantic key of an interface property as a contributor: its shape
 * without provenance, compacted. */
static char *contributor_key(const struct cfs_prop *p)
{
	struct cfs_shape_prop sp;

	prop_shape(p, false, &sp);
	json_t *j = prop_json(&sp);
	char *key = cfs_json_compact(j, 0);
	json_decref(j);
	free_prop(&sp);
	return key;
}

/*
 * An injected property takes its meaning from its contributing interfaces,
 * not from whichever one the expansion visited first: all of them must
 * agree, and the first by interface name is the source.
 */
static int injected_source(const struct cfs_schema *s, const char *node, const struct cfs_shape_prop *sp,
			   const struct cfs_prop **src, char **err)
{
	char *first = NULL;
	int rc = 0;

	for (size_t i = 0; i < sp->nsatisfies && !rc; i++) {
		const struct cfs_type *iface = cfs_schema_interface(s, sp->satisfies[i].iface);
		const struct cfs_prop *ip = first_prop(iface, sp->name);
		char *key = contributor_key(ip);
		if (!first) {
			first = key;
			*src = ip;
			continue;
		}
		if (strcmp(first, key))
			rc = fail(err, "interfaces contributing '%s.%s' have incompatible property semantics",
				  node, sp->name);
		free(key);
	}
	free(first);
	return rc;
}

static int node_props(const struct cfs_schema *s, const struct cfs_type *t, struct cfs_shape_type *out,
		      char **err)
{
	out->props = cfs_xcalloc(t->nprops ? t->nprops : 1, sizeof(*out->props));
	for (size_t i = 0; i < t->nprops; i++) {
		const struct cfs_prop *p = &t->props[i];
		bool direct = p->injected_from == NULL;
		struct cfs_shape_prop probe = { .name = p->name };
		node_contracts(s, out, p->name, &probe);
		const struct cfs_prop *src = p;
		if (!direct && probe.nsatisfies && injected_source(s, t->name, &probe, &src, err)) {
			free(probe.satisfies);
			return -1;
		}
		struct cfs_shape_prop *sp = &out->props[out->nprops++];
		prop_shape(src, direct, sp);
		sp->satisfies = probe.satisfies;
		sp->nsatisfies = probe.nsatisfies;
	}
	cfs_qsort(out->props, out->nprops, sizeof(*out->props), prop_cmp);
	return 0;
}

/* ---- constraints ------------------------------------------------------- */

static const char *const CONS_WORD[] = { "key", "unique", "index", "range", "check" };

/* Rust's f64 Debug: shortest round-trip digits, exponent form outside
 * [1e-4, 1e16), otherwise a decimal with at least one fractional digit. */
static void float_debug(double f, struct cfs_sb *sb)
{
	char buf[40], digits[24];
	int prec, exp, nd = 0;

	if (isinf(f)) {
		cfs_sb_adds(sb, f < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	const char *p = buf + (buf[0] == '-');
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	digits[nd] = '\0';
	exp = atoi(p + 1);
	if (signbit(f))
		cfs_sb_addc(sb, '-');
	double a = fabs(f);
	if (a != 0 && (a < 1e-4 || a >= 1e16)) {
		cfs_sb_addf(sb, "%c%s%se%d", digits[0], nd > 1 ? "." : "", digits + 1, exp);
	} else if (exp < 0) {
		cfs_sb_adds(sb, "0.");
		for (int i = -1; i > exp; i--)
			cfs_sb_addc(sb, '0');
		cfs_sb_adds(sb, digits);
	} else {
		for (int i = 0; i <= exp; i++)
			cfs_sb_addc(sb, i < nd ? digits[i] : '0');
		cfs_sb_addc(sb, '.');
		cfs_sb_adds(sb, exp + 1 < nd ? digits + exp + 1 : "0");
	}
}

void cfs_bound_debug(const struct cfs_bound *b, struct cfs_sb *sb)
{
	if (!b->present) {
		cfs_sb_adds(sb, "None");
		return;
	}
	if (b->is_int) {
		cfs_sb_addf(sb, "Some(Integer(%lld))", (long long)b->i);
		return;
	}
	cfs_sb_adds(sb, "Some(Float(");
	float_debug(b->f, sb);
	cfs_sb_adds(sb, "))");
}

static void push_cons(struct cfs_shape_type *t, enum cfs_cons_kind kind, const char *const *cols, size_t ncols,
		      const struct cfs_constraint *src)
{
	t->cons = cfs_xrealloc(t->cons, (t->ncons + 1) * sizeof(*t->cons));
	struct cfs_shape_cons *c = &t->cons[t->ncons++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->src = src;
	c->cols = cfs_xcalloc(ncols ? ncols : 1, sizeof(*c->cols));
	for (size_t i = 0; i < ncols; i++)
		c->cols[c->ncols++] = cols[i];
}

/* The name-based key the reference sorts and de-duplicates constraints by. */
static char *cons_key(const struct cfs_shape_cons *c)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_addf(&sb, "%s:", CONS_WORD[c->kind]);
	if (c->kind == CFS_CONS_RANGE) {
		cfs_sb_addf(&sb, "%s:", c->cols[0]);
		cfs_bound_debug(&c->src->lo, &sb);
		cfs_sb_addc(&sb, ':');
		cfs_bound_debug(&c->src->hi, &sb);
	} else if (c->kind == CFS_CONS_CHECK) {
		cfs_sb_addf(&sb, "%s:%s", c->cols[0], c->src->pattern ? c->src->pattern : "");
	} else {
		for (size_t i = 0; i < c->ncols; i++)
			cfs_sb_addf(&sb, "%s%s", i ? "," : "", c->cols[i]);
	}
	return cfs_sb_detach(&sb);
}

static int cons_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_shape_cons *)a)->key, ((const struct cfs_shape_cons *)b)->key);
}

static void free_cons(struct cfs_shape_cons *c)
{
	free(c->cols);
	free(c->key);
}

/* Column lists of key/unique/index are sets; so is the constraint list. */
static void canon_cons(struct cfs_shape_type *t)
{
	size_t u = 0;

	for (size_t i = 0; i < t->ncons; i++) {
		struct cfs_shape_cons *c = &t->cons[i];
		if (c->kind <= CFS_CONS_INDEX)
			c->ncols = sort_unique(c->cols, c->ncols);
		c->key = cons_key(c);
	}
	cfs_qsort(t->cons, t->ncons, sizeof(*t->cons), cons_cmp);
	for (size_t i = 0; i < t->ncons; i++) {
		if (u && !strcmp(t->cons[u - 1].key, t->cons[i].key)) {
			free_cons(&t->cons[i]);
			continue;
		}
		t->cons[u++] = t->cons[i];
	}
	t->ncons = u;
}

/*
 * A node's own constraints (body and direct properties), then the
 * single-column relations of each injected property, rebuilt from the
 * property's canonical source so the implements order cannot matter.
 */
static void type_cons(const struct cfs_type *t, struct cfs_shape_type *out)
{
	for (size_t i = 0; i < t->ncons; i++) {
		const struct cfs_constraint *c = &t->cons[i];
		if (c->origin != CFS_ORIGIN_INJECTED)
			push_cons(out, c->kind, (const char *const *)c->cols, c->ncols, c);
	}
	for (size_t i = 0; i < out->nprops; i++) {
		const struct cfs_shape_prop *p = &out->props[i];
		if (p->declared_directly)
			continue;
		for (int k = CFS_CONS_KEY; k <= CFS_CONS_INDEX; k++)
			if (p->pcons & (1u << k))
				push_cons(out, (enum cfs_cons_kind)k, &p->name, 1, NULL);
	}
	canon_cons(out);
}

/* ---- declarations ------------------------------------------------------ */

static int build_type(const struct cfs_schema *s, const struct cfs_type *t, struct cfs_shape_type *out,
		      char **err)
{
	out->kind = t->kind;
	out->name = t->name;
	if (t->kind == CFS_DECL_INTERFACE)
		return plain_props(t, out, err);
	out->rename_from = hint_of(t->annots, t->nannots);
	canon_annots(t->annots, t->nannots, &out->annots, &out->nannots);
	if (t->kind == CFS_DECL_EDGE) {
		out->from = t->from;
		out->to = t->to;
		out->card_min = t->card_min;
		out->card_has_max = t->card_has_max;
		out->card_max = t->card_max;
		if (plain_props(t, out, err))
			return -1;
	} else {
		out->implements = cfs_xcalloc(t->nimplements ? t->nimplements : 1, sizeof(*out->implements));
		for (size_t i = 0; i < t->nimplements; i++)
			out->implements[i] = t->implements[i];
		out->nimplements = sort_unique(out->implements, t->nimplements);
		if (node_props(s, t, out, err))
			return -1;
	}
	type_cons(t, out);
	return 0;
}

static int type_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_shape_type *)a)->name, ((const struct cfs_shape_type *)b)->name);
}

static bool has_dup_name(const struct cfs_shape_type *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i - 1].name, v[i].name))
			return true;
	return false;
}

/* Whole-shape rules, on the sorted shape, in the reference's order. */
static int validate(const struct cfs_shape *sh, char **err)
{
	const struct cfs_shape_type *edges = sh->types[CFS_DECL_EDGE];

	if (has_dup_name(sh->types[CFS_DECL_INTERFACE], sh->ntypes[CFS_DECL_INTERFACE]))
		return fail(err, "duplicate interface name in schema shape");
	if (has_dup_name(sh->types[CFS_DECL_NODE], sh->ntypes[CFS_DECL_NODE]))
		return fail(err, "duplicate node name in schema shape");
	for (size_t i = 0; i < sh->ntypes[CFS_DECL_EDGE]; i++) {
		if (i && !strcmp(edges[i - 1].name, edges[i].name))
			return fail(err, "duplicate edge name '%s' in schema shape", edges[i].name);
		if (!cfs_shape_find(sh, CFS_DECL_NODE, edges[i].from) || !cfs_shape_find(sh, CFS_DECL_NODE, edges[i].to))
			return fail(err, "edge '%s' has an unresolved endpoint", edges[i].name);
	}
	for (size_t i = 0; i < sh->ntypes[CFS_DECL_NODE]; i++) {
		const struct cfs_shape_type *n = &sh->types[CFS_DECL_NODE][i];
		for (size_t j = 0; j < n->nimplements; j++)
			if (!cfs_shape_find(sh, CFS_DECL_INTERFACE, n->implements[j]))
				return fail(err, "node '%s' implements unknown interface '%s'", n->name, n->implements[j]);
	}
	return 0;
}

int cfs_schema_normalize(const struct cfs_schema *s, struct cfs_shape *out, char **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->ntypes; i++) {
		const struct cfs_type *t = &s->types[i];
		size_t *n = &out->ntypes[t->kind];
		out->types[t->kind] = cfs_xrealloc(out->types[t->kind], (*n + 1) * sizeof(struct cfs_shape_type));
		struct cfs_shape_type *st = &out->types[t->kind][(*n)++];
		memset(st, 0, sizeof(*st));
		if (build_type(s, t, st, err))
			return -1;
	}
	for (int k = 0; k < 3; k++)
		cfs_qsort(out->types[k], out->ntypes[k], sizeof(struct cfs_shape_type), type_cmp);
	return validate(out, err);
}

void cfs_shape_free(struct cfs_shape *sh)
{
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < sh->ntypes[k]; i++) {
			struct cfs_shape_type *t = &sh->types[k][i];
			free_annots(t->annots, t->nannots);
			free(t->implements);
			for (size_t j = 0; j < t->nprops; j++)
				free_prop(&t->props[j]);
			free(t->props);
			for (size_t j = 0; j < t->ncons; j++)
				free_cons(&t->cons[j]);
			free(t->cons);
		}
		free(sh->types[k]);
	}
	memset(sh, 0, sizeof(*sh));
}

/* ---- lookups ----------------------------------------------------------- */

const struct cfs_shape_type *cfs_shape_find(const struct cfs_shape *sh, enum cfs_decl_kind k, const char *name)
{
	struct cfs_shape_type probe = { .name = name };

	return sh->ntypes[k] ? bsearch(&probe, sh->types[k], sh->ntypes[k], sizeof(probe), type_cmp) : NULL;
}

const struct cfs_shape_prop *cfs_shape_prop(const struct cfs_shape_type *t, const char *name)
{
	struct cfs_shape_prop probe = { .name = name };

	return t->nprops ? bsearch(&probe, t->props, t->nprops, sizeof(probe), prop_cmp) : NULL;
}

/* ---- JSON -------------------------------------------------------------- */

json_t *cfs_ptype_json(const struct cfs_ptype *t)
{
	json_t *o = json_object();

	if (t->scalar == CFS_SC_VECTOR)
		json_object_set_new(o, "scalar", json_pack("{s:I}", "Vector", (json_int_t)t->dim));
	else
		json_object_set_new(o, "scalar", json_string(cfs_scalar_name(t->scalar)));
	json_object_set_new(o, "nullable", json_boolean(t->nullable));
	json_object_set_new(o, "list", json_boolean(t->list));
	if (t->nenum) {
		json_t *v = json_array();
		for (size_t i = 0; i < t->nenum; i++)
			json_array_append_new(v, json_string(t->enum_values[i]));
		json_object_set_new(o, "enum_values", v);
	} else {
		json_object_set_new(o, "enum_values", json_null());
	}
	return o;
}

static json_t *annots_json(const struct cfs_shape_annot *a, size_t n)
{
	json_t *v = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append(v, a[i].json);
	return v;
}

static json_t *strs_json(const char *const *s, size_t n)
{
	json_t *v = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(v, json_string(s[i]));
	return v;
}

static json_t *prop_json(const struct cfs_shape_prop *p)
{
	json_t *o = json_object(), *pc = json_array(), *sat = json_array();

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "prop_type", cfs_ptype_json(p->type));
	json_object_set_new(o, "annotations", annots_json(p->annots, p->nannots));
	for (int k = CFS_CONS_KEY; k <= CFS_CONS_INDEX; k++)
		if (p->pcons & (1u << k))
			json_array_append_new(pc, json_string(CONS_WORD[k]));
	json_object_set_new(o, "property_constraints", pc);
	if (p->embed_source)
		json_object_set_new(o, "embed_source", json_pack("{s:s,s:o}", "property_name", p->embed_source, "model",
								 p->embed_model ? json_string(p->embed_model) : json_null()));
	else
		json_object_set_new(o, "embed_source", json_null());
	json_object_set_new(o, "declared_directly", json_boolean(p->declared_directly));
	for (size_t i = 0; i < p->nsatisfies; i++)
		json_array_append_new(sat, json_pack("{s:s,s:s}", "owner_name", p->satisfies[i].iface,
						     "property_name", p->satisfies[i].prop));
	json_object_set_new(o, "satisfies_interface_properties", sat);
	return o;
}

static json_t *bound_json(const struct cfs_bound *b)
{
	if (!b->present)
		return json_null();
	if (b->is_int)
		return json_pack("{s:I}", "Integer", (json_int_t)b->i);
	return json_pack("{s:f}", "Float", b->f);
}

static json_t *cons_json(const struct cfs_shape_cons *c)
{
	static const char *const tag[] = { "Key", "Unique", "Index", "Range", "Check" };

	if (c->kind == CFS_CONS_RANGE)
		return json_pack("{s:{s:s,s:o,s:o}}", tag[c->kind], "property", c->cols[0], "min",
				 bound_json(&c->src->lo), "max", bound_json(&c->src->hi));
	if (c->kind == CFS_CONS_CHECK)
		return json_pack("{s:{s:s,s:s}}", tag[c->kind], "property", c->cols[0], "pattern",
				 c->src->pattern ? c->src->pattern : "");
	return json_pack("{s:o}", tag[c->kind], strs_json(c->cols, c->ncols));
}

static json_t *type_json(const struct cfs_shape_type *t)
{
	json_t *o = json_object(), *props = json_array(), *cons = json_array();

	json_object_set_new(o, "name", json_string(t->name));
	if (t->kind == CFS_DECL_EDGE) {
		json_object_set_new(o, "from_type", json_string(t->from));
		json_object_set_new(o, "to_type", json_string(t->to));
		json_object_set_new(o, "cardinality", json_pack("{s:I,s:o}", "min", (json_int_t)t->card_min, "max",
								t->card_has_max ? json_integer(t->card_max) : json_null()));
	}
	if (t->kind != CFS_DECL_INTERFACE)
		json_object_set_new(o, "annotations", annots_json(t->annots, t->nannots));
	if (t->kind == CFS_DECL_NODE)
		json_object_set_new(o, "implements", strs_json(t->implements, t->nimplements));
	for (size_t i = 0; i < t->nprops; i++)
		json_array_append_new(props, prop_json(&t->props[i]));
	json_object_set_new(o, "properties", props);
	if (t->kind == CFS_DECL_INTERFACE) {
		json_decref(cons);
		return o;
	}
	for (size_t i = 0; i < t->ncons; i++)
		json_array_append_new(cons, cons_json(&t->cons[i]));
	json_object_set_new(o, "constraints", cons);
	return o;
}

json_t *cfs_shape_json(const struct cfs_shape *sh)
{
	static const char *const group[] = { "interfaces", "nodes", "edges" };
	json_t *o = json_object();

	for (int k = 0; k < 3; k++) {
		json_t *v = json_array();
		for (size_t i = 0; i < sh->ntypes[k]; i++)
			json_array_append_new(v, type_json(&sh->types[k][i]));
		json_object_set_new(o, group[k], v);
	}
	return o;
}
