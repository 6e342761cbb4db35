/*
 * graph/exec: the read-query entry point.  Compiles the typed query
 * (exec_plan.c), runs the match depth first into the result sink
 * (exec_match.c, exec_result.c) and renders the result.
 *
 * now() is the execution's start time in UTC, RFC 3339 with second
 * precision ("2024-05-01T12:00:00Z"), the same value everywhere in the
 * query; a caller may pin it with the reserved parameter
 * `__nanograph_now` (query-lang.md U1: "reserved for runtime timestamp
 * injection"), which tests use for deterministic results.
 */
#include "engine/graph/exec.h"
#include "engine/graph/exec_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *now_value(const json_t *params)
{
	json_t *pinned = params ? json_object_get(params, "__nanograph_now") : NULL;
	char buf[32];
	struct tm tm;
	time_t t = time(NULL);

	if (json_is_string(pinned))
		return json_incref(pinned);
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_string("1970-01-01T00:00:00Z");
	return json_string(buf);
}

static void run(struct ectx *c)
{
	xrun(c, &c->q->match, 0, c->q->aggregate ? xr_aggregate : xr_collect, NULL);
}

int cfs_graph_exec_stats(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
			 json_t **result, char **err, struct cfs_exec_stats *stats)
{
	struct xquery xq;
	struct ectx c;
	json_t *now;
	int rc = -1;

	*result = NULL;
	*err = NULL;
	if (stats)
		memset(stats, 0, sizeof *stats);
	if (q->is_mutation) {
		*err = cfs_xasprintf("query `%s` is a mutation, not a read query", q->name);
		return -1;
	}
	now = now_value(params);
	if (xq_compile(&xq, s, q, params, now, err)) {
		xq_free(&xq);
		json_decref(now);
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.s = s;
	c.q = &xq;
	c.slots = cfs_xcalloc(xq.nslots + 1, sizeof *c.slots);
	c.marks = cfs_xcalloc(s->ntables + 1, sizeof *c.marks);
	if (!(xq.has_limit && xq.limit == 0))
		run(&c);
	if (c.err) {
		*err = c.err;
	} else {
		*result = xr_finish(&c, q);
		rc = 0;
	}
	if (stats)
		*stats = c.st;
	xr_free(&c);
	for (size_t i = 0; i < s->ntables; i++)
		free(c.marks[i]);
	free(c.marks);
	free(c.slots);
	xq_free(&xq);
	json_decref(now);
	return rc;
}

int cfs_graph_exec(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
		   json_t **result, char **err)
{
	return cfs_graph_exec_stats(s, q, params, result, err, NULL);
}
