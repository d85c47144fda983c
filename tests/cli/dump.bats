#!/usr/bin/env bats
# criuctl dump with the fake criu: the command line criu gets (the fake
# records it, then fails as real criu did), names, the checks before criu
# runs, and the usage errors.  What a successful dump produces is tested
# with real criu: tests/e2e/cli_real.bats.

load helpers

@test "dump: a criu version that is not UTF-8 is recorded as \\xff, the dump committed" {
	# Found by fuzz_criu_log: jansson refused the manifest, criu's good dump
	# was dropped.  Garbage in criu's log: the fake's images mode.
	workload
	FAKE_CRIU_MODE=images FAKE_CRIU_VERSION=$'4.2\xff' run -0 criuctl -q dump -t "$WPID" -n ck1
	assert_equal "$(json_get .criu_version "$STORE/checkpoints/ck1/manifest.json")" '4.2\xff'
	run -0 criuctl list
	assert_output --partial ck1
}

@test "dump: the report's criu_argv is the command line criu got" {
	workload
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n ck1 --tcp-established --network-lock skip
	# criu worked in tmp/NAME.RANDOM; the report names it there.
	local report
	report=$(only_entry "$STORE/failed" 'ck1.*')/report.json
	run -0 json_get '.criu_argv | join(" ")' "$report"
	assert_equal "$output " "$(tr '\n' ' ' <"$FAKE_CRIU_ARGV")"
}

@test "dump: criu's command line: dump -D IMAGES -W WORKDIR -o LOG -v4 --tree=PID" {
	workload
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n ck1
	mapfile -t argv <"$FAKE_CRIU_ARGV"
	assert_equal "${argv[0]}" "$(readlink -f "$FAKE_CRIU")"
	assert_equal "${argv[1]}" dump
	run criu_argv
	assert_output --regexp " -D [^ ]+/images "
	assert_output --regexp " -W [^ ]+ "
	assert_output --partial " -o dump.log "
	assert_output --partial " -v4 "
	assert_output --partial " --tree=$WPID"
	# A host's /etc/criu/default.conf must not change the run.
	assert_output --partial " --no-default-config"
	refute_output --partial "--leave-running"
	refute_output --partial "--tcp-established"
	refute_output --partial "--network-lock"
}

@test "dump: list shows a checkpoint, show prints the manifest, log prints the log" {
	seed_checkpoint ck1
	local pid
	pid=$(json_get .tree.root_pid "$STORE/checkpoints/ck1/manifest.json")
	run -0 --separate-stderr criuctl list
	assert_line --index 0 --regexp '^NAME +CREATED +PID +SIZE +STATUS +COMMAND$'
	assert_line --index 1 --regexp "^ck1 +[0-9T:Z-]+ +$pid +[0-9.]+ [KM]?i?B +ok +sleep 1000$"
	run -0 --separate-stderr criuctl show ck1
	run -0 jq -n --argjson a "$output" --slurpfile b "$STORE/checkpoints/ck1/manifest.json" '$a == $b[0]'
	assert_output true
	run -0 --separate-stderr criuctl log ck1
	assert_equal "$output" "$(cat "$STORE/checkpoints/ck1/dump.log")"
}

@test "dump: default name of a tree whose comm is not a valid name" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s /bin/sleep "$BATS_TEST_TMPDIR/bin/.odd name"
	workload "$BATS_TEST_TMPDIR/bin/.odd name" 1000
	criu_records
	run -1 --separate-stderr criuctl --json dump -t "$WPID"
	local name
	name=$(json_get .name "$(only_entry "$STORE/failed" '*')/report.json")
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || fail "name: $name"
	[[ $name == *"-$WPID-"* ]] || fail "name: $name"
	[[ $(tr '\n' ' ' <"$FAKE_CRIU_ARGV") == *"/tmp/$name."* ]] || fail "criu did not work on $name"
}

