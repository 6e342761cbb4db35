/*
 * plan: `clusterfs plan [--config DIR] [--json]` (cluster.md §11, §16).
 * The human output starts with the plan digest (our extension: the value
 * `apply --plan-digest` compares against), then the §16 headline, one line
 * per change with migration steps under schema updates, and diagnostics.
 */
#include "cli/cli.h"
#include "core/json.h"
#include "engine/plan.h"

#include <stdio.h>
#include <stdlib.h>

static const char *opt_config = ".";
static bool opt_json;

static const struct cli_opt plan_opts[] = {
	{ "config", CLI_OPT_STRING, &opt_config, "DIR", "config directory holding cluster.yaml (default .)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

const struct cli_cmd cli_plan_cmd = {
	"plan", "plan [--config DIR] [--json]",
	"Show what apply would change: desired config against the state ledger.",
	plan_opts, 0, 0, NULL, false,
};

static void print_migration(const json_t *m)
{
	size_t i;
	json_t *step;

	if (!json_is_true(json_object_get(m, "supported")))
		puts("      migration UNSUPPORTED:");
	json_array_foreach(json_object_get(m, "steps"), i, step) {
		char *s = cfs_json_compact(step, 0);
		printf("      %s\n", s);
		free(s);
	}
}

static void print_human(const struct cfs_plan_report *r)
{
	if (!r->ok) {
		puts("cluster plan failed");
		cli_print_diags(&r->op.diags);
		return;
	}
	printf("plan digest: %s\n", r->plan_digest);
	printf("cluster plan: %zu change(s), %zu approval gate(s)\n", r->changes.n, r->gates.n);
	for (size_t i = 0; i < r->changes.n; i++) {
		const struct cfs_change *c = &r->changes.v[i];
		cli_print_change_head(c);
		putchar('\n');
		if (c->migration)
			print_migration(c->migration);
	}
	if (!r->changes.n)
		puts("  no changes");
	cli_print_diags(&r->op.diags);
}

int cmd_plan(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_plan_report r;
	int code;

	if (cli_parse(&cli_plan_cmd, argc, argv, &a, &code))
		return code;
	cfs_plan_run(opt_config, &r);
	if (opt_json)
		cli_print_json(cfs_plan_report_json(&r));
	else
		print_human(&r);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_plan_report_free(&r);
	return code;
}
