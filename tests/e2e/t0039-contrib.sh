#!/usr/bin/env bash
# The contrib files around `clusterfs mount` (clusterfs-mount(8)): the
# mount(8) helper's argument translation (with a fake clusterfs that prints
# its argv), the fstab example through that helper, the bash completion
# against the binary's own command and option lists, the systemd unit
# (systemd-analyze verify, where available) and the man page (groff lint,
# where available).  Mounts nothing.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ -z "${CFS_SRC:-}" ] || [ ! -d "$CFS_SRC/contrib" ]; then
	echo "FAIL: CFS_SRC must name the source tree (got '${CFS_SRC:-}')" >&2
	exit 1
fi
HELPER=$CFS_SRC/contrib/mount.fuse.clusterfs
COMPLETION=$CFS_SRC/contrib/bash-completion/clusterfs
UNIT=$CFS_SRC/contrib/clusterfs-mount@.service
MANPAGE=$CFS_SRC/man/clusterfs-mount.8

# A fake clusterfs: prints each argument in brackets on one line, exits
# with $FAKE_RC (default 0).
mkdir -p bin
cat >bin/clusterfs <<'EOF'
#!/bin/sh
printf '[%s]' "$@"
printf '\n'
exit "${FAKE_RC:-0}"
EOF
chmod +x bin/clusterfs
FAKE=$T/bin/clusterfs

# run_helper ARGS...: the helper with CLUSTERFS=$FAKE; output in .run/.
run_helper() {
	LAST_CMD="CLUSTERFS=fake mount.fuse.clusterfs $*"
	CLUSTERFS=$FAKE "$HELPER" "$@" >"$T/.run/out" 2>"$T/.run/err" </dev/null
	RC=$?
}

# ---------------------------------------------------------------- helper

case_begin "helper is an executable POSIX sh script"
[ -x "$HELPER" ]
check $? "$HELPER is not executable"
sh -n "$HELPER"
check $? "sh -n fails"
[ "$(head -n 1 "$HELPER")" = "#!/bin/sh" ]
check $? "first line is not #!/bin/sh"

case_begin "fstab options: mount(8)'s own are dropped, the rest kept in order"
run_helper /etc/cfs/prod /srv/prod -o rw,defaults,group=ops,noauto,nofail,user,users,_netdev,x-systemd.automount,x-systemd.idle-timeout=10min,auto,owner,group,comment=x,actor=1000:alice,allow_other
expect_exit 0
expect_stderr_empty
expect_stdout_equals "[mount][--config][/etc/cfs/prod][/srv/prod][-o][rw,group=ops,actor=1000:alice,allow_other]"

case_begin "nothing left: no -o at all"
run_helper /etc/cfs/prod /srv/prod -o defaults,noauto,x-systemd.automount
expect_exit 0
expect_stdout_equals "[mount][--config][/etc/cfs/prod][/srv/prod]"

case_begin "no -o given"
run_helper /etc/cfs/prod /srv/prod
expect_exit 0
expect_stdout_equals "[mount][--config][/etc/cfs/prod][/srv/prod]"

case_begin "-oOPTS, repeated -o, -t, -n, -s, -N"
run_helper /c /m -odefaults,ro -n -s -N /proc/1/ns/mnt -t fuse.clusterfs -o allow_root
expect_exit 0
expect_stdout_equals "[mount][--config][/c][/m][-o][ro,allow_root]"

case_begin "options before the operands"
run_helper -o ro,nofail /c /m
expect_exit 0
expect_stdout_equals "[mount][--config][/c][/m][-o][ro]"

case_begin "blanks and globs pass through untouched"
run_helper "/c d" "/m n" -o 'ro,a*'
expect_exit 0
expect_stdout_equals "[mount][--config][/c d][/m n][-o][ro,a*]"

case_begin "placeholder source: the folder comes from config="
for spec in none clusterfs; do
	run_helper "$spec" /m -o defaults,config=/etc/cfs/a,group=ops
	expect_exit 0
	expect_stdout_equals "[mount][/m][-o][config=/etc/cfs/a,group=ops]"
done

