/*
 * schema/build: stage S2 of schema-lang.md — turn the raw parse into the
 * model, declaration by declaration and item by item in source order,
 * raising the first type, literal or constraint-argument error (§4.1,
 * §5.1).  S3-S5 live in rules.c, S6 in catalog.c.
 */
#include "engine/schema/ast.h"
#include "engine/schema/build_int.h"
#include "engine/lang/cursor.h"
#include "core/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n) ((arr) = cfs_xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
		      memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

int cfs_build_fail(char **err, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	*err = cfs_sb_detach(&sb);
	return -1;
}

static const char *const RESERVED[] = { "_rowid", "_rowaddr", "_rowoffset",
					"_row_created_at_version", "_row_last_updated_at_version" };

/* Unsigned decimal that must fit 32 bits; -1 when it does not. */
static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	for (; *s; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 0xffffffffULL)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int build_type(const struct ast_typeref *t, struct cfs_ptype *out, char **err)
{
	memset(out, 0, sizeof(*out));
	out->nullable = t->nullable;
	switch (t->kind) {
	case AST_T_BASE:
		out->scalar = t->base;
		return 0;
	case AST_T_LIST:
		if (t->base == CFS_SC_BLOB)
			return cfs_build_fail(err, "list of Blob is not supported");
		out->scalar = t->base;
		out->list = true;
		return 0;
	case AST_T_VECTOR:
		out->scalar = CFS_SC_VECTOR;
		if (parse_u32(t->dim, &out->dim))
			return cfs_build_fail(err, "invalid Vector dimension: number too large to fit in target type");
		if (!out->dim)
			return cfs_build_fail(err, "Vector dimension must be greater than zero");
		if (out->dim > 2147483647u)
			return cfs_build_fail(err, "Vector dimension %u exceeds maximum supported 2147483647", out->dim);
		return 0;
	case AST_T_ENUM:
		out->scalar = CFS_SC_STRING;
		out->enum_values = cfs_xcalloc(t->nvalues, sizeof(char *));
		for (size_t i = 0; i < t->nvalues; i++)
			out->enum_values[out->nenum++] = cfs_xstrdup(t->values[i]);
		cfs_qsort(out->enum_values, out->nenum, sizeof(char *), cfs_strptrcmp);
		for (size_t i = 1; i < out->nenum; i++)
			if (!strcmp(out->enum_values[i - 1], out->enum_values[i]))
				return cfs_build_fail(err, "enum type cannot include duplicate values");
		return 0;
	}
	return 0;
}

/* A literal's value: strings decoded, everything else as written. */
static int lit_value(const struct ast_lit *l, char **out, char **err)
{
	char bad = 0;

	if (l->kind != AST_STRING) {
		*out = cfs_xstrdup(l->text);
		return 0;
	}
	*out = cfs_string_decode(l->text, strlen(l->text), &bad);
	if (!*out)
		return cfs_build_fail(err, "unsupported escape sequence: \\%c", bad);
	return 0;
}

static int build_annot(const struct ast_annot *a, struct cfs_annot *out, char **err)
{
	memset(out, 0, sizeof(*out));
	out->name = cfs_xstrdup(a->name);
	if (a->pos) {
		out->value_is_string = a->pos->kind == AST_STRING;
		if (lit_value(a->pos, &out->value, err))
			return -1;
	}
	for (size_t i = 0; i < a->nkw; i++) {
		struct cfs_kwarg *kw = NULL;
		for (size_t j = 0; j < out->nkwargs; j++)
			if (!strcmp(out->kwargs[j].key, a->kw[i].key))
				kw = &out->kwargs[j];
		if (kw)
			free(kw->value);
		else
			(kw = GROW(out->kwargs, out->nkwargs))->key = cfs_xstrdup(a->kw[i].key);
		kw->value = NULL;
		if (lit_value(&a->kw[i].val, &kw->value, err))
			return -1;
	}
	return 0;
}

int cfs_build_annots(const struct ast_annot *in, size_t n, struct cfs_annot **out, size_t *nout, char **err)
{
	for (size_t i = 0; i < n; i++)
		if (build_annot(&in[i], GROW(*out, *nout), err))
			return -1;
	return 0;
}

static int build_prop(const struct ast_prop *p, struct cfs_prop *out, char **err)
{
	out->name = cfs_xstrdup(p->name);
	out->line = p->line;
	out->col = p->col;
	for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++)
		if (!strcmp(p->name, RESERVED[i]))
			return cfs_build_fail(err, "property name '%s' is reserved for a virtual storage system column; "
					      "a graph created with a pre-RC Lance binary must be exported with that binary, "
					      "renamed, and rebuilt", p->name);
	if (build_type(&p->type, &out->type, err))
		return -1;
	return cfs_build_annots(p->annots, p->nannots, &out->annots, &out->nannots, err);
}

/* "-12", "3.5": an integer if it fits i64, else a float (§5.1.4). */
static void build_bound(const char *text, struct cfs_bound *b)
{
	char *end;

	b->present = text != NULL;
	if (!text)
		return;
	b->text = cfs_xstrdup(text);
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (!*end && errno != ERANGE) {
		b->is_int = true;
		b->i = v;
	} else {
		b->f = strtod(text, NULL);
	}
}

