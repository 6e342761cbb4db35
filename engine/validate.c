/*
 * validate: desired-cluster load plus the default-deny blob warnings.
 */
#include "engine/validate.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

void cfs_validate(const char *config_dir, struct cfs_validate_report *r)
{
	struct cfs_diags init = CFS_DIAGS_INIT;

	r->diags = init;
	cfs_desired_load(config_dir, CFS_LOAD_FULL, &r->desired, &r->diags);
	if (!cfs_diags_has_error(&r->diags) && r->desired.graphs) {
		for (size_t i = 0; i < r->desired.cfg.ngraphs; i++) {
			if (r->desired.graphs[i].nbases)
				continue;
			char *path = cfs_xasprintf("graphs.%s.external_blobs", r->desired.graphs[i].id);
			cfs_diag_warn(&r->diags, "external_blob_ingress_default_deny", path,
				      "effective policy is deny: new external Blob URI references will be rejected; existing stored references remain readable");
			free(path);
		}
	}
	r->ok = !cfs_diags_has_error(&r->diags);
}

void cfs_validate_report_free(struct cfs_validate_report *r)
{
	cfs_desired_free(&r->desired);
	cfs_diags_free(&r->diags);
}
