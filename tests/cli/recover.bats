#!/usr/bin/env bats
# CLI: what a killed criuctl leaves in tmp/ is resolved by the next criuctl
# that writes the store (recover, dump, restore, rm, prune: src/sys/recover.h),
# never deleted unread; the reading commands only say it is pending.  Here,
# with the fake criu: criuctl killed while criu waits at its point of no
# return (the fake runs criuctl-hook there as criu does, and aborts when it
# says no), criu stuck (the guard), and what the tmp/ entries alone tell.
# A criu that finishes after criuctl was killed is real criu's, in
# tests/e2e/faults.bats and tests/e2e/cli_real.bats.

load helpers

# killed_at POINT ARGS...: criuctl ARGS in the background, stopped by
# CRIUCTL_FAULT at POINT, then SIGKILLed; returns once the fake criu, which
# goes on alone, has ended too, and criuctl-guard with it.
killed_at() {
	local point=$1 deadline=$((SECONDS + 20)) criu
	shift
	CRIUCTL_FAULT=$point bg_criuctl "$@"
	until [[ $(proc_field "$BG_PID" 1 2>/dev/null) == T ]]; do
		((SECONDS < deadline)) || fail "criuctl never reached $point: $(cat "$BG_ERR")"
		sleep 0.02
	done
	criu=$(fake_criu_pid)
	kill -KILL "$BG_PID"
	bg_wait
	wait_gone "$criu"
	wait_guard_gone
}

@test "criuctl killed while criu waits at its point of no return: criu aborts, the tree lives, the logs are kept as abandoned" {
	workload
	FAKE_CRIU_MODE=images killed_at deciding dump -t "$WPID" -n gone
	alive "$WPID"
	run -0 --separate-stderr criuctl recover
	[[ $stderr == *"gone: criuctl ended before criu did; its logs are kept in $STORE/failed/gone."* ]] ||
		fail "stderr: $stderr"
	run -0 criuctl list --failed
	assert_output --partial abandoned
	assert_dir_empty "$STORE/tmp"
	run -0 jq -r '.verdict.id, .action, .abandoned' "$STORE"/failed/gone.*/report.json
	assert_output $'abandoned\ndump\ntrue'
	run -0 grep -h "criuctl-hook: post-dump: criuctl did not answer" "$STORE"/failed/gone.*/dump.log
	run -0 find "$STORE/failed" -name images
	assert_output ""
	run -0 criuctl list
	refute_output --partial gone
}

@test "criuctl killed while criu is stuck: criuctl-guard stops criu at the stall limit; the next criuctl keeps the attempt as abandoned (stall)" {
	workload
	FAKE_CRIU_MODE=stall bg_criuctl dump -t "$WPID" -n stuck --stall-timeout 1
	local criu
	criu=$(fake_criu_pid)
	kill -KILL "$BG_PID"
	bg_wait
	# criu is not left for ever: the guard ends it (SIGSTOP, SIGTERM).
	wait_gone "$criu" 30
	alive "$WPID"
	# The guard holds the attempt until its note is written.
	wait_guard_gone
	run -0 --separate-stderr criuctl recover
	[[ $stderr == *"stuck: criuctl ended before criu did, and criu was stuck: criuctl-guard stopped it (stall); its logs are kept in $STORE/failed/stuck."* ]] ||
		fail "stderr: $stderr"
	run -0 criuctl list
	refute_output --partial stuck
	assert_dir_empty "$STORE/tmp"
	run -0 jq -r '.verdict.id, .stopped_by, .guard.by, .guard.stall_timeout_s, .guard.criu_pid' \
		"$STORE"/failed/stuck.*/report.json
	assert_output "abandoned
stall
criuctl-guard
1
$criu"
	run -0 --separate-stderr criuctl --json list --failed
	assert_equal "$(json_get '.failed[0].stopped_by')" stall
}

@test "an attempt whose criu never wrote a line is removed, and a running one is left alone" {
	mkdir -p "$STORE/tmp/old.12345678/images" "$STORE/tmp/busy.87654321"
	echo x >"$STORE/tmp/old.12345678/images/pages-1.img"
	exec {lock}<"$STORE/tmp/busy.87654321"
	flock -x "$lock"
	run -0 criuctl recover
	exec {lock}<&-
	assert_dir_exists "$STORE/tmp/busy.87654321"
	assert_dir_not_exists "$STORE/tmp/old.12345678"
	run -0 ls "$STORE/failed"
	assert_output ""
}

@test "reading commands leave a missing store missing; recover and rm make it" {
	local missing=$BATS_TEST_TMPDIR/none
	run -0 criuctl --store "$missing" list
	run -0 criuctl --store "$missing" list --failed
	run -5 criuctl --store "$missing" show x
	run -5 criuctl --store "$missing" log x
	run -0 criuctl --store "$missing" verify
	run -0 criuctl --store "$missing" list --help
	run -0 criuctl --store "$missing" dump --help
	run criuctl --store "$missing" check
	assert_line --regexp "store .*$missing is made by the first dump: $BATS_TEST_TMPDIR is writable"
	assert_file_not_exists "$missing"
	run -0 criuctl --store "$missing" recover
	assert_dir_exists "$missing/tmp"
}
