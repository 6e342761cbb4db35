/*
 * fuzz_query: libFuzzer entry for the .gq parser (and, when the input
 * parses, lookups over the result).  Same two builds as fuzz_schema.c:
 * `make fuzz` and the ctest replay over tests/fuzz/corpus/query and the
 * query fixtures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/query/ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfs_query_list l;
	char *err = NULL;

	if (cfs_query_parse((const char *)data, size, &l, &err) == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (cfs_query_find(&l, l.v[i].name) == NULL)
				abort();        /* every parsed name must be found */
		cfs_query_list_free(&l);
	} else if (!err || !*err) {
		abort();                /* a refusal always carries a message */
	}
	free(err);
	return 0;
}
