/*
 * main: clusterfs entry point.  Dispatches to one command per file; owns
 * the process exit code (nothing below cli/ exits).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef CFS_VERSION
#define CFS_VERSION "unknown"
#endif

struct entry {
	const struct cli_cmd *cmd;
	int (*fn)(int argc, char **argv);
};

static const struct entry commands[] = {
	{ &cli_validate_cmd, cmd_validate },
	{ &cli_status_cmd, cmd_status },
	{ &cli_force_unlock_cmd, cmd_force_unlock },
	{ &cli_schema_cmd, cmd_schema },
	{ &cli_query_cmd, cmd_query },
	{ &cli_graph_cmd, cmd_graph },
	{ &cli_plan_cmd, cmd_plan },
	{ &cli_apply_cmd, cmd_apply },
	{ &cli_approve_cmd, cmd_approve },
	{ &cli_refresh_cmd, cmd_refresh },
	{ &cli_import_cmd, cmd_import },
	{ &cli_mount_cmd, cmd_mount },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("usage: clusterfs <command> [options]\n"
	      "       clusterfs --help | --version\n\n"
	      "clusterfs manages a fleet of graph databases described by a config folder.\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "    %-12s %s\n", commands[i].cmd->name, commands[i].cmd->summary);
	fputs("\nRun 'clusterfs <command> --help' for a command's options; see clusterfs(1).\n", out);
}

/* A report that could not be written is a failure (`clusterfs ... > /dev/full`). */
static int finish(int code)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "clusterfs: could not write output: %s\n", strerror(errno));
		return code ? code : CLI_FAIL;
	}
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("clusterfs %s\n", CFS_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].cmd->name))
			return finish(commands[i].fn(argc - 1, argv + 1));
	if (argv[1][0] == '-')
		fprintf(stderr, "clusterfs: unknown option '%s'\n", argv[1]);
	else
		fprintf(stderr, "clusterfs: '%s' is not a clusterfs command\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
