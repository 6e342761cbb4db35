/*
 * replay: main() for the fuzz entry points when libFuzzer is not linked:
 * feeds each file named on the command line (directories are walked
 * recursively) to LLVMFuzzerTestOneInput.  Lets ctest keep the harness compiling
 * and the corpus crash-free under the sanitizer build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	char *data;
	size_t len;

	if (cfs_read_file(path, &data, &len)) {
		perror(path);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	return 0;
}

static int run_path(const char *path, size_t *n);

static int run_dir(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!dp) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = cfs_xasprintf("%s/%s", dir, de->d_name);
		rc |= run_path(p, n);
		free(p);
	}
	closedir(dp);
	return rc;
}

static int run_path(const char *path, size_t *n)
{
	struct stat st;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return run_dir(path, n);
	(*n)++;
	return run_file(path);
}

int main(int argc, char **argv)
{
	size_t n = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &n);
	printf("replayed %zu input(s)\n", n);
	return rc || !n;
}
