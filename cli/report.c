/*
 * report: the output conventions shared by all commands (cluster.md §1,
 * §16): one pretty JSON object with --json, else headline + diagnostics.
 */
#include "cli/cli.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/plan.h"

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

char *cli_lock_summary(const json_t *obs)
{
	static const char *const parts[][2] = {
		{ "lock_id", "id" }, { "lock_operation", "operation" }, { "lock_pid", "pid" },
		{ "lock_created_at", "created_at" }, { "lock_age_seconds", "age_seconds" },
	};
	struct cfs_sb sb = CFS_SB_INIT;

	if (!json_object_get(obs, "lock_id"))
		return cfs_xstrdup("");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const json_t *v = json_object_get(obs, parts[i][0]);
		if (!v)
			continue;
		cfs_sb_adds(&sb, sb.len ? ", " : " (");
		if (json_is_integer(v))
			cfs_sb_addf(&sb, "%s=%" JSON_INTEGER_FORMAT, parts[i][1], json_integer_value(v));
		else
			cfs_sb_addf(&sb, "%s=%s", parts[i][1], json_string_value(v));
	}
	cfs_sb_addc(&sb, ')');
	return cfs_sb_detach(&sb);
}

void cli_print_change_head(const struct cfs_change *c)
{
	static const char *const titles[] = { [CFS_CHANGE_CREATE] = "Create", [CFS_CHANGE_UPDATE] = "Update",
					      [CFS_CHANGE_DELETE] = "Delete" };

	printf("  %s %s%s", titles[c->op], c->resource, c->binding_change ? " [bindings]" : "");
}
