/*
 * ledger/catalog: the content-addressed catalog blobs of stored queries
 * and policies (cluster.md §6):
 *   __cluster/resources/query/<graph>/<name>/<digest>.gq
 *   __cluster/resources/policy/<name>/<digest>.yaml
 * A blob is the source file's bytes verbatim (UTF-8).  `apply` publishes
 * them before the ledger write that names them; `status`, `refresh` and
 * the server verify them against the digest the ledger records.  A blob
 * is created once and never rewritten or deleted: an existing name is
 * trusted to hold its digest's bytes.
 */
#ifndef CFS_LEDGER_CATALOG_H
#define CFS_LEDGER_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "core/sha256.h"
#include "ledger/store.h"

#define CFS_CATALOG_DIR "__cluster/resources"

/* The blob key of a query.<g>.<n> or policy.<n> resource at digest; NULL
 * for any other address (graphs, schemas, providers carry no blob).
 * Caller frees. */
char *cfs_catalog_key(const char *address, const char *digest);

enum cfs_catalog_result {
	CFS_CATALOG_OK,                 /* present, bytes hash to the digest */
	CFS_CATALOG_MISSING,            /* no such blob */
	CFS_CATALOG_MISMATCH,           /* present, other bytes */
	CFS_CATALOG_READ_ERROR,         /* I/O error, or bytes that are not UTF-8 */
	CFS_CATALOG_NO_BLOB,            /* the address has no blob */
};

struct cfs_catalog_blob {
	enum cfs_catalog_result result;
	char *data;                     /* CFS_CATALOG_OK: the verified bytes (NUL-terminated) */
	size_t len;
	char actual[CFS_SHA256_HEX_LEN + 1];    /* MISMATCH: hex digest of what is stored */
	char *error;                    /* READ_ERROR: "could not read catalog payload '<display path>': <err>" */
};

/*
 * Read the blob of address at digest and verify it.  display_root prefixes
 * the blob path in the read-error text.  Never adds diagnostics: callers
 * classify (status warns, refresh also records statuses, the server
 * refuses to boot).  Release with cfs_catalog_blob_release.
 */
void cfs_catalog_get(struct cfs_store *st, const char *display_root, const char *address, const char *digest,
		     struct cfs_catalog_blob *out);
void cfs_catalog_blob_release(struct cfs_catalog_blob *b);

/* True if the blob exists (apply: "blob exists -> skip"). */
bool cfs_catalog_exists(struct cfs_store *st, const char *address, const char *digest);

/*
 * Publish data as the blob of address at digest: create-if-absent; an
 * existing blob (also one created concurrently) is trusted and left alone.
 * The caller has checked that data hashes to digest.  0, or -1 with errno
 * (EINVAL for an address without a blob).
 */
int cfs_catalog_put(struct cfs_store *st, const char *address, const char *digest, const void *data, size_t len);

/*
 * The status check (§13): for a blob that is not OK add its diagnostic at
 * the address: W catalog_payload_missing, W catalog_payload_mismatch
 * (with the actual digest), E catalog_payload_read_error (message = the
 * error).  Nothing for OK / NO_BLOB.
 */
void cfs_catalog_diag(const char *address, const struct cfs_catalog_blob *b, struct cfs_diags *d);

/*
 * Check every query/policy entry of a ledger resource map (§7.1
 * applied_revision.resources), in address order, adding the §13
 * diagnostics.  When findings is not NULL it receives one entry per
 * problem (address + result, release with cfs_catalog_findings_free) so
 * refresh can act on them.  Returns the number of problems.
 */
struct cfs_catalog_finding {
	char *address;
	struct cfs_catalog_blob blob;   /* data is never kept */
};

size_t cfs_catalog_verify(struct cfs_store *st, const char *display_root, json_t *resources,
			  struct cfs_catalog_finding **findings, struct cfs_diags *d);
void cfs_catalog_findings_free(struct cfs_catalog_finding *f, size_t n);

#endif
