#!/usr/bin/env bats
# End-to-end: criuctl migrate and criuctl receive with the real criu 4.2.1
# between two "hosts" in the guest sandbox: this one, and one with its own
# network, pid and mount namespaces (ip netns + a veth pair, addresses only
# inside namespaces this file makes; unshare -pfm --mount-proc, whose init
# stays up after receive has ended).  The memory goes through criu
# page-server, the other images over criuctl's control channel.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	N=$BATS_SUITE_TEST_NUMBER
	NS=mig$N
	SRC_IP=10.$((100 + N)).0.1
	DST_IP=10.$((100 + N)).0.2
	DSTORE=$BATS_TEST_TMPDIR/dst-store
	ip link set lo up
	ip netns add "$NS"
	ip link add "va$N" type veth peer name "vb$N"
	ip link set "vb$N" netns "$NS"
	ip addr add "$SRC_IP/24" dev "va$N"
	ip link set "va$N" up
	ip netns exec "$NS" ip addr add "$DST_IP/24" dev "vb$N"
	ip netns exec "$NS" ip link set "vb$N" up
	ip netns exec "$NS" ip link set lo up
}

teardown() {
	[[ -n ${DST:-} ]] && kill -KILL "$DST" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	criu_teardown
}

# The destination host: its init (a shell in new pid and mount namespaces
# inside netns $NS) runs `criuctl receive ARGS...` and then stays up, so
# what receive restored lives on.  --kill-child: ending $DST ends it all.
start_receiver() {
	ip netns exec "$NS" unshare -pfm --mount-proc --kill-child sh -c \
		'criuctl --store "$0" receive "$@" >"$0.out" 2>"$0.err"; echo $? >"$0.rc"; exec sleep 1000' \
		"$DSTORE" "$@" </dev/null >/dev/null 2>&1 &
	DST=$!
	# Ready once the control channel (PORT+1) listens: it says so after.
	wait_for 20 grep -qs "waiting for a sender" "$DSTORE.err" ||
		fail "the receiver does not listen: $(cat "$DSTORE.err" 2>/dev/null)"
}

# no_checkpoints CRIUCTL...: that store lists no checkpoint.
no_checkpoints() {
	run -0 --separate-stderr "$@" --json list
	run jq -r '.checkpoints | length' <<<"$output"
	assert_output 0
}

# The destination's init (outer pid), and the restored root under it.
dst_init() { pgrep -P "$DST" | head -n 1; }
dst_tree() { pgrep -P "$(dst_init)" -x python3; }

@test "migrate: a tree with 512 MiB of checksummed memory moves; memory intact, counter on, source gone" {
	start_summed_counter 512
	mkdir -p "$DSTORE"
	start_receiver --listen "$DST_IP:$TPORT" --name moved
	run -0 --separate-stderr ctl --json migrate -t "$PID" --to "$DST_IP:$TPORT"
	jq -r '"# downtime \(.downtime_ms) ms (criu froze the source \(.frozen_time_us / 1000 | floor) ms), source ran on \(.lost_ms) ms, \(.bytes_sent) bytes over the control channel"' <<<"$output" >&3
	run jq -r '.ok, (.remote_pid > 0), (.downtime_ms >= 0), (.files_sent > 0)' <<<"$output"
	assert_output "true
true
true
true"
	wait_for 20 test -s "$DSTORE.rc"
	assert_equal "$(cat "$DSTORE.rc")" 0
	# The source tree is gone; the destination's runs and counts on.
	wait_for 10 eval '! kill -0 '"$PID"' 2>/dev/null'
	new=$(dst_tree)
	[[ -n $new ]] || fail "no tree on the destination: $(cat "$DSTORE.err")"
	PIDS+=("$new")
	at=$(last_line "$W/count")
	wait_for 20 count_ge "$W/count" $((at + 3))
	assert_equal "$(memory_sum "$new")" "$SUM0"
	# The destination keeps a sealed checkpoint; the source keeps no dump.
	run -0 criuctl --store "$DSTORE" verify moved
	no_checkpoints ctl
	run ls -A "$STORE/tmp" "$DSTORE/tmp"
	refute_output --regexp '[^:]$'
}

