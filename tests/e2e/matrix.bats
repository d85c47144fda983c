#!/usr/bin/env bats
# End-to-end, the fault matrix (issue 10): whatever fails around a real
# criu in the guest, the workload keeps running and the store tells the
# truth.  For each fault: (a) the tree is alive and still working, (b)
# nothing partial is listed and tmp/ is empty after the next start, (c) the
# exit status and the verdict id say what happened, (d) no criu, no lock
# rule and no TCP socket in repair mode is left.  criuctl itself being
# interrupted is faults.bats; criu stopped (SIGSTOP) and stalls are
# watchdog.bats.  tests/README.md has the whole matrix as a table.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() {
	[[ -n ${CTL2:-} ]] && kill -KILL "$CTL2" 2>/dev/null
	criu_teardown
	umount "$W/mnt" 2>/dev/null || true
	nft list tables 2>/dev/null | awk '/CRIU-/ {print $3}' | xargs -r -n1 nft delete table inet
	iptables -F INPUT 2>/dev/null || true
	iptables -F OUTPUT 2>/dev/null || true
}

# criuctl with criu's fault injection CRIU_FAULT=$1 (criuctl passes it
# through [criu] env), then the rest of the arguments.
ctl_fault() {
	local f=$1
	shift
	printf '[criu]\nenv = CRIU_FAULT=%s\n' "$f" >"$W/fault.conf"
	criuctl -c "$W/fault.conf" --store "$STORE" "$@"
}

# The verdict id of the failed attempt NAME.* (its report.json).
verdict_of() { jq -r .verdict.id "$STORE"/failed/"$1".*/report.json; }

# The log of the criu run in progress ($1: dump or restore) contains $2.
attempt_log_has() { grep -qE -- "$2" "$STORE"/tmp/*/"$1".log 2>/dev/null; }

# SIGKILL the criu ACTION (dump, restore) once its log matches REGEX.
kill_criu_at() {
	local action=$1 regex=$2 pid
	wait_for 60 attempt_log_has "$action" "$regex" ||
		fail "criu $action never logged '$regex': $(cat "$W/out")"
	pid=$(pgrep -o -f "^/usr/sbin/criu $action") || fail "no criu $action to kill"
	kill -KILL "$pid"
}

# A TCP echo server of $1 MiB (the tree, $SERVER) and a client outside
# the tree counting its round trips in $W/count ($CLIENT).
start_tcp_pair() {
	start_echo_server "$TPORT" "$1"
	start_echo_client "$TPORT" "$W/count"
}

# A checkpoint NAME of a counter of $2 MiB whose tree has ended.
dumped_counter() {
	start_counter "$2"
	run ctl dump --tree "$PID" --name "$1"
	assert_success
	wait_for 10 dead "$PID"
}

# The checkpoint NAME of a counter restores, and the counter goes on
# where it stopped.
restores_and_counts() {
	local at
	at=$(last_line "$W/count")
	run --separate-stderr ctl restore "$1"
	assert_success
	PID=${lines[-1]}
	PIDS+=("$PID")
	wait_for 20 count_ge "$W/count" $((at + 3))
	assert_consecutive "$W/count"
}

# ---- 1. criu killed or failing by itself ----

@test "criu's memory dump fails (CRIU_FAULT=3): exit 1, criu-failed with criu's fault line; the tree works, nothing kept" {
	start_counter 16
	run ctl_fault 3 dump --tree "$PID" --name f3
	assert_failure 1
	assert_output --partial "fault: Dump VMA pages failure!"
	assert_equal "$(verdict_of f3)" criu-failed
	tree_works "$PID"
	assert_consecutive "$W/count"
	store_clean f3
}

@test "criu's parasite cannot connect (CRIU_FAULT=5): exit 1, criu-failed naming the transport socket; the tree works" {
	start_counter 16
	run ctl_fault 5 dump --tree "$PID" --name f5
	assert_failure 1
	assert_output --partial "Unable to connect a transport socket"
	assert_equal "$(verdict_of f5)" criu-failed
	tree_works "$PID"
	assert_consecutive "$W/count"
	store_clean f5
}

@test "criu aborts after a failed dump of a TCP server into a full store (CRIU_FAULT=136): no-space, the connection goes on, no lock" {
	mkdir -p "$W/mnt"
	mount -t tmpfs -o size=2m tmpfs "$W/mnt"
	STORE=$W/mnt/store
	start_tcp_pair 16
	# --force: the preflight would refuse a tree that does not fit.
	run ctl_fault 136 dump --tree "$SERVER" --name f136 --force
	assert_failure 1
	# criu aborted (SIGABRT, FI_DUMP_CRASH) after it failed and cleaned up;
	# the cause, not the abort, is the verdict when criu's "No space left"
	# line reached its log before the abort, which it does not always do
	# (tests/README.md, Limits): then the verdict is the abort, criu-crashed.
	run jq -r '.verdict.id, .criu_end.term_signal' "$STORE"/failed/f136.*/report.json
	assert_output --regexp $'^(no-space|criu-crashed)\n6$'
	tree_works "$SERVER"
	store_clean f136
	run find "$STORE" -name '*.img'
	assert_output ""
}

