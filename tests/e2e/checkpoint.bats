#!/usr/bin/env bats
# End-to-end: real criu in the guest sandbox checkpoints and restores real
# processes through criuctl.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

@test "criuctl --version names criuctl and the guest's criu" {
	run criuctl --version
	assert_success
	assert_line --index 0 --regexp '^criuctl [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^criu 4\.[2-9]'
}

@test "a counter is dumped and restored, and continues from where it was" {
	start_counter
	wait_for 10 count_ge "$W/count" 5
	run ctl dump --tree "$PID" --name counter
	assert_success
	assert_output --partial "checkpoint counter"
	wait_for 10 dead "$PID"
	at_dump=$(last_line "$W/count")
	sleep 0.3
	assert_equal "$(last_line "$W/count")" "$at_dump" # frozen: really stopped

	run --separate-stderr ctl restore counter --pidfile "$W/restored.pid"
	assert_success
	assert_output "$PID"
	[[ $stderr == *"restored 'counter': pid $PID"* ]]
	assert_equal "$(cat "$W/restored.pid")" "$PID"
	wait_for 10 count_ge "$W/count" $((at_dump + 5))
	assert_consecutive "$W/count"
	assert_file_exists "$STORE/checkpoints/counter/restore.log"
}

@test "dump ends with the restore command line, which restores the tree as it is" {
	start_counter
	run --separate-stderr ctl dump --tree "$PID" --name next-step
	assert_success
	assert_equal "${stderr##*$'\n'}" "next: criuctl --store $STORE restore next-step"
	wait_for 10 dead "$PID"
	at_dump=$(last_line "$W/count")
	# the line runs as printed
	run --separate-stderr bash -c "${stderr##*next: }"
	assert_success
	assert_output "$PID"
	wait_for 10 count_ge "$W/count" $((at_dump + 5))
	assert_consecutive "$W/count"
	run --separate-stderr ctl --json list
	assert_equal "$(jq -j '.checkpoints[0].argv[] + "\u0000"' <<<"$output" | od -c)" \
		"$(od -c <"/proc/$PID/cmdline")"
}

@test "criu's default configuration changes nothing: criuctl gives criu --no-default-config" {
	start_counter
	# criu reads /etc/criu/default.conf and $HOME/.criu/default.conf unless
	# told not to: one that would keep the tree running and log elsewhere.
	mkdir -p "$W/home/.criu"
	printf 'leave-running\nlog-file /tmp/elsewhere.log\n' >"$W/home/.criu/default.conf"
	HOME=$W/home run ctl dump --tree "$PID" --name ndc
	assert_success
	wait_for 10 dead "$PID"
	assert_file_not_exists /tmp/elsewhere.log
	run grep -c "Dumping finished successfully" "$STORE/checkpoints/ndc/dump.log"
	assert_output 1
	# Raw criu, for contrast, obeys the file.
	start_counter
	HOME=$W/home run criu dump -D "$W" --tree "$PID" -v4 --shell-job
	assert_file_exists /tmp/elsewhere.log
	rm -f /tmp/elsewhere.log
	alive "$PID"
}

@test "a byte flipped in the pages image after the dump: restore refuses, nothing runs; put back, it restores" {
	start_counter
	run ctl dump --tree "$PID" --name flip
	assert_success
	wait_for 10 dead "$PID"
	local img
	img=$(find "$STORE/checkpoints/flip/images" -name 'pages-*.img' -size +4k | head -n 1)
	[[ -n $img ]] || fail "no pages image"
	cp "$img" "$W/pages.orig"
	printf '\377' | dd of="$img" bs=1 seek=4099 conv=notrunc status=none
	run --separate-stderr ctl restore flip
	assert_failure 5
	[[ $stderr == *"checkpoint 'flip' is damaged: images/${img##*/} has XXH128 "* ]] ||
		fail "stderr: $stderr"
	dead "$PID"
	run ls "$STORE/failed" "$STORE/tmp"
	refute_output --partial flip
	run ctl verify
	assert_failure 5
	assert_line --regexp "^damaged +flip +checkpoint 'flip' is damaged: images/${img##*/} has XXH128 "
	cp "$W/pages.orig" "$img"
	run ctl verify flip
	assert_success
	run --separate-stderr ctl restore flip
	assert_success
	assert_output "$PID"
}

@test "the manifest records the tree, the flags and criu's statistics" {
	start_counter
	run ctl dump --tree "$PID" --name m1 --leave-running
	assert_success
	run jq -r '.tree.root_pid, .tree.processes[0].comm, .options.leave_running,
		(.criu_argv | index("-v4") != null), (.stats.pages_written > 0),
		(.images_bytes > 0), .criu_version' "$STORE/checkpoints/m1/manifest.json"
	assert_output "$PID
python3
true
true
true
true
$(criu --version | sed -n 's/^Version: //p')"
	run stat -c '%a' "$STORE" "$STORE/checkpoints/m1" "$STORE/checkpoints/m1/images"
	assert_output $'700\n700\n700'
	run find "$STORE/checkpoints/m1" -type f ! -perm 0600
	assert_output ""
}

