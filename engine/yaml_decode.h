/*
 * yaml_decode: typed decoding of YAML documents on libyaml's document API,
 * shared by cluster.yaml (config_yaml.c) and policy bundles (policy/).
 *
 * Scalars resolve as YAML 1.2's core schema does for serde_yaml 0.9 (the
 * reference's reader), mappings are closed, and every error reads like
 * serde_yaml's: "<path>: <problem> at line L column C", path dotted with
 * [i] for sequence items ("rules[0].allow").  The first error wins: once
 * d->err is set every later failure is a no-op returning -1, so callers
 * just propagate -1.
 */
#ifndef CFS_YAML_DECODE_H
#define CFS_YAML_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct cfs_yd {
	yaml_document_t *doc;
	char *err;              /* first error, owned; NULL while all is well */
};

/*
 * Load the single document of text into *doc; -1 with *detail (caller
 * frees) on a YAML syntax error, or when a second non-empty document
 * follows.  On success the caller deletes *doc with yaml_document_delete().
 */
int cfs_yd_load(const char *text, size_t len, yaml_document_t *doc, char **detail);

yaml_node_t *cfs_yd_node(struct cfs_yd *d, int id);
const char *cfs_yd_sval(const yaml_node_t *n);          /* scalar text */

/* ---- scalar resolution ------------------------------------------------- */

bool cfs_yd_is_null(const yaml_node_t *n);      /* NULL, or plain "", ~, null */
bool cfs_yd_is_empty(const yaml_node_t *n);     /* NULL, or the plain empty scalar */
int cfs_yd_plain_bool(const yaml_node_t *n);    /* 1, 0, or -1 if not a bool */
bool cfs_yd_plain_int(const yaml_node_t *n, bool *neg, unsigned long long *v);
bool cfs_yd_plain_float(const yaml_node_t *n);
/* serde's name for what n holds ("unit value", "string \"x\"", "map").
 * Caller frees. */
char *cfs_yd_describe(const yaml_node_t *n);

/* ---- errors ------------------------------------------------------------ */

/* Record "<path>: <fmt> at line L column C" (position of n, if given). */
int cfs_yd_failf(struct cfs_yd *d, const char *path, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "invalid type: <describe(n)>, expected <expected>" */
int cfs_yd_bad_type(struct cfs_yd *d, const char *path, const yaml_node_t *n, const char *expected);
/* "missing field `<field>`" at map unless present. */
int cfs_yd_require(struct cfs_yd *d, const char *path, const yaml_node_t *map, bool present,
		   const char *field);
/* path + "." + key, or key at the root.  Caller frees. */
char *cfs_yd_subpath(const char *path, const char *key);

/* ---- typed getters (each returns 0 or -1) ------------------------------ */

/* Option<String>: *out = NULL for null, else any scalar's text (caller frees). */
int cfs_yd_get_str(struct cfs_yd *d, const char *path, yaml_node_t *n, char **out);
/* String: any scalar's text, null-looking ones included ("" for `key:`). */
int cfs_yd_get_text(struct cfs_yd *d, const char *path, yaml_node_t *n, char **out);
int cfs_yd_get_bool(struct cfs_yd *d, const char *path, yaml_node_t *n, int *out);
int cfs_yd_get_u32(struct cfs_yd *d, const char *path, yaml_node_t *n, uint32_t *out);
/* Option<Vec<String>>: null is empty; items must be non-null scalars. */
int cfs_yd_get_str_list(struct cfs_yd *d, const char *path, yaml_node_t *n, char ***out, size_t *nout);
/* Vec<String>: only the plain empty scalar is empty; items any scalar. */
int cfs_yd_get_text_list(struct cfs_yd *d, const char *path, yaml_node_t *n, char ***out, size_t *nout);
/*
 * A unit enum: *out = index of the scalar's text in variants (NULL-
 * terminated), else "unknown variant `x`, expected one of `a`, `b`, ...".
 */
int cfs_yd_get_enum(struct cfs_yd *d, const char *path, yaml_node_t *n, const char *const *variants,
		    int *out);

/* ---- mappings ---------------------------------------------------------- */

/*
 * Walk a closed mapping: for each pair call fn with the key's index in
 * fields[] (NULL-terminated, at most 64) and the value's path.  Unknown and
 * repeated keys fail; so does a non-mapping ("expected a mapping").
 */
typedef int (*cfs_yd_field_fn)(struct cfs_yd *d, const char *path, int field, yaml_node_t *val, void *arg);
int cfs_yd_walk_struct(struct cfs_yd *d, const char *path, yaml_node_t *map,
		       const char *const *fields, cfs_yd_field_fn fn, void *arg);

/*
 * A map of name -> T: null is empty; keys must be scalars and unique
 * ("duplicate entry with key \"k\"").  fn gets the entry's path and key.
 */
typedef int (*cfs_yd_entry_fn)(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *val, void *arg);
int cfs_yd_walk_map(struct cfs_yd *d, const char *path, yaml_node_t *map, cfs_yd_entry_fn fn, void *arg);

#endif