@test "criu killed with SIGKILL while seizing, dumping memory, writing images: criu-killed or committed, never lost" {
	local point name i=0
	for point in 'Seized task' 'Dumping pages' 'Dumping core \(pid:'; do
		name=k$i
		i=$((i + 1))
		: >"$W/count"
		start_counter 256
		ctl_bg dump --tree "$PID" --name "$name"
		kill_criu_at dump "$point"
		ctl_bg_wait
		if ((STATUS == 0)); then
			# criu was past its point of no return: the checkpoint is whole.
			store_clean "$name" yes
			wait_for 10 dead "$PID"
			restores_and_counts "$name"
		else
			((STATUS == 1)) || fail "$point: exit $STATUS: $(cat "$W/out")"
			run jq -r '.verdict.id, .criu_end.term_signal' "$STORE"/failed/"$name".*/report.json
			assert_output $'criu-killed\n9'
			tree_works "$PID"
			assert_consecutive "$W/count"
			store_clean "$name"
		fi
		kill -KILL "$PID"
		wait_for 10 dead "$PID"
	done
}

@test "criu killed with SIGKILL mid-restore: criu-killed, the half-restored task is ended, the checkpoint restores" {
	dumped_counter kr 256
	ctl_bg restore kr
	kill_criu_at restore "Forking task with $PID pid"
	ctl_bg_wait
	assert_equal "$STATUS" 1
	run cat "$W/out"
	assert_output --regexp "criu left 1 half-restored task \(pid $PID [a-z0-9]+\): killed it"
	run jq -r '.verdict.id, (.tidy.killed | length)' "$STORE"/failed/kr.restore.*/report.json
	assert_output $'criu-killed\n1'
	wait_for 20 dead "$PID" || fail "the half-restored pid $PID runs on"
	wait_for 20 criu_gone
	store_clean kr yes
	restores_and_counts kr
	tree_works "$PID"
}

# ---- 2. The store ----

@test "a read-only store: exit 5 naming it, criu never runs, nothing frozen" {
	mkdir -p "$W/mnt"
	mount -t tmpfs tmpfs "$W/mnt"
	STORE=$W/mnt/store
	run ctl recover
	assert_success
	mount -o remount,ro "$W/mnt"
	start_counter 16
	run ctl dump --tree "$PID" --name ro
	assert_failure 5
	assert_output --partial "criuctl: cannot create lock file $STORE/locks/ro: Read-only file system"
	refute_output --partial "dumping tree"
	tree_works "$PID"
	assert_consecutive "$W/count"
	run find "$STORE" -mindepth 2
	assert_output ""
}

