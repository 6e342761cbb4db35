/*
 * import: `clusterfs import [--config DIR] [--json]` (cluster.md §14):
 * bootstrap the state ledger from the graph roots.  Rendered like refresh
 * (cli_state_sync in cli/refresh.c).
 */
#include "cli/cli.h"

static const char *opt_config = ".";
static bool opt_json;
static const char *opt_digest;

static const struct cli_opt import_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ "plan-digest", CLI_OPT_STRING, &opt_digest, "D", "refuse unless the current plan has this digest" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_import_cmd = {
	"import", "import [--config DIR] [--json] [--plan-digest D]",
	"Create the first state ledger from the graph roots.",
	import_opts, 0, 0, NULL, false,
};

int cmd_import(int argc, char **argv)
{
	struct cli_args a;
	int code;

	if (cli_parse(&cli_import_cmd, argc, argv, &a, &code))
		return code;
	return cli_state_sync(opt_config, opt_json, true, opt_digest);
}
