#!/usr/bin/env bats
# End-to-end: container-like trees as inside a Kata guest (own pid, mount,
# uts and ipc namespaces, /etc/hosts, /etc/hostname, /etc/resolv.conf bound
# from a shared directory, a tmpfs /dev/shm), started with
# /src/build/container-run, checkpointed and restored by criuctl with the
# real criu.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	common_setup
	SHARED=$W/shared
	PORT=$((8100 + BATS_TEST_NUMBER))
}
teardown() { common_teardown; }

# A container whose init serves, on 127.0.0.1:$PORT, its /etc/hosts, its
# hostname and its pid inside the container; $BLOB_MB MiB of memory (0).
start_container() {
	REPLY=$(container-run --name web --shared "$SHARED" "$@" -- python3 -c "import os, socket
blob = bytearray(b'x' * (${BLOB_MB:-0} << 20))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(5)
while True:
    c, _ = s.accept()
    body = open('/etc/hosts').read() + 'host=%s pid=%d shm=%s' % (
        open('/etc/hostname').read().strip(), os.getpid(), os.path.ismount('/dev/shm'))
    c.sendall(body.encode()); c.close()") || return 1
	PIDS+=("$REPLY")
	CT=$REPLY
	if [[ " $* " == *" --net "* ]]; then
		wait_for 20 listening_in "$CT" "$PORT"
	else
		wait_for 20 listening "$PORT"
	fi
}

# Listening inside the network namespace of pid $1.
listening_in() { nsenter -t "$1" -n ss -ltnH "sport = :$2" | grep -q .; }

ask() {
	python3 -c "import socket
s = socket.create_connection(('127.0.0.1', $PORT))
print(s.recv(4096).decode())"
}

@test "a container with bind mounts from the shared directory is dumped, restored, and serves again" {
	start_container
	run ask
	assert_output --partial "kata-shared-host"
	assert_output --partial "host=web pid=1 shm=True"

	run ctl dump --tree "$CT" --name web
	assert_success
	assert_output --partial "preflight: added --external: 3 mounts of the tree come from outside"
	run jq -r '.tree.own_pid_namespace, .mounts.own_namespace, .mounts.root,
		(.mounts.external | map(.mountpoint + "=" + .source) | join(" "))' \
		"$STORE/checkpoints/web/manifest.json"
	assert_output "true
true
/
/etc/hosts=$SHARED/hosts /etc/hostname=$SHARED/hostname /etc/resolv.conf=$SHARED/resolv.conf"
	wait_for 10 dead "$CT"
	run ask
	assert_failure

	run --separate-stderr ctl restore web
	assert_success
	PIDS+=("$output")
	wait_for 10 listening "$PORT"
	run ask
	assert_output --partial "kata-shared-host"
	assert_output --partial "host=web pid=1 shm=True"
	run grep -c -- "--external" <(jq -r '.criu_argv[]' "$STORE/checkpoints/web/manifest.json")
	assert_output 3
}

@test "a container whose init is not a session leader is refused with the remedy, and dumps once relaunched" {
	start_container --no-setsid
	run ctl dump --tree "$CT" --name nosid
	assert_failure 3
	assert_output --partial "session leader of $CT (python3) is outside its pid namespace"
	assert_output --partial "make the container's init a session leader"
	kill -KILL "$CT"
	wait_for 10 dead "$CT"

	start_container
	run ctl dump --tree "$CT" --name fixed
	assert_success
}

@test "a process joined into the container from outside (like kata-runtime exec) is named, and survives -R" {
	start_container
	nsenter -t "$CT" -a sleep 1000 </dev/null >/dev/null 2>&1 &
	EXEC=$!
	disown "$EXEC"
	PIDS+=("$EXEC")
	wait_for 10 bash -c "pgrep -P $EXEC >/dev/null"
	JOINED=$(pgrep -P "$EXEC")
	run --separate-stderr ctl --json check --tree "$CT"
	assert_success
	run jq -r '.findings[] | select(.id == "pidns-outsiders") | .message' <<<"$output"
	assert_output --partial "$JOINED sleep"
	run ctl dump --tree "$CT" --name joined --leave-running
	assert_success
	assert_output --partial "preflight: warn pidns-outsiders"
	assert_output --partial "1 process shares the tree's pid namespace but not the tree (joined from outside): $JOINED sleep"
	alive "$JOINED"
	run jq '.tree.processes | length' "$STORE/checkpoints/joined/manifest.json"
	assert_output 1
}

@test "restore refuses when a shared file is gone, and --external maps it elsewhere" {
	start_container
	ctl dump --tree "$CT" --name moved >/dev/null
	wait_for 10 dead "$CT"
	mv "$SHARED/hosts" "$W/hosts.moved"
	run ctl restore moved
	assert_failure 3
	assert_output --partial "mount /etc/hosts of checkpoint 'moved' (key etc_hosts) came from $SHARED/hosts"
	assert_output --partial "--external 'mnt[etc_hosts]:PATH'"
	# Forced, criu itself refuses the unmapped mount, and that is explained.
	run ctl restore moved --force
	assert_failure 1
	assert_output --partial "--force: leaving it unmapped"
	assert_output --partial "No mapping for"
	run jq -r .verdict.id "$STORE"/failed/moved.restore.*/report.json
	assert_output external-mount-unmapped
	echo "10.9.9.9 moved-host" >"$W/hosts.new"
	run --separate-stderr ctl restore moved --external "mnt[etc_hosts]:$W/hosts.new"
	assert_success
	PIDS+=("$output")
	wait_for 10 listening "$PORT"
	run ask
	assert_output --partial "moved-host"
}

@test "--no-auto-flags on a container: CRIU's refusal of the bind mounts is explained" {
	start_container
	run ctl dump --tree "$CT" --name noauto --no-auto-flags
	assert_failure 1
	assert_output --partial "was not declared external"
	assert_output --partial "doesn't have a proper root mount"
	alive "$CT"
}

@test "a container with a network namespace of its own is dumped and restored" {
	start_container --net
	# Its loopback is its own: reach it from inside its network namespace.
	run nsenter -t "$CT" -n python3 -c "import socket
print(socket.create_connection(('127.0.0.1', $PORT)).recv(4096).decode())"
	assert_output --partial "host=web pid=1"
	run ctl dump --tree "$CT" --name netns
	assert_success
	run --separate-stderr ctl restore netns
	assert_success
	NEW=$output
	PIDS+=("$NEW")
	wait_for 10 listening_in "$NEW" "$PORT"
	run nsenter -t "$NEW" -n python3 -c "import socket
print(socket.create_connection(('127.0.0.1', $PORT)).recv(4096).decode())"
	assert_output --partial "host=web pid=1"
}

@test "a container with its own network namespace: a unix peer outside the tree is found there" {
	# The container's init connects to an abstract unix socket of its
	# network namespace, served by a process joined into that namespace only.
	REPLY=$(container-run --name uds --shared "$SHARED" --net -- python3 -c "import socket, time
while True:
    try:
        c = socket.socket(socket.AF_UNIX); c.connect('\\0criuctl-peer'); break
    except OSError:
        c.close(); time.sleep(0.05)
while True: time.sleep(0.05)") || fail "container-run failed"
	CT=$REPLY
	PIDS+=("$CT")
	nsenter -t "$CT" -n python3 -c "import socket, time
s = socket.socket(socket.AF_UNIX); s.bind('\\0criuctl-peer'); s.listen(1)
c, _ = s.accept()
while True: time.sleep(0.05)" </dev/null >/dev/null 2>&1 &
	PEER=$!
	disown "$PEER" # no "Killed" notice when teardown kills it
	PIDS+=("$PEER")
	wait_for 10 bash -c "nsenter -t $CT -n ss -xH state connected | grep -q criuctl-peer"
	run ctl check --tree "$CT"
	assert_success
	assert_output --regexp "warn +ext-unix-sk +1 unix socket connected to a peer outside the tree"
	# criu agrees: without the flag (the mounts still declared) it refuses
	# that socket.
	run ctl dump --tree "$CT" --name udsno --no-ext-unix-sk --leave-running
	assert_failure 1
	run jq -r .verdict.id "$STORE"/failed/udsno.*/report.json
	assert_output ext-unix-sk-needed
	alive "$CT"
}

@test "criu stopped mid-dump of a container with its own network: the lock on its namespace is removed, it answers again" {
	# A tree big enough that criu is still dumping memory when stopped.
	BLOB_MB=1024 start_container --net
	criuctl --store "$STORE" dump --tree "$CT" --name netstall --stall-timeout 2 >"$W/out" 2>&1 &
	local ctl=$!
	wait_for 20 bash -c "grep -qF 'Dumping pages' '$STORE'/tmp/*/dump.log 2>/dev/null"
	kill -STOP "$(pgrep -o -f '^/usr/sbin/criu dump')"
	local status=0
	wait "$ctl" || status=$?
	[[ $status -eq 4 ]] || fail "criuctl exited $status: $(cat "$W/out")"
	run cat "$W/out"
	assert_output --regexp "criu left its network lock \(nftables table inet CRIU-[0-9a-f-]+\): removed it"
	run nsenter -t "$CT" -n nft list tables
	refute_output --partial CRIU
	run nsenter -t "$CT" -n python3 -c "import socket
print(socket.create_connection(('127.0.0.1', $PORT), timeout=5).recv(4096).decode())"
	assert_success
	assert_output --partial "host=web pid=1"
}

@test "check --tree finds the lock a raw criu left in a container's network namespace" {
	start_container --net
	# criu run by hand (as another tool would), killed by its own fault
	# injection once it has locked the namespace.
	mkdir -p "$W/raw"
	run env CRIU_FAULT=1 criu dump -t "$CT" -D "$W/raw" -o dump.log -v4 --leave-running \
		--network-lock=nftables --external 'mnt[/etc/hosts]:etc_hosts' \
		--external 'mnt[/etc/hostname]:etc_hostname' \
		--external 'mnt[/etc/resolv.conf]:etc_resolv.conf'
	assert_failure 137
	run nsenter -t "$CT" -n nft list tables
	assert_output --regexp "table inet (CRIU-[0-9a-f-]+)"
	local table=${output#table inet }
	run ctl check --tree "$CT"
	assert_success # a warning: the tree can still be dumped
	assert_line --regexp "^warn +criu-lock-left +the tree's network namespace holds criu's network lock \(inet $table\)"
	assert_output --partial "remedy: Remove it: nsenter -t $CT -n nft delete table inet $table"
	# The remedy works as written.
	nsenter -t "$CT" -n nft delete table inet "$table"
	run ctl check --tree "$CT"
	refute_output --partial criu-lock-left
}
