/*
 * strbuf: growable byte buffer and the x* allocation helpers.
 */
#include "core/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("clusterfs: out of memory\n", stderr);
	abort();
}

void *cfs_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *cfs_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *cfs_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *cfs_xstrdup(const char *s)
{
	return cfs_xstrndup(s, strlen(s));
}

char *cfs_xstrndup(const char *s, size_t n)
{
	char *p = cfs_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cfs_xasprintf(const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return cfs_sb_detach(&sb);
}

void cfs_sb_grow(struct cfs_sb *sb, size_t extra)
{
	if (extra > SIZE_MAX / 2 - sb->len)
		oom();          /* the doubling below would wrap */
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->buf = cfs_xrealloc(sb->buf, cap);
	sb->cap = cap;
	sb->buf[sb->len] = '\0';   /* keep the NUL invariant even before any add */
}

void cfs_sb_add(struct cfs_sb *sb, const void *data, size_t len)
{
	cfs_sb_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void cfs_sb_adds(struct cfs_sb *sb, const char *s)
{
	cfs_sb_add(sb, s, strlen(s));
}

void cfs_sb_addc(struct cfs_sb *sb, char c)
{
	cfs_sb_add(sb, &c, 1);
}

void cfs_sb_vaddf(struct cfs_sb *sb, const char *fmt, va_list ap)
{
	va_list cp;

	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	cfs_sb_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void cfs_sb_addf(struct cfs_sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void cfs_sb_reset(struct cfs_sb *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

const char *cfs_sb_str(const struct cfs_sb *sb)
{
	return sb->buf ? sb->buf : "";
}

char *cfs_sb_detach(struct cfs_sb *sb)
{
	char *s = sb->buf ? sb->buf : cfs_xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void cfs_sb_release(struct cfs_sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void cfs_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

int cfs_strptrcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
