/*
 * sha256: OpenSSL EVP wrapper producing lowercase hex.
 */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

static void crypto_fail(const char *what)
{
	fprintf(stderr, "clusterfs: OpenSSL %s failed\n", what);
	abort();
}

void cfs_sha256_init(struct cfs_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		crypto_fail("digest init");
	h->ctx = ctx;
}

void cfs_sha256_update(struct cfs_sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		crypto_fail("digest update");
}

void cfs_sha256_final_hex(struct cfs_sha256 *h, char out[CFS_SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		crypto_fail("digest final");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[CFS_SHA256_HEX_LEN] = '\0';
}

void cfs_sha256_hex(const void *data, size_t len, char out[CFS_SHA256_HEX_LEN + 1])
{
	struct cfs_sha256 h;

	cfs_sha256_init(&h);
	cfs_sha256_update(&h, data, len);
	cfs_sha256_final_hex(&h, out);
}
