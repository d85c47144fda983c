#!/usr/bin/env bats
# Global options, the command table, usage errors and --json on error paths.

load helpers

@test "--help lists every command and exits 0" {
	run -0 --separate-stderr "$CRIUCTL" --help
	for cmd in run dump restore list show log rm; do
		assert_line --regexp "^  $cmd +[a-z]"
	done
	assert_output --partial "usage: criuctl"
	assert_equal "$stderr" ""
}

@test "-h is --help" {
	run -0 "$CRIUCTL" -h
	assert_line --regexp "^  dump +"
}

@test "no command: exit 2 with usage on stderr, nothing on stdout" {
	run -2 --separate-stderr "$CRIUCTL"
	assert_equal "$output" ""
	[[ $stderr == *"usage: criuctl"* ]] || fail "no usage on stderr: $stderr"
	[[ $stderr == *"no command"* ]] || fail "stderr does not say what is missing: $stderr"
}

@test "--version prints criuctl's version and the criu it would use" {
	run -0 --separate-stderr "$CRIUCTL" --criu "$FAKE_CRIU" --version
	assert_line --index 0 --regexp '^criuctl [0-9]+\.[0-9]+\.[0-9]+'
	assert_line --index 1 "criu 4.2.1 ($(readlink -f "$FAKE_CRIU"))"
}

@test "-V is --version; the criu version is what criu --version reports" {
	export FAKE_CRIU_VERSION=4.3.0
	run -0 "$CRIUCTL" --criu "$FAKE_CRIU" -V
	assert_line --partial "criu 4.3.0"
}

@test "--version with a criu that does not exist says so" {
	run --separate-stderr "$CRIUCTL" --criu "$BATS_TEST_TMPDIR/no-criu" --version
	assert_line --index 0 --regexp '^criuctl [0-9]'
	assert_output --partial "no-criu"
}

@test "--json --version: version and criu {path, version}" {
	run -0 --separate-stderr "$CRIUCTL" --criu "$FAKE_CRIU" --json --version
	assert_one_json
	assert_equal "$(json_get .ok)" true
	assert_equal "$(json_get .criu.version)" 4.2.1
	assert_equal "$(json_get .criu.path)" "$(readlink -f "$FAKE_CRIU")"
	[[ $(json_get .version) =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || fail "version: $output"
}

@test "unknown command: exit 2 naming it" {
	run -2 --separate-stderr "$CRIUCTL" frobnicate
	assert_equal "$output" ""
	[[ $stderr == *"'frobnicate'"* ]] || fail "stderr does not name the command: $stderr"
}

@test "unknown global option: exit 2 naming it" {
	run -2 --separate-stderr "$CRIUCTL" --frobnicate list
	[[ $stderr == *"--frobnicate"* ]] || fail "stderr does not name the option: $stderr"
}

@test "global option without its argument: exit 2 naming it" {
	run -2 --separate-stderr "$CRIUCTL" list --store
	run -2 --separate-stderr "$CRIUCTL" --store
	[[ $stderr == *"--store"* ]] || fail "stderr does not name the option: $stderr"
}

@test "unknown command option: exit 2 naming it, for every command" {
	for cmd in run dump restore list show log rm; do
		run -2 --separate-stderr criuctl "$cmd" --frobnicate
		[[ $stderr == *"--frobnicate"* ]] || fail "$cmd: stderr does not name the option: $stderr"
	done
}

@test "an unknown letter inside a cluster of short options: the cluster is named, not the command" {
	local cmd
	for cmd in "" dump restore check prune; do
		# shellcheck disable=SC2086 # $cmd: no word for the global options
		run -2 --separate-stderr criuctl $cmd -zq
		[[ $stderr == *"'-zq'"* ]] || fail "${cmd:-criuctl}: stderr does not name -zq: $stderr"
	done
}

@test "every command has --help (exit 0, usage on stdout)" {
	for cmd in run dump restore list show log rm; do
		run -0 --separate-stderr criuctl "$cmd" --help
		assert_output --partial "usage: criuctl $cmd"
	done
}

@test "--json: unknown command is one JSON error document" {
	run -2 --separate-stderr "$CRIUCTL" --json frobnicate
	assert_json_error 2 usage
	assert_equal "$(json_get .error.message)" "unknown command 'frobnicate'"
}

@test "--json: unknown option is one JSON error document" {
	run -2 --separate-stderr "$CRIUCTL" --json --frobnicate list
	assert_json_error 2 usage
	[[ $(json_get .error.message) == *--frobnicate* ]] || fail "$output"
}

@test "--json: no command is one JSON error document (no usage text on stdout)" {
	run -2 --separate-stderr "$CRIUCTL" --json
	assert_json_error 2 usage
}

@test "--json after another global option still makes usage errors JSON" {

	run -2 --separate-stderr "$CRIUCTL" --store "$STORE" --frobnicate --json list
	assert_json_error 2 usage
}

@test "--json: command usage error is one JSON error document" {
	run -2 --separate-stderr criuctl --json dump
	assert_json_error 2 usage
	run -2 --separate-stderr criuctl --json dump -t 1 --frobnicate
	assert_json_error 2 usage
	run -2 --separate-stderr criuctl --json restore
	assert_json_error 2 usage
}

@test "--json: criu missing is one JSON error document, exit 6" {
	workload
	run -6 --separate-stderr "$CRIUCTL" --store "$STORE" --criu /nonexistent/criu --json \
		dump -t "$WPID"
	assert_json_error 6 criu-missing
	[[ $(json_get .error.message) == */nonexistent/criu* ]] || fail "$output"
	alive "$WPID"
}

@test "criu missing: exit 6, human message names it, nothing on stdout" {
	workload
	run -6 --separate-stderr "$CRIUCTL" --store "$STORE" --criu /nonexistent/criu dump -t "$WPID"
	assert_equal "$output" ""
	[[ $stderr == *"/nonexistent/criu"* ]] || fail "$stderr"
}

@test "criu not executable: exit 6" {
	local notexec=$BATS_TEST_TMPDIR/criu
	printf '#!/bin/sh\n' >"$notexec"
	chmod 0644 "$notexec"
	workload
	run -6 --separate-stderr "$CRIUCTL" --store "$STORE" --criu "$notexec" dump -t "$WPID"
}

@test "--json: no stray output on stdout with --json on success either" {
	run -0 --separate-stderr criuctl --json list
	assert_one_json
	assert_equal "$(json_get .ok)" true
	assert_equal "$(json_get .command)" list
}

@test "--json with --help still prints exactly one JSON document" {

	run -0 --separate-stderr "$CRIUCTL" --json --store "$STORE" list --help
	assert_one_json
	run -0 --separate-stderr "$CRIUCTL" --json --help
	assert_one_json
}
