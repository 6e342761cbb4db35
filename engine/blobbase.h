/*
 * blobbase: the external-Blob base normalizer of cluster.md §2.5.
 * A base is "s3://bucket/p/" or an existing local "file:///dir/"; the
 * normal form is what the ledger records and what the graph composite
 * digest hashes, so it must be byte-stable.
 */
#ifndef CFS_BLOBBASE_H
#define CFS_BLOBBASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct cfs_blob_base {
	char *uri;          /* normalized, always ends with '/' */
	char *canonical;    /* file:// only: realpath'd form used for overlap; else NULL */
	bool server_safe;   /* scope */
};

/*
 * Normalize one base.  Returns 0, or -1 with *err set to the full message
 * ("external blob URI '<redacted>' is not allowed: <reason>"); caller frees
 * *err and, on success, the base with cfs_blob_base_free.
 */
int cfs_blob_base_new(const char *raw, bool server_safe, struct cfs_blob_base *out, char **err);
void cfs_blob_base_free(struct cfs_blob_base *b);

/*
 * Sort bases (uri, then server_safe before embedded_only) and reject
 * overlaps.  Returns 0 or -1 with *err (caller frees).
 */
int cfs_blob_policy_check(struct cfs_blob_base *bases, size_t n, char **err);

/* {"mode":"allow","bases":[{"uri","scope"}...]} - new reference. */
json_t *cfs_blob_policy_json(const struct cfs_blob_base *bases, size_t n);

#endif