@test "a store on another filesystem than /tmp: dump and restore work, nothing left in tmp/" {
	mkdir -p "$W/mnt"
	mount -t tmpfs tmpfs "$W/mnt"
	STORE=$W/mnt/store
	[[ $(stat -c %d "$W/mnt") != $(stat -c %d /tmp) ]] || fail "not another filesystem"
	dumped_counter other 16
	store_clean other yes
	restores_and_counts other
	tree_works "$PID"
}

@test "images removed or truncated before a restore: refused by the seal; with --no-verify criu fails or stalls within its deadline, nothing half-restored, the checkpoint still listed" {
	dumped_counter dmg 16
	local pages
	pages=$(ls -S "$STORE"/checkpoints/dmg/images/pages-*.img | head -n 1)
	cp "$pages" "$W/pages.img"
	truncate -s 4096 "$pages"
	run ctl restore dmg
	assert_failure 5
	assert_output --partial "checkpoint 'dmg' is damaged: images/$(basename "$pages") is 4096 bytes"
	# criu's restorer retries the cut pages for ever, logging each try
	# (tests/README.md, Limits): the deadline ends it.
	run ctl restore dmg --no-verify --timeout 5
	assert_failure 4
	assert_output --regexp "criu left 1 half-restored task \(pid $PID [a-z0-9]+\): killed it"
	wait_for 20 dead "$PID"
	wait_for 20 criu_gone
	store_clean dmg yes

	mv "$STORE/checkpoints/dmg/images" "$W/images"
	run ctl restore dmg
	assert_failure 5
	assert_output --partial "checkpoint 'dmg' is damaged"
	run ctl restore dmg --no-verify
	assert_failure 1
	assert_output --partial "Couldn't open image dir"
	# The newest failed restore (entries sort by their UTC stamp).
	local newest
	newest=$(printf '%s\n' "$STORE"/failed/dmg.restore.* | sort | tail -n 1)
	assert_equal "$(jq -r .verdict.id "$newest/report.json")" criu-failed
	store_clean dmg yes

	# Put back whole, it restores.
	mv "$W/images" "$STORE/checkpoints/dmg/images"
	cp "$W/pages.img" "$pages"
	run ctl verify dmg
	assert_success
	restores_and_counts dmg
}

# ---- 3. A pid in use ----

@test "restore while the original still runs: refused naming the pid and its holder; forced, criu's pid-in-use names them too" {
	start_counter 16
	run ctl dump --tree "$PID" --name busy --leave-running
	assert_success
	run ctl restore busy
	assert_failure 3
	assert_output --partial "pid $PID, which checkpoint 'busy' needs, is held by 'python3'"
	run --separate-stderr ctl --json restore busy --force
	assert_failure 1
	run jq -r '.error.code, .verdict.title' <<<"$output"
	assert_line --index 0 pid-in-use
	assert_line --index 1 --regexp "^Pid $PID, which the checkpoint needs, is already in use. It is held by 'python3' \(python3 -c .*, state [SR]\), child of pid [0-9]+\.\$"
	run criuctl explain "$(echo "$STORE"/failed/busy.restore.*/restore.log)"
	assert_failure 1
	assert_output --partial "Pid $PID, which the checkpoint needs, is already in use."
	tree_works "$PID"
	assert_consecutive "$W/count"
	store_clean busy yes
}

# ---- 4. Two criuctl at once ----

@test "two dumps of one tree under the same name at once: one commits, the other loses with name-busy or name-exists" {
	start_counter 256
	criuctl --store "$STORE" --json dump --tree "$PID" --name same --leave-running >"$W/out1" 2>/dev/null &
	CTL=$!
	criuctl --store "$STORE" --json dump --tree "$PID" --name same --leave-running >"$W/out2" 2>/dev/null &
	CTL2=$!
	local s1=0 s2=0
	wait "$CTL" || s1=$?
	wait "$CTL2" || s2=$?
	CTL= CTL2=
	run echo "$((s1 < s2 ? s1 : s2)) $((s1 < s2 ? s2 : s1))"
	assert_output "0 5"
	run jq -r 'select(.ok == false) | .error.code' "$W/out1" "$W/out2"
	assert_output --regexp '^name-(busy|exists)$'
	tree_works "$PID"
	assert_consecutive "$W/count"
	store_clean same yes
	run ctl verify same
	assert_success
}

