/*
 * parse: the one option parser every command shares (git's parse-options,
 * in miniature).  Long options only: --name, --name VALUE, --name=VALUE.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_opt *find(const struct cli_cmd *cmd, const char *name, size_t n)
{
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, name, n))
			return o;
	return NULL;
}

static int usage_error(const struct cli_cmd *cmd, int *exit_code, const char *what, const char *arg)
{
	fprintf(stderr, "clusterfs %s: %s '%s'\n", cmd->name, what, arg);
	cli_usage(cmd, stderr);
	*exit_code = CLI_USAGE;
	return -1;
}


static int take_option(const struct cli_cmd *cmd, int argc, char **argv, int *i,
		       struct cli_args *a, int *exit_code)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *val = eq ? eq + 1 : NULL;

	if (n == 4 && !strncmp(arg, "help", 4) && !eq) {
		a->help = true;
		return 0;
	}
	bool is_as = n == 2 && !strncmp(arg, "as", 2);
	const struct cli_opt *o = is_as ? NULL : find(cmd, arg, n);
	if (!o && !is_as)
		return usage_error(cmd, exit_code, "unknown option", argv[*i]);
	if (o && o->type == CLI_OPT_FLAG) {
		if (eq)
			return usage_error(cmd, exit_code, "option takes no value:", o->name);
		*(bool *)o->value = true;
		return 0;
	}
	if (!val) {
		if (*i + 1 >= argc)
			return usage_error(cmd, exit_code, "option requires a value:", argv[*i]);
		val = argv[++*i];
	}
	if (is_as) {
		a->as = val;
		return 0;
	}
	if (o->type == CLI_OPT_LIST) {
		struct cli_list *l = o->value;
		if (l->n == sizeof(l->v) / sizeof(l->v[0]))
			return usage_error(cmd, exit_code, "too many occurrences of", argv[*i]);
		l->v[l->n++] = val;
		return 0;
	}
	*(const char **)o->value = val;
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a, int *exit_code)
{
	bool dashdash = false;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (!dashdash && !strcmp(argv[i], "--")) {
			dashdash = true;
		} else if (!dashdash && !strncmp(argv[i], "--", 2)) {
			if (take_option(cmd, argc, argv, &i, a, exit_code))
				return -1;
		} else if (!dashdash && argv[i][0] == '-' && argv[i][1]) {
			if (!strcmp(argv[i], "-h")) {
				a->help = true;
				continue;
			}
			return usage_error(cmd, exit_code, "unknown option", argv[i]);
		} else if (a->npos < cmd->npos_max) {
			a->pos[a->npos++] = argv[i];
		} else {
			return usage_error(cmd, exit_code, "unexpected argument", argv[i]);
		}
	}
	/* usage errors first, then --help, then the refusal (as the reference) */
	if (a->npos < cmd->npos_min && !a->help)
		return usage_error(cmd, exit_code, "missing argument", cmd->pos_names[a->npos]);
	if (a->help) {
		cli_usage(cmd, stdout);
		*exit_code = CLI_OK;
		return -1;
	}
	/* --as belongs to the whole command surface, but only apply and
	 * approve take it; elsewhere it is refused before anything runs */
	if (a->as && !cmd->accepts_as) {
		fprintf(stderr, "clusterfs %s: --as is accepted only by apply and approve\n", cmd->name);
		*exit_code = CLI_FAIL;
		return -1;
	}
	return 0;
}

void cli_usage(const struct cli_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: clusterfs %s\n\n%s\n\n", cmd->synopsis, cmd->summary);
	for (const struct cli_opt *o = cmd->opts; o && o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->argh ? " " : "", o->argh ? o->argh : "");
		fprintf(out, "    %-22s %s\n", left, o->help);
	}
	fprintf(out, "    %-22s %s\n", "--help", "show this help");
}
