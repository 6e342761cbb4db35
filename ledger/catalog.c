/*
 * catalog: the content-addressed query and policy blobs (catalog.h).
 */
#include "ledger/catalog.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *cfs_catalog_key(const char *address, const char *digest)
{
	if (!strncmp(address, "query.", 6)) {
		const char *graph = address + 6, *dot = strchr(graph, '.');
		if (!dot)
			return NULL;
		return cfs_xasprintf(CFS_CATALOG_DIR "/query/%.*s/%s/%s.gq", (int)(dot - graph), graph, dot + 1,
				     digest);
	}
	if (!strncmp(address, "policy.", 7))
		return cfs_xasprintf(CFS_CATALOG_DIR "/policy/%s/%s.yaml", address + 7, digest);
	return NULL;
}

static void read_error(struct cfs_catalog_blob *out, const char *display_root, const char *key, const char *why)
{
	out->result = CFS_CATALOG_READ_ERROR;
	out->error = cfs_xasprintf("could not read catalog payload '%s/%s': %s", display_root, key, why);
}

void cfs_catalog_get(struct cfs_store *st, const char *display_root, const char *address, const char *digest,
		     struct cfs_catalog_blob *out)
{
	char *key = cfs_catalog_key(address, digest);
	char *data;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!key) {
		out->result = CFS_CATALOG_NO_BLOB;
		return;
	}
	if (cfs_store_get(st, key, &data, &len) != 0) {
		if (errno == ENOENT)
			out->result = CFS_CATALOG_MISSING;
		else
			read_error(out, display_root, key, strerror(errno));
		free(key);
		return;
	}
	if (!cfs_utf8_valid(data, len)) {
		read_error(out, display_root, key, CFS_UTF8_ERROR);
		free(data);
		free(key);
		return;
	}
	cfs_sha256_hex(data, len, out->actual);
	if (strcmp(out->actual, digest)) {
		out->result = CFS_CATALOG_MISMATCH;
		free(data);
	} else {
		out->result = CFS_CATALOG_OK;
		out->data = data;
		out->len = len;
	}
	free(key);
}

void cfs_catalog_blob_release(struct cfs_catalog_blob *b)
{
	free(b->data);
	free(b->error);
	memset(b, 0, sizeof(*b));
}

bool cfs_catalog_exists(struct cfs_store *st, const char *address, const char *digest)
{
	char *key = cfs_catalog_key(address, digest);
	bool found = key && cfs_store_exists(st, key) == 0;

	free(key);
	return found;
}

int cfs_catalog_put(struct cfs_store *st, const char *address, const char *digest, const void *data, size_t len)
{
	char *key = cfs_catalog_key(address, digest);
	int rc = 0, e = 0;

	if (!key) {
		errno = EINVAL;
		return -1;
	}
	/* content-addressed: a blob already under its digest is identical */
	if (cfs_store_exists(st, key) != 0 && cfs_store_put_new(st, key, data, len) != 0 && errno != EEXIST) {
		rc = -1;
		e = errno;
	}
	free(key);
	errno = e;
	return rc;
}

void cfs_catalog_diag(const char *address, const struct cfs_catalog_blob *b, struct cfs_diags *d)
{
	switch (b->result) {
	case CFS_CATALOG_MISSING:
		cfs_diag_warn(d, "catalog_payload_missing", address,
			      "catalog payload blob is missing; re-run `cluster apply` to republish");
		break;
	case CFS_CATALOG_MISMATCH:
		cfs_diag_warn(d, "catalog_payload_mismatch", address,
			      "catalog payload blob does not match the recorded digest (actual sha256:%s); re-run "
			      "`cluster apply` to republish", b->actual);
		break;
	case CFS_CATALOG_READ_ERROR:
		/* an unverifiable catalog must not report healthy */
		cfs_diag_error(d, "catalog_payload_read_error", address, "%s", b->error);
		break;
	case CFS_CATALOG_OK:
	case CFS_CATALOG_NO_BLOB:
		break;
	}
}

size_t cfs_catalog_verify(struct cfs_store *st, const char *display_root, json_t *resources,
			  struct cfs_catalog_finding **findings, struct cfs_diags *d)
{
	size_t n = 0, nkeys = 0;
	const char **keys = cfs_xcalloc(json_object_size(resources) + 1, sizeof(*keys));
	const char *addr;
	json_t *entry;

	if (findings)
		*findings = NULL;
	json_object_foreach(resources, addr, entry)
		keys[nkeys++] = addr;
	cfs_qsort(keys, nkeys, sizeof(*keys), cfs_strptrcmp);
	for (size_t i = 0; i < nkeys; i++) {
		const char *digest = json_string_value(json_object_get(json_object_get(resources, keys[i]), "digest"));
		struct cfs_catalog_blob b;

		if (!digest)
			continue;
		cfs_catalog_get(st, display_root, keys[i], digest, &b);
		free(b.data);
		b.data = NULL;
		if (b.result == CFS_CATALOG_OK || b.result == CFS_CATALOG_NO_BLOB) {
			cfs_catalog_blob_release(&b);
			continue;
		}
		cfs_catalog_diag(keys[i], &b, d);
		if (findings) {
			*findings = cfs_xrealloc(*findings, (n + 1) * sizeof(**findings));
			(*findings)[n].address = cfs_xstrdup(keys[i]);
			(*findings)[n].blob = b;
		} else {
			cfs_catalog_blob_release(&b);
		}
		n++;
	}
	free(keys);
	return n;
}

void cfs_catalog_findings_free(struct cfs_catalog_finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].address);
		cfs_catalog_blob_release(&f[i].blob);
	}
	free(f);
}
