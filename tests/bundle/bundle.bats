#!/usr/bin/env bats
# The bundle (make bundle, tools/bundle) in a guest shaped like a Kata
# guest's: a root filesystem made by mmdebstrap --variant=required (Debian
# stable: no criu, no libuv, no python, an older C library than the
# bundle's), mounted read-only, with tmpfs on /run and /tmp.  The bundle is
# unpacked under /run and is all criuctl and criu have.
#
# Runs on the host; each test is one tools/guest-run of a script in that
# guest (the guest's processes end with it).  Needs make bundle and
# guest-image/build --bare build/bare (make check does both).

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BARE=$REPO/build/bare/rootfs

setup_file() {
	local n
	[[ -d $BARE ]] || fail "no bare guest at $BARE: guest-image/build --bare build/bare"
	n=$(find "$REPO/build" -maxdepth 1 -name 'criuctl-bundle-*.tar.gz' | wc -l)
	[[ $n -eq 1 ]] || fail "$n bundles in $REPO/build: make bundle"
}

# Run SCRIPT (bash) in the bare guest, after: tmpfs on /run and /tmp, the
# bundle unpacked to /run/criuctl-bundle, an empty read-only /var/lib (a
# Kata guest has none), the root remounted read-only.
in_bare_guest() {
	CRIUCTL_GUEST_ROOTFS=$BARE timeout -k 5 240 "$REPO/tools/guest-run" bash -c '
		set -e
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs /tmp
		mkdir /run/criuctl-bundle
		tar -C /run/criuctl-bundle --strip-components=1 -xzf /src/build/criuctl-bundle-*.tar.gz
		umount /var/lib/criuctl   # the sandbox'"'"'s own store: a Kata guest has no /var/lib
		mount -t tmpfs -o ro tmpfs /var/lib
		mount -o remount,bind,ro /
		B=/run/criuctl-bundle/bin
		set +e
		'"$1"
}

@test "the bare guest has no criu, no libuv and a read-only root; the bundle brings them" {
	run in_bare_guest '
		command -v criu || echo "no criu on PATH"
		ls /usr/lib/x86_64-linux-gnu/libuv.so.1 2>/dev/null || echo "no libuv"
		touch /usr/probe 2>/dev/null || echo "root read-only"
		$B/criuctl --version
		$B/criu --version
		$B/criuctl check'
	assert_line "no criu on PATH"
	assert_line "no libuv"
	assert_line "root read-only"
	assert_line --regexp '^criuctl [0-9]+\.[0-9]+'
	assert_line "Version: 4.2.1"
	# check finds the bundle's criu by itself (the wrapper puts it on PATH).
	assert_line --regexp '^ok +criu +criu 4\.2\.1 at /run/criuctl-bundle/bin/criu$'
	assert_line --regexp '^ok +criu-check '
}

@test "criuctl check --selftest passes from the bundle" {
	run in_bare_guest '$B/criuctl check --selftest; echo "exit $?"'
	assert_line "exit 0"
	refute_line --regexp '^fail '
}

@test "a counter dumped and restored with the bundle's criu continues, its store in /run" {
	run in_bare_guest '
		mkfifo /run/tick
		pid=$($B/criuctl run --log /run/w.log -- bash -c "
			exec 3<>/run/tick
			n=0
			while :; do
				n=\$((n + 1)); echo \$n >>/run/count
				read -t 0.05 -u 3 || :
			done")
		until [ -s /run/count ]; do sleep 0.05; done
		$B/criuctl dump --tree "$pid" --name c1 || { echo "dump failed"; exit 1; }
		kill -0 "$pid" 2>/dev/null && echo "still running after dump"
		at=$(tail -n1 /run/count)
		$B/criuctl restore c1 || { echo "restore failed"; exit 1; }
		for i in $(seq 100); do
			[ "$(tail -n1 /run/count)" -ge $((at + 5)) ] && break
			sleep 0.05
		done
		echo "counted from $at to $(tail -n1 /run/count)"
		awk "NR > 1 && \$1 != prev + 1 { print \"gap after \" prev } { prev = \$1 }" /run/count
		ls /run/criuctl/checkpoints'
	assert_success
	refute_line "still running after dump"
	refute_line --partial "gap after"
	assert_line --regexp '^counted from [0-9]+ to [0-9]+$'
	local from to
	read -r from to < <(sed -n 's/^counted from \([0-9]*\) to \([0-9]*\)$/\1 \2/p' <<<"$output")
	[[ $to -ge $((from + 5)) ]] || fail "the counter did not go on: $from -> $to"
	assert_line "c1"
	assert_output --partial "store /run/criuctl is in RAM"
}
