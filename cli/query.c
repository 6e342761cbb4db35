/*
 * query: plumbing for the .gq language.
 *   clusterfs query check --schema FILE.pg FILE.gq [--json]
 * parses the file, type-checks every query against the schema and prints
 * each query's name, parameters and result columns (or statements).
 */
#include "cli/cli.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"
#include "engine/render.h"
#include "engine/schema/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_schema;
static bool opt_json;

static const struct cli_opt query_opts[] = {
	{ "schema", CLI_OPT_STRING, &opt_schema, "FILE.pg", "schema to type-check against (required)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

static const char *const check_pos[] = { "FILE.gq" };

static const struct cli_cmd cli_query_check_cmd = {
	"query check", "query check --schema FILE.pg FILE.gq [--json]",
	"Parse a .gq file and type-check each query against a schema.",
	query_opts, 1, 1, check_pos, false,
};

const struct cli_cmd cli_query_cmd = {
	"query", "query check ...", "Type-check .gq stored queries against a schema.",
	NULL, 0, 0, NULL, false,
};

static const char *const STMT[] = { "insert", "update", "delete" };

static char *ptype_text(const struct cfs_ptype *t)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(t, &sb);
	return cfs_sb_detach(&sb);
}

static json_t *typed_json(const struct cfs_typed_query *t)
{
	json_t *o = json_object(), *params = json_array(), *cols = json_array(), *stmts = json_array();

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "kind", json_string(t->is_mutation ? "mutation" : "read"));
	for (size_t i = 0; i < t->nparams; i++) {
		char *ty = ptype_text(&t->params[i].type);
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(t->params[i].name));
		json_object_set_new(p, "type", json_string(ty));
		json_array_append_new(params, p);
		free(ty);
	}
	for (size_t i = 0; i < t->nprojs; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(t->projs[i].column));
		json_object_set_new(c, "type", json_string(t->projs[i].type_disp));
		json_array_append_new(cols, c);
	}
	for (size_t i = 0; i < t->nstmts; i++) {
		json_t *st = json_object();
		json_object_set_new(st, "op", json_string(STMT[t->stmts[i].kind]));
		json_object_set_new(st, "type", json_string(t->stmts[i].type->name));
		json_array_append_new(stmts, st);
	}
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "statements", stmts);
	return o;
}

static void print_typed(const struct cfs_typed_query *t)
{
	printf("query %s(", t->name);
	for (size_t i = 0; i < t->nparams; i++) {
		char *ty = ptype_text(&t->params[i].type);
		printf("%s$%s: %s", i ? ", " : "", t->params[i].name, ty);
		free(ty);
	}
	printf(") %s\n", t->is_mutation ? "mutation" : "read");
	for (size_t i = 0; i < t->nprojs; i++)
		printf("  column %s: %s\n", t->projs[i].column, t->projs[i].type_disp);
	for (size_t i = 0; i < t->nstmts; i++)
		printf("  %s %s\n", STMT[t->stmts[i].kind], t->stmts[i].type->name);
}

/* Read and parse FILE.gq; parse problems become diagnostics. */
static bool parse_file(const char *file, struct cfs_query_list *ql, struct cfs_diags *d)
{
	char *src, *err;
	size_t len;

	if (!cli_read_source(file, "query", &src, &len, d))
		return false;
	int rc = cfs_query_parse(src, len, ql, &err);
	free(src);
	if (!rc)
		return true;
	char *path = cli_error_path(file, err);
	cfs_diag_error(d, "query_parse_error", path, "%s", err);
	free(path);
	free(err);
	return false;
}

/* Type-check every query; the typed ones go to out (JSON) or stdout. */
static void check_all(const char *file, const struct cfs_schema *s, const struct cfs_query_list *ql,
		      json_t *out, struct cfs_diags *d)
{
	for (size_t i = 0; i < ql->n; i++) {
		const struct cfs_query *q = &ql->v[i];
		struct cfs_typed_query t;
		char *err;
		if (cfs_query_check(s, q, &t, &err)) {
			char *path = cfs_xasprintf("%s:%u:%u", file, q->line, q->col);
			cfs_diag_error(d, "query_typecheck_error", path, "%s", err);
			free(path);
			free(err);
			continue;
		}
		if (out)
			json_array_append_new(out, typed_json(&t));
		else
			print_typed(&t);
		cfs_typed_query_free(&t);
	}
}

static int cmd_check(int argc, char **argv)
{
	struct cli_args a;
	struct cfs_schema s;
	struct cfs_query_list ql = { NULL, 0 };
	struct cfs_diags d = CFS_DIAGS_INIT;
	char digest[CFS_SHA256_HEX_LEN + 1] = "";
	int code;

	opt_schema = NULL;
	if (cli_parse(&cli_query_check_cmd, argc, argv, &a, &code))
		return code;
	if (!opt_schema) {
		fprintf(stderr, "clusterfs query check: --schema FILE.pg is required\n");
		cli_usage(&cli_query_check_cmd, stderr);
		return CLI_USAGE;
	}
	bool schema_ok = cli_load_schema(opt_schema, &s, digest, &d);
	bool parsed = parse_file(a.pos[0], &ql, &d);
	json_t *queries = opt_json ? json_array() : NULL;
	if (!opt_json)
		printf("%s: %zu quer%s\n", a.pos[0], ql.n, ql.n == 1 ? "y" : "ies");
	if (schema_ok && parsed)
		check_all(a.pos[0], &s, &ql, queries, &d);
	bool ok = !cfs_diags_has_error(&d);
	if (opt_json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(ok));
		json_object_set_new(o, "file", cfs_json_text(a.pos[0]));
		json_object_set_new(o, "schema", cfs_json_text(opt_schema));
		json_object_set_new(o, "queries", queries);
		json_object_set_new(o, "diagnostics", cfs_diags_to_json(&d));
		cli_print_json(o);
	} else {
		cfs_render_diags(&d, stdout);
	}
	cfs_query_list_free(&ql);
	if (schema_ok)
		cfs_schema_free(&s);
	cfs_diags_free(&d);
	return ok ? CLI_OK : CLI_FAIL;
}

int cmd_query(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	FILE *out = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout : stderr;
	if (argc >= 2 && out == stderr)
		fprintf(stderr, "clusterfs query: unknown subcommand '%s'\n", argv[1]);
	fputs("usage: clusterfs query check --schema FILE.pg FILE.gq [--json]\n", out);
	return out == stdout ? CLI_OK : CLI_USAGE;
}
