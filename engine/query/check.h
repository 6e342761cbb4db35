/*
 * query/check: the .gq typechecker (query-lang.md §6-§8).
 *
 * cfs_query_check() checks one parsed query (ast.h) against the catalog of
 * one loaded schema (schema/model.h) and, when it passes, produces the
 * typed IR below: the form the graph store executes.  The IR holds no
 * parser leftovers: parameters carry their property types, every binding,
 * traversal, property access and mutation carries the catalog declaration
 * it resolved to, every expression carries its §6.1 type, and every
 * projection its result column name and type.
 *
 * Checking is fail-fast: the rules run in exactly the order of §7 and the
 * first violated one is the only error (rendered "type error: <message>",
 * texts of §8).  All rules of §7 are implemented, the "second phase" search
 * rules included, so a query that passes is fully checked.
 *
 * Ownership.  A cfs_typed_query owns every string and array in it (names,
 * literals, nested expressions are copies: the AST may be freed right after
 * the call).  Pointers to catalog declarations (struct cfs_type, struct
 * cfs_prop) and the enum value arrays inside copied property types
 * (cfs_ptype.enum_values) are borrowed from the catalog, which must outlive
 * the typed query.  Free with cfs_typed_query_free().
 */
#ifndef CFS_QUERY_CHECK_H
#define CFS_QUERY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/query/ast.h"
#include "engine/schema/model.h"

/* §6.1: the type of an expression. */
enum cfs_etype_kind {
	CFS_ET_SCALAR,                  /* a property type */
	CFS_ET_NODE,                    /* a bare node variable */
	CFS_ET_AGG,                     /* count/sum/avg/min/max, or an unknown alias */
};

struct cfs_etype {
	enum cfs_etype_kind kind;
	struct cfs_ptype scalar;        /* SCALAR (enum_values borrowed) */
	const struct cfs_type *node;    /* NODE */
};

/* A `value` (binding property match, mutation assignment or predicate). */
enum cfs_tvalue_kind {
	CFS_TV_LIT,                     /* literal */
	CFS_TV_PARAM,                   /* $x naming a declared parameter */
	CFS_TV_VAR,                     /* $x naming no parameter: binding matches only,
					   accepted unchecked (§7.2, §10.2) */
	CFS_TV_NOW,                     /* now() */
};

struct cfs_tvalue {
	enum cfs_tvalue_kind kind;
	struct cfs_qlit lit;            /* LIT: owned copy */
	char *name;                     /* PARAM, VAR: without '$' */
	/* LIT: the literal's §6.2 type, except a numeric vector literal checked
	 * against a Vector(d) property, which is typed Vector(d);
	 * PARAM: the declared type; NOW: DateTime; VAR: all zero (unknown). */
	struct cfs_ptype type;
};

enum cfs_texpr_kind {
	CFS_TE_NOW, CFS_TE_LIT,
	CFS_TE_PARAM,                   /* bare $v naming a parameter (parameters shadow bindings) */
	CFS_TE_NODE,                    /* bare $v naming a node binding */
	CFS_TE_PROP,                    /* $v.p on a node or edge binding */
	CFS_TE_ALIAS,                   /* bare identifier: a projection alias */
	CFS_TE_AGG,
	CFS_TE_NEAREST,                 /* args: [0] PROP (Vector property), [1] query */
	CFS_TE_SEARCH, CFS_TE_FUZZY, CFS_TE_MATCH_TEXT, CFS_TE_BM25,  /* args: field, query[, k] */
	CFS_TE_RRF,                     /* args: two ranks [, k] */
};

struct cfs_texpr {
	enum cfs_texpr_kind kind;
	struct cfs_etype type;
	struct cfs_qlit lit;            /* LIT: owned copy */
	char *var;                      /* PARAM, NODE, PROP: the variable without '$'; ALIAS: the name */
	char *prop;                     /* PROP */
	const struct cfs_type *owner;   /* PROP: the node or edge type the variable is bound to */
	const struct cfs_prop *property;/* PROP */
	bool on_edge;                   /* PROP: owner is an edge type */
	bool alias_known;               /* ALIAS: refers to an earlier projection ... */
	size_t alias_proj;              /* ... with this index (else typed aggregate, §7.6) */
	enum cfs_agg agg;               /* AGG */
	struct cfs_texpr *args;         /* AGG (1), NEAREST, SEARCH.., RRF */
	size_t nargs;
};

enum cfs_tclause_kind { CFS_TC_BINDING, CFS_TC_TRAVERSAL, CFS_TC_FILTER, CFS_TC_NOT };

/*
 * Traversal direction relative to the edge's declaration `E: From -> To`:
 * OUT walks src(From) -> dst(To), IN walks the edge backwards (src is the
 * To side, dst the From side), BOTH (undirected, same-endpoint edges only)
 * accepts either orientation.
 */
