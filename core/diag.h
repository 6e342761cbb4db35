/*
 * diag: the user-facing diagnostics every engine operation returns
 * (cluster.md §1): a stable code, a severity, a dotted address ("path")
 * and a message, kept in emission order.  Rendered as text (cluster.md §16:
 * "ERROR <code> <path>: <message>" / "WARN  <code> <path>: <message>") or as
 * a JSON array of {"code","severity","path","message"}.
 */
#ifndef CFS_DIAG_H
#define CFS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum cfs_severity { CFS_ERROR, CFS_WARNING };

struct cfs_diag {
	char *code;
	enum cfs_severity severity;
	char *path;
	char *message;
};

struct cfs_diags {
	struct cfs_diag *v;
	size_t n, cap;
};

#define CFS_DIAGS_INIT { NULL, 0, 0 }

/* Append a diagnostic; path and message are copied/formatted. */
void cfs_diag_add(struct cfs_diags *d, enum cfs_severity sev, const char *code,
		  const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define cfs_diag_error(d, code, path, ...) cfs_diag_add((d), CFS_ERROR, (code), (path), __VA_ARGS__)
#define cfs_diag_warn(d, code, path, ...) cfs_diag_add((d), CFS_WARNING, (code), (path), __VA_ARGS__)

bool cfs_diags_has_error(const struct cfs_diags *d);
size_t cfs_diags_count(const struct cfs_diags *d, const char *code); /* how many with this code */
void cfs_diags_append(struct cfs_diags *dst, const struct cfs_diags *src); /* copies */
void cfs_diags_free(struct cfs_diags *d);

/* One line per diagnostic, in emission order, as cluster.md §16. */
void cfs_diags_render_text(const struct cfs_diags *d, FILE *out);
/* New reference: [{"code","severity","path","message"}...] */
json_t *cfs_diags_to_json(const struct cfs_diags *d);

#endif
