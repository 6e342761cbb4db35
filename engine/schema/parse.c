/*
 * schema/parse: stage S1, the .pg grammar of schema-lang.md §3.
 *
 * Hand-written recursive descent over a byte cursor rather than a parser
 * generator: the grammar is a small PEG whose keywords are literal text
 * with no word boundary and whose choices are ordered, which maps one to
 * one onto functions that try an alternative and rewind on failure.
 * Errors are reported at the furthest position reached (lang/cursor.h).
 */
#include "engine/schema/ast.h"
#include "engine/lang/cursor.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define GROW(arr, n) ((arr) = cfs_xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
			    memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static char *take(const char *s, size_t n)
{
	return cfs_xstrndup(s, n);
}

/* ws, then a literal */
static bool tok(struct cfs_cur *c, const char *lit)
{
	return cfs_cur_ws(c) && cfs_cur_lit(c, lit);
}

static bool ident(struct cfs_cur *c, char **out)
{
	const char *s;
	size_t n;

	if (!cfs_cur_ws(c) || !cfs_cur_ident(c, &s, &n))
		return false;
	*out = take(s, n);
	return true;
}

static bool typename(struct cfs_cur *c, char **out)
{
	const char *s;
	size_t n;

	if (!cfs_cur_ws(c) || !cfs_cur_typename(c, &s, &n))
		return false;
	*out = take(s, n);
	return true;
}

static void lit_free(struct ast_lit *l)
{
	free(l->text);
	free(l->lo);
	free(l->hi);
	memset(l, 0, sizeof(*l));
}

/* literal = String | Float | Integer | Bool */
static bool literal(struct cfs_cur *c, struct ast_lit *out)
{
	const char *s;
	size_t n;
	bool fl;

	memset(out, 0, sizeof(*out));
	if (!cfs_cur_ws(c))
		return false;
	if (cfs_cur_peek(c) == '"') {
		if (!cfs_cur_string(c, &s, &n))
			return false;
		out->kind = AST_STRING;
	} else if (cfs_cur_at(c, "true") || cfs_cur_at(c, "false")) {
		s = c->s + c->p.i;
		n = cfs_cur_at(c, "true") ? 4 : 5;
		cfs_cur_adv(c, n);
		out->kind = AST_BOOL;
	} else if (cfs_cur_number(c, false, &s, &n, &fl)) {
		out->kind = fl ? AST_FLOAT : AST_INT;
	} else {
		return cfs_cur_expect(c, "literal");
	}
	out->text = take(s, n);
	return true;
}

/* literal | Ident (aarg, and carg after range) */
static bool literal_or_ident(struct cfs_cur *c, struct ast_lit *out)
{
	struct cfs_pos save = c->p;

	if (literal(c, out))
		return true;
	c->p = save;
	if (c->fatal || !ident(c, &out->text))
		return false;
	out->kind = AST_IDENT;
	return true;
}

/* range = (SFloat|SInt) ".." [SFloat|SInt] | ".." (SFloat|SInt) */
static bool range(struct cfs_cur *c, struct ast_lit *out)
{
	const char *s;
	size_t n;
	bool fl;
	struct cfs_pos save;

	memset(out, 0, sizeof(*out));
	if (!cfs_cur_ws(c))
		return false;
	if (cfs_cur_at(c, "..")) {
		cfs_cur_adv(c, 2);
		if (!cfs_cur_ws(c) || !cfs_cur_number(c, true, &s, &n, &fl))
			return false;
		out->lo = take(s, n);
	} else {
		if (!cfs_cur_number(c, true, &s, &n, &fl))
			return false;
		out->lo = take(s, n);
		if (!tok(c, "..")) {
			lit_free(out);
			return false;
		}
		save = c->p;
		if (cfs_cur_ws(c) && cfs_cur_number(c, true, &s, &n, &fl))
			out->hi = take(s, n);
		else
			c->p = save;
	}
	out->kind = AST_RANGE;
	out->text = cfs_xstrdup("..");
	return true;
}

static void annot_free(struct ast_annot *a)
{
	free(a->name);
	if (a->pos) {
		lit_free(a->pos);
		free(a->pos);
	}
	for (size_t i = 0; i < a->nkw; i++) {
		free(a->kw[i].key);
		lit_free(&a->kw[i].val);
	}
	free(a->kw);
	memset(a, 0, sizeof(*a));
}

