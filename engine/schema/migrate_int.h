/*
 * schema/migrate_int: what the planner's files share (migrate.c walks the
 * types, migrate_props.c classifies properties, constraints and metadata,
 * migrate_steps.c owns the step vocabulary).  Not a public API.
 */
#ifndef CFS_SCHEMA_MIGRATE_INT_H
#define CFS_SCHEMA_MIGRATE_INT_H

#include <jansson.h>

#include "engine/schema/migrate.h"
#include "engine/schema/normalize.h"

/* The common ending of refusal reasons (§10 "…S"). */
#define CFS_MIGRATE_V1 " is not supported in schema migration v1"

/* One planning run: the steps so far and the two resolved shapes. */
struct cfs_plan {
	json_t *steps;
	const struct cfs_shape *acc, *des;
};

/* Append a step (reference stolen). */
void cfs_plan_push(struct cfs_plan *pl, json_t *step);
/* Append step unless an equal one is already in the plan (reference stolen). */
void cfs_plan_push_once(struct cfs_plan *pl, json_t *step);
/* Append an unsupported_change; code may be NULL. */
void cfs_plan_refuse(struct cfs_plan *pl, const char *entity, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Step objects, keys in the §10 order; each returns a new reference. */
json_t *cfs_step_add_type(enum cfs_decl_kind k, const char *name);
json_t *cfs_step_rename_type(enum cfs_decl_kind k, const char *from, const char *to);
json_t *cfs_step_drop_type(enum cfs_decl_kind k, const char *name);
json_t *cfs_step_type_metadata(enum cfs_decl_kind k, const char *name, json_t *anns);
json_t *cfs_step_add_property(enum cfs_decl_kind k, const char *type, const char *prop, const struct cfs_ptype *pt);
json_t *cfs_step_rename_property(enum cfs_decl_kind k, const char *type, const char *from, const char *to);
json_t *cfs_step_drop_property(enum cfs_decl_kind k, const char *type, const char *prop);
json_t *cfs_step_prop_metadata(enum cfs_decl_kind k, const char *type, const char *prop, json_t *anns);
json_t *cfs_step_extend_enum(enum cfs_decl_kind k, const char *type, const char *prop, json_t *added);
json_t *cfs_step_add_index(enum cfs_decl_kind k, const char *type, const char *const *cols, size_t ncols);

/* Per matched type t (t->match is the accepted one), in emission order. */
void cfs_plan_type_metadata(struct cfs_plan *pl, const struct cfs_shape_type *t);
void cfs_plan_props(struct cfs_plan *pl, const struct cfs_shape_type *t);
void cfs_plan_type_cons(struct cfs_plan *pl, const struct cfs_shape_type *t);

#endif
