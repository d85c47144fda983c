#!/usr/bin/env bats
# End-to-end: criuctl's watchdog against the real criu in the guest: stalls
# are caught and explained before anything is killed, criu is stopped step
# by step, and the tree is left running.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { criu_teardown; }

VFORK_HANG=/src/build/fixtures/vfork-hang

# The log of the dump in progress contains $1.
attempt_log_has() { grep -qF -- "$1" "$STORE"/tmp/*/dump.log 2>/dev/null; }

@test "a vfork parent in D state: the stall watchdog names it, criu is stopped, the tree lives" {
	[[ -x $VFORK_HANG ]] || fail "missing $VFORK_HANG (make build/fixtures/vfork-hang)"
	start "$VFORK_HANG"
	PID=$REPLY
	wait_for 10 state_is "$PID" D

	# --force: the preflight would refuse a D-state tree before criu runs.
	run ctl dump --tree "$PID" --name vf --stall-timeout 3 --force
	assert_failure 4
	assert_output --partial "criu stalled"
	assert_output --regexp "task $PID \(vfork-hang\) is in uninterruptible sleep \(state D"
	assert_output --partial "a vfork parent waiting for its child"
	report=$(echo "$STORE"/failed/vf.*/report.json)
	run jq -r '.verdict.id, .stopped_by, .hang.diagnosis.id, .hang.diagnosis.culprit_pid,
		([.hang.tasks[] | select(.role == "target" and .state == "D")] | length),
		([.target[] | select(.alive)] | length)' "$report"
	assert_output "task-uninterruptible
stall
task-uninterruptible
$PID
1
2"
	# criuctl acted on its own stall deadline, before criu's own 10 s task
	# timeout fired.
	run grep -c "Timeout reached" "$STORE"/failed/vf.*/dump.log
	assert_output 0
	alive "$PID"
	run ls "$STORE/checkpoints"
	assert_output ""
}

@test "criu killed mid-dump (CRIU_FAULT=1): criu-killed, and the tree keeps running" {
	start_counter 16
	printf '[criu]\nenv = CRIU_FAULT=1\n' >"$W/fault.conf"
	run criuctl -c "$W/fault.conf" --store "$STORE" dump --tree "$PID" --name fault
	assert_failure 1
	assert_output --partial "killed by a signal"
	assert_output --partial "criu was killed by signal 9"
	run jq -r '.verdict.id, .criu_end.term_signal' "$STORE"/failed/fault.*/report.json
	assert_output $'criu-killed\n9'
	at=$(last_line "$W/count")
	wait_for 10 count_ge "$W/count" $((at + 5))
	assert_consecutive "$W/count"
}

@test "criu stopped by SIGSTOP mid-dump: a real stall, reported as criu-stopped" {
	start_counter 1024
	ctl_bg dump --tree "$PID" --name stopped --stall-timeout 2
	# Once it dumps memory: criu stopped for good while it injects its
	# parasite would leave the task running injected code.
	wait_for 60 attempt_log_has page-xfer
	stop_criu
	ctl_bg_exits 4
	run cat "$W/out"
	assert_output --regexp "criu [0-9]+ \(criu\) is stopped \(state T\)"
	run jq -r '.verdict.id, .stopped_by, .hang.diagnosis.id' "$STORE"/failed/stopped.*/report.json
	assert_output $'criu-stopped\nstall\ncriu-stopped'
	wait_for 10 criu_gone
	# The tree was released: running, not stopped, not traced.
	wait_for 10 state_is_not "$PID" T
	at=$(last_line "$W/count")
	wait_for 10 count_ge "$W/count" $((at + 3))
	run awk '/^TracerPid/ {print $2}' "/proc/$PID/status"
	assert_output 0
}

# A TCP echo server of SIZE MiB (the tree, $SERVER) and a client outside
# the tree that counts its round trips in $W/rtt.
start_tcp_big() {
	start_echo_server "$TPORT" "$1"
	start_echo_client "$TPORT" "$W/rtt"
}

# After a failed dump of start_tcp_big's server, criuctl's output ($output)
# says it removed criu's lock; no lock is left, and the server was never let
# run with a socket in repair mode: it still echoes, the client goes on.
assert_lock_removed_and_talking() {
	assert_output --regexp "criu left its network lock \(nftables table inet CRIU-[0-9a-f-]+\): removed it"
	run nft list tables
	refute_output --partial CRIU
	alive "$SERVER"
	local at
	at=$(last_line "$W/rtt")
	wait_for 10 count_ge "$W/rtt" $((at + 5))
}

