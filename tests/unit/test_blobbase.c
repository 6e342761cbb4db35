/*
 * Unit tests for the external-Blob base normalizer and policy check of
 * cluster.md §2.5: the normal form (lower-cased scheme and bucket, one
 * trailing '/', percent-encoding normalized), every rejection with its
 * reason, file:// bases against real directories, and the policy's
 * ordering, overlap rule and JSON form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "engine/blobbase.h"
#include "tmpdir.h"

#define PREFIX "external blob URI '<redacted>' is not allowed: "

/* ---- helpers ----------------------------------------------------------- */

static void expect_uri(const char *raw, bool server_safe, const char *want)
{
	struct cfs_blob_base b;
	char *err = NULL;
	int rc = cfs_blob_base_new(raw, server_safe, &b, &err);

	if (rc)
		print_error("'%s' rejected: %s\n", raw, err);
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_string_equal(b.uri, want);
	assert_int_equal(b.server_safe, server_safe);
	cfs_blob_base_free(&b);
}

/* The full message is PREFIX + reason; reason may be a prefix of the tail
 * when it ends with ':' (an OS error follows). */
static void expect_reject(const char *raw, bool server_safe, const char *reason)
{
	struct cfs_blob_base b;
	char *err = NULL;
	char *want = cfs_xasprintf(PREFIX "%s", reason);
	int rc = cfs_blob_base_new(raw, server_safe, &b, &err);

	if (rc == 0)
		print_error("'%s' accepted as '%s'\n", raw, b.uri);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	if (reason[strlen(reason) - 1] == ':')
		assert_true(strncmp(err, want, strlen(want)) == 0);
	else
		assert_string_equal(err, want);
	free(want);
	free(err);
}

static void make_base(const char *raw, bool server_safe, struct cfs_blob_base *b)
{
	char *err = NULL;

	assert_int_equal(cfs_blob_base_new(raw, server_safe, b, &err), 0);
	assert_null(err);
}

static void free_bases(struct cfs_blob_base *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cfs_blob_base_free(&b[i]);
}

/* ---- normalization ----------------------------------------------------- */

static void test_s3_normal_form(void **state)
{
	(void)state;
	expect_uri("s3://Bucket/a/b", true, "s3://bucket/a/b/");
	expect_uri("s3://bucket/a/b/", true, "s3://bucket/a/b/");
	expect_uri("S3://b/x/", false, "s3://b/x/");
	expect_uri("s3://MY-BUCKET/Path/Keeps/Case/", true, "s3://my-bucket/Path/Keeps/Case/");
	expect_uri("s3://assets-bucket/knowledge/", true, "s3://assets-bucket/knowledge/");
	expect_uri("s3://b/", true, "s3://b/");
}

static void test_percent_encoding_normalized(void **state)
{
	(void)state;
	expect_uri("s3://b/a%20b/", true, "s3://b/a%20b/");
	expect_uri("s3://b/%41/", true, "s3://b/A/");
	expect_uri("s3://b/%7e%2d%5f%2E/", true, "s3://b/~-_./");      /* unreserved decoded */
	expect_uri("s3://b/a%3ab/", true, "s3://b/a%3Ab/");             /* upper-case hex */
	expect_uri("s3://b/a b/", true, "s3://b/a%20b/");
	expect_uri("s3://b/caf\xc3\xa9/", true, "s3://b/caf%C3%A9/");
}

static void test_file_base_existing_dir(void **state)
{
	char *dir = tmpdir_make();
	char *raw = cfs_xasprintf("file://%s", dir);
	char *want = cfs_xasprintf("file://%s/", dir);
	char *real = realpath(dir, NULL);
	char *canon = cfs_xasprintf("file://%s/", real);
	struct cfs_blob_base b;

	(void)state;
	expect_uri(raw, false, want);
	make_base(raw, false, &b);
	assert_non_null(b.canonical);
	assert_string_equal(b.canonical, canon);
	cfs_blob_base_free(&b);
	make_base("s3://b/x/", true, &b);
	assert_null(b.canonical);                /* only file:// bases have one */
	cfs_blob_base_free(&b);
	expect_reject(raw, true, "a server-safe external Blob base may not use file://");
	free(raw);
	free(want);
	free(real);
	free(canon);
	tmpdir_remove(dir);
}

