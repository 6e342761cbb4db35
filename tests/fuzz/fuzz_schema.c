/*
 * fuzz_schema: libFuzzer entry for the .pg loader (S1-S6).  Any input must
 * either load or be refused with a message; crashes, leaks and sanitizer
 * reports are the bugs this finds.  Built two ways: with clang
 * -fsanitize=fuzzer by `make fuzz`, and with replay.c's main() as a ctest
 * that runs the schema fixtures through the same entry point.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/schema/model.h"
#include "engine/schema/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfs_schema s;
	char *err = NULL;

	if (cfs_schema_load((const char *)data, size, &s, &err) == CFS_SCHEMA_OK) {
		/* walk the model the way consumers do */
		json_decref(cfs_schema_summary(&s));
		for (size_t i = 0; i < s.ntypes; i++)
			for (size_t j = 0; j < s.types[i].nprops; j++)
				(void)cfs_type_prop(&s.types[i], s.types[i].props[j].name);
		cfs_schema_free(&s);
	} else if (!err || !*err) {
		abort();        /* a refusal always carries a message */
	}
	free(err);
	return 0;
}
