/*
 * desired_int: helpers shared by the desired-cluster loader's files
 * (desired.c: header and orchestration, desired_graph.c: graphs and
 * queries, desired_policy.c: policies and providers).  Not a public API.
 */
#ifndef CFS_DESIRED_INT_H
#define CFS_DESIRED_INT_H

#include "engine/desired.h"

struct load {
	struct cfs_desired *des;
	struct cfs_diags *d;
	size_t rescap, depcap;
};

/* address and path are taken over (freed by the desired); digest copied. */
void ld_add_resource(struct load *l, char *address, const char *kind, const char *digest, char *path);
void ld_add_dep(struct load *l, const char *from, const char *to);
/* invalid_resource_id unless value matches the identifier rule. */
void ld_check_id(struct load *l, const char *kind, const char *path, const char *value);
/* config_path_escape (and false) if declared leaves the config dir. */
bool ld_path_ok(struct load *l, const char *declared, const char *diag_path);

void ld_load_providers(struct load *l);
void ld_load_graphs(struct load *l);
void ld_load_policies(struct load *l);

#endif
