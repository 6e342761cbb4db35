#!/usr/bin/env bash
# `make demo` end to end: contrib/demo.sh mounts a copy of contrib/example
# and drives import, plan, apply and status through the mount's files, a
# data load and query, a schema and query edit in desired/ reviewed with
# diff against applied/ and applied by plan digest, and a graph delete
# approved by writing into approvals/, then unmounts.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

case_begin "the demo runs to the end"
TMPDIR="$T" sh "$CFS_SRC/contrib/demo.sh" "$CLUSTERFS" >demo.out 2>demo.err
rc=$?
check $rc "demo.sh failed ($rc): $(tail -5 demo.err demo.out | tr '\n' ' ')"
for line in \
	"cluster config valid: 17 resource(s), 26 dependency edge(s)" \
	"cluster import: revision 1, 0 resource(s)" \
	"  state: revision 2, converged: true, written: true" \
	"      \"Brian\"," \
	"      {\"kind\":\"drop_property\",\"type_kind\":\"node\",\"type_name\":\"Person\",\"property_name\":\"joined\",\"mode\":\"soft\"}" \
	"  Delete graph.audit Blocked: approval_required" \
	"  Delete graph.audit Applied" \
	"cluster state: revision 5, 13 resource(s)" \
	"==> graphs/audit.omni is gone; the ledger keeps its tombstone" \
	"(apply refused the delete: no approval yet)" \
	"<   joined: Date?" \
	"  \"satisfied\": false," \
	"\$ tail -n 4 events"; do
	grep -qxF -- "$line" demo.out
	check $? "demo output lacks the line: $line"
done
grep -q 'echo: write error: Permission denied' demo.err
check $? "the refused apply did not fail with EACCES"
[ "$(grep -c '"operation":"apply"' demo.out)" -eq 3 ]
check $? "events does not show the last three applies"
! grep -q " $T/clusterfs-demo[^ ]*/mnt " /proc/mounts
check $? "the demo left its mount behind"
[ -z "$(ls "$T" | grep clusterfs-demo)" ]
check $? "the demo left its working copy behind"
git -C "$CFS_SRC" diff --quiet -- contrib/example 2>/dev/null
check $? "the demo modified contrib/example"

finish
