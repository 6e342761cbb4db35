/*
 * report: the output conventions shared by all commands (cluster.md §1,
 * §16): one pretty JSON object with --json, else headline + diagnostics.
 */
#include "cli/cli.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"

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

bool cli_read_source(const char *file, const char *kind, char **src, size_t *len, struct cfs_diags *d)
{
	const char *why;

	if (!cfs_read_text(file, src, len, &why)) {
		return true;
	}
	char *code = cfs_xasprintf("%s_file_missing", kind);
	cfs_diag_error(d, code, file, "could not read %s file '%s': %s", kind, file, why);
	free(code);
	return false;
}

char *cli_error_path(const char *file, const char *err)
{
	unsigned line, col;

	if (sscanf(err, "parse error:  --> %u:%u", &line, &col) == 2)
		return cfs_xasprintf("%s:%u:%u", file, line, col);
	return cfs_xstrdup(file);
}
