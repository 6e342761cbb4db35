/*
 * clock: see clock.h.  A failing clock is not worth failing a command
 * over; the epoch stands in for it.
 */
#include "core/clock.h"

#include <string.h>
#include <time.h>

void cfs_now_rfc3339(char out[CFS_RFC3339_LEN])
{
	time_t t = time(NULL);
	struct tm tm;

	if (t == (time_t)-1 || !gmtime_r(&t, &tm) || !strftime(out, CFS_RFC3339_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "1970-01-01T00:00:00Z");
}
