/*
 * schema/normalize: the canonical shape of a loaded schema and its stable
 * identities (schema-lang.md §9).  The shape ignores declaration order,
 * property order, comments and rename hints, so two sources with one
 * meaning compare equal; identities are what the migration planner (§10)
 * matches on, never names.
 *
 * A shape borrows every string from the cfs_schema it was built from: keep
 * that schema alive until cfs_shape_free.
 */
#ifndef CFS_SCHEMA_NORMALIZE_H
#define CFS_SCHEMA_NORMALIZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "engine/schema/model.h"

/* An opaque annotation: its JSON form {"name","value"[,"kwargs"]} and that
 * form compacted, which is also its canonical sort key. */
struct cfs_shape_annot {
	json_t *json;
	char *key;
};

/* Property-level relations written as @key/@unique/@index (no value). */
enum { CFS_PCONS_KEY = 1, CFS_PCONS_UNIQUE = 2, CFS_PCONS_INDEX = 4 };

/* An interface-property contract a node property satisfies. */
struct cfs_shape_ref {
	const char *iface, *prop;
};

struct cfs_shape_prop {
	const char *name;
	const char *rename_from;                /* hint or NULL; not part of equality */
	const struct cfs_ptype *type;
	struct cfs_shape_annot *annots;         /* sorted, unique, typed ones removed */
	size_t nannots;
	unsigned pcons;                         /* CFS_PCONS_* bits */
	const char *embed_source, *embed_model; /* source NULL = no @embed */
	bool declared_directly;                 /* false only for injected node properties */
	struct cfs_shape_ref *satisfies;        /* sorted by interface name */
	size_t nsatisfies;
	uint64_t id;                            /* stable identity, once assigned */
	const struct cfs_shape_prop *match;     /* accepted counterpart, once resolved */
};

struct cfs_shape_cons {
	enum cfs_cons_kind kind;
	const char **cols;                      /* key/unique/index: sorted, unique */
	size_t ncols;
	const struct cfs_constraint *src;       /* range bounds / check pattern */
	char *key;                              /* name-based canonical sort key */
};

struct cfs_shape_type {
	enum cfs_decl_kind kind;
	const char *name;
	const char *rename_from;
	struct cfs_shape_annot *annots;
	size_t nannots;
	const char **implements;                /* node: sorted, unique */
	size_t nimplements;
	const char *from, *to;                  /* edge */
	uint32_t card_min;
	bool card_has_max;
	uint32_t card_max;
	struct cfs_shape_prop *props;           /* sorted by name */
	size_t nprops;
	struct cfs_shape_cons *cons;            /* sorted by key, unique */
	size_t ncons;
	uint64_t id, incarnation;               /* incarnation: nodes and edges only */
	const struct cfs_shape_type *match;     /* accepted counterpart, once resolved */
};

struct cfs_shape {
	struct cfs_shape_type *types[3];        /* indexed by enum cfs_decl_kind, sorted by name */
	size_t ntypes[3];
	uint64_t next_id;                       /* next identity to allocate */
};

/*
 * Build the canonical shape of a loaded schema.  0, or -1 with *err set to
 * "catalog error: <msg>" (caller frees).  *out is always safe to free.
 */
int cfs_schema_normalize(const struct cfs_schema *s, struct cfs_shape *out, char **err);
void cfs_shape_free(struct cfs_shape *sh);

/* The identity-free canonical form as JSON (new reference; caller decrefs).
 * Two schemas mean the same thing iff their compact renderings are equal. */
json_t *cfs_shape_json(const struct cfs_shape *sh);

/*
 * Give a shape its stable identities.  With accepted == NULL the shape is a
 * brand-new graph: everything is fresh from 1 and rename hints are inert.
 * Otherwise types and properties are matched against accepted (§9) and
 * unmatched ones get fresh identities above accepted->next_id.
 * 0, or -1 with *err = "schema identity resolution failed: <msg>" or
 * "invalid accepted SchemaIR: <msg>" (caller frees).
 */
int cfs_shape_resolve(struct cfs_shape *sh, const struct cfs_shape *accepted, char **err);

/* Lookups by exact name (NULL when absent). */
const struct cfs_shape_type *cfs_shape_find(const struct cfs_shape *sh, enum cfs_decl_kind k,
					    const char *name);
const struct cfs_shape_prop *cfs_shape_prop(const struct cfs_shape_type *t, const char *name);

/* {"scalar":S,"nullable":b,"list":b,"enum_values":null|[...]} (§10 PT). */
json_t *cfs_ptype_json(const struct cfs_ptype *t);

/* A range bound in the reference's debug form: "None", "Some(Integer(5))",
 * "Some(Float(2.5))" (floats in shortest round-trip form), appended to sb.
 * Constraint keys embed it, so it must be stable. */
void cfs_bound_debug(const struct cfs_bound *b, struct cfs_sb *sb);

#endif