/* §2.5: a file:// base must be an existing local directory.  As in the
 * reference, the recorded normal form keeps the declared (lexical) spelling,
 * while overlap is judged on the canonical directory: a symlinked spelling
 * and the real one overlap. */
static void test_file_base_canonicalized(void **state)
{
	char *dir = tmpdir_make();
	char *realdir = cfs_xasprintf("%s/real", dir);
	char *link = cfs_xasprintf("%s/link", dir);
	char *raw_link = cfs_xasprintf("file://%s/", link);
	char *real = NULL, *want_canon = NULL, *raw_real = NULL;
	struct cfs_blob_base b[2];
	char *err = NULL;

	(void)state;
	assert_int_equal(cfs_mkdirs(realdir, 0755), 0);
	assert_int_equal(symlink(realdir, link), 0);
	real = realpath(realdir, NULL);
	want_canon = cfs_xasprintf("file://%s/", real);
	raw_real = cfs_xasprintf("file://%s/", real);

	assert_int_equal(cfs_blob_base_new(raw_link, false, &b[0], &err), 0);
	assert_string_equal(b[0].uri, raw_link);
	assert_string_equal(b[0].canonical, want_canon);
	assert_int_equal(cfs_blob_base_new(raw_real, false, &b[1], &err), 0);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), -1);
	assert_non_null(strstr(err, "overlap"));
	free(err);
	cfs_blob_base_free(&b[0]);
	cfs_blob_base_free(&b[1]);
	free(real);
	free(want_canon);
	free(raw_real);
	free(raw_link);
	free(link);
	free(realdir);
	tmpdir_remove(dir);
}

static void test_file_base_missing_or_not_dir(void **state)
{
	char *dir = tmpdir_make();
	char *missing = cfs_xasprintf("file://%s/nope/", dir);
	char *file = cfs_xasprintf("%s/f", dir);
	char *fileuri = cfs_xasprintf("file://%s/", file);

	(void)state;
	expect_reject(missing, false, "embedded file external Blob base must be an existing directory:");
	assert_int_equal(cfs_write_atomic(file, "x", 1), 0);
	struct cfs_blob_base b;
	char *err = NULL;
	assert_int_equal(cfs_blob_base_new(fileuri, false, &b, &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, PREFIX, strlen(PREFIX)) == 0);
	free(err);
	expect_reject("file://remotehost/tmp/", false,
		      "file external Blob URIs must be local and may not contain a host");
	free(missing);
	free(file);
	free(fileuri);
	tmpdir_remove(dir);
}

/* ---- rejections -------------------------------------------------------- */

static void test_reject_shape(void **state)
{
	(void)state;
	expect_reject("", true, "external Blob URI must be non-empty and contain no surrounding whitespace");
	expect_reject(" s3://b/x/", true, "external Blob URI must be non-empty and contain no surrounding whitespace");
	expect_reject("s3://b/x/ ", true, "external Blob URI must be non-empty and contain no surrounding whitespace");
	expect_reject("s3://b/x/\n", true, "external Blob URI must be non-empty and contain no surrounding whitespace");
	expect_reject("s3://b/a\\b/", true, "external Blob URI paths may not contain backslashes");
	expect_reject("http://b/x/", true, "external Blob URI scheme 'http' is not supported by this build");
	expect_reject("https://b/x/", true, "external Blob URI scheme 'https' is not supported by this build");
	expect_reject("s3:b", true, "external Blob URI must use a hierarchical storage scheme");
	expect_reject("bucket/x", true, "external Blob URI is not a valid absolute URI: relative URL without a base");
	expect_reject("s3:///x/", true, "an s3 external Blob URI must contain a bucket");
	expect_reject("s3://b", true, "external Blob URI must contain an absolute path");
}

static void test_reject_segments(void **state)
{
	(void)state;
	expect_reject("s3://b/../x/", true, "external Blob URI contains a dot path component");
	expect_reject("s3://b/./x/", true, "external Blob URI contains a dot path component");
	expect_reject("s3://b/x/..", true, "external Blob URI contains a dot path component");
	expect_reject("s3://b/%2e%2e/x/", true, "external Blob URI contains a dot path component");
	expect_reject("s3://b/%2E/x/", true, "external Blob URI contains a dot path component");
	expect_reject("s3://b/a//c/", true, "external Blob URI contains an ambiguous empty path component");
	expect_reject("s3://b//", true, "external Blob URI contains an ambiguous empty path component");
	/* "..." is a name, not a dot segment */
	expect_uri("s3://b/.../", true, "s3://b/.../");
}

