#!/usr/bin/env bash
# `clusterfs plan --observe` (fs.md "Reads observe, they never lock";
# engine/plan_run.c) and the events log __cluster/events.jsonl (fs.md
# "events"; ledger/events.c, engine/ops.c) end to end on worked example D:
# the observed plan with and without a held lock (authority, lock
# reported, ledger read, same digest as plan, lock file never created or
# removed), and one parseable line per apply, approve, refresh, import
# and force-unlock with the right operation, actor, ok, state revision,
# changes and error codes; nothing logged by reads or before a ledger
# folder exists; a torn last line; an unwritable log as a warning only.
# shellcheck disable=SC2016 # backticks in expected messages are literal
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

LOCK_ID=01ARZ3NDEKTSV4RRFFQ69G5FAV
OBSERVED_MSG="the state lock is held by apply (lock $LOCK_ID); this plan observed the ledger without it"
PLAN_KEYS="ok config_dir desired_revision resource_digests dependencies state_observations changes blast_radius approvals_required plan_digest diagnostics"
export CLUSTERFS_ACTOR=carol

if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 is needed to parse the events log" >&2
	exit 1
fi

# ------------------------------------------------------------------ helpers

# events_file DIR: the log of cluster DIR (storage root = config dir).
events_file() {
	echo "$T/$1/__cluster/events.jsonl"
}

# event_count DIR: lines in the log (0 when there is none).
event_count() {
	if [ -e "$(events_file "$1")" ]; then wc -l <"$(events_file "$1")"; else echo 0; fi
}

# expect_event DIR N OPERATION ACTOR OK REVISION [CHANGES [CODES]]: the log
# has N lines, each one JSON object with the members in contract order,
# and the last is this event.  ACTOR "null" = JSON null, REVISION "null" =
# none read, CHANGES "-" = member absent (not apply), CODES = the error
# codes joined by spaces (default none).
expect_event() {
	local why
	why=$(python3 - "$(events_file "$1")" "$2" "$3" "$4" "$5" "$6" "${7:--}" "${8:-}" 2>&1 <<'PY'
import json, re, sys
path, n, op, actor, ok, rev, changes, codes = sys.argv[1:]
try:
    raw = open(path, encoding="utf-8").read()
except OSError as e:
    sys.exit("no events log: %s" % e)
if not raw.endswith("\n"):
    sys.exit("the log does not end with a newline")
lines = raw.split("\n")[:-1]
if len(lines) != int(n):
    sys.exit("%d line(s), expected %s" % (len(lines), n))
for i, line in enumerate(lines):
    try:
        ev = json.loads(line)
    except ValueError as e:
        sys.exit("line %d does not parse: %s" % (i + 1, e))
    want = ["at", "operation", "actor", "ok", "state_revision"]
    want += ["changes"] if ev.get("operation") == "apply" else []
    want += ["codes", "pid"]
    if list(ev) != want:
        sys.exit("line %d members are %s" % (i + 1, list(ev)))
    if line != json.dumps(ev, separators=(",", ":"), ensure_ascii=False):
        sys.exit("line %d is not compact JSON" % (i + 1))
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ev["at"]):
        sys.exit("line %d: at is %r" % (i + 1, ev["at"]))
    if not isinstance(ev["pid"], int) or ev["pid"] <= 0:
        sys.exit("line %d: pid is %r" % (i + 1, ev["pid"]))
got = {
    "operation": ev["operation"],
    "actor": "null" if ev["actor"] is None else ev["actor"],
    "ok": json.dumps(ev["ok"]),
    "state_revision": json.dumps(ev["state_revision"]),
    "changes": json.dumps(ev["changes"]) if "changes" in ev else "-",
    "codes": " ".join(ev["codes"]),
}
exp = {"operation": op, "actor": actor, "ok": ok, "state_revision": rev, "changes": changes, "codes": codes}
bad = ["%s is %r, expected %r" % (k, got[k], exp[k]) for k in exp if got[k] != exp[k]]
if bad:
    sys.exit("last event: " + "; ".join(bad))
PY
	)
	check $? "events log of $1: $why"
}

# expect_event_count DIR N: the log has N lines.
expect_event_count() {
	local n
	n=$(event_count "$1")
	[ "$n" -eq "$2" ]
	check $? "events log of $1 has $n line(s), expected $2"
}

# lock_file DIR: a lock held by another apply.
lock_file() {
	write_file "$T/$1/__cluster/lock.json" '{\n  "version": 1,\n  "lock_id": "%s",\n  "operation": "apply",\n  "created_at": "1970-01-01T00:00:00Z",\n  "pid": 123\n}' "$LOCK_ID"
}

# plan_json DIR [ARGS...]: `clusterfs plan --config DIR --json ARGS`, flattened.
plan_json() {
	local dir=$1
	shift
	run_cfs plan --config "$dir" --json "$@"
	check_pretty_json "$T/.run/out"
	expect_stderr_empty
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
}

# ------------------------------------------------------------------ observe, no ledger yet

