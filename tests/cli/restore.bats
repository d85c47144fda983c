#!/usr/bin/env bats
# criuctl restore with the fake criu: the command line criu gets (with the
# flags reused from the dump; the fake records it, then fails as real criu
# did), the checks before criu runs (the pid, the seal), and failures.  The
# checkpoints are copies of real ones (seed_checkpoint); what a successful
# restore gives (the pid, --pidfile, --json, --wait) is tested with real
# criu: tests/e2e/cli_real.bats.

load helpers

# Two checkpoints real criu made: ck1 (no flags) and flagged.
dumped() {
	seed_checkpoint ck1
	seed_checkpoint flagged "" flagged
}

@test "restore: criu's command line, detached, from the checkpoint's images" {
	dumped
	criu_records
	run -1 criuctl restore ck1
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
	criu_records
	run -1 criuctl restore flagged
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
	criu_records
	run -1 criuctl restore ck1 --root /srv/root --external 'mnt[data]:/srv/data' \
		--criu-opt --restore-sibling
	run criu_argv
	assert_output --partial " --root /srv/root "
	assert_output --partial " --external mnt[data]:/srv/data "
	assert_output --regexp " --restore-sibling $"
}

@test "restore while the original still runs (dumped with -R): exit 3 pid-in-use naming the holder" {
	workload
	seed_checkpoint live "$WPID"
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
	[[ $stderr == *"images/pages-1.img is 100 bytes, sealed at 122880"* ]] || fail "stderr: $stderr"
	rm "$STORE/checkpoints/ck1/images/inventory.img"
	run -5 --separate-stderr criuctl restore ck1
	[[ $stderr == *"images/inventory.img is missing"* ]] || fail "stderr: $stderr"
}

@test "--no-verify and [restore] verify = false let criu run on a changed image; --verify wins back" {
	dumped
	printf 'x' >>"$STORE/checkpoints/ck1/images/core-"*.img
	criu_records
	run -1 --separate-stderr criuctl restore ck1 --no-verify
	assert_equal "$(sed -n 2p "$FAKE_CRIU_ARGV")" restore
	rm "$FAKE_CRIU_ARGV"
	printf '[restore]\nverify = false\n' >"$BATS_TEST_TMPDIR/noverify.conf"
	run -5 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/noverify.conf" restore ck1 --verify
	[[ $stderr == *"checkpoint 'ck1' is damaged: images/core-"*".img is "* ]] || fail "stderr: $stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	run -1 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/noverify.conf" restore ck1
	assert_equal "$(sed -n 2p "$FAKE_CRIU_ARGV")" restore
}

@test "a manifest written before sealing (no files): criu runs without a check" {
	dumped
	local m=$STORE/checkpoints/ck1/manifest.json
	jq 'del(.files)' "$m" >"$m.new" && mv "$m.new" "$m"
	printf 'x' >>"$STORE/checkpoints/ck1/images/pages-1.img"
	criu_records
	run -1 --separate-stderr criuctl restore ck1
	assert_equal "$(sed -n 2p "$FAKE_CRIU_ARGV")" restore
}

@test "a manifest whose file list is damaged is reported as such, not trusted" {
	dumped
	local m=$STORE/checkpoints/ck1/manifest.json
	jq '.files[0].xxh128 = "nothex!!"' "$m" >"$m.new" && mv "$m.new" "$m"
	run -5 --separate-stderr criuctl restore ck1
	[[ $stderr == *"manifest.json: files[0] is not a path, size and xxh128"* ]] ||
		fail "stderr: $stderr"
}
