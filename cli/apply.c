/*
 * apply: `clusterfs apply [--config DIR] [--json] [--as ACTOR]
 * [--plan-digest D]` (cluster.md §12, §16).  The actor is --as, else
 * cli_default_actor().  --plan-digest (our extension) refuses a plan that
 * changed since `clusterfs plan` showed it.
 */
#include "cli/cli.h"
#include "engine/apply.h"
#include "engine/render.h"

#include <stdio.h>

static const char *opt_config = ".";
static const char *opt_digest;
static bool opt_json;

static const struct cli_opt apply_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ "plan-digest", CLI_OPT_STRING, &opt_digest, "D", "refuse unless the recomputed plan has this digest" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_apply_cmd = {
	"apply", "apply [--config DIR] [--json] [--as ACTOR] [--plan-digest D]",
	"Apply the plan under the lock: graphs, catalog, state ledger.",
	apply_opts, 0, 0, NULL, true,
};

int cmd_apply(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_apply_report r;
	int code;

	if (cli_parse(&cli_apply_cmd, argc, argv, &a, &code))
		return code;
	cfs_apply_run(opt_config, a.as && *a.as ? a.as : cli_default_actor(), opt_digest, &r);
	if (opt_json)
		cli_print_json(cfs_apply_report_json(&r));
	else
		cfs_render_apply(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_apply_report_free(&r);
	return code;
}
