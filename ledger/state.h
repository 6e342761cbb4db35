/*
 * ledger/state: the cluster state ledger __cluster/state.json (cluster.md
 * §7): read with its CAS, validated against the closed schema of §7.1, and
 * written atomically with the compare-and-swap of §7.4.  The ledger is
 * kept as a jansson object in the §7.1 shape (defaults filled in on read),
 * because every command reads or edits a few maps of it.
 */
#ifndef CFS_LEDGER_STATE_H
#define CFS_LEDGER_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/diag.h"
#include "ledger/store.h"

#define CFS_STATE_KEY "__cluster/state.json"

struct cfs_state {
	bool found;             /* state.json existed */
	char *cas;              /* "sha256:<hex>" of the bytes read; NULL when not found/unreadable */
	json_t *doc;            /* the ledger, defaults filled (NULL when missing or invalid) */
};

/*
 * Read the ledger from the storage root.  Missing = found false, doc NULL,
 * no diagnostic.  Errors (§7.2): state_read_error, invalid_state_json,
 * unsupported_state_version, conflicting_graph_manifest_observation; on
 * error doc is NULL but found/cas are set when the bytes were read.
 * Free with cfs_state_release.
 */
int cfs_state_read(struct cfs_store *st, struct cfs_state *out, struct cfs_diags *d);
void cfs_state_release(struct cfs_state *s);

/* A new empty ledger {version:1, state_revision:0, applied_revision:{config_digest, resources:{}}, maps {}}. */
json_t *cfs_state_new(const char *config_digest);

/*
 * Write doc (pretty JSON + "\n", keys in §7.1 order) if the current CAS
 * still equals expected (NULL = must not exist): state_cas_mismatch
 * otherwise, state_write_error on I/O.  *new_cas (caller frees) is the CAS
 * of the bytes written.  doc is walked against the §7.1 schema first (a
 * doc that does not fit it is a state_write_error "could not encode state
 * JSON: ...", nothing written).  The failpoint cluster_state.before_put
 * sits between the compare and the put (tests widen the race with
 * sleep(ms)).  A local store has no conditional replace: see state.c.
 */
int cfs_state_write(struct cfs_store *st, json_t *doc, const char *expected, char **new_cas, struct cfs_diags *d);

/* The resource map {"addr": {"digest":...}} of a ledger (borrowed). */
json_t *cfs_state_resources(json_t *doc);
/* resource_count: number of applied resources. */
size_t cfs_state_resource_count(json_t *doc);

#endif
