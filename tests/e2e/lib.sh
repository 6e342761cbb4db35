# tests/e2e/lib.sh: shared helpers for the black-box tests of clusterfs.
#
# Sourced by every tests/e2e/tNNNN-*.sh script.  The test drives the built
# binary ($CLUSTERFS) against fixture folders ($CFS_FIXTURES/validate/<case>),
# each copied into a private temp dir first so that tests never write into
# the source tree and relative --config strings stay short and predictable.
#
# Checks never abort the script: each failed check prints one "FAIL [case]"
# line (plus, once per case, the command and its captured output) and the
# script ends with `finish`, which prints "ok: N checks" or the failure count
# and sets the exit status.
#
# JSON is checked without jq or python: `json_flatten` (POSIX awk) parses the
# pretty-printed report (2-space indent, one member per line), verifies that
# layout, and turns it into records that the expect_* helpers grep.

# shellcheck disable=SC2034 # constants for the sourcing tests
set -u

if [ -z "${CLUSTERFS:-}" ] || [ ! -x "$CLUSTERFS" ]; then
	echo "FAIL: CLUSTERFS must name the built clusterfs binary (got '${CLUSTERFS:-}')" >&2
	exit 1
fi
if [ -z "${CFS_FIXTURES:-}" ] || [ ! -d "$CFS_FIXTURES" ]; then
	echo "FAIL: CFS_FIXTURES must name tests/fixtures (got '${CFS_FIXTURES:-}')" >&2
	exit 1
fi
case "$CLUSTERFS" in
/*) ;;
*) CLUSTERFS="$PWD/$CLUSTERFS" ;;
esac
case "$CFS_FIXTURES" in
/*) ;;
*) CFS_FIXTURES="$PWD/$CFS_FIXTURES" ;;
esac
case "${CFS_SRC:-}" in
"" | /*) ;;
*) CFS_SRC="$PWD/$CFS_SRC" ;;
esac

# Deterministic environment: English strerror text, no failpoints, no
# per-operator configuration leaking in from the developer's home.
export LC_ALL=C
unset CLUSTERFS_FAILPOINTS
T=$(mktemp -d "${TMPDIR:-/tmp}/cfs-e2e.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/.run" "$T/.v" "$T/home"
export HOME="$T/home"
cd "$T" || exit 1

CHECKS=0
FAILS=0
CASE="-"
CASE_DUMPED=0
LAST_CMD=""
RC=""

# Known digests from cluster.md §5.6.
SCHEMA_A_DIGEST=3dc78563c26fd207793d549d050ab51123a6609b9bada73c7864a73c5d17856e
POLICY_A_DIGEST=7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8
QUERY_A_DIGEST=fce5cb9af8c8c3615b3a188d1fe626319283f7d4fc5f55b678d81765aed88950
DENY_MSG='effective policy is deny: new external Blob URI references will be rejected; existing stored references remain readable'
ENOENT='No such file or directory'

# ---------------------------------------------------------------- bookkeeping

# case_begin NAME: start a named group of checks (used in failure lines).
case_begin() {
	CASE=$1
	CASE_DUMPED=0
}

pass() {
	CHECKS=$((CHECKS + 1))
}

# dump_last: show what the last command printed (once per failing case).
dump_last() {
	[ "$CASE_DUMPED" = 1 ] && return 0
	CASE_DUMPED=1
	echo "    command: $LAST_CMD"
	echo "    exit: $RC"
	local f
	for f in "$T/.run/out" "$T/.run/err"; do
		echo "    --- ${f##*/} ---"
		sed -n '1,60s/^/    | /p' "$f" 2>/dev/null
	done
}

fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL [$CASE] $*"
	dump_last
}

# check COND_STATUS MESSAGE: pass if the status is 0, else fail with MESSAGE.
check() {
	if [ "$1" -eq 0 ]; then pass; else fail "$2"; fi
}

finish() {
	if [ "$FAILS" -eq 0 ]; then
		echo "ok: $CHECKS checks"
		exit 0
	fi
	echo "FAILED: $FAILS of $CHECKS checks"
	exit 1
}

