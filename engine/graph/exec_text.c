/*
 * graph/exec_text: the text-search and vector functions of .gq, with
 * simple, self-contained semantics (no index, no corpus statistics):
 *
 *  - tokens: maximal runs of ASCII letters and digits or non-ASCII bytes
 *    (so UTF-8 words stay whole), ASCII letters folded to lower case;
 *  - search(f, q): every token of q is a token of f (a q without tokens
 *    matches nothing);
 *  - fuzzy(f, q, k): every token of q is within Levenshtein distance k
 *    (default 2, counted in bytes) of some token of f;
 *  - match_text(f, q): q occurs in f as a substring, ASCII case-insensitive
 *    (an empty q matches nothing);
 *  - bm25(f, q): sum over the distinct tokens t of q of
 *    tf(t) * (k1 + 1) / (tf(t) + k1), k1 = 1.2: term-frequency saturation
 *    only, no IDF or length normalisation; 0 when nothing matches;
 *  - nearest: cosine distance 1 - a.b / (|a| |b|) in [0, 2]; no value
 *    (null, sorted last) when either vector is missing, the lengths differ
 *    or a norm is zero.
 */
#include "engine/graph/exec_int.h"

#include <stdlib.h>
#include <string.h>

struct tok {
	const char *p;
	size_t n;
};

struct toks {
	char *buf;                      /* lower-cased copy the tokens point into */
	struct tok *v;
	size_t n;
};

static bool tok_char(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static struct toks tokenize(const char *s)
{
	size_t len = strlen(s), cap = 0;
	struct toks t = { cfs_xmalloc(len + 1), NULL, 0 };

	for (size_t i = 0; i <= len; i++)
		t.buf[i] = lower(s[i]);
	for (size_t i = 0; i < len;) {
		if (!tok_char((unsigned char)t.buf[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && tok_char((unsigned char)t.buf[i]))
			i++;
		if (t.n == cap) {
			cap = cap ? 2 * cap : 8;
			t.v = cfs_xrealloc(t.v, cap * sizeof *t.v);
		}
		t.v[t.n++] = (struct tok){ t.buf + start, i - start };
	}
	return t;
}

static void toks_free(struct toks *t)
{
	free(t->buf);
	free(t->v);
}

static bool tok_eq(struct tok a, struct tok b)
{
	return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

static size_t tok_count(const struct toks *t, struct tok w)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += tok_eq(t->v[i], w);
	return n;
}

bool xt_search(const char *field, const char *query)
{
	struct toks f = tokenize(field), q = tokenize(query);
	bool ok = q.n > 0;

	for (size_t i = 0; ok && i < q.n; i++)
		ok = tok_count(&f, q.v[i]) > 0;
	toks_free(&f);
	toks_free(&q);
	return ok;
}

/* Levenshtein distance of a and b, or a value > k once it must exceed k. */
static size_t levenshtein(struct tok a, struct tok b, size_t k)
{
	size_t *row, d;

	if ((a.n > b.n ? a.n - b.n : b.n - a.n) > k)
		return k + 1;
	row = cfs_xmalloc((b.n + 1) * sizeof *row);
	for (size_t j = 0; j <= b.n; j++)
		row[j] = j;
	for (size_t i = 1; i <= a.n; i++) {
		size_t diag = row[0], best;
		row[0] = best = i;
		for (size_t j = 1; j <= b.n; j++) {
			size_t up = row[j];
			size_t v = diag + (a.p[i - 1] != b.p[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > k) {
			free(row);
			return k + 1;
		}
	}
	d = row[b.n];
	free(row);
	return d;
}

bool xt_fuzzy(const char *field, const char *query, long max_edits)
{
	struct toks f = tokenize(field), q = tokenize(query);
	size_t k = max_edits > 0 ? (size_t)max_edits : 0;
	bool ok = q.n > 0;

	for (size_t i = 0; ok && i < q.n; i++) {
		ok = false;
		for (size_t j = 0; !ok && j < f.n; j++)
			ok = levenshtein(q.v[i], f.v[j], k) <= k;
	}
	toks_free(&f);
	toks_free(&q);
	return ok;
}

bool xt_match_text(const char *field, const char *query)
{
	size_t fl = strlen(field), ql = strlen(query);

	if (!ql)
		return false;
	for (size_t at = 0; at + ql <= fl; at++) {
		size_t i = 0;
		while (i < ql && lower(field[at + i]) == lower(query[i]))
			i++;
		if (i == ql)
			return true;
	}
	return false;
}

double xt_bm25(const char *field, const char *query)
{
	const double k1 = 1.2;
	struct toks f = tokenize(field), q = tokenize(query);
	double score = 0;

	for (size_t i = 0; i < q.n; i++) {
		bool repeat = false;
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = tok_eq(q.v[i], q.v[j]);
		if (repeat)
			continue;
		double tf = (double)tok_count(&f, q.v[i]);
		score += tf * (k1 + 1) / (tf + k1);
	}
	toks_free(&f);
	toks_free(&q);
	return score;
}

/* Square root by Newton's iteration (the engine does not link libm). */
static double root(double x)
{
	double r = x > 1 ? x : 1, prev = 0;

	for (int i = 0; i < 200 && r != prev; i++) {
		prev = r;
		r = 0.5 * (r + x / r);
	}
	return r;
}

bool xt_cosine_distance(const json_t *a, const json_t *b, double *out)
{
	double dot = 0, na = 0, nb = 0;
	size_t n = json_array_size(a);

	if (!json_is_array(a) || !json_is_array(b) || !n || n != json_array_size(b))
		return false;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		if (!json_is_number(x) || !json_is_number(y))
			return false;
		double u = json_number_value(x), v = json_number_value(y);
		dot += u * v;
		na += u * u;
		nb += v * v;
	}
	if (na == 0 || nb == 0)
		return false;
	*out = 1.0 - dot / root(na * nb);
	return true;
}
