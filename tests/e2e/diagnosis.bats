#!/usr/bin/env bats
# End-to-end: the doctor, the preflight with auto flags, and verdicts of
# real CRIU failures reproduced on demand in the guest.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() {
	pkill -KILL -x strace 2>/dev/null || true
	umount "$W/small" 2>/dev/null || true
	common_teardown
}

traced() { [[ $(awk '/^TracerPid/ {print $2}' "/proc/$1/status") != 0 ]]; }

start_counter_simple() {
	start sleep 1000
	PID=$REPLY
}

# The resident memory of pid $1 is at least $2 KiB.
rss_at_least() { (($(awk '/^VmRSS:/ {print $2}' "/proc/$1/status") >= $2)); }

finding() { jq -r --arg id "$1" '.findings[] | select(.id == $id) | .level' <<<"$output"; }

@test "check: the guest's criu and kernel pass, with the findings named" {
	run --separate-stderr ctl --json check
	assert_success
	assert_equal "$(finding criu)" ok
	assert_equal "$(finding criu-kernel-compat)" ok
	assert_equal "$(finding criu-check)" ok
	for f in network-lock-nftables fdinfo-lock tcp-half-closed link-nsid; do
		assert_equal "$(finding "feature-$f")" ok
	done
	assert_equal "$(finding kconfig-CHECKPOINT_RESTORE)" ok
	assert_equal "$(finding store)" ok
	# Root here lacks CAP_SYS_RESOURCE (GUEST-NOTES): the doctor says so.
	assert_equal "$(finding cap-sys-resource)" warn
}

@test "check --selftest: pipe, unix socket, TCP connection, file lock and a lazy restore survive dump and restore" {
	run --separate-stderr ctl --json check --selftest
	assert_success
	for k in pipe unix tcp lock lazy; do
		assert_equal "$(finding "selftest-$k")" ok
	done
}

@test "check --tree catches the session leader outside the pid namespace before any dump" {
	start_no_setsid sleep 1000
	PID=$REPLY
	run ctl check --tree "$PID"
	assert_failure 3
	assert_output --regexp "fail +session-leader-outside-pidns"
	assert_output --partial "criuctl run"
	start sleep 1000
	run ctl check --tree "$REPLY"
	assert_success
	assert_output --regexp "ok +session"
}

@test "a vfork parent in D state is refused by the preflight, nothing frozen" {
	start /src/build/fixtures/vfork-hang
	PID=$REPLY
	wait_for 10 state_is "$PID" D
	run ctl dump --tree "$PID" --name vf
	assert_failure 3
	assert_output --regexp "task $PID \\(vfork-hang\\) is in uninterruptible sleep"
	run ls "$STORE/failed"
	assert_output ""
}

# A TCP server tree with one established connection from a client outside it.
start_tcp_pair() {
	start_echo_server "$TPORT"
	start python3 -c "import socket, time
c = socket.create_connection(('127.0.0.1', $TPORT))
f = c.makefile('rwb', buffering=0)
while True:
    f.write(b'x\n'); f.readline(); time.sleep(0.05)"
	wait_for 10 bash -c "ss -tnH state established '( sport = :$TPORT )' | grep -q ."
}

@test "auto flags: an established TCP connection gets --tcp-established (and the nftables lock)" {
	start_tcp_pair
	run ctl dump --tree "$SERVER" --name tcp --leave-running
	assert_success
	assert_output --partial "preflight: added --tcp-established: 1 established TCP connection"
	run jq -r '.auto_flags[0], .options.tcp_established, .options.network_lock' \
		"$STORE/checkpoints/tcp/manifest.json"
	assert_output $'tcp_established\ntrue\nnftables'
}

@test "criu keeps its network lock for a TCP checkpoint until the restore; rm of it unrestored releases the lock" {
	start_tcp_pair
	run ctl dump --tree "$SERVER" --name tcpkept
	assert_success
	# The connection waits for the restore behind criu's lock.
	run nft list tables
	assert_output --regexp "table inet CRIU-[0-9a-f-]+"
	run ctl rm tcpkept
	assert_success
	assert_output --regexp "released the network lock criu kept for the unrestored checkpoint tcpkept: inet CRIU-[0-9a-f-]+"
	run nft list tables
	refute_output --partial CRIU
}