# ---------------------------------------------------------------- fixtures

# stage CASE [DEST]: copy fixture folder validate/CASE to ./DEST (default CASE).
stage() {
	local src="$CFS_FIXTURES/validate/$1" dest="${2:-$1}"
	if [ ! -d "$src" ]; then
		echo "FAIL: missing fixture $src" >&2
		exit 1
	fi
	rm -rf "${T:?}/$dest"
	cp -R "$src" "$T/$dest"
}

# write_file PATH FORMAT [ARGS...]: printf exact bytes into PATH (dirs made).
write_file() {
	local path=$1
	shift
	mkdir -p "$(dirname "$path")"
	# shellcheck disable=SC2059
	printf "$@" >"$path"
}

sha256_file() {
	sha256sum <"$1" | cut -d' ' -f1
}

# sha256_printf FORMAT [ARGS...]: digest of printf's output (NULs allowed).
sha256_printf() {
	# shellcheck disable=SC2059
	printf "$@" | sha256sum | cut -d' ' -f1
}

# graph_digest ID SCHEMA_DIGEST [q NAME DIGEST]... [p ADDRESS DIGEST] [b JSON]
# The composite of cluster.md §5.2.  Queries must be given sorted by name.
graph_digest() {
	local id=$1 schema=$2
	shift 2
	{
		printf 'graph\0%s\0schema\0%s\0' "$id" "$schema"
		while [ $# -gt 0 ]; do
			case $1 in
			q) printf 'query\0%s\0%s\0' "$2" "$3"; shift 3 ;;
			p) printf 'embedding_provider\0%s\0%s\0' "$2" "$3"; shift 3 ;;
			b) printf 'external_blob_policy\0%s\0' "$2"; shift 2 ;;
			*) echo "graph_digest: bad argument $1" >&2; return 1 ;;
			esac
		done
	} | sha256sum | cut -d' ' -f1
}

# provider_digest JSON: digest of a provider profile (cluster.md §5.3).
provider_digest() {
	sha256_printf 'embedding-provider\0%s' "$1"
}

# tree_listing DIR: every path under DIR with its type, sorted.
tree_listing() {
	(cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort)
}

# ---------------------------------------------------------------- running

# run_cfs ARGS...: run the binary in the current directory; stdout, stderr and
# the exit status land in $T/.run/out, $T/.run/err and $RC.
run_cfs() {
	LAST_CMD="clusterfs $*"
	if command -v timeout >/dev/null 2>&1; then
		timeout 60 "$CLUSTERFS" "$@" >"$T/.run/out" 2>"$T/.run/err" </dev/null
	else
		"$CLUSTERFS" "$@" >"$T/.run/out" 2>"$T/.run/err" </dev/null
	fi
	RC=$?
}

# run_cfs_in DIR ARGS...: run_cfs with DIR as the working directory.
run_cfs_in() {
	local dir=$1
	shift
	cd "$dir" || exit 1
	run_cfs "$@"
	cd "$T" || exit 1
}

expect_exit() {
	[ "$RC" = "$1" ]
	check $? "exit status $RC, expected $1"
}

expect_stdout_empty() {
	[ ! -s "$T/.run/out" ]
	check $? "stdout is not empty"
}

expect_stderr_empty() {
	[ ! -s "$T/.run/err" ]
	check $? "stderr is not empty"
}

expect_stdout_nonempty() {
	[ -s "$T/.run/out" ]
	check $? "stdout is empty"
}

expect_stderr_nonempty() {
	[ -s "$T/.run/err" ]
	check $? "stderr is empty"
}

expect_stdout_contains() {
	grep -qF -- "$1" "$T/.run/out"
	check $? "stdout does not contain: $1"
}

expect_stderr_contains() {
	grep -qF -- "$1" "$T/.run/err"
	check $? "stderr does not contain: $1"
}

# expect_stdout_icontains STR: case-insensitive substring on stdout.
expect_stdout_icontains() {
	grep -qiF -- "$1" "$T/.run/out"
	check $? "stdout does not contain (any case): $1"
}

