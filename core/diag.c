/*
 * diag: diagnostics lists and their two renderings.
 */
#include "core/diag.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Takes s; returns it as valid UTF-8.  Paths on disk may hold any bytes,
 * but both renderings (and JSON, which cannot carry them) must agree. */
static char *utf8_text(char *s)
{
	size_t n = strlen(s);

	if (cfs_utf8_valid(s, n))
		return s;
	char *t = cfs_utf8_lossy(s, n);
	free(s);
	return t;
}

static void push(struct cfs_diags *d, enum cfs_severity sev, const char *code,
		 const char *path, char *message)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = cfs_xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n].code = cfs_xstrdup(code);
	d->v[d->n].severity = sev;
	d->v[d->n].path = utf8_text(cfs_xstrdup(path ? path : ""));
	d->v[d->n].message = utf8_text(message);
	d->n++;
}

void cfs_diag_add(struct cfs_diags *d, enum cfs_severity sev, const char *code,
		  const char *path, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	push(d, sev, code, path, cfs_sb_detach(&sb));
}

bool cfs_diags_has_error(const struct cfs_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == CFS_ERROR)
			return true;
	return false;
}

size_t cfs_diags_count(const struct cfs_diags *d, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].code, code))
			n++;
	return n;
}

void cfs_diags_append(struct cfs_diags *dst, const struct cfs_diags *src)
{
	for (size_t i = 0; i < src->n; i++)
		push(dst, src->v[i].severity, src->v[i].code, src->v[i].path,
		     cfs_xstrdup(src->v[i].message));
}

void cfs_diags_free(struct cfs_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].code);
		free(d->v[i].path);
		free(d->v[i].message);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

void cfs_diags_render_text(const struct cfs_diags *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s %s %s: %s\n",
			d->v[i].severity == CFS_ERROR ? "ERROR" : "WARN ",
			d->v[i].code, d->v[i].path, d->v[i].message);
}

json_t *cfs_diags_to_json(const struct cfs_diags *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(d->v[i].code));
		json_object_set_new(o, "severity",
				    json_string(d->v[i].severity == CFS_ERROR ? "error" : "warning"));
		json_object_set_new(o, "path", json_string(d->v[i].path));
		json_object_set_new(o, "message", json_string(d->v[i].message));
		json_array_append_new(arr, o);
	}
	return arr;
}
