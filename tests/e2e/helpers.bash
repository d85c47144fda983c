# Helpers of the end-to-end suite.  It runs INSIDE the guest sandbox
# (tools/guest-run bats /src/tests/e2e), as root, with the real criu of the
# guest image and criuctl from /src/build on PATH.
#
# bats keeps fds 3 and up open; a workload that inherits one makes CRIU fail
# ("external" resources), so workloads start through `criuctl run` (which
# closes them) or through `nofds` below.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'
# criuctl's bats library, criuctl-bats(7), as this tree has it (dogfood).
load '/src/etc/bats/criuctl'

common_setup() {
	[[ ${CRIUCTL_IN_GUEST:-} == 1 ]] || {
		echo "the e2e suite runs in the guest: tools/guest-run bats /src/tests/e2e" >&2
		return 1
	}
	STORE=$BATS_TEST_TMPDIR/store
	W=$BATS_TEST_TMPDIR/w
	mkdir -p "$W"
	# A TCP port of this test's own: a server of the test before may still
	# be dying, its port still listening.
	TPORT=$((7000 + BATS_SUITE_TEST_NUMBER))
	export STORE W TPORT
	# The library's helpers use the test's store (not exported: a suite
	# that a test runs gets a store of its own).
	CRIUCTL_BATS_STORE=$STORE
	criuctl_setup || return 1
	PIDS=()
}

# Kill what a test started: the trees in PIDS (tree roots and their
# children), then, waiting until they are gone, those the library started
# or restored (`start`, criuctl_start, criuctl_restore).
common_teardown() {
	local p
	for p in "${PIDS[@]}"; do
		pkill -KILL -s "$p" 2>/dev/null || true
		kill -KILL "$p" 2>/dev/null || true
	done
	criuctl_teardown
}

# criuctl on $STORE (which a test may point elsewhere).
ctl() { CRIUCTL_BATS_STORE=$STORE criuctl_ctl "$@"; }

# Start a workload the checkpointable way (criuctl_start); its pid in $REPLY.
start() {
	criuctl_start "$@" || return 1
	REPLY=$CRIUCTL_PID
}

# Start a workload WITHOUT a new session (like a Kata agent before the fix):
# its session leader is outside the guest's pid namespace.  fds above 2 are
# closed and stdio reopened here, so the session is the only difference.
start_no_setsid() {
	python3 - "$@" <<'PY' &
import os, sys
os.closerange(3, 65536)
fd = os.open("/dev/null", os.O_RDONLY); os.dup2(fd, 0); os.close(fd)
out = os.open("/tmp/no-setsid.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
os.dup2(out, 1); os.dup2(out, 2); os.close(out)
os.execvp(sys.argv[1], sys.argv[1:])
PY
	REPLY=$!
	disown "$REPLY" # no "Killed" job notice when teardown kills it
	PIDS+=("$REPLY")
}

# The Python loop both counters end in (after their imports and memory):
# 1, 2, 3, ... appended to $W/count every 50 ms.
counter_loop() {
	printf '%s' "n = 0
while True:
    n += 1
    with open('$W/count', 'a') as f: f.write('%d\n' % n)
    time.sleep(0.05)"
}

# start_counter [MiB]: a counter appending to $W/count every 50 ms, with MiB
# of touched memory (0), started the checkpointable way; its pid in $PID.
# A big one makes a dump take a while; the counter shows the tree alive.
start_counter() {
	start python3 -c "import time
blob = bytearray(b'x' * (${1:-0} << 20))
$(counter_loop)" || return 1
	PID=$REPLY
	wait_for 20 count_ge "$W/count" 2
}

# start_summed_counter [MiB]: a counter (appending 1, 2, 3, ... to
# $W/count every 50 ms) holding MiB (default 8) of random bytes filled once
# at its start; SIGUSR1 makes it write their SHA-256 to $W/sum.  Its pid in
# $PID, the sum of its memory before any dump in $SUM0.
start_summed_counter() {
	start python3 -c "import hashlib, os, signal, time
blob = bytearray(os.urandom(${1:-8} << 20))
def report(sig, frame):
    with open('$W/sum.tmp', 'w') as f: f.write(hashlib.sha256(blob).hexdigest())
    os.rename('$W/sum.tmp', '$W/sum')
signal.signal(signal.SIGUSR1, report)
$(counter_loop)" || return 1
	PID=$REPLY
	wait_for 60 count_ge "$W/count" 2
	SUM0=$(memory_sum)
}

# The summed counter's memory checksum, asked for now (of pid $1, default
# $PID: a restored one keeps its pid).
memory_sum() {
	rm -f "$W/sum"
	kill -USR1 "${1:-$PID}"
	wait_for 60 test -s "$W/sum" || return 1
	cat "$W/sum"
}

# start_echo_client PORT FILE: a client outside the tree that sends a
# numbered line to the echo server on PORT every 50 ms, checks the echo and
# appends the round trip's number to FILE; its pid in $CLIENT.  Returns
# once 3 round trips are counted.
start_echo_client() {
	start python3 -c "import socket, time
c = socket.create_connection(('127.0.0.1', $1))
f = c.makefile('rwb', buffering=0)
n = 0
while True:
    n += 1
    f.write(b'%d\n' % n)
    assert f.readline() == b'%d\n' % n
    with open('$2', 'a') as o: o.write('%d\n' % n)
    time.sleep(0.05)" || return 1
	CLIENT=$REPLY
	wait_for 20 count_ge "$2" 3
}

# start_echo_server PORT [MiB]: a tree whose one task (with MiB of touched
# memory, 0) accepts one TCP connection on 127.0.0.1:PORT and echoes every
# line back; its pid in $SERVER.
start_echo_server() {
	start python3 -c "import socket
blob = bytearray(b'x' * (${2:-0} << 20))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $1)); s.listen(1)
c, _ = s.accept()
f = c.makefile('rwb', buffering=0)
for line in f: f.write(line)" || return 1
	SERVER=$REPLY
	wait_for 20 listening "$1"
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# Conditions for wait_for (evaluated at every poll, not once).
state_is() { [[ $(awk '{print $3}' "/proc/$1/stat") == "$2" ]]; }
state_is_not() { ! state_is "$@"; }
sid_outside() { [[ $(awk '{print $6}' "/proc/$1/stat") == 0 ]]; }

