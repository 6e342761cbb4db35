/*
 * schema/model: the one in-memory model of a .pg schema (schema-lang.md).
 * The parser fills it, validation (S2-S5) completes it (desugared and
 * injected constraints, injected interface properties), and it then serves
 * as the catalog (S6) for the query typechecker, the migration planner and
 * the graph store.  Declarations and their items stay in source order;
 * lookups follow the catalog rules of §8.
 */
#ifndef CFS_SCHEMA_MODEL_H
#define CFS_SCHEMA_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

enum cfs_scalar {
	CFS_SC_STRING, CFS_SC_BLOB, CFS_SC_BOOL, CFS_SC_I32, CFS_SC_I64, CFS_SC_U32,
	CFS_SC_U64, CFS_SC_F32, CFS_SC_F64, CFS_SC_DATETIME, CFS_SC_DATE, CFS_SC_VECTOR,
};

struct cfs_ptype {                      /* §4.1: four facets */
	enum cfs_scalar scalar;
	uint32_t dim;                   /* CFS_SC_VECTOR only */
	bool list, nullable;
	char **enum_values;             /* sorted, unique; NULL/0 = not an enum */
	size_t nenum;
};

struct cfs_kwarg { char *key, *value; };

struct cfs_annot {                      /* property/type annotation (§5.1.2) */
	char *name;                     /* without '@' */
	char *value;                    /* positional value (decoded strings); NULL = none */
	bool value_is_string;
	struct cfs_kwarg *kwargs;       /* source order; a repeated key keeps the last value */
	size_t nkwargs;
};

enum cfs_cons_kind { CFS_CONS_KEY, CFS_CONS_UNIQUE, CFS_CONS_INDEX, CFS_CONS_RANGE, CFS_CONS_CHECK };

enum cfs_cons_origin {
	CFS_ORIGIN_BODY,                /* written as a body constraint */
	CFS_ORIGIN_PROPERTY,            /* desugared from a direct property annotation */
	CFS_ORIGIN_INJECTED,            /* desugared from an injected interface property */
};

struct cfs_bound {
	bool present;
	bool is_int;                    /* fits i64, else float */
	int64_t i;
	double f;
	char *text;                     /* source text */
};

struct cfs_constraint {
	enum cfs_cons_kind kind;
	enum cfs_cons_origin origin;
	char **cols;                    /* key/unique/index columns; range/check: cols[0] = property */
	size_t ncols;
	struct cfs_bound lo, hi;        /* range (§11.2: "..10" stores 10 in lo) */
	char *pattern;                  /* check, decoded */
};

struct cfs_prop {
	char *name;
	struct cfs_ptype type;
	struct cfs_annot *annots;
	size_t nannots;
	char *injected_from;            /* interface name if injected (§5.3), else NULL */
	unsigned line, col;
};

enum cfs_decl_kind { CFS_DECL_INTERFACE, CFS_DECL_NODE, CFS_DECL_EDGE };

struct cfs_type {
	enum cfs_decl_kind kind;
	char *name;
	unsigned line, col;
	struct cfs_annot *annots;       /* node/edge type-level annotations */
	size_t nannots;
	struct cfs_prop *props;         /* declared in source order, then injected */
	size_t nprops;
	struct cfs_constraint *cons;    /* body, then property-desugared, then injected */
	size_t ncons;
	char **implements;              /* node: as written (may repeat) */
	size_t nimplements;
	char *from, *to;                /* edge endpoints */
	uint32_t card_min;              /* edge cardinality, default 0.. */
	bool card_has_max;
	uint32_t card_max;
};

struct cfs_schema {
	struct cfs_type *types;         /* every declaration, source order */
	size_t ntypes;
};

enum cfs_schema_status {
	CFS_SCHEMA_OK = 0,
	CFS_SCHEMA_SYNTAX = -1,         /* S1: "parse error:  --> L:C ..." */
	CFS_SCHEMA_SEMANTIC = -2,       /* S2-S5: "parse error: parse error: <msg>" */
	CFS_SCHEMA_CATALOG = -3,        /* S6: "catalog error: <msg>" */
};

/*
 * Parse and validate src (S1-S6).  On success fills *out (free with
 * cfs_schema_free) and returns CFS_SCHEMA_OK; otherwise returns the failing
 * class and sets *err to the rendered message (caller frees).  The first
 * error stops everything.
 */
enum cfs_schema_status cfs_schema_load(const char *src, size_t len, struct cfs_schema *out, char **err);
void cfs_schema_free(struct cfs_schema *s);

/* Catalog lookups (§8).  Nodes and edges are separate namespaces; edges
 * are found case-insensitively; the first declaration of a name wins
 * (duplicates are catalog errors, so a loaded schema has none). */
const struct cfs_type *cfs_schema_node(const struct cfs_schema *s, const char *name);
const struct cfs_type *cfs_schema_edge(const struct cfs_schema *s, const char *name);
const struct cfs_type *cfs_schema_interface(const struct cfs_schema *s, const char *name); /* last wins */
/* A property of a type; a name declared twice yields the last (§8). */
const struct cfs_prop *cfs_type_prop(const struct cfs_type *t, const char *name);
/* Key columns of a node (its @key constraint), or NULL/0. */
const struct cfs_constraint *cfs_type_key(const struct cfs_type *t);
/* The annotation `name` on a property or type, first occurrence, or NULL. */
const struct cfs_annot *cfs_annot_find(const struct cfs_annot *a, size_t n, const char *name);

/* §4.2 display form, appended to sb. */
void cfs_ptype_display(const struct cfs_ptype *t, struct cfs_sb *sb);
bool cfs_ptype_equal(const struct cfs_ptype *a, const struct cfs_ptype *b);
const char *cfs_scalar_name(enum cfs_scalar s);   /* "String", ..., "Vector" */
const char *cfs_decl_kind_name(enum cfs_decl_kind k);  /* "interface" | "node" | "edge" */
const char *cfs_cons_name(enum cfs_cons_kind k);       /* "key" | "unique" | "index" | "range" | "check" */

#endif
