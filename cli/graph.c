/*
 * graph: plumbing over one graph root (engine/graph):
 *   clusterfs graph init ROOT --schema FILE.pg
 *   clusterfs graph info ROOT [--json]
 *   clusterfs graph load ROOT FILE.jsonl [--branch B] [--mode overwrite|append|merge]
 *   clusterfs graph query ROOT --file Q.gq --name N [--param k=v]... [--branch B] [--json]
 *   clusterfs graph branch ROOT create NAME [--from B] | list | delete NAME
 *   clusterfs graph schema-apply ROOT NEW.pg [--dry-run] [--json]
 *   clusterfs graph export ROOT [--branch B]
 *   clusterfs graph delete ROOT
 */
#include "cli/cli.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/graph/graph.h"
#include "engine/query/ast.h"
#include "engine/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_schema, *opt_branch, *opt_mode, *opt_file, *opt_name, *opt_from;
static bool opt_json, opt_dry_run;
static struct cli_list opt_params;

static const struct cli_opt graph_opts[] = {
	{ "schema", CLI_OPT_STRING, &opt_schema, "FILE.pg", "schema of a new graph (init)" },
	{ "branch", CLI_OPT_STRING, &opt_branch, "B", "branch to load into or query (default main)" },
	{ "mode", CLI_OPT_STRING, &opt_mode, "M", "load mode: overwrite, append (default) or merge" },
	{ "file", CLI_OPT_STRING, &opt_file, "Q.gq", "query file (query)" },
	{ "name", CLI_OPT_STRING, &opt_name, "N", "query name (query)" },
	{ "param", CLI_OPT_LIST, &opt_params, "K=V", "query parameter, repeatable (query)" },
	{ "from", CLI_OPT_STRING, &opt_from, "B", "branch to fork from (branch create; default main)" },
	{ "dry-run", CLI_OPT_FLAG, &opt_dry_run, NULL, "preview only (schema-apply)" },
	{ "json", CLI_OPT_FLAG, &opt_json, NULL, "print the report as one JSON object" },
	{ NULL, 0, NULL, NULL, NULL },
};

static const char *const pos_root[] = { "ROOT", "ARG", "NAME" };

const struct cli_cmd cli_graph_cmd = {
	"graph", "graph init|info|load|query|branch|schema-apply|delete ROOT ...",
	"Work on one graph root directly (plumbing; the control plane uses the same engine).",
	graph_opts, 1, 3, pos_root, false,
};

/* Print diagnostics (or a JSON envelope) and turn them into the exit code. */
static int finish_report(const char *op, const char *root, json_t *body, struct cfs_diags *d)
{
	bool ok = !cfs_diags_has_error(d);

	if (opt_json) {
		json_t *o = json_object();
		json_object_set_new(o, "ok", json_boolean(ok));
		json_object_set_new(o, "operation", json_string(op));
		json_object_set_new(o, "root", cfs_json_text(root));
		if (body)
			json_object_update(o, body);
		json_object_set_new(o, "diagnostics", cfs_diags_to_json(d));
		cli_print_json(o);
	} else {
		if (body && ok) {
			char *s = cfs_json_pretty(body);
			fputs(s, stdout);
			free(s);
		}
		if (!ok)
			printf("graph %s failed\n", op);
		cfs_render_diags(d, stdout);
	}
	json_decref(body);
	cfs_diags_free(d);
	return ok ? CLI_OK : CLI_FAIL;
}

static bool read_input(const char *file, const char *kind, char **src, size_t *len, struct cfs_diags *d)
{
	return cli_read_source(file, kind, src, len, d);
}

static int do_init(const char *root, struct cfs_diags *d)
{
	char *src;
	size_t len;

	if (!opt_schema) {
		fprintf(stderr, "clusterfs graph init: --schema FILE.pg is required\n");
		return CLI_USAGE;
	}
	if (read_input(opt_schema, "schema", &src, &len, d)) {
		if (!cfs_graph_init(root, src, len, NULL, d) && !opt_json)
			printf("initialized graph %s (version 1)\n", root);
		free(src);
	}
	return finish_report("init", root, NULL, d);
}

static json_t *row_counts(struct cfs_graph *g, struct cfs_diags *d)
{
	struct cfs_snapshot s;
	json_t *counts = json_object();

	if (cfs_graph_snapshot(g, "main", &s, d))
		return counts;
	for (size_t i = 0; i < s.ntables; i++)
		json_object_set_new(counts, s.tables[i].type->name, json_integer((json_int_t)json_array_size(s.tables[i].rows)));
	cfs_snapshot_free(&s);
	return counts;
}

