#!/usr/bin/env bats
# list, show, log and rm: the empty store, damaged entries, removal, and
# symlinks planted in the store (never followed).

load helpers

# Checkpoints NAME... of one running workload ($WPID): copies of one real
# criu made (seed_checkpoint), no criu runs.
checkpoints() {
	local name
	workload
	for name in "$@"; do
		seed_checkpoint "$name" "$WPID"
	done
}

@test "list of an empty store: the header only, exit 0" {
	run -0 --separate-stderr criuctl list
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp '^NAME +CREATED +PID +SIZE +STATUS +COMMAND$'
	run -0 --separate-stderr criuctl --json list
	assert_one_json
	assert_equal "$(json_get .checkpoints)" "[]"
	run -0 --separate-stderr criuctl --json list --failed
	assert_equal "$(json_get .failed)" "[]"
}

@test "list: several checkpoints, sorted by name, with their fields" {
	checkpoints beta alpha
	run -0 --separate-stderr criuctl list
	assert_equal "${#lines[@]}" 3
	assert_line --index 1 --regexp "^alpha +"
	assert_line --index 2 --regexp "^beta +"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '.checkpoints | length')" 2
	assert_equal "$(json_get .checkpoints[0].name)" alpha
	assert_equal "$(json_get .checkpoints[0].root_pid)" "$WPID"
	assert_equal "$(json_get .checkpoints[0].status)" ok
	assert_equal "$(json_get .checkpoints[0].command)" "sleep 1000"
	assert_equal "$(json_get .checkpoints[0].images_bytes)" \
		"$(json_get .images_bytes "$STORE/checkpoints/alpha/manifest.json")"
	[[ $(json_get .checkpoints[0].created) =~ ^[0-9-]{10}T[0-9:]{8}Z$ ]] || fail "$output"
}

@test "list: unexpected argument exits 2" {
	run -2 --separate-stderr criuctl list extra
	[[ $stderr == *"'extra'"* ]] || fail "$stderr"
}

@test "list: a checkpoint without manifest.json is listed as damaged, exit 0" {
	checkpoints good broken
	rm "$STORE/checkpoints/broken/manifest.json"
	run -0 --separate-stderr criuctl list
	assert_line --regexp '^broken +.* damaged +'
	assert_line --regexp '^good +.* ok +sleep 1000$'
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get .checkpoints[0].name)" broken
	assert_equal "$(json_get .checkpoints[0].status)" damaged
	assert_equal "$(json_get .checkpoints[1].status)" ok
}

@test "list: a checkpoint with an invalid manifest.json is listed as damaged, exit 0" {
	checkpoints bad
	echo '{"name": "bad", ' >"$STORE/checkpoints/bad/manifest.json"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get .checkpoints[0].status)" damaged
	echo '[1, 2, 3]' >"$STORE/checkpoints/bad/manifest.json"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get .checkpoints[0].status)" damaged
}

@test "list: a stray file in checkpoints/ does not break the listing" {
	checkpoints good
	echo junk >"$STORE/checkpoints/stray"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '[.checkpoints[] | select(.name == "good")][0].status')" ok
}

@test "show of a damaged checkpoint exits 5" {
	checkpoints broken invalid
	rm "$STORE/checkpoints/broken/manifest.json"
	echo '{"name": ' >"$STORE/checkpoints/invalid/manifest.json"
	run -5 --separate-stderr criuctl show broken
	assert_equal "$output" ""
	[[ $stderr == *broken* ]] || fail "$stderr"
	run -5 --separate-stderr criuctl show invalid
	run -5 --separate-stderr criuctl --json show invalid
	assert_json_error 5 manifest-invalid
}

@test "show --json: the manifest under .manifest" {
	checkpoints ck
	run -0 --separate-stderr criuctl --json show ck
	assert_one_json
	assert_equal "$(json_get .manifest.name)" ck
	assert_equal "$(json_get .manifest.stats.frozen_time_us)" \
		"$(json_get .stats.frozen_time_us "$STORE/checkpoints/ck/manifest.json")"
}

@test "show of a missing checkpoint exits 5; show without a name exits 2" {
	run -5 --separate-stderr criuctl show nosuch
	[[ $stderr == *"'nosuch'"* ]] || fail "$stderr"
	run -5 --separate-stderr criuctl --json show nosuch
	assert_json_error 5 no-such-checkpoint
	run -2 --separate-stderr criuctl show
	run -2 --separate-stderr criuctl show ../etc
}

