# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # variables are set for, or by, bats and the .bats files
# helpers.bash: what every CLI test file loads.
#
# Each test gets a fresh store in $BATS_TEST_TMPDIR, an empty config file
# (so that /etc/criuctl/criuctl.conf on the host never leaks in) and the fake
# criu (tests/cli/fake-criu), which by default records its command line and
# fails as real criu did: it never pretends that criu worked (see
# tests/README.md).  Every process a test starts (workloads, the fake criu)
# is recorded and killed in teardown.
#
# Harness rule: bats keeps fds 3 and up open, and `run` waits for EOF on its
# pipe, so a background process holding one of them hangs the test.  Start
# workloads with `criuctl run` (which closes them), and start anything else
# in the background with bg_criuctl (which closes them too).

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

CRIUCTL=${CRIUCTL_BIN:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build/criuctl}
FAKE_CRIU=$BATS_TEST_DIRNAME/fake-criu
FIXTURES=$(cd "$BATS_TEST_DIRNAME/../fixtures/criu-4.2.1" && pwd)

common_setup() {
	[[ -x $CRIUCTL ]] || fail "$CRIUCTL is missing: run 'make build/criuctl' first"
	umask 022 # so that files the fake criu writes are 0644, like criu's
	STORE=$BATS_TEST_TMPDIR/store
	PIDS=$BATS_TEST_TMPDIR/pids
	export CRIUCTL_CONFIG=$BATS_TEST_TMPDIR/criuctl.conf
	: >"$CRIUCTL_CONFIG"
	export FAKE_CRIU_ARGV=$BATS_TEST_TMPDIR/criu-argv
	export FAKE_CRIU_SPAWNED=$BATS_TEST_TMPDIR/spawned
	unset FAKE_CRIU_MODE FAKE_CRIU_VERSION FAKE_CRIU_EXIT FAKE_CRIU_IMAGE_MB FAKE_CRIU_BLOCK_MANIFEST
	cd "$BATS_TEST_TMPDIR" || return 1
}

setup() {
	common_setup
}

common_teardown() {
	local pid
	# Workloads and restored trees lead their own process group: end the
	# whole group (children included), then the pid itself.
	cat "$PIDS" "$FAKE_CRIU_SPAWNED" 2>/dev/null | while read -r pid; do
		kill -KILL -- "-$pid" 2>/dev/null || true
		kill -KILL "$pid" 2>/dev/null || true
	done
}

teardown() {
	common_teardown
}

# criuctl with the test's store and the fake criu; a bounded run time so
# that a hang fails the test instead of the whole suite.
criuctl() {
	timeout -k 5 60 "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" "$@"
}

# Record a pid for teardown.
track() {
	echo "$1" >>"$PIDS"
}

