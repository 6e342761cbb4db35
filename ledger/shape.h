/*
 * ledger/shape: checking the closed JSON records the cluster stores (the
 * ledger, the lock; cluster.md §7-§10) and building their canonical form.
 *
 * A record is described once, as a table of fields; one walker both
 * validates a parsed document against it and returns the canonical copy
 * (fields in table order, maps sorted, defaults filled, absent optionals
 * dropped).  Readers use it to reject unknown keys and wrong types;
 * writers run the same walk over what they are about to store, so a file
 * is always written in its contract order.
 *
 * Error texts follow the reference's deserializer, so an operator sees the
 * same words from both implementations: "unknown field `x`, expected one
 * of `a`, `b`, `c`", "missing field `x`", "invalid type: string \"x\",
 * expected u32", "unknown variant `x`, expected `a` or `b`".
 */
#ifndef CFS_LEDGER_SHAPE_H
#define CFS_LEDGER_SHAPE_H

#include <jansson.h>
#include <stddef.h>

#include "core/strbuf.h"

/* Canonical form of in (new reference), or NULL with the reason in *err
 * (only the first problem is kept). */
typedef json_t *(*cfs_shape_fn)(json_t *in, struct cfs_sb *err);

enum cfs_absent {
	CFS_REQUIRED,           /* missing -> "missing field" */
	CFS_OMIT,               /* missing or null -> not written */
	CFS_NULL,               /* missing or null -> written as null */
	CFS_DEFAULT,            /* missing -> dflt(); null is a type error */
};

struct cfs_field {
	const char *name;
	const char *alias;      /* also accepted on read; written as name */
	cfs_shape_fn canon;
	enum cfs_absent absent;
	json_t *(*dflt)(void);
};

#define CFS_SHAPE_MAX_FIELDS 16

struct cfs_shape {
	const char *name;       /* "expected struct <name>" */
	const struct cfs_field *fields;
	size_t nfields;         /* <= CFS_SHAPE_MAX_FIELDS */
};

#define CFS_SHAPE(var, sname, table) \
	static const struct cfs_shape var = { sname, table, sizeof(table) / sizeof(table[0]) }

/* A closed object: members checked in document order, then the missing
 * ones; result in field order. */
json_t *cfs_shape_struct(json_t *in, const struct cfs_shape *s, struct cfs_sb *err);
/* An object used as a map: each value through each(), keys sorted. */
json_t *cfs_shape_map(json_t *in, cfs_shape_fn each, struct cfs_sb *err);
/* One of the given strings. */
json_t *cfs_shape_enum(json_t *in, const char *const *variants, size_t n, struct cfs_sb *err);

/* Leaves. */
json_t *cfs_shape_any(json_t *in, struct cfs_sb *err);          /* free JSON, kept as is */
json_t *cfs_shape_string(json_t *in, struct cfs_sb *err);
json_t *cfs_shape_u32(json_t *in, struct cfs_sb *err);
json_t *cfs_shape_u64(json_t *in, struct cfs_sb *err);
json_t *cfs_shape_string_list(json_t *in, struct cfs_sb *err);
json_t *cfs_shape_free_map(json_t *in, struct cfs_sb *err);     /* map of free JSON */

/* Defaults. */
json_t *cfs_shape_empty_object(void);
json_t *cfs_shape_empty_array(void);
json_t *cfs_shape_zero(void);

/* "invalid type: <what v is>, expected <expected>"; returns NULL. */
json_t *cfs_shape_type_error(struct cfs_sb *err, const json_t *v, const char *expected);
/* Record the first error (later ones are dropped); returns NULL. */
json_t *cfs_shape_fail(struct cfs_sb *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse text as JSON (any top-level value, duplicate keys refused).  NULL
 * with "<what went wrong> at line L column C" in *err.
 */
json_t *cfs_shape_parse(const char *data, size_t len, struct cfs_sb *err);

#endif