static void test_reject_percent(void **state)
{
	(void)state;
	expect_reject("s3://b/%4/", true, "external Blob URI contains an incomplete percent escape");
	expect_reject("s3://b/a%4", true, "external Blob URI contains an incomplete percent escape");
	expect_reject("s3://b/a%/", true, "external Blob URI contains an incomplete percent escape");
	expect_reject("s3://b/%zz/", true, "external Blob URI contains an invalid percent escape");
	expect_reject("s3://b/a%2Fb/", true, "external Blob URI contains an encoded separator, percent sign, or NUL");
	expect_reject("s3://b/a%2fb/", true, "external Blob URI contains an encoded separator, percent sign, or NUL");
	expect_reject("s3://b/a%5Cb/", true, "external Blob URI contains an encoded separator, percent sign, or NUL");
	expect_reject("s3://b/a%25b/", true, "external Blob URI contains an encoded separator, percent sign, or NUL");
	expect_reject("s3://b/a%00b/", true, "external Blob URI contains an encoded separator, percent sign, or NUL");
}

static void test_reject_authority_query_fragment(void **state)
{
	(void)state;
	expect_reject("s3://u:p@b/x/", true, "external Blob URI may not contain user-info credentials");
	expect_reject("s3://u@b/x/", true, "external Blob URI may not contain user-info credentials");
	expect_reject("s3://b:9000/x/", true, "external Blob URI may not contain an explicit port");
	expect_reject("s3://b/x/?a", true, "external Blob URI may not contain a query or fragment");
	expect_reject("s3://b/x/#f", true, "external Blob URI may not contain a query or fragment");
	expect_reject("s3://b/x?a=1", true, "external Blob URI may not contain a query or fragment");
}

static void test_message_never_echoes_the_uri(void **state)
{
	struct cfs_blob_base b;
	char *err = NULL;

	(void)state;
	assert_int_equal(cfs_blob_base_new("s3://user:secret@b/x/", true, &b, &err), -1);
	assert_null(strstr(err, "secret"));
	assert_non_null(strstr(err, "'<redacted>'"));
	free(err);
}

/* ---- policy ------------------------------------------------------------ */

static void test_policy_sorted_by_uri(void **state)
{
	struct cfs_blob_base b[3];
	char *err = NULL;

	(void)state;
	make_base("s3://zeta/x/", true, &b[0]);
	make_base("s3://alpha/x/", false, &b[1]);
	make_base("s3://Mid/x/", true, &b[2]);
	assert_int_equal(cfs_blob_policy_check(b, 3, &err), 0);
	assert_null(err);
	assert_string_equal(b[0].uri, "s3://alpha/x/");
	assert_string_equal(b[1].uri, "s3://mid/x/");
	assert_string_equal(b[2].uri, "s3://zeta/x/");
	free_bases(b, 3);
}

static void test_policy_server_safe_before_embedded_only(void **state)
{
	struct cfs_blob_base b[2];
	char *err = NULL;

	(void)state;
	/* equal uris: the tie-break puts server_safe first (the pair overlaps) */
	make_base("s3://b/x/", false, &b[0]);
	make_base("s3://b/x/", true, &b[1]);
	cfs_blob_policy_check(b, 2, &err);
	free(err);
	assert_true(b[0].server_safe);
	assert_false(b[1].server_safe);
	free_bases(b, 2);
}

static void test_policy_overlap(void **state)
{
	struct cfs_blob_base b[2];
	char *err = NULL;

	(void)state;
	make_base("s3://b/a/c/", true, &b[0]);
	make_base("s3://b/a/", true, &b[1]);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), -1);
	assert_non_null(err);
	assert_true(strncmp(err, PREFIX, strlen(PREFIX)) == 0);
	assert_non_null(strstr(err, "'s3://b/a/'"));
	assert_non_null(strstr(err, "'s3://b/a/c/'"));
	assert_string_equal(err, PREFIX "external Blob bases 's3://b/a/' and 's3://b/a/c/' overlap; "
				 "configure one unambiguous base");
	free(err);
	free_bases(b, 2);

	/* the same base twice overlaps itself */
	make_base("s3://b/a/", true, &b[0]);
	make_base("S3://B/a", true, &b[1]);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), -1);
	free(err);
	free_bases(b, 2);
}

