#!/usr/bin/env bats
# criuctl explain: every real CRIU log of tests/fixtures (criu 4.2.1 in the
# guest, criu 3.17.1 on the host) classified into its verdict, with the
# decisive line quoted and the phase criu had reached; stdin; unreadable
# and non-log input.

# shellcheck disable=SC2154 # $stderr: set by bats
load helpers

F317=$(cd "$BATS_TEST_DIRNAME/../fixtures/criu-3.17" && pwd)

# The successful logs.
SUCCEEDED=(
	criu-4.2.1/dump-ok.log
	criu-4.2.1/dump-tcp-ok.log
	criu-4.2.1/restore-ok.log
	criu-4.2.1/restore-tcp-ok.log
	criu-4.2.1/restore-lazy-ok.log
)

# The failed logs: file | verdict id | phase reached | the decisive line
# (tests/fixtures/criu-4.2.1/README.md), which is .verdict.evidence[0].
FAILED=$(
	cat <<'EOF'
criu-4.2.1/dump-bug.log|criu-bug|collecting|BUG at criu/cr-dump.c:1662
criu-4.2.1/dump-collect-timeout.log|collect-timeout|collecting|Timeout reached. Try to interrupt: 0
criu-4.2.1/dump-criu-traced.log|ptrace-not-permitted|starting|ptrace(PTRACE_TRACEME): Operation not permitted
criu-4.2.1/dump-ext-unix-sk.log|ext-unix-sk-needed|writing|unix: External socket is used. Consider using --ext-unix-sk option.
criu-4.2.1/dump-external-mount-fd.log|external-fd|parasite|Can't lookup mount=66 for fd=0 path=/dev/null
criu-4.2.1/dump-file-locks.log|file-locks-needed|writing|Some file locks are hold by dumping tasks! You can try --file-locks to dump them.
criu-4.2.1/dump-no-root-mount.log|external-mount|collecting|mnt: 56:./etc/hosts doesn't have a proper root mount
criu-4.2.1/dump-no-space.log|no-space|memory|page-xfer: Unable to spice data: No space left on device
criu-4.2.1/dump-rlimit-uid.log|rlimit-not-permitted|writing|Can't get rlimit 0: Operation not permitted
criu-4.2.1/dump-session-leader.log|session-leader-outside-pidns|parasite|A session leader of 14(14) is outside of its pid namespace
criu-4.2.1/dump-shell-job-pty.log|shell-job-needed|writing|tty: Found dangling tty with sid 14 pgid 17 (pts) on peer fd 0.
criu-4.2.1/dump-shell-job.log|shell-job-needed|writing|The root process 17 is not a session leader. Consider using --shell-job option
criu-4.2.1/dump-tcp-iptables.log|tcp-lock-failed|parasite|Iptables configuration failed
criu-4.2.1/dump-tcp-no-established.log|tcp-established-needed|parasite|inet: Connected TCP socket, consider using --tcp-established option.
criu-4.2.1/dump-task-exited.log|task-exited|collecting|Unable to interrupt task: 14 (No such process)
criu-4.2.1/dump-traced.log|task-traced|collecting|Unable to interrupt task: 14 (Operation not permitted)
criu-4.2.1/dump-vfork-dstate.log|task-uninterruptible|collecting|Unseizable non-zombie 15 found, state D, err -1/4
criu-4.2.1/predump-no-dirty-track.log|mem-tracking-unsupported|memory|BUG at criu/mem.c:46
criu-4.2.1/restore-no-mapping.log|external-mount-unmapped|starting|mnt: No mapping for 56:(null) mountpoint
criu-4.2.1/restore-pid-in-use.log|pid-in-use|restoring|Can't fork for 14: File exists
criu-3.17/check-vdso.log|criu-too-old-for-kernel|starting|vdso: Unexpected rt vDSO area bounds
criu-3.17/dump-vdso.log|criu-too-old-for-kernel|starting|vdso: Unexpected rt vDSO area bounds
EOF
)

fixture() {
	echo "$BATS_TEST_DIRNAME/../fixtures/$1"
}

