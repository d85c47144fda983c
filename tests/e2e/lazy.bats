#!/usr/bin/env bats
# End-to-end: restore --lazy with the real criu 4.2.1 (criu lazy-pages
# beside criu restore --lazy-pages, userfaultfd): the tree runs before its
# memory is in, and its memory is intact once it is; when the daemon is
# killed or stalls, the tree, which would fault on pages that never come,
# is ended, the restore recorded as failed, and the checkpoint restores
# again.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() {
	pkill -CONT -f 'criu lazy-pages' 2>/dev/null || true
	pkill -KILL -f 'criu lazy-pages' 2>/dev/null || true
	criu_teardown
}

# The restored tree's memory, checksummed now (start_summed_counter), is
# the memory it had at its start.
memory_intact() {
	assert_equal "$(memory_sum)" "$SUM0"
}

lazy_daemon() { pgrep -o -f 'criu lazy-pages'; }

@test "restore --lazy: the tree runs before its memory is in, and its 1 GiB is intact" {
	start_summed_counter 1024
	run -0 ctl -q dump -t "$PID" -n big
	at=$(last_line "$W/count")
	run -0 --separate-stderr ctl --json restore big --lazy --pidfile "$W/restored.pid"
	run jq -r '.ok, .pid, (.lazy.running_ms <= .lazy.last_page_ms),
		(.lazy.pages_copied == .lazy.pages_total), (.lazy.pages_total > 262144)' <<<"$output"
	assert_output "true
$PID
true
true
true"
	PIDS+=("$PID")
	assert_equal "$(cat "$W/restored.pid")" "$PID"
	memory_intact
	wait_for 20 count_ge "$W/count" $((at + 3))
	assert_consecutive "$W/count"
	# The daemon's log is kept with the checkpoint, beside restore.log.
	assert_file_exists "$STORE/checkpoints/big/lazy-pages.log"
	run grep -c "UFFD transferred pages" "$STORE/checkpoints/big/lazy-pages.log"
	assert_output 1
	wait_for 10 criu_gone
}

@test "restore --lazy: text output says when the tree ran and when its memory was in" {
	start_summed_counter 64
	run -0 ctl -q dump -t "$PID" -n small
	run -0 --separate-stderr ctl restore small --lazy
	PIDS+=("$PID")
	assert_output "$PID"
	[[ $stderr =~ running:\ pid\ $PID\ after\ [0-9]+\ ms ]] || fail "stderr: $stderr"
	[[ $stderr =~ memory\ in:\ [0-9]+\ pages\ after\ [0-9]+\ ms ]] || fail "stderr: $stderr"
	memory_intact
}

@test "restore --lazy --wait: criuctl stays until the restored root exits, with its status" {
	start python3 -c "import os, sys, time
blob = bytearray(os.urandom(64 << 20))
for n in range(1, 41):
    with open('$W/count', 'a') as f: f.write('%d\n' % n)
    time.sleep(0.05)
sys.exit(7)"
	PID=$REPLY
	wait_for 20 count_ge "$W/count" 2
	run -0 ctl -q dump -t "$PID" -n w
	run -7 --separate-stderr ctl restore w --lazy --wait
	[[ $stderr == *"memory in:"* ]] || fail "stderr: $stderr"
	assert_equal "$(last_line "$W/count")" 40
	assert_consecutive "$W/count"
}

# Restore --lazy in the background; once the tree runs (its pidfile), stop
# the daemon (SIGSTOP) before its last page: the tree waits for pages.
lazy_restore_held() {
	ctl_bg restore "$1" --lazy --pidfile "$W/restored.pid" "${@:2}"
	wait_for 60 test -s "$W/restored.pid" || fail "the tree never ran: $(cat "$W/out")"
	DAEMON=$(lazy_daemon) || fail "no criu lazy-pages: $(cat "$W/out")"
	kill -STOP "$DAEMON"
	grep -q "UFFD transferred pages" "$STORE/tmp"/*/lazy-pages.log &&
		fail "every page was in before the daemon could be stopped"
	ROOT=$(cat "$W/restored.pid")
	PIDS+=("$ROOT")
}

# After a failed lazy restore: the tree is gone, no criu is left, the
# attempt is kept with both logs, and the checkpoint restores (not lazily)
# with its memory intact.
lazy_failed_cleanly() {
	wait_for 10 dead "$ROOT" || fail "the restored tree was left running without its memory"
	wait_for 20 criu_gone || fail "criu is still running"
	run jq -r '.verdict.id' "$STORE"/failed/big.restore.*/report.json
	assert_output "$1"
	assert_file_exists "$(echo "$STORE"/failed/big.restore.*/lazy-pages.log)"
	assert_file_exists "$(echo "$STORE"/failed/big.restore.*/restore.log)"
	rm -f "$W/restored.pid"
	run -0 ctl restore big
	PIDS+=("$output")
	memory_intact
}

@test "restore --lazy: the daemon killed before the last page: lazy-pages-lost, the tree ended" {
	start_summed_counter 1024
	run -0 ctl -q dump -t "$PID" -n big
	lazy_restore_held big
	kill -KILL "$DAEMON"
	ctl_bg_exits 1
	run cat "$W/out"
	assert_line --partial "criuctl: restore failed: criu lazy-pages ended before every page of the restored tree was in"
	assert_output --regexp "criu lazy-pages \(pid $DAEMON\) was killed by signal 9; [0-9]+ of [0-9]+ pages were in"
	assert_output --partial "the restored tree (pid $ROOT, 1 task) was ended"
	lazy_failed_cleanly lazy-pages-lost
}

@test "restore --lazy: the daemon stalls: stalled (exit 4) after --stall-timeout, the tree ended" {
	start_summed_counter 1024
	run -0 ctl -q dump -t "$PID" -n big
	lazy_restore_held big --stall-timeout 2
	ctl_bg_exits 4
	run cat "$W/out"
	assert_output --partial "criu lazy-pages made no progress for the stall limit"
	wait_for 10 dead "$DAEMON" || fail "the stalled daemon was left"
	lazy_failed_cleanly stalled
}

@test "restore --lazy: criuctl interrupted while pages come in: exit 130, the tree ended" {
	start_summed_counter 1024
	run -0 ctl -q dump -t "$PID" -n big
	lazy_restore_held big
	kill -INT "$CTL"
	ctl_bg_exits 130
	lazy_failed_cleanly interrupted
}
