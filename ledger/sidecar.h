/*
 * ledger/sidecar: recovery sidecars __cluster/recoveries/<operation_id>.json
 * (cluster.md §10).  apply writes one before every graph-moving engine call
 * and deletes it once the ledger write that records the outcome landed; a
 * sidecar that survives (crash, failed write) is classified by the next
 * sweep (engine/sweep.h).  The file is closed JSON, written pretty + "\n".
 */
#ifndef CFS_LEDGER_SIDECAR_H
#define CFS_LEDGER_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "ledger/store.h"

#define CFS_RECOVERIES_DIR "__cluster/recoveries"

enum cfs_sidecar_kind {
	CFS_SIDECAR_GRAPH_CREATE,
	CFS_SIDECAR_SCHEMA_APPLY,
	CFS_SIDECAR_GRAPH_DELETE,
};

struct cfs_sidecar {
	char *file;                     /* "<name>.json" it was listed as; NULL for a new one */
	char *operation_id;             /* ULID */
	char *started_at;               /* RFC 3339 */
	char *actor;                    /* NULL = null */
	enum cfs_sidecar_kind kind;
	char *graph_id;
	char *graph_uri;
	bool has_observed_version;      /* observed_manifest_version is not null */
	uint64_t observed_manifest_version;
	bool has_expected_version;      /* expected_manifest_version is not null */
	uint64_t expected_manifest_version;
	char *desired_schema_digest;    /* "" for deletes */
	char *state_cas_base;           /* NULL = null */
	char *approval_id;              /* NULL = null (deletes carry one) */
};

/* "graph_create" | "schema_apply" | "graph_delete" */
const char *cfs_sidecar_kind_name(enum cfs_sidecar_kind kind);

/*
 * Fill a new sidecar: fresh operation_id and started_at, the given fields
 * copied (actor, state_cas_base, approval_id may be NULL; desired digest
 * NULL = ""), versions null.  Returns 0, or -1 if no ULID could be made.
 * Free with cfs_sidecar_release.
 */
int cfs_sidecar_init(struct cfs_sidecar *sc, enum cfs_sidecar_kind kind, const char *graph_id,
		     const char *graph_uri, const char *desired_schema_digest, const char *actor,
		     const char *state_cas_base, const char *approval_id);
void cfs_sidecar_release(struct cfs_sidecar *sc);

/* Display location of a sidecar file: <display_root>/__cluster/recoveries/<file>.  Caller frees. */
char *cfs_sidecar_display_path(const char *display_root, const char *file);

/*
 * Write (create or replace) __cluster/recoveries/<operation_id>.json.
 * Failure: E recovery_sidecar_write_error at the display path
 * ("could not write recovery sidecar: <err>"), -1.
 */
int cfs_sidecar_write(struct cfs_store *st, const char *display_root, const struct cfs_sidecar *sc,
		      struct cfs_diags *d);

/*
 * Every readable, valid version-1 sidecar, in file-name order (direct
 * entries ending ".json").  Bad files are skipped with a warning at their
 * display path: invalid_recovery_sidecar ("could not read (<err>); leaving
 * it in place", "could not parse (<err>); leaving it in place"),
 * unsupported_recovery_sidecar_version; an unlistable directory is W
 * recovery_sidecar_read_error at __cluster/recoveries.  Free with
 * cfs_sidecars_free.
 */
void cfs_sidecar_list(struct cfs_store *st, const char *display_root, struct cfs_sidecar **out, size_t *n,
		      struct cfs_diags *d);
void cfs_sidecars_free(struct cfs_sidecar *v, size_t n);

/*
 * Parse one sidecar file's bytes.  0, or -1 with *err (caller frees): the
 * parse problem, or NULL when the JSON is a well-formed sidecar of another
 * schema_version.
 */
int cfs_sidecar_parse(const char *text, size_t len, struct cfs_sidecar *out, char **err);

/* Delete __cluster/recoveries/<file> (a missing one is fine): retirement
 * after a ledger write, where a failure is silent (the next sweep retires
 * it again).  0 or -1 with errno. */
int cfs_sidecar_remove(struct cfs_store *st, const char *file);

/*
 * apply's pre-movement cleanup (cluster.md §12 step 8): delete sc's file;
 * a failure is W recovery_sidecar_cleanup_failed at its display path.
 */
int cfs_sidecar_cleanup(struct cfs_store *st, const char *display_root, const struct cfs_sidecar *sc,
			struct cfs_diags *d);

#endif
