#!/usr/bin/env bats
# End-to-end, the fault matrix (criuctl's own interruption): criuctl is
# signalled or killed at each step of a dump and of a restore, with the
# real criu in the guest, and nothing is lost: the tree runs on (alive, not
# stopped, not traced, still counting, no criu, lock or repair mode left),
# or the checkpoint is committed and restores.  CRIUCTL_FAULT stops
# criuctl exactly at a step; the last test interrupts it at random moments.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { criu_teardown; }

# interrupt_at POINT SIG ARGS...: criuctl ARGS, stopped by CRIUCTL_FAULT at
# POINT, then sent SIG (and SIGCONT); its exit status in $STATUS, its
# output in $W/out.
interrupt_at() {
	local point=$1 sig=$2
	shift 2
	CRIUCTL_FAULT=$point criuctl --store "$STORE" "$@" >"$W/out" 2>&1 &
	CTL=$!
	wait_for 60 state_is "$CTL" T || fail "criuctl never reached $point: $(cat "$W/out")"
	kill -"$sig" "$CTL"
	kill -CONT "$CTL" 2>/dev/null || true
	STATUS=0
	wait "$CTL" || STATUS=$?
	CTL=
}

# tree_works, criu_gone: helpers.bash.

# After the next criuctl that writes the store: tmp/ is empty, and NAME is
# (not) listed.
store_has() {
	wait_for 20 criu_gone || fail "criu or its guard still runs"
	run ctl recover
	assert_success
	run ctl list
	assert_success
	if [[ $2 == yes ]]; then assert_line --regexp "^$1 "; else refute_line --regexp "^$1 "; fi
	run ls -A "$STORE/tmp"
	assert_output ""
}

# The checkpoint NAME of a counter restores, and the counter goes on.
restores_and_counts() {
	local at
	wait_for 10 dead "$PID"
	at=$(last_line "$W/count")
	run ctl restore "$1"
	assert_success
	wait_for 10 count_ge "$W/count" $((at + 3))
	assert_consecutive "$W/count"
}

sig_num() { kill -l "$1"; }

@test "dump, a signal before criu starts (TERM, INT, HUP): 128+N, criu never ran, the tree runs on" {
	start_counter 16
	for sig in TERM INT HUP; do
		interrupt_at before-criu "$sig" dump --tree "$PID" --name "b$sig"
		((STATUS == 128 + $(sig_num "$sig"))) || fail "$sig: exit $STATUS: $(cat "$W/out")"
		grep -q "before criu started: nothing was frozen" "$W/out" || fail "$(cat "$W/out")"
		! compgen -G "$STORE/failed/b$sig*" >/dev/null || fail "a failed record without a criu run"
		tree_works "$PID"
		store_has "b$sig" no
	done
}

@test "dump, SIGKILL before criu starts: the tree runs on, nothing is left" {
	start_counter 16
	interrupt_at before-criu KILL dump --tree "$PID" --name bk
	assert_equal "$STATUS" 137
	tree_works "$PID"
	store_has bk no
	run ls -A "$STORE/failed"
	assert_output ""
}

@test "dump, a signal while criu waits at its point of no return (TERM, INT, HUP): criu is told no and resumes the tree" {
	start_counter 64
	for sig in TERM INT HUP; do
		interrupt_at deciding "$sig" dump --tree "$PID" --name "d$sig"
		((STATUS == 128 + $(sig_num "$sig"))) || fail "$sig: exit $STATUS: $(cat "$W/out")"
		grep -q "at criu's point of no return; criu was told not to go on" "$W/out" ||
			fail "$(cat "$W/out")"
		run jq -r '.verdict.id, .stopped_by' "$STORE"/failed/d"$sig".*/report.json
		assert_output $'interrupted\nsignal'
		run grep -h "criuctl-hook: post-dump: criuctl said no" "$STORE"/failed/d"$sig".*/dump.log
		assert_success
		tree_works "$PID"
		store_has "d$sig" no
	done
}

