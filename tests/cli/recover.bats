#!/usr/bin/env bats
# CLI: what a killed criuctl leaves in tmp/ is resolved by the next criuctl
# that writes the store (recover, dump, restore, rm, prune: src/sys/recover.h),
# never deleted unread; the reading commands only say it is pending.  The fake criu
# runs criuctl-hook at its point of no return as criu does; the real criu
# does the same in tests/e2e/faults.bats.

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

@test "a dump criuctl had decided to commit, then was killed: the next criuctl commits it (recovered)" {
	workload
	killed_at decided dump -t "$WPID" -n keep
	assert_equal "$BG_STATUS" 137
	assert_dir_exists "$STORE/tmp/$(ls "$STORE/tmp")"
	run -0 --separate-stderr criuctl recover
	[[ $stderr == *"criuctl: tmp/: keep: criuctl ended after criu had checkpointed the tree; committed as checkpoint keep"* ]] ||
		fail "stderr: $stderr"
	assert_dir_empty "$STORE/tmp"
	run -0 criuctl list
	assert_line --regexp '^keep .* recovered '
	run -0 jq -r '.recovered | test("^committed at .* by criuctl pid [0-9]+ from tmp/")' \
		"$STORE/checkpoints/keep/manifest.json"
	assert_output true
	run -0 criuctl verify keep
	run -0 criuctl --json list
	run -0 jq -r '.checkpoints[0].status' <<<"$output"
	assert_output recovered
}

@test "a recovered dump whose name was taken meanwhile is committed as NAME.recovered" {
	dump_ok other
	workload
	killed_at decided dump -t "$WPID" -n taken
	mv "$STORE/checkpoints/other" "$STORE/checkpoints/taken"
	run -0 --separate-stderr criuctl --json recover
	run -0 jq -r '.recovered[0]' <<<"$output"
	assert_output "taken: criuctl ended after criu had checkpointed the tree; committed as checkpoint taken.recovered"
	run -0 criuctl --json list
	run -0 jq -r '([.checkpoints[].name] | join(" "))' <<<"$output"
	assert_output "taken taken.recovered"
	run -0 jq -r .name "$STORE/checkpoints/taken.recovered/manifest.json"
	assert_output taken.recovered
}

@test "criuctl killed while criu waits at its point of no return: criu aborts, the tree lives, the logs are kept as abandoned" {
	workload
	killed_at deciding dump -t "$WPID" -n gone
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

@test "a restore criu finished after criuctl was killed: its log goes to the checkpoint" {
	dump_ok back
	wait_gone "$WPID"
	killed_at decided restore back
	assert_file_not_exists "$STORE/checkpoints/back/restore.log"
	run -0 --separate-stderr criuctl recover
	[[ $stderr == *"back: criu finished a restore after criuctl ended; its log is kept with the checkpoint"* ]] ||
		fail "stderr: $stderr"
	assert_file_exists "$STORE/checkpoints/back/restore.log"
	assert_dir_empty "$STORE/tmp"
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

@test "list, show, log and verify leave what a killed criuctl left in tmp/ as it is, and name it" {
	workload
	killed_at decided dump -t "$WPID" -n later
	entry=$(ls "$STORE/tmp")
	before=$(find "$STORE" -printf '%p %s %T@\n' | sort)
	run -0 --separate-stderr criuctl list
	[[ $stderr == *"criuctl: tmp/$entry: left by a criuctl that ended; the next dump, restore, rm or prune resolves it"* ]] ||
		fail "stderr: $stderr"
	refute_output --partial later
	run -0 --separate-stderr criuctl --json list --failed
	run -0 jq -r '.pending | join(" ")' <<<"$output"
	assert_output "$entry"
	run -5 criuctl show later
	run -5 criuctl log later
	run -0 criuctl verify
	assert_equal "$(find "$STORE" -printf '%p %s %T@\n' | sort)" "$before"
	run -0 criuctl recover
	run -0 criuctl list
	assert_line --regexp '^later .* recovered '
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
