/*
 * lang/cursor: the lexical layer shared by the .pg and .gq parsers
 * (schema-lang.md §2, query-lang.md §2).  A cursor over the source bytes
 * with line/column tracking and PEG-style failure bookkeeping: each failed
 * expectation records its position, and a syntax error is reported at the
 * furthest position any alternative reached, as the reference's PEG
 * parser does.  Keywords are matched as literal text, with no word
 * boundary, exactly like the reference.
 */
#ifndef CFS_LANG_CURSOR_H
#define CFS_LANG_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

struct cfs_pos {
	size_t i;
	unsigned line, col;
};

struct cfs_cur {
	const char *s;
	size_t len;
	struct cfs_pos p;
	struct cfs_pos far;             /* furthest failure */
	const char *far_what;           /* what was expected there */
	bool fatal;                     /* an unterminated comment: stop */
};

void cfs_cur_init(struct cfs_cur *c, const char *s, size_t len);
bool cfs_cur_eof(const struct cfs_cur *c);
char cfs_cur_peek(const struct cfs_cur *c);      /* '\0' at EOF */
void cfs_cur_adv(struct cfs_cur *c, size_t n);

/* Record a failed expectation at the current position; returns false. */
bool cfs_cur_expect(struct cfs_cur *c, const char *what);

/* Whitespace and comments.  false (and c->fatal) on an unterminated block comment. */
bool cfs_cur_ws(struct cfs_cur *c);

/* After cfs_cur_ws: match a literal; on failure record it and consume nothing. */
bool cfs_cur_lit(struct cfs_cur *c, const char *lit);
bool cfs_cur_at(const struct cfs_cur *c, const char *lit);

/* Tokens (call cfs_cur_ws first).  On success start and n give the raw text. */
bool cfs_cur_ident(struct cfs_cur *c, const char **start, size_t *n);     /* [a-z_][A-Za-z0-9_]* */
bool cfs_cur_typename(struct cfs_cur *c, const char **start, size_t *n);  /* [A-Z][A-Za-z0-9_]* */
bool cfs_cur_integer(struct cfs_cur *c, const char **start, size_t *n);   /* [0-9]+ */
/* "-"? [0-9]+ ("." [0-9]+)?; *is_float tells which.  allow_sign for SInt/SFloat. */
bool cfs_cur_number(struct cfs_cur *c, bool allow_sign, const char **start, size_t *n, bool *is_float);
/* A string literal, raw (with quotes); escapes are decoded by cfs_string_decode. */
bool cfs_cur_string(struct cfs_cur *c, const char **start, size_t *n);

/* Render the furthest failure as "parse error:  --> L:C = expected <what>", on one
 * line so that line-oriented diagnostics stay one per line.  Caller frees. */
char *cfs_cur_error(const struct cfs_cur *c);

/*
 * Decode a raw string literal (with its quotes): \" \\ \n \r \t.  Returns
 * the value (caller frees) or NULL with *bad set to the offending escape
 * character, for "unsupported escape sequence: \X".
 */
char *cfs_string_decode(const char *raw, size_t n, char *bad);

#endif
