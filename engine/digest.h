/*
 * digest: the content digests of cluster.md §5 (graph composite, embedding
 * provider, config digest).  File digests are plain cfs_sha256_hex() over
 * the bytes.  All results are 64-char lowercase hex, caller frees.
 */
#ifndef CFS_DIGEST_H
#define CFS_DIGEST_H

#include <jansson.h>
#include <stddef.h>

#include "engine/config.h"

struct cfs_name_digest {
	const char *name;
	const char *digest;
};

/*
 * §5.2.  queries sorted by name (the function does not sort); provider_addr
 * NULL when no provider is bound (provider_digest NULL = unknown, hashed as
 * empty); blob_policy NULL for deny, else the §2.5 normal form.
 */
char *cfs_digest_graph(const char *id, const char *schema_digest,
		       const struct cfs_name_digest *queries, size_t nqueries,
		       const char *provider_addr, const char *provider_digest,
		       const json_t *blob_policy);

/* The present keys of a profile in §5.3 order (kind, base_url, model,
 * api_key): the J of §5.3 and the ledger's `embedding_profile` (new ref). */
json_t *cfs_provider_profile_json(const struct cfs_provider_cfg *p);

/* §5.3 over the present keys of a profile. */
char *cfs_digest_provider(const struct cfs_provider_cfg *p);

/* §5.4 RAW: the decoded config as JSON in the contract's key order. */
json_t *cfs_config_raw_json(const struct cfs_config *cfg);

/* §5.4: resources sorted by address (name = address). */
char *cfs_digest_config(const struct cfs_config *cfg,
			const struct cfs_name_digest *resources, size_t n);

#endif
