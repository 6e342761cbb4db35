/*
 * refresh: `clusterfs refresh [--config DIR] [--json]` (cluster.md §14),
 * and the run it shares with `import` (cli/import.c).  No --as (§1): the
 * actor in the events log is cli_default_actor().
 */
#include "cli/cli.h"
#include "engine/refresh.h"
#include "engine/render.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json;
static const char *opt_digest;

static const struct cli_opt refresh_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ "plan-digest", CLI_OPT_STRING, &opt_digest, "D", "refuse unless the current plan has this digest" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_refresh_cmd = {
	"refresh", "refresh [--config DIR] [--json] [--plan-digest D]",
	"Update the state ledger from the graph roots and catalog blobs.",
	refresh_opts, 0, 0, NULL, false,
};

int cli_state_sync(const char *config_dir, bool json, bool import, const char *plan_digest)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	json_t *r = cfs_state_sync(config_dir, import, cli_default_actor(), plan_digest, &d);
	bool ok = json_is_true(json_object_get(r, "ok"));

	if (json) {
		cli_print_json(r);
	} else {
		cfs_render_state_sync(r, &d, import, stdout);
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
	return cli_state_sync(opt_config, opt_json, false, opt_digest);
}