case_begin "-v prints the command and runs it"
run_helper /c /m -v -o ro
expect_exit 0
expect_stdout_equals "[mount][--config][/c][/m][-o][ro]"
expect_stderr_contains "clusterfs mount --config /c /m -o ro"

case_begin "-f (fake) prints the command and runs nothing"
run_helper /c /m -f -o ro
expect_exit 0
expect_stdout_empty
expect_stderr_contains "clusterfs mount --config /c /m -o ro"
run_helper /c /m -fv
expect_exit 0
expect_stdout_empty

case_begin "the exit status is clusterfs's"
FAKE_RC=32 run_helper /c /m
expect_exit 32

case_begin "bad invocations exit 1 and run nothing"
run_helper /c
expect_exit 1
expect_stdout_empty
expect_stderr_icontains usage
run_helper
expect_exit 1
expect_stdout_empty
run_helper /c /m extra
expect_exit 1
expect_stdout_empty
run_helper /c /m -t ext4
expect_exit 1
expect_stdout_empty
run_helper /c /m -x
expect_exit 1
expect_stdout_empty
run_helper /c /m -o
expect_exit 1
expect_stdout_empty

case_begin "clusterfs found in PATH without CLUSTERFS"
LAST_CMD="PATH=bin:... mount.fuse.clusterfs /c /m -o ro"
env -u CLUSTERFS PATH="$T/bin:/usr/bin:/bin" "$HELPER" /c /m -o ro >"$T/.run/out" 2>"$T/.run/err"
RC=$?
expect_exit 0
expect_stdout_equals "[mount][--config][/c][/m][-o][ro]"

case_begin "fstab.example: every entry is fuse.clusterfs and translates cleanly"
n=0
while read -r spec mnt type opts dump pass extra; do
	case $spec in '' | '#'*) continue ;; esac
	n=$((n + 1))
	[ "$type" = fuse.clusterfs ] && [ "$dump" = 0 ] && [ "$pass" = 0 ] && [ -z "$extra" ]
	check $? "entry '$spec $mnt': type '$type', fields '$dump $pass $extra'"
	run_helper "$spec" "$mnt" -o "$opts"
	expect_exit 0
	! grep -qE '(^|[[,])(defaults|auto|noauto|nofail|user|users|_netdev|x-[^],]*)([],]|$)' "$T/.run/out"
	check $? "entry '$spec $mnt': a mount(8)-only option reached clusterfs"
done <"$CFS_SRC/contrib/fstab.example"
[ "$n" -ge 3 ]
check $? "fstab.example has $n entries"

# ---------------------------------------------------------------- completion

