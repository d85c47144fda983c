#!/usr/bin/env bats
# End-to-end: a checkpoint leaves the store as an archive and comes back
# into another store (another guest, as far as criuctl can tell), and the
# real criu restores it there: its memory intact, its counter going on.
# And an archive made by hand in podman's layout from a real criu dump
# imports and restores.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

# The counter's file as the dump left it, so that each restore of the same
# images goes on from there.
keep_count() { cp "$W/count" "$W/count.at-dump"; }

# restore_and_check STORE NAME [ARGS...]: restore NAME from STORE; the
# restored tree has the memory of the dump and its counter goes on from
# the dump, every line consecutive; then it is ended again, its pid free.
restore_and_check() {
	local store=$1 name=$2 at
	shift 2
	cp "$W/count.at-dump" "$W/count"
	at=$(last_line "$W/count")
	run -0 --separate-stderr criuctl --store "$store" restore "$name" "$@"
	assert_output "$PID"
	wait_for 10 count_ge "$W/count" $((at + 5))
	assert_consecutive "$W/count"
	assert_equal "$(memory_sum)" "$SUM0"
	kill -KILL "$PID"
	wait_for 10 dead "$PID"
	wait_for 10 test ! -e "/proc/$PID"
}

@test "export (.tar.zst, .tar.gz) -> import into another store -> restore: the memory checksum matches, the counter goes on" {
	start_summed_counter
	run -0 ctl dump --tree "$PID" --name summed
	wait_for 10 dead "$PID"
	keep_count
	run -0 --separate-stderr ctl --json export summed "$W/summed.tar.zst"
	assert_equal "$(jq -r .compression <<<"$output")" zstd
	run -0 ctl export summed "$W/summed.tar.gz"
	# The archive is podman's layout: checkpoint/ with criu's images.
	run -0 python3 -c "import sys, tarfile
names = tarfile.open(sys.argv[1]).getnames()
print('\n'.join(names))" "$W/summed.tar.gz"
	assert_line checkpoint
	assert_line checkpoint/pstree.img
	assert_line config.dump
	assert_line spec.dump
	assert_line stats-dump
	assert_line manifest.json

	local other=$BATS_TEST_TMPDIR/other
	run -0 --separate-stderr criuctl --store "$other" --json import "$W/summed.tar.zst" --name moved
	assert_equal "$(jq -r .from <<<"$output")" criuctl
	assert_equal "$(jq -r .needs_root <<<"$output")" false
	run -0 criuctl --store "$other" verify moved
	restore_and_check "$other" moved
	assert_file_exists "$other/checkpoints/moved/restore.log"

	run -0 criuctl --store "$other" import "$W/summed.tar.gz" --name moved-gz
	restore_and_check "$other" moved-gz
}

@test "an archive made by hand in podman's layout from a real dump imports; restore asks for --root, then restores" {
	start_summed_counter
	run -0 ctl dump --tree "$PID" --name raw
	wait_for 10 dead "$PID"
	keep_count
	local ck=$STORE/checkpoints/raw
	# What podman writes: checkpoint/ (criu's images), config.dump,
	# spec.dump, stats-dump, and its rootfs diff, which criuctl leaves out.
	run -0 python3 - "$ck" "$W/podman.tar" <<'PY'
import io, json, os, sys, tarfile
ck, out = sys.argv[1], sys.argv[2]
def put(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644
    t.addfile(i, io.BytesIO(data))
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    t.add(os.path.join(ck, "images"), arcname="checkpoint")
    put(t, "config.dump", json.dumps({"id": "7d3e", "name": "counter", "runtime": "crun",
        "createdTime": "2026-12-07T20:00:00Z",
        "checkpointedTime": "2026-12-07T21:30:00.25Z"}).encode())
    put(t, "spec.dump", json.dumps({"ociVersion": "1.0.2",
        "annotations": {"io.container.manager": "libpod"}}).encode())
    put(t, "stats-dump", open(os.path.join(ck, "stats-dump"), "rb").read())
    put(t, "rootfs-diff.tar", b"\0" * 1024)
PY
	run -0 --separate-stderr criuctl --store "$W/podman-store" --json import "$W/podman.tar"
	assert_equal "$(jq -r '[.name, .from, .needs_root] | map(tostring) | join(" ")' <<<"$output")" \
		"podman foreign true"
	assert_equal "$(jq -r '.left_out | join(" ")' <<<"$output")" rootfs-diff.tar
	assert_equal "$(jq -r .created "$W/podman-store/checkpoints/podman/manifest.json")" \
		2026-12-07T21:30:00Z
	diff -r "$ck/images" "$W/podman-store/checkpoints/podman/images"
	run -3 --separate-stderr criuctl --store "$W/podman-store" restore podman
	[[ $stderr == *"its root is unknown"* ]] || fail "$stderr"
	restore_and_check "$W/podman-store" podman --root /
}
