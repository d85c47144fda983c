#!/usr/bin/env bats
# End-to-end: the bats helper library (etc/bats/criuctl.bash, criuctl-bats(7))
# with the real criu.  The man page's example suite runs as written, taken
# from the page, so the page cannot drift from what works; other suites
# written here show that a failing helper says why, that the assertions
# fail a program that does not continue, and that the teardown leaves
# nothing behind when a test fails.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

PAGE=/src/man/criuctl-bats.7
LIB=/src/etc/bats/criuctl.bash

# man_file NAME: the example file NAME of criuctl-bats(7) as a user would
# copy it from the page: the .EX block after the comment 'file: NAME',
# with roff's escapes undone.
man_file() {
	awk -v want="$1" '
	  $0 == ".\\\" file: " want { f = 1; next }
	  f && /^\.EX$/ { p = 1; next }
	  p && /^\.EE$/ { exit }
	  p' "$PAGE" |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\(ga/`/g' \
			-e 's/^\\&//' -e 's/\\e/\\/g'
}

# A bats run inside this test.  Without the outer run's BATS_TEST_TIMEOUT
# (make check sets it): with it, the inner bats leaves each test's
# watchdog sleeping on the output pipe that `run` waits to close.
nested_bats() { env -u BATS_TEST_TIMEOUT bats "$@"; }

# suite NAME <<EOF: a bats file in $W that loads this tree's library, with
# the man page's counter.py as `counter` (counting into $COUNT) and `count`
# its last number; the tests follow on stdin, each begun with TEST, not
# @test (which bats would take for a test of this file).
suite() {
	[[ -f $W/counter.py ]] || man_file counter.py >"$W/counter.py"
	{
		printf 'load %s\n' "${LIB%.bash}"
		printf 'setup() { criuctl_setup; COUNT=$BATS_TEST_TMPDIR/count; }\n'
		printf 'teardown() { criuctl_teardown; }\n'
		printf 'counter() { criuctl_start python3 %s "$COUNT"; }\n' "$W/counter.py"
		printf 'count() { tail -n 1 "$COUNT"; }\n'
		sed 's/^TEST /@test /'
	} >"$W/$1.bats"
}

@test "the example suite of criuctl-bats(7) passes as written, with the installed library" {
	# make e2e installs this tree into the guest image first.
	cmp /usr/share/criuctl/bats/criuctl.bash "$LIB" ||
		fail "the guest image's criuctl.bash is not this tree's: make guest-image"
	mkdir "$W/example"
	man_file counter.py >"$W/example/counter.py"
	man_file counter.bats >"$W/example/counter.bats"
	run grep -c '^@test' "$W/example/counter.bats"
	assert_output 3
	run grep -c 'n += 1' "$W/example/counter.py"
	assert_output 1
	run nested_bats --tap "$W/example/counter.bats"
	assert_success
	assert_line "1..3"
	assert_line --regexp '^ok 1 the counter counts on after a checkpoint and a restore'
	assert_line --regexp '^ok 2 a checkpoint can leave it running'
	assert_line --regexp '^ok 3 a restore while the original still runs is refused'
	refute_line --partial "not ok"
	run ls /proc
	refute_output --partial counter.py
	run pgrep -f counter.py
	assert_failure
}

@test "every helper the library defines is in criuctl-bats(7), and no other" {
	local defined documented
	defined=$(grep -oE '^(criuctl|assert)_[a-z_]+\(\)' "$LIB" | tr -d '()' | sort)
	documented=$(awk '/^\.SH HELPERS/ { on = 1; next } /^\.SH / { on = 0 }
		on && /^\.TP/ { getline; print $2 }' "$PAGE" | sort)
	[[ $(wc -l <<<"$defined") -ge 10 ]] || fail "found only: $defined"
	assert_equal "$documented" "$defined"
}

@test "a failing checkpoint fails the test with criuctl's verdict, criu's lines and the remedy" {
	# $TPORT comes from common_setup, exported.
	suite fail <<'EOF'
listening() { ss -ltnH "sport = :$TPORT" | grep -q .; }
connected() { ss -tnH state established "dport = :$TPORT" | grep -q .; }
TEST "a TCP client checkpointed without --tcp-established" {
	criuctl_start python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); c, _ = s.accept(); time.sleep(1000)' "$TPORT"
	criuctl_wait_up listening
	criuctl_start python3 -c 'import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(1000)' "$TPORT"
	criuctl_wait_up connected
	criuctl_checkpoint --no-auto-flags
}
EOF
	run nested_bats --tap "$W/fail.bats"
	assert_failure
	assert_line --regexp '^not ok 1 '
	assert_line --regexp '^# criuctl dump failed \(exit 1\): dump failed: '
	assert_line --regexp '^#   verdict: tcp-established-needed: '
	assert_line '#   criu said:'
	assert_line --regexp '^#     .*Connected TCP socket, consider using --tcp-established'
	assert_line --regexp '^#   remedy: .*--tcp-established'
	assert_line --regexp '^#   log: .*/failed/bats-[0-9]+-1\.[0-9TZ]+/dump\.log$'
	assert_line --regexp '^#   next: criuctl --store .* log bats-[0-9]+-1\.[0-9TZ]+ --errors$'
}

