/*
 * plan: `clusterfs plan [--config DIR] [--json] [--observe]` (cluster.md
 * §11, §16).  The human output starts with the plan digest (our extension:
 * the value `apply --plan-digest` compares against), then the §16
 * headline, one line per change with migration steps under schema updates,
 * and diagnostics.  --observe plans without the lock (fs.md "Reads
 * observe, they never lock"), as the mount's plan file does.
 */
#include "cli/cli.h"
#include "engine/plan.h"
#include "engine/render.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json, opt_observe;

static const struct cli_opt plan_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ "observe", CLI_OPT_FLAG, &opt_observe, NULL, "read the ledger without taking the lock; report a held lock" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_plan_cmd = {
	"plan", "plan [--config DIR] [--json] [--observe]",
	"Show what apply would change: desired config against the state ledger.",
	plan_opts, 0, 0, NULL, false,
};

int cmd_plan(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_plan_report r;
	int code;

	if (cli_parse(&cli_plan_cmd, argc, argv, &a, &code))
		return code;
	if (opt_observe)
		cfs_plan_observe(opt_config, &r);
	else
		cfs_plan_run(opt_config, &r);
	if (opt_json)
		cli_print_json(cfs_plan_report_json(&r));
	else
		cfs_render_plan(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_plan_report_free(&r);
	return code;
}