expect_stderr_icontains() {
	grep -qiF -- "$1" "$T/.run/err"
	check $? "stderr does not contain (any case): $1"
}

expect_stdout_equals() {
	printf '%s\n' "$1" | cmp -s - "$T/.run/out"
	check $? "stdout is not exactly: $1"
}

expect_stderr_lines() {
	local n
	n=$(wc -l <"$T/.run/err")
	# A last line without newline still counts as a line.
	if [ -s "$T/.run/err" ] && [ -n "$(tail -c1 "$T/.run/err")" ]; then
		n=$((n + 1))
	fi
	[ "$n" -eq "$1" ]
	check $? "stderr has $n line(s), expected $1"
}

# ---------------------------------------------------------------- JSON

# json_flatten FILE: parse the pretty JSON report in FILE and print records
#   K <TAB> parent-path <TAB> key        one per object member, in order
#   V <TAB> path <TAB> value             one per scalar or empty container
# Paths join keys and array indexes with "/" (resources/0/address).  Strings
# are unescaped (\" \\ \/; other escapes are kept as written).  Layout errors
# (indent other than 2 per level, misplaced commas, several top-level values,
# anything that is not one member or element per line) are printed as
#   E <TAB> line-number <TAB> message
# and stop the parse.
json_flatten() {
	awk '
	function err(msg) { printf "E\t%d\t%s\n", NR, msg; bad = 1; exit 0 }
	# jstr: s starts right after an opening quote; returns the unescaped text
	# and leaves whatever follows the closing quote in REST.
	function jstr(s,   out, i, n, c) {
		out = ""; n = length(s); i = 1
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "\\") {
				i++; c = substr(s, i, 1)
				if (c == "\"" || c == "\\" || c == "/") out = out c
				else out = out "\\" c
			} else if (c == "\"") {
				REST = substr(s, i + 1); return out
			} else out = out c
			i++
		}
		err("unterminated string")
	}
	function child(name) { return (path[d] == "" ? name : path[d] "/" name) }
	BEGIN { d = 0; done = 0; bad = 0 }
	{
		line = $0
		match(line, /^ */); ind = RLENGTH
		s = substr(line, ind + 1)
		if (s == "") err("blank line")
		if (done) err("content after the top-level value")
		if (d == 0) {
			if (s != "{" || ind != 0) err("report must start with a lone {")
			d = 1; type[1] = "o"; path[1] = ""; items[1] = 0; comma[1] = 0
			next
		}
		if (s ~ /^[]}],?$/) {
			want = (type[d] == "o") ? "}" : "]"
			if (substr(s, 1, 1) != want) err("mismatched closing bracket")
			if (ind != 2 * (d - 1)) err("closing bracket indented " ind)
			if (items[d] > 0 && comma[d]) err("trailing comma before closing bracket")
			d--
			if (d == 0) {
				if (s != "}") err("comma after the top-level object")
				done = 1; next
			}
			comma[d] = (s ~ /,$/)
			next
		}
		if (ind != 2 * d) err("member indented " ind ", expected " 2 * d)
		if (items[d] > 0 && !comma[d]) err("missing comma between members")
		items[d]++
		if (type[d] == "o") {
			if (substr(s, 1, 1) != "\"") err("object member without a quoted key")
			key = jstr(substr(s, 2))
			if (substr(REST, 1, 2) != ": ") err("key not followed by \": \"")
			v = substr(REST, 3)
			printf "K\t%s\t%s\n", path[d], key
			p = child(key)
		} else {
			v = s
			p = child(items[d] - 1)
		}
		comma[d] = 0
		if (v == "{" || v == "[") {
			d++; type[d] = (v == "{") ? "o" : "a"; path[d] = p; items[d] = 0; comma[d] = 0
			next
		}
		if (v ~ /,$/) { comma[d] = 1; v = substr(v, 1, length(v) - 1) }
		if (v == "{}" || v == "[]") { printf "V\t%s\t%s\n", p, v; next }
		if (substr(v, 1, 1) == "\"") {
			val = jstr(substr(v, 2))
			if (REST != "") err("text after a string value")
			printf "V\t%s\t%s\n", p, val
			next
		}
		if (v !~ /^(true|false|null|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)$/) err("bad scalar: " v)
		printf "V\t%s\t%s\n", p, v
	}
	END {
		if (bad) exit 0
		if (!done) printf "E\t%d\t%s\n", NR, "report is not one complete object"
	}
	' "$1"
}