@test "dump: a 64-character name is accepted" {
	local name
	name=a$(printf 'b%.0s' {1..63})
	workload
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n "$name"
	assert_equal "$(json_get .name "$(only_entry "$STORE/failed" "$name.*")/report.json")" "$name"
}

@test "dump: a 65-character name exits 2 (not truncated to 64)" {

	local long
	long=a$(printf 'b%.0s' {1..64})
	workload
	run -2 --separate-stderr criuctl dump -t "$WPID" -n "$long"
	assert_file_not_exists "$STORE"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "dump: invalid names exit 2, criu never runs, nothing is created" {
	workload
	for name in ../x .hidden a/b "" -dash "sp ace" "x;y" .. .; do
		run -2 --separate-stderr criuctl dump -t "$WPID" -n "$name"
		[[ $stderr == *"'$name'"* ]] || fail "name '$name': $stderr"
	done
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_file_not_exists "$STORE"
	assert_file_not_exists "$STORE/x"
	alive "$WPID"
}

@test "dump --json: invalid name" {
	workload
	run -2 --separate-stderr criuctl --json dump -t "$WPID" -n ../x
	assert_json_error 2 invalid-name
}

@test "dump: an existing name exits 5 and leaves the checkpoint untouched" {
	workload
	seed_checkpoint taken
	local before
	before=$(cd "$STORE/checkpoints/taken" && find . -type f -exec sha256sum {} + | sort)
	rm -f "$FAKE_CRIU_ARGV"
	run -5 --separate-stderr criuctl dump -t "$WPID" -n taken
	[[ $stderr == *"'taken'"*exists* ]] || fail "$stderr"
	[[ $stderr == *"criuctl rm taken"* || $stderr == *"--name"* ]] || fail "no remedy: $stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_equal "$(cd "$STORE/checkpoints/taken" && find . -type f -exec sha256sum {} + | sort)" "$before"
	assert_dir_empty "$STORE/tmp"
	alive "$WPID"
}

@test "dump --json: existing name" {
	workload
	seed_checkpoint taken
	run -5 --separate-stderr criuctl --json dump -t "$WPID" -n taken
	assert_json_error 5 name-exists
}

@test "dump --pidfile: missing or garbage pidfile exits 2 naming it" {
	run -2 --separate-stderr criuctl dump --pidfile "$BATS_TEST_TMPDIR/none.pid"
	[[ $stderr == *none.pid* ]] || fail "$stderr"
	echo "twelve" >"$BATS_TEST_TMPDIR/bad.pid"
	run -2 --separate-stderr criuctl dump --pidfile "$BATS_TEST_TMPDIR/bad.pid"
	[[ $stderr == *bad.pid* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "dump: --tree and --pidfile exclude each other; one is needed" {
	run -2 --separate-stderr criuctl dump
	[[ $stderr == *--tree* ]] || fail "$stderr"
	echo 1 >"$BATS_TEST_TMPDIR/one.pid"
	run -2 --separate-stderr criuctl dump -t 1 --pidfile "$BATS_TEST_TMPDIR/one.pid"
}

@test "dump --tree of a pid that does not exist exits 2 naming it" {
	run -2 --separate-stderr criuctl dump --tree 99999999
	[[ $stderr == *99999999* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_dir_empty "$STORE/checkpoints"
	run -2 --separate-stderr criuctl --json dump --tree 99999999
	assert_json_error 2 no-such-process
}

@test "dump --tree with a non-number exits 2" {
	for bad in abc 0 -5 12x; do
		run -2 --separate-stderr criuctl dump --tree "$bad"
		[[ $stderr == *"'$bad'"* ]] || fail "--tree $bad: $stderr"
	done
}

@test "dump: an unexpected argument exits 2" {
	workload
	run -2 --separate-stderr criuctl dump -t "$WPID" extra
	[[ $stderr == *"'extra'"* ]] || fail "$stderr"
}

@test "dump: every flag reaches criu's command line" {
	workload
	criu_records
	run -1 criuctl -q dump -R -t "$WPID" -n flags \
		--tcp-established --ext-unix-sk -j -l \
		--skip-mnt /mnt/one --skip-mnt /mnt/two \
		--external 'mnt[/data]:data' --external 'veth[eth0]:host0' \
		--network-lock nftables --manage-cgroups soft \
		--criu-opt --link-remap --criu-opt --ghost-limit=1M
	run criu_argv
	assert_output --partial " --leave-running "
	assert_output --partial " --tcp-established "
	assert_output --partial " --ext-unix-sk "
	assert_output --partial " --shell-job "
	assert_output --partial " --file-locks "
	assert_output --partial " --skip-mnt /mnt/one --skip-mnt /mnt/two "
	assert_output --partial " --external mnt[/data]:data --external veth[eth0]:host0 "
	assert_output --partial " --network-lock=nftables "
	assert_output --partial " --manage-cgroups=soft "
	# raw options last, in order, so that they can override
	assert_output --regexp " --link-remap --ghost-limit=1M $"
}

@test "dump: long options have their documented long forms" {
	workload
	criu_records
	run -1 criuctl -q dump --tree "$WPID" --name longs --leave-running --shell-job --file-locks
	run criu_argv
	assert_output --partial " --shell-job "
	assert_output --partial " --file-locks "
	assert_output --partial " --leave-running "
}

@test "dump: a bad --network-lock exits 2 naming the value" {
	workload
	run -2 --separate-stderr criuctl dump -t "$WPID" --network-lock ebtables
	[[ $stderr == *"'ebtables'"* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "dump: a bad --manage-cgroups or --timeout exits 2 naming the value" {
	workload
	run -2 --separate-stderr criuctl dump -t "$WPID" --manage-cgroups sometimes
	[[ $stderr == *"'sometimes'"* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl dump -t "$WPID" --timeout soon
	[[ $stderr == *"'soon'"* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "dump: an option without its argument exits 2 naming it" {
	workload
	run -2 --separate-stderr criuctl dump -t "$WPID" --skip-mnt
	[[ $stderr == *--skip-mnt* ]] || fail "$stderr"
}

@test "dump: the store is created on demand, 0700" {
	workload
	criu_records
	run -1 "$CRIUCTL" --store "$BATS_TEST_TMPDIR/new-store" --criu "$FAKE_CRIU" -q dump -R -t "$WPID" -n s2
	assert_file_exists "$(only_entry "$BATS_TEST_TMPDIR/new-store/failed" 's2.*')/report.json"
	assert_equal "$(mode_of "$BATS_TEST_TMPDIR/new-store")" 700
}

@test "dump: a store that cannot be created exits 5 naming it" {
	workload
	run -5 --separate-stderr "$CRIUCTL" --store "$BATS_TEST_TMPDIR/no/such/parent" --criu "$FAKE_CRIU" dump -t "$WPID"
	[[ $stderr == *"$BATS_TEST_TMPDIR/no/such/parent"* ]] || fail "$stderr"
	alive "$WPID"
}

@test "dump and restore: --help and usage errors come before looking for criu and the store" {
	local gone=$BATS_TEST_TMPDIR/no-criu
	for cmd in dump restore; do
		run -0 "$CRIUCTL" --store "$STORE" --criu "$gone" "$cmd" --help
		assert_line --regexp "^usage: criuctl $cmd "
		run -2 --separate-stderr "$CRIUCTL" --store "$STORE" --criu "$gone" --json "$cmd"
		assert_json_error 2 usage
	done
	run -6 --separate-stderr "$CRIUCTL" --store "$STORE" --criu "$gone" --json dump -t $$
	[[ $(json_get .error.message) == *"$gone"* ]] || fail "$output"
	assert_file_not_exists "$STORE"
}