@test "criu stopped after it put the tree's TCP socket in repair mode: the socket is repaired, the lock removed, the connection goes on" {
	start_tcp_big 1024
	ctl_bg dump --tree "$SERVER" --name tcpstall --stall-timeout 2
	wait_for 20 attempt_log_has "Turning repair on for socket"
	stop_criu
	ctl_bg_exits 4
	run cat "$W/out"
	assert_output --regexp "criu left 1 TCP socket of the tree in repair mode \(pid $SERVER fd [0-9]+\): took it out of it"
	assert_lock_removed_and_talking
	run jq -r '(.tidy.repaired | length), (.tidy.unlocked | length), (.tidy.failed | length)' \
		"$STORE"/failed/tcpstall.*/report.json
	assert_output $'1\n1\n0'
}

@test "criu killed mid-dump of a TCP server (CRIU_FAULT=1): the lock it left is removed afterwards" {
	start_tcp_big 16
	printf '[criu]\nenv = CRIU_FAULT=1\n' >"$W/fault.conf"
	run criuctl -c "$W/fault.conf" --store "$STORE" dump --tree "$SERVER" --name tcpfault
	assert_failure 1
	assert_output --partial "criu was killed by signal 9"
	assert_lock_removed_and_talking
}

@test "a restore stopped half-way: the half-restored task is killed, and the checkpoint restores next time" {
	start_counter 512
	run ctl dump --tree "$PID" --name half
	assert_success
	wait_for 10 dead "$PID"
	at_dump=$(last_line "$W/count")
	ctl_bg restore half --stall-timeout 2
	wait_for 20 bash -c "grep -qF 'Forking task with $PID pid' '$STORE'/tmp/*/restore.log 2>/dev/null"
	kill -STOP "$(pgrep -o -f '^/usr/sbin/criu restore')"
	ctl_bg_exits 4
	run cat "$W/out"
	assert_output --regexp "criu left 1 half-restored task \(pid $PID [a-z0-9]+\): killed it"
	run jq -r '.tidy.killed | length' "$STORE"/failed/half.restore.*/report.json
	assert_output 1
	# Nothing holds the checkpoint's pid once the kill is reaped.
	wait_for 10 dead "$PID"
	wait_for 10 criu_gone
	# The checkpoint is intact and restores; the counter goes on.
	run --separate-stderr ctl restore half
	assert_success
	assert_output "$PID"
	wait_for 10 count_ge "$W/count" $((at_dump + 3))
}

@test "criuctl killed with SIGKILL mid-dump: criu goes on alone, finds criuctl gone at its point of no return, the tree lives" {
	start_counter 1024
	ctl_bg dump --tree "$PID" --name orphan --leave-running
	wait_for 20 criu_pid
	kill -KILL "$CTL"
	wait "$CTL" || true
	# criu goes on without criuctl (own session, log and output in files).
	run --separate-stderr ctl list
	assert_success
	refute_output --partial orphan
	wait_for 60 bash -c '! pgrep -f "^/usr/sbin/criu dump" >/dev/null'
	wait_for 20 criu_gone
	alive "$PID"
	at=$(last_line "$W/count")
	wait_for 10 count_ge "$W/count" $((at + 3))
	# The next criuctl that writes the store keeps the attempt's logs as
	# abandoned, not tmp/.
	run --separate-stderr ctl recover
	assert_success
	run --separate-stderr ctl list
	assert_success
	refute_output --partial orphan
	run ls -A "$STORE/tmp"
	assert_output ""
	run jq -r .verdict.id "$STORE"/failed/orphan.*/report.json
	assert_output abandoned
}

@test "SIGINT to criuctl mid-dump stops criu, reports, exits 130, commits nothing" {
	start_counter 1024
	ctl_bg dump --tree "$PID" --name interrupted
	wait_for 20 criu_pid
	kill -INT "$CTL"
	ctl_bg_exits 130
	run cat "$W/out"
	assert_output --partial "interrupted by signal 2"
	run jq -r '.verdict.id, .stopped_by' "$STORE"/failed/interrupted.*/report.json
	assert_output $'interrupted\nsignal'
	run ls "$STORE/checkpoints"
	assert_output ""
	wait_for 10 criu_gone
}

@test "--progress=always without a terminal prints plain phase lines, no control characters" {
	start_counter 512
	run --separate-stderr ctl --progress=always dump --tree "$PID" --name prog --leave-running
	assert_success
	[[ $stderr == *"dump: "*" s: dumping memory"* ]]
	[[ $stderr == *"dump: "*" s: finished"* ]]
	[[ $stderr != *$'\e'* && $stderr != *$'\r'* ]]
}
