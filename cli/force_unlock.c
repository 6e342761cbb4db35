/*
 * force-unlock: `clusterfs force-unlock LOCK_ID [--config DIR] [--json]`
 * (cluster.md §8, §13, §16): manual recovery for an abandoned lock.  No
 * --as (§1): the actor in the events log is cli_default_actor().
 */
#include "cli/cli.h"
#include "engine/render.h"
#include "engine/status.h"

#include <stdio.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt force_unlock_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

static const char *const force_unlock_pos[] = { "LOCK_ID" };

const struct cli_cmd cli_force_unlock_cmd = {
	"force-unlock", "force-unlock LOCK_ID [--config DIR] [--json]",
	"Remove the cluster state lock, only if its id is LOCK_ID (see status).",
	force_unlock_opts, 1, 1, force_unlock_pos, false,
};

int cmd_force_unlock(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_force_unlock_report r;
	int code;

	if (cli_parse(&cli_force_unlock_cmd, argc, argv, &a, &code))
		return code;
	cfs_force_unlock_run(opt_config, a.pos[0], cli_default_actor(), &r);
	if (opt_json)
		cli_print_json(cfs_force_unlock_report_json(&r));
	else
		cfs_render_force_unlock(&r, stdout);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_force_unlock_report_free(&r);
	return code;
}
