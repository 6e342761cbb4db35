/*
 * events: the append-only operations log (events.h).  Each event is one
 * write(2) of a whole line on an O_APPEND descriptor, so concurrent
 * writers (the mount and any CLI) never interleave inside a line.  A
 * crash can still leave a last line without its newline; the next append
 * ends that line first, so a torn line costs one unparseable line, never
 * the one after it (which is why the log is opened O_RDWR: to read its
 * last byte).  The check and the write happen under flock() so two
 * writers repairing the same torn line add one newline, not two.
 */
#include "ledger/events.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define EVENTS_DIR "__cluster"
#define DIR_MODE 0755
#define FILE_MODE 0644

/* True when the file is non-empty and its last byte is not '\n'. */
static int ends_torn(int fd, bool *torn)
{
	struct stat st;
	char last;

	*torn = false;
	if (fstat(fd, &st) != 0)
		return -1;
	if (st.st_size == 0)
		return 0;
	ssize_t n = pread(fd, &last, 1, st.st_size - 1);
	if (n != 1) {
		if (n == 0)
			errno = EIO;    /* truncated under us */
		return -1;
	}
	*torn = last != '\n';
	return 0;
}

/* One write(2) of the whole line: a short one (a full disk) is a failure,
 * and the torn line it leaves is ended by the next append. */
static int one_write(int fd, const char *line, size_t len)
{
	ssize_t n = write(fd, line, len);

	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* The line to write: [\n]<compact event>\n.  Caller frees. */
static char *event_line(int fd, const json_t *event, size_t *len)
{
	bool torn;
	char *compact, *line;

	if (ends_torn(fd, &torn) != 0)
		return NULL;
	compact = cfs_json_compact(event, 0);
	line = cfs_xasprintf("%s%s\n", torn ? "\n" : "", compact);
	free(compact);
	*len = strlen(line);
	return line;
}

/* Open (creating) the log; a new file's name is made durable too. */
static int open_log(const char *dir, const char *path)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT)
		return fd;
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, FILE_MODE);
	if (fd >= 0 && cfs_fsync_dir(dir) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int append_locked(int fd, const json_t *event)
{
	size_t len;
	char *line;
	int rc;

	if (flock(fd, LOCK_EX) != 0)
		return -1;
	line = event_line(fd, event, &len);
	rc = line ? one_write(fd, line, len) : -1;
	if (rc == 0)
		rc = fsync(fd);
	free(line);
	return rc;
}

int cfs_events_append(const char *storage_root, const json_t *event)
{
	char *dir = cfs_xasprintf("%s/" EVENTS_DIR, storage_root);
	char *path = cfs_xasprintf("%s/%s", storage_root, CFS_EVENTS_KEY);
	int fd, rc = -1, e;

	if (mkdir(dir, DIR_MODE) == 0) {
		if (cfs_fsync_dir(storage_root) != 0)
			goto out;
	} else if (errno != EEXIST) {
		goto out;
	}
	fd = open_log(dir, path);
	if (fd < 0)
		goto out;
	rc = append_locked(fd, event);
	e = errno;
	close(fd);     /* releases the flock */
	errno = e;
out:
	e = errno;
	free(dir);
	free(path);
	errno = e;
	return rc;
}
