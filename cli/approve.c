/*
 * approve: `clusterfs approve ADDR [--config DIR] [--json] --as ACTOR`
 * (cluster.md §13).  The actor is --as, else CLUSTERFS_ACTOR (our
 * per-operator default, never cluster.yaml); without one the command is
 * refused before anything is loaded.
 */
#include "cli/cli.h"
#include "engine/approve.h"
#include "engine/render.h"

#include <stdio.h>
#include <stdlib.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt approve_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

static const char *const approve_pos[] = { "ADDR" };

const struct cli_cmd cli_approve_cmd = {
	"approve", "approve ADDR [--config DIR] [--json] --as ACTOR",
	"Approve a gated change (a graph delete) for the next apply.",
	approve_opts, 1, 1, approve_pos, true,
};

int cmd_approve(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_approve_report r;
	const char *actor;
	int code;

	if (cli_parse(&cli_approve_cmd, argc, argv, &a, &code))
		return code;
	actor = a.as && *a.as ? a.as : getenv("CLUSTERFS_ACTOR");
	if (!actor || !*actor) {
		fputs("clusterfs: approve requires --as ACTOR (or CLUSTERFS_ACTOR)\n", stderr);
		return CLI_FAIL;
	}
	cfs_approve_run(opt_config, a.pos[0], actor, &r);
	if (opt_json)
		cli_print_json(cfs_approve_report_json(&r));
	else
		cfs_render_approve(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_approve_report_free(&r);
	return code;
}
