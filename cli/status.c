/*
 * status: `clusterfs status [--config DIR] [--json]` (cluster.md §13,
 * §16): what the ledger records, the lock, and the catalog check.
 */
#include "cli/cli.h"
#include "engine/status.h"

#include <stdio.h>
#include <stdlib.h>

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

static void print_human(const struct cfs_status_report *r, const json_t *report)
{
	const json_t *obs = json_object_get(report, "state_observations");

	if (!r->ok) {
		puts("cluster status failed");
	} else if (!json_is_true(json_object_get(obs, "state_found"))) {
		puts("cluster state missing");
	} else {
		const json_t *digest = json_object_get(obs, "applied_config_digest");
		printf("cluster state: revision %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " resource(s)\n",
		       json_integer_value(json_object_get(obs, "state_revision")),
		       json_integer_value(json_object_get(obs, "resource_count")));
		if (digest)
			printf("  applied config: %s\n", json_string_value(digest));
		if (json_is_true(json_object_get(obs, "locked"))) {
			char *summary = cli_lock_summary(obs);
			printf("  lock: held%s\n", summary);
			free(summary);
		} else {
			puts("  lock: not held");
		}
	}
	cli_print_diags(&r->op.diags);
}

int cmd_status(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_status_report r;
	json_t *report;
	int code;

	if (cli_parse(&cli_status_cmd, argc, argv, &a, &code))
		return code;
	cfs_status_run(opt_config, &r);
	report = cfs_status_report_json(&r);
	if (opt_json)
		cli_print_json(report);
	else {
		print_human(&r, report);
		json_decref(report);
	}
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_status_report_free(&r);
	return code;
}