@test "check --tree finds the TCP socket a raw criu left in repair mode when it was killed" {
	# A server that holds its connection without reading it, so it lives on;
	# big, so that criu is still dumping its memory when killed.
	start python3 -c "import socket, time
blob = bytearray(b'x' * (512 << 20))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $TPORT)); s.listen(1)
c, _ = s.accept()
while True: time.sleep(0.05)"
	SERVER=$REPLY
	wait_for 10 listening "$TPORT"
	start python3 -c "import socket, time
c = socket.create_connection(('127.0.0.1', $TPORT))
while True: time.sleep(0.05)"
	wait_for 10 bash -c "ss -tnH state established '( sport = :$TPORT )' | grep -q ."
	# criu run by hand (as another tool would), killed once it has put the
	# socket in repair mode.
	mkdir -p "$W/raw"
	criu dump -t "$SERVER" -D "$W/raw" -o dump.log -v4 --leave-running --tcp-established \
		--network-lock nftables >/dev/null 2>&1 &
	local criu=$! deadline=$((SECONDS + 10))
	until grep -qF "Turning repair on" "$W/raw/dump.log" 2>/dev/null; do
		((SECONDS < deadline)) || fail "criu did not reach the TCP socket"
		sleep 0.005
	done
	kill -KILL "$criu"
	wait "$criu" || true
	run ctl check --tree "$SERVER"
	assert_success # a warning
	assert_line --regexp "^warn +tcp-repair-left +1 TCP socket of the tree is in repair mode \(pid $SERVER fd [0-9]+\): every recv\(\) on it fails with EPERM\$"
	# (the lock of that criu is in this shared namespace: not the tree's alone)
	nft list tables | awk '/CRIU-/ {print $3}' | xargs -r -n1 nft delete table inet
}

@test "--no-auto-flags: CRIU's own refusal of the TCP connection is explained" {
	start_tcp_pair
	run ctl dump --tree "$SERVER" --name tcpno --no-auto-flags
	assert_failure 1
	assert_output --partial "--tcp-established was not given"
	assert_output --partial "Connected TCP socket, consider using --tcp-established option."
	alive "$SERVER"
}

@test "the iptables network lock where the guest has no iptables: tcp-lock-failed, nftables proposed" {
	# The guest has iptables (for the fault matrix): hidden from criu's PATH
	# here, as in a guest without it (/usr/sbin holds iptables-restore).
	local path=/src/build:/usr/local/bin:/usr/bin
	PATH=$path command -v iptables-restore >/dev/null && fail "iptables-restore is still on $path"
	start_tcp_pair
	run env PATH=$path criuctl --store "$STORE" --criu /usr/sbin/criu dump --tree "$SERVER" \
		--name ipt --network-lock iptables
	assert_failure 1
	assert_output --partial "Iptables configuration failed"
	run jq -r '.verdict.id, (.verdict.remedy | test("nftables")), .criu_argv[]' \
		"$STORE"/failed/ipt.*/report.json
	assert_line --index 0 tcp-lock-failed
	assert_line --index 1 true
	assert_line --network-lock=iptables
	# the tree and its connection were resumed
	alive "$SERVER"
	run ss -tnH state established "( sport = :$TPORT )"
	assert_output --partial 127.0.0.1:$TPORT
	run ls "$STORE/checkpoints"
	assert_output ""
}

# A job of a shell: a session leader (started by criuctl run) forks it and
# the job calls only setpgid, then runs a counter.  The job's pid in $JOB,
# its counter in $W/counter.
start_shell_job() {
	# The job itself forks nothing: a task that forks all the time (a shell
	# loop running sleep) races criu's seizing of the tree.
	cat >"$W/job.py" <<PY
import time
n = 0
while True:
    n += 1
    with open('$W/counter', 'a') as f: f.write('%d\\n' % n)
    time.sleep(0.05)
PY
	start python3 -c "import os, time
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.execvp('python3', ['python3', '$W/job.py'])
try:
    os.setpgid(pid, pid) # as a shell does; EACCES once the child ran exec
except PermissionError:
    pass
open('$W/job.tmp', 'w').write('%d' % pid)
os.rename('$W/job.tmp', '$W/job')
os.wait()"
	wait_for 10 test -s "$W/job"
	JOB=$(<"$W/job")
	PIDS+=("$JOB")
	wait_for 10 test -s "$W/counter"
}

