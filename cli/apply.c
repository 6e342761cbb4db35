/*
 * apply: `clusterfs apply [--config DIR] [--json] [--as ACTOR]
 * [--plan-digest D]` (cluster.md §12, §16).  The actor is --as, else
 * CLUSTERFS_ACTOR, else the login name, else none.  --plan-digest (our
 * extension) refuses a plan that changed since `clusterfs plan` showed it.
 */
#include "cli/cli.h"
#include "engine/apply.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

static const char *disp_title(enum cfs_disposition d)
{
	switch (d) {
	case CFS_DISP_APPLIED: return "Applied";
	case CFS_DISP_DERIVED: return "Derived";
	case CFS_DISP_DEFERRED: return "Deferred";
	case CFS_DISP_BLOCKED: return "Blocked";
	case CFS_DISP_NONE: break;
	}
	return NULL;
}

static const char *default_actor(void)
{
	const char *a = getenv("CLUSTERFS_ACTOR");
	struct passwd *pw;

	if (a && *a)
		return a;
	a = getlogin();
	if (a && *a)
		return a;
	pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;
}

static void print_human(const struct cfs_apply_report *r)
{
	const json_t *so = r->state_observations;

	if (r->ok)
		printf("cluster apply: %zu applied, %zu deferred/blocked\n", r->applied_count, r->deferred_count);
	else
		puts("cluster apply failed");
	for (size_t i = 0; i < r->changes.n; i++) {
		const struct cfs_change *c = &r->changes.v[i];
		const char *d = disp_title(c->disposition);

		cli_print_change_head(c);
		if (d)
			printf(" %s%s%s", d, c->reason ? ": " : "", c->reason ? c->reason : "");
		putchar('\n');
	}
	if (r->ok)
		printf("  state: revision %" JSON_INTEGER_FORMAT ", converged: %s, written: %s\n",
		       json_integer_value(json_object_get(so, "state_revision")), r->converged ? "true" : "false",
		       r->state_written ? "true" : "false");
	cli_print_diags(&r->op.diags);
}

int cmd_apply(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_apply_report r;
	int code;

	if (cli_parse(&cli_apply_cmd, argc, argv, &a, &code))
		return code;
	cfs_apply_run(opt_config, a.as && *a.as ? a.as : default_actor(), opt_digest, &r);
	if (opt_json)
		cli_print_json(cfs_apply_report_json(&r));
	else
		print_human(&r);
	code = r.ok ? CLI_OK : CLI_FAIL;
	cfs_apply_report_free(&r);
	return code;
}
