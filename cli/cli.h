/*
 * cli: the command-line front end.  One file per command (cli/<name>.c with
 * one cmd_<name>() entry) and one option-table parser; the report text
 * comes from engine/render.h.  Exit codes (cluster.md §1): 0 ok, 1 not ok
 * or refused, 2 usage error.
 */
#ifndef CFS_CLI_H
#define CFS_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "core/diag.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

enum cli_opt_type { CLI_OPT_FLAG, CLI_OPT_STRING, CLI_OPT_LIST };

struct cli_list {                       /* CLI_OPT_LIST: every occurrence, in order */
	const char *v[64];
	size_t n;
};

struct cli_opt {
	const char *name;               /* long name without "--" */
	enum cli_opt_type type;
	void *value;                    /* bool *, const char ** or struct cli_list * */
	const char *argh;               /* argument placeholder for usage */
	const char *help;
};

struct cli_cmd {
	const char *name;
	const char *synopsis;           /* after "clusterfs " */
	const char *summary;
	const struct cli_opt *opts;     /* terminated by { NULL } */
	int npos_min, npos_max;         /* positional arguments */
	const char *const *pos_names;
	bool accepts_as;                /* only apply/approve (cluster.md §1) */
};

struct cli_args {
	const char *pos[4];
	int npos;
	bool help;
	const char *as;                 /* --as, if given */
};

/*
 * Parse argv[1..] (argv[0] is the command name) against cmd.  Returns -1
 * when the caller should exit with *exit_code (usage error, --help, or a
 * refused --as; messages already printed), else 0.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a, int *exit_code);
void cli_usage(const struct cli_cmd *cmd, FILE *out);

/* Print v as the one pretty JSON object of --json output; steals v.  The
 * human text of every report is engine/render.h's, written to stdout. */
void cli_print_json(json_t *v);
/* The actor of a command run by this user: CLUSTERFS_ACTOR, else the login
 * name, else the passwd name of the uid, else NULL (apply without --as,
 * refresh, import, force-unlock). */
const char *cli_default_actor(void);

/* Read a UTF-8 source for a plumbing command; on failure add
 * <kind>_file_missing ("could not read <kind> file '<file>': <why>"). */
bool cli_read_source(const char *file, const char *kind, char **src, size_t *len, struct cfs_diags *d);
/* Diagnostic path for a rendered language error: FILE:L:C for syntax
 * errors (" --> L:C"), else FILE.  Caller frees. */
char *cli_error_path(const char *file, const char *err);

int cmd_validate(int argc, char **argv);
extern const struct cli_cmd cli_validate_cmd;
int cmd_status(int argc, char **argv);
extern const struct cli_cmd cli_status_cmd;
int cmd_force_unlock(int argc, char **argv);
extern const struct cli_cmd cli_force_unlock_cmd;

int cmd_schema(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_graph(int argc, char **argv);
extern const struct cli_cmd cli_graph_cmd;
extern const struct cli_cmd cli_query_cmd;
int cmd_plan(int argc, char **argv);
extern const struct cli_cmd cli_plan_cmd;
int cmd_apply(int argc, char **argv);
extern const struct cli_cmd cli_apply_cmd;
int cmd_approve(int argc, char **argv);
extern const struct cli_cmd cli_approve_cmd;
int cmd_refresh(int argc, char **argv);
extern const struct cli_cmd cli_refresh_cmd;
int cmd_import(int argc, char **argv);
extern const struct cli_cmd cli_import_cmd;
int cmd_mount(int argc, char **argv);
extern const struct cli_cmd cli_mount_cmd;
/* refresh/import (cli/refresh.c): run, print, exit code. */
int cli_state_sync(const char *config_dir, bool json, bool import, const char *plan_digest);

struct cfs_schema;
/*
 * Read and load a .pg file for a plumbing command: problems become
 * diagnostics (schema_file_missing, schema_parse_error with FILE:L:C,
 * schema_catalog_error).  True when *s holds a schema (caller frees with
 * cfs_schema_free); digest receives the file's sha256 when readable.
 */
bool cli_load_schema(const char *file, struct cfs_schema *s, char digest[65], struct cfs_diags *d);
extern const struct cli_cmd cli_schema_cmd;

#endif