/* "(" aarg { "," kwarg } ")" — all or nothing */
static bool annot_args(struct cfs_cur *c, struct ast_annot *a)
{
	struct ast_lit pos;

	if (!tok(c, "(") || !literal_or_ident(c, &pos))
		return false;
	a->pos = cfs_xmalloc(sizeof(*a->pos));
	*a->pos = pos;
	for (;;) {
		struct cfs_pos save = c->p;
		if (!tok(c, ",")) {
			c->p = save;
			break;
		}
		struct ast_kwarg *kw = GROW(a->kw, a->nkw);
		memset(kw, 0, sizeof(*kw));
		if (!ident(c, &kw->key) || !tok(c, "=") || !literal(c, &kw->val))
			return false;
	}
	return tok(c, ")");
}

static const char *const CNAMES[] = { "key", "unique", "index", "range", "check" };

/* Which constraint name (if any) starts at the cursor, followed by "(". */
static int cname_paren(struct cfs_cur *c)
{
	for (int k = 0; k < 5; k++) {
		if (!cfs_cur_at(c, CNAMES[k]))
			continue;
		struct cfs_pos save = c->p;
		cfs_cur_adv(c, strlen(CNAMES[k]));
		bool paren = cfs_cur_ws(c) && cfs_cur_at(c, "(");
		c->p = save;
		if (paren)
			return k;
	}
	return -1;
}

/* annotation = "@" !(cname "(") Ident [ "(" aarg {"," kwarg} ")" ] */
static bool annotation(struct cfs_cur *c, struct ast_annot *a)
{
	memset(a, 0, sizeof(*a));
	if (!tok(c, "@") || !cfs_cur_ws(c))
		return false;
	if (cname_paren(c) >= 0)
		return cfs_cur_expect(c, "annotation name");
	if (!ident(c, &a->name))
		return false;
	struct cfs_pos save = c->p;
	if (!annot_args(c, a)) {
		if (c->fatal)
			return false;
		c->p = save;
		char *name = a->name;
		a->name = NULL;
		annot_free(a);
		a->name = name;
	}
	return true;
}

/* { annotation } — greedy, rewinding the one that does not match */
static bool annotations(struct cfs_cur *c, struct ast_annot **v, size_t *n)
{
	for (;;) {
		struct cfs_pos save = c->p;
		struct ast_annot a;
		if (!annotation(c, &a)) {
			annot_free(&a);
			if (c->fatal)
				return false;
			c->p = save;
			return true;
		}
		*GROW(*v, *n) = a;
	}
}

/* basetype, longest keywords first where one is a prefix of another */
static const struct { const char *kw; enum cfs_scalar sc; } BASES[] = {
	{ "String", CFS_SC_STRING }, { "Blob", CFS_SC_BLOB }, { "Bool", CFS_SC_BOOL },
	{ "I32", CFS_SC_I32 }, { "I64", CFS_SC_I64 }, { "U32", CFS_SC_U32 }, { "U64", CFS_SC_U64 },
	{ "F32", CFS_SC_F32 }, { "F64", CFS_SC_F64 }, { "DateTime", CFS_SC_DATETIME },
	{ "Date", CFS_SC_DATE },
};

static bool basetype(struct cfs_cur *c, enum cfs_scalar *out)
{
	if (!cfs_cur_ws(c))
		return false;
	for (size_t i = 0; i < sizeof(BASES) / sizeof(BASES[0]); i++)
		if (cfs_cur_at(c, BASES[i].kw)) {
			cfs_cur_adv(c, strlen(BASES[i].kw));
			*out = BASES[i].sc;
			return true;
		}
	return cfs_cur_expect(c, "type");
}

static bool is_enum_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

static bool enum_value(struct cfs_cur *c, struct ast_typeref *t)
{
	size_t k = 0;

	if (!cfs_cur_ws(c))
		return false;
	while (c->p.i + k < c->len && is_enum_char(c->s[c->p.i + k]))
		k++;
	if (!k)
		return cfs_cur_expect(c, "enum value");
	*GROW(t->values, t->nvalues) = take(c->s + c->p.i, k);
	cfs_cur_adv(c, k);
	return true;
}

