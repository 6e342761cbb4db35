/*
 * strbuf: a growable NUL-terminated byte buffer, used everywhere instead of
 * ad-hoc malloc/strcat.  Allocation failure aborts (like git's xmalloc): a
 * control plane that cannot allocate a few bytes cannot do anything useful.
 */
#ifndef CFS_STRBUF_H
#define CFS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct cfs_sb {
	char *buf;    /* always NUL-terminated once anything was added; may be NULL when empty */
	size_t len;
	size_t cap;
};

#define CFS_SB_INIT { NULL, 0, 0 }

void cfs_sb_grow(struct cfs_sb *sb, size_t extra);
void cfs_sb_add(struct cfs_sb *sb, const void *data, size_t len);
void cfs_sb_adds(struct cfs_sb *sb, const char *s);
void cfs_sb_addc(struct cfs_sb *sb, char c);
void cfs_sb_addf(struct cfs_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cfs_sb_vaddf(struct cfs_sb *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void cfs_sb_reset(struct cfs_sb *sb);               /* len = 0, keeps memory */
const char *cfs_sb_str(const struct cfs_sb *sb);    /* "" when empty, never NULL */
char *cfs_sb_detach(struct cfs_sb *sb);             /* caller frees; sb left empty */
void cfs_sb_release(struct cfs_sb *sb);

/* Small helpers that abort on OOM.  Caller frees the results. */
void *cfs_xmalloc(size_t n);
void *cfs_xcalloc(size_t n, size_t size);
void *cfs_xrealloc(void *p, size_t n);
char *cfs_xstrdup(const char *s);
char *cfs_xstrndup(const char *s, size_t n);
char *cfs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* qsort that accepts n == 0 with a NULL base (plain qsort's is UB). */
void cfs_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* qsort comparator for an array of char * (byte-wise order). */
int cfs_strptrcmp(const void *a, const void *b);

#endif