@test "assert_verdict passes on the expected failure and names the one it got otherwise" {
	suite verdict <<'EOF'
TEST "expected: pid-in-use" {
	counter
	criuctl_checkpoint -R
	run criuctl_restore
	assert_verdict pid-in-use
}
TEST "expected no-space, got pid-in-use" {
	counter
	criuctl_checkpoint -R
	run criuctl_restore
	assert_verdict no-space
}
TEST "expected a verdict, the checkpoint succeeded" {
	counter
	criuctl_checkpoint
	assert_verdict no-space
}
EOF
	run nested_bats --tap "$W/verdict.bats"
	assert_failure
	assert_line --regexp '^ok 1 expected: pid-in-use'
	assert_line --regexp '^not ok 2 '
	assert_line '# assert_verdict: expected no-space, got pid-in-use:'
	assert_line --regexp '^# criuctl restore failed \(exit 3\): pid [0-9]+, which checkpoint .bats-[0-9]+-1. needs, is held by'
	assert_line '#   error: pid-in-use'
	assert_line --regexp '^#   remedy: Stop that process first'
	assert_line --regexp '^not ok 3 '
	assert_line '# assert_verdict: expected no-space, but criuctl dump succeeded'
}

@test "assert_restored_continues fails a program that starts again from scratch" {
	suite restart <<'EOF'
TEST "started again instead of restored" {
	counter
	criuctl_probe count
	criuctl_wait_up
	until (($(count) >= 10)); do sleep 0.1; done
	criuctl_checkpoint
	assert_checkpoint_ok
	rm "$COUNT"
	counter
	assert_restored_continues
}
TEST "restored, and it continues" {
	counter
	criuctl_probe count
	criuctl_wait_up
	criuctl_checkpoint
	criuctl_restore
	assert_restored_continues
	assert_restored_continues --advancing
}
EOF
	run nested_bats --tap "$W/restart.bats"
	assert_failure
	assert_line --regexp '^not ok 1 '
	assert_line --regexp '^# assert_restored_continues: pid [0-9]+ does not continue:'
	assert_line --regexp '^#   before the checkpoint the probe said: ([1-9][0-9]+)$'
	assert_line --regexp '^#   after the restore it says: +[1-9]$'
	assert_line --regexp '^ok 2 '
}

@test "a failed test's teardown leaves no workload, restored tree or checkpoint behind" {
	criuctl --store "$W/shared" dump --tree "$(criuctl run -- sleep 999)" --name theirs 2>/dev/null
	suite leak <<'EOF'
TEST "fails half-way" {
	echo "$BATS_TEST_TMPDIR" >"$W/tmpdir"
	counter
	criuctl_checkpoint --name kept -R
	criuctl_checkpoint --name gone
	criuctl_restore gone
	criuctl_pid >"$W/pids"
	criuctl_start sleep 1000
	criuctl_pid >>"$W/pids"
	criuctl_ctl list >"$W/list"
	false
}
TEST "fails in a store of the caller's" {
	CRIUCTL_BATS_STORE=$W/shared
	counter
	criuctl_pid >>"$W/pids"
	criuctl_checkpoint --name mine -R
	# A failed attempt: a tree in the test's session (criu cannot dump it).
	sleep 1001 </dev/null >/dev/null 2>&1 &
	run criuctl_checkpoint --name mine2 --tree $! --force
	kill $!
	criuctl_ctl list --failed >"$W/failed"
	false
}
EOF
	run nested_bats --tap --no-tempdir-cleanup "$W/leak.bats"
	assert_line --regexp '^not ok 1 fails half-way'
	assert_line --regexp '^not ok 2 fails in a store'
	# What the tests had made, before their teardown.
	run cat "$W/list"
	assert_line --regexp '^kept '
	assert_line --regexp '^gone '
	run cat "$W/failed"
	assert_line --regexp '^mine2\.[0-9TZ]+ +dump '
	# Gone after it: every tree, started or restored, and the test's store.
	local pid
	for pid in $(cat "$W/pids"); do
		wait_for 20 dead "$pid" || fail "pid $pid is left: $(ps -o pid,stat,args --sid "$pid")"
	done
	run pgrep -f 'sleep 1000|counter[.]py'
	assert_failure
	assert_dir_exists "$(cat "$W/tmpdir")"
	assert_dir_not_exists "$(cat "$W/tmpdir")/criuctl/store"
	# A store of the caller's keeps what others put in it, not the test's.
	run criuctl --store "$W/shared" list
	assert_line --regexp '^theirs '
	refute_line --regexp '^mine '
	run criuctl --store "$W/shared" list --failed
	refute_output --partial mine
}