static int do_info(struct cfs_graph *g, const char *root, struct cfs_diags *d)
{
	size_t len, n;
	char **names;
	char hex[CFS_SHA256_HEX_LEN + 1];
	const char *src = cfs_graph_schema_source(g, &len);
	json_t *o = json_object(), *br = json_array();

	cfs_sha256_hex(src, len, hex);
	json_object_set_new(o, "version", json_integer((json_int_t)cfs_graph_main_version(g)));
	json_object_set_new(o, "schema_digest", json_string(hex));
	if (!cfs_graph_branches(g, &names, &n, d)) {
		for (size_t i = 0; i < n; i++)
			json_array_append_new(br, json_string(names[i]));
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	json_object_set_new(o, "branches", br);
	json_object_set_new(o, "rows", row_counts(g, d));
	return finish_report("info", root, o, d);
}

static int do_load(struct cfs_graph *g, const char *root, const char *file, struct cfs_diags *d)
{
	enum cfs_load_mode mode = CFS_LOAD_APPEND;
	char *src;
	size_t len;
	uint64_t version = 0;

	if (opt_mode && !strcmp(opt_mode, "overwrite"))
		mode = CFS_LOAD_OVERWRITE;
	else if (opt_mode && !strcmp(opt_mode, "merge"))
		mode = CFS_LOAD_MERGE;
	else if (opt_mode && strcmp(opt_mode, "append")) {
		fprintf(stderr, "clusterfs graph load: --mode must be overwrite, append or merge\n");
		return CLI_USAGE;
	}
	if (!file) {
		fprintf(stderr, "clusterfs graph load: missing FILE.jsonl\n");
		return CLI_USAGE;
	}
	json_t *body = NULL;
	if (read_input(file, "data", &src, &len, d)) {
		if (!cfs_graph_load(g, opt_branch ? opt_branch : "main", src, len, mode, NULL, &version, d))
			body = json_pack("{s:I}", "version", (json_int_t)version);
		free(src);
	}
	return finish_report("load", root, body, d);
}

/* Parse, find, type-check and run one stored query. */
static int do_query(struct cfs_graph *g, const char *root, struct cfs_diags *d)
{
	struct cfs_query_list ql;
	struct cfs_typed_query tq;
	char *src, *err;
	size_t len;
	json_t *params = NULL, *result = NULL;

	if (!opt_file || !opt_name) {
		fprintf(stderr, "clusterfs graph query: --file Q.gq and --name N are required\n");
		return CLI_USAGE;
	}
	if (!read_input(opt_file, "query", &src, &len, d))
		return finish_report("query", root, NULL, d);
	int rc = cfs_query_parse(src, len, &ql, &err);
	free(src);
	if (rc) {
		cfs_diag_error(d, "query_parse_error", opt_file, "%s", err);
		free(err);
		return finish_report("query", root, NULL, d);
	}
	const struct cfs_query *q = cfs_query_find(&ql, opt_name);
	if (!q)
		cfs_diag_error(d, "graph_query_error", opt_file, "no query `%s` in '%s'", opt_name, opt_file);
	else if (cfs_query_check(cfs_graph_schema(g), q, &tq, &err)) {
		cfs_diag_error(d, "query_typecheck_error", opt_name, "%s", err);
		free(err);
	} else {
		if (cfs_graph_params(&tq, opt_params.v, opt_params.n, &params, &err)) {
			cfs_diag_error(d, "graph_query_error", opt_name, "%s", err);
			free(err);
		} else {
			cfs_graph_run(g, opt_branch ? opt_branch : "main", &tq, params, NULL, &result, d);
			json_decref(params);
		}
		cfs_typed_query_free(&tq);
	}
	cfs_query_list_free(&ql);
	return finish_report("query", root, result, d);
}

static int do_branch(struct cfs_graph *g, const char *root, int npos, const char *const *pos, struct cfs_diags *d)
{
	const char *verb = npos > 1 ? pos[1] : "list";

	if (!strcmp(verb, "create") && npos == 3) {
		cfs_graph_branch_create(g, pos[2], opt_from ? opt_from : "main", d);
	} else if (!strcmp(verb, "delete") && npos == 3) {
		cfs_graph_branch_delete(g, pos[2], d);
	} else if (!strcmp(verb, "list") && npos <= 2) {
		char **names;
		size_t n;
		json_t *arr = json_array();
		if (!cfs_graph_branches(g, &names, &n, d)) {
			for (size_t i = 0; i < n; i++) {
				json_array_append_new(arr, json_string(names[i]));
				free(names[i]);
			}
			free(names);
		}
		return finish_report("branch", root, json_pack("{s:o}", "branches", arr), d);
	} else {
		fprintf(stderr, "usage: clusterfs graph branch ROOT create NAME [--from B] | list | delete NAME\n");
		cfs_diags_free(d);
		return CLI_USAGE;
	}
	return finish_report("branch", root, NULL, d);
}

static int do_schema_apply(struct cfs_graph *g, const char *root, const char *file, struct cfs_diags *d)
{
	char *src;
	size_t len;
	struct cfs_migration plan;
	json_t *body = NULL;

	if (!file) {
		fprintf(stderr, "clusterfs graph schema-apply: missing NEW.pg\n");
		return CLI_USAGE;
	}
	if (!read_input(file, "schema", &src, &len, d))
		return finish_report("schema-apply", root, NULL, d);
	if (!cfs_graph_preview_schema(g, src, len, &plan, d)) {
		body = json_pack("{s:b, s:O}", "supported", plan.supported, "steps", plan.steps);
		if (!opt_json) {
			struct cfs_sb sb = CFS_SB_INIT;
			cfs_migration_render(&plan, &sb);
			fputs(cfs_sb_str(&sb), stdout);
			cfs_sb_release(&sb);
		}
		cfs_migration_free(&plan);
		uint64_t version;
		if (!opt_dry_run && !cfs_graph_apply_schema(g, src, len, NULL, &version, d))
			json_object_set_new(body, "version", json_integer((json_int_t)version));
	}
	free(src);
	if (!opt_json) {
		json_decref(body);
		body = NULL;
	}
	return finish_report("schema-apply", root, body, d);
}

/* The branch in load format on stdout, registered as a reader meanwhile. */
static int do_export(struct cfs_graph *g, const char *root, struct cfs_diags *d)
{
	struct cfs_snapshot s;
	char *token;

	if (cfs_graph_reader_begin(g, &token, d))
		return finish_report("export", root, NULL, d);
	if (!cfs_graph_snapshot(g, opt_branch ? opt_branch : "main", &s, d)) {
		char *text = cfs_graph_export(&s);
		fputs(text, stdout);
		free(text);
		cfs_snapshot_free(&s);
	}
	cfs_graph_reader_end(g, token);
	if (!cfs_diags_has_error(d)) {
		cfs_diags_free(d);
		return CLI_OK;
	}
	return finish_report("export", root, NULL, d);
}

static void reset_options(void)
{
	opt_schema = opt_branch = opt_mode = opt_file = opt_name = opt_from = NULL;
	opt_json = opt_dry_run = false;
	opt_params.n = 0;
}

/* Subcommands that work on an existing, opened graph. */
static int on_graph(const char *sub, const struct cli_args *a, struct cfs_diags *d)
{
	struct cfs_graph *g;
	const char *root = a->pos[0];

	if (cfs_graph_open(root, !strcmp(sub, "info") || !strcmp(sub, "query"), &g, d))
		return finish_report(sub, root, NULL, d);
	int rc;
	if (!strcmp(sub, "info"))
		rc = do_info(g, root, d);
	else if (!strcmp(sub, "load"))
		rc = do_load(g, root, a->npos > 1 ? a->pos[1] : NULL, d);
	else if (!strcmp(sub, "query"))
		rc = do_query(g, root, d);
	else if (!strcmp(sub, "branch"))
		rc = do_branch(g, root, a->npos, a->pos, d);
	else if (!strcmp(sub, "export"))
		rc = do_export(g, root, d);
	else
		rc = do_schema_apply(g, root, a->npos > 1 ? a->pos[1] : NULL, d);
	cfs_graph_close(g);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	static const char *const subs[] = { "init", "info", "load", "query", "branch", "schema-apply", "export",
					    "delete" };
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cli_args a;
	int code;

	reset_options();
	if (argc < 2 || argv[1][0] == '-') {
		bool help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
		cli_usage(&cli_graph_cmd, help ? stdout : stderr);
		return help ? CLI_OK : CLI_USAGE;
	}
	const char *sub = argv[1];
	size_t i = 0;
	while (i < sizeof(subs) / sizeof(subs[0]) && strcmp(subs[i], sub))
		i++;
	if (i == sizeof(subs) / sizeof(subs[0])) {
		fprintf(stderr, "clusterfs graph: unknown subcommand '%s'\n", sub);
		cli_usage(&cli_graph_cmd, stderr);
		return CLI_USAGE;
	}
	if (cli_parse(&cli_graph_cmd, argc - 1, argv + 1, &a, &code))
		return code;
	/* positional arguments after ROOT: load/schema-apply take a file,
	 * branch a verb and a name, the others nothing */
	int max = !strcmp(sub, "branch") ? 3 : (!strcmp(sub, "load") || !strcmp(sub, "schema-apply")) ? 2 : 1;
	if (a.npos > max) {
		fprintf(stderr, "clusterfs graph %s: unexpected argument '%s'\n", sub, a.pos[max]);
		cli_usage(&cli_graph_cmd, stderr);
		return CLI_USAGE;
	}
	if (!strcmp(sub, "init"))
		return do_init(a.pos[0], &d);
	if (!strcmp(sub, "delete")) {
		if (!cfs_graph_reserve_export_exclusion(a.pos[0], &d)) {
			if (cfs_graph_delete_root(a.pos[0], &d))
				cfs_graph_release_export_exclusion(a.pos[0]);
			else if (!opt_json)
				printf("deleted graph root %s\n", a.pos[0]);
		}
		return finish_report("delete", a.pos[0], NULL, &d);
	}
	return on_graph(sub, &a, &d);
}