@test "the tables cover every fixture log" {
	local f rel
	for f in "$FIXTURES"/*.log "$F317"/*.log; do
		rel=${f#"$(dirname "$(dirname "$f")")/"}
		[[ $rel == criu-4.2.1/dump-fault-detach.log ]] && continue # its own test below
		# criu lazy-pages' own logs have no final line: restore --lazy reads
		# them (src/core/lazy.c, tests/unit/test_lazy.c), explain does not.
		[[ $rel == criu-4.2.1/lazy-pages-*.log ]] && continue
		if [[ " ${SUCCEEDED[*]} " != *" $rel "* ]] && ! grep -q "^$rel|" <<<"$FAILED"; then
			fail "$rel is in no table of this file"
		fi
	done
}

@test "successful logs: exit 0, succeeded, no verdict, phase finished" {
	local rel
	for rel in "${SUCCEEDED[@]}"; do
		run -0 --separate-stderr criuctl --json explain "$(fixture "$rel")"
		assert_one_json
		[[ $(json_get .ok) == true ]] || fail "$rel: $output"
		[[ $(json_get .succeeded) == true ]] || fail "$rel: $output"
		[[ $(json_get .verdict) == null ]] || fail "$rel: verdict $(json_get .verdict)"
		[[ $(json_get .phase) == finished ]] || fail "$rel: phase $(json_get .phase)"
		[[ $(json_get .criu_version) == 4.2.1 ]] || fail "$rel: $(json_get .criu_version)"
		assert_equal "$stderr" ""
		# Human: one line on stdout.
		run -0 --separate-stderr criuctl explain "$(fixture "$rel")"
		assert_output "$(fixture "$rel"): criu 4.2.1 finished successfully"
	done
}

@test "failed logs: exit 1, the verdict, the decisive line first, the phase reached" {
	local rel id reached line
	while IFS='|' read -r rel id reached line; do
		run -1 --separate-stderr criuctl --json explain "$(fixture "$rel")"
		assert_one_json
		assert_equal "$stderr" ""
		[[ $(json_get .verdict.id) == "$id" ]] || fail "$rel: verdict $(json_get .verdict.id), want $id"
		[[ $(json_get .error.code) == "$id" ]] || fail "$rel: error.code $(json_get .error.code)"
		[[ $(json_get .exit_code) == 1 && $(json_get .ok) == false ]] || fail "$rel: $output"
		[[ $(json_get .succeeded) == false ]] || fail "$rel: succeeded"
		[[ $(json_get '.verdict.evidence[0]') == *"$line"* ]] ||
			fail "$rel: evidence[0] is '$(json_get '.verdict.evidence[0]')', want '$line'"
		[[ $(json_get .reached) == "$reached" ]] ||
			fail "$rel: reached $(json_get .reached), want $reached"
		[[ -n $(json_get .verdict.title) && -n $(json_get .verdict.remedy) ]] ||
			fail "$rel: no title or remedy"
		[[ $(json_get .error.remedy) == "$(json_get .verdict.remedy)" ]] || fail "$rel: remedy"
		[[ $(json_get .error.log) == "$(fixture "$rel")" ]] || fail "$rel: log $(json_get .error.log)"
	done <<<"$FAILED"
}

@test "a pid in use: the title names the pid criu could not get" {
	run -1 --separate-stderr criuctl --json explain "$FIXTURES/restore-pid-in-use.log"
	assert_json_error 1 pid-in-use
	assert_equal "$(json_get .verdict.title)" "Pid 14, which the checkpoint needs, is already in use."
	assert_equal "$(json_get .error.message)" \
		"criu failed while restoring tasks: Pid 14, which the checkpoint needs, is already in use."
	run -1 --separate-stderr criuctl explain "$FIXTURES/restore-pid-in-use.log"
	[[ $stderr == *"Pid 14, which the checkpoint needs, is already in use."* ]] || fail "$stderr"
}

@test "the criu version comes from the log" {
	run -1 --separate-stderr criuctl --json explain "$F317/check-vdso.log"
	assert_equal "$(json_get .criu_version)" 3.17.1
	run -1 --separate-stderr criuctl --json explain "$FIXTURES/dump-session-leader.log"
	assert_equal "$(json_get .criu_version)" 4.2.1
}

# criu killed mid-dump (CRIU_FAULT): no FAILED line, no Error; the log just stops.
@test "a log that just stops: log-incomplete, the last lines quoted" {
	run -1 --separate-stderr criuctl --json explain "$FIXTURES/dump-fault-detach.log"
	assert_json_error 1 log-incomplete
	assert_equal "$(json_get .phase)" parasite
	assert_equal "$(json_get .reached)" parasite
	# the last line of the log is the last line quoted
	assert_equal "$(json_get '.verdict.evidence | last')" \
		"pie: 14: 14: new_sp=0x7fd146ff8fc8 ip 0x7fd147096a00"
	run -0 json_get .verdict.evidence
	assert_output --partial "fault: CRIU sudden detach"
}

@test "human output: what criu said, the phase, the remedy and the log, on stderr" {
	run -1 --separate-stderr criuctl explain "$FIXTURES/dump-session-leader.log"
	assert_output ""
	[[ $stderr == *"criu said:"* ]] || fail "$stderr"
	[[ $stderr == *"A session leader of 14(14) is outside of its pid namespace"* ]] || fail "$stderr"
	[[ $stderr == *"remedy: "*"criuctl run"* ]] || fail "no remedy: $stderr"
	[[ $stderr == *"log: $FIXTURES/dump-session-leader.log"* ]] || fail "$stderr"
	# harmless probes are not quoted
	[[ $stderr != *"tun: Unable to create tun"* ]] || fail "$stderr"
	run -1 --separate-stderr criuctl explain "$FIXTURES/dump-traced.log"
	[[ $stderr == *"while collecting and seizing tasks"* ]] || fail "$stderr"
	[[ $stderr == *"criu said:"* && $stderr == *"Unable to interrupt task: 14"* ]] || fail "$stderr"
	[[ $stderr == *"remedy: Detach the debugger"* ]] || fail "$stderr"
	run -1 --separate-stderr criuctl explain "$F317/dump-vdso.log"
	[[ $stderr == *"criu said:"* && $stderr == *"vdso: Unexpected rt vDSO area bounds"* ]] ||
		fail "$stderr"
	[[ $stderr == *"remedy: Install criu 4.2 or newer"* ]] || fail "$stderr"
}

@test "explain - reads the log from stdin" {
	run -1 --separate-stderr criuctl --json explain - <"$FIXTURES/dump-tcp-no-established.log"
	assert_json_error 1 tcp-established-needed
	assert_equal "$(json_get .log)" -
	assert_equal "$(json_get .error.log)" null
	assert_equal "$(json_get '.verdict.evidence[0]')" \
		"inet: Connected TCP socket, consider using --tcp-established option."
	run -0 --separate-stderr criuctl --json explain - <"$FIXTURES/restore-ok.log"
	assert_equal "$(json_get .succeeded)" true
	# from a pipe, not only a redirected file
	run -1 --separate-stderr bash -c "cat '$F317/dump-vdso.log' | '$CRIUCTL' explain -"
	[[ $stderr == *"vdso: Unexpected rt vDSO area bounds"* ]] || fail "$stderr"
}

@test "a missing file: exit 2 naming it" {
	run -2 --separate-stderr criuctl explain "$BATS_TEST_TMPDIR/no-such.log"
	assert_output ""
	[[ $stderr == *"$BATS_TEST_TMPDIR/no-such.log"* ]] || fail "$stderr"
	[[ $stderr == *"No such file or directory"* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl --json explain "$BATS_TEST_TMPDIR/no-such.log"
	assert_json_error 2 log-unreadable
	[[ $(json_get .error.message) == *"$BATS_TEST_TMPDIR/no-such.log"* ]] || fail "$output"
}

@test "a directory: exit 2" {
	run -2 --separate-stderr criuctl explain "$BATS_TEST_TMPDIR"
	[[ $stderr == *"$BATS_TEST_TMPDIR"* ]] || fail "$stderr"
}

@test "a file that is no CRIU log (/etc/passwd): exit 2, not-a-criu-log, naming it" {
	run -2 --separate-stderr criuctl --json explain /etc/passwd
	assert_json_error 2 not-a-criu-log
	run -2 --separate-stderr criuctl explain /etc/passwd
	[[ $stderr == *"/etc/passwd does not look like a CRIU log"* && $stderr == *"remedy: "* ]] ||
		fail "$stderr"
	[[ $stderr != *"criu said:"* ]] || fail "$stderr"
}

@test "an empty log: exit 2, not-a-criu-log" {
	: >"$BATS_TEST_TMPDIR/empty.log"
	run -2 --separate-stderr criuctl --json explain "$BATS_TEST_TMPDIR/empty.log"
	assert_json_error 2 not-a-criu-log
}

@test "usage: no file, two files: exit 2" {
	run -2 --separate-stderr criuctl explain
	[[ $stderr == *"which log?"* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl explain a b
	run -2 --separate-stderr criuctl --json explain
	assert_one_json
	assert_equal "$(json_get .exit_code)" 2
	run -0 --separate-stderr criuctl explain --help
	assert_output --partial "usage: criuctl explain"
}
