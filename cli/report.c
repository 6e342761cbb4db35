/*
 * report: what all commands share around the engine's reports (cluster.md
 * §1, §16): one pretty JSON object with --json (the human text is
 * engine/render.c's), source reading for the plumbing commands, and the
 * default actor.
 */
#include "cli/cli.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void cli_print_json(json_t *v)
{
	char *s = cfs_json_pretty(v);

	fputs(s, stdout);
	free(s);
	json_decref(v);
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

const char *cli_default_actor(void)
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