case_begin "plan --observe before any ledger: nothing created"
cluster c --no-graph
tree_listing c >"$T/tree.before"
plan_json c --observe
expect_exit 0
expect_keys "" "ok authority ${PLAN_KEYS#ok }"
expect_json authority observed
expect_json state_observations/state_found false
expect_json state_observations/locked false
expect_json state_observations/lock_acquired false
expect_absent state_observations/acquired_lock_id
obs_digest=$(json_get plan_digest)
tree_listing c | cmp -s - "$T/tree.before"
check $? "plan --observe wrote into the storage root"
plan_json c
expect_exit 0
expect_keys "" "$PLAN_KEYS"
[ "$(json_get plan_digest)" = "$obs_digest" ]
check $? "plan and plan --observe differ in digest before any ledger"

# ------------------------------------------------------------------ import

case_begin "import: one event"
run_cfs import --config c
expect_exit 0
expect_event c 1 import carol true 1

case_begin "failed import: one event with its code"
run_cfs import --config c
expect_exit 1
expect_event c 2 import carol false 1 - state_already_exists

# ------------------------------------------------------------------ observe vs plan

case_begin "plan --observe without a lock: same digest as plan, same text"
run_cfs plan --config c
expect_exit 0
cp "$T/.run/out" "$T/plan.human"
run_cfs plan --config c --observe
expect_exit 0
expect_stderr_empty
cmp -s "$T/plan.human" "$T/.run/out"
check $? "plan --observe prints other text than plan"
plan_json c
plain_digest=$(json_get plan_digest)
plan_json c --observe
expect_json authority observed
expect_json plan_digest "$plain_digest"
expect_json state_observations/state_found true
expect_json state_observations/state_revision 1
expect_json state_observations/lock_acquired false
expect_diag_count 0
[ ! -e c/__cluster/lock.json ]
check $? "plan --observe left a lock file"
head -1 "$T/plan.human" | grep -qxF "plan digest: $plain_digest"
check $? "human digest line differs"
expect_event_count c 2

case_begin "plan --observe with a held lock: reported, ledger read, lock kept"
lock_file c
cp c/__cluster/lock.json "$T/lock.before"
plan_json c --observe
expect_exit 0
expect_json ok true
expect_json authority observed
expect_json plan_digest "$plain_digest"
expect_json state_observations/state_found true
expect_json state_observations/state_revision 1
expect_json state_observations/locked true
expect_json state_observations/lock_id "$LOCK_ID"
expect_json state_observations/lock_operation apply
expect_json state_observations/lock_pid 123
expect_json state_observations/lock_acquired false
expect_diags <<EOF
WARN  plan_observed_lock_held __cluster/lock.json: $OBSERVED_MSG
EOF
expect_json changes/0/resource graph.knowledge
cmp -s c/__cluster/lock.json "$T/lock.before"
check $? "plan --observe touched the lock"
run_cfs plan --config c --observe
expect_exit 0
expect_line 1 "plan digest: $plain_digest"
expect_stdout_contains "WARN  plan_observed_lock_held __cluster/lock.json: $OBSERVED_MSG"
# the locking plan still refuses
plan_json c
expect_exit 1
expect_diag_prefix "ERROR state_lock_held __cluster/lock.json: "
cmp -s c/__cluster/lock.json "$T/lock.before"
check $? "plan touched the lock"
expect_event_count c 2

case_begin "plan --observe with an unreadable lock: a warning, the plan goes on"
printf 'not json' >c/__cluster/lock.json
plan_json c --observe
expect_exit 0
expect_json plan_digest "$plain_digest"
expect_diag_prefix "WARN  invalid_state_lock __cluster/lock.json: "
expect_diag "WARN  plan_observed_lock_held __cluster/lock.json: the state lock is held; this plan observed the ledger without it"
[ "$(cat c/__cluster/lock.json)" = "not json" ]
check $? "plan --observe replaced the broken lock"
cp "$T/lock.before" c/__cluster/lock.json

# ------------------------------------------------------------------ force-unlock

case_begin "force-unlock: one event, actor from CLUSTERFS_ACTOR"
run_cfs force-unlock "$LOCK_ID" --config c
expect_exit 0
expect_event c 3 force-unlock carol true null

case_begin "failed force-unlock: one event with its code"
run_cfs force-unlock "$LOCK_ID" --config c
expect_exit 1
expect_event c 4 force-unlock carol false null - state_lock_missing

case_begin "force-unlock --as is refused before anything runs"
lock_file c
run_cfs force-unlock "$LOCK_ID" --config c --as mallory
expect_exit 1
expect_event_count c 4
run_cfs force-unlock "$LOCK_ID" --config c
expect_exit 0
expect_event c 5 force-unlock carol true null

# ------------------------------------------------------------------ apply

case_begin "apply --as: one event with the applied count"
plan_json c
apply_digest=$(json_get plan_digest)
run_cfs apply --config c --as alice --plan-digest "$apply_digest"
expect_exit 0
expect_event c 6 apply alice true 2 4

