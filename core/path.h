/*
 * path: joining and checking paths that come from configuration.
 *
 * A path declared in cluster.yaml must stay inside the config directory:
 * not absolute, no ".." that climbs out, and no symlink (at any component)
 * that resolves outside.  The check is what lets the config folder be
 * reviewed, mounted and versioned as one self-contained unit.
 */
#ifndef CFS_PATH_H
#define CFS_PATH_H

#include <stdbool.h>

/* "dir" + "/" + "rel", without normalization ("cb" + "./a" -> "cb/./a").
 * An absolute rel is returned as is.  Caller frees. */
char *cfs_path_join(const char *dir, const char *rel);

/* Lexically absolute: cwd prepended if relative, "." and empty components
 * removed, ".." kept, no trailing '/' (except for "/").  Caller frees;
 * NULL with errno if the cwd cannot be read. */
char *cfs_path_absolute(const char *path);

enum cfs_path_verdict {
	CFS_PATH_INSIDE = 0,
	CFS_PATH_ABSOLUTE,      /* declared path is absolute */
	CFS_PATH_DOTDOT,        /* ".." climbs above the base lexically */
	CFS_PATH_SYMLINK,       /* an existing component resolves outside the base */
};

/*
 * Check that rel, resolved against base, stays inside base.  Components
 * that do not exist (yet) are judged lexically only; existing ones are
 * resolved with realpath().  Returns the verdict.
 */
enum cfs_path_verdict cfs_path_check(const char *base, const char *rel);
const char *cfs_path_verdict_str(enum cfs_path_verdict v);  /* human reason */

#endif
