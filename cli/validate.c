/*
 * validate: `clusterfs validate [--config DIR] [--json]` (cluster.md §4).
 */
#include "cli/cli.h"
#include "engine/render.h"
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

int cmd_validate(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_validate_report r;
	int code;

	if (cli_parse(&cli_validate_cmd, argc, argv, &a, &code))
		return code;
	cfs_validate(opt_config, &r);
	if (opt_json)
		cli_print_json(cfs_validate_report_json(&r));
	else
		cfs_render_validate(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_validate_report_free(&r);
	return code;
}
