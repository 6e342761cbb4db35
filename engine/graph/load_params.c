/*
 * graph/load_params: typed query parameters from "name=value" strings (the
 * CLI's --param), per the query's declared parameter types (query-lang.md
 * §6.3): integers range-checked for their width, floats, Bool as `true` /
 * `false`, String/Blob as the text itself, Date/DateTime validated, lists
 * and Vector(n) as JSON arrays (`tags=["a","b"]`, `emb=[1,2]`).  For a
 * nullable parameter of a non-text type the value `null` gives JSON null
 * (for String/Blob it is the four-letter string).  The name may carry its
 * `$`.  Errors: a string without `=`, an unknown parameter, one given
 * twice, a bad value, a missing non-nullable parameter (a missing nullable
 * one is JSON null).
 */
#include "engine/graph/load.h"
#include "engine/graph/load_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

static const struct cfs_tparam *param(const struct cfs_typed_query *q, const char *name)
{
	for (size_t i = 0; i < q->nparams; i++)
		if (!strcmp(q->params[i].name, name))
			return &q->params[i];
	return NULL;
}

/* One "name=value" into out; *err on failure. */
static int one(const struct cfs_typed_query *q, const char *kv, json_t *out, char **err)
{
	const char *eq = strchr(kv, '=');
	const struct cfs_tparam *p;
	char *name, *why = NULL;
	json_t *v;
	int rc = -1;

	if (!eq) {
		*err = cfs_xasprintf("bad parameter `%s`: expected name=value", kv);
		return -1;
	}
	name = cfs_xstrndup(kv + (*kv == '$'), (size_t)(eq - kv) - (*kv == '$'));
	if (!(p = param(q, name)))
		*err = cfs_xasprintf("unknown parameter `$%s`", name);
	else if (json_object_get(out, name))
		*err = cfs_xasprintf("parameter `$%s` given twice", name);
	else if (!(v = lv_from_text(&p->type, eq + 1, &why)))
		*err = cfs_xasprintf("bad value for parameter `$%s`: %s", name, why);
	else
		rc = json_object_set_new(out, name, v) ? -1 : 0;
	if (rc && !*err)
		*err = cfs_xasprintf("bad parameter `$%s`", name);
	free(why);
	free(name);
	return rc;
}

int cfs_graph_params(const struct cfs_typed_query *q, const char *const *kv, size_t n, json_t **params,
		     char **err)
{
	json_t *out = json_object();

	*params = NULL;
	*err = NULL;
	for (size_t i = 0; i < n; i++)
		if (one(q, kv[i], out, err))
			goto fail;
	for (size_t i = 0; i < q->nparams; i++) {
		const struct cfs_tparam *p = &q->params[i];
		if (json_object_get(out, p->name))
			continue;
		if (!p->type.nullable) {
			*err = cfs_xasprintf("missing parameter `$%s`", p->name);
			goto fail;
		}
		json_object_set_new(out, p->name, json_null());
	}
	*params = out;
	return 0;
fail:
	json_decref(out);
	return -1;
}
