/*
 * validate: desired-cluster load plus the default-deny blob warnings.
 */
#include "engine/validate.h"
#include "core/json.h"
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

/* resources in desired order; path only for file-backed ones */
static json_t *resources_json(const struct cfs_desired *des, json_t *digests)
{
	json_t *res = json_array();

	for (size_t i = 0; i < des->nresources; i++) {
		const struct cfs_resource *x = &des->resources[i];
		json_t *e = json_object();
		json_object_set_new(digests, x->address, json_string(x->digest));
		json_object_set_new(e, "address", json_string(x->address));
		json_object_set_new(e, "kind", json_string(x->kind));
		json_object_set_new(e, "digest", json_string(x->digest));
		if (x->path)
			json_object_set_new(e, "path", cfs_json_text(x->path));
		json_array_append_new(res, e);
	}
	return res;
}

json_t *cfs_validate_report_json(const struct cfs_validate_report *r)
{
	const struct cfs_desired *des = &r->desired;
	json_t *o = json_object(), *digests = json_object(), *res, *deps = json_array();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(des->config_dir));
	json_object_set_new(o, "config_file", cfs_json_text(des->config_file));
	res = resources_json(des, digests);
	for (size_t i = 0; i < des->ndeps; i++)
		json_array_append_new(deps, json_pack("{s:s, s:s}", "from", des->deps[i].from, "to", des->deps[i].to));
	json_object_set_new(o, "resource_digests", digests);
	json_object_set_new(o, "resources", res);
	json_object_set_new(o, "dependencies", deps);
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->diags));
	return o;
}