listening() { ss -ltnH "sport = :$1" | grep -q .; }

alive() { kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }
dead() { ! alive "$1"; }

# The last complete line of a file (workloads append "N\n"), 0 when none.
last_line() {
	local v
	v=$(tail -n 2 "$1" 2>/dev/null | grep -E '^[0-9]+$' | tail -n 1)
	echo "${v:-0}"
}

# count_ge FILE N: the counter in FILE reached N (for wait_for).
count_ge() { (($(last_line "$1") >= $2)); }

# A counter that appends 1, 2, 3, ... to FILE, one line per tick.
counter_cmd() {
	echo python3 -c "import sys, time
n = 0
while True:
    n += 1
    with open('$1', 'a') as f: f.write('%d\n' % n)
    time.sleep(0.05)"
}

# The file's lines are exactly 1..N: the counter never restarted or skipped.
assert_consecutive() {
	run awk 'NF { if ($1 != NR) { print "line " NR ": " $1; bad = 1; exit } } END { exit bad }' "$1"
	assert_success
}

# ---- criuctl in the background, and criu caught in the act ----

# criuctl itself in the background (not through ctl, whose subshell would
# get the signals meant for criuctl): its pid in $CTL, its output in $W/out.
ctl_bg() {
	criuctl --store "$STORE" "$@" >"$W/out" 2>&1 &
	CTL=$!
}

# Wait for the background criuctl; its exit status in $STATUS.
ctl_bg_wait() {
	STATUS=0
	wait "$CTL" || STATUS=$?
	CTL=
}

# Wait for the background criuctl; it must exit with status $1.
ctl_bg_exits() {
	ctl_bg_wait
	[[ $STATUS -eq $1 ]] || fail "criuctl exited $STATUS, not $1: $(cat "$W/out")"
}

# The oldest criu dump: criu itself, not one of the short-lived helpers it
# forks with the same command line.
criu_pid() { pgrep -o -f '^/usr/sbin/criu dump'; }

# SIGSTOP the criu dump as soon as it runs (one pgrep and one kill,
# retried: a slow machine may run criu before pgrep sees it).
stop_criu() {
	local deadline=$((SECONDS + 20)) pid
	until pid=$(criu_pid) && kill -STOP "$pid"; do
		((SECONDS < deadline)) || fail "no criu dump to stop"
		sleep 0.02
	done
}

# The teardown of files whose tests leave criu or criuctl running: both
# ended (a stopped criu continued first), then common_teardown.
criu_teardown() {
	[[ -n ${CTL:-} ]] && kill -KILL "$CTL" 2>/dev/null
	pkill -CONT -x criu 2>/dev/null || true
	pkill -KILL -x criu 2>/dev/null || true
	common_teardown
}

# ---- what the fault matrix checks after every fault (matrix.bats, faults.bats) ----

# No criu process runs any more, helpers included (a zombie, until the
# sandbox's init reaps it, is not running), nor its criuctl-guard, which
# holds the attempt until it has written its note.
criu_gone() { ! ps -eo stat=,comm= | awk '($2 == "criu" || $2 == "criuctl-guard") && $1 !~ /^Z/ { found = 1 } END { exit !found }'; }

# No network lock of criu's is left: no nftables table CRIU-..., no
# iptables rule of criu's lock (they match criu's mark 0xC114).
no_lock_left() {
	run nft list tables
	refute_output --partial CRIU
	if command -v iptables-save >/dev/null; then
		run iptables-save
		refute_output --partial 0xc114
	fi
}

# tree_works PID [COUNTFILE]: the tree of PID runs on: alive, not stopped,
# not traced, its counter (default $W/count) still advancing, none of its
# TCP sockets in repair mode; no criu and no lock of criu's left.
tree_works() {
	local count=${2:-$W/count} at
	alive "$1" || fail "pid $1 is gone: $(cat "$W/out" 2>/dev/null)"
	state_is_not "$1" T || fail "pid $1 was left stopped"
	[[ $(awk '/^TracerPid:/ {print $2}' "/proc/$1/status") == 0 ]] || fail "pid $1 is traced"
	at=$(last_line "$count")
	wait_for 20 count_ge "$count" $((at + 3)) || fail "pid $1 stopped counting at $at"
	wait_for 20 criu_gone || fail "criu is still running"
	no_lock_left
	run ctl check --tree "$1"
	refute_output --partial tcp-repair-left
}

# store_clean NAME [yes|no]: after the next criuctl that writes the store
# (criuctl recover), nothing is left in tmp/ and NAME is listed (yes) or not
# (no, the default).
store_clean() {
	wait_for 20 criu_gone || fail "criu or its guard still runs"
	run --separate-stderr ctl recover
	assert_success
	run --separate-stderr ctl list
	assert_success
	if [[ ${2:-no} == yes ]]; then assert_line --regexp "^$1 "; else refute_line --regexp "^$1 "; fi
	run ls -A "$STORE/tmp"
	assert_output ""
}
