#!/usr/bin/env bats
# The store under concurrency and pressure: two criuctl on one name (the
# name lock in locks/), retention ([store] keep / keep_failed, prune), a
# read-only store, a full store (criu fails with ENOSPC), the preflight's
# space check, and tmp/ cleanup at start-up.

load helpers

teardown() {
	common_teardown
	# Mounts a test made under its directory (bats removes it afterwards).
	local mnt
	for mnt in $(awk -v d="$BATS_TEST_TMPDIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$mnt" 2>/dev/null || true
	done
}

conf() {
	printf '%s\n' "$@" >"$CRIUCTL_CONFIG"
}

# mount_tmpfs NAME OPTIONS: a tmpfs at $BATS_TEST_TMPDIR/NAME; its path in $MNT.
mount_tmpfs() {
	MNT=$BATS_TEST_TMPDIR/$1
	mkdir -p "$MNT"
	mount -t tmpfs -o "$2" tmpfs "$MNT" || skip "cannot mount a tmpfs here"
}

# Names under DIR, sorted, on one line.
names_in() {
	(cd "$1" && ls -A | sort | tr '\n' ' ' | sed 's/ $//')
}

# Wait (bounded) until the fake criu of a background dump has started: from
# then on that dump holds the name's lock and its attempt is in tmp/.
wait_criu_running() {
	local pid
	pid=$(fake_criu_pid)
	alive "$pid" || fail "the fake criu ($pid) is not running"
}

# End every fake criu this test started (criuctl then judges criu-killed).
end_criu() {
	local pid
	while read -r pid; do
		kill -KILL "$pid" 2>/dev/null || true
	done <"$FAKE_CRIU_SPAWNED"
}

# The background dumps below are started directly (so that $! is criuctl
# and `wait` gets its status); their criu hangs (the fake's hang mode) until
# the test has looked, then end_criu kills it; --timeout bounds them.

@test "two dumps to one name at once: the second is told name-busy while the first's criu runs" {
	workload
	FAKE_CRIU_MODE=hang "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" --json dump -R --timeout 30 \
		-t "$WPID" -n same </dev/null >"$BATS_TEST_TMPDIR/first.out" 2>"$BATS_TEST_TMPDIR/first.err" &
	local first=$!
	track "$first"
	wait_criu_running
	run -5 --separate-stderr criuctl --json dump -R -t "$WPID" -n same
	assert_json_error 5 name-busy
	[[ $(json_get .error.message) == *"'same'"* ]] || fail "the name is not named: $output"
	# The loser never started criu and left nothing behind.
	assert_equal "$(wc -l <"$FAKE_CRIU_SPAWNED")" 1
	assert_equal "$(names_in "$STORE/tmp")" "$(basename "$(only_entry "$STORE/tmp" 'same.*')")"
	end_criu
	local status=0
	wait "$first" || status=$?
	assert_equal "$status" 1
	assert_equal "$(json_get .error.code "$BATS_TEST_TMPDIR/first.out")" criu-killed
	assert_dir_empty "$STORE/checkpoints"
	assert_dir_empty "$STORE/tmp"
	alive "$WPID"
}

@test "dumps to different names run in parallel: neither waits for the other" {
	workload
	FAKE_CRIU_MODE=hang "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" -q dump -R --timeout 30 \
		-t "$WPID" -n one </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/one.err" &
	local one=$!
	track "$one"
	wait_criu_running
	FAKE_CRIU_MODE=hang "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" -q dump -R --timeout 30 \
		-t "$WPID" -n two </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/two.err" &
	local two=$!
	track "$two"
	# Both criu run at once, each in its own attempt, each name locked.
	local deadline=$((SECONDS + 10))
	until (($(wc -l <"$FAKE_CRIU_SPAWNED") == 2)); do
		((SECONDS < deadline)) || fail "the second criu did not start: $(cat "$BATS_TEST_TMPDIR/two.err")"
		sleep 0.05
	done
	only_entry "$STORE/tmp" 'one.*' >/dev/null
	only_entry "$STORE/tmp" 'two.*' >/dev/null
	assert_equal "$(names_in "$STORE/locks")" "one two"
	end_criu
	local s1=0 s2=0
	wait "$one" || s1=$?
	wait "$two" || s2=$?
	assert_equal "$s1 $s2" "1 1"
	assert_dir_empty "$STORE/tmp"
}

@test "rm of a name a dump is working on: exit 5 name-busy, and the attempt is left to its dump" {
	workload
	FAKE_CRIU_MODE=hang "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" -q dump -R --timeout 30 \
		-t "$WPID" -n busy </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/first.err" &
	local first=$!
	track "$first"
	wait_criu_running
	run -5 --separate-stderr criuctl --json rm busy
	assert_json_error 5 name-busy
	only_entry "$STORE/tmp" 'busy.*' >/dev/null
	end_criu
	local status=0
	wait "$first" || status=$?
	assert_equal "$status" 1
	only_entry "$STORE/failed" 'busy.*' >/dev/null
	# Afterwards the name is free again: nothing to remove.
	run -5 --separate-stderr criuctl --json rm busy
	assert_json_error 5 no-such-checkpoint
}

@test "start-up cleanup leaves a running dump's attempt in tmp/ alone" {
	workload
	FAKE_CRIU_MODE=hang "$CRIUCTL" --store "$STORE" --criu "$FAKE_CRIU" -q dump -R --timeout 30 \
		-t "$WPID" -n running </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/first.err" &
	local first=$!
	track "$first"
	wait_criu_running
	run -0 --separate-stderr criuctl recover
	local attempt
	attempt=$(only_entry "$STORE/tmp" 'running.*')
	assert_dir_exists "$attempt/images"
	end_criu
	local status=0
	wait "$first" || status=$?
	assert_equal "$status" 1
	assert_file_exists "$(only_entry "$STORE/failed" 'running.*')/dump.log"
	assert_dir_empty "$STORE/tmp"
}

@test "[store] keep_failed = 1: three failed dumps leave the newest failed attempt" {
	conf "[store]" "keep_failed = 1"
	workload
	export FAKE_CRIU_MODE=replay:dump-session-leader.log
	local name
	for name in f1 f2 f3; do
		run -1 --separate-stderr criuctl --json dump -t "$WPID" -n "$name" --force
		assert_equal "$(json_get .error.code)" session-leader-outside-pidns
	done
	local entry
	entry=$(only_entry "$STORE/failed" '*')
	[[ $(basename "$entry") == f3.* ]] || fail "kept $(basename "$entry"), not the newest (f3)"
	assert_file_exists "$entry/dump.log"
	assert_dir_empty "$STORE/checkpoints"
	assert_dir_empty "$STORE/tmp"
	alive "$WPID"
}

@test "locks/ holds a file only for names with a checkpoint: rm and a failed dump leave none behind" {
	workload
	seed_checkpoint b
	seed_checkpoint c
	assert_equal "$(names_in "$STORE/locks")" "b c"
	run -0 criuctl -q rm b
	assert_equal "$(names_in "$STORE/locks")" c
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n f --force
	assert_equal "$(names_in "$STORE/locks")" c
	# A name whose lock file was removed is locked again as ever: criu runs.
	rm "$FAKE_CRIU_ARGV"
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n b --force
	assert_equal "$(json_get .error.code)" session-leader-outside-pidns
	assert_file_exists "$FAKE_CRIU_ARGV"
	assert_equal "$(names_in "$STORE/locks")" c
	assert_equal "$(names_in "$STORE/checkpoints")" c
}

@test "prune --keep 1 removes the older checkpoint (by manifest.json's mtime)" {
	seed_checkpoint older
	seed_checkpoint newer
	touch -d '1 minute ago' "$STORE/checkpoints/older/manifest.json"
	run -0 --separate-stderr criuctl --json prune --keep 1
	assert_one_json
	assert_equal "$(json_get .removed)" '["older"]'
	assert_equal "$(names_in "$STORE/checkpoints")" newer
	assert_equal "$(names_in "$STORE/locks")" newer
	run -0 --separate-stderr criuctl prune --keep 1
	assert_equal "$stderr" "nothing to remove"
}

@test "prune --older-than 1h removes what is older (by manifest.json's mtime), keeps the fresh" {
	local name
	for name in old1 fresh old2 old3; do
		seed_checkpoint "$name"
	done
	touch -d '2 hours ago' "$STORE/checkpoints/old1/manifest.json" \
		"$STORE/checkpoints/old2/manifest.json" "$STORE/checkpoints/old3/manifest.json"
	# A directory's own mtime does not count: only manifest.json's.
	touch -d '3 hours ago' "$STORE/checkpoints/fresh"
	run -0 --separate-stderr criuctl prune --older-than 1h --keep 0
	[[ $stderr == *"removed old"* ]] || fail "$stderr"
	assert_equal "$(grep -c '^removed old[123]$' <<<"$stderr")" 3
	[[ $stderr != *fresh* ]] || fail "fresh was removed: $stderr"
	assert_equal "$(names_in "$STORE/checkpoints")" fresh

	seed_checkpoint old4
	touch -d '2 hours ago' "$STORE/checkpoints/old4/manifest.json"
	run -0 --separate-stderr criuctl --json prune --older-than 90m
	assert_equal "$(json_get .removed)" '["old4"]'
	run -0 --separate-stderr criuctl --json prune --older-than 1h
	assert_equal "$(json_get .removed)" '[]'
	assert_equal "$(names_in "$STORE/checkpoints")" fresh
}

@test "prune --older-than also drops old failed attempts (by report.json's mtime)" {
	workload
	FAKE_CRIU_MODE=replay:dump-session-leader.log run -1 criuctl -q dump -t "$WPID" -n oldfail
	FAKE_CRIU_MODE=replay:dump-session-leader.log run -1 criuctl -q dump -t "$WPID" -n newfail
	local old
	old=$(only_entry "$STORE/failed" 'oldfail.*')
	touch -d '2 hours ago' "$old/report.json"
	run -0 --separate-stderr criuctl --json prune --older-than 1h
	assert_equal "$(json_get .removed)" "[\"$(basename "$old")\"]"
	only_entry "$STORE/failed" 'newfail.*' >/dev/null
}

@test "prune --older-than bogus (or 0, or past ten years) and prune --keep x: exit 2" {
	run -2 --separate-stderr criuctl prune --older-than bogus
	[[ $stderr == *bogus* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl --json prune --older-than bogus
	assert_json_error 2 usage
	run -2 --separate-stderr criuctl prune --older-than 0
	run -2 --separate-stderr criuctl prune --older-than 3651d
	run -0 --separate-stderr criuctl prune --older-than 3650d
	run -2 --separate-stderr criuctl prune --keep x
	run -2 --separate-stderr criuctl prune --keep 1.5
	run -2 --separate-stderr criuctl prune extra
}

@test "a read-only store that does not exist yet: dump exits 5 naming the directory; workload untouched" {
	mount_tmpfs ro ro
	workload
	run -5 --separate-stderr "$CRIUCTL" --store "$MNT/store" --criu "$FAKE_CRIU" --json dump \
		-t "$WPID" -n x
	assert_json_error 5 store-io
	[[ $(json_get .error.message) == *"$MNT/store"* ]] || fail "the directory is not named: $output"
	[[ $(json_get .error.message) == *"Read-only file system"* ]] || fail "$output"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	alive "$WPID"
	assert_equal "$(proc_field "$WPID" 1)" S
}

@test "a store remounted read-only: dump exits 5 naming the directory; workload untouched" {
	mount_tmpfs st mode=0700
	run -0 "$CRIUCTL" --store "$MNT" recover
	mount -o remount,ro "$MNT"
	workload
	run -5 --separate-stderr "$CRIUCTL" --store "$MNT" --criu "$FAKE_CRIU" dump -t "$WPID" -n x
	[[ $stderr == *"$MNT/"* ]] || fail "the directory is not named: $stderr"
	[[ $stderr == *"Read-only file system"* ]] || fail "$stderr"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	alive "$WPID"
	assert_equal "$(proc_field "$WPID" 1)" S
	assert_dir_empty "$MNT/checkpoints"
	assert_dir_empty "$MNT/tmp"
	# Reading still works.
	run -0 --separate-stderr "$CRIUCTL" --store "$MNT" --json list
	assert_equal "$(json_get .checkpoints)" "[]"
}

@test "a full store (2 MiB tmpfs, 8 MiB of images): exit 1 no-space, images dropped, failed attempt kept" {
	mount_tmpfs small size=2m,mode=0700
	workload
	export FAKE_CRIU_MODE=images FAKE_CRIU_IMAGE_MB=8
	run -1 --separate-stderr "$CRIUCTL" --store "$MNT" --criu "$FAKE_CRIU" --json dump \
		-t "$WPID" -n big --force
	assert_json_error 1 no-space
	[[ $(json_get .error.message) == *"No space left on device"* ||
		$(json_get .verdict.evidence) == *"No space left on device"* ]] ||
		fail "criu's line is not quoted: $output"
	assert_dir_empty "$MNT/checkpoints"
	assert_dir_empty "$MNT/tmp"
	local entry
	entry=$(only_entry "$MNT/failed" 'big.*')
	assert_dir_not_exists "$entry/images"
	assert_file_exists "$entry/dump.log"
	assert_file_contains "$entry/dump.log" "No space left on device"
	assert_equal "$(json_get .log)" "$entry/dump.log"
	# criu unfroze the tree and left it running.
	alive "$WPID"
	# The images are gone: the tmpfs is almost empty again.
	local used
	used=$(df -k --output=used "$MNT" | tail -n1 | tr -d ' ')
	((used < 256)) || fail "$used KiB still used on the 2 MiB tmpfs"
}

@test "a full store: the failed attempt still gets its report.json" {
	mount_tmpfs small size=2m,mode=0700
	workload
	export FAKE_CRIU_MODE=images FAKE_CRIU_IMAGE_MB=8
	run -1 --separate-stderr "$CRIUCTL" --store "$MNT" --criu "$FAKE_CRIU" -q dump \
		-t "$WPID" -n big --force
	local entry
	entry=$(only_entry "$MNT/failed" 'big.*')
	# The report is what `list --failed` and retention read; it must not be
	# lost because the images still filled the disk when it was written.
	assert_file_exists "$entry/report.json"
	assert_equal "$(json_get .verdict.id "$entry/report.json")" no-space
	run -0 --separate-stderr "$CRIUCTL" --store "$MNT" --json list --failed
	assert_equal "$(json_get .failed[0].verdict)" no-space
}

@test "the preflight refuses when the tree's memory does not fit the store: exit 5 no-space with numbers" {
	command -v python3 >/dev/null || skip "python3 is needed for a 16 MiB workload"
	mount_tmpfs small size=4m,mode=0700
	local ready=$BATS_TEST_TMPDIR/ready
	workload python3 -c 'import sys, time
b = bytearray(b"\x01") * (16 << 20)
open(sys.argv[1], "w").write("up"); time.sleep(1000)' "$ready"
	wait_file "$ready"
	run -5 --separate-stderr "$CRIUCTL" --store "$MNT" --criu "$FAKE_CRIU" --json dump \
		-t "$WPID" -n fat
	assert_json_error 5 no-space
	local msg
	msg=$(json_get .error.message)
	# "the tree's memory (N MiB) does not fit the store's free space (M MiB)"
	[[ $msg =~ \(([0-9]+)\.[0-9]\ MiB\).*\(([0-9]+)\.[0-9]\ MiB\) ]] ||
		fail "no sizes in: $msg"
	((BASH_REMATCH[1] >= 16)) || fail "the tree's memory is not counted: $msg"
	((BASH_REMATCH[2] >= 3 && BASH_REMATCH[2] <= 4)) || fail "wrong free space: $msg"
	[[ -n $(json_get .error.remedy) ]] || fail "no remedy: $output"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_dir_empty "$MNT/checkpoints"
	assert_dir_empty "$MNT/tmp"
	assert_dir_empty "$MNT/failed"
	alive "$WPID"
	assert_equal "$(proc_field "$WPID" 1)" S
	# Human output: the same, on stderr.
	run -5 --separate-stderr "$CRIUCTL" --store "$MNT" --criu "$FAKE_CRIU" dump -t "$WPID" -n fat
	[[ $stderr == *"does not fit"*MiB* ]] || fail "$stderr"
}

@test "locks/ is 0700" {
	run -0 criuctl recover
	assert_dir_exists "$STORE/locks"
	assert_equal "$(mode_of "$STORE/locks")" 700
	assert_equal "$(mode_of "$STORE")" 700
}

@test "leftovers in tmp/ are cleaned at the next start even when the name's lock file exists" {
	mkdir -p "$STORE/tmp/left.0badf00d/images" "$STORE/locks"
	echo x >"$STORE/tmp/left.0badf00d/images/pages-1.img"
	: >"$STORE/locks/left"
	run -0 --separate-stderr criuctl recover
	assert_dir_empty "$STORE/tmp"
	# The stale lock file does not block the name: rm says it does not
	# exist (not busy), dump runs criu.
	run -5 --separate-stderr criuctl --json rm left
	assert_json_error 5 no-such-checkpoint
	workload
	criu_records
	run -1 --separate-stderr criuctl --json dump -R -t "$WPID" -n left
	assert_equal "$(json_get .error.code)" session-leader-outside-pidns
	assert_dir_empty "$STORE/tmp"
}