# json_diag_lines FLAT: the diagnostics of a flattened report, rendered the
# way the human output prints them ("ERROR code path: message").
json_diag_lines() {
	awk -F'\t' '
	$1 == "V" && $2 ~ /^diagnostics\/[0-9]+\/[a-z]+$/ {
		split($2, part, "/"); i = part[2] + 0
		val[i, part[3]] = $3; if (i + 1 > n) n = i + 1
	}
	END {
		for (i = 0; i < n; i++) {
			sev = val[i, "severity"]
			label = (sev == "error") ? "ERROR" : (sev == "warning") ? "WARN " : "?" sev "?"
			printf "%s %s %s: %s\n", label, val[i, "code"], val[i, "path"], val[i, "message"]
		}
	}' "$1"
}

# json_keys FLAT PARENT: the member names of the object at PARENT, in order.
json_keys() {
	awk -F'\t' -v p="$2" '$1 == "K" && $2 == p { print $3 }' "$1" | paste -sd' ' -
}

# json_get PATH: value of the scalar at PATH in the last validate --json.
json_get() {
	awk -F'\t' -v p="$1" '$1 == "V" && $2 == p { print $3; found = 1; exit } END { exit !found }' "$T/.v/flat"
}

# json_count PATH: number of elements of the array at PATH.
json_count() {
	awk -F'\t' -v p="$1" '
	index($2, p "/") == 1 { rest = substr($2, length(p) + 2); split(rest, a, "/"); if (a[1] + 1 > n) n = a[1] + 1 }
	END { print n + 0 }' "$T/.v/flat"
}

# ---------------------------------------------------------------- validate

# validate ARGS...: run `clusterfs validate ARGS` and `clusterfs validate ARGS
# --json`, check what every run must satisfy (stderr empty, same exit status,
# well-formed report, ok <-> exit status, headline <-> report, identical
# diagnostics in both renderings) and keep both outputs for expect_* checks.
validate() {
	local human_rc
	run_cfs validate "$@"
	human_rc=$RC
	cp "$T/.run/out" "$T/.v/human"
	cp "$T/.run/err" "$T/.v/human.err"
	expect_stderr_empty
	run_cfs validate "$@" --json
	cp "$T/.run/out" "$T/.v/json"
	expect_stderr_empty
	LAST_CMD="clusterfs validate $* [--json]"
	[ "$human_rc" = "$RC" ]
	check $? "exit status $human_rc without --json but $RC with --json"
	# Show both renderings if anything below fails.
	{ cat "$T/.v/human"; echo "--- (--json) ---"; cat "$T/.v/json"; } >"$T/.run/out"
	cat "$T/.v/human.err" >>"$T/.run/err"

	json_flatten "$T/.v/json" >"$T/.v/flat"
	if grep -q '^E' "$T/.v/flat"; then
		fail "--json output is not a pretty JSON object: $(grep '^E' "$T/.v/flat" | head -1 | cut -f2- | tr '\t' ' ')"
	else
		pass
	fi
	[ -s "$T/.v/json" ] && [ -z "$(tail -c1 "$T/.v/json")" ]
	check $? "--json output does not end with a newline"
	local keys
	keys=$(json_keys "$T/.v/flat" "")
	[ "$keys" = "ok config_dir config_file resource_digests resources dependencies diagnostics" ]
	check $? "report members are [$keys]"
	check_member_order

	local ok
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac

	# Headline.
	local head nres ndep
	head=$(sed -n 1p "$T/.v/human")
	nres=$(json_count resources)
	ndep=$(json_count dependencies)
	if [ "$ok" = true ]; then
		[ "$head" = "cluster config valid: $nres resource(s), $ndep dependency edge(s)" ]
		check $? "headline '$head' does not match $nres resource(s), $ndep dependency edge(s)"
	else
		[ "$head" = "cluster config invalid" ]
		check $? "headline '$head' is not 'cluster config invalid'"
	fi

	# Same diagnostics in both renderings, in the same order.
	sed -n '2,$p' "$T/.v/human" >"$T/.v/hdiags"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	if cmp -s "$T/.v/hdiags" "$T/.v/jdiags"; then
		pass
	else
		fail "human diagnostics differ from --json diagnostics: $(diff "$T/.v/hdiags" "$T/.v/jdiags" | grep '^[<>]' | head -3 | tr '\n' ' ')"
	fi

	# Errors make ok false; warnings alone never do.
	if grep -q '^ERROR ' "$T/.v/jdiags"; then
		[ "$ok" = false ]
	else
		[ "$ok" = true ]
	fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
}