# complete_words LINE: what the completion offers after LINE (bash splits
# the words at blanks and at "=" and ":" as it does), one per line.
complete_words() {
	bash -c '
		. "$1"
		line=$2
		COMP_WORDS=()
		for w in $line; do
			while [[ $w =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
				[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
				COMP_WORDS+=("${BASH_REMATCH[2]}")
				w=${BASH_REMATCH[3]}
			done
			[[ -n $w ]] && COMP_WORDS+=("$w")
		done
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_clusterfs
		printf "%s\n" "${COMPREPLY[@]}"
	' complete "$COMPLETION" "$1"
}

# expect_offers LINE WORD...: the completion after LINE includes each WORD.
expect_offers() {
	local line=$1 w
	shift
	complete_words "$line" >"$T/offers"
	for w in "$@"; do
		grep -qxF -- "$w" "$T/offers"
		check $? "'$line' does not offer '$w' (offers: $(paste -sd' ' "$T/offers"))"
	done
}

case_begin "completion: bash -n"
bash -n "$COMPLETION"
check $? "bash -n fails"

case_begin "completion: every command of clusterfs --help"
"$CLUSTERFS" --help | sed -n '/^Commands:/,/^$/s/^    \([a-z][a-z-]*\) .*/\1/p' >"$T/commands"
[ -s "$T/commands" ]
check $? "no command list in clusterfs --help"
# shellcheck disable=SC2046 # one word per command
expect_offers "clusterfs " $(cat "$T/commands") --help --version

# options_of ARGS...: the long options `clusterfs ARGS --help` lists.
options_of() {
	"$CLUSTERFS" "$@" --help | sed -n 's/^    \(--[a-z][a-z-]*\).*/\1/p'
}

case_begin "completion: the options of each command's --help"
for cmd in validate status force-unlock plan apply approve refresh import "schema check" "schema diff" "query check"; do
	# shellcheck disable=SC2086,SC2046 # split the subcommand; one word per option
	expect_offers "clusterfs $cmd -" $(options_of $cmd)
done
# graph: each option is offered by some subcommand
for sub in init info load query branch schema-apply export delete; do
	complete_words "clusterfs graph $sub g -"
done >"$T/graph-offers"
for o in $(options_of graph); do
	grep -qxF -- "$o" "$T/graph-offers"
	check $? "no graph subcommand offers $o"
done
expect_offers "clusterfs apply --" --as
expect_offers "clusterfs approve --" --as

case_begin "completion: mount"
expect_offers "clusterfs mount -" --config -f -d -o --help
"$CLUSTERFS" mount --help >"$T/mount-help"
for o in -f -d -o --config; do
	grep -qE -- "^ +$o( |$)" "$T/mount-help"
	check $? "clusterfs mount --help does not list $o"
done
expect_offers "clusterfs mount m -o allow_other,gr" "allow_other,group="
expect_offers "clusterfs mount m -o config=" bin

case_begin "completion: values"
mkdir -p cfgdir sub/_branches
: >a.pg
: >b.gq
: >rows.jsonl
: >sub/_branches/trial.json
expect_offers "clusterfs validate --config " cfgdir
expect_offers "clusterfs validate --config=cf" cfgdir
expect_offers "clusterfs schema check " a.pg
expect_offers "clusterfs query check --schema a.pg " b.gq
expect_offers "clusterfs graph load sub " rows.jsonl
expect_offers "clusterfs graph load sub rows.jsonl --mode " overwrite append merge
expect_offers "clusterfs graph load sub rows.jsonl --branch " main trial
expect_offers "clusterfs graph " init info load query branch schema-apply export delete
expect_offers "clusterfs schema " check diff

# ---------------------------------------------------------------- systemd

case_begin "systemd unit: instance scheme"
grep -q '^ExecStart=.* mount -f --config /etc/clusterfs/%i %f' "$UNIT"
check $? "ExecStart does not mount /etc/clusterfs/%i on %f in the foreground"
grep -q '^ExecStop=.*fusermount3 -u %f$' "$UNIT"
check $? "ExecStop does not unmount %f"
grep -q '^Restart=on-failure$' "$UNIT"
check $? "no Restart=on-failure"

case_begin "systemd unit: systemd-analyze verify"
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p units
	sed "s#/usr/local/bin/clusterfs#$CLUSTERFS#" "$UNIT" >"units/clusterfs-mount@srv-prod.service"
	LAST_CMD="systemd-analyze verify --man=no units/clusterfs-mount@srv-prod.service"
	(cd units && systemd-analyze verify --man=no ./clusterfs-mount@srv-prod.service) >"$T/.run/out" 2>"$T/.run/err"
	RC=$?
	expect_exit 0
	expect_stderr_empty
fi

# ---------------------------------------------------------------- man page

case_begin "man page: groff lint"
if command -v groff >/dev/null 2>&1; then
	LAST_CMD="groff -man -Tutf8 -ww -z man/clusterfs-mount.8"
	groff -man -Tutf8 -ww -z "$MANPAGE" >"$T/.run/out" 2>"$T/.run/err"
	RC=$?
	expect_exit 0
	expect_stdout_empty
	expect_stderr_empty
fi

case_begin "man page: every option and error is documented"
for w in '\-\-config' '\-f' '\-d' '\-o' 'group=' 'actor=' 'config=' \
	EBUSY EACCES EINVAL ESTALE EIO ENOENT 'refs/clusterfs/applied' 'events.jsonl'; do
	grep -qF -- "$w" "$MANPAGE"
	check $? "man/clusterfs-mount.8 does not mention $w"
done

finish
