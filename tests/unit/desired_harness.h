/*
 * desired_harness: shared fixtures for the desired-cluster unit tests
 * (test_desired.c, test_desired_refs.c): a scratch config directory per
 * test, file writers, and assertions on diagnostics and resources.
 * Header-only because every tests/unit/test_*.c is its own binary.
 */
#ifndef CFS_TEST_DESIRED_HARNESS_H
#define CFS_TEST_DESIRED_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/fsutil.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/desired.h"
#include "engine/validate.h"
#include "tmpdir.h"

/* Source files (cluster.md §5.6 example A). */
#define PG "node Person {\n  name: String @key\n}\n"
#define FIND_PERSON "query find_person($name: String) {\n" \
		    "  match { $p: Person { name: $name } }\n" \
		    "  return { $p.name }\n}\n"
#define TWO_QUERIES "query b_q() { match { $p: Person } return { $p.name } }\n" \
		    "query a_q() { match { $p: Person } return { $p } }\n"
#define POLICY "version: 1\nrules: []\n"

/* Per-test scratch dir plus strings freed at teardown. */
struct ctx {
	char *dir;
	char *strs[64];
	size_t n;
};

static inline int setup(void **state)
{
	struct ctx *c = cfs_xcalloc(1, sizeof(*c));

	c->dir = tmpdir_make();
	*state = c;
	return 0;
}

static inline int teardown(void **state)
{
	struct ctx *c = *state;

	tmpdir_remove(c->dir);
	for (size_t i = 0; i < c->n; i++)
		free(c->strs[i]);
	free(c);
	return 0;
}

/* A formatted string owned by the test context. */
static inline const char *S(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline const char *S(struct ctx *c, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	assert_true(c->n < sizeof(c->strs) / sizeof(c->strs[0]));
	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->strs[c->n] = cfs_sb_detach(&sb);
	if (!c->strs[c->n])
		c->strs[c->n] = cfs_xstrdup("");
	return c->strs[c->n++];
}

/* Write dir/rel (parents created). */
static inline void put(const char *dir, const char *rel, const char *content)
{
	char *p = cfs_xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(p, '/');

	*slash = '\0';
	assert_int_equal(cfs_mkdirs(p, 0755), 0);
	*slash = '/';
	assert_int_equal(cfs_write_atomic(p, content, strlen(content)), 0);
	free(p);
}

static inline void put_dir(const char *dir, const char *rel)
{
	char *p = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(cfs_mkdirs(p, 0755), 0);
	free(p);
}

static inline const char *sha(struct ctx *c, const char *content)
{
	char hex[CFS_SHA256_HEX_LEN + 1];

	cfs_sha256_hex(content, strlen(content), hex);
	return S(c, "%s", hex);
}

static inline void load(struct ctx *c, const char *yaml, struct cfs_desired *des, struct cfs_diags *d)
{
	put(c->dir, "cluster.yaml", yaml);
	cfs_desired_load(c->dir, CFS_LOAD_FULL, des, d);
}

static inline void dump(const struct cfs_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_error("  [%zu] %s %s %s: %s\n", i, d->v[i].severity == CFS_ERROR ? "E" : "W",
			    d->v[i].code, d->v[i].path, d->v[i].message);
}

static inline void expect_count(const struct cfs_diags *d, size_t n)
{
	if (d->n != n) {
		print_error("expected %zu diagnostic(s), got %zu:\n", n, d->n);
		dump(d);
	}
	assert_int_equal(d->n, n);
}

/* Diagnostic i is exactly this (msg NULL = not checked). */
static inline void expect_at(const struct cfs_diags *d, size_t i, enum cfs_severity sev, const char *code,
		      const char *path, const char *msg)
{
	if (i >= d->n || strcmp(d->v[i].code, code) || strcmp(d->v[i].path, path) ||
	    (msg && strcmp(d->v[i].message, msg)) || d->v[i].severity != sev) {
		print_error("diagnostic %zu: want %s %s %s: %s\n", i, sev == CFS_ERROR ? "E" : "W",
			    code, path, msg ? msg : "*");
		dump(d);
		fail();
	}
}

/* Index of the first diagnostic with code and path; d->n if none. */
static inline size_t find(const struct cfs_diags *d, const char *code, const char *path)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].code, code) && (!path || !strcmp(d->v[i].path, path)))
			return i;
	return d->n;
}

/* There is such a diagnostic; returns its index. */
static inline size_t expect_has(const struct cfs_diags *d, enum cfs_severity sev, const char *code,
			 const char *path, const char *msg)
{
	size_t i = find(d, code, path);

	if (i == d->n) {
		print_error("no %s at %s among:\n", code, path);
		dump(d);
		fail();
	}
	expect_at(d, i, sev, code, path, msg);
	return i;
}

static inline void expect_resource(const struct cfs_desired *des, const char *addr, const char *kind,
			    const char *digest, const char *path)
{
	const struct cfs_resource *r = cfs_desired_find(des, addr);

	if (!r)
		print_error("no resource %s\n", addr);
	assert_non_null(r);
	assert_string_equal(r->kind, kind);
	if (digest)
		assert_string_equal(r->digest, digest);
	if (path) {
		assert_non_null(r->path);
		assert_string_equal(r->path, path);
	} else {
		assert_null(r->path);
	}
}

static inline void cleanup(struct cfs_desired *des, struct cfs_diags *d)
{
	cfs_desired_free(des);
	cfs_diags_free(d);
}


#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