@test "dump, SIGKILL while criu waits at its point of no return: criu finds criuctl gone, the tree runs on, the log is kept" {
	start_counter 64
	interrupt_at deciding KILL dump --tree "$PID" --name dk
	assert_equal "$STATUS" 137
	tree_works "$PID"
	run --separate-stderr ctl recover
	assert_success
	[[ $stderr == *"dk: criuctl ended before criu did; its logs are kept in $STORE/failed/dk."* ]] ||
		fail "stderr: $stderr"
	run ctl list --failed
	assert_output --partial abandoned
	store_has dk no
	run jq -r .verdict.id "$STORE"/failed/dk.*/report.json
	assert_output abandoned
	run grep -h "criuctl-hook: post-dump: criuctl did not answer" "$STORE"/failed/dk.*/dump.log
	assert_success
}

@test "dump, a signal once criu was told to go on (TERM, INT, HUP): committed, exit 0, and it restores" {
	for sig in TERM INT HUP; do
		: >"$W/count"
		start_counter 16
		interrupt_at decided "$sig" --json dump --tree "$PID" --name "g$sig"
		assert_equal "$STATUS" 0
		run jq -r '.ok, .deferred_signal' "$W/out"
		assert_output "true
$(sig_num "$sig")"
		restores_and_counts "g$sig"
		kill -KILL "$PID"
		wait_for 10 dead "$PID"
	done
}

@test "dump, SIGKILL once criu was told to go on: the next criuctl commits the checkpoint, and it restores" {
	start_counter 16
	interrupt_at decided KILL dump --tree "$PID" --name gk
	assert_equal "$STATUS" 137
	wait_for 20 criu_gone
	run --separate-stderr ctl recover
	assert_success
	[[ $stderr == *"gk: criuctl ended after criu had checkpointed the tree; committed as checkpoint gk"* ]] ||
		fail "stderr: $stderr"
	run ctl list
	assert_line --regexp '^gk .* recovered '
	run jq -r '.recovered | test("committed at .* from tmp/")' "$STORE/checkpoints/gk/manifest.json"
	assert_output true
	run ctl verify gk
	assert_success
	store_has gk yes
	restores_and_counts gk
}

@test "dump, SIGKILL or SIGTERM after criu ended, before the commit: committed, and it restores" {
	start_counter 16
	interrupt_at commit KILL dump --tree "$PID" --name ck
	assert_equal "$STATUS" 137
	store_has ck yes
	restores_and_counts ck
	kill -KILL "$PID"
	wait_for 10 dead "$PID"
	: >"$W/count"
	start_counter 16
	interrupt_at commit TERM dump --tree "$PID" --name ct
	assert_equal "$STATUS" 0
	grep -q "signal 15 (Terminated) came after criu had checkpointed the tree" "$W/out" ||
		fail "$(cat "$W/out")"
	store_has ct yes
	restores_and_counts ct
}

@test "dump --leave-running, SIGKILL once criu was told to go on: the tree runs on, and the next criuctl seals and commits the checkpoint" {
	start_counter 16
	interrupt_at decided KILL dump --tree "$PID" --name lk --leave-running
	assert_equal "$STATUS" 137
	tree_works "$PID"
	store_has lk yes
	run jq -r '(.files | length > 0), .images_bytes > 0' "$STORE/checkpoints/lk/manifest.json"
	assert_output $'true\ntrue'
	run ctl verify lk
	assert_success
}