@test "log of a missing checkpoint exits 5; log --restore before any restore exits 5" {
	checkpoints ck
	run -5 --separate-stderr criuctl log nosuch
	run -5 --separate-stderr criuctl log ck --restore
	[[ $stderr == *restore.log* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl log
}

@test "log --json: path and text" {
	checkpoints ck
	run -0 --separate-stderr criuctl --json log ck
	assert_one_json
	assert_equal "$(json_get .path)" "$(readlink -f "$STORE")/checkpoints/ck/dump.log"
	[[ $(json_get .text) == *"Dumping finished successfully"* ]] || fail "$output"
}

@test "log --errors of a successful dump: no harmless probe errors" {
	checkpoints ck
	run -0 grep -c -e "tun: Unable to create tun" -e RLIMIT_NOFILE "$STORE/checkpoints/ck/dump.log"
	run -0 --separate-stderr criuctl log --errors ck
	refute_output --partial "tun: Unable to create tun"
	refute_output --partial "RLIMIT_NOFILE"
}

@test "rm removes a checkpoint" {
	checkpoints a b
	run -0 --separate-stderr criuctl rm a
	assert_dir_not_exists "$STORE/checkpoints/a"
	assert_dir_exists "$STORE/checkpoints/b"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '.checkpoints | length')" 1
	alive "$WPID"
}

@test "rm of several; a missing one exits 5 but the others are still removed" {
	checkpoints a b
	run -5 --separate-stderr criuctl rm a nosuch b
	[[ $stderr == *"'nosuch'"* ]] || fail "$stderr"
	assert_dir_not_exists "$STORE/checkpoints/a"
	assert_dir_not_exists "$STORE/checkpoints/b"
}

@test "rm --json: the removed names, and the error for the missing one" {
	checkpoints a b
	run -5 --separate-stderr criuctl --json rm a nosuch b
	assert_json_error 5 no-such-checkpoint
	assert_equal "$(json_get .removed)" '["a","b"]'
}

@test "rm without a name exits 2; rm of an invalid name exits 2 and touches nothing" {
	mkdir "$BATS_TEST_TMPDIR/victim"
	run -2 --separate-stderr criuctl rm
	run -2 --separate-stderr criuctl rm ../victim
	run -2 --separate-stderr criuctl rm ..
	assert_dir_exists "$BATS_TEST_TMPDIR/victim"
	assert_dir_exists "$STORE/checkpoints"
}

@test "rm of a damaged checkpoint works" {
	checkpoints broken
	rm "$STORE/checkpoints/broken/manifest.json"
	run -0 --separate-stderr criuctl rm broken
	assert_dir_not_exists "$STORE/checkpoints/broken"
}

@test "rm of a failed/ entry" {
	workload
	export FAKE_CRIU_MODE=replay:dump-session-leader.log
	run -1 criuctl -q dump -t "$WPID" -n sl
	local entry
	entry=$(basename "$(only_entry "$STORE/failed" 'sl.*')")
	run -0 --separate-stderr criuctl rm "$entry"
	assert_dir_empty "$STORE/failed"
	run -0 criuctl --json list --failed
	assert_equal "$(json_get .failed)" "[]"
}

@test "a symlink planted as checkpoints/evil: show does not follow it" {
	checkpoints real
	local target=$BATS_TEST_TMPDIR/elsewhere
	cp -a "$STORE/checkpoints/real" "$target"
	ln -s "$target" "$STORE/checkpoints/evil"
	run --separate-stderr criuctl show evil
	assert_failure
	(( status != 0 && status < 128 )) || fail "status $status"
	refute_output --partial '"name"'
	run --separate-stderr criuctl --json show evil
	assert_one_json
	assert_equal "$(json_get .ok)" false
	[[ $(json_get .manifest) == null ]] || fail "followed the link: $output"
}

@test "a symlink planted as checkpoints/evil: log and restore do not follow it" {
	checkpoints real
	local target=$BATS_TEST_TMPDIR/elsewhere
	cp -a "$STORE/checkpoints/real" "$target"
	ln -s "$target" "$STORE/checkpoints/evil"
	rm -f "$FAKE_CRIU_ARGV"
	run --separate-stderr criuctl log evil
	assert_failure
	refute_output --partial "Dumping finished"
	run --separate-stderr criuctl restore evil
	assert_failure
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

@test "a symlink planted as checkpoints/evil: list does not follow it" {
	checkpoints real
	local target=$BATS_TEST_TMPDIR/elsewhere
	cp -a "$STORE/checkpoints/real" "$target"
	ln -s "$target" "$STORE/checkpoints/evil"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '[.checkpoints[] | select(.name == "evil")][0].status')" damaged
}

@test "a symlink planted as checkpoints/evil: rm removes the link, not the target" {
	checkpoints real
	local target=$BATS_TEST_TMPDIR/elsewhere
	cp -a "$STORE/checkpoints/real" "$target"
	ln -s "$target" "$STORE/checkpoints/evil"
	run -0 --separate-stderr criuctl rm evil
	assert_link_not_exists "$STORE/checkpoints/evil"
	assert_file_not_exists "$STORE/checkpoints/evil"
	assert_dir_exists "$target"
	assert_file_exists "$target/manifest.json"
	assert_file_exists "$target/images/pages-1.img"
}

@test "a symlink inside a checkpoint (images -> elsewhere): rm does not follow it" {
	checkpoints real
	local target=$BATS_TEST_TMPDIR/precious
	mkdir "$target"
	echo keep >"$target/file"
	rm -rf "$STORE/checkpoints/real/images"
	ln -s "$target" "$STORE/checkpoints/real/images"
	run -0 --separate-stderr criuctl rm real
	assert_dir_not_exists "$STORE/checkpoints/real"
	assert_file_exists "$target/file"
}

@test "a symlink planted as manifest.json is not followed" {
	checkpoints real
	local secret=$BATS_TEST_TMPDIR/secret.json
	echo '{"secret": "do-not-print"}' >"$secret"
	rm "$STORE/checkpoints/real/manifest.json"
	ln -s "$secret" "$STORE/checkpoints/real/manifest.json"
	run --separate-stderr criuctl show real
	assert_failure
	refute_output --partial do-not-print
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get .checkpoints[0].status)" damaged
}

