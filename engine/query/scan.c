/*
 * query/scan: top-level .gq structure (see scan.h), on the shared lexical
 * cursor of engine/lang so that comments, strings and identifiers mean the
 * same here as in the full parsers.
 */
#include "engine/query/scan.h"
#include "engine/lang/cursor.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool tok(struct cfs_cur *c, const char *lit)
{
	return cfs_cur_ws(c) && cfs_cur_lit(c, lit);
}

/*
 * Skip a bracketed group opened by the character at the cursor, honouring
 * strings and comments, and requiring every (), {}, [] to pair up.
 */
static bool skip_group(struct cfs_cur *c)
{
	char stack[256];
	size_t depth = 0;
	const char *s;
	size_t n;

	do {
		if (!cfs_cur_ws(c))
			return false;
		if (cfs_cur_eof(c))
			return cfs_cur_expect(c, "a closing bracket");
		char ch = cfs_cur_peek(c);
		if (ch == '"') {
			if (!cfs_cur_string(c, &s, &n))
				return false;
			continue;
		}
		if (ch == '(' || ch == '{' || ch == '[') {
			if (depth == sizeof(stack))
				return cfs_cur_expect(c, "less deeply nested brackets");
			stack[depth++] = ch == '(' ? ')' : ch == '{' ? '}' : ']';
		} else if (ch == ')' || ch == '}' || ch == ']') {
			if (!depth || stack[depth - 1] != ch)
				return cfs_cur_expect(c, depth ? "the matching closing bracket" : "a declaration");
			depth--;
		}
		cfs_cur_adv(c, 1);
	} while (depth);
	return true;
}

/* qannot = ( "@description" | "@instruction" ) "(" String ")" */
static bool annotation(struct cfs_cur *c)
{
	const char *s;
	size_t n;

	if (cfs_cur_at(c, "@description"))
		cfs_cur_adv(c, strlen("@description"));
	else if (cfs_cur_at(c, "@instruction"))
		cfs_cur_adv(c, strlen("@instruction"));
	else
		return cfs_cur_expect(c, "`@description` or `@instruction`");
	return tok(c, "(") && cfs_cur_ws(c) && cfs_cur_string(c, &s, &n) && tok(c, ")");
}

static void push_decl(struct cfs_query_file *f, char *name, unsigned line, unsigned col)
{
	f->decls = cfs_xrealloc(f->decls, (f->n + 1) * sizeof(*f->decls));
	f->decls[f->n++] = (struct cfs_query_decl){ name, line, col };
}

/* query = "query" Ident "(" ... ")" { qannot } "{" body "}" */
static bool scan_decl(struct cfs_cur *c, struct cfs_query_file *f)
{
	struct cfs_pos at = c->p;
	const char *s;
	size_t n;

	if (!cfs_cur_lit(c, "query") || !cfs_cur_ws(c) || !cfs_cur_ident(c, &s, &n))
		return false;
	push_decl(f, cfs_xstrndup(s, n), at.line, at.col);
	if (!cfs_cur_ws(c))
		return false;
	if (cfs_cur_peek(c) != '(')
		return cfs_cur_expect(c, "`(`");
	if (!skip_group(c))
		return false;
	for (;;) {
		if (!cfs_cur_ws(c))
			return false;
		if (cfs_cur_peek(c) != '@')
			break;
		if (!annotation(c))
			return false;
	}
	if (cfs_cur_peek(c) != '{')
		return cfs_cur_expect(c, "`{` or a query annotation");
	return skip_group(c);
}

int cfs_query_scan(const char *src, size_t len, struct cfs_query_file *out, char **err)
{
	struct cfs_cur c;

	cfs_cur_init(&c, src, len);
	out->decls = NULL;
	out->n = 0;
	for (;;) {
		if (!cfs_cur_ws(&c))
			break;
		if (cfs_cur_eof(&c))
			return 0;
		if (!scan_decl(&c, out))
			break;
	}
	cfs_query_file_free(out);
	*err = cfs_cur_error(&c);
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