@test "--leave-running keeps the tree running, and the checkpoint restores after it ends" {
	start_counter
	before=$(last_line "$W/count")
	run ctl dump --tree "$PID" --name lr --leave-running
	assert_success
	at_dump=$(last_line "$W/count")
	wait_for 10 count_ge "$W/count" $((at_dump + 3))
	alive "$PID"

	# The original still holds its pid: restore refuses before running criu.
	run ctl restore lr
	assert_failure 3
	assert_output --partial "pid $PID, which checkpoint 'lr' needs, is held by 'python3'"
	run --separate-stderr ctl --json restore lr
	assert_failure 3
	run jq -r .error.code <<<"$output"
	assert_output pid-in-use
	run ls "$STORE/failed"
	assert_output ""
	# --force runs criu anyway: its own refusal is explained, the holder named.
	run --separate-stderr ctl --json restore lr --force
	assert_failure 1
	run jq -r '.error.code, (.verdict.title | test("^Pid '"$PID"', which the checkpoint needs, is already in use. It is held by .python3.")),
		(.verdict.evidence[0] == "Can'"'"'t fork for '"$PID"': File exists")' <<<"$output"
	assert_output $'pid-in-use\ntrue\ntrue'
	run jq -r .verdict.id "$STORE"/failed/lr.restore.*/report.json
	assert_output pid-in-use
	alive "$PID"

	kill -KILL "$PID"
	wait_for 10 dead "$PID"
	: >"$W/count"
	run ctl restore lr
	assert_success
	# The restored counter goes on from its value at dump time: between
	# what it was before the dump command and after it.
	wait_for 10 test -s "$W/count"
	first=$(head -n 1 "$W/count")
	((first >= before && first <= at_dump + 1)) ||
		fail "restored counter starts at $first, not within $before..$at_dump"
}

@test "a parent and child joined by a pipe keep talking after restore" {
	start python3 -c "import os, time
r, w = os.pipe()
if os.fork() == 0:
    os.close(w)
    f = os.fdopen(r)
    for line in f:
        with open('$W/child', 'a') as out: out.write(line)
    os._exit(0)
os.close(r)
n = 0
while True:
    n += 1
    os.write(w, b'%d\n' % n)
    time.sleep(0.05)"
	PID=$REPLY
	wait_for 10 count_ge "$W/child" 3
	run ctl dump --tree "$PID" --name piped
	assert_success
	run jq '.tree.processes | length' "$STORE/checkpoints/piped/manifest.json"
	assert_output 2
	at_dump=$(last_line "$W/child")
	run ctl restore piped
	assert_success
	wait_for 10 count_ge "$W/child" $((at_dump + 5))
	assert_consecutive "$W/child"
}

@test "an established TCP connection survives, its client outside the tree" {
	# Server tree: echoes every line back.
	start_echo_server "$TPORT"
	# Client tree: counts round trips.
	start_echo_client "$TPORT" "$W/trips"

	run ctl dump --tree "$SERVER" --name tcp --tcp-established
	assert_success
	run jq -r '.options.tcp_established, .options.network_lock' \
		"$STORE/checkpoints/tcp/manifest.json"
	assert_output $'true\nnftables'
	wait_for 10 dead "$SERVER"
	at_dump=$(last_line "$W/trips")

	run ctl restore tcp
	assert_success
	wait_for 10 count_ge "$W/trips" $((at_dump + 5))
	assert_consecutive "$W/trips"
}

@test "restore --wait exits with the restored workload's status" {
	start sh -c "while [ ! -e '$W/stop' ]; do sleep 0.05; done; exit 7"
	PID=$REPLY
	run ctl dump --tree "$PID" --name waiter
	assert_success
	wait_for 10 dead "$PID"
	touch "$W/stop"
	run ctl restore waiter --wait
	assert_failure 7
	assert_output --partial "restored 'waiter'"
}

@test "restore --wait --json reports the exit status in one JSON document" {
	start sh -c "while [ ! -e '$W/stop' ]; do sleep 0.05; done; exit 3"
	PID=$REPLY
	ctl dump --tree "$PID" --name waitj >/dev/null
	wait_for 10 dead "$PID"
	touch "$W/stop"
	run --separate-stderr ctl --json restore waitj --wait
	assert_failure 3
	run jq -r '.ok, .exit_status, .pid' <<<"$output"
	assert_output "true
3
$PID"
}

@test "without setsid: refused before anything is frozen, and --force shows CRIU's own error" {
	start_no_setsid sleep 1000
	PID=$REPLY
	wait_for 10 sid_outside "$PID"
	run ctl dump --tree "$PID" --name nosid
	assert_failure 3
	assert_output --regexp "dump refused: the session leader of $PID \\([a-z0-9]+\\) is outside its pid namespace"
	assert_output --partial "criuctl run"
	run ls "$STORE/failed" "$STORE/checkpoints"
	refute_output --partial nosid # criu never ran

	run ctl dump --tree "$PID" --name nosid --force
	assert_failure 1
	assert_output --partial "session leader is outside its pid namespace"
	assert_output --regexp "A session leader of $PID\($PID\) is outside of its pid namespace"
	assert_output --regexp "log: $STORE/failed/nosid\.[0-9T]+Z/dump\.log"
	alive "$PID" # the failed dump left it running
	run ls "$STORE/checkpoints"
	assert_output ""
	run ls "$STORE/tmp"
	assert_output ""
	run jq -r .verdict.id "$STORE"/failed/nosid.*/report.json
	assert_output session-leader-outside-pidns

	# The same workload started by criuctl run is checkpointable.
	start sleep 1000
	run ctl dump --tree "$REPLY" --name withsid
	assert_success
}

@test "--json dump failure carries the verdict, evidence and log" {
	start_no_setsid sleep 1000
	run --separate-stderr ctl --json dump --tree "$REPLY" --name nosidj --force
	assert_failure 1
	run jq -r '.ok, .exit_code, .error.code, (.error.log | test("/failed/nosidj")),
		(.verdict.evidence[0] | test("session leader"))' <<<"$output"
	assert_output $'false\n1\nsession-leader-outside-pidns\ntrue\ntrue'
}
