#!/usr/bin/env bats
# criuctl dump with the fake criu in ok mode: the committed checkpoint, its
# manifest and files, names, flags, and the usage errors.

load helpers

@test "dump commits a checkpoint with manifest, images and log" {
	workload
	run -0 --separate-stderr criuctl dump -t "$WPID" -n ck1
	local ck=$STORE/checkpoints/ck1
	assert_dir_exists "$ck"
	assert_file_exists "$ck/manifest.json"
	assert_file_exists "$ck/dump.log"
	assert_dir_exists "$ck/images"
	assert_file_exists "$ck/images/pages-1.img"
	assert_file_contains "$ck/dump.log" "Dumping finished successfully"
	# the summary (stdout) names the checkpoint, the tree and the frozen time
	assert_line "checkpoint ck1"
	assert_output --regexp "tree +$WPID \(sleep\), 1 process"
	assert_output --partial "frozen 6.1 ms"
	assert_output --partial "59 written"
	assert_output --partial "$ck"
}

@test "dump: manifest.json fields" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1
	local m=$STORE/checkpoints/ck1/manifest.json
	assert_equal "$(json_get .name "$m")" ck1
	[[ $(json_get .created "$m") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		fail "created: $(json_get .created "$m")"
	assert_equal "$(json_get .criu_version "$m")" 4.2.1
	[[ $(json_get .criuctl_version "$m") =~ ^[0-9]+\.[0-9]+ ]] || fail "criuctl_version"
	[[ $(json_get .kernel "$m") == *"$(uname -r)"* ]] || fail "kernel: $(json_get .kernel "$m")"
	assert_equal "$(json_get .tree.root_pid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[0].pid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[0].comm "$m")" sleep
	assert_equal "$(json_get .tree.processes[0].cmdline "$m")" "sleep 1000"
	assert_equal "$(json_get .tree.processes[0].sid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[0].pgid "$m")" "$WPID"
	assert_equal "$(json_get .options.leave_running "$m")" false
	assert_equal "$(json_get .options.tcp_established "$m")" false
	assert_equal "$(json_get .stats.frozen_time_us "$m")" 6109
	assert_equal "$(json_get .stats.freezing_time_us "$m")" 196
	assert_equal "$(json_get .stats.memdump_time_us "$m")" 959
	assert_equal "$(json_get .stats.memwrite_time_us "$m")" 188
	assert_equal "$(json_get .stats.pages_scanned "$m")" 103
	assert_equal "$(json_get .stats.pages_written "$m")" 59
	assert_equal "$(json_get .pre_dumps "$m")" 0
	[[ $(json_get .images_bytes "$m") -ge 8192 ]] || fail "images_bytes: $(json_get .images_bytes "$m")"
	[[ $(json_get .duration_ms "$m") =~ ^[0-9]+$ ]] || fail "duration_ms"
	run -0 json_get .criu_argv "$m"
	assert_output --partial '"-v4"'
	assert_output --partial "\"--tree=$WPID\""
	assert_output --partial '"dump"'
}

@test "dump: a criu version that is not UTF-8 is recorded as \\xff, the dump committed" {
	# Found by fuzz_criu_log: jansson refused the manifest, criu's good dump was dropped.
	workload
	FAKE_CRIU_VERSION=$'4.2\xff' run -0 criuctl -q dump -t "$WPID" -n ck1
	assert_equal "$(json_get .criu_version "$STORE/checkpoints/ck1/manifest.json")" '4.2\xff'
	run -0 criuctl list
	assert_output --partial ck1
}

@test "dump: the manifest's criu_argv is the command line criu got" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1 --tcp-established --network-lock skip
	# criu worked in tmp/NAME.RANDOM; the manifest may name the final place.
	local norm='s#/store/(tmp/ck1\.[0-9a-f]+|checkpoints/ck1)#/store/CK#g' want
	want=$(tr '\n' ' ' <"$FAKE_CRIU_ARGV" | sed -E "$norm")
	run -0 json_get '.criu_argv | join(" ")' "$STORE/checkpoints/ck1/manifest.json"
	assert_equal "$(sed -E "$norm" <<<"$output ")" "$want"
}