# validate_in DIR ARGS...: validate with DIR as the working directory.
validate_in() {
	local dir=$1
	shift
	cd "$dir" || exit 1
	validate "$@"
	cd "$T" || exit 1
}

# check_member_order: members of resources, dependencies and diagnostics
# come in the contract's order.
check_member_order() {
	local i n keys
	n=$(json_count resources)
	for ((i = 0; i < n; i++)); do
		keys=$(json_keys "$T/.v/flat" "resources/$i")
		case "$keys" in
		"address kind digest" | "address kind digest path") pass ;;
		*) fail "resources[$i] members are [$keys]" ;;
		esac
	done
	n=$(json_count dependencies)
	for ((i = 0; i < n; i++)); do
		keys=$(json_keys "$T/.v/flat" "dependencies/$i")
		[ "$keys" = "from to" ]
		check $? "dependencies[$i] members are [$keys]"
	done
	n=$(json_count diagnostics)
	for ((i = 0; i < n; i++)); do
		keys=$(json_keys "$T/.v/flat" "diagnostics/$i")
		[ "$keys" = "code severity path message" ]
		check $? "diagnostics[$i] members are [$keys]"
	done
}

# validate_expect_exit N: exit status of the last validate.
expect_ok() {
	local ok
	ok=$(json_get ok)
	[ "$ok" = "$1" ]
	check $? "\"ok\" is $ok, expected $1"
}

# expect_diag "SEV code path: message": that exact diagnostic line exists.
expect_diag() {
	grep -qxF -- "$1" "$T/.v/jdiags"
	check $? "no diagnostic: $1"
}

# expect_diag_prefix "SEV code path: message-start": a diagnostic starts so.
expect_diag_prefix() {
	awk -v p="$1" 'index($0, p) == 1 { f = 1 } END { exit !f }' "$T/.v/jdiags"
	check $? "no diagnostic starting with: $1"
}

# expect_diag_re ERE: some diagnostic line matches the extended regex.
expect_diag_re() {
	grep -qE -- "$1" "$T/.v/jdiags"
	check $? "no diagnostic matching /$1/"
}

# expect_diag_contains "SEV code path: " TEXT: a diagnostic with that start
# whose message contains TEXT.
expect_diag_contains() {
	awk -v p="$1" -v t="$2" 'index($0, p) == 1 && index(substr($0, length(p) + 1), t) { f = 1 } END { exit !f }' "$T/.v/jdiags"
	check $? "no diagnostic starting with '$1' and containing '$2'"
}

expect_no_diag_code() {
	! awk -v c="$1" '$2 == c { f = 1 } END { exit !f }' "$T/.v/jdiags"
	check $? "unexpected diagnostic code $1"
}

expect_diag_count() {
	local n
	n=$(wc -l <"$T/.v/jdiags")
	[ "$n" -eq "$1" ]
	check $? "$n diagnostic(s), expected $1"
}

expect_error_count() {
	local n
	n=$(grep -c '^ERROR ' "$T/.v/jdiags")
	[ "$n" -eq "$1" ]
	check $? "$n error(s), expected $1"
}

