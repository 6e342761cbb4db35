/*
 * validate: the `validate` operation (cluster.md §4): load the desired
 * cluster fully and add the validate-only warnings of §4.1 step 9.
 * Never touches the storage root.
 */
#ifndef CFS_VALIDATE_H
#define CFS_VALIDATE_H

#include <jansson.h>

#include "core/diag.h"
#include "engine/desired.h"

struct cfs_validate_report {
	bool ok;
	struct cfs_desired desired;
	struct cfs_diags diags;
};

/* Fills *r; free with cfs_validate_report_free. */
void cfs_validate(const char *config_dir, struct cfs_validate_report *r);
void cfs_validate_report_free(struct cfs_validate_report *r);
/* The §4 --json report {ok, config_dir, config_file, resource_digests,
 * resources, dependencies, diagnostics} (new reference). */
json_t *cfs_validate_report_json(const struct cfs_validate_report *r);

#endif
