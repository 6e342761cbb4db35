/*
 * ulid: 26-character uppercase Crockford base32 ULIDs (48-bit millisecond
 * timestamp + 80 random bits from OpenSSL's CSPRNG), used for lock ids,
 * recovery sidecars and approval artifacts.
 */
#ifndef CFS_ULID_H
#define CFS_ULID_H

#include <stdint.h>

#define CFS_ULID_LEN 26

/* Returns 0, or -1 if the random source failed. */
int cfs_ulid_new(char out[CFS_ULID_LEN + 1]);
/* Same, with an explicit timestamp (for tests). */
int cfs_ulid_at(uint64_t unix_ms, char out[CFS_ULID_LEN + 1]);
/* 1 if s is a well-formed ULID, else 0. */
int cfs_ulid_valid(const char *s);

#endif