@test "two dumps of one tree under two names at once: the second is refused (traced by the first criu), the first commits, the tree lives" {
	start_counter 512
	ctl_bg dump --tree "$PID" --name first --leave-running
	wait_for 60 attempt_log_has dump 'Seized task'
	# The first criu held where it has the tree (a slow disk would do the
	# same), so that the two surely overlap.
	kill -STOP "$(pgrep -o -f '^/usr/sbin/criu dump')"
	run ctl dump --tree "$PID" --name second --leave-running
	kill -CONT "$(pgrep -o -f '^/usr/sbin/criu dump')"
	ctl_bg_wait
	assert_equal "$STATUS" 0
	# Refused before anything is frozen: the preflight sees criu's ptrace.
	assert_failure 3
	assert_output --regexp "dump refused: task $PID \(python3\) is traced by pid [0-9]+"
	tree_works "$PID"
	assert_consecutive "$W/count"
	store_clean first yes
	store_clean second
}

# ---- 5. The tree changes during the dump ----

# dump_moving NAME: dump the tree $PID (which changes as it runs) and
# check the outcome: committed and restorable, or a verdict and the tree
# alive.  Never a lost workload, never a checkpoint that does not restore.
dump_moving() {
	run ctl dump --tree "$PID" --name "$1"
	if ((status == 0)); then
		wait_for 10 dead "$PID"
		store_clean "$1" yes
		restores_and_counts "$1"
	else
		assert_failure 1
		[[ $(verdict_of "$1") != criu-failed ]] || fail "no verdict says what happened: $output"
		tree_works "$PID"
		store_clean "$1"
	fi
}

@test "children fork and exit while the tree is dumped: committed and restores, or a verdict and the tree lives" {
	start python3 -c "import os, time
n = 0
while True:
    n += 1
    with open('$W/count', 'a') as f: f.write('%d\n' % n)
    for _ in range(5):
        if os.fork() == 0: os._exit(0)
    while True:
        try: os.waitpid(-1, os.WNOHANG)[0] or time.sleep(0.01)
        except ChildProcessError: break
    time.sleep(0.02)"
	PID=$REPLY
	wait_for 20 count_ge "$W/count" 3
	dump_moving forks
}

@test "threads come and go while the tree is dumped: committed and restores, or a verdict and the tree lives" {
	start python3 -c "import threading, time
n = 0
while True:
    n += 1
    with open('$W/count', 'a') as f: f.write('%d\n' % n)
    ts = [threading.Thread(target=time.sleep, args=(0.01,)) for _ in range(5)]
    for t in ts: t.start()
    for t in ts: t.join()
    time.sleep(0.02)"
	PID=$REPLY
	wait_for 20 count_ge "$W/count" 3
	dump_moving threads
}

@test "the root exits as the dump starts: committed whole, or a verdict; nothing partial" {
	start python3 -c "import os, time
n = 0
while not os.path.exists('$W/go'):
    n += 1
    with open('$W/count', 'a') as f: f.write('%d\n' % n)
    time.sleep(0.001)"
	PID=$REPLY
	wait_for 20 count_ge "$W/count" 3
	ctl_bg dump --tree "$PID" --name gone
	# criuctl says "dumping tree" as it starts criu (or has already ended).
	wait_for 60 bash -c "grep -q 'dumping tree' '$W/out' || ! kill -0 $CTL"
	touch "$W/go"
	ctl_bg_wait
	wait_for 10 dead "$PID"
	wait_for 20 criu_gone
	no_lock_left
	if ((STATUS == 0)); then
		store_clean gone yes
		run ctl verify gone
		assert_success
	else
		# Gone before criuctl looked (exit 2), or before criu seized it.
		[[ $STATUS == 1 || $STATUS == 2 ]] || fail "exit $STATUS: $(cat "$W/out")"
		((STATUS == 2)) || assert_equal "$(verdict_of gone)" task-exited
		store_clean gone
	fi
}