enum cfs_tdir { CFS_DIR_OUT, CFS_DIR_IN, CFS_DIR_BOTH };

struct cfs_tmatch {                     /* one `p: value` of a binding */
	const struct cfs_prop *prop;
	bool membership;                /* p is a list property: value is an element to find */
	struct cfs_tvalue value;
};

struct cfs_tbinding {
	char *var;                      /* without '$' */
	const struct cfs_type *type;    /* node type */
	struct cfs_tmatch *matches;
	size_t nmatches;
};

struct cfs_ttraversal {
	char *src, *dst;                /* without '$'; "_" is anonymous */
	char *edge_var;                 /* bound edge variable, NULL when absent or `$_` */
	const struct cfs_type *edge;
	const struct cfs_type *src_type, *dst_type;    /* node types of the endpoints */
	enum cfs_tdir dir;
	uint32_t min, max;              /* 1 <= min <= max (unbounded is rejected, T15c) */
};

struct cfs_tfilter {
	struct cfs_texpr left, right;   /* both scalar */
	enum cfs_qop op;
	bool is_call;                   /* a bare text-search clause: left = call, right = true */
};

struct cfs_tclause {
	enum cfs_tclause_kind kind;
	struct cfs_tbinding binding;    /* BINDING */
	struct cfs_ttraversal trav;     /* TRAVERSAL */
	struct cfs_tfilter filter;      /* FILTER */
	struct cfs_tclause *inner;      /* NOT */
	size_t ninner;
};

/*
 * A result column.  The column name is the alias when there is one, else
 * derived from the expression in source-like form without `$` sigils:
 * `$p.name` -> "p.name", `$p` -> "p", `count($p)` -> "count(p)",
 * `nearest($d.emb, $q)` -> "nearest(d.emb, q)", literals as written
 * (strings in double quotes, `date("...")`), `now()` -> "now()".  Names are
 * not made unique.  type_disp is the §6.1 display of the column's type
 * (`I32?`, ``node `Person` ``, `aggregate`).
 */
struct cfs_tproj {
	struct cfs_texpr expr;
	char *column;
	bool has_alias;
	char *type_disp;
	bool is_agg;                    /* top-level aggregate call */
};

struct cfs_torder {
	struct cfs_texpr expr;
	bool desc;
};

struct cfs_tassign {                    /* `p: value`, or the predicate `p op value` */
	char *prop;
	const struct cfs_prop *property;/* NULL for an edge's `from` / `to` */
	struct cfs_ptype target;        /* property type (non-null String for from/to) */
	struct cfs_tvalue value;
};

struct cfs_tstmt {
	enum cfs_qstmt_kind kind;
	const struct cfs_type *type;    /* node or edge type (statement names match exactly) */
	bool on_edge;
	struct cfs_tassign *assigns;    /* INSERT, UPDATE */
	size_t nassigns;
	struct cfs_tassign pred;        /* UPDATE, DELETE */
	enum cfs_qop pred_op;
};

struct cfs_tparam {
	char *name;                     /* without '$' */
	struct cfs_ptype type;          /* §6.3 */
};

struct cfs_typed_query {
	char *name, *description, *instruction;        /* description/instruction may be NULL */
	/* One entry per distinct name, in order of first declaration; a
	 * repeated name takes the later declaration's type (§5). */
	struct cfs_tparam *params;
	size_t nparams;
	bool is_mutation;
	/* read */
	struct cfs_tclause *clauses;
	size_t nclauses;
	struct cfs_tproj *projs;
	size_t nprojs;
	bool is_aggregate;              /* some projection is an aggregate call */
	struct cfs_torder *orders;
	size_t norders;
	bool has_limit;
	uint64_t limit;
	/* mutation */
	struct cfs_tstmt *stmts;
	size_t nstmts;
};

/*
 * Typecheck q against catalog.  Returns 0 and fills *out (free with
 * cfs_typed_query_free; *err, if err is non-NULL, is set to NULL), or -1
 * with *out zeroed and *err set to "type error: <message>" (caller frees).
 * q must be shaped as cfs_query_parse() builds it (§3: e.g. nearest's first
 * argument is a property access); a malformed AST is refused with
 * "type error: malformed query".
 */
int cfs_query_check(const struct cfs_schema *catalog, const struct cfs_query *q,
		    struct cfs_typed_query *out, char **err);
void cfs_typed_query_free(struct cfs_typed_query *t);

/* §6.3: map a normalized parameter type text ("[X]", "Vector(N)", a base
 * name) to a property type.  -1 if it does not map (U2). */
int cfs_param_ptype(const char *type_text, bool nullable, struct cfs_ptype *out);

/* §6.1 display of an expression type, appended to sb. */
void cfs_etype_display(const struct cfs_etype *t, struct cfs_sb *sb);

#endif