# expect_diags: the complete diagnostic list, in order, on stdin.
expect_diags() {
	cat >"$T/.v/want"
	if cmp -s "$T/.v/want" "$T/.v/jdiags"; then
		pass
	else
		fail "diagnostics differ (- expected, + actual):"
		diff -u "$T/.v/want" "$T/.v/jdiags" | sed -n '3,$s/^/    /p'
	fi
}

# expect_human: the complete human output on stdin.
expect_human() {
	cat >"$T/.v/want"
	if cmp -s "$T/.v/want" "$T/.v/human"; then
		pass
	else
		fail "human output differs (- expected, + actual):"
		diff -u "$T/.v/want" "$T/.v/human" | sed -n '3,$s/^/    /p'
	fi
}

# expect_json_text: the complete --json output on stdin.
expect_json_text() {
	cat >"$T/.v/want"
	if cmp -s "$T/.v/want" "$T/.v/json"; then
		pass
	else
		fail "--json output differs (- expected, + actual):"
		diff -u "$T/.v/want" "$T/.v/json" | sed -n '3,$s/^/    /p'
	fi
}

# expect_json PATH VALUE: scalar at PATH (strings unescaped) equals VALUE.
expect_json() {
	local v
	if v=$(json_get "$1"); then
		[ "$v" = "$2" ]
		check $? "$1 is '$v', expected '$2'"
	elif awk -F'\t' -v p="$1/" '$1 == "V" && index($2, p) == 1 { f = 1 } END { exit !f }' "$T/.v/flat"; then
		fail "$1 is not '$2' (it has members)"
	else
		fail "$1 is missing from the report"
	fi
}

# expect_digest ADDRESS DIGEST: resource_digests[ADDRESS] == DIGEST.
expect_digest() {
	expect_json "resource_digests/$1" "$2"
}

# resource_index ADDRESS: index of ADDRESS in resources (fails if absent).
resource_index() {
	awk -F'\t' -v a="$1" '$1 == "V" && $2 ~ /^resources\/[0-9]+\/address$/ && $3 == a { split($2, p, "/"); print p[2]; f = 1; exit } END { exit !f }' "$T/.v/flat"
}

# expect_resource ADDRESS KIND DIGEST PATH: one entry in resources and in
# resource_digests; PATH "-" means the entry must carry no path.
expect_resource() {
	local i
	expect_digest "$1" "$3"
	if ! i=$(resource_index "$1"); then
		fail "resources has no $1"
		return
	fi
	expect_json "resources/$i/kind" "$2"
	expect_json "resources/$i/digest" "$3"
	if [ "$4" = - ]; then
		! json_get "resources/$i/path" >/dev/null
		check $? "resources entry $1 has a path"
	else
		expect_json "resources/$i/path" "$4"
	fi
}

expect_no_resource() {
	! json_get "resource_digests/$1" >/dev/null && ! resource_index "$1" >/dev/null
	check $? "unexpected resource $1"
}

# expect_resources ADDRESS...: exactly these resources, in this order, both
# in resources and in resource_digests.
expect_resources() {
	local got want digests
	want="$*"
	got=$(awk -F'\t' '$1 == "V" && $2 ~ /^resources\/[0-9]+\/address$/ { print $3 }' "$T/.v/flat" | paste -sd' ' -)
	[ "$got" = "$want" ]
	check $? "resources are [$got], expected [$want]"
	digests=$(json_keys "$T/.v/flat" resource_digests)
	[ "$digests" = "$want" ]
	check $? "resource_digests keys are [$digests], expected [$want]"
}