static void test_policy_no_overlap(void **state)
{
	struct cfs_blob_base b[4];
	char *err = NULL;

	(void)state;
	make_base("s3://b/ab/", true, &b[0]);
	make_base("s3://b/a/", true, &b[1]);
	make_base("s3://c/a/", true, &b[2]);         /* different bucket */
	make_base("s3://bb/a/", false, &b[3]);       /* bucket name prefix */
	assert_int_equal(cfs_blob_policy_check(b, 4, &err), 0);
	assert_null(err);
	free_bases(b, 4);
}

static void test_policy_file_overlap_uses_real_path(void **state)
{
	char *dir = tmpdir_make();
	char *sub = cfs_xasprintf("%s/data/sub", dir);
	char *link = cfs_xasprintf("%s/link", dir);
	char *u1 = cfs_xasprintf("file://%s/data/", dir);
	char *u2 = cfs_xasprintf("file://%s/link/", dir);
	char *u3 = cfs_xasprintf("file://%s/", sub);
	struct cfs_blob_base b[2];
	char *err = NULL;

	(void)state;
	assert_int_equal(cfs_mkdirs(sub, 0755), 0);
	assert_int_equal(symlink(sub, link), 0);
	/* link -> data/sub: nested, although the URIs do not look it */
	make_base(u1, false, &b[0]);
	make_base(u2, false, &b[1]);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), -1);
	assert_non_null(err);
	free(err);
	free_bases(b, 2);
	/* data/sub and link are the same directory */
	make_base(u3, false, &b[0]);
	make_base(u2, false, &b[1]);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), -1);
	free(err);
	free_bases(b, 2);
	free(sub);
	free(link);
	free(u1);
	free(u2);
	free(u3);
	tmpdir_remove(dir);
}

static void test_policy_empty_and_single(void **state)
{
	struct cfs_blob_base b;
	char *err = NULL;

	(void)state;
	assert_int_equal(cfs_blob_policy_check(NULL, 0, &err), 0);
	make_base("s3://b/x/", true, &b);
	assert_int_equal(cfs_blob_policy_check(&b, 1, &err), 0);
	assert_null(err);
	cfs_blob_base_free(&b);
}

static void test_policy_json_shape(void **state)
{
	struct cfs_blob_base b[2];
	char *err = NULL;

	(void)state;
	make_base("s3://b/z/", false, &b[0]);
	make_base("s3://Assets-Bucket/knowledge", true, &b[1]);
	assert_int_equal(cfs_blob_policy_check(b, 2, &err), 0);
	json_t *j = cfs_blob_policy_json(b, 2);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"mode\":\"allow\",\"bases\":["
			       "{\"uri\":\"s3://assets-bucket/knowledge/\",\"scope\":\"server_safe\"},"
			       "{\"uri\":\"s3://b/z/\",\"scope\":\"embedded_only\"}]}");
	free(s);
	json_decref(j);
	free_bases(b, 2);

	j = cfs_blob_policy_json(NULL, 0);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"mode\":\"allow\",\"bases\":[]}");
	free(s);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s3_normal_form),
		cmocka_unit_test(test_percent_encoding_normalized),
		cmocka_unit_test(test_file_base_existing_dir),
		cmocka_unit_test(test_file_base_canonicalized),
		cmocka_unit_test(test_file_base_missing_or_not_dir),
		cmocka_unit_test(test_reject_shape),
		cmocka_unit_test(test_reject_segments),
		cmocka_unit_test(test_reject_percent),
		cmocka_unit_test(test_reject_authority_query_fragment),
		cmocka_unit_test(test_message_never_echoes_the_uri),
		cmocka_unit_test(test_policy_sorted_by_uri),
		cmocka_unit_test(test_policy_server_safe_before_embedded_only),
		cmocka_unit_test(test_policy_overlap),
		cmocka_unit_test(test_policy_no_overlap),
		cmocka_unit_test(test_policy_file_overlap_uses_real_path),
		cmocka_unit_test(test_policy_empty_and_single),
		cmocka_unit_test(test_policy_json_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
