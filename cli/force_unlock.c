/*
 * force-unlock: `clusterfs force-unlock LOCK_ID [--config DIR] [--json]`
 * (cluster.md §8, §13, §16): manual recovery for an abandoned lock.
 */
#include "cli/cli.h"
#include "engine/status.h"

#include <stdio.h>
#include <stdlib.h>

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

static void print_human(const struct cfs_force_unlock_report *r, const json_t *report)
{
	const json_t *obs = json_object_get(report, "state_observations");
	char *summary = cli_lock_summary(obs);

	if (r->ok && r->lock_removed) {
		printf("cluster force-unlock: removed lock%s\n", summary);
	} else if (r->ok) {
		puts("cluster force-unlock: no lock removed");
	} else {
		puts("cluster force-unlock failed");
		if (json_is_true(json_object_get(obs, "locked")))
			printf("  lock: held%s\n", summary);
	}
	free(summary);
	cli_print_diags(&r->op.diags);
}

int cmd_force_unlock(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_force_unlock_report r;
	json_t *report;
	int code;

	if (cli_parse(&cli_force_unlock_cmd, argc, argv, &a, &code))
		return code;
	cfs_force_unlock_run(opt_config, a.pos[0], &r);
	report = cfs_force_unlock_report_json(&r);
	if (opt_json)
		cli_print_json(report);
	else {
		print_human(&r, report);
		json_decref(report);
	}
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_force_unlock_report_free(&r);
	return code;
}
