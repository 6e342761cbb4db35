/*
 * fs/mount: the entry point of `clusterfs mount` (fs.md; clusterfs-mount(8)).
 */
#ifndef CFS_FS_MOUNT_H
#define CFS_FS_MOUNT_H

/* argv[0] is "mount".  Returns the exit code: 0 after a clean unmount,
 * 1 on failure, 2 on a usage error. */
int cfs_mount_main(int argc, char **argv);

#endif
