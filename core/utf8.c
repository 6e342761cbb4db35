/*
 * utf8: a table-free validator following RFC 3629's well-formed ranges.
 */
#include "core/utf8.h"
#include "core/strbuf.h"

#include <string.h>

/*
 * Length of the well-formed sequence starting at s[0] (len > 0), or 0 if it
 * is ill-formed; then *bad is the length of its maximal subpart (the longest
 * prefix that could still have started a valid sequence, at least 1), which
 * is what one U+FFFD replaces.
 */
static size_t sequence(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	*bad = 1;
	if (c < 0x80) {
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	for (size_t k = 1; k <= n; k++) {
		if (k >= len || s[k] < lo || s[k] > hi)
			return 0;
		*bad = k + 1;
		lo = 0x80;
		hi = 0xBF;
	}
	return n + 1;
}

bool cfs_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t bad;

	for (size_t i = 0; i < len;) {
		size_t n = sequence(s + i, len - i, &bad);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *cfs_utf8_lossy(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	struct cfs_sb sb = CFS_SB_INIT;
	size_t bad;

	for (size_t i = 0; i < len;) {
		size_t n = sequence(s + i, len - i, &bad);
		if (n) {
			cfs_sb_add(&sb, s + i, n);
			i += n;
		} else {
			cfs_sb_adds(&sb, "\xEF\xBF\xBD");
			i += bad;
		}
	}
	return cfs_sb_detach(&sb);
}

/* Code point of the well-formed sequence at s (n bytes long). */
static unsigned long decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0x7F, 0x1F, 0x0F, 0x07 };
	unsigned long cp = s[0] & lead_mask[n - 1];

	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (s[k] & 0x3F);
	return cp;
}

static bool white_space(unsigned long cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
	       cp == 0x205F || cp == 0x3000;
}

bool cfs_utf8_blank(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), bad;

	for (size_t i = 0; i < len;) {
		size_t n = sequence(s + i, len - i, &bad);
		if (!n || !white_space(decode(s + i, n)))
			return false;
		i += n;
	}
	return true;
}
