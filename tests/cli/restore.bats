#!/usr/bin/env bats
# criuctl restore with the fake criu: the restored pid, the pidfile, the
# log kept with the checkpoint, the flags reused from the dump, the pid
# check before criu runs, --wait, and failures.

load helpers

# Two checkpoints, dumped once for the whole file: ck1 (no flags) and
# flagged.  criu kills a dumped tree, and the host's init reaps orphans
# lazily (a zombie still holds its pid, and restore refuses a pid in use),
# so the file waits for that once, not in every test.
setup_file() {
	local store=$BATS_FILE_TMPDIR/template pid1 pid2
	export CRIUCTL_CONFIG=$BATS_FILE_TMPDIR/empty.conf
	: >"$CRIUCTL_CONFIG"
	pid1=$("$CRIUCTL" run -- sleep 1000)
	pid2=$("$CRIUCTL" run -- sleep 1000)
	"$CRIUCTL" --store "$store" --criu "$FAKE_CRIU" -q dump -t "$pid1" -n ck1 >/dev/null
	"$CRIUCTL" --store "$store" --criu "$FAKE_CRIU" -q dump -t "$pid2" -n flagged \
		--tcp-established --ext-unix-sk --file-locks --manage-cgroups soft \
		--network-lock nftables --skip-mnt /mnt/x >/dev/null
	kill -KILL "$pid1" "$pid2" 2>/dev/null || true
	wait_gone "$pid1"
	wait_gone "$pid2"
	[[ -f $store/checkpoints/ck1/manifest.json && -f $store/checkpoints/flagged/manifest.json ]]
}

# A fresh copy of the template store, as this test's store.
dumped() {
	mkdir -p "$STORE"
	cp -a "$BATS_FILE_TMPDIR/template/." "$STORE/"
}

@test "restore prints the restored pid and keeps restore.log with the checkpoint" {
	dumped
	run -0 --separate-stderr criuctl restore ck1
	assert_output --regexp '^[0-9]+$'
	track "$output"
	alive "$output"
	assert_equal "$(cat "/proc/$output/comm")" sleep
	local ck=$STORE/checkpoints/ck1
	assert_file_exists "$ck/restore.log"
	assert_file_contains "$ck/restore.log" "Restore finished successfully. Tasks resumed."
	assert_file_exists "$ck/dump.log"
	assert_file_exists "$ck/manifest.json"
	assert_dir_empty "$STORE/tmp"
	assert_dir_empty "$STORE/failed"
	[[ $stderr == *"$output"* ]] || fail "no human message naming the pid: $stderr"
}

@test "restore --pidfile writes the restored pid" {
	dumped
	run -0 --separate-stderr criuctl restore ck1 --pidfile "$BATS_TEST_TMPDIR/r.pid"
	track "$output"
	assert_file_exists "$BATS_TEST_TMPDIR/r.pid"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/r.pid")" "$output"
}

@test "restore --json: ok, name, pid" {
	dumped
	run -0 --separate-stderr criuctl --json restore ck1
	assert_one_json
	track "$(json_get .pid)"
	assert_equal "$(json_get .ok)" true
	assert_equal "$(json_get .name)" ck1
	alive "$(json_get .pid)"
	assert_equal "$stderr" ""
}

@test "restore: criu's command line, detached, from the checkpoint's images" {
	dumped
	run -0 criuctl restore ck1
	track "$output"
	mapfile -t argv <"$FAKE_CRIU_ARGV"
	assert_equal "${argv[1]}" restore
	run criu_argv
	assert_output --partial " -D $(readlink -f "$STORE")/checkpoints/ck1/images "
	assert_output --regexp " -W [^ ]+ "
	assert_output --partial " -o restore.log "
	assert_output --partial " -v4 "
	assert_output --partial " --restore-detached"
	assert_output --regexp " --pidfile [^ ]+ "
	refute_output --partial "--tree"
}

@test "restore reuses the flags the tree was dumped with" {
	dumped
	run -0 criuctl restore flagged
	track "$output"
	run criu_argv
	assert_output --partial " --tcp-established"
	assert_output --partial " --ext-unix-sk"
	assert_output --partial " --file-locks"
	assert_output --partial " --manage-cgroups=soft"
	# dump-only options: criu 4.2 ignores (and warns about) them on restore
	refute_output --partial "--network-lock"
	refute_output --partial "--skip-mnt"
}

@test "restore --root, --external and --criu-opt reach criu" {
	dumped
	run -0 criuctl restore ck1 --root /srv/root --external 'mnt[data]:/srv/data' \
		--criu-opt --restore-sibling
	track "$output"
	run criu_argv
	assert_output --partial " --root /srv/root "
	assert_output --partial " --external mnt[data]:/srv/data "
	assert_output --regexp " --restore-sibling $"
}

