#!/usr/bin/env bats
# criuctl dump when criu fails: verdicts from real CRIU logs (replayed by
# the fake), faults real CRIU cannot show on demand (crash, garbage, hang,
# a criu that ignores SIGTERM), and criuctl itself being interrupted.

load helpers

# Nothing committed, nothing in tmp/.
assert_nothing_committed() {
	assert_dir_empty "$STORE/checkpoints"
	assert_dir_empty "$STORE/tmp"
}

# Dump the workload as NAME with FAKE_CRIU_MODE=MODE; exit code expected.
dump_fails() {
	local mode=$1 name=$2 code=$3
	shift 3
	export FAKE_CRIU_MODE=$mode
	run "-$code" --separate-stderr criuctl dump -t "$WPID" -n "$name" "$@"
}

@test "session leader outside pidns: exit 1, verdict, evidence, remedy, log kept" {
	workload
	dump_fails replay:dump-session-leader.log sl 1
	assert_equal "$output" ""
	[[ $stderr == *"session leader is outside its pid namespace"* ]] || fail "no verdict: $stderr"
	[[ $stderr == *"A session leader of 14(14) is outside of its pid namespace"* ]] ||
		fail "the decisive line is not quoted: $stderr"
	[[ $stderr == *"criuctl run"* ]] || fail "remedy does not mention criuctl run: $stderr"
	[[ $stderr == *setsid* ]] || fail "remedy does not mention setsid: $stderr"
	# the printed log path exists, under failed/, with the report
	local entry log
	entry=$(only_entry "$STORE/failed" 'sl.*')
	log=$(sed -n 's/^ *log: //p' <<<"$stderr")
	assert_equal "$log" "$(readlink -f "$entry")/dump.log"
	assert_file_exists "$log"
	cmp "$log" "$FIXTURES/dump-session-leader.log"
	assert_file_exists "$entry/report.json"
	assert_equal "$(json_get .verdict.id "$entry/report.json")" session-leader-outside-pidns
	assert_equal "$(json_get .action "$entry/report.json")" dump
	assert_equal "$(json_get .name "$entry/report.json")" sl
	assert_equal "$(json_get .criu_end.exit_status "$entry/report.json")" 1
	# images are dropped from a failed attempt
	assert_dir_not_exists "$entry/images"
	assert_nothing_committed
	# criu failed: the tree is still running
	alive "$WPID"
}

