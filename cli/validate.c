/*
 * validate: `clusterfs validate [--config DIR] [--json]` (cluster.md §4).
 */
#include "cli/cli.h"
#include "core/json.h"
#include "engine/validate.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt validate_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_validate_cmd = {
	"validate", "validate [--config DIR] [--json]",
	"Check cluster.yaml and every schema, query and policy file it names.",
	validate_opts, 0, 0, NULL, false,
};

static json_t *report_json(const struct cfs_validate_report *r)
{
	const struct cfs_desired *des = &r->desired;
	json_t *o = json_object(), *digests = json_object(), *res = json_array(), *deps = json_array();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(des->config_dir));
	json_object_set_new(o, "config_file", cfs_json_text(des->config_file));
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
	for (size_t i = 0; i < des->ndeps; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "from", json_string(des->deps[i].from));
		json_object_set_new(e, "to", json_string(des->deps[i].to));
		json_array_append_new(deps, e);
	}
	json_object_set_new(o, "resource_digests", digests);
	json_object_set_new(o, "resources", res);
	json_object_set_new(o, "dependencies", deps);
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->diags));
	return o;
}

int cmd_validate(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_validate_report r;
	int code;

	if (cli_parse(&cli_validate_cmd, argc, argv, &a, &code))
		return code;
	cfs_validate(opt_config, &r);
	if (opt_json) {
		cli_print_json(report_json(&r));
	} else {
		if (r.ok)
			printf("cluster config valid: %zu resource(s), %zu dependency edge(s)\n",
			       r.desired.nresources, r.desired.ndeps);
		else
			puts("cluster config invalid");
		cli_print_diags(&r.diags);
	}
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_validate_report_free(&r);
	return code;
}