@test "restore while the original still runs (dumped with -R): exit 3 pid-in-use naming the holder" {
	workload
	run -0 criuctl -q dump -R -t "$WPID" -n live
	rm -f "$FAKE_CRIU_ARGV"
	run -3 --separate-stderr criuctl restore live
	assert_equal "$output" ""
	[[ $stderr == *"pid $WPID"* ]] || fail "does not name the pid: $stderr"
	[[ $stderr == *"'sleep'"* ]] || fail "does not name the holder: $stderr"
	[[ $stderr == *"sleep 1000"* ]] || fail "does not show the holder's command: $stderr"
	[[ $stderr == *leave-running* ]] || fail "no remedy: $stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_dir_empty "$STORE/tmp"
	alive "$WPID"
	run -3 --separate-stderr criuctl --json restore live
	assert_json_error 3 pid-in-use
	[[ $(json_get .error.message) == *"pid $WPID"* ]] || fail "$output"
}

@test "restore of a missing checkpoint: exit 5" {
	run -5 --separate-stderr criuctl restore nosuch
	[[ $stderr == *"'nosuch'"* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	run -5 --separate-stderr criuctl --json restore nosuch
	assert_json_error 5 no-such-checkpoint
}

@test "restore of an invalid name: exit 2, nothing outside the store is touched" {
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	run -2 --separate-stderr criuctl restore ../outside
	run -2 --separate-stderr criuctl restore .hidden
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "restore: usage errors exit 2" {
	run -2 --separate-stderr criuctl restore
	run -2 --separate-stderr criuctl restore a b
	run -2 --separate-stderr criuctl restore a --timeout never
	[[ $stderr == *"'never'"* ]] || fail "$stderr"
}

@test "restore --wait exits with the restored root's exit status" {
	dumped
	export FAKE_CRIU_RESTORE_EXIT=7
	run -7 --separate-stderr criuctl restore --wait ck1
	export FAKE_CRIU_RESTORE_EXIT=0
	run -0 --separate-stderr criuctl restore --wait ck1
}

@test "restore --wait --json: one document with the exit status" {
	dumped
	export FAKE_CRIU_RESTORE_EXIT=7
	run -7 --separate-stderr criuctl --json restore --wait ck1
	assert_one_json
	assert_equal "$(json_get .exit_status)" 7
}

@test "restore --wait: the restored root killed by a signal gives 128+N" {
	dumped
	bg_criuctl restore --wait ck1 --pidfile "$BATS_TEST_TMPDIR/r.pid"
	wait_file "$BATS_TEST_TMPDIR/r.pid"
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/r.pid")
	track "$pid"
	kill -KILL "$pid"
	bg_wait 10
	assert_equal "$BG_STATUS" 137
}

@test "restore --wait forwards SIGTERM to the restored root" {
	dumped
	bg_criuctl restore --wait ck1 --pidfile "$BATS_TEST_TMPDIR/r.pid"
	wait_file "$BATS_TEST_TMPDIR/r.pid"
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/r.pid")
	track "$pid"
	kill -TERM "$BG_PID"
	bg_wait 10
	assert_equal "$BG_STATUS" 143
	wait_gone "$pid" 5
}

@test "restore fails (criu: Can't fork for 14): exit 1, verdict, attempt kept, checkpoint intact" {
	dumped
	local before
	before=$(cd "$STORE/checkpoints/ck1" && find . -type f -exec sha256sum {} + | sort)
	export FAKE_CRIU_MODE=replay:restore-pid-in-use.log
	run -1 --separate-stderr criuctl restore ck1
	assert_equal "$output" ""
	[[ $stderr == *"Can't fork for 14: File exists"* ]] || fail "$stderr"
	local entry
	entry=$(only_entry "$STORE/failed" 'ck1.restore.*')
	assert_file_exists "$entry/restore.log"
	assert_equal "$(json_get .verdict.id "$entry/report.json")" pid-in-use
	assert_equal "$(json_get .action "$entry/report.json")" restore
	assert_equal "$(cd "$STORE/checkpoints/ck1" && find . -type f -exec sha256sum {} + | sort)" "$before"
	assert_dir_empty "$STORE/tmp"
	run -1 --separate-stderr criuctl --json restore ck1
	assert_json_error 1 pid-in-use
	run -0 criuctl list --failed
	assert_line --regexp '^ck1\.restore\.[0-9T]+Z(-[0-9]+)? +restore +pid-in-use$'
}

@test "restore: criu hangs, --timeout 1: exit 4, checkpoint still listed" {
	dumped
	export FAKE_CRIU_MODE=hang
	run -4 --separate-stderr criuctl restore ck1 --timeout 1
	assert_equal "$(json_get .verdict.id "$(only_entry "$STORE/failed" 'ck1.restore.*')/report.json")" timeout
	run -0 criuctl --json list
	assert_equal "$(json_get '.checkpoints[0].status')" ok
}

@test "restore: a criu that exits 0 without writing the pidfile is a failure" {
	dumped
	export FAKE_CRIU_MODE=exit0-nolog
	run -1 --separate-stderr criuctl restore ck1
	assert_equal "$output" ""
}

# ---- the seal: images checked before criu runs ----

# XXH128 of FILE as xxhsum -H2 (xxh128sum) prints it.
xxh128_of() {
	local sum
	sum=$(xxhsum -H2 "$1") || fail "xxhsum -H2 $1 failed"
	echo "${sum%% *}"
}

@test "the manifest seals every image file: path, size and XXH128 as xxhsum -H2 prints it" {
	dumped
	local ck=$STORE/checkpoints/ck1 path size hash n=0
	while IFS=$'\t' read -r path size hash; do
		[[ -f $ck/$path ]] || fail "$path is sealed but not there"
		assert_equal "$size" "$(stat -c %s "$ck/$path")"
		assert_equal "$hash" "$(xxh128_of "$ck/$path")"
		n=$((n + 1))
	done < <(jq -r '.files[] | [.path, .size, .xxh128] | @tsv' "$ck/manifest.json")
	assert_equal "$n" "$(find "$ck/images" -type f | wc -l)"
	assert_equal "$(jq '[.files[].size] | add' "$ck/manifest.json")" \
		"$(jq .images_bytes "$ck/manifest.json")"
}

@test "restore refuses an image changed after the dump: exit 5, images-damaged, criu never runs" {
	dumped
	local img=$STORE/checkpoints/ck1/images/pages-1.img sealed
	sealed=$(jq -r '.files[] | select(.path == "images/pages-1.img") | .xxh128' \
		"$STORE/checkpoints/ck1/manifest.json")
	printf '\001' | dd of="$img" bs=1 seek=100 conv=notrunc status=none
	export FAKE_CRIU_ARGV=$BATS_TEST_TMPDIR/argv
	run -5 --separate-stderr criuctl restore ck1
	assert_output ""
	[[ $stderr == *"checkpoint 'ck1' is damaged: images/pages-1.img has XXH128 $(xxh128_of "$img"), sealed as $sealed"* ]] ||
		fail "stderr: $stderr"
	[[ $stderr == *"--no-verify"* ]] || fail "no remedy: $stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_dir_empty "$STORE/tmp"
	assert_dir_empty "$STORE/failed"
	run -5 --separate-stderr criuctl --json restore ck1
	assert_equal "$(jq -r '.error.code, .exit_code' <<<"$output")" $'images-damaged\n5'
}

@test "restore names a truncated image and a missing one" {
	dumped
	truncate -s 100 "$STORE/checkpoints/ck1/images/pages-1.img"
	run -5 --separate-stderr criuctl restore ck1
	[[ $stderr == *"images/pages-1.img is 100 bytes, sealed at 8192"* ]] || fail "stderr: $stderr"
	rm "$STORE/checkpoints/ck1/images/inventory.img"
	run -5 --separate-stderr criuctl restore ck1
	[[ $stderr == *"images/inventory.img is missing"* ]] || fail "stderr: $stderr"
}

@test "--no-verify and [restore] verify = false let criu run on a changed image; --verify wins back" {
	dumped
	printf 'x' >>"$STORE/checkpoints/ck1/images/core-"*.img
	run -0 --separate-stderr criuctl restore ck1 --no-verify
	track "$output"
	kill -KILL "$output"
	wait_gone "$output"
	printf '[restore]\nverify = false\n' >"$BATS_TEST_TMPDIR/noverify.conf"
	run -5 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/noverify.conf" restore ck1 --verify
	[[ $stderr == *"checkpoint 'ck1' is damaged: images/core-"*".img is "* ]] || fail "stderr: $stderr"
	run -0 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/noverify.conf" restore ck1
	track "$output"
}

@test "a manifest written before sealing (no files) restores without a check" {
	dumped
	local m=$STORE/checkpoints/ck1/manifest.json
	jq 'del(.files)' "$m" >"$m.new" && mv "$m.new" "$m"
	printf 'x' >>"$STORE/checkpoints/ck1/images/pages-1.img"
	run -0 --separate-stderr criuctl restore ck1
	track "$output"
}

@test "a manifest whose file list is damaged is reported as such, not trusted" {
	dumped
	local m=$STORE/checkpoints/ck1/manifest.json
	jq '.files[0].xxh128 = "nothex!!"' "$m" >"$m.new" && mv "$m.new" "$m"
	run -5 --separate-stderr criuctl restore ck1
	[[ $stderr == *"manifest.json: files[0] is not a path, size and xxh128"* ]] ||
		fail "stderr: $stderr"
}
