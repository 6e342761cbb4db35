/*
 * sha256: SHA-256 through OpenSSL EVP, rendered as lowercase hex (the only
 * digest form the specs use, plus "sha256:<hex>" for the state CAS).
 */
#ifndef CFS_SHA256_H
#define CFS_SHA256_H

#include <stddef.h>

#define CFS_SHA256_HEX_LEN 64

struct cfs_sha256 { void *ctx; };   /* opaque EVP_MD_CTX */

void cfs_sha256_init(struct cfs_sha256 *h);
void cfs_sha256_update(struct cfs_sha256 *h, const void *data, size_t len);
/* Writes 64 hex chars + NUL into out and frees the context. */
void cfs_sha256_final_hex(struct cfs_sha256 *h, char out[CFS_SHA256_HEX_LEN + 1]);

void cfs_sha256_hex(const void *data, size_t len, char out[CFS_SHA256_HEX_LEN + 1]);

#endif
