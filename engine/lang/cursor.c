/*
 * lang/cursor: byte cursor, comments and tokens for the PEG parsers.
 */
#include "engine/lang/cursor.h"
#include "core/strbuf.h"

#include <string.h>

void cfs_cur_init(struct cfs_cur *c, const char *s, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->len = len;
	c->p = (struct cfs_pos){ 0, 1, 1 };
	c->far = c->p;
}

bool cfs_cur_eof(const struct cfs_cur *c)
{
	return c->p.i >= c->len;
}

char cfs_cur_peek(const struct cfs_cur *c)
{
	return cfs_cur_eof(c) ? '\0' : c->s[c->p.i];
}

void cfs_cur_adv(struct cfs_cur *c, size_t n)
{
	while (n-- && c->p.i < c->len) {
		if (c->s[c->p.i++] == '\n') {
			c->p.line++;
			c->p.col = 1;
		} else {
			c->p.col++;
		}
	}
}

bool cfs_cur_expect(struct cfs_cur *c, const char *what)
{
	/* at an equal position the later, outer expectation is the useful one */
	if (c->p.i >= c->far.i || !c->far_what) {
		c->far = c->p;
		c->far_what = what;
	}
	return false;
}

bool cfs_cur_at(const struct cfs_cur *c, const char *lit)
{
	size_t n = strlen(lit);

	return c->len - c->p.i >= n && !memcmp(c->s + c->p.i, lit, n);
}

bool cfs_cur_ws(struct cfs_cur *c)
{
	while (!cfs_cur_eof(c)) {
		char ch = cfs_cur_peek(c);
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			cfs_cur_adv(c, 1);
		} else if (cfs_cur_at(c, "//")) {
			while (!cfs_cur_eof(c) && cfs_cur_peek(c) != '\n')
				cfs_cur_adv(c, 1);
		} else if (cfs_cur_at(c, "/*")) {
			struct cfs_pos start = c->p;
			const char *end = NULL;
			for (size_t i = c->p.i + 2; i + 1 < c->len && !end; i++)
				if (c->s[i] == '*' && c->s[i + 1] == '/')
					end = c->s + i;
			if (!end) {
				c->far = start;
				c->far_what = "end of block comment `*/`";
				c->fatal = true;
				return false;
			}
			cfs_cur_adv(c, (size_t)(end - (c->s + c->p.i)) + 2);
		} else {
			break;
		}
	}
	return true;
}

bool cfs_cur_lit(struct cfs_cur *c, const char *lit)
{
	if (!cfs_cur_at(c, lit))
		return cfs_cur_expect(c, lit);
	cfs_cur_adv(c, strlen(lit));
	return true;
}

static bool is_lower(char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; }
static bool is_upper(char ch) { return ch >= 'A' && ch <= 'Z'; }
static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }
static bool is_word(char ch) { return is_lower(ch) || is_upper(ch) || is_digit(ch); }

static bool word(struct cfs_cur *c, bool (*first)(char), const char *what, const char **start, size_t *n)
{
	if (!first(cfs_cur_peek(c)))
		return cfs_cur_expect(c, what);
	*start = c->s + c->p.i;
	size_t k = 1;
	while (c->p.i + k < c->len && is_word(c->s[c->p.i + k]))
		k++;
	*n = k;
	cfs_cur_adv(c, k);
	return true;
}

bool cfs_cur_ident(struct cfs_cur *c, const char **start, size_t *n)
{
	return word(c, is_lower, "identifier", start, n);
}

bool cfs_cur_typename(struct cfs_cur *c, const char **start, size_t *n)
{
	return word(c, is_upper, "type name", start, n);
}

static size_t digits_at(const struct cfs_cur *c, size_t i)
{
	size_t k = 0;

	while (i + k < c->len && is_digit(c->s[i + k]))
		k++;
	return k;
}

bool cfs_cur_integer(struct cfs_cur *c, const char **start, size_t *n)
{
	size_t k = digits_at(c, c->p.i);

	if (!k)
		return cfs_cur_expect(c, "integer");
	*start = c->s + c->p.i;
	*n = k;
	cfs_cur_adv(c, k);
	return true;
}

bool cfs_cur_number(struct cfs_cur *c, bool allow_sign, const char **start, size_t *n, bool *is_float)
{
	size_t i = c->p.i;

	if (allow_sign && i < c->len && c->s[i] == '-')
		i++;
	size_t k = digits_at(c, i);
	if (!k)
		return cfs_cur_expect(c, "number");
	i += k;
	*is_float = false;
	if (i + 1 < c->len && c->s[i] == '.' && digits_at(c, i + 1)) {
		*is_float = true;
		i += 1 + digits_at(c, i + 1);
	}
	*start = c->s + c->p.i;
	*n = i - c->p.i;
	cfs_cur_adv(c, *n);
	return true;
}

bool cfs_cur_string(struct cfs_cur *c, const char **start, size_t *n)
{
	size_t i = c->p.i;

	if (cfs_cur_peek(c) != '"')
		return cfs_cur_expect(c, "string");
	for (i++; i < c->len && c->s[i] != '"'; i++)
		if (c->s[i] == '\\')
			i++;
	if (i >= c->len)
		return cfs_cur_expect(c, "terminated string");
	*start = c->s + c->p.i;
	*n = i + 1 - c->p.i;
	cfs_cur_adv(c, *n);
	return true;
}

char *cfs_cur_error(const struct cfs_cur *c)
{
	return cfs_xasprintf("parse error:  --> %u:%u = expected %s", c->far.line, c->far.col,
			     c->far_what ? c->far_what : "end of input");
}

static int unescape(char e)
{
	switch (e) {
	case '"': return '"';
	case '\\': return '\\';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return -1;
	}
}

char *cfs_string_decode(const char *raw, size_t n, char *bad)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_grow(&sb, n);   /* never NULL, even for "" */
	for (size_t i = 1; i + 1 < n; i++) {
		if (raw[i] != '\\') {
			cfs_sb_addc(&sb, raw[i]);
			continue;
		}
		int ch = unescape(raw[++i]);
		if (ch < 0) {
			*bad = raw[i];
			cfs_sb_release(&sb);
			return NULL;
		}
		cfs_sb_addc(&sb, (char)ch);
	}
	return cfs_sb_detach(&sb);
}
