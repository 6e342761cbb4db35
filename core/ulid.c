/*
 * ulid: time-ordered unique ids for locks, recovery sidecars and approvals.
 * The timestamp prefix makes ids sort by creation time as plain strings; the
 * random tail comes from OpenSSL so ids cannot be guessed or collide.
 */
#include "core/ulid.h"

#include <errno.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#define TIME_CHARS 10
#define RAND_BYTES 10
#define MAX_MS ((UINT64_C(1) << 48) - 1)

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* 48 bits in 10 chars leaves 2 spare bits on top, hence the '7' bound in
 * cfs_ulid_valid. */
static void encode_time(uint64_t ms, char *out)
{
	for (int i = TIME_CHARS - 1; i >= 0; i--) {
		out[i] = alphabet[ms & 31];
		ms >>= 5;
	}
}

/* 80 bits are exactly 16 five-bit groups; read them as one big-endian
 * bit stream. */
static void encode_random(const unsigned char r[RAND_BYTES], char *out)
{
	unsigned int acc = 0, bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < RAND_BYTES; i++) {
		acc = (acc << 8) | r[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = alphabet[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
}

int cfs_ulid_at(uint64_t unix_ms, char out[CFS_ULID_LEN + 1])
{
	unsigned char r[RAND_BYTES];

	/* A wider time would not fit the format; truncating it silently would
	 * break the sort order the ids exist for. */
	if (unix_ms > MAX_MS) {
		errno = EINVAL;
		return -1;
	}
	if (RAND_bytes(r, (int)sizeof(r)) != 1) {
		errno = EIO;
		return -1;
	}
	encode_time(unix_ms, out);
	encode_random(r, out + TIME_CHARS);
	out[CFS_ULID_LEN] = '\0';
	return 0;
}

int cfs_ulid_new(char out[CFS_ULID_LEN + 1])
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return cfs_ulid_at(ms, out);
}

int cfs_ulid_valid(const char *s)
{
	if (!s || strlen(s) != CFS_ULID_LEN)
		return 0;
	if (s[0] > '7')
		return 0;
	for (size_t i = 0; i < CFS_ULID_LEN; i++)
		if (!strchr(alphabet, s[i]))
			return 0;
	return 1;
}