@test "failed/ entries are NAME.yyyymmddThhmmssZ and 0700" {
	workload
	dump_fails replay:dump-session-leader.log sl 1
	local entry
	entry=$(only_entry "$STORE/failed" 'sl.*')
	[[ ${entry##*/} =~ ^sl\.[0-9]{8}T[0-9]{6}Z$ ]] || fail "entry: $entry"
	assert_equal "$(mode_of "$entry")" 700
	assert_equal "$(mode_of "$entry/report.json")" 600
}

@test "session leader, --json: error.code is the verdict id, with evidence" {
	workload
	export FAKE_CRIU_MODE=replay:dump-session-leader.log
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n sl
	assert_equal "$stderr" ""
	assert_json_error 1 session-leader-outside-pidns
	run -0 json_get .verdict.evidence
	assert_output --partial "A session leader of 14(14) is outside of its pid namespace"
	refute_output --partial "tun: Unable to create tun"
	refute_output --partial "RLIMIT_NOFILE"
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n sl2
	assert_equal "$(json_get .verdict.id)" session-leader-outside-pidns
	[[ $(json_get .error.remedy) == *setsid* ]] || fail "$output"
	local log
	log=$(json_get .error.log)
	assert_file_exists "$log"
	[[ $log == "$(readlink -f "$STORE")/failed/sl2."*/dump.log ]] || fail "log: $log"
}

@test "connected TCP without --tcp-established: verdict tcp-established-needed" {
	workload
	dump_fails replay:dump-tcp-no-established.log tcp 1
	[[ $stderr == *"--tcp-established"* ]] || fail "$stderr"
	[[ $stderr == *"inet: Connected TCP socket, consider using --tcp-established option."* ]] ||
		fail "$stderr"
	export FAKE_CRIU_MODE=replay:dump-tcp-no-established.log
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n tcp2
	assert_json_error 1 tcp-established-needed
	assert_equal "$(json_get .verdict.id "$(only_entry "$STORE/failed" 'tcp.*')/report.json")" \
		tcp-established-needed
	assert_nothing_committed
}

@test "iptables missing for the network lock: verdict tcp-lock-failed" {
	workload
	dump_fails replay:dump-tcp-iptables.log lock 1 --tcp-established --network-lock iptables
	[[ $stderr == *"Iptables configuration failed"* ]] || fail "$stderr"
	[[ $stderr == *nftables* ]] || fail "remedy does not offer nftables: $stderr"
	export FAKE_CRIU_MODE=replay:dump-tcp-iptables.log
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n lock2 --tcp-established \
		--network-lock iptables
	assert_json_error 1 tcp-lock-failed
	run -0 json_get .verdict.evidence
	assert_output --partial "Iptables configuration failed"
	assert_nothing_committed
}

@test "list --failed shows the failed attempts with action and verdict" {
	workload
	dump_fails replay:dump-session-leader.log sl 1
	dump_fails replay:dump-tcp-no-established.log tcp 1
	run -0 --separate-stderr criuctl list
	assert_equal "${#lines[@]}" 1 # the header only: no checkpoint
	run -0 --separate-stderr criuctl list --failed
	assert_line --index 0 --regexp '^NAME +ACTION +VERDICT$'
	assert_line --regexp '^sl\.[0-9]{8}T[0-9]{6}Z +dump +session-leader-outside-pidns$'
	assert_line --regexp '^tcp\.[0-9]{8}T[0-9]{6}Z +dump +tcp-established-needed$'
	run -0 --separate-stderr criuctl --json list --failed
	assert_one_json
	assert_equal "$(json_get '.failed | length')" 2
	assert_equal "$(json_get '.failed[0].verdict')" session-leader-outside-pidns
	assert_equal "$(json_get '.failed[0].action')" dump
}

@test "log FAILED-ENTRY prints the whole log; --errors only the decisive lines" {
	workload
	dump_fails replay:dump-session-leader.log sl 1
	local entry
	entry=$(basename "$(only_entry "$STORE/failed" 'sl.*')")
	run -0 --separate-stderr criuctl log "$entry"
	assert_equal "$output" "$(cat "$FIXTURES/dump-session-leader.log")"
	run -0 --separate-stderr criuctl log "$entry" --errors
	assert_output --partial "A session leader of 14(14) is outside of its pid namespace"
	refute_output --partial "tun: Unable to create tun"
	refute_output --partial "RLIMIT_NOFILE"
	refute_output --partial "Dumping FAILED"
	(( ${#lines[@]} <= 3 )) || fail "too many lines: $output"
}

@test "log --errors of the iptables failure: the four causes, in order" {
	workload
	dump_fails replay:dump-tcp-iptables.log lock 1 --tcp-established
	local entry
	entry=$(basename "$(only_entry "$STORE/failed" 'lock.*')")
	run -0 --separate-stderr criuctl log --errors "$entry"
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 "exited, status=127"
	assert_line --index 1 "Iptables configuration failed"
	assert_line --index 2 "tcp: Failed to lock TCP connection 5387"
	assert_line --index 3 "Dump files (pid: 14) failed with -1"
	run -0 --separate-stderr criuctl --json log --errors "$entry"
	assert_one_json
	assert_equal "$(json_get '.lines | length')" 4
}

@test "crash (criu killed by SIGSEGV): exit 1, verdict criu-crashed naming the signal" {
	workload
	dump_fails crash boom 1
	[[ $stderr == *"signal 11"* ]] || fail "$stderr"
	export FAKE_CRIU_MODE=crash
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n boom2
	assert_json_error 1 criu-crashed
	run -0 json_get .verdict.evidence
	assert_output --partial "criu was killed by signal 11"
	local report
	report=$(only_entry "$STORE/failed" 'boom2.*')/report.json
	assert_equal "$(json_get .criu_end.term_signal "$report")" 11
	assert_equal "$(json_get .criu_end.exited "$report")" false
	assert_nothing_committed
	alive "$WPID"
}

@test "garbage from criu: exit 1, criuctl does not crash, nothing committed" {
	workload
	dump_fails garbage junk 1
	assert_equal "$output" ""
	[[ $stderr == *"log: "* ]] || fail "$stderr"
	assert_nothing_committed
	only_entry "$STORE/failed" 'junk.*' >/dev/null
	alive "$WPID"
}

@test "garbage from criu, --json: still one valid JSON document" {
	workload
	export FAKE_CRIU_MODE=garbage
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n junk
	assert_json_error 1 criu-failed
}

@test "garbage from criu: report.json is still written" {
	workload
	dump_fails garbage junk 1
	local entry
	entry=$(only_entry "$STORE/failed" 'junk.*')
	assert_file_exists "$entry/report.json"
	run -0 json_get .verdict.id "$entry/report.json"
	assert_output criu-failed
}

@test "garbage from criu: no control characters reach stderr" {

	workload
	dump_fails garbage junk 1
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$stderr"; then
		fail "control characters on stderr: $(cat -v <<<"$stderr")"
	fi
}

@test "criu exits 0 without a success line: exit 1, not committed" {
	workload
	dump_fails exit0-nolog quiet 1
	assert_nothing_committed
	assert_file_exists "$(only_entry "$STORE/failed" 'quiet.*')/dump.log"
	export FAKE_CRIU_MODE=exit0-nolog
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n quiet2
	assert_json_error 1 criu-failed
	assert_equal "$(json_get .criu_end.exit_status "$(only_entry "$STORE/failed" 'quiet2.*')/report.json")" 0
}

@test "criuctl cannot write the manifest at criu's point of no return: commit-failed, exit 5, criu told no, the tree runs on" {
	workload
	# criu's run goes well (the fake's images mode); criuctl's own write fails.
	export FAKE_CRIU_MODE=images FAKE_CRIU_BLOCK_MANIFEST=1
	run -5 --separate-stderr criuctl --json dump -t "$WPID" -n unsafe
	assert_json_error 5 commit-failed
	[[ $(json_get .error.message) == *"could not make the checkpoint safe"*"manifest"* ]] ||
		fail "the store's error is not quoted: $output"
	assert_nothing_committed
	local entry
	entry=$(only_entry "$STORE/failed" 'unsafe.*')
	assert_equal "$(json_get .verdict.id "$entry/report.json")" commit-failed
	assert_equal "$(json_get .stopped_by "$entry/report.json")" commit-failed
	grep -q "Post dump script passed with" "$entry/dump.log" || fail "criu was not told no"
	alive "$WPID"
	assert_equal "$(proc_field "$WPID" 1)" S
}

@test "criu hangs, --timeout 1: the deadline stops it (SIGTERM), exit 4, report kept, nothing committed" {
	workload
	export FAKE_CRIU_MODE=hang
	run -4 --separate-stderr criuctl dump -t "$WPID" -n stuck --timeout 1
	[[ $stderr == *deadline* || $stderr == *timeout* || $stderr == *"timed out"* ]] || fail "$stderr"
	assert_nothing_committed
	local entry
	entry=$(only_entry "$STORE/failed" 'stuck.*')
	assert_file_exists "$entry/report.json"
	assert_equal "$(json_get .verdict.id "$entry/report.json")" timeout
	assert_equal "$(json_get .stopped_by "$entry/report.json")" deadline
	assert_equal "$(json_get .criu_end.term_signal "$entry/report.json")" 15
	# the fake criu was stopped
	local fake
	fake=$(head -n1 "$FAKE_CRIU_SPAWNED")
	wait_gone "$fake" 2
	alive "$WPID"
}

@test "criu hangs, --json: error.code timeout, exit_code 4" {
	workload
	export FAKE_CRIU_MODE=hang
	run -4 --separate-stderr criuctl --json dump -t "$WPID" -n stuck --timeout 1
	assert_json_error 4 timeout
	assert_file_exists "$(json_get .error.log)"
}

@test "--timeout accepts durations with units" {
	workload
	export FAKE_CRIU_MODE=hang
	run -4 criuctl -q dump -t "$WPID" -n stuck --timeout 0.5s
	assert_equal "$(json_get .timeout_s "$(only_entry "$STORE/failed" 'stuck.*')/report.json")" 0.5
}

@test "criu ignores SIGTERM: SIGKILL after the grace period, exit 4" {
	workload
	export FAKE_CRIU_MODE=ignore-term
	run -4 --separate-stderr criuctl dump -t "$WPID" -n deaf --timeout 1
	# It ignored SIGTERM: SIGKILL ended it, after the grace period.
	assert_equal "$(json_get .criu_end.term_signal "$(only_entry "$STORE/failed" 'deaf.*')/report.json")" 9
	local fake
	fake=$(head -n1 "$FAKE_CRIU_SPAWNED")
	wait_gone "$fake" 2
	assert_nothing_committed
	assert_equal "$(json_get .verdict.id "$(only_entry "$STORE/failed" 'deaf.*')/report.json")" timeout
}

interrupt_test() {
	local sig=$1 num=$2
	workload
	export FAKE_CRIU_MODE=hang
	bg_criuctl dump -t "$WPID" -n intr
	local fake
	fake=$(fake_criu_pid)
	alive "$fake"
	kill "-$sig" "$BG_PID"
	bg_wait 15
	assert_equal "$BG_STATUS" "$((128 + num))"
	# exited on its own after stopping criu, not killed by the signal:
	# it said so on stderr
	grep -q '^criuctl: ' "$BG_ERR" || fail "criuctl said nothing: $(cat "$BG_ERR")"
	wait_gone "$fake" 2
	assert_nothing_committed
	alive "$WPID"
}

@test "SIGINT to criuctl while criu hangs: exit 130, criu stopped, nothing committed" {
	interrupt_test INT 2
}

@test "SIGTERM to criuctl while criu hangs: exit 143, criu stopped, nothing committed" {
	interrupt_test TERM 15
}

@test "SIGTERM to criuctl, --json: one JSON document with exit_code 143" {
	workload
	export FAKE_CRIU_MODE=hang
	bg_criuctl --json dump -t "$WPID" -n intr
	fake_criu_pid >/dev/null
	kill -TERM "$BG_PID"
	bg_wait 15
	assert_equal "$BG_STATUS" 143
	output=$(cat "$BG_OUT")
	assert_json_error 143 interrupted
}

@test "criu logs, then stops logging: --stall-timeout catches it, reported as a stall" {
	workload
	export FAKE_CRIU_MODE=stall
	run -4 --separate-stderr criuctl dump -t "$WPID" -n quiet --stall-timeout 1 --timeout 60
	[[ $stderr == *"criu stalled"* && $stderr == *"no progress"* ]] || fail "$stderr"
	local report
	report=$(only_entry "$STORE/failed" 'quiet.*')/report.json
	assert_equal "$(json_get .stopped_by "$report")" stall
	assert_equal "$(json_get .stall_timeout_s "$report")" 1
	assert_equal "$(json_get .verdict.id "$report")" stalled
	assert_equal "$(json_get .hang.phase "$report")" collecting
	[[ $(json_get '.hang.last_log_lines[-1]' "$report") == *") Seized task $WPID, state 1" ]] ||
		fail "last log line: $(json_get '.hang.last_log_lines[-1]' "$report")"
	assert_equal "$(json_get '[.hang.tasks[] | select(.role == "criu")] | length' "$report")" 1
	assert_equal "$(json_get '[.hang.tasks[] | select(.role == "target" and .pid == '"$WPID"')] | length' "$report")" 1
	assert_nothing_committed
	alive "$WPID"
}

@test "criu floods its log: criuctl keeps up, the dump commits, the log is whole" {
	workload
	export FAKE_CRIU_MODE=flood FAKE_CRIU_FLOOD_LINES=300000
	run -0 --separate-stderr criuctl dump -t "$WPID" -n flood -R --stall-timeout 5
	run -0 grep -c "page-xfer" "$STORE/checkpoints/flood/dump.log"
	assert_output 300000
	run -0 tail -n 1 "$STORE/checkpoints/flood/dump.log"
	assert_output --partial "Dumping finished successfully"
}