# Start a workload with `criuctl run`; its pid in $WPID.  Default: sleep 1000.
workload() {
	(($#)) || set -- sleep 1000
	WPID=$("$CRIUCTL" run -- "$@") || fail "criuctl run -- $* failed"
	[[ $WPID =~ ^[0-9]+$ ]] || fail "criuctl run printed '$WPID', not a pid"
	track "$WPID"
}

# A process exists and is not a zombie.
alive() {
	local state
	state=$(proc_field "$1" 1 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# Field N of /proc/PID/stat counted after the ")" that closes comm
# (1 = state, 2 = ppid, 3 = pgrp, 4 = session).
proc_field() {
	local line rest
	read -r line <"/proc/$1/stat" || return 1
	rest=${line##*) }
	cut -d' ' -f"$2" <<<"$rest"
}

# Wait (bounded) until /proc/PID is gone entirely, zombie included: the
# host's init reaps orphans lazily, and a zombie still holds its pid.
wait_gone() {
	local pid=$1 deadline=$((SECONDS + ${2:-10}))
	while [[ -e /proc/$pid ]]; do
		((SECONDS < deadline)) || fail "pid $pid still exists after ${2:-10} s"
		sleep 0.05
	done
}

# Wait (bounded) until no criuctl-guard (src/sys/guardian.h) works on an
# attempt of this test's store (its fd 3 is the attempt directory): it
# holds the attempt's lock until it has written its note.
wait_guard_gone() {
	local deadline=$((SECONDS + ${1:-20})) p busy
	while :; do
		busy=
		for p in $(pgrep -x criuctl-guard); do
			[[ $(readlink "/proc/$p/fd/3" 2>/dev/null) == "$STORE"/* ]] && busy=$p
		done
		[[ -z $busy ]] && return 0
		((SECONDS < deadline)) || fail "criuctl-guard $busy still runs after ${1:-20} s"
		sleep 0.05
	done
}

# Wait (bounded) until a file exists and is not empty.
wait_file() {
	local file=$1 deadline=$((SECONDS + ${2:-10}))
	until [[ -s $file ]]; do
		((SECONDS < deadline)) || fail "$file did not appear within ${2:-10} s"
		sleep 0.02
	done
}

# The fake criu's argv of its last dump/restore, on one line.
criu_argv() {
	[[ -f $FAKE_CRIU_ARGV ]] || fail "the fake criu did not run"
	tr '\n' ' ' <"$FAKE_CRIU_ARGV"
}

# A JSON value from $output (or from file $2): PATH like .a.b[0].c; strings
# raw, everything else as compact JSON.  jq if installed, else python3.
json_get() {
	local doc
	if [[ -n ${2:-} ]]; then doc=$(cat "$2"); else doc=$output; fi
	if command -v jq >/dev/null; then
		jq -r -c "$1" <<<"$doc"
	else
		python3 -c '
import json, re, sys
v = json.loads(sys.stdin.read())
for key, idx in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", sys.argv[1]):
    v = v[int(idx)] if idx else v.get(key) if isinstance(v, dict) else None
if isinstance(v, str): print(v)
else: print(json.dumps(v, separators=(",", ":")))
' "$1" <<<"$doc"
	fi
}

# stdout ($output) is exactly one JSON document and nothing else.
assert_one_json() {
	local n
	if command -v jq >/dev/null; then
		n=$(jq -s 'length' <<<"$output" 2>&1) || fail "stdout is not JSON: $output"
	else
		n=$(python3 -c '
import json, sys
s = sys.stdin.read(); d = json.JSONDecoder(); i = n = 0
while True:
    while i < len(s) and s[i].isspace(): i += 1
    if i == len(s): break
    _, i = d.raw_decode(s, i); n += 1
print(n)' <<<"$output" 2>&1) || fail "stdout is not JSON: $output"
	fi
	[[ $n == 1 ]] || fail "stdout holds $n JSON documents: $output"
}

# The one JSON document of a failed command: ok false, exit_code, error.code.
assert_json_error() {
	local exit_code=$1 code=$2
	assert_one_json
	assert_equal "$(json_get .ok)" false
	assert_equal "$(json_get .exit_code)" "$exit_code"
	assert_equal "$(json_get .error.code)" "$code"
	[[ -n $(json_get .error.message) ]] || fail "error.message is empty"
}

# Octal permission bits of a path.
mode_of() {
	stat -c %a "$1"
}

# The only entry in DIR matching GLOB (fails unless there is exactly one).
only_entry() {
	local -a m
	shopt -s nullglob
	# shellcheck disable=SC2206 # $2 is a glob
	m=("$1"/$2)
	shopt -u nullglob
	((${#m[@]} == 1)) || fail "expected one $1/$2, found ${#m[@]}: ${m[*]}"
	echo "${m[0]}"
}

# Assert a directory is empty (or missing).
assert_dir_empty() {
	local left
	left=$(ls -A "$1" 2>/dev/null)
	[[ -z $left ]] || fail "$1 is not empty: $left"
}

# Close every fd above 2 of the calling (sub)shell.
close_fds() {
	local path fd
	for path in "/proc/$BASHPID/fd"/*; do
		fd=${path##*/}
		if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
			exec {fd}>&- # closing an fd that is already closed is silent
		fi
	done # no redirection here: bash would keep stderr's saved copy above 2
}

# criuctl in the background, fds above 2 closed, output in $BG_OUT/$BG_ERR;
# its pid in $BG_PID.
bg_criuctl() {
	BG_OUT=$BATS_TEST_TMPDIR/bg.out
	BG_ERR=$BATS_TEST_TMPDIR/bg.err
	(
		close_fds
		exec "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" "$@"
	) </dev/null >"$BG_OUT" 2>"$BG_ERR" &
	BG_PID=$!
	track "$BG_PID"
}

# Wait (bounded) for the background criuctl; its exit status in $BG_STATUS.
bg_wait() {
	local deadline=$((SECONDS + ${1:-20}))
	while kill -0 "$BG_PID" 2>/dev/null && [[ $(proc_field "$BG_PID" 1) != Z ]]; do
		((SECONDS < deadline)) || fail "criuctl (pid $BG_PID) still runs after ${1:-20} s"
		sleep 0.05
	done
	BG_STATUS=0
	wait "$BG_PID" || BG_STATUS=$?
}

# The pid of the fake criu's dump/restore run, once it has started.
fake_criu_pid() {
	wait_file "$FAKE_CRIU_SPAWNED"
	head -n1 "$FAKE_CRIU_SPAWNED"
}

# seed_checkpoint NAME [PID [FIXTURE]]: a committed checkpoint NAME in
# $STORE, without running any criu: a copy of tests/fixtures/checkpoint/
# FIXTURE (default sleep), which real criu 4.2.1 dumped through criuctl in
# the guest (see the README there).  It is laid out as a dump leaves it: the
# store's directories 0700, files 0600, the store's and the name's lock
# files.  Its manifest names NAME, and its tree's pid is PID (default, or
# when empty: a pid that no process holds now, so that restore's pid check
# lets criu run).
seed_checkpoint() {
	local name=$1 pid=${2:-} ck=$STORE/checkpoints/$1 fixture=${3:-sleep}
	if [[ -z $pid ]]; then
		pid=$(sh -c 'echo $$') # gone once it has printed
	fi
	mkdir -p "$STORE"/{checkpoints,failed,tmp,locks}
	chmod 0700 "$STORE" "$STORE"/{checkpoints,failed,tmp,locks}
	: >>"$STORE/.lock"
	: >>"$STORE/locks/$name"
	chmod 0600 "$STORE/.lock" "$STORE/locks/$name"
	cp -r "$BATS_TEST_DIRNAME/../fixtures/checkpoint/$fixture" "$ck"
	find "$ck" -type d -exec chmod 0700 {} + -o -type f -exec chmod 0600 {} +
	python3 - "$ck/manifest.json" "$name" "$pid" <<'PY'
import json, sys
path, name, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    m = json.load(f)
m["name"] = name
m["tree"]["root_pid"] = pid
for p in m["tree"]["processes"]:
    p["pid"] = p["pgid"] = p["sid"] = pid
with open(path, "w") as f:
    json.dump(m, f, indent=2)
    f.write("\n")
PY
}

# The fake criu records its argv and fails as real criu 4.2.1 did (a
# replayed real log): for the tests of the command line criuctl builds,
# which need no success.  Dump: the tree's session leader is outside its
# pid namespace (exit 1, session-leader-outside-pidns); restore: the pid is
# in use (exit 1, pid-in-use).  It is the fake's default (mode record),
# said aloud where a test asserts the argv, and undoing a mode set before.
criu_records() {
	export FAKE_CRIU_MODE=record
}