# expect_edges FROM>TO ...: exactly these dependency edges, in this order.
expect_edges() {
	local got want
	want="$*"
	got=$(awk -F'\t' '
		$1 == "V" && $2 ~ /^dependencies\/[0-9]+\/from$/ { split($2, p, "/"); from[p[2]] = $3; if (p[2] + 1 > n) n = p[2] + 1 }
		$1 == "V" && $2 ~ /^dependencies\/[0-9]+\/to$/ { split($2, p, "/"); to[p[2]] = $3 }
		END { for (i = 0; i < n; i++) printf "%s%s>%s", (i ? " " : ""), from[i], to[i]; print "" }' "$T/.v/flat")
	[ "$got" = "$want" ]
	check $? "dependencies are [$got], expected [$want]"
}

expect_edge() {
	awk -F'\t' -v f="$1" -v t="$2" '
		$1 == "V" && $2 ~ /^dependencies\/[0-9]+\/from$/ { split($2, p, "/"); from[p[2]] = $3; if (p[2] + 1 > n) n = p[2] + 1 }
		$1 == "V" && $2 ~ /^dependencies\/[0-9]+\/to$/ { split($2, p, "/"); to[p[2]] = $3 }
		END { for (i = 0; i < n; i++) if (from[i] == f && to[i] == t) found = 1; exit !found }' "$T/.v/flat"
	check $? "no dependency $1 -> $2"
}

# expect_diag_order LINE...: these exact diagnostic lines exist, in this order
# (other diagnostics may come in between).
expect_diag_order() {
	local prev=0 n line
	for line in "$@"; do
		n=$(grep -nxF -- "$line" "$T/.v/jdiags" | head -1 | cut -d: -f1)
		if [ -z "$n" ]; then
			fail "no diagnostic: $line"
			return
		fi
		if [ "$n" -le "$prev" ]; then
			fail "diagnostic out of order: $line"
			return
		fi
		prev=$n
	done
	pass
}

# expect_diag_prefix_order PREFIX...: diagnostics starting with these
# prefixes exist, in this order.
expect_diag_prefix_order() {
	local prev=0 n p
	for p in "$@"; do
		n=$(awk -v p="$p" -v after="$prev" 'NR > after && index($0, p) == 1 { print NR; exit }' "$T/.v/jdiags")
		if [ -z "$n" ]; then
			fail "no diagnostic starting with '$p' after line $prev"
			return
		fi
		prev=$n
	done
	pass
}

# id_msg KIND VALUE: the invalid_resource_id message of cluster.md §2.1.
id_msg() {
	# shellcheck disable=SC2016 # literal backticks
	printf '%s `%s` must start with a letter or `_` and contain only ASCII letters, digits, `_`, or `-`' "$1" "$2"
}

# ---- helpers shared by the command scripts ----------------------------------

# expect_keys PARENT "KEY...": the members of the object at PARENT, in order.
expect_keys() {
	local got
	got=$(json_keys "$T/.v/flat" "$1")
	[ "$got" = "$2" ]
	check $? "members of '${1:-<top>}' are [$got], expected [$2]"
}

# expect_out: the complete stdout on stdin.
expect_out() {
	cat >"$T/.v/want"
	if cmp -s "$T/.v/want" "$T/.run/out"; then
		pass
	else
		fail "stdout differs (- expected, + actual):"
		diff -u "$T/.v/want" "$T/.run/out" | sed -n '3,$s/^/    /p'
	fi
}

# expect_line N TEXT: line N of stdout is exactly TEXT.
expect_line() {
	local got
	got=$(sed -n "${1}p" "$T/.run/out")
	[ "$got" = "$2" ]
	check $? "stdout line $1 is '$got', expected '$2'"
}

# expect_usage_error TEXT: exit 2, nothing on stdout, TEXT on stderr.
expect_usage_error() {
	expect_exit 2
	expect_stdout_empty
	expect_stderr_contains "$1"
}

expect_absent() {
	! json_get "$1" >/dev/null
	check $? "$1 is present"
}

# check_pretty_json FILE: FILE is one pretty JSON object ending in a newline;
# its flattened form is left in $T/.v/flat.
check_pretty_json() {
	json_flatten "$1" >"$T/.v/flat"
	if grep -q '^E' "$T/.v/flat"; then
		fail "--json output is not a pretty JSON object: $(grep '^E' "$T/.v/flat" | head -1 | cut -f2- | tr '\t' ' ')"
	else
		pass
	fi
	[ -s "$1" ] && [ -z "$(tail -c1 "$1")" ]
	check $? "--json output does not end with a newline"
}
