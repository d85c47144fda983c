#!/usr/bin/env bats
# End-to-end: containers laid out the way kata-agent lays them out in a Kata
# guest (tests/e2e/kata-sandbox: the bundle under /run/kata-containers, the
# shared directory's file binds, the sandbox's /dev/shm and ipc/uts
# namespaces, a parent named kata-agent, the cgroup of cgroupsPath), found
# by id, dumped with `dump --container` and restored with the real criu.

load helpers
bats_require_minimum_version 1.5.0

KS=$BATS_TEST_DIRNAME/kata-sandbox
KROOT=/run/kata-containers
SHM=$KROOT/sandbox/shm

setup() {
	common_setup
	CID=kc$BATS_TEST_NUMBER
	# The guest sandbox mounts no cgroup hierarchy: the test mounts the
	# freezer one where criuctl looks ($CRIUCTL_CGROUP_ROOT), and
	# kata-sandbox puts the init there.  Every cgroup a test makes lies
	# under CGP.
	CG=$W/cgroup
	CGP=criuctl-kata-e2e
	export CRIUCTL_CGROUP_ROOT=$CG
	mkdir -p "$CG/freezer"
	mount -t cgroup -o freezer cgroup "$CG/freezer"
}

teardown() {
	local p
	common_teardown
	for p in "${PIDS[@]}"; do wait_for 10 dead "$p" || true; done
	"$KS" rm "$CID"
	rmdir "$CG/freezer/$CGP/$CID" "$CG/freezer/$CGP" "$CG/freezer/$CGP.slice/cri-containerd/$CID" \
		"$CG/freezer/$CGP.slice/cri-containerd" "$CG/freezer/$CGP.slice" 2>/dev/null || true
	umount "$CG/freezer"
	rm -f "$SHM/$CID".*
}

# A container whose init counts in its /dev/shm (the sandbox's shm).
start_kata() {
	CT=$("$KS" start "$CID" "$@" -- python3 -c "import time
n = 0
while True:
    n += 1
    with open('/dev/shm/$CID.count', 'a') as f: f.write('%d\n' % n)
    time.sleep(0.05)") || return 1
	PIDS+=("$CT" "$(awk '{print $4}' "/proc/$CT/stat")")
	wait_for 10 count_ge "$SHM/$CID.count" 2
}

@test "containers finds a Kata container by its bundle: id, init, cgroup, preflight, command" {
	start_kata --cgroups-path "/$CGP/$CID"
	run -0 --separate-stderr ctl containers
	assert_line --regexp "^$CID +$CT +ok +$CG/freezer/$CGP/$CID +python3 -c import time"
	run -0 --separate-stderr ctl --json containers
	run jq -c --arg id "$CID" '.containers[] | select(.id == $id) |
		[.init_pid, .found_by, .args_match, .preflight.ok, .bundle_root]' <<<"$output"
	assert_output "[$CT,\"cgroup\",\"same\",true,\"$KROOT/$CID/rootfs\"]"
	# The parent is the stand-in for kata-agent.
	run cat "/proc/$(awk '{print $4}' "/proc/$CT/stat")/comm"
	assert_output kata-agent
}

@test "dump --container, restore: the counter continues, /etc/hosts and /dev/shm are the sandbox's, the masked path stays masked" {
	start_kata --cgroups-path "$CGP.slice:cri-containerd:$CID"
	echo "before the dump" >"$SHM/$CID.marker"
	run ctl dump --container "$CID" --name "$CID"
	assert_success
	assert_output --partial "container $CID: init $CT (from its cgroup)"
	assert_output --partial "container $CID: 4 bind mounts of its spec named external"
	run jq -r '.container, .mounts.root,
		(.mounts.external | map(.mountpoint + "=" + .source) | join(" "))' \
		"$STORE/checkpoints/$CID/manifest.json"
	assert_line --index 0 "$CID"
	assert_line --index 1 "$KROOT/$CID/rootfs"
	assert_line --index 2 --regexp "^/dev/shm=$SHM /etc/hosts=$KROOT/shared/containers/$CID-[0-9a-f]{16}-hosts /etc/hostname=.* /etc/resolv.conf=.*$"
	wait_for 10 dead "$CT"
	at=$(last_line "$SHM/$CID.count")

	run --separate-stderr ctl restore "$CID"
	assert_success
	NEW=$output
	PIDS+=("$NEW")
	wait_for 10 count_ge "$SHM/$CID.count" $((at + 3))
	assert_consecutive "$SHM/$CID.count"
	run nsenter -t "$NEW" -m cat /etc/hosts /dev/shm/"$CID".marker
	assert_output --partial "10.0.0.1	kata-shared-host"
	assert_output --partial "before the dump"
	# /dev/shm is the sandbox's tmpfs again, not a copy: a file made there
	# now is seen inside.
	echo "after the restore" >"$SHM/$CID.after"
	run nsenter -t "$NEW" -m cat /dev/shm/"$CID".after
	assert_output "after the restore"
	# The masked path (the container's /dev/null bound on it, as rustjail
	# does) needs no flag: criu restores it with the rest.
	run grep -c " /proc/timer_list " "/proc/$NEW/mountinfo"
	assert_output 1
	run nsenter -t "$NEW" -m cat /proc/timer_list
	assert_output ""
}

@test "Kata 2.5-4.0: an init in kata-agent's session is refused before anything is frozen" {
	# No cgroup here: the init is found among kata-agent's children.
	export CRIUCTL_CGROUP_ROOT=$W/no-cgroupfs
	start_kata --no-setsid
	run ctl containers
	assert_line --regexp "^$CID +$CT +kata-agent-session +- +python3"
	run ctl dump --container "$CID" --name "$CID"
	assert_failure 3
	assert_output --partial "container $CID: init $CT (from its kata-agent's children)"
	assert_output --partial "the session leader of $CT (python3) is kata-agent"
	assert_output --partial "Kata Containers 4.1 or newer"
	assert_output --partial "give the container a terminal"
	run --separate-stderr ctl --json dump --container "$CID"
	assert_failure 3
	run jq -r .error.code <<<"$output"
	assert_output kata-agent-session
	# Nothing was frozen or written: it counts on, no criu ran.
	at=$(last_line "$SHM/$CID.count")
	wait_for 10 count_ge "$SHM/$CID.count" $((at + 3))
	state_is_not "$CT" T
	run ls "$STORE/failed"
	assert_output ""
}

@test "an unknown container id, an invalid one and a garbage config.json are named" {
	run ctl dump --container no-such-ct
	assert_failure 2
	assert_output --partial "no container 'no-such-ct': $KROOT/no-such-ct is not a Kata bundle directory"
	run ctl dump --container ../etc
	assert_failure 2
	assert_output --partial "invalid container id '../etc'"
	mkdir -p "$KROOT/$CID"
	echo "garbage {" >"$KROOT/$CID/config.json"
	run ctl dump --container "$CID"
	assert_failure 2
	assert_output --partial "container '$CID': $KROOT/$CID/config.json is not a usable OCI spec: invalid JSON at line 1"
	run -0 ctl containers
	assert_line --regexp "^$CID +- +container '$CID': .* is not a usable OCI spec"
	echo '{"ociVersion": "1.1.0", "root": {"path": "/x"}, "process": {"args": ["sleep"]}}' \
		>"$KROOT/$CID/config.json"
	run ctl dump --container "$CID"
	assert_failure 2
	assert_output --partial "container '$CID' ($KROOT/$CID) has no running init"
	run ctl --kata-root "$W/none" containers
	assert_success
	assert_output --partial "no containers under $W/none"
}
