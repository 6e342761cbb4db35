/*
 * render: the human text of every control-plane report (cluster.md §16),
 * written to a stream.  The CLI renders to stdout; the mount renders into
 * memory (open_memstream) so `cat MOUNT/plan` is byte-for-byte what
 * `clusterfs plan` prints.  The JSON twins are the *_report_json
 * functions next to each command.
 */
#ifndef CFS_RENDER_H
#define CFS_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/diag.h"

struct cfs_change;
struct cfs_validate_report;
struct cfs_plan_report;
struct cfs_apply_report;
struct cfs_status_report;
struct cfs_approve_report;
struct cfs_force_unlock_report;

/* The diagnostics block (cluster.md §16). */
void cfs_render_diags(const struct cfs_diags *d, FILE *out);
/* "  <Create|Update|Delete> <addr>[ [bindings]]", without the newline. */
void cfs_render_change_head(const struct cfs_change *c, FILE *out);
/* " (id=..., operation=..., pid=..., created_at=..., age_seconds=...)" of a
 * state_observations object, "" when it names no lock.  Caller frees. */
char *cfs_render_lock_summary(const json_t *obs);

void cfs_render_validate(const struct cfs_validate_report *r, FILE *out);
void cfs_render_plan(const struct cfs_plan_report *r, FILE *out);
void cfs_render_apply(const struct cfs_apply_report *r, FILE *out);
void cfs_render_status(const struct cfs_status_report *r, FILE *out);
void cfs_render_approve(const struct cfs_approve_report *r, FILE *out);
void cfs_render_force_unlock(const struct cfs_force_unlock_report *r, FILE *out);
/* refresh / import: report as returned by cfs_state_sync. */
void cfs_render_state_sync(const json_t *report, const struct cfs_diags *d, bool import, FILE *out);

#endif
