/*
 * lock: the cluster state lock (cluster.md §8).
 *
 * The lock is one object created with the store's create-if-absent, so two
 * commands can never both believe they hold it.  It carries who took it
 * (operation, pid, time) for the operator deciding whether to break it,
 * and a fresh ULID so that a command only ever removes its own lock: a
 * lock broken by force-unlock and retaken by someone else survives the
 * first holder's release.  Nothing here expires or breaks a lock.
 */
#include "ledger/lock.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/ulid.h"
#include "core/utf8.h"
#include "ledger/shape.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cfs_field lock_fields[] = {
	{ "version", NULL, cfs_shape_u32, CFS_REQUIRED, NULL },
	{ "lock_id", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "operation", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "created_at", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "pid", NULL, cfs_shape_u32, CFS_REQUIRED, NULL },
};
CFS_SHAPE(lock_shape, "StateLockFile", lock_fields);

enum parse_result { LOCK_OK, LOCK_INVALID, LOCK_VERSION };

/* Parse lock text into out (fields owned by out); *err explains LOCK_INVALID. */
static enum parse_result parse_lock(const char *data, size_t len, struct cfs_lock_info *out, struct cfs_sb *err)
{
	json_t *raw = cfs_shape_parse(data, len, err);
	json_t *o = raw ? cfs_shape_struct(raw, &lock_shape, err) : NULL;
	enum parse_result r = LOCK_INVALID;

	json_decref(raw);
	if (!o)
		return r;
	out->version = json_integer_value(json_object_get(o, "version"));
	r = out->version == 1 ? LOCK_OK : LOCK_VERSION;
	if (r == LOCK_OK) {
		out->parsed = true;
		out->lock_id = cfs_xstrdup(json_string_value(json_object_get(o, "lock_id")));
		out->operation = cfs_xstrdup(json_string_value(json_object_get(o, "operation")));
		out->created_at = cfs_xstrdup(json_string_value(json_object_get(o, "created_at")));
		out->pid = (uint32_t)json_integer_value(json_object_get(o, "pid"));
	}
	json_decref(o);
	return r;
}

/* Lock bytes, or -1 with errno (ENOENT: absent; EILSEQ: not UTF-8). */
static int get_lock(struct cfs_store *st, char **data, size_t *len)
{
	if (cfs_store_get(st, CFS_LOCK_KEY, data, len) != 0)
		return -1;
	if (!cfs_utf8_valid(*data, *len)) {
		free(*data);
		*data = NULL;
		errno = EILSEQ;
		return -1;
	}
	return 0;
}

static const char *read_error_text(int e)
{
	return e == EILSEQ ? CFS_UTF8_ERROR : strerror(e);
}

int cfs_lock_read(struct cfs_store *st, enum cfs_severity sev, struct cfs_lock_info *out, struct cfs_diags *d)
{
	struct cfs_sb err = CFS_SB_INIT;
	char *data;
	size_t len;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (get_lock(st, &data, &len) != 0) {
		if (errno == ENOENT)
			return 0;
		cfs_diag_add(d, sev, "state_lock_read_error", CFS_LOCK_KEY, "could not read state lock: %s",
			     read_error_text(errno));
		return -1;
	}
	out->present = true;
	switch (parse_lock(data, len, out, &err)) {
	case LOCK_OK:
		break;
	case LOCK_INVALID:
		cfs_diag_add(d, sev, "invalid_state_lock", CFS_LOCK_KEY, "could not parse state lock: %s", cfs_sb_str(&err));
		rc = -1;
		break;
	case LOCK_VERSION:
		cfs_diag_add(d, sev, "unsupported_state_lock_version", CFS_LOCK_KEY,
			     "unsupported cluster state lock version %lld", out->version);
		rc = -1;
		break;
	}
	cfs_sb_release(&err);
	free(data);
	return rc;
}

void cfs_lock_info_release(struct cfs_lock_info *l)
{
	free(l->lock_id);
	free(l->operation);
	free(l->created_at);
	memset(l, 0, sizeof(*l));
}

