/*
 * schema: plumbing for the .pg language.
 *   clusterfs schema check FILE.pg [--json]     parse + validate, print the model
 *   clusterfs schema diff OLD.pg NEW.pg [--json] the migration preview
 */
#include "cli/cli.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/render.h"
#include "engine/schema/migrate.h"
#include "engine/schema/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool opt_json;

static const struct cli_opt schema_opts[] = {
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

static const char *const check_pos[] = { "FILE.pg" };
static const char *const diff_pos[] = { "OLD.pg", "NEW.pg" };

/* The entry main() lists: its subcommands parse their own options. */
const struct cli_cmd cli_schema_cmd = {
	"schema", "schema check|diff ...", "Check a .pg schema or preview a migration between two.",
	NULL, 0, 0, NULL, false,
};

static const struct cli_cmd cli_schema_check_cmd = {
	"schema check", "schema check FILE.pg [--json]",
	"Parse and validate a .pg schema and print its model.",
	schema_opts, 1, 1, check_pos, false,
};

static const struct cli_cmd cli_schema_diff_cmd = {
	"schema diff", "schema diff OLD.pg NEW.pg [--json]",
	"Preview the migration from OLD.pg (the accepted schema) to NEW.pg.",
	schema_opts, 2, 2, diff_pos, false,
};

/*
 * Read and load one schema file, reporting problems as diagnostics whose
 * path is FILE, or FILE:LINE:COL for syntax errors.  Returns true when *s
 * holds a valid schema (caller frees).
 */
bool cli_load_schema(const char *file, struct cfs_schema *s, char digest[CFS_SHA256_HEX_LEN + 1],
		     struct cfs_diags *d)
{
	char *src, *err;
	size_t len;

	if (!cli_read_source(file, "schema", &src, &len, d))
		return false;
	cfs_sha256_hex(src, len, digest);
	enum cfs_schema_status st = cfs_schema_load(src, len, s, &err);
	free(src);
	if (st == CFS_SCHEMA_OK)
		return true;
	char *path = cli_error_path(file, err);
	cfs_diag_error(d, st == CFS_SCHEMA_CATALOG ? "schema_catalog_error" : "schema_parse_error", path, "%s", err);
	free(path);
	free(err);
	return false;
}

static void print_annots(const struct cfs_annot *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf(" @%s", a[i].name);
		if (!a[i].value && !a[i].nkwargs)
			continue;
		printf("(");
		if (a[i].value)
			printf(a[i].value_is_string ? "\"%s\"" : "%s", a[i].value);
		for (size_t j = 0; j < a[i].nkwargs; j++)
			printf("%s%s=\"%s\"", a[i].value || j ? ", " : "", a[i].kwargs[j].key, a[i].kwargs[j].value);
		printf(")");
	}
}

static void print_type(const struct cfs_type *t)
{
	printf("%s %s", cfs_decl_kind_name(t->kind), t->name);
	if (t->kind == CFS_DECL_EDGE) {
		printf(": %s -> %s @card(%u..", t->from, t->to, t->card_min);
		if (t->card_has_max)
			printf("%u", t->card_max);
		printf(")");
	}
	for (size_t i = 0; i < t->nimplements; i++)
		printf("%s%s", i ? ", " : " implements ", t->implements[i]);
	print_annots(t->annots, t->nannots);
	printf("\n");
	for (size_t i = 0; i < t->nprops; i++) {
		struct cfs_sb sb = CFS_SB_INIT;
		cfs_ptype_display(&t->props[i].type, &sb);
		printf("  %s: %s", t->props[i].name, cfs_sb_str(&sb));
		print_annots(t->props[i].annots, t->props[i].nannots);
		if (t->props[i].injected_from)
			printf("  (from %s)", t->props[i].injected_from);
		printf("\n");
		cfs_sb_release(&sb);
	}
	for (size_t i = 0; i < t->ncons; i++) {
		printf("  constraint @%s(", cfs_cons_name(t->cons[i].kind));
		for (size_t j = 0; j < t->cons[i].ncols; j++)
			printf("%s%s", j ? ", " : "", t->cons[i].cols[j]);
		printf(")\n");
	}
}