@test "migrate: the receiver killed before the restore leaves the source running, nothing on the destination" {
	start_summed_counter 8
	mkdir -p "$DSTORE"
	# The receiver stops itself once the images are in, before it commits
	# and restores (fault.h); it is then killed.
	CRIUCTL_FAULT=receive-restore start_receiver --listen "$DST_IP:$TPORT"
	ctl_bg migrate -t "$PID" --to "$DST_IP:$TPORT"
	wait_for 60 eval '[[ $(ps -o stat= -p "$(pgrep -P "$(dst_init)" -x criuctl)" 2>/dev/null) == T* ]]' ||
		fail "the receiver did not stop: $(cat "$DSTORE.err")"
	kill -KILL "$(pgrep -P "$(dst_init)" -x criuctl)"
	ctl_bg_exits 6
	assert_file_contains "$W/out" "keeps running"
	tree_works "$PID"
	assert_equal "$(memory_sum)" "$SUM0"
	# Nothing partial: no checkpoint, and tmp/ empty once recovered.
	run -0 criuctl --store "$DSTORE" recover
	no_checkpoints criuctl --store "$DSTORE"
	run ls -A "$DSTORE/tmp"
	assert_output ""
	no_checkpoints ctl""
}

@test "migrate: no receiver: refused before anything is dumped, the source runs on" {
	start_counter
	run -6 --separate-stderr ctl migrate -t "$PID" --to "$DST_IP:$TPORT" --timeout 5
	[[ $stderr == *receiver-unreachable* || $stderr == *"keeps running"* ]] || fail "$stderr"
	tree_works "$PID"
	no_checkpoints ctl
}

@test "migrate: a dump refused on the source ends the receiver at once, with nothing kept" {
	# Its session leader is outside the pid namespace: the preflight refuses.
	start_no_setsid python3 -c "import time
while True: time.sleep(0.05)"
	pid=$REPLY
	mkdir -p "$DSTORE"
	start_receiver --listen "$DST_IP:$TPORT" --timeout 120
	run -3 --separate-stderr ctl migrate -t "$pid" --to "$DST_IP:$TPORT"
	alive "$pid"
	# The receiver does not wait for its deadline.
	wait_for 15 test -s "$DSTORE.rc" || fail "the receiver still waits: $(cat "$DSTORE.err")"
	assert_equal "$(cat "$DSTORE.rc")" 1
	assert_file_contains "$DSTORE.err" "nothing to restore"
	no_checkpoints criuctl --store "$DSTORE"
	run ls -A "$DSTORE/tmp"
	assert_output ""
	no_checkpoints ctl
}

@test "migrate: text output: the pid on the destination on stdout, the downtime on stderr" {
	start_summed_counter 8
	mkdir -p "$DSTORE"
	start_receiver --listen "$DST_IP:$TPORT"
	run -0 --separate-stderr ctl migrate -t "$PID" --to "$DST_IP:$TPORT"
	# A tree of its own pid namespace there: it keeps its pid.
	assert_output "$PID"
	[[ $stderr =~ migrated\ tree\ $PID\ to\ $DST_IP:$TPORT:\ pid\ $PID\ there\;\ downtime\ [0-9]+\ ms ]] ||
		fail "stderr: $stderr"
	wait_for 20 test -s "$DSTORE.rc"
	assert_equal "$(cat "$DSTORE.out")" "$PID"
	# Without --name: received-UTCSTAMP.
	run -0 --separate-stderr criuctl --store "$DSTORE" --json list
	run jq -r '.checkpoints[].name' <<<"$output"
	assert_output --regexp '^received-[0-9]{8}T[0-9]{6}$'
	new=$(dst_tree)
	PIDS+=("$new")
	assert_equal "$(memory_sum "$new")" "$SUM0"
}

@test "receive: one sender only; a second is refused, and the first leaving ends it with nothing kept" {
	mkdir -p "$DSTORE"
	start_receiver --listen "$DST_IP:$TPORT"
	run -0 python3 -c "import socket, sys
first = socket.create_connection(('$DST_IP', $((TPORT + 1))), timeout=10)
assert first.makefile('rb').readline() == b'READY\n'
try:
    socket.create_connection(('$DST_IP', $((TPORT + 1))), timeout=10)
    sys.exit('a second sender was let in')
except ConnectionRefusedError:
    pass
first.close()"
	wait_for 15 test -s "$DSTORE.rc" || fail "the receiver still waits: $(cat "$DSTORE.err")"
	assert_equal "$(cat "$DSTORE.rc")" 1
	no_checkpoints criuctl --store "$DSTORE"
	run ls -A "$DSTORE/tmp"
	assert_output ""
}
