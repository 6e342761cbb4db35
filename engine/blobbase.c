/*
 * blobbase: URI normalization for external Blob bases (see blobbase.h).
 * Components are decoded and compared as bytes, never as string prefixes,
 * so "s3://b/ab/" and "s3://b/a/" do not overlap.
 */
#include "engine/blobbase.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct seg { char *b; size_t n; };

struct parsed {
	char *scheme, *authority;
	struct seg *segs;
	size_t nsegs;
};

static int perr(char **err, const char *reason)
{
	*err = cfs_xasprintf("external blob URI '<redacted>' is not allowed: %s", reason);
	return -1;
}

static void parsed_free(struct parsed *p)
{
	free(p->scheme);
	free(p->authority);
	for (size_t i = 0; i < p->nsegs; i++)
		free(p->segs[i].b);
	free(p->segs);
	memset(p, 0, sizeof(*p));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode one path component and refuse dot and separator tricks. */
static int decode_component(const char *s, size_t n, struct seg *out, char **err)
{
	struct cfs_sb sb = CFS_SB_INIT;

	for (size_t i = 0; i < n;) {
		if (s[i] != '%') {
			cfs_sb_addc(&sb, s[i++]);
			continue;
		}
		if (i + 2 >= n) {
			cfs_sb_release(&sb);
			return perr(err, "external Blob URI contains an incomplete percent escape");
		}
		int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0) {
			cfs_sb_release(&sb);
			return perr(err, "external Blob URI contains an invalid percent escape");
		}
		cfs_sb_addc(&sb, (char)(hi << 4 | lo));
		i += 3;
	}
	const char *b = cfs_sb_str(&sb);
	if ((sb.len == 1 && b[0] == '.') || (sb.len == 2 && b[0] == '.' && b[1] == '.')) {
		cfs_sb_release(&sb);
		return perr(err, "external Blob URI contains a dot path component");
	}
	for (size_t i = 0; i < sb.len; i++)
		if (b[i] == 0 || b[i] == '%' || b[i] == '/' || b[i] == '\\') {
			cfs_sb_release(&sb);
			return perr(err, "external Blob URI contains an encoded separator, percent sign, or NUL");
		}
	out->n = sb.len;
	out->b = cfs_sb_detach(&sb);
	return 0;
}

