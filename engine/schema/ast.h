/*
 * schema/ast: the raw parse of a .pg file (stage S1), before any semantic
 * rule runs.  Literal and typeref text is kept as written, because S2
 * must raise its errors (bad Vector dimension, bad escape, non-identifier
 * constraint argument...) in source order, after the whole file parsed.
 * Private to engine/schema/.
 */
#ifndef CFS_SCHEMA_AST_H
#define CFS_SCHEMA_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/schema/model.h"

enum ast_lit_kind { AST_STRING, AST_FLOAT, AST_INT, AST_BOOL, AST_IDENT, AST_RANGE };

struct ast_lit {
	enum ast_lit_kind kind;
	char *text;                     /* raw text (strings with quotes) */
	char *lo, *hi;                  /* AST_RANGE: bound texts, NULL when open */
};

struct ast_kwarg { char *key; struct ast_lit val; };

struct ast_annot {
	char *name;
	struct ast_lit *pos;            /* NULL = no positional value */
	struct ast_kwarg *kw;
	size_t nkw;
};

struct ast_cons {                       /* body constraint */
	enum cfs_cons_kind kind;
	struct ast_lit *args;
	size_t nargs;
};

enum ast_tkind { AST_T_BASE, AST_T_LIST, AST_T_ENUM, AST_T_VECTOR };

struct ast_typeref {
	enum ast_tkind kind;
	enum cfs_scalar base;           /* BASE and LIST */
	char **values;                  /* ENUM, as written */
	size_t nvalues;
	char *dim;                      /* VECTOR, digits as written */
	bool nullable;
};

struct ast_prop {
	char *name;
	unsigned line, col;
	struct ast_typeref type;
	struct ast_annot *annots;
	size_t nannots;
};

struct ast_item {                       /* a body item: property or constraint */
	bool is_cons;
	struct ast_prop prop;
	struct ast_cons cons;
};

struct ast_decl {
	enum cfs_decl_kind kind;
	char *name;
	unsigned line, col;
	struct ast_annot *annots;
	size_t nannots;
	char **implements;
	size_t nimplements;
	char *from, *to;
	bool has_card;
	char *card_min, *card_max;      /* digits as written; max NULL when open */
	struct ast_item *items;
	size_t nitems;
};

struct ast_file {
	struct ast_decl *decls;
	size_t ndecls;
};

/* S1.  0 and *out, or -1 with *err (rendered syntax error).  Both freed by the caller. */
int cfs_schema_parse_ast(const char *src, size_t len, struct ast_file *out, char **err);
void cfs_schema_ast_free(struct ast_file *f);

/* S2-S5 on a parsed file; 0 or -1 with *err = bare semantic message. */
int cfs_schema_build(const struct ast_file *f, struct cfs_schema *out, char **err);
/* S6; 0 or -1 with *err = bare catalog message. */
int cfs_schema_check_catalog(const struct cfs_schema *s, char **err);

#endif
