#!/usr/bin/env bats
# criuctl at a shell and in scripts: global options after the command, the
# next step after a failed or refused dump, and the bash completion's
# values.  Command lines kept exactly in JSON and escaped in text, and the
# next step after a dump that worked, are tested with real criu:
# tests/e2e/cli_real.bats.

load helpers

# ---- global options before or after the command ----

# criuctl without the helper's own --store and --criu.
bare() {
	timeout -k 5 60 "$CRIUCTL" "$@"
}

@test "--json after the command is --json before it" {
	seed_checkpoint ck1
	run -0 --separate-stderr criuctl --json list
	local before=$output
	run -0 --separate-stderr criuctl list --json
	assert_one_json
	assert_equal "$output" "$before"
	# an error after the command is one JSON document too
	run -5 --separate-stderr criuctl show nothing-here --json
	assert_json_error 5 no-such-checkpoint
}

@test "--store and --criu after the command, as --store=DIR too" {
	workload
	criu_records
	run -1 bare dump -R -t "$WPID" -n ck1 --store "$STORE" --criu "$FAKE_CRIU" -q
	assert_equal "$(head -n1 "$FAKE_CRIU_ARGV")" "$(readlink -f "$FAKE_CRIU")"
	only_entry "$STORE/failed" 'ck1.*' >/dev/null
	seed_checkpoint ck1
	run -0 bare list --store "$STORE"
	assert_line --regexp '^ck1 '
	run -0 bare list --store="$STORE"
	assert_line --regexp '^ck1 '
	run -0 --separate-stderr bare --store "$STORE" list
	assert_line --regexp '^ck1 '
	run -0 --separate-stderr bare config --json --criu /x/criu
	assert_equal "$(jq -r '.keys[] | select(.key == "path") | .value' <<<"$output")" /x/criu
	run -0 --separate-stderr bare --criu /x/criu config --json
	assert_equal "$(jq -r '.keys[] | select(.key == "path") | .value' <<<"$output")" /x/criu
}

@test "-c / --config after the command: read before the command uses the configuration" {
	printf '[store]\nkeep = 1\n[dump]\nleave_running = true\n' >"$BATS_TEST_TMPDIR/keep1.conf"
	workload
	# [dump] leave_running from the file named after the command
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n ck1 -c "$BATS_TEST_TMPDIR/keep1.conf"
	[[ $(criu_argv) == *" --leave-running "* ]] || fail "-c after dump was not read: $(criu_argv)"
	run -0 --separate-stderr criuctl config --json --config="$BATS_TEST_TMPDIR/keep1.conf"
	assert_equal "$(json_get .file)" "$BATS_TEST_TMPDIR/keep1.conf"
	run -0 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/keep1.conf" config --json
	assert_equal "$(json_get .file)" "$BATS_TEST_TMPDIR/keep1.conf"
	# a missing named file is an error in either place
	run -2 --separate-stderr criuctl list -c "$BATS_TEST_TMPDIR/none.conf"
	run -2 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/none.conf" list
}