@test "dump of a TCP server, SIGKILL while criu waits at its point of no return: the connection goes on, no lock or repair mode left" {
	start_echo_server "$TPORT" 32
	python3 -c "import socket, time
c = socket.create_connection(('127.0.0.1', $TPORT)); f = c.makefile('rwb', buffering=0)
n = 0
while True:
    n += 1; f.write(b'%d\n' % n); assert f.readline() == b'%d\n' % n
    open('$W/count', 'a').write('%d\n' % n); time.sleep(0.05)" </dev/null >/dev/null 2>&1 &
	CLIENT=$!
	disown "$CLIENT" # no "Killed" job notice when teardown kills it
	PIDS+=("$CLIENT")
	wait_for 20 count_ge "$W/count" 3
	interrupt_at deciding KILL dump --tree "$SERVER" --name tk
	assert_equal "$STATUS" 137
	alive "$SERVER"
	tree_works "$CLIENT" # it counts only while the server answers
	run ctl check --tree "$SERVER"
	refute_output --partial tcp-repair-left
	refute_output --partial criu-lock-left
}

# A checkpoint of a counter, its tree ended: for the restore tests.
dumped_counter() {
	start_counter 16
	run ctl dump --tree "$PID" --name "$1"
	assert_success
	wait_for 10 dead "$PID"
}

@test "restore, a signal before criu starts: 128+N, nothing restored, the checkpoint restores later" {
	dumped_counter r1
	interrupt_at before-criu TERM restore r1
	assert_equal "$STATUS" 143
	dead "$PID"
	store_has r1 yes
	restores_and_counts r1
}

@test "restore, a signal or SIGKILL while criu waits at post-restore: criu kills what it made, the checkpoint restores later" {
	dumped_counter r2
	for sig in TERM KILL; do
		interrupt_at deciding "$sig" restore r2
		((STATUS == 128 + $(sig_num "$sig"))) || fail "$sig: exit $STATUS: $(cat "$W/out")"
		wait_for 20 criu_gone
		wait_for 10 dead "$PID" || fail "$sig: the half-restored pid $PID runs"
		store_has r2 yes
	done
	run bash -c "jq -r .verdict.id '$STORE'/failed/r2.restore.*/report.json | sort"
	assert_output $'abandoned\ninterrupted'
	restores_and_counts r2
}

@test "restore, a signal or SIGKILL once criu was told to go on: the tree runs; its log is kept with the checkpoint" {
	dumped_counter r3
	interrupt_at decided TERM --json restore r3
	assert_equal "$STATUS" 0
	run jq -r '.ok, .pid, .deferred_signal' "$W/out"
	assert_output "true
$PID
15"
	tree_works "$PID"
	kill -KILL "$PID"
	wait_for 10 dead "$PID"
	rm "$STORE/checkpoints/r3/restore.log"
	interrupt_at decided KILL restore r3
	assert_equal "$STATUS" 137
	tree_works "$PID"
	run --separate-stderr ctl recover
	[[ $stderr == *"r3: criu finished a restore after criuctl ended"* ]] || fail "stderr: $stderr"
	assert_file_exists "$STORE/checkpoints/r3/restore.log"
	store_has r3 yes
}

@test "a signal at any moment of a dump: the tree runs on, or the checkpoint is committed and restores" {
	local i sig delay name
	local -a sigs=(TERM INT HUP KILL)
	for i in 0 1 2 3 4 5 6 7; do
		sig=${sigs[i % 4]}
		delay=$(printf '0.%02d' $((5 + i * 12)))
		name=x$i
		: >"$W/count"
		start_counter 128
		criuctl --store "$STORE" dump --tree "$PID" --name "$name" >"$W/out" 2>&1 &
		CTL=$!
		sleep "$delay"
		kill -"$sig" "$CTL" 2>/dev/null || true
		wait "$CTL" || true
		CTL=
		wait_for 20 criu_gone
		ctl recover >/dev/null 2>&1
		run ctl list
		if [[ $output == *"$name "* ]]; then
			restores_and_counts "$name"
		else
			tree_works "$PID"
		fi
		run ls -A "$STORE/tmp"
		assert_output ""
		kill -KILL "$PID"
		wait_for 10 dead "$PID"
	done
}