@test "a symlinked store subdirectory (checkpoints -> elsewhere) is refused" {
	local target=$BATS_TEST_TMPDIR/elsewhere
	mkdir -p "$STORE" "$target"
	ln -s "$target" "$STORE/checkpoints"
	run -5 --separate-stderr criuctl list
	workload
	run -5 --separate-stderr criuctl dump -R -t "$WPID" -n x
	assert_dir_empty "$target"
}

@test "leftovers in tmp/ from a dead criuctl are cleaned up at start-up" {
	mkdir -p "$STORE/tmp/old.12345678/images"
	echo x >"$STORE/tmp/old.12345678/images/pages-1.img"
	run -0 criuctl recover
	assert_dir_empty "$STORE/tmp"
}

# criuctl without --store in a mount namespace where /var/lib is an empty
# read-only tmpfs (as on a Kata guest's read-only root) and /run a fresh
# tmpfs; prints what ARGS printed, then "--" and the files under /run.
on_read_only_root() {
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o ro tmpfs /var/lib && mount -t tmpfs tmpfs /run || exit 99
		"$@"
		echo "-- exit $?"
		find /run -mindepth 1 | sort' bash "$@" 2>&1
}

@test "a read-only root: the built-in store falls back to /run/criuctl, and says so" {
	run -0 on_read_only_root "$CRIUCTL" recover
	assert_line "nothing to recover in /run/criuctl/tmp"
	assert_line -- "-- exit 0"
	assert_line /run/criuctl/checkpoints
	run -0 on_read_only_root "$CRIUCTL" config
	assert_line --regexp '^store +root += /run/criuctl +# built-in fallback \(/var/lib/criuctl cannot be made\)$'
	run -0 on_read_only_root "$CRIUCTL" --criu "$FAKE_CRIU" check
	assert_line --regexp '^warn +store +store /run/criuctl is in RAM \(/var/lib/criuctl cannot be made: a read-only root\?\)'
	# Reading commands still create nothing, there either.
	run -0 on_read_only_root "$CRIUCTL" list
	refute_line --partial /run/criuctl
	# [store] root is taken as it is.
	printf '[store]\nroot = /var/lib/criuctl\n' >"$CRIUCTL_CONFIG"
	run -0 on_read_only_root "$CRIUCTL" recover
	assert_line --regexp "criuctl: .*/var/lib/criuctl.*Read-only file system"
	assert_line -- "-- exit 5"
}

@test "commands that never use the store do not look for it (explain, --help, --version)" {
	command -v strace >/dev/null || fail "strace is needed (tools/install-deps installs it)"
	local cmd
	for cmd in "explain --list" "--version" "list --help" "dump --help"; do
		# shellcheck disable=SC2086 # the words of cmd are meant to split
		# (LeakSanitizer cannot run under ptrace: the sanitized build must not try.)
		ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
			run -0 strace -f -qq -e trace=%file -o "$BATS_TEST_TMPDIR/trace" "$CRIUCTL" $cmd
		run grep -E '/var/lib/criuctl|/run/criuctl' "$BATS_TEST_TMPDIR/trace"
		assert_failure
	done
	# A command that does use it looks for the built-in store first.
	ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
		run strace -f -qq -e trace=%file -o "$BATS_TEST_TMPDIR/trace" "$CRIUCTL" list
	run -0 grep -c /var/lib/criuctl "$BATS_TEST_TMPDIR/trace"
}
