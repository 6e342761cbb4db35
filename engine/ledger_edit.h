/*
 * ledger_edit: reading and editing the in-memory ledger (the jansson
 * document of ledger/state.h, §7.1 shape) the way apply, refresh, import
 * and the recovery sweep all do: status records, graph composites
 * recomputed from the ledger's own entries (§5.2, §7.3), tombstones and
 * approval/recovery records (§10.1, §11.2).  Nothing here touches storage.
 */
#ifndef CFS_LEDGER_EDIT_H
#define CFS_LEDGER_EDIT_H

#include <jansson.h>

#include "core/diag.h"

/* A top-level map of the ledger ("resource_statuses", "approval_records",
 * "recovery_records", "observations"), created if absent.  Borrowed. */
json_t *cfs_ledger_map(json_t *doc, const char *key);

/* The recorded digest of address, or NULL.  Borrowed from doc. */
const char *cfs_ledger_digest(json_t *doc, const char *address);

/* resource_statuses[address] := {status[, conditions:[condition]][, message]};
 * condition and message may be NULL (omitted). */
void cfs_ledger_set_status(json_t *doc, const char *address, const char *status, const char *condition,
			   const char *message);

/* The §2.5 allow form of a ledger graph entry's external_blob_policy in
 * canonical key order (new reference), or NULL for deny/absent. */
json_t *cfs_ledger_blob_policy(const json_t *graph_entry);

/*
 * The composite of graph.<id> (§5.2) from the ledger's schema.<id> and
 * query.<id>.* entries, the given provider address (hashed with its ledger
 * digest) and blob policy (NULL = deny).  Caller frees.
 */
char *cfs_ledger_graph_composite(json_t *doc, const char *graph_id, const char *provider_addr,
				 const json_t *blob_policy);

/*
 * graph.<id> := {digest: composite[, embedding_provider][, external_blob_policy]}
 * with the given binding (provider NULL = none, policy NULL = deny).
 */
void cfs_ledger_set_graph(json_t *doc, const char *graph_id, const char *provider_addr, const json_t *blob_policy);

/*
 * schema.<id> := {digest: schema_digest}, then graph.<id> recomputed
 * keeping the provider binding and blob policy its ledger entry had (none
 * and deny if there was no entry): roll forward (§10.1) and refresh's
 * observation of a graph that opens (§14 step 5).
 */
void cfs_ledger_rebind_graph(json_t *doc, const char *graph_id, const char *schema_digest);

/*
 * §7.3: every ledger graph.<id> must equal its composite recomputed from
 * the ledger.  Each mismatch is E external_blob_policy_digest_mismatch at
 * the address.  Returns 0 when all verify, else -1.
 */
int cfs_ledger_check_composites(json_t *doc, struct cfs_diags *d);

/* §11.2 tombstone: remove graph.<id>, schema.<id>, every query.<id>.* and
 * their statuses; observations["graph.<id>"] := tombstone (approval_id and
 * actor may be NULL). */
void cfs_ledger_tombstone(json_t *doc, const char *graph_id, const char *approval_id, const char *actor);

/* approval_records[approval_id] := {consumed_at: now, consumed_by_operation: operation}. */
void cfs_ledger_consume_approval(json_t *doc, const char *approval_id, const char *operation);

/* recovery_records[operation_id] := {kind, graph_id, outcome: "rolled_forward", recovered_at: now, actor}. */
void cfs_ledger_record_recovery(json_t *doc, const char *operation_id, const char *kind, const char *graph_id,
				const char *actor);

/* {address: digest} of the ledger's resources, sorted (new reference). */
json_t *cfs_ledger_digest_map(json_t *doc);

/* A copy of a JSON object with its keys sorted byte-wise (values shared). */
json_t *cfs_json_sorted(const json_t *map);

#endif
