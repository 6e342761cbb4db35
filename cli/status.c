/*
 * status: `clusterfs status [--config DIR] [--json]` (cluster.md §13,
 * §16): what the ledger records, the lock, and the catalog check.
 */
#include "cli/cli.h"
#include "engine/render.h"
#include "engine/status.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt status_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_status_cmd = {
	"status", "status [--config DIR] [--json]",
	"Show the applied state recorded in the ledger, the lock and pending recoveries.",
	status_opts, 0, 0, NULL, false,
};

int cmd_status(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_status_report r;
	int code;

	if (cli_parse(&cli_status_cmd, argc, argv, &a, &code))
		return code;
	cfs_status_run(opt_config, &r);
	if (opt_json)
		cli_print_json(cfs_status_report_json(&r));
	else
		cfs_render_status(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_status_report_free(&r);
	return code;
}