static int parse_authority(const char *scheme, const char *a, size_t n, struct parsed *p, char **err)
{
	if (memchr(a, '@', n))
		return perr(err, "external Blob URI may not contain user-info credentials");
	const char *colon = memchr(a, ':', n);
	if (colon)
		return perr(err, "external Blob URI may not contain an explicit port");
	if (!strcmp(scheme, "s3")) {
		if (!n)
			return perr(err, "an s3 external Blob URI must contain a bucket");
		p->authority = cfs_xstrndup(a, n);
		for (char *c = p->authority; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		return 0;
	}
	if (!strcmp(scheme, "file")) {
		if (n && !(n == 9 && !strncasecmp(a, "localhost", 9)))
			return perr(err, "file external Blob URIs must be local and may not contain a host");
		p->authority = cfs_xstrdup("");
		return 0;
	}
	char *msg = cfs_xasprintf("external Blob URI scheme '%s' is not supported by this build", scheme);
	int r = perr(err, msg);
	free(msg);
	return r;
}

static int parse_path(const char *path, size_t n, struct parsed *p, char **err)
{
	if (!n || path[0] != '/')
		return perr(err, "external Blob URI must contain an absolute path");
	const char *body = path + 1;
	size_t bn = n - 1;
	for (size_t i = 0, start = 0; bn && i <= bn; i++) {
		if (i < bn && body[i] != '/')
			continue;
		bool last = i == bn;
		if (i == start && !last)
			return perr(err, "external Blob URI contains an ambiguous empty path component");
		if (i > start) {
			p->segs = cfs_xrealloc(p->segs, (p->nsegs + 1) * sizeof(*p->segs));
			if (decode_component(body + start, i - start, &p->segs[p->nsegs], err))
				return -1;
			p->nsegs++;
		}
		start = i + 1;
	}
	return 0;
}

/* scheme "://" authority path, with the checks in the reference's order. */
static int parse_uri(const char *raw, struct parsed *p, char **err)
{
	size_t n = strlen(raw);

	memset(p, 0, sizeof(*p));
	if (!n || isspace((unsigned char)raw[0]) || isspace((unsigned char)raw[n - 1]))
		return perr(err, "external Blob URI must be non-empty and contain no surrounding whitespace");
	if (strchr(raw, '\\'))
		return perr(err, "external Blob URI paths may not contain backslashes");
	size_t sl = 0;
	while (sl < n && (isalnum((unsigned char)raw[sl]) || (sl && strchr("+-.", raw[sl]))))
		sl++;
	if (!sl || !isalpha((unsigned char)raw[0]) || raw[sl] != ':')
		return perr(err, "external Blob URI is not a valid absolute URI: relative URL without a base");
	if (strncmp(raw + sl, "://", 3))
		return perr(err, "external Blob URI must use a hierarchical storage scheme");
	if (strpbrk(raw, "?#"))
		return perr(err, "external Blob URI may not contain a query or fragment");
	p->scheme = cfs_xstrndup(raw, sl);
	for (char *c = p->scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	const char *a = raw + sl + 3;
	size_t an = strcspn(a, "/");
	if (parse_authority(p->scheme, a, an, p, err))
		return -1;
	return parse_path(a + an, strlen(a + an), p, err);
}

static char *render(const struct parsed *p)
{
	static const char hex[] = "0123456789ABCDEF";
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_addf(&sb, "%s://%s/", p->scheme, p->authority);
	for (size_t i = 0; i < p->nsegs; i++) {
		for (size_t j = 0; j < p->segs[i].n; j++) {
			unsigned char c = (unsigned char)p->segs[i].b[j];
			if (isalnum(c) || strchr("-._~", c)) {
				cfs_sb_addc(&sb, (char)c);
			} else {
				cfs_sb_addc(&sb, '%');
				cfs_sb_addc(&sb, hex[c >> 4]);
				cfs_sb_addc(&sb, hex[c & 15]);
			}
		}
		cfs_sb_addc(&sb, '/');
	}
	return cfs_sb_detach(&sb);
}

/* file:// bases must name an existing directory; overlap uses its realpath. */
static int canonical_file(const struct parsed *p, char **out, char **err)
{
	struct cfs_sb path = CFS_SB_INIT;
	char real[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < p->nsegs; i++)
		cfs_sb_addf(&path, "/%s", p->segs[i].b);
	if (!path.len)
		cfs_sb_adds(&path, "/");
	if (!realpath(cfs_sb_str(&path), real)) {
		char *m = cfs_xasprintf("embedded file external Blob base must be an existing directory: %s",
					strerror(errno));
		perr(err, m);
		free(m);
		cfs_sb_release(&path);
		return -1;
	}
	cfs_sb_release(&path);
	if (stat(real, &st) || !S_ISDIR(st.st_mode))
		return perr(err, "embedded file external Blob base must name a directory");
	*out = cfs_xasprintf("file://%s%s", real, strcmp(real, "/") ? "/" : "");
	return 0;
}

int cfs_blob_base_new(const char *raw, bool server_safe, struct cfs_blob_base *out, char **err)
{
	struct parsed p;

	memset(out, 0, sizeof(*out));
	if (parse_uri(raw, &p, err)) {
		parsed_free(&p);
		return -1;
	}
	if (server_safe && !strcmp(p.scheme, "file")) {
		parsed_free(&p);
		return perr(err, "a server-safe external Blob base may not use file://");
	}
	if (!strcmp(p.scheme, "file") && canonical_file(&p, &out->canonical, err)) {
		parsed_free(&p);
		return -1;
	}
	out->uri = render(&p);
	out->server_safe = server_safe;
	parsed_free(&p);
	return 0;
}

void cfs_blob_base_free(struct cfs_blob_base *b)
{
	free(b->uri);
	free(b->canonical);
	b->uri = b->canonical = NULL;
}

static int cmp_base(const void *x, const void *y)
{
	const struct cfs_blob_base *a = x, *b = y;
	int c = strcmp(a->uri, b->uri);

	return c ? c : (int)b->server_safe - (int)a->server_safe;
}

/* Both forms end in '/', so component containment is a prefix test. */
static bool overlaps(const struct cfs_blob_base *a, const struct cfs_blob_base *b)
{
	const char *x = a->canonical ? a->canonical : a->uri;
	const char *y = b->canonical ? b->canonical : b->uri;
	size_t nx = strlen(x), ny = strlen(y);

	return !strncmp(x, y, nx < ny ? nx : ny);
}

int cfs_blob_policy_check(struct cfs_blob_base *bases, size_t n, char **err)
{
	cfs_qsort(bases, n, sizeof(*bases), cmp_base);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (overlaps(&bases[i], &bases[j])) {
				char *m = cfs_xasprintf("external Blob bases '%s' and '%s' overlap; configure one unambiguous base",
							bases[i].uri, bases[j].uri);
				perr(err, m);
				free(m);
				return -1;
			}
	return 0;
}

json_t *cfs_blob_policy_json(const struct cfs_blob_base *bases, size_t n)
{
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, "mode", json_string("allow"));
	for (size_t i = 0; i < n; i++) {
		json_t *b = json_object();
		json_object_set_new(b, "uri", json_string(bases[i].uri));
		json_object_set_new(b, "scope", json_string(bases[i].server_safe ? "server_safe" : "embedded_only"));
		json_array_append_new(arr, b);
	}
	json_object_set_new(o, "bases", arr);
	return o;
}
