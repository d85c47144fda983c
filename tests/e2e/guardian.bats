#!/usr/bin/env bats
# End-to-end: a kill -9 of criuctl never leaves the tree frozen.  criuctl
# is SIGKILLed while its criu is stuck (stopped by SIGSTOP mid-dump or
# half-way through a restore, or seizing a task that never stops);
# criuctl-guard, the process criuctl
# starts beside every criu, enforces the run's limits in its place: criu
# is stopped, what it did to the tree is undone, the tree runs on (not
# stopped, not traced, counting), and the next criuctl keeps the attempt
# under failed/ as abandoned with the guard's reason.  Every wait polls,
# with generous limits; nothing here bounds a time.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { criu_teardown; }

VFORK_HANG=/src/build/fixtures/vfork-hang

criu_gone() { ! ps -eo stat=,comm= | awk '$2 == "criu" && $1 !~ /^Z/ { found = 1 } END { exit !found }'; }
guard_gone() { ! pgrep -x criuctl-guard >/dev/null; }
attempt_log_has() { grep -qF -- "$1" "$STORE"/tmp/*/dump.log 2>/dev/null; }
tracer_of() { awk '/^TracerPid:/ { print $2 }' "/proc/$1/status"; }

# SIGKILL criuctl; its guard and criu outlive it.
kill_ctl() {
	kill -KILL "$CTL"
	wait "$CTL" || true
	CTL=
}

# Once the guard is done: no criu, no guard, and the tree of $1 (and the
# extra pids) runs: alive, not stopped, not traced; the counter of
# $W/count goes on; no criu lock table.
tree_released() {
	wait_for 60 criu_gone || fail "criu is still there: $(ps -eo pid,stat,args | grep criu)"
	wait_for 60 guard_gone || fail "criuctl-guard is still there"
	local p at
	for p in "$@"; do
		alive "$p" || fail "pid $p is gone"
		state_is_not "$p" T || fail "pid $p was left stopped"
		state_is_not "$p" t || fail "pid $p was left in a trace stop"
		assert_equal "$(tracer_of "$p")" 0
	done
	if [[ -s $W/count ]]; then
		at=$(last_line "$W/count")
		wait_for 20 count_ge "$W/count" $((at + 3)) || fail "the tree stopped counting at $at"
	fi
	run nft list tables
	refute_output --partial CRIU
}

# The next criuctl keeps the attempt NAME as abandoned, stopped by the
# guard for REASON; nothing partial is listed, tmp/ is empty.
abandoned_by_guard() {
	local name=$1 reason=$2
	run --separate-stderr ctl recover
	assert_success
	[[ $stderr == *"$name: criuctl ended before criu did, and criu was stuck: criuctl-guard stopped it ($reason); its logs are kept in $STORE/failed/$name."* ]] ||
		fail "stderr: $stderr"
	run ctl list
	refute_line --regexp "^$name "
	run ctl list --failed
	assert_line --regexp "^$name\.[0-9TZ-]+ +dump +abandoned$"
	run jq -r '.verdict.id, .stopped_by, .guard.by, .guard.stopped_by, (.verdict.evidence[0] | test("^criuctl-guard: stopped criu"))' \
		"$STORE"/failed/"$name".*/report.json
	assert_output "abandoned
$reason
criuctl-guard
$reason
true"
	run ls -A "$STORE/tmp" "$STORE/checkpoints"
	refute_output --partial "$name"
}

@test "measured before the guard: criuctl SIGKILLed while criu is stopped mid-dump left the tree held for as long as criu was" {
	# The guard is what this file tests; this records, with the guard's
	# own limits out of reach, what a SIGKILLed criuctl left without it:
	# criu stopped for good, the tree seized by it and not counting.
	start_counter 512
	ctl_bg dump --tree "$PID" --name before --stall-timeout 3600 --timeout 3600
	wait_for 60 attempt_log_has page-xfer
	stop_criu
	local criu
	criu=$(criu_pid)
	kill_ctl
	sleep 3
	assert_equal "$(tracer_of "$PID")" "$criu"
	local at
	at=$(last_line "$W/count")
	sleep 1
	assert_equal "$(last_line "$W/count")" "$at"
	# Without the guard nothing would ever change this; here the test
	# ends criu itself, and the tree runs on.
	kill -KILL "$criu"
	tree_released "$PID"
}

@test "criuctl SIGKILLed while criu is stopped (SIGSTOP) mid-dump: the guard stops criu at the stall limit, the tree runs on" {
	start_counter 512
	ctl_bg dump --tree "$PID" --name stopped --stall-timeout 2
	wait_for 60 attempt_log_has page-xfer
	stop_criu
	pgrep -x criuctl-guard >/dev/null || fail "no criuctl-guard beside criu"
	kill_ctl
	tree_released "$PID"
	assert_consecutive "$W/count"
	abandoned_by_guard stopped stall
}

