/*
 * utf8: strict UTF-8 validation.  Sources (schemas, queries, policies,
 * cluster.yaml) and catalog blobs must be UTF-8; anything else is an
 * unreadable file, as it is for the reference.
 */
#ifndef CFS_UTF8_H
#define CFS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The message the reference gives for such a file. */
#define CFS_UTF8_ERROR "stream did not contain valid UTF-8"

/* true if s[0..len) is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF). */
bool cfs_utf8_valid(const char *s, size_t len);

/*
 * s[0..len) with every ill-formed sequence replaced by U+FFFD, as Rust's
 * String::from_utf8_lossy (and so the reference's Path::display()) shows
 * it.  Diagnostics and JSON reports must be UTF-8 even when a path is not.
 * Caller frees.
 */
char *cfs_utf8_lossy(const char *s, size_t len);

/*
 * true if s is empty after trimming whitespace the way Rust's str::trim
 * does (Unicode White_Space: ASCII \t\n\v\f\r and space, U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).  The
 * reference's "blank" checks are `trim().is_empty()`.  s is UTF-8.
 */
bool cfs_utf8_blank(const char *s);

#endif
