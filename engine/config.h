/*
 * config: cluster.yaml as declared (cluster.md §2), decoded with libyaml.
 *
 * cfs_config_decode() is the typed decode of §4.1 step 4: closed mappings,
 * required keys, YAML 1.2 core-schema scalars.  The pre-scans of step 3
 * (duplicate keys, reserved keys, `streaming`) are separate functions because
 * they must run on text the decoder would reject.  Strings are kept verbatim
 * as declared: the config digest (§5.4) hashes them unresolved.
 */
#ifndef CFS_CONFIG_H
#define CFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"

enum cfs_queries_form {
	CFS_QUERIES_MAP = 0,    /* absent, or { name: { file: F } } (form c) */
	CFS_QUERIES_PATH,       /* "queries/" (form a) */
	CFS_QUERIES_LIST,       /* [a.gq, dir/] (form b) */
};

struct cfs_query_entry {         /* form (c) */
	char *name;
	char *file;
};

struct cfs_blob_base_cfg {
	char *base;
	char *scope;                /* "server_safe" | "embedded_only" */
};

struct cfs_graph_cfg {
	char *id;
	char *schema;
	enum cfs_queries_form qform;
	char *qpath;                          /* CFS_QUERIES_PATH */
	char **qlist; size_t nqlist;          /* CFS_QUERIES_LIST */
	struct cfs_query_entry *qmap; size_t nqmap;   /* CFS_QUERIES_MAP, sorted */
	char *embedding_provider;             /* NULL = absent */
	struct cfs_blob_base_cfg *allow; size_t nallow;
};

struct cfs_provider_cfg {
	char *name;
	char *kind, *base_url, *model, *api_key;   /* NULL = absent */
};

struct cfs_policy_cfg {
	char *name;
	char *file;
	char **applies_to; size_t napplies_to;     /* as declared */
};

struct cfs_config {
	uint32_t version;
	char *metadata_name;        /* NULL = absent */
	char *storage;              /* NULL = absent; verbatim */
	char *state_backend;        /* NULL = absent */
	int state_lock;             /* -1 absent, 0 false, 1 true */
	struct cfs_provider_cfg *providers; size_t nproviders;   /* sorted by name */
	struct cfs_graph_cfg *graphs; size_t ngraphs;            /* sorted by id */
	struct cfs_policy_cfg *policies; size_t npolicies;       /* sorted by name */
};

/*
 * Decode text into *cfg.  Returns 0, or -1 with *detail set to a message
 * naming the YAML path and the problem ("graphs.g: unknown field `x`, ...
 * at line L column C"); caller frees *detail.  On success the caller frees
 * with cfs_config_free().
 */
int cfs_config_decode(const char *text, size_t len, struct cfs_config *cfg, char **detail);
void cfs_config_free(struct cfs_config *cfg);

/* §4.2: the line-based duplicate-key pre-scan. */
void cfs_config_scan_duplicate_keys(const char *text, size_t len, struct cfs_diags *d);
/* §2.7: reserved top-level keys (document order) and graphs.<id>.streaming.
 * Silent when the text is not YAML (the decoder reports that). */
void cfs_config_scan_reserved(const char *text, size_t len, struct cfs_diags *d);

/* Identifier rule of §2.1: ^[A-Za-z_][A-Za-z0-9_-]*$ */
bool cfs_config_valid_id(const char *s);

#endif