/* The §8 file: pretty JSON, keys in this order, no trailing newline. */
static char *encode_lock(const char *id, const char *op, const char *created_at, uint32_t pid)
{
	json_t *o = json_object();
	char *s;
	size_t n;

	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "lock_id", json_string(id));
	json_object_set_new(o, "operation", json_string(op));
	json_object_set_new(o, "created_at", json_string(created_at));
	json_object_set_new(o, "pid", json_integer(pid));
	s = cfs_json_pretty(o);
	json_decref(o);
	n = strlen(s);
	if (n && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

/* What the holder left, for the state_lock_held report: present always
 * (we just failed to create it), metadata when it parses. */
static void observe_holder(struct cfs_store *st, struct cfs_lock_info *held)
{
	struct cfs_sb err = CFS_SB_INIT;
	char *data;
	size_t len;

	memset(held, 0, sizeof(*held));
	held->present = true;
	if (get_lock(st, &data, &len) == 0) {
		(void)parse_lock(data, len, held, &err);
		free(data);
	}
	cfs_sb_release(&err);
}

int cfs_lock_acquire(struct cfs_store *st, const char *op, char **lock_id, struct cfs_lock_info *held,
		     struct cfs_diags *d)
{
	char id[CFS_ULID_LEN + 1], now[CFS_RFC3339_LEN];
	char *payload;
	int rc, e;

	*lock_id = NULL;
	memset(held, 0, sizeof(*held));
	if (cfs_ulid_new(id) != 0) {
		cfs_diag_error(d, "state_lock_error", CFS_LOCK_KEY, "could not write state lock: %s",
			       "no random source for the lock id");
		return -1;
	}
	cfs_now_rfc3339(now);
	payload = encode_lock(id, op, now, (uint32_t)getpid());
	rc = cfs_store_put_new(st, CFS_LOCK_KEY, payload, strlen(payload));
	e = errno;
	free(payload);
	if (rc == 0) {
		*lock_id = cfs_xstrdup(id);
		return 0;
	}
	if (e != EEXIST) {
		cfs_diag_error(d, "state_lock_error", CFS_LOCK_KEY, "could not write state lock: %s", strerror(e));
		return -1;
	}
	observe_holder(st, held);
	if (held->parsed)
		cfs_diag_error(d, "state_lock_held", CFS_LOCK_KEY,
			       "cluster state lock already exists (lock id %s); run `clusterfs force-unlock %s` only "
			       "after confirming no cluster operation is active", held->lock_id, held->lock_id);
	else
		cfs_diag_error(d, "state_lock_held", CFS_LOCK_KEY,
			       "cluster state lock already exists; remove it only after confirming no cluster "
			       "operation is active");
	return -1;
}

void cfs_lock_release(struct cfs_store *st, const char *lock_id)
{
	struct cfs_lock_info cur;
	struct cfs_sb err = CFS_SB_INIT;
	char *data;
	size_t len;

	if (!lock_id || get_lock(st, &data, &len) != 0)
		return;
	memset(&cur, 0, sizeof(cur));
	if (parse_lock(data, len, &cur, &err) == LOCK_OK && !strcmp(cur.lock_id, lock_id))
		(void)cfs_store_delete(st, CFS_LOCK_KEY);   /* best effort: force-unlock is the repair */
	cfs_lock_info_release(&cur);
	cfs_sb_release(&err);
	free(data);
}

/* ------------------------------------------------------------ age */

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

static int expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return -1;
	(*p)++;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* RFC 3339 date-time -> Unix seconds; -1 if s is not one. */
static int parse_rfc3339(const char *s, long long *out)
{
	const char *p = s;
	int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;

	if (digits(&p, 4, &Y) || expect(&p, "-") || digits(&p, 2, &M) || expect(&p, "-") || digits(&p, 2, &D) ||
	    expect(&p, "Tt") || digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &m) || expect(&p, ":") ||
	    digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else {
		sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
		if (!sign)
			return -1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 || m > 59 || sec > 59)
		return -1;
	*out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}

long long cfs_lock_age_seconds(const char *created_at)
{
	long long t;

	if (!created_at || parse_rfc3339(created_at, &t) != 0)
		return -1;
	long long age = (long long)time(NULL) - t;
	return age < 0 ? 0 : age;
}