@test "a shell's job: auto flags add --shell-job; without them CRIU's refusal is shell-job-needed" {
	start_shell_job
	run ctl dump --tree "$JOB" --name jobno --no-auto-flags
	assert_failure 1
	assert_output --partial "is not a session leader. Consider using --shell-job option"
	run jq -r .verdict.id "$STORE"/failed/jobno.*/report.json
	assert_output shell-job-needed
	alive "$JOB"

	run ctl dump --tree "$JOB" --name job
	assert_success
	assert_output --partial "preflight: added --shell-job"
	run jq -r '.options.shell_job, (.auto_flags | index("shell_job") != null)' \
		"$STORE/checkpoints/job/manifest.json"
	assert_output $'true\ntrue'
	wait_for 10 dead "$JOB"
	at_dump=$(last_line "$W/counter")
	# Restored as a shell job: into criuctl's own session, and it counts on.
	run ctl restore job
	assert_success
	JOB=${lines[-1]}
	PIDS+=("$JOB")
	wait_for 10 count_ge "$W/counter" $((at_dump + 3))
}

@test "auto flags: a file lock gets --file-locks; without them CRIU's refusal is explained" {
	start python3 -c "import fcntl, time
f = open('$W/locked', 'w'); fcntl.flock(f, fcntl.LOCK_EX)
while True: time.sleep(0.05)"
	PID=$REPLY
	wait_for 10 grep -q " $PID " /proc/locks
	run ctl dump --tree "$PID" --name lockno --no-auto-flags --leave-running
	assert_failure 1
	run jq -r .verdict.id "$STORE"/failed/lockno.*/report.json
	assert_output file-locks-needed
	run ctl dump --tree "$PID" --name lock --leave-running
	assert_success
	assert_output --partial "preflight: added --file-locks"
}

@test "auto flags: a unix socket with its peer outside the tree gets --ext-unix-sk" {
	start python3 -c "import socket, os, time
s = socket.socket(socket.AF_UNIX); s.bind('$W/sock'); s.listen(1)
c, _ = s.accept()
while True: time.sleep(0.05)"
	wait_for 10 test -S "$W/sock"
	start python3 -c "import socket, time
c = socket.socket(socket.AF_UNIX); c.connect('$W/sock')
while True: time.sleep(0.05)"
	CLIENT=$REPLY
	wait_for 10 bash -c "ss -xpH state connected | grep -q 'pid=$CLIENT,'"
	run ctl dump --tree "$CLIENT" --name unixno --no-auto-flags --leave-running
	assert_failure 1
	run jq -r .verdict.id "$STORE"/failed/unixno.*/report.json
	assert_output ext-unix-sk-needed
	run ctl check --tree "$CLIENT"
	assert_output --regexp "warn +ext-unix-sk +1 unix socket connected to a peer outside the tree"
}

@test "a task traced by strace: the preflight names the tracer; forced, CRIU's refusal is explained" {
	start sleep 1000
	PID=$REPLY
	strace -p "$PID" -o /dev/null </dev/null >/dev/null 2>&1 &
	wait_for 10 traced "$PID"
	run ctl check --tree "$PID"
	assert_failure 3
	assert_output --regexp "fail +task-traced +task $PID \\(sleep\\) is traced by pid [0-9]+"
	run ctl dump --tree "$PID" --name traced --force
	assert_failure 1
	assert_output --partial "already traced"
}

