#!/usr/bin/env bats
# End-to-end: [store] sync, the commit's durability policy, with real criu.
# sync=none skips every sync but not the seal: its checkpoints verify and
# restore like any other.  (What each policy costs is tools/bench's P1.)

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() { common_teardown; }

conf() {
	printf '[store]\nsync = %s\n' "$1" >"$W/criuctl.conf"
}

@test "sync=none commits a sealed checkpoint that verifies and restores" {
	conf none
	start_counter
	wait_for 10 count_ge "$W/count" 5
	run ctl -c "$W/criuctl.conf" dump --tree "$PID" --name scratch
	assert_success
	wait_for 10 dead "$PID"
	at_dump=$(last_line "$W/count")
	run ctl --json show scratch
	assert_success
	# sealed: every image with its size and XXH128
	(($(jq '[.manifest.files[] | select(.xxh128 | length == 32)] | length' <<<"$output") > 0))
	run ctl -c "$W/criuctl.conf" verify scratch
	assert_success
	run --separate-stderr ctl -c "$W/criuctl.conf" restore scratch
	assert_success
	assert_output "$PID"
	wait_for 10 count_ge "$W/count" $((at_dump + 5))
	assert_consecutive "$W/count"
	assert_equal "$(ls "$STORE/tmp")" ""
}

@test "sync=full (the default) on the guest's disk: --leave-running commits, verifies, the tree runs on" {
	STORE=/var/tmp/criuctl-e2e-sync.$$
	conf full
	start_counter
	wait_for 10 count_ge "$W/count" 3
	run ctl -c "$W/criuctl.conf" dump --tree "$PID" --name durable --leave-running
	rc=$status
	alive "$PID"
	run ctl verify durable
	rm -rf "$STORE"
	assert_equal "$rc" 0
	assert_success
}

@test "a [store] sync other than full or none is refused with its file and line" {
	printf '[store]\n\nsync = fsync\n' >"$W/criuctl.conf"
	run ctl -c "$W/criuctl.conf" list
	assert_failure 2
	assert_output --partial "criuctl.conf:3: sync: 'fsync' is not a valid mode"
}

@test "criuctl config shows [store] sync at its default" {
	run criuctl -c /dev/null config
	assert_success
	assert_line --regexp '^store +sync += full +# built-in$'
}

@test "repeated --leave-running dumps of a 64 MiB tree with sync=none each verify" {
	conf none
	start python3 -c "import time
blob = bytearray(b'y' * (64 << 20))
while True:
    time.sleep(0.05)"
	PID=$REPLY
	sleep 1
	for i in 1 2 3; do
		run ctl -c "$W/criuctl.conf" dump --tree "$PID" --name "early-$i" --leave-running
		assert_success
		run ctl verify "early-$i"
		assert_success
	done
	alive "$PID"
}
