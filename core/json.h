/*
 * json: the two JSON renderings the contract needs, on top of jansson.
 *  - compact: no whitespace, keys in insertion order (callers build objects
 *    in the order the spec fixes) or sorted (CFS_JSON_SORTED); used inside
 *    digests (cluster.md §5.2-5.4).
 *  - pretty: 2-space indent as every report and ledger file is written.
 * Both escape exactly as cluster.md §5.4 says: \" \\ \b \f \n \r \t, other C0
 * as \u00xx in lowercase hex, '/' and non-ASCII literal.  (jansson writes
 * \u001F in upper case; we fix that here so digests match byte for byte.)
 */
#ifndef CFS_JSON_H
#define CFS_JSON_H

#include <jansson.h>

enum { CFS_JSON_SORTED = 1 };

/* Caller frees.  Never NULL (aborts on OOM). */
char *cfs_json_compact(const json_t *v, int flags);
/* Pretty form with a trailing newline.  Caller frees. */
char *cfs_json_pretty(const json_t *v);

/* json_string(s), except that bytes which are not UTF-8 (a path on disk may
 * hold any) become U+FFFD instead of making jansson return NULL and the
 * member silently vanish from the report.  New reference. */
json_t *cfs_json_text(const char *s);

#endif