@test "dump: criu's command line: dump -D IMAGES -W WORKDIR -o LOG -v4 --tree=PID" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1
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

@test "dump: store dirs 0700, manifest and image files 0600, nothing left in tmp/" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1
	local ck=$STORE/checkpoints/ck1 f
	for d in "$STORE" "$STORE/checkpoints" "$STORE/failed" "$STORE/tmp" "$ck" "$ck/images"; do
		assert_equal "$d: $(mode_of "$d")" "$d: 700"
	done
	assert_equal "$(mode_of "$ck/manifest.json")" 600
	for f in "$ck"/images/*; do
		assert_equal "$f: $(mode_of "$f")" "$f: 600"
	done
	assert_dir_empty "$STORE/tmp"
	assert_dir_empty "$STORE/failed"
}

@test "dump: the images dir is the -D criu got, the log is dump.log in it" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1
	assert_file_exists "$STORE/checkpoints/ck1/images/pstree.img"
	assert_file_exists "$STORE/checkpoints/ck1/images/core-$WPID.img"
}

@test "dump: list shows it, show prints the manifest, log prints the log" {
	workload
	run -0 criuctl -q dump -t "$WPID" -n ck1
	run -0 --separate-stderr criuctl list
	assert_line --index 0 --regexp '^NAME +CREATED +PID +SIZE +STATUS +COMMAND$'
	assert_line --index 1 --regexp "^ck1 +[0-9T:Z-]+ +$WPID +[0-9.]+ [KM]?i?B +ok +sleep 1000$"
	run -0 --separate-stderr criuctl show ck1
	run -0 jq -n --argjson a "$output" --slurpfile b "$STORE/checkpoints/ck1/manifest.json" '$a == $b[0]'
	assert_output true
	run -0 --separate-stderr criuctl log ck1
	assert_equal "$output" "$(cat "$STORE/checkpoints/ck1/dump.log")"
}

@test "dump --json: the summary fields" {
	workload
	run -0 --separate-stderr criuctl --json dump -t "$WPID" -n ck1
	assert_one_json
	assert_equal "$(json_get .ok)" true
	assert_equal "$(json_get .command)" dump
	assert_equal "$(json_get .name)" ck1
	assert_equal "$(json_get .path)" "$(readlink -f "$STORE")/checkpoints/ck1"
	assert_equal "$(json_get .root_pid)" "$WPID"
	assert_equal "$(json_get .processes)" 1
	assert_equal "$(json_get .frozen_time_us)" 6109
	assert_equal "$(json_get .pages_written)" 59
	assert_equal "$(json_get .leave_running)" false
	[[ $(json_get .images_bytes) -ge 8192 ]] || fail "$output"
	[[ $(json_get .duration_ms) =~ ^[0-9]+$ ]] || fail "$output"
	assert_equal "$stderr" ""
}

@test "dump: default name is COMM-PID-yyyymmddThhmmss (UTC)" {
	workload
	local before after
	before=$(date -u +%Y%m%dT%H%M%S)
	run -0 --separate-stderr criuctl --json dump -t "$WPID"
	after=$(date -u +%Y%m%dT%H%M%S)
	local name
	name=$(json_get .name)
	[[ $name =~ ^sleep-$WPID-([0-9]{8}T[0-9]{6})$ ]] || fail "name: $name"
	local stamp=${BASH_REMATCH[1]}
	[[ ! $stamp < $before && ! $stamp > $after ]] || fail "$stamp not in [$before, $after]"
	assert_dir_exists "$STORE/checkpoints/$name"
}

@test "dump: default name of a tree whose comm is not a valid name" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s /bin/sleep "$BATS_TEST_TMPDIR/bin/.odd name"
	workload "$BATS_TEST_TMPDIR/bin/.odd name" 1000
	run -0 --separate-stderr criuctl --json dump -t "$WPID"
	local name
	name=$(json_get .name)
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || fail "name: $name"
	[[ $name == *"-$WPID-"* ]] || fail "name: $name"
	assert_dir_exists "$STORE/checkpoints/$name"
}

@test "dump: a 64-character name is accepted" {
	local name
	name=a$(printf 'b%.0s' {1..63})
	workload
	run -0 criuctl -q dump -t "$WPID" -n "$name"
	assert_dir_exists "$STORE/checkpoints/$name"
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
	run -0 criuctl -q dump -R -t "$WPID" -n taken
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
	run -0 criuctl -q dump -R -t "$WPID" -n taken
	run -5 --separate-stderr criuctl --json dump -t "$WPID" -n taken
	assert_json_error 5 name-exists
}

@test "dump --pidfile reads the root pid" {
	run -0 "$CRIUCTL" run --pidfile "$BATS_TEST_TMPDIR/w.pid" -- sleep 1000
	track "$output"
	run -0 criuctl -q --json dump --pidfile "$BATS_TEST_TMPDIR/w.pid" -n fromfile
	assert_equal "$(json_get .root_pid)" "$(cat "$BATS_TEST_TMPDIR/w.pid")"
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

@test "dump -R keeps the tree running; without it the tree is gone" {
	workload
	run -0 criuctl dump -R -t "$WPID" -n kept
	assert_output --partial "left running"
	alive "$WPID"
	assert_equal "$(json_get .options.leave_running "$STORE/checkpoints/kept/manifest.json")" true
	run criu_argv
	assert_output --partial " --leave-running"
	workload
	run -0 criuctl dump -t "$WPID" -n gone
	assert_output --partial "stopped"
	if alive "$WPID"; then fail "the dumped tree still runs"; fi
}

@test "dump: every flag reaches criu's command line" {
	workload
	run -0 criuctl -q dump -R -t "$WPID" -n flags \
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
	local m=$STORE/checkpoints/flags/manifest.json
	assert_equal "$(json_get .options.tcp_established "$m")" true
	assert_equal "$(json_get .options.ext_unix_sk "$m")" true
	assert_equal "$(json_get .options.shell_job "$m")" true
	assert_equal "$(json_get .options.file_locks "$m")" true
	assert_equal "$(json_get .options.skip_mnt "$m")" '["/mnt/one","/mnt/two"]'
	assert_equal "$(json_get .options.external "$m")" '["mnt[/data]:data","veth[eth0]:host0"]'
	assert_equal "$(json_get .options.network_lock "$m")" nftables
	assert_equal "$(json_get .options.manage_cgroups "$m")" soft
	assert_equal "$(json_get .options.criu_opt "$m")" '["--link-remap","--ghost-limit=1M"]'
}

@test "dump: long options have their documented long forms" {
	workload
	run -0 criuctl -q dump --tree "$WPID" --name longs --leave-running --shell-job --file-locks
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

@test "dump of a tree of three processes records all three, root first" {
	workload sh -c 'sleep 1000 & sleep 1000 & wait'
	local deadline=$((SECONDS + 10))
	until (($(grep -l "^PPid:[[:space:]]*$WPID\$" /proc/[0-9]*/status 2>/dev/null | wc -l) == 2)); do
		((SECONDS < deadline)) || fail "the workload's children did not start"
		sleep 0.02
	done
	run -0 criuctl -q --json dump -R -t "$WPID" -n three
	assert_equal "$(json_get .processes)" 3
	local m=$STORE/checkpoints/three/manifest.json
	assert_equal "$(json_get .tree.processes[0].pid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[1].ppid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[2].ppid "$m")" "$WPID"
	assert_equal "$(json_get .tree.processes[1].comm "$m")" sleep
}

@test "dump: the store is created on demand, 0700" {
	workload
	run -0 "$CRIUCTL" --store "$BATS_TEST_TMPDIR/new-store" --criu "$FAKE_CRIU" -q dump -R -t "$WPID" -n s2
	assert_file_exists "$BATS_TEST_TMPDIR/new-store/checkpoints/s2/manifest.json"
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
