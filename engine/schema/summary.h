/*
 * schema/summary: a loaded schema as a JSON array of its declarations
 * (kind, name, endpoints, properties with display types, constraints).
 */
#ifndef CFS_SCHEMA_SUMMARY_H
#define CFS_SCHEMA_SUMMARY_H

#include <jansson.h>

#include "engine/schema/model.h"

/* New reference. */
json_t *cfs_schema_summary(const struct cfs_schema *s);

#endif
