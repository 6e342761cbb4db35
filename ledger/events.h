/*
 * ledger/events: the operations log __cluster/events.jsonl (fs.md
 * "events"): one compact JSON object per line, appended once per
 * mutating operation (apply, approve, refresh, import, force-unlock),
 * from the CLI and the mount alike, so `tail -f MOUNT/events` follows
 * the cluster.  Local storage roots only (an object store has no
 * append; a backend would keep one object per event instead).
 */
#ifndef CFS_LEDGER_EVENTS_H
#define CFS_LEDGER_EVENTS_H

#include <jansson.h>

#define CFS_EVENTS_KEY "__cluster/events.jsonl"

/*
 * Append event (compact, keys in insertion order, one line, one write(2)
 * with O_APPEND, then fsync) to <storage_root>/__cluster/events.jsonl,
 * creating __cluster/ and the file when missing.  0 or -1 with errno.
 */
int cfs_events_append(const char *storage_root, const json_t *event);

#endif
