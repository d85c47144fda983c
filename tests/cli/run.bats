#!/usr/bin/env bats
# criuctl run: a checkpointable workload (own session, no inherited fds,
# stdin from /dev/null, output on --log), started and left behind.

load helpers

@test "run prints the pid of a running workload and returns at once" {
	run -0 --separate-stderr "$CRIUCTL" run -- sleep 1000
	track "$output"
	assert_output --regexp '^[0-9]+$'
	alive "$output"
	assert_equal "$(cat "/proc/$output/comm")" sleep # still running: run did not wait
}

@test "run: the workload is not a child of criuctl (which is gone)" {
	workload
	local ppid
	ppid=$(proc_field "$WPID" 2)
	[[ ! -e /proc/$ppid/comm || $(cat "/proc/$ppid/comm") != criuctl ]] ||
		fail "parent $ppid is a criuctl"
}

@test "run --pidfile writes the pid" {
	run -0 "$CRIUCTL" run --pidfile "$BATS_TEST_TMPDIR/w.pid" -- sleep 1000
	track "$output"
	assert_file_exists "$BATS_TEST_TMPDIR/w.pid"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/w.pid")" "$output"
}

@test "run: the workload leads a session of its own (sid == pgid == pid)" {
	workload
	assert_equal "$(proc_field "$WPID" 4)" "$WPID"
	assert_equal "$(proc_field "$WPID" 3)" "$WPID"
	assert_equal "$(ps -o sid= -p "$WPID" | tr -d ' ')" "$WPID"
}

@test "run: the workload has no controlling terminal" {
	workload
	assert_equal "$(proc_field "$WPID" 5)" 0
}

@test "run: stdin is /dev/null, stdout/stderr /dev/null without --log" {
	workload
	assert_equal "$(readlink "/proc/$WPID/fd/0")" /dev/null
	assert_equal "$(readlink "/proc/$WPID/fd/1")" /dev/null
	assert_equal "$(readlink "/proc/$WPID/fd/2")" /dev/null
}

@test "run: no descriptor above 2 reaches the workload" {
	# On top of bats' own fds 3 and up, hold two more without close-on-exec.
	exec 7>"$BATS_TEST_TMPDIR/held7" 9<"$CRIUCTL_CONFIG"
	workload
	exec 7>&- 9<&-
	run -0 ls "/proc/$WPID/fd"
	assert_equal "$(echo $output)" "0 1 2"
}

@test "run: the workload's signal mask and dispositions are reset" {
	# bats' background commands ignore SIGINT; the workload must not inherit that.
	workload
	assert_equal "$(awk '/^SigIgn:/ {print $2}' "/proc/$WPID/status")" 0000000000000000
	assert_equal "$(awk '/^SigBlk:/ {print $2}' "/proc/$WPID/status")" 0000000000000000
}

@test "run --log captures stdout and stderr" {
	local log=$BATS_TEST_TMPDIR/w.log
	run -0 "$CRIUCTL" run --log "$log" -- sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 1000'
	track "$output"
	local deadline=$((SECONDS + 10))
	until grep -q to-stderr "$log" 2>/dev/null; do
		((SECONDS < deadline)) || fail "log: $(cat "$log")"
		sleep 0.02
	done
	assert_file_contains "$log" '^to-stdout$'
	assert_equal "$(readlink "/proc/$output/fd/1")" "$log"
	assert_equal "$(readlink "/proc/$output/fd/2")" "$log"
}

@test "run --log appends to an existing file" {
	local log=$BATS_TEST_TMPDIR/w.log
	echo "earlier" >"$log"
	run -0 "$CRIUCTL" run --log "$log" -- sh -c 'echo later'
	local deadline=$((SECONDS + 10))
	until grep -q later "$log"; do
		((SECONDS < deadline)) || fail "log: $(cat "$log")"
		sleep 0.02
	done
	assert_file_contains "$log" '^earlier$'
}

@test "run --cwd sets the working directory" {
	mkdir "$BATS_TEST_TMPDIR/work dir"
	run -0 "$CRIUCTL" run --cwd "$BATS_TEST_TMPDIR/work dir" -- sleep 1000
	track "$output"
	assert_equal "$(readlink "/proc/$output/cwd")" "$BATS_TEST_TMPDIR/work dir"
}

@test "run passes the arguments through unchanged" {
	run -0 "$CRIUCTL" run -- sh -c 'sleep 1000; :' zero '' 'a b'
	track "$output"
	assert_equal "$(tr '\0' '|' <"/proc/$output/cmdline")" "sh|-c|sleep 1000; :|zero||a b|"
}

@test "run: a command that does not exist exits 2 naming it" {
	run -2 --separate-stderr "$CRIUCTL" run -- no-such-command-xyz arg
	assert_equal "$output" ""
	[[ $stderr == *no-such-command-xyz* ]] || fail "$stderr"
}

@test "run: --json for a command that does not exist" {
	run -2 --separate-stderr "$CRIUCTL" --json run -- no-such-command-xyz
	assert_json_error 2 run-failed
	[[ $(json_get .error.message) == *no-such-command-xyz* ]] || fail "$output"
}

@test "run: a --cwd that does not exist exits 2 naming it" {
	run -2 --separate-stderr "$CRIUCTL" run --cwd "$BATS_TEST_TMPDIR/nope" -- sleep 1000
	[[ $stderr == *nope* || $stderr == *"No such file"* ]] || fail "$stderr"
}

@test "run without a command exits 2" {
	run -2 --separate-stderr "$CRIUCTL" run
	[[ $stderr == *"no command"* ]] || fail "$stderr"
	run -2 --separate-stderr "$CRIUCTL" run --
	run -2 --separate-stderr "$CRIUCTL" run --pidfile "$BATS_TEST_TMPDIR/p"
	assert_file_not_exists "$BATS_TEST_TMPDIR/p"
}

@test "run --json: {ok, pid}" {
	run -0 --separate-stderr "$CRIUCTL" --json run -- sleep 1000
	assert_one_json
	track "$(json_get .pid)"
	assert_equal "$(json_get .ok)" true
	alive "$(json_get .pid)"
}

@test "run: criuctl run needs neither criu nor a store" {
	run -0 "$CRIUCTL" --store /nonexistent/store --criu /nonexistent/criu run -- sleep 1000
	track "$output"
}

@test "run: a relative --log is relative to the caller's directory, like --pidfile" {

	mkdir "$BATS_TEST_TMPDIR/sub"
	run -0 "$CRIUCTL" run --cwd sub --log out.log --pidfile p.pid -- sh -c 'echo hi; exec sleep 1000'
	track "$output"
	assert_file_exists "$BATS_TEST_TMPDIR/p.pid"
	assert_file_exists "$BATS_TEST_TMPDIR/out.log"
	assert_file_not_exists "$BATS_TEST_TMPDIR/sub/out.log"
}
