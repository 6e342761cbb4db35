/*
 * failpoint: the crash- and error-injection hooks of cluster.md §17.  The
 * variable is parsed afresh on every call, without allocating: it is short,
 * the points sit on durable (already slow) steps, and a test can then arm a
 * point per process or per step with no reset call and no global state.
 */
#include "core/failpoint.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAILPOINT_ENV "CLUSTERFS_FAILPOINTS"
/* The exit status of a `crash`, as if killed by SIGKILL (128 + 9). */
#define CRASH_STATUS 137
/* A day: far longer than any test wants, short enough not to overflow. */
#define SLEEP_MAX_MS 86400000ULL

/* A slice [p, p+len) of the variable. */
struct span {
	const char *p;
	size_t len;
};

static struct span trim(const char *p, size_t len)
{
	while (len > 0 && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	return (struct span){ p, len };
}

static bool span_is(struct span s, const char *word)
{
	return s.len == strlen(word) && !memcmp(s.p, word, s.len);
}

/* "sleep(<ms>)" with only digits (and blanks around them) inside. */
static bool parse_sleep(struct span act, unsigned long long *ms)
{
	static const char head[] = "sleep(";
	size_t hlen = sizeof(head) - 1;
	struct span num;

	if (act.len < hlen + 1 || memcmp(act.p, head, hlen) || act.p[act.len - 1] != ')')
		return false;
	num = trim(act.p + hlen, act.len - hlen - 1);
	if (num.len == 0)
		return false;
	*ms = 0;
	for (size_t i = 0; i < num.len; i++) {
		if (!isdigit((unsigned char)num.p[i]))
			return false;
		*ms = *ms * 10 + (unsigned long long)(num.p[i] - '0');
		if (*ms > SLEEP_MAX_MS)
			return false;
	}
	return true;
}

static void sleep_ms(unsigned long long ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ms / 1000),
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	/* a signal must not cut the delay a test is counting on */
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Carry out one armed item's action; an unknown action fails the step. */
static int run_action(struct span act)
{
	unsigned long long ms;

	if (act.len == 0 || span_is(act, "error")) {
		errno = EIO;
		return -1;
	}
	if (span_is(act, "crash"))
		_exit(CRASH_STATUS);
	if (parse_sleep(act, &ms)) {
		sleep_ms(ms);
		return 0;
	}
	/* a typo in a test's variable should show, not pass silently */
	errno = EIO;
	return -1;
}

/*
 * Items are "name" or "name=action", separated by ';', with blanks allowed
 * around each part.  The first item naming this point decides.  -1 (errno
 * EIO) for an `error`, so I/O-style callers can pass it up unchanged.
 */
int cfs_failpoint(const char *name)
{
	const char *spec = getenv(FAILPOINT_ENV);

	if (!spec || !name || !*name)
		return 0;
	for (const char *p = spec; *p;) {
		size_t len = strcspn(p, ";");
		const char *eq = memchr(p, '=', len);
		struct span item_name = trim(p, eq ? (size_t)(eq - p) : len);

		if (span_is(item_name, name)) {
			struct span act = eq ? trim(eq + 1, len - (size_t)(eq - p) - 1)
					     : (struct span){ p + len, 0 };
			return run_action(act);
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}