# ---- 6. The iptables network lock ----

@test "--network-lock iptables is real here: a TCP server dumps and restores, no rule left" {
	start_tcp_pair 16
	run ctl dump --tree "$SERVER" --name ipt --network-lock iptables
	assert_success
	# criu keeps its lock rules until the restore: the client waits.
	run iptables-save
	assert_output --partial 0xc114
	wait_for 10 dead "$SERVER"
	run ctl restore ipt
	assert_success
	tree_works "$CLIENT"
}

# A TCP echo server of 64 MiB that rides out EPERM from its socket (criu
# killed from outside lets the tree run before criuctl can take the socket
# out of repair mode: tests/README.md, Limits), with the client of
# start_tcp_pair.
start_tolerant_pair() {
	start python3 -c "import errno, socket, time
blob = bytearray(b'x' * (64 << 20))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $TPORT)); s.listen(1)
c, _ = s.accept()
while True:
    try:
        d = c.recv(4096)
        if not d: break
        c.sendall(d)
    except OSError as e:
        if e.errno != errno.EPERM: raise
        time.sleep(0.01)"
	SERVER=$REPLY
	wait_for 20 listening "$TPORT"
	start_echo_client "$TPORT" "$W/count"
}

@test "--network-lock iptables, criu killed (CRIU_FAULT=1, then SIGKILL once the connection is locked): criuctl deletes criu's rules, the connection goes on" {
	start_tolerant_pair
	# Killed in its parasite, before it locks anything: nothing to delete.
	run ctl_fault 1 dump --tree "$SERVER" --name ipt1 --network-lock iptables
	assert_failure 1
	assert_equal "$(verdict_of ipt1)" criu-killed
	tree_works "$SERVER"
	store_clean ipt1
	# Killed with the connection locked by its two rules.
	ctl_bg dump --tree "$SERVER" --name ipt2 --network-lock iptables
	kill_criu_at dump 'Locked .* connection'
	ctl_bg_wait
	assert_equal "$STATUS" 1
	run cat "$W/out"
	assert_output --regexp "criu left its network lock \(iptables rule INPUT 127.0.0.1:[0-9]+ -> 127.0.0.1:$TPORT\): removed it"
	run jq -r '.verdict.id, ([.tidy.unlocked[] | select(startswith("iptables rule"))] | length >= 1)' \
		"$STORE"/failed/ipt2.*/report.json
	assert_output $'criu-killed\ntrue'
	tree_works "$SERVER"
	store_clean ipt2
}

@test "a restore of a TCP server killed mid-way: the checkpoint keeps its network lock, the next restore takes the connection on" {
	start_tcp_pair 64
	run ctl dump --tree "$SERVER" --name tr
	assert_success
	wait_for 10 dead "$SERVER"
	# criu keeps its lock for the checkpoint: the client waits.
	run nft list tables
	assert_output --partial CRIU
	ctl_bg restore tr
	kill_criu_at restore "Forking task with $SERVER pid"
	ctl_bg_wait
	assert_equal "$STATUS" 1
	assert_equal "$(jq -r .verdict.id "$STORE"/failed/tr.restore.*/report.json)" criu-killed
	wait_for 20 dead "$SERVER" || fail "the half-restored server runs on"
	wait_for 20 criu_gone
	store_clean tr yes
	# Still the checkpoint's lock, until a restore succeeds.
	run nft list tables
	assert_output --partial CRIU
	run ctl restore tr
	assert_success
	tree_works "$SERVER"
}
