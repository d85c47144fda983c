#!/usr/bin/env bats
# criuctl verify: checkpoints checked against their seal (size and XXH128 of
# every image file) without restoring them, under each name's lock.

load helpers

# Two checkpoints, a and b: copies of one real criu made (no criu runs here).
two_checkpoints() {
	seed_checkpoint a
	seed_checkpoint b
}

@test "verify, every checkpoint intact: exit 0, one ok line each" {
	two_checkpoints
	run -0 --separate-stderr criuctl verify
	assert_line --index 0 --regexp '^ok +a +every sealed file is as it was$'
	assert_line --index 1 --regexp '^ok +b +every sealed file is as it was$'
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" ""
}

@test "verify: a changed image is named, the others still listed; exit 5 images-damaged" {
	two_checkpoints
	printf 'x' >>"$STORE/checkpoints/b/images/pages-1.img"
	run -5 --separate-stderr criuctl verify
	assert_line --index 0 --regexp '^ok +a '
	assert_line --index 1 --regexp "^damaged +b +checkpoint 'b' is damaged: images/pages-1.img is 122881 bytes, sealed at 122880\$"
	[[ $stderr == *"1 of 2 checkpoints not intact; the first: checkpoint 'b' is damaged"* ]] ||
		fail "stderr: $stderr"
	run -5 --separate-stderr criuctl --json verify
	assert_json_error 5 images-damaged
	assert_equal "$(json_get '[.checkpoints[] | .name + "=" + .status] | join(" ")')" "a=ok b=damaged"
	assert_equal "$(json_get '.checkpoints[1].code')" images-damaged
	assert_equal "$(json_get '.checkpoints[0].files')" \
		"$(jq '.files | length' "$STORE/checkpoints/a/manifest.json")"
}

@test "verify NAME...: only those; a name that is not there is missing, exit 5" {
	two_checkpoints
	printf 'x' >>"$STORE/checkpoints/b/images/pages-1.img"
	run -0 --separate-stderr criuctl verify a
	assert_output --regexp '^ok +a '
	run -5 --separate-stderr criuctl --json verify a nope
	assert_json_error 5 no-such-checkpoint
	assert_equal "$(json_get '[.checkpoints[] | .name + "=" + .status] | join(" ")')" "a=ok nope=missing"
}

@test "verify of a checkpoint dumped before sealing: unsealed, exit 0" {
	two_checkpoints
	local m=$STORE/checkpoints/a/manifest.json
	jq 'del(.files)' "$m" >"$m.new" && mv "$m.new" "$m"
	run -0 --separate-stderr criuctl verify a
	assert_output --regexp '^unsealed +a +no seal in its manifest'
}

@test "verify of a damaged manifest: damaged, manifest-invalid" {
	two_checkpoints
	echo '{' >"$STORE/checkpoints/a/manifest.json"
	run -5 --separate-stderr criuctl --json verify a
	assert_json_error 5 manifest-invalid
	assert_equal "$(json_get '.checkpoints[0].status')" damaged
}

@test "verify of a name another criuctl holds: busy, exit 5 name-busy, nothing read" {
	two_checkpoints
	flock "$STORE/locks/a" sleep 30 &
	local holder=$!
	track "$holder"
	local deadline=$((SECONDS + 10))
	while flock -n "$STORE/locks/a" true; do # until the holder has it
		((SECONDS < deadline)) || fail "flock did not take locks/a"
		sleep 0.05
	done
	run -5 --separate-stderr criuctl --json verify a b
	assert_json_error 5 name-busy
	assert_equal "$(json_get '[.checkpoints[] | .name + "=" + .status] | join(" ")')" "a=busy b=ok"
	kill "$holder"
}

@test "verify works on a store mounted read-only (no lock file needed there)" {
	two_checkpoints
	local mnt=$BATS_TEST_TMPDIR/ro
	mkdir -p "$mnt"
	rm -f "$STORE/locks/b"
	mount --bind "$STORE" "$mnt" || fail "cannot bind-mount $STORE"
	mount -o remount,bind,ro "$mnt"
	run -0 --separate-stderr "$CRIUCTL" --store "$mnt" verify
	assert_line --index 0 --regexp '^ok +a '
	assert_line --index 1 --regexp '^ok +b '
	umount "$mnt"
}

@test "verify of an empty store: says so, exit 0; usage errors exit 2" {
	run -0 --separate-stderr criuctl verify
	assert_output ""
	[[ $stderr == *"no checkpoints to verify"* ]] || fail "stderr: $stderr"
	run -2 --separate-stderr criuctl verify --bogus
	[[ $stderr == *"unknown option '--bogus'"* ]] || fail "stderr: $stderr"
}
