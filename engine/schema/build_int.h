/*
 * schema/build_int: helpers shared by the stages of schema loading
 * (build.c S2, rules.c S3-S5, catalog.c S6, model.c).  Not a public API.
 */
#ifndef CFS_SCHEMA_BUILD_INT_H
#define CFS_SCHEMA_BUILD_INT_H

#include "engine/schema/ast.h"
#include "engine/schema/model.h"

/* Set *err to the formatted message; returns -1. */
int cfs_build_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfs_build_annots(const struct ast_annot *in, size_t n, struct cfs_annot **out, size_t *nout, char **err);
void cfs_desugar_prop(struct cfs_type *t, const struct cfs_prop *p, enum cfs_cons_origin origin);

/* Deep copies (model.c). */
void cfs_prop_copy(struct cfs_prop *dst, const struct cfs_prop *src);
void cfs_prop_release(struct cfs_prop *p);

/* S3, S4, S5 (rules.c). */
int cfs_schema_expand(struct cfs_schema *s, char **err);
int cfs_schema_check_annotations(const struct cfs_schema *s, char **err);
int cfs_schema_check_constraints(const struct cfs_schema *s, char **err);

#endif
