/*
 * schema/migrate: the migration planner of schema-lang.md §9-§10.  Given
 * the accepted (live) schema and a desired one, produce the ordered steps
 * with their kinds: supported (add/rename/extend/metadata), soft drop, or
 * refused (unsupported_change with its reason and code).  This is what
 * `plan` previews and what `apply` refuses on.
 */
#ifndef CFS_SCHEMA_MIGRATE_H
#define CFS_SCHEMA_MIGRATE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/strbuf.h"
#include "engine/schema/model.h"

struct cfs_migration {
	bool supported;         /* false iff some step is unsupported_change */
	json_t *steps;          /* array of step objects, keys in the §10 order */
};

/*
 * Plan accepted -> desired.  Both must be loaded schemas (cfs_schema_load).
 * Returns 0 and fills *out (free with cfs_migration_free), or -1 with *err
 * set to the rendered normalization ("catalog error: ...") or identity
 * ("schema identity resolution failed: ...") error; caller frees *err.
 */
int cfs_schema_plan(const struct cfs_schema *accepted, const struct cfs_schema *desired,
		    struct cfs_migration *out, char **err);
void cfs_migration_free(struct cfs_migration *m);

/* The human preview of §10 ("supported: yes|no", then "- <line>" per step
 * or "no schema changes"), appended to sb. */
void cfs_migration_render(const struct cfs_migration *m, struct cfs_sb *sb);

/* The first refused step's error text, "[<code>] <reason>" when coded, or
 * NULL when supported.  Caller frees. */
char *cfs_migration_refusal(const struct cfs_migration *m);

#endif