@test "--progress after the command: checked, and never means no progress line" {
	run -2 --separate-stderr criuctl list --progress=sometimes
	[[ $stderr == *"--progress 'sometimes'"* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl --progress=sometimes list
	[[ $stderr == *"--progress 'sometimes'"* ]] || fail "$stderr"
	workload
	criu_records
	run -1 --separate-stderr criuctl dump -R -t "$WPID" -n ck1 --progress always
	local with=$stderr
	run -1 --separate-stderr criuctl dump -R -t "$WPID" -n ck2 --progress never
	[[ ${#stderr} -lt ${#with} ]] || fail "--progress never said as much as always: $stderr"
	run -1 --separate-stderr criuctl --progress never dump -R -t "$WPID" -n ck3
	[[ ${#stderr} -lt ${#with} ]] || fail "--progress never (before) said as much as always"
}

@test "after --, and as a value, a global option belongs to the workload or to the option" {
	local out=$BATS_TEST_TMPDIR/out
	run -0 --separate-stderr criuctl run --log "$out" -- sh -c 'echo "$@"' sh --json -q -c x
	assert_output --regexp '^[0-9]+$'
	track "$output"
	wait_file "$out"
	assert_equal "$(cat "$out")" "--json -q -c x"
	workload
	criu_records
	run -1 --separate-stderr criuctl dump -R -t "$WPID" -n ck1 --criu-opt -v --criu-opt --json
	[[ $(criu_argv) == *" -v "* && $(criu_argv) == *" --json"* ]] || fail "criu's argv: $(criu_argv)"
	[[ $stderr != *"{"* ]] || fail "--json was taken as criuctl's: $stderr"
	# not JSON on stdout either
	[[ $output != "{"* ]] || fail "$output"
}

@test "every command's --help lists the global options once, and none of its own has their letters or names" {
	local cmd
	for cmd in run dump restore list show verify log rm prune recover check explain config; do
		run -0 --separate-stderr "$CRIUCTL" "$cmd" --help
		assert_line 'global options (also before the command):'
		assert_equal "$(grep -c -- '--quiet' <<<"$output")" 1
		assert_equal "$(grep -cE -- '^  -[cqv], ' <<<"$output")" 3
	done
}

# ---- dump says what to run next ----

@test "dump fails: next is the log of the failed attempt, which log takes" {
	workload
	export FAKE_CRIU_MODE=replay:dump-session-leader.log
	run -1 --separate-stderr criuctl dump -t "$WPID" -n sl
	local entry
	entry=$(basename "$(only_entry "$STORE/failed" 'sl.*')")
	assert_equal "${stderr##*$'\n'}" "  next: criuctl --store $STORE --criu $FAKE_CRIU log $entry --errors"
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n sl2
	assert_equal "$(json_get '.next.argv[5]')" log
	entry=$(json_get '.next.argv[6]')
	[[ $entry == sl2.* ]] || fail "$output"
	unset FAKE_CRIU_MODE
	run -0 --separate-stderr criuctl log "$entry" --errors
	assert_output --partial "session leader"
	FAKE_CRIU_MODE=replay:dump-session-leader.log run -1 --separate-stderr criuctl -q dump -t "$WPID" -n sl3
	[[ $stderr != *next:* ]] || fail "next with -q: $stderr"
}

# ---- bash completion ----

COMPLETION=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/etc/bash-completion/criuctl

# What the completion offers for the words given, the last one being
# completed; one per line, sorted.  criuctl is the one built.
complete_words() {
	PATH=$(dirname "$CRIUCTL"):$PATH bash -c '
		source "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_criuctl criuctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@" 2>/dev/null | sort
}

# Two checkpoints, ck1 and web-2, and a failed attempt sl.*.
two_and_a_failure() {
	workload
	seed_checkpoint ck1
	seed_checkpoint web-2
	FAKE_CRIU_MODE=replay:dump-session-leader.log criuctl -q dump -R -t "$WPID" -n sl || true
	FAILED=$(basename "$(only_entry "$STORE/failed" 'sl.*')")
}

@test "completion: checkpoint names for show, restore and verify, from the --store given before or after the command" {
	two_and_a_failure
	local cmd
	for cmd in show restore verify; do
		run -0 complete_words criuctl --store "$STORE" "$cmd" ''
		assert_output $'ck1\nweb-2'
		run -0 complete_words criuctl "$cmd" --store "$STORE" w
		assert_output web-2
		run -0 complete_words criuctl "$cmd" --store="$STORE" c
		assert_output ck1
	done
	# restore takes one name
	run -0 complete_words criuctl --store "$STORE" restore ck1 ''
	assert_output ''
	# another store, another list
	run -0 complete_words criuctl --store "$BATS_TEST_TMPDIR/none" restore ''
	assert_output ''
}

@test "completion: log and rm offer the failed attempts too" {
	two_and_a_failure
	run -0 complete_words criuctl log --store "$STORE" ''
	assert_output "$(printf '%s\n' ck1 "$FAILED" web-2 | sort)"
	run -0 complete_words criuctl --store "$STORE" rm ck1 s
	assert_output "$FAILED"
}

@test "completion: dump -t and check --tree offer the pids of checkpointable trees only" {
	workload sh -c 'sleep 1000 & wait'
	local child
	child=$(pgrep -P "$WPID" sleep) || fail "no child of $WPID"
	run -0 complete_words criuctl dump -t ''
	assert_line "$WPID"
	refute_line "$child" # not a session leader: not the root of a tree criuctl dumps
	refute_line 1
	refute_line "$(proc_field $$ 4)" # the session of the shell that completes
	run -0 complete_words criuctl check --tree ''
	assert_line "$WPID"
	run -0 complete_words criuctl --json dump --tree "${WPID:0:2}"
	assert_line "$WPID"
	# kernel threads (kthreadd and its children) are never offered
	local p
	for p in $(complete_words criuctl dump -t ''); do
		(($(proc_field "$p" 7) & 0x00200000)) && fail "kernel thread $p offered"
	done
	true
}

@test "completion: global options after the command, and their values" {
	run -0 complete_words criuctl list --j
	assert_output --json
	run -0 complete_words criuctl dump --progress ''
	assert_output $'always\nauto\nnever'
	run -0 complete_words criuctl list -- ''
	refute_line --json
	run -0 complete_words criuctl restore --st
	assert_output $'--stall-timeout\n--store'
}

@test "dump refused by the preflight: next is check --tree, which says why" {
	command -v strace >/dev/null || skip "no strace: no traced task to refuse"
	# A traced task (strace's child) is refused: task-traced.
	workload strace -o /dev/null sleep 1000
	local child
	for _ in $(seq 50); do
		child=$(pgrep -P "$WPID" sleep) && break
		sleep 0.1
	done
	run -3 --separate-stderr criuctl dump -t "$WPID" -n traced
	assert_equal "${stderr##*$'\n'}" "  next: criuctl --store $STORE --criu $FAKE_CRIU check --tree $WPID"
	run -3 --separate-stderr criuctl --json dump -t "$WPID" -n traced
	assert_equal "$(json_get .next.command)" "criuctl --store $STORE --criu $FAKE_CRIU check --tree $WPID"
	run -3 --separate-stderr criuctl check --tree "$WPID"
	assert_output --regexp 'fail +task-traced'
}
