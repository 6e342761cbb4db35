/*
 * mount: `clusterfs mount [--config DIR] MOUNTPOINT [-f] [-d] [-o OPTS]`
 * (fs.md).  Its arguments follow FUSE conventions (-f, -d, -o a,b), so
 * fs/mount.c parses them itself; this table entry only names the command.
 */
#include "cli/cli.h"
#include "fs/mount.h"

const struct cli_cmd cli_mount_cmd = {
	"mount", "mount [--config DIR] MOUNTPOINT [-f] [-d] [-o OPTS]",
	"Serve the cluster as a FUSE filesystem (see clusterfs-mount(8)).",
	NULL, 1, 1, NULL, false,
};

int cmd_mount(int argc, char **argv)
{
	return cfs_mount_main(argc, argv);
}