case_begin "apply without --as: CLUSTERFS_ACTOR; a no-op counts 0"
run_cfs apply --config c --json
expect_exit 0
expect_event c 7 apply carol true 2 0

case_begin "a stale apply: ok false with plan_stale"
run_cfs apply --config c --plan-digest "$apply_digest"
expect_exit 1
expect_event c 8 apply carol false 2 0 plan_stale

# ------------------------------------------------------------------ refresh

case_begin "refresh: one event at the new revision"
run_cfs refresh --config c
expect_exit 0
expect_event c 9 refresh carol true 3

case_begin "refresh --as is refused before anything runs"
run_cfs refresh --config c --as mallory
expect_exit 1
expect_event_count c 9

# ------------------------------------------------------------------ approve

case_begin "approve: one event per run, failures too"
sed -i 's/^graphs:$/graphs:\n  other:\n    schema: people.pg/' c/cluster.yaml
run_cfs apply --config c --as alice
expect_exit 0
expect_event c 10 apply alice true 4 2
sed -i '/^  other:$/,+1d' c/cluster.yaml
run_cfs approve graph.other --config c --as bob
expect_exit 0
expect_event c 11 approve bob true 4
run_cfs approve graph.knowledge --config c --as bob --json
expect_exit 1
expect_event c 12 approve bob false 4 - approval_not_required
run_cfs approve graph.other --config c
expect_exit 0
expect_event c 13 approve carol true 4

case_begin "reads log nothing"
run_cfs status --config c
run_cfs validate --config c
run_cfs plan --config c
run_cfs plan --config c --observe
expect_event_count c 13

# ------------------------------------------------------------------ the log itself

case_begin "a torn last line is ended before the next event"
printf '{"at":"2024-01-0' >>"$(events_file c)"
run_cfs refresh --config c
expect_exit 0
n=$(wc -l <"$(events_file c)")
[ "$n" -eq 15 ] && [ "$(sed -n 14p "$(events_file c)")" = '{"at":"2024-01-0' ]
check $? "the torn line was not ended by a newline ($n lines)"
python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read().split("\n")[14])' "$(events_file c)"
check $? "the event after a torn line does not parse"
sed -i 14d "$(events_file c)"
expect_event c 14 refresh carol true 5

case_begin "an unwritable log: events_write_error warning, result unchanged"
mv "$(events_file c)" "$T/events.keep"
mkdir "$(events_file c)"
run_cfs refresh --config c --json
expect_exit 0
check_pretty_json "$T/.run/out"
json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
expect_json ok true
expect_diags <<EOF
WARN  events_write_error __cluster/events.jsonl: could not append to the events log: Is a directory
EOF
run_cfs refresh --config c
expect_exit 0
expect_line 3 "WARN  events_write_error __cluster/events.jsonl: could not append to the events log: Is a directory"
rmdir "$(events_file c)"
mv "$T/events.keep" "$(events_file c)"

case_begin "no ledger folder: a failing command creates none to log"
cluster fresh --no-graph
run_cfs force-unlock "$LOCK_ID" --config fresh
expect_exit 1
[ ! -e fresh/__cluster ]
check $? "a failed force-unlock created __cluster"

case_begin "a refresh that took the lock is logged, with no revision"
run_cfs refresh --config fresh
expect_exit 1
expect_event fresh 1 refresh carol false null - state_missing

case_begin "storage root elsewhere: the log is under the root"
cluster s
mkdir -p "$T/store"
sed -i 's|^metadata: {name: demo}$|metadata: {name: demo}\nstorage: ../store|' s/cluster.yaml
run_cfs import --config s
expect_exit 0
[ -f "$T/store/__cluster/events.jsonl" ] && [ ! -e s/__cluster ]
check $? "the events log is not under the storage root"

case_begin "refresh and import --plan-digest: a precondition under the lock"
cluster pd --no-graph
digest_of() { "$CLUSTERFS" plan --observe --config "$1" | sed -n 's/^plan digest: //p'; }
before=$(digest_of pd)
run_cfs import --config pd --plan-digest 0000000000000000000000000000000000000000000000000000000000000000
expect_exit 1
expect_stdout_contains "ERROR plan_stale changes: the plan changed since it was reviewed"
[ ! -e pd/__cluster/state.json ]
check $? "a stale import wrote the ledger"
expect_event pd 1 import carol false null - plan_stale
run_cfs import --config pd --plan-digest "$before"
expect_exit 0
run_cfs refresh --config pd --plan-digest "$before"
expect_exit 1
expect_stdout_contains "ERROR plan_stale"
rev=$(sed -n 's/^  "state_revision": \([0-9]*\),$/\1/p' pd/__cluster/state.json)
[ "$rev" = 1 ]
check $? "a stale refresh wrote the ledger (revision $rev)"
run_cfs refresh --config pd --plan-digest "$(digest_of pd)"
expect_exit 0
run_cfs refresh --config pd --plan-digest nonsense
expect_exit 1
expect_stdout_contains "ERROR plan_stale"

finish