@test "criuctl SIGKILLed while criu is stopped mid-dump, no stall limit: the guard stops criu at the deadline" {
	start_counter 512
	ctl_bg dump --tree "$PID" --name late --stall-timeout 0 --timeout 6
	wait_for 60 attempt_log_has page-xfer
	stop_criu
	kill_ctl
	tree_released "$PID"
	abandoned_by_guard late deadline
}

@test "criuctl SIGKILLed while criu hangs seizing a task in D state (a vfork parent): the guard stops criu, the tree is released" {
	[[ -x $VFORK_HANG ]] || fail "missing $VFORK_HANG (make build/fixtures/vfork-hang)"
	start "$VFORK_HANG"
	PID=$REPLY
	wait_for 10 state_is "$PID" D
	local child
	child=$(pgrep -P "$PID")
	[[ -n $child ]] || fail "no vfork child"
	# criu's own seize timeout far away: only a stall limit can end it.
	ctl_bg dump --tree "$PID" --name dstate --stall-timeout 3 --force \
		--criu-opt=--timeout --criu-opt=3600
	# criu holds the parent (seized; it never stops), and says nothing more.
	wait_for 60 bash -c "[[ \$(awk '/^TracerPid:/ { print \$2 }' /proc/$PID/status) != 0 ]]" ||
		fail "criu never seized the vfork parent: $(cat "$W/out")"
	kill_ctl
	# The parent stays in D (the workload's own vfork); neither is traced.
	wait_for 60 guard_gone
	tree_released "$child"
	alive "$PID"
	assert_equal "$(tracer_of "$PID")" 0
	abandoned_by_guard dstate stall
}

@test "criu stopped after it put the tree's TCP socket in repair mode, criuctl SIGKILLed: the guard repairs the socket and removes the lock" {
	start_echo_server "$TPORT" 1024
	start_echo_client "$TPORT" "$W/count"
	local client=$CLIENT
	ctl_bg dump --tree "$SERVER" --name tcp --stall-timeout 2
	wait_for 30 attempt_log_has "Turning repair on for socket"
	stop_criu
	kill_ctl
	tree_released "$SERVER" "$client"
	abandoned_by_guard tcp stall
	run jq -r '(.guard.tidy.repaired | length), (.guard.tidy.unlocked | length), (.guard.tidy.failed | length)' \
		"$STORE"/failed/tcp.*/report.json
	assert_output $'1\n1\n0'
}

@test "criuctl SIGKILLed while criu's restore is stopped half-way: the guard kills the half-restored task, and the checkpoint restores next time" {
	start_counter 512
	run ctl dump --tree "$PID" --name half
	assert_success
	wait_for 10 dead "$PID"
	local at_dump
	at_dump=$(last_line "$W/count")
	ctl_bg restore half --stall-timeout 2
	wait_for 30 bash -c "grep -qF 'Forking task with $PID pid' '$STORE'/tmp/*/restore.log 2>/dev/null" ||
		fail "criu never forked the task: $(cat "$W/out")"
	kill -STOP "$(pgrep -o -f '^/usr/sbin/criu restore')"
	kill_ctl
	wait_for 60 criu_gone || fail "criu is still there"
	wait_for 60 guard_gone || fail "criuctl-guard is still there"
	wait_for 20 dead "$PID" || fail "the half-restored pid $PID runs"
	run --separate-stderr ctl recover
	assert_success
	[[ $stderr == *"half: criuctl ended before criu did, and criu was stuck: criuctl-guard stopped it (stall); its logs are kept in $STORE/failed/half.restore."* ]] ||
		fail "stderr: $stderr"
	run jq -r '.verdict.id, .action, .stopped_by, (.guard.tidy.killed | length)' \
		"$STORE"/failed/half.restore.*/report.json
	assert_output $'abandoned\nrestore\nstall\n1'
	run --separate-stderr ctl restore half
	assert_success
	assert_output "$PID"
	wait_for 20 count_ge "$W/count" $((at_dump + 3))
	assert_consecutive "$W/count"
}

@test "criuctl SIGKILLed while criu is not stuck: the guard lets criu go on; criu aborts at its point of no return" {
	start_counter 512
	ctl_bg dump --tree "$PID" --name alone --leave-running --stall-timeout 30
	wait_for 60 attempt_log_has page-xfer
	kill_ctl
	tree_released "$PID"
	run --separate-stderr ctl recover
	[[ $stderr == *"alone: criuctl ended before criu did; its logs are kept in"* ]] || fail "stderr: $stderr"
	run jq -r '.verdict.id, .stopped_by, .guard.stopped_by, .guard.log_succeeded' \
		"$STORE"/failed/alone.*/report.json
	assert_output $'abandoned\nnone\nnone\nfalse'
	run grep -h "criuctl-hook: post-dump: criuctl is gone" "$STORE"/failed/alone.*/dump.log
	assert_success
}

@test "criuctl that lives: its guard goes away with criu, and leaves no note" {
	start_counter 16
	run ctl dump --tree "$PID" --name lives --leave-running
	assert_success
	wait_for 20 guard_gone
	assert_file_not_exists "$STORE/checkpoints/lives/guard.json"
}
