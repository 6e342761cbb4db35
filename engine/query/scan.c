/*
 * query/scan: top-level .gq structure (see scan.h).  Hand-written because the
 * grammar is a PEG whose keywords need no word boundary; a cursor over the
 * bytes with line/column tracking is all it takes.
 */
#include "engine/query/scan.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cur {
	const char *s;
	size_t len, i;
	unsigned line, col;
	char *err;
};

static void adv(struct cur *c, size_t n)
{
	while (n-- && c->i < c->len) {
		if (c->s[c->i++] == '\n') {
			c->line++;
			c->col = 1;
		} else {
			c->col++;
		}
	}
}

static int fail(struct cur *c, const char *what)
{
	if (!c->err)
		c->err = cfs_xasprintf("parse error:  --> %u:%u: %s", c->line, c->col, what);
	return -1;
}

static bool at(const struct cur *c, const char *lit)
{
	size_t n = strlen(lit);

	return c->len - c->i >= n && !memcmp(c->s + c->i, lit, n);
}

/* Whitespace and comments; -1 on an unterminated block comment. */
static int skip_ws(struct cur *c)
{
	while (c->i < c->len) {
		char ch = c->s[c->i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			adv(c, 1);
		} else if (at(c, "//")) {
			while (c->i < c->len && c->s[c->i] != '\n')
				adv(c, 1);
		} else if (at(c, "/*")) {
			unsigned l = c->line, col = c->col;
			adv(c, 2);
			while (c->i < c->len && !at(c, "*/"))
				adv(c, 1);
			if (c->i >= c->len) {
				c->line = l;
				c->col = col;
				return fail(c, "unterminated block comment");
			}
			adv(c, 2);
		} else {
			break;
		}
	}
	return 0;
}

/* A string literal starting at the cursor; escapes are decoded later, by
 * the parser, so here `\` just protects the next character. */
static int skip_string(struct cur *c)
{
	unsigned l = c->line, col = c->col;

	adv(c, 1);
	while (c->i < c->len && c->s[c->i] != '"') {
		adv(c, c->s[c->i] == '\\' ? 2 : 1);
	}
	if (c->i >= c->len) {
		c->line = l;
		c->col = col;
		return fail(c, "unterminated string literal");
	}
	adv(c, 1);
	return 0;
}

static bool ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || ch == '_';
}

static bool ident_char(char ch)
{
	return ident_start(ch) || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/*
 * Skip a bracketed group opened by the character at the cursor, honouring
 * strings and comments, and requiring every (), {}, [] to pair up.
 */
static int skip_group(struct cur *c)
{
	char stack[256];
	size_t depth = 0;

	do {
		if (skip_ws(c))
			return -1;
		if (c->i >= c->len)
			return fail(c, "unexpected end of file: unbalanced brackets");
		char ch = c->s[c->i];
		if (ch == '"') {
			if (skip_string(c))
				return -1;
			continue;
		}
		if (ch == '(' || ch == '{' || ch == '[') {
			if (depth == sizeof(stack))
				return fail(c, "brackets nested too deeply");
			stack[depth++] = ch == '(' ? ')' : ch == '{' ? '}' : ']';
		} else if (ch == ')' || ch == '}' || ch == ']') {
			if (!depth || stack[depth - 1] != ch)
				return fail(c, "unbalanced brackets");
			depth--;
		}
		adv(c, 1);
	} while (depth);
	return 0;
}

static void push_decl(struct cfs_query_file *f, char *name, unsigned line, unsigned col)
{
	f->decls = cfs_xrealloc(f->decls, (f->n + 1) * sizeof(*f->decls));
	f->decls[f->n].name = name;
	f->decls[f->n].line = line;
	f->decls[f->n].col = col;
	f->n++;
}

static int expect_char(struct cur *c, char ch, const char *what)
{
	if (skip_ws(c))
		return -1;
	if (c->i >= c->len || c->s[c->i] != ch)
		return fail(c, what);
	adv(c, 1);
	return 0;
}

/* qannot = ( "@description" | "@instruction" ) "(" String ")" */
static int scan_annotation(struct cur *c)
{
	if (at(c, "@description"))
		adv(c, strlen("@description"));
	else if (at(c, "@instruction"))
		adv(c, strlen("@instruction"));
	else
		return fail(c, "expected `@description` or `@instruction`");
	if (expect_char(c, '(', "expected `(` after a query annotation"))
		return -1;
	if (skip_ws(c))
		return -1;
	if (c->i >= c->len || c->s[c->i] != '"')
		return fail(c, "expected a string literal");
	if (skip_string(c))
		return -1;
	return expect_char(c, ')', "expected `)` to close the annotation");
}

/* query = "query" Ident "(" ... ")" { qannot } "{" body "}" */
static int scan_decl(struct cur *c, struct cfs_query_file *f)
{
	unsigned line = c->line, col = c->col;

	if (!at(c, "query"))
		return fail(c, "expected `query`");
	adv(c, 5);
	if (skip_ws(c))
		return -1;
	if (c->i >= c->len || !ident_start(c->s[c->i]))
		return fail(c, "expected a query name (lowercase identifier)");
	size_t start = c->i;
	while (c->i < c->len && ident_char(c->s[c->i]))
		adv(c, 1);
	char *name = cfs_xstrndup(c->s + start, c->i - start);
	push_decl(f, name, line, col);
	if (skip_ws(c))
		return -1;
	if (c->i >= c->len || c->s[c->i] != '(')
		return fail(c, "expected `(` after the query name");
	if (skip_group(c))
		return -1;
	for (;;) {
		if (skip_ws(c))
			return -1;
		if (c->i < c->len && c->s[c->i] == '@') {
			if (scan_annotation(c))
				return -1;
			continue;
		}
		break;
	}
	if (c->i >= c->len || c->s[c->i] != '{')
		return fail(c, "expected `{` to open the query body");
	return skip_group(c);
}

int cfs_query_scan(const char *src, size_t len, struct cfs_query_file *out, char **err)
{
	struct cur c = { src, len, 0, 1, 1, NULL };

	out->decls = NULL;
	out->n = 0;
	for (;;) {
		if (skip_ws(&c))
			break;
		if (c.i >= c.len)
			return 0;
		if (scan_decl(&c, out))
			break;
	}
	cfs_query_file_free(out);
	*err = c.err;
	return -1;
}

void cfs_query_file_free(struct cfs_query_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->decls[i].name);
	free(f->decls);
	f->decls = NULL;
	f->n = 0;
}

const struct cfs_query_decl *cfs_query_file_find(const struct cfs_query_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->decls[i].name, name))
			return &f->decls[i];
	return NULL;
}
