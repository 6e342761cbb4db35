/*
 * fsutil: the durable file primitives of architecture.md "Durability rules".
 * Every function returns 0 on success or -1 with errno set; none prints.
 */
#ifndef CFS_FSUTIL_H
#define CFS_FSUTIL_H

#include <stddef.h>

/*
 * Read a whole file.  On success *data is NUL-terminated (the NUL is not
 * counted in *len) and the caller frees it.
 */
int cfs_read_file(const char *path, char **data, size_t *len);

/*
 * Read a whole source file that must be UTF-8 text.  On failure *why is
 * the reason to show a user (strerror, or CFS_UTF8_ERROR from utf8.h) and
 * nothing is allocated.
 */
int cfs_read_text(const char *path, char **data, size_t *len, const char **why);

/*
 * Replace path with data atomically: write a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory.  A crash
 * leaves either the old or the new content, never a mix.
 */
int cfs_write_atomic(const char *path, const void *data, size_t len);

/*
 * Create path with data only if it does not exist (errno EEXIST otherwise).
 * The content is written to a temporary name, fsync'd, then link()ed into
 * place, so a reader never sees a half-written file under the final name.
 */
int cfs_create_excl(const char *path, const void *data, size_t len);

/* mkdir -p; existing directories are fine. */
int cfs_mkdirs(const char *path, unsigned mode);

/* fsync the directory containing path (or path itself if it is a dir). */
int cfs_fsync_dir(const char *dir);

#endif