/* typeref = ( listtype | enumtype | vectortype | basetype ) [ "?" ] */
static bool typeref(struct cfs_cur *c, struct ast_typeref *t)
{
	const char *s;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!cfs_cur_ws(c))
		return false;
	if (cfs_cur_at(c, "[")) {
		cfs_cur_adv(c, 1);
		t->kind = AST_T_LIST;
		if (!basetype(c, &t->base) || !tok(c, "]"))
			return false;
	} else if (cfs_cur_at(c, "enum")) {
		cfs_cur_adv(c, 4);
		t->kind = AST_T_ENUM;
		if (!tok(c, "(") || !enum_value(c, t))
			return false;
		while (cfs_cur_ws(c) && cfs_cur_at(c, ",")) {
			cfs_cur_adv(c, 1);
			if (!enum_value(c, t))
				return false;
		}
		if (!tok(c, ")"))
			return false;
	} else if (cfs_cur_at(c, "Vector")) {
		cfs_cur_adv(c, 6);
		t->kind = AST_T_VECTOR;
		if (!tok(c, "(") || !cfs_cur_ws(c) || !cfs_cur_integer(c, &s, &n))
			return false;
		t->dim = take(s, n);
		if (!tok(c, ")"))
			return false;
	} else if (!basetype(c, &t->base)) {
		return false;
	}
	struct cfs_pos save = c->p;
	if (tok(c, "?"))
		t->nullable = true;
	else
		c->p = save;
	return !c->fatal;
}

static void typeref_free(struct ast_typeref *t)
{
	for (size_t i = 0; i < t->nvalues; i++)
		free(t->values[i]);
	free(t->values);
	free(t->dim);
}

/* property = Ident ":" typeref { annotation } */
static bool property(struct cfs_cur *c, struct ast_prop *p)
{
	memset(p, 0, sizeof(*p));
	if (!cfs_cur_ws(c))
		return false;
	p->line = c->p.line;
	p->col = c->p.col;
	return ident(c, &p->name) && tok(c, ":") && typeref(c, &p->type) &&
	       annotations(c, &p->annots, &p->nannots);
}

/* carg = range | literal | Ident */
static bool cons_arg(struct cfs_cur *c, struct ast_lit *out)
{
	struct cfs_pos save = c->p;

	if (range(c, out))
		return true;
	lit_free(out);
	if (c->fatal)
		return false;
	c->p = save;
	return literal_or_ident(c, out);
}

/* constraint = "@" cname "(" carg { "," carg } ")" */
static bool constraint(struct cfs_cur *c, struct ast_cons *k)
{
	memset(k, 0, sizeof(*k));
	if (!tok(c, "@") || !cfs_cur_ws(c))
		return false;
	int kind = cname_paren(c);
	if (kind < 0)
		return cfs_cur_expect(c, "constraint");
	k->kind = (enum cfs_cons_kind)kind;
	cfs_cur_adv(c, strlen(CNAMES[kind]));
	if (!tok(c, "("))
		return false;
	do {
		if (!cons_arg(c, GROW(k->args, k->nargs)))
			return false;
	} while (cfs_cur_ws(c) && cfs_cur_at(c, ",") && (cfs_cur_adv(c, 1), true));
	return tok(c, ")");
}

static void item_free(struct ast_item *it)
{
	if (it->is_cons) {
		for (size_t i = 0; i < it->cons.nargs; i++)
			lit_free(&it->cons.args[i]);
		free(it->cons.args);
		return;
	}
	free(it->prop.name);
	typeref_free(&it->prop.type);
	for (size_t i = 0; i < it->prop.nannots; i++)
		annot_free(&it->prop.annots[i]);
	free(it->prop.annots);
}

/* "{" { property | constraint } "}" ; constraints only when allowed */
static bool body(struct cfs_cur *c, struct ast_decl *d, bool constraints)
{
	if (!tok(c, "{"))
		return false;
	for (;;) {
		if (!cfs_cur_ws(c))
			return false;
		if (cfs_cur_at(c, "}")) {
			cfs_cur_adv(c, 1);
			return true;
		}
		struct ast_item *it = GROW(d->items, d->nitems);
		memset(it, 0, sizeof(*it));
		if (constraints && cfs_cur_at(c, "@")) {
			it->is_cons = true;
			if (!constraint(c, &it->cons))
				return false;
		} else if (!property(c, &it->prop)) {
			if (!c->fatal)
				cfs_cur_expect(c, constraints ? "property, constraint or `}`" : "property or `}`");
			return false;
		}
	}
}

