/*
 * json: compact and pretty dumps with the escaping of cluster.md §5.4.
 */
#include "core/json.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/*
 * jansson writes control characters as \u001F; the contract (serde_json's
 * form) is lower case.  Walk the dump and lower-case the hex digits of every
 * \u escape.  A backslash only ever appears inside strings, and "\\" is
 * skipped as a pair, so "\\u" (an escaped backslash before a 'u') is left
 * alone.
 */
static char *lower_unicode_escapes(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u')
			for (int i = 1; i <= 4 && p[i]; i++)
				p[i] = (char)tolower((unsigned char)p[i]);
		if (!*p)
			break;
	}
	return s;
}

static char *dump(const json_t *v, size_t flags)
{
	char *s = json_dumps(v, flags | JSON_ENCODE_ANY);

	if (!s) {
		/* jansson fails only on OOM or invalid input we never build */
		abort();
	}
	return lower_unicode_escapes(s);
}

char *cfs_json_compact(const json_t *v, int flags)
{
	size_t f = JSON_COMPACT;

	f |= (flags & CFS_JSON_SORTED) ? JSON_SORT_KEYS : JSON_PRESERVE_ORDER;
	return dump(v, f);
}

char *cfs_json_pretty(const json_t *v)
{
	char *s = dump(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *out = cfs_xasprintf("%s\n", s);

	free(s);
	return out;
}

json_t *cfs_json_text(const char *s)
{
	size_t n = strlen(s);

	if (cfs_utf8_valid(s, n))
		return json_stringn(s, n);
	char *t = cfs_utf8_lossy(s, n);
	json_t *v = json_string(t);
	free(t);
	return v;
}
