/*
 * schema/model: loading entry point (S1-S6 with the reference's error
 * rendering, §1) and ownership of the model.
 */
#include "engine/schema/build_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void annots_free(struct cfs_annot *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].value);
		for (size_t j = 0; j < a[i].nkwargs; j++) {
			free(a[i].kwargs[j].key);
			free(a[i].kwargs[j].value);
		}
		free(a[i].kwargs);
	}
	free(a);
}

static struct cfs_annot *annots_copy(const struct cfs_annot *a, size_t n)
{
	struct cfs_annot *out = cfs_xcalloc(n, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		out[i].name = cfs_xstrdup(a[i].name);
		out[i].value = a[i].value ? cfs_xstrdup(a[i].value) : NULL;
		out[i].value_is_string = a[i].value_is_string;
		out[i].kwargs = cfs_xcalloc(a[i].nkwargs, sizeof(*out[i].kwargs));
		for (size_t j = 0; j < a[i].nkwargs; j++) {
			out[i].kwargs[j].key = cfs_xstrdup(a[i].kwargs[j].key);
			out[i].kwargs[j].value = cfs_xstrdup(a[i].kwargs[j].value);
		}
		out[i].nkwargs = a[i].nkwargs;
	}
	return out;
}

void cfs_prop_copy(struct cfs_prop *dst, const struct cfs_prop *src)
{
	*dst = *src;
	dst->name = cfs_xstrdup(src->name);
	dst->type.enum_values = cfs_xcalloc(src->type.nenum, sizeof(char *));
	for (size_t i = 0; i < src->type.nenum; i++)
		dst->type.enum_values[i] = cfs_xstrdup(src->type.enum_values[i]);
	dst->annots = annots_copy(src->annots, src->nannots);
	dst->injected_from = src->injected_from ? cfs_xstrdup(src->injected_from) : NULL;
}

void cfs_prop_release(struct cfs_prop *p)
{
	free(p->name);
	for (size_t i = 0; i < p->type.nenum; i++)
		free(p->type.enum_values[i]);
	free(p->type.enum_values);
	annots_free(p->annots, p->nannots);
	free(p->injected_from);
}

static void cons_free(struct cfs_constraint *c)
{
	for (size_t i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	free(c->cols);
	free(c->lo.text);
	free(c->hi.text);
	free(c->pattern);
}

void cfs_schema_free(struct cfs_schema *s)
{
	for (size_t i = 0; i < s->ntypes; i++) {
		struct cfs_type *t = &s->types[i];
		free(t->name);
		annots_free(t->annots, t->nannots);
		for (size_t j = 0; j < t->nprops; j++)
			cfs_prop_release(&t->props[j]);
		free(t->props);
		for (size_t j = 0; j < t->ncons; j++)
			cons_free(&t->cons[j]);
		free(t->cons);
		for (size_t j = 0; j < t->nimplements; j++)
			free(t->implements[j]);
		free(t->implements);
		free(t->from);
		free(t->to);
	}
	free(s->types);
	memset(s, 0, sizeof(*s));
}

enum cfs_schema_status cfs_schema_load(const char *src, size_t len, struct cfs_schema *out, char **err)
{
	struct ast_file f;
	char *msg = NULL;
	enum cfs_schema_status st = CFS_SCHEMA_OK;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (cfs_schema_parse_ast(src, len, &f, err)) {
		cfs_schema_ast_free(&f);
		return CFS_SCHEMA_SYNTAX;
	}
	if (cfs_schema_build(&f, out, &msg)) {
		*err = cfs_xasprintf("parse error: parse error: %s", msg);
		st = CFS_SCHEMA_SEMANTIC;
	} else if (cfs_schema_check_catalog(out, &msg)) {
		*err = cfs_xasprintf("catalog error: %s", msg);
		st = CFS_SCHEMA_CATALOG;
	}
	free(msg);
	cfs_schema_ast_free(&f);
	if (st != CFS_SCHEMA_OK)
		cfs_schema_free(out);
	return st;
}
