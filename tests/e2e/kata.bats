#!/usr/bin/env bats
# End-to-end: what a Kata guest's layout asks of criuctl, with the real criu
# in the guest sandbox.  A Kata guest mounts its root read-only and has no
# /var/lib (KATA-GUEST.md): the built-in store falls back to /run/criuctl.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

# Run ARGS in a mount namespace where /var/lib is an empty read-only tmpfs
# and /run a fresh tmpfs, as on a Kata guest; criuctl gets no --store.
on_read_only_root() {
	unshare -m --propagation private bash -c '
		mount -t tmpfs -o ro tmpfs /var/lib && mount -t tmpfs tmpfs /run || exit 99
		"$@"' bash "$@"
}

@test "a read-only root: dump says the store is in RAM, and the checkpoint restores from there" {
	# The workload, the dump and the restore in one namespace (the
	# workload keeps it alive; its /run holds the store).
	run --separate-stderr on_read_only_root bash -c '
		pid=$(criuctl run --log "$1/log" -- python3 -c "import time
n = 0
while True:
    n += 1
    with open(\"$1/count\", \"a\") as f: f.write(\"%d\\n\" % n)
    time.sleep(0.05)") || exit
		echo "$pid" >"$1/pid"
		until [[ -s $1/count ]]; do sleep 0.05; done
		criuctl --json dump --leave-running --tree "$pid" --name ro-json >"$1/dump.json" &&
		criuctl dump --tree "$pid" --name ro || exit
		criuctl restore ro' bash "$W"
	PIDS+=("$(cat "$W/pid")")
	assert_success
	assert_line --regexp '^  images +.* in /run/criuctl/checkpoints/ro$'
	assert_line --index 5 "$(cat "$W/pid")"
	[[ $stderr == *"criuctl: store /run/criuctl is in RAM (/var/lib/criuctl cannot be made: a read-only root?); the checkpoint is lost when the guest stops"* ]] ||
		fail "stderr: $stderr"
	run jq -r '.store_in_ram, .ok' "$W/dump.json"
	assert_output $'true\ntrue'
	at=$(last_line "$W/count")
	wait_for 10 count_ge "$W/count" $((at + 3))
	assert_consecutive "$W/count"
	# Nothing was written to the real /var/lib.
	assert_file_not_exists /var/lib/criuctl/checkpoints/ro
}