static int cmd_check(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_schema s;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char digest[CFS_SHA256_HEX_LEN + 1] = "";
	int code;

	if (cli_parse(&cli_schema_check_cmd, argc, argv, &a, &code))
		return code;
	bool ok = cli_load_schema(a.pos[0], &s, digest, &d);
	if (opt_json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(ok));
		json_object_set_new(o, "file", cfs_json_text(a.pos[0]));
		json_object_set_new(o, "digest", *digest ? json_string(digest) : json_null());
		json_object_set_new(o, "types", ok ? cfs_schema_summary(&s) : json_array());
		json_object_set_new(o, "diagnostics", cfs_diags_to_json(&d));
		cli_print_json(o);
	} else {
		printf(ok ? "schema valid: %s\n" : "schema invalid: %s\n", a.pos[0]);
		for (size_t i = 0; ok && i < s.ntypes; i++)
			print_type(&s.types[i]);
		cfs_render_diags(&d, stdout);
	}
	if (ok)
		cfs_schema_free(&s);
	cfs_diags_free(&d);
	return ok ? CLI_OK : CLI_FAIL;
}

static void report_plan(const struct cfs_migration *m, const char *path, struct cfs_diags *d)
{
	char *why = cfs_migration_refusal(m);

	if (why)
		cfs_diag_error(d, "schema_migration_unsupported", path, "%s", why);
	free(why);
}

static int cmd_diff(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_schema old, new;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_migration m = { false, NULL };
	char od[CFS_SHA256_HEX_LEN + 1] = "", nd[CFS_SHA256_HEX_LEN + 1] = "";
	char *err;
	int code;

	if (cli_parse(&cli_schema_diff_cmd, argc, argv, &a, &code))
		return code;
	bool old_ok = cli_load_schema(a.pos[0], &old, od, &d);
	bool new_ok = cli_load_schema(a.pos[1], &new, nd, &d);
	bool planned = old_ok && new_ok && !cfs_schema_plan(&old, &new, &m, &err);
	if (old_ok && new_ok && !planned) {
		bool identity = !strncmp(err, "schema identity", 15);
		cfs_diag_error(&d, identity ? "schema_identity_error" : "schema_catalog_error", a.pos[1], "%s", err);
		free(err);
	}
	if (planned)
		report_plan(&m, a.pos[1], &d);
	bool ok = !cfs_diags_has_error(&d);
	if (opt_json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(ok));
		json_object_set_new(o, "old", cfs_json_text(a.pos[0]));
		json_object_set_new(o, "new", cfs_json_text(a.pos[1]));
		json_object_set_new(o, "supported", planned ? json_boolean(m.supported) : json_null());
		json_object_set_new(o, "steps", planned ? json_incref(m.steps) : json_array());
		json_object_set_new(o, "diagnostics", cfs_diags_to_json(&d));
		cli_print_json(o);
	} else {
		struct cfs_sb sb = CFS_SB_INIT;
		if (planned)
			cfs_migration_render(&m, &sb);
		else
			cfs_sb_adds(&sb, "schema diff failed\n");
		fputs(cfs_sb_str(&sb), stdout);
		cfs_sb_release(&sb);
		cfs_render_diags(&d, stdout);
	}
	if (planned)
		cfs_migration_free(&m);
	if (old_ok)
		cfs_schema_free(&old);
	if (new_ok)
		cfs_schema_free(&new);
	cfs_diags_free(&d);
	return ok ? CLI_OK : CLI_FAIL;
}

static void schema_usage(FILE *out)
{
	fprintf(out, "usage: clusterfs schema check FILE.pg [--json]\n"
		     "       clusterfs schema diff OLD.pg NEW.pg [--json]\n");
}

int cmd_schema(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		schema_usage(stdout);
		return CLI_OK;
	}
	if (argc >= 2)
		fprintf(stderr, "clusterfs schema: unknown subcommand '%s'\n", argv[1]);
	schema_usage(stderr);
	return CLI_USAGE;
}
