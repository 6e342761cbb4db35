/*
 * clock: wall-clock timestamps as the contract writes them (cluster.md
 * conventions: RFC 3339, UTC, `Z`), for ledger records, sidecars and
 * observations.
 */
#ifndef CFS_CLOCK_H
#define CFS_CLOCK_H

#define CFS_RFC3339_LEN 32

/* The current time as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds). */
void cfs_now_rfc3339(char out[CFS_RFC3339_LEN]);

#endif
