/*
 * report: the output conventions shared by all commands (cluster.md §1,
 * §16): one pretty JSON object with --json, else headline + diagnostics.
 */
#include "cli/cli.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>

void cli_print_json(json_t *v)
{
	char *s = cfs_json_pretty(v);

	fputs(s, stdout);
	free(s);
	json_decref(v);
}

void cli_print_diags(const struct cfs_diags *d)
{
	cfs_diags_render_text(d, stdout);
}