@test "criu run under a tracer (strace -f around criuctl): ptrace-not-permitted, the tree untouched" {
	start_counter_simple
	# Without criu's kernel-feature cache (in the sandbox's own /run), as on
	# a guest's first dump: criu probes ptrace then.
	rm -f /run/criu.kdat
	run strace -f -o /dev/null criuctl --store "$STORE" dump --tree "$PID" --name undertrace
	assert_failure 1
	assert_output --partial "ptrace(PTRACE_TRACEME): Operation not permitted"
	run jq -r .verdict.id "$STORE"/failed/undertrace.*/report.json
	assert_output ptrace-not-permitted
	alive "$PID"
	state_is_not "$PID" T
	# The doctor says why beforehand.
	run --separate-stderr strace -f -o /dev/null criuctl --json check
	assert_equal "$(finding criuctl-traced)" warn
}

@test "criu under a tracer, with criu's kernel-feature cache: no ptrace probe, so the dump works" {
	start_counter_simple
	# A dump outside the tracer writes /run/criu.kdat; with it criu skips
	# the probe that PTRACE_TRACEME fails in, and only seizes the tree,
	# which the tracer does not hold (measured with criu 4.2.1).
	run ctl dump --leave-running --tree "$PID" --name cache
	assert_success
	assert_file_exists /run/criu.kdat
	run strace -f -o /dev/null criuctl --store "$STORE" dump --tree "$PID" --name traced-cached
	assert_success
	assert_dir_exists "$STORE/checkpoints/traced-cached"
	run ctl restore traced-cached
	assert_success
	alive "$PID"
	state_is_not "$PID" T
}

@test "a task of another user without CAP_SYS_RESOURCE: rlimit-not-permitted" {
	start setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1000
	PID=$REPLY
	run ctl dump --tree "$PID" --name other
	assert_failure 1
	assert_output --partial "resource limits of a task running as another user"
	assert_output --partial "Can't get rlimit 0: Operation not permitted"
}

@test "a store too small for the tree is refused before anything is frozen" {
	mkdir -p "$W/small"
	mount -t tmpfs -o size=1m tmpfs "$W/small"
	start python3 -c "import time
blob = bytearray(b'x' * (16 << 20))
while True: time.sleep(0.05)"
	PID=$REPLY
	wait_for 10 rss_at_least "$PID" $((16 << 10))
	run criuctl --store "$W/small/store" dump --tree "$PID" --name big
	assert_failure 5
	assert_output --partial "does not fit the store's free space"
	run ls "$W/small/store/checkpoints" "$W/small/store/tmp"
	refute_output --partial big

	# Forced, criu fills the store: its own error is explained, the
	# partial images are gone, the tree runs on.
	run criuctl --store "$W/small/store" dump --tree "$PID" --name big --force
	assert_failure 1
	assert_output --partial "No space left on device"
	run jq -r .verdict.id "$W"/small/store/failed/big.*/report.json
	assert_output no-space
	run find "$W/small/store/checkpoints" "$W/small/store/tmp" -mindepth 1
	assert_output ""
	run find "$W/small/store/failed" -name '*.img'
	assert_output ""
	alive "$PID"
}

@test "explain classifies a log written by raw criu, from a file and from stdin" {
	start_no_setsid sleep 1000
	PID=$REPLY
	mkdir -p "$W/raw"
	run criu dump -t "$PID" -D "$W/raw" -o dump.log -v4
	assert_failure
	run criuctl explain "$W/raw/dump.log"
	assert_failure 1
	assert_output --partial "session leader is outside its pid namespace"
	run --separate-stderr criuctl --json explain - <"$W/raw/dump.log"
	assert_failure 1
	run jq -r '.verdict.id, .succeeded' <<<"$output"
	assert_output $'session-leader-outside-pidns\nfalse'
}

@test "--pre-dump on a kernel without dirty-memory tracking is refused before anything is frozen" {
	start_counter_simple
	run ctl dump --tree "$PID" --name pre --pre-dump 2
	assert_failure 3
	assert_output --partial "needs dirty-memory tracking"
	run ls "$STORE/failed" "$STORE/checkpoints"
	refute_output --partial pre
	alive "$PID"
	# The real criu shows why: its own pre-dump aborts (explained by explain).
	mkdir -p "$W/raw"
	run criu pre-dump -t "$PID" -D "$W/raw" -o pre.log -v4
	assert_failure
	run criuctl explain "$W/raw/pre.log"
	assert_failure 1
	assert_output --partial "no dirty-memory tracking"
}
