/*
 * refresh: `clusterfs refresh [--config DIR] [--json]` (cluster.md §14),
 * and the rendering it shares with `import` (cli/import.c).
 */
#include "cli/cli.h"
#include "engine/refresh.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt refresh_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_refresh_cmd = {
	"refresh", "refresh [--config DIR] [--json]",
	"Update the state ledger from the graph roots and catalog blobs.",
	refresh_opts, 0, 0, NULL, false,
};

int cli_state_sync(const char *config_dir, bool json, bool import)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	json_t *r = cfs_state_sync(config_dir, import, &d);
	bool ok = json_is_true(json_object_get(r, "ok"));
	const char *name = import ? "import" : "refresh";

	if (json) {
		cli_print_json(r);
	} else {
		json_t *so = json_object_get(r, "state_observations");
		const char *cas = json_string_value(json_object_get(so, "state_cas"));

		if (ok) {
			printf("cluster %s: revision %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " resource(s)\n",
			       name, json_integer_value(json_object_get(so, "state_revision")),
			       json_integer_value(json_object_get(so, "resource_count")));
			if (cas)
				printf("  state_cas: %s\n", cas);
		} else {
			printf("cluster %s failed\n", name);
		}
		cli_print_diags(&d);
		json_decref(r);
	}
	cfs_diags_free(&d);
	return ok ? CLI_OK : CLI_FAIL;
}

int cmd_refresh(int argc, char **argv)
{
	struct cli_args a;
	int code;

	if (cli_parse(&cli_refresh_cmd, argc, argv, &a, &code))
		return code;
	return cli_state_sync(opt_config, opt_json, false);
}