static const char *const CONS_NAMES[] = { "key", "unique", "index", "range", "check" };

static int build_cons(const struct ast_cons *k, struct cfs_constraint *out, char **err)
{
	out->kind = k->kind;
	out->origin = CFS_ORIGIN_BODY;
	if (k->kind == CFS_CONS_RANGE || k->kind == CFS_CONS_CHECK) {
		bool range = k->kind == CFS_CONS_RANGE;
		if (k->nargs < 2)
			return cfs_build_fail(err, range ? "@range requires property name and bounds: @range(prop, min..max)"
							 : "@check requires property name and pattern: @check(prop, \"regex\")");
		if (k->args[0].kind != AST_IDENT)
			return cfs_build_fail(err, "expected property name in constraint");
		out->cols = cfs_xcalloc(1, sizeof(char *));
		out->cols[out->ncols++] = cfs_xstrdup(k->args[0].text);
		if (range) {
			if (k->args[1].kind != AST_RANGE)
				return cfs_build_fail(err, "expected range bounds (min..max) in @range constraint");
			build_bound(k->args[1].lo, &out->lo);
			build_bound(k->args[1].hi, &out->hi);
			return 0;
		}
		if (k->args[1].kind != AST_STRING)
			return cfs_build_fail(err, "expected string argument in constraint");
		return lit_value(&k->args[1], &out->pattern, err);
	}
	out->cols = cfs_xcalloc(k->nargs, sizeof(char *));
	for (size_t i = 0; i < k->nargs; i++) {
		if (k->args[i].kind != AST_IDENT)
			return cfs_build_fail(err, "expected property name in constraint");
		out->cols[out->ncols++] = cfs_xstrdup(k->args[i].text);
	}
	return 0;
}

const char *cfs_cons_name(enum cfs_cons_kind k)
{
	return CONS_NAMES[k];
}

/* @key/@unique/@index written on a property become single-column
 * constraints of the same kind (§5.1.5). */
void cfs_desugar_prop(struct cfs_type *t, const struct cfs_prop *p, enum cfs_cons_origin origin)
{
	for (size_t i = 0; i < p->nannots; i++) {
		for (int k = CFS_CONS_KEY; k <= CFS_CONS_INDEX; k++) {
			if (strcmp(p->annots[i].name, CONS_NAMES[k]) || p->annots[i].value)
				continue;
			struct cfs_constraint *c = GROW(t->cons, t->ncons);
			c->kind = (enum cfs_cons_kind)k;
			c->origin = origin;
			c->cols = cfs_xcalloc(1, sizeof(char *));
			c->cols[c->ncols++] = cfs_xstrdup(p->name);
		}
	}
}

static int build_card(const struct ast_decl *d, struct cfs_type *t, char **err)
{
	if (!d->has_card)
		return 0;
	if (parse_u32(d->card_min, &t->card_min))
		return cfs_build_fail(err, "invalid cardinality min: %s", d->card_min);
	if (d->card_max) {
		if (parse_u32(d->card_max, &t->card_max))
			return cfs_build_fail(err, "invalid cardinality max: %s", d->card_max);
		t->card_has_max = true;
		if (t->card_min > t->card_max)
			return cfs_build_fail(err, "cardinality min (%u) exceeds max (%u)", t->card_min, t->card_max);
	}
	return 0;
}

static int build_decl(const struct ast_decl *d, struct cfs_type *t, char **err)
{
	t->kind = d->kind;
	t->name = cfs_xstrdup(d->name);
	t->line = d->line;
	t->col = d->col;
	t->implements = cfs_xcalloc(d->nimplements, sizeof(char *));
	for (size_t i = 0; i < d->nimplements; i++)
		t->implements[t->nimplements++] = cfs_xstrdup(d->implements[i]);
	if (d->from) {
		t->from = cfs_xstrdup(d->from);
		t->to = cfs_xstrdup(d->to);
	}
	/* @card sits right after the endpoints, so it is built before the annotations */
	if (build_card(d, t, err) || cfs_build_annots(d->annots, d->nannots, &t->annots, &t->nannots, err))
		return -1;
	for (size_t i = 0; i < d->nitems; i++) {
		const struct ast_item *it = &d->items[i];
		int r = it->is_cons ? build_cons(&it->cons, GROW(t->cons, t->ncons), err)
				    : build_prop(&it->prop, GROW(t->props, t->nprops), err);
		if (r)
			return -1;
	}
	/* interface annotations are desugared into each implementing node (S3) */
	for (size_t i = 0; t->kind != CFS_DECL_INTERFACE && i < t->nprops; i++)
		cfs_desugar_prop(t, &t->props[i], CFS_ORIGIN_PROPERTY);
	return 0;
}

int cfs_schema_build(const struct ast_file *f, struct cfs_schema *out, char **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < f->ndecls; i++)
		if (build_decl(&f->decls[i], GROW(out->types, out->ntypes), err))
			return -1;
	if (cfs_schema_expand(out, err) || cfs_schema_check_annotations(out, err) ||
	    cfs_schema_check_constraints(out, err))
		return -1;
	return 0;
}