/* card = "@card" "(" Integer ".." [ Integer ] ")" — all or nothing */
static bool card(struct cfs_cur *c, struct ast_decl *d)
{
	const char *s;
	size_t n;

	if (!tok(c, "@card") || !tok(c, "(") || !cfs_cur_ws(c) || !cfs_cur_integer(c, &s, &n))
		return false;
	d->card_min = take(s, n);
	if (!tok(c, ".."))
		return false;
	struct cfs_pos save = c->p;
	if (cfs_cur_ws(c) && cfs_cur_integer(c, &s, &n))
		d->card_max = take(s, n);
	else
		c->p = save;
	if (!tok(c, ")"))
		return false;
	d->has_card = true;
	return true;
}

static bool decl_name(struct cfs_cur *c, struct ast_decl *d)
{
	if (!cfs_cur_ws(c))
		return false;
	d->line = c->p.line;
	d->col = c->p.col;
	return typename(c, &d->name);
}

static bool node_decl(struct cfs_cur *c, struct ast_decl *d)
{
	if (!decl_name(c, d) || !annotations(c, &d->annots, &d->nannots))
		return false;
	struct cfs_pos save = c->p;
	if (tok(c, "implements")) {
		do {
			if (!typename(c, GROW(d->implements, d->nimplements)))
				return false;
		} while (cfs_cur_ws(c) && cfs_cur_at(c, ",") && (cfs_cur_adv(c, 1), true));
	} else {
		c->p = save;
	}
	return body(c, d, true);
}

static bool edge_decl(struct cfs_cur *c, struct ast_decl *d)
{
	if (!decl_name(c, d) || !tok(c, ":") || !typename(c, &d->from) || !tok(c, "->") ||
	    !typename(c, &d->to))
		return false;
	struct cfs_pos save = c->p;
	if (!card(c, d)) {
		if (c->fatal)
			return false;
		free(d->card_min);
		free(d->card_max);
		d->card_min = d->card_max = NULL;
		c->p = save;
	}
	if (!annotations(c, &d->annots, &d->nannots))
		return false;
	save = c->p;
	if (cfs_cur_ws(c) && cfs_cur_at(c, "{"))
		return body(c, d, true);
	c->p = save;
	return !c->fatal;
}

static bool decl(struct cfs_cur *c, struct ast_file *f)
{
	struct ast_decl *d = GROW(f->decls, f->ndecls);

	memset(d, 0, sizeof(*d));
	if (cfs_cur_at(c, "interface")) {
		cfs_cur_adv(c, 9);
		d->kind = CFS_DECL_INTERFACE;
		return decl_name(c, d) && body(c, d, false);
	}
	if (cfs_cur_at(c, "node")) {
		cfs_cur_adv(c, 4);
		d->kind = CFS_DECL_NODE;
		return node_decl(c, d);
	}
	if (cfs_cur_at(c, "edge")) {
		cfs_cur_adv(c, 4);
		d->kind = CFS_DECL_EDGE;
		return edge_decl(c, d);
	}
	return cfs_cur_expect(c, "`interface`, `node` or `edge`");
}

int cfs_schema_parse_ast(const char *src, size_t len, struct ast_file *out, char **err)
{
	struct cfs_cur c;

	memset(out, 0, sizeof(*out));
	cfs_cur_init(&c, src, len);
	for (;;) {
		if (!cfs_cur_ws(&c))
			break;
		if (cfs_cur_eof(&c))
			return 0;
		if (!decl(&c, out))
			break;
	}
	*err = cfs_cur_error(&c);
	return -1;
}

void cfs_schema_ast_free(struct ast_file *f)
{
	for (size_t i = 0; i < f->ndecls; i++) {
		struct ast_decl *d = &f->decls[i];
		free(d->name);
		for (size_t j = 0; j < d->nannots; j++)
			annot_free(&d->annots[j]);
		free(d->annots);
		for (size_t j = 0; j < d->nimplements; j++)
			free(d->implements[j]);
		free(d->implements);
		free(d->from);
		free(d->to);
		free(d->card_min);
		free(d->card_max);
		for (size_t j = 0; j < d->nitems; j++)
			item_free(&d->items[j]);
		free(d->items);
	}
	free(f->decls);
	memset(f, 0, sizeof(*f));
}
