#!/usr/bin/env bats
# criuctl check on the host: the environment with the host's real criu
# 3.17.1 (too old for this kernel: a real "criu too old" case, installed on
# purpose by tools/install-deps), the selftest with it, kernel configs
# (this machine's own, the guest fragment, a broken fragment), and target
# trees in real states (own session, a shell's job, a file lock, traced).

# shellcheck disable=SC2153,SC2154 # $stderr, $WPID: set by bats and the helpers
load helpers

HOST_CRIU=/usr/sbin/criu
FRAGMENT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/guest-image/kernel/criu.conf

setup() {
	common_setup
	[[ -x $HOST_CRIU ]] || fail "$HOST_CRIU is missing: run tools/install-deps"
}

# criuctl with the host's real criu.
host() {
	timeout -k 5 120 "$CRIUCTL" --store "$STORE" --criu "$HOST_CRIU" "$@"
}

# criuctl with a criu whose `criu check` passes (4.2.1, "Looks good."), so
# that in the kernel config tests the config alone decides the exit code.
good() {
	local stub=$BATS_TEST_TMPDIR/criu-looks-good
	if [[ ! -x $stub ]]; then
		cat >"$stub" <<-'EOF'
			#!/bin/sh
			case $1 in
			--version) echo "Version: 4.2.1" ;;
			check) echo "Looks good." ;;
			*) exit 1 ;;
			esac
		EOF
		chmod +x "$stub"
	fi
	timeout -k 5 60 "$CRIUCTL" --store "$STORE" --criu "$stub" "$@"
}

# The level of finding ID in $output (JSON); "" when absent.
level_of() {
	jq -r --arg id "$1" '[.findings[] | select(.id == $id) | .level] | join(" ")' <<<"$output"
}

# Field F of finding ID in $output (JSON).
field_of() {
	jq -r --arg id "$1" --arg f "$2" '.findings[] | select(.id == $id) | .[$f]' <<<"$output"
}

# The ids of the findings at level L whose id starts with P.
ids_at() {
	jq -r --arg l "$1" --arg p "${2:-}" \
		'[.findings[] | select(.level == $l and (.id | startswith($p))) | .id] | join(" ")' \
		<<<"$output"
}

# A kernel config: this machine's own (/proc/config.gz, decompressed).
machine_config() {
	[[ -r /proc/config.gz ]] ||
		fail "/proc/config.gz is missing: this machine's kernel must have CONFIG_IKCONFIG_PROC"
	zcat /proc/config.gz >"$BATS_TEST_TMPDIR/machine.config"
	[[ -s $BATS_TEST_TMPDIR/machine.config ]] || fail "empty /proc/config.gz"
	echo "$BATS_TEST_TMPDIR/machine.config"
}

# Start CMD in the background in the test's own session (no setsid), fds
# above 2 closed, stdio on /dev/null; its pid in $NPID once it has exec'd.
start_in_session() {
	local comm=${1##*/} deadline=$((SECONDS + 5))
	(
		close_fds
		exec "$@"
	) </dev/null >/dev/null 2>&1 &
	NPID=$!
	disown "$NPID" # teardown kills it: no "Killed" notice from bash
	track "$NPID"
	until [[ $(cat "/proc/$NPID/comm" 2>/dev/null) == "${comm:0:15}" ]]; do
		((SECONDS < deadline)) || fail "$* did not start"
		sleep 0.02
	done
}

# Start CMD as a job of a session led by another process of this pid
# namespace (a shell started with setsid), whatever session the test itself
# runs in: under CI that session's leader may be outside the namespace.
# CMD's pid in $NPID, the leader's in $LPID.
start_job_of_leader() {
	local comm=${1##*/} deadline=$((SECONDS + 5)) pidfile=$BATS_TEST_TMPDIR/job.pid
	(
		close_fds
		exec setsid sh -c '"$@" & echo $! >"$0.tmp" && mv "$0.tmp" "$0"; wait' \
			"$pidfile" "$@"
	) </dev/null >/dev/null 2>&1 &
	disown $!
	until [[ -s $pidfile ]]; do
		((SECONDS < deadline)) || fail "$* did not start"
		sleep 0.02
	done
	NPID=$(<"$pidfile")
	track "$NPID"
	until [[ $(cat "/proc/$NPID/comm" 2>/dev/null) == "${comm:0:15}" ]]; do
		((SECONDS < deadline)) || fail "$* did not start"
		sleep 0.02
	done
	LPID=$(proc_field "$NPID" 4)
	track "$LPID"
}

# Wait (bounded) until pid $1 is traced.
wait_traced() {
	local deadline=$((SECONDS + 10))
	until [[ $(awk '/^TracerPid:/ {print $2}' "/proc/$1/status" 2>/dev/null) =~ ^[1-9] ]]; do
		((SECONDS < deadline)) || fail "pid $1 is not traced after 10 s"
		sleep 0.05
	done
}

# Wait (bounded) until pid $1 holds a lock in /proc/locks.
wait_locked() {
	local deadline=$((SECONDS + 10))
	until awk -v p="$1" '$5 == p {f = 1} END {exit !f}' /proc/locks; do
		((SECONDS < deadline)) || fail "pid $1 holds no lock after 10 s"
		sleep 0.05
	done
}

# ---- the environment, with the host's criu ----

@test "host criu 3.17.1 on this kernel: exit 3, criu-too-old-for-kernel, criu check quoted" {
	local kernel
	kernel=$(uname -r)
	[[ $("$HOST_CRIU" --version) == *"Version: 3.17"* ]] || fail "$HOST_CRIU is not criu 3.17"
	run -3 --separate-stderr host check
	assert_line --regexp "^ok +criu +criu 3\.17\.1 at $HOST_CRIU\$"
	assert_line --regexp "^fail +criu-too-old-for-kernel +criu 3\.17\.1 is too old for kernel $kernel"
	assert_line --regexp '^fail +criu-check +criu check failed \(exit 1\): .*vdso: Unexpected rt vDSO area bounds$'
	assert_line --regexp '^ +remedy: Install criu 4\.2 or newer'
	assert_line --regexp '^ok +privileges '
	assert_line --regexp "^ok +store +store $STORE is made by the first dump: $BATS_TEST_TMPDIR is writable, "
	# the kernel config comes from /proc/config.gz
	assert_line --regexp '^(ok|warn) +kernel-config +/proc/config\.gz: 0 required options missing'
	[[ $stderr == "criuctl: check found a problem: criu 3.17.1 is too old for kernel"* ]] ||
		fail "$stderr"
}

@test "host criu, --json: one document, findings with id/level/message, error = first fail" {
	run -3 --separate-stderr host --json check
	assert_equal "$stderr" ""
	assert_one_json
	assert_equal "$(json_get .ok)" false
	assert_equal "$(json_get .exit_code)" 3
	assert_equal "$(json_get .command)" check
	# every finding: a lowercase-dash (kconfig-OPTION) id, a level, a message
	run -0 jq -r '.findings[] | select((.id | test("^[a-z][a-z0-9-]*(-[A-Z0-9_]+)?$") | not)
		or (.level | IN("ok", "warn", "fail") | not) or (.message | length) == 0) | .id' \
		<<<"$output"
	assert_output ""
	run -3 --separate-stderr host --json check
	(($(json_get '.findings | length') > 10)) || fail "$output"
	assert_equal "$(json_get .error.code)" \
		"$(json_get '[.findings[] | select(.level == "fail")][0].id')"
	assert_equal "$(json_get .error.code)" criu-too-old-for-kernel
	assert_equal "$(level_of criu-too-old-for-kernel)" fail
	assert_equal "$(level_of criu-check)" fail
	[[ $(field_of criu-check message) == *"vdso: Unexpected rt vDSO area bounds"* ]] ||
		fail "$(field_of criu-check message)"
	[[ -n $(field_of criu-check remedy) && $(field_of criu-check remedy) != null ]] ||
		fail "criu-check has no remedy"
	# every non-ok finding has a remedy
	run -0 jq -r '.findings[] | select(.level != "ok" and (.remedy // "") == "") | .id' \
		<<<"$output"
	assert_output ""
}

@test "check --selftest with the host criu: exit 3, every canary fails as too old" {
	local -a before after
	shopt -s nullglob
	before=(/tmp/criuctl-selftest.*)
	run -3 --separate-stderr host --json check --selftest
	assert_one_json
	assert_equal "$(json_get .exit_code)" 3
	assert_equal "$(json_get .error.code)" selftest-pipe
	assert_equal "$(jq -r '[.findings[].id] | join(" ")' <<<"$output")" \
		"selftest-pipe selftest-unix selftest-tcp selftest-lock selftest-lazy"
	local k
	for k in pipe unix tcp lock lazy; do
		assert_equal "$(level_of "selftest-$k")" fail
		[[ $(field_of "selftest-$k" message) == *"too old"* ]] ||
			fail "selftest-$k: $(field_of "selftest-$k" message)"
		[[ $(field_of "selftest-$k" remedy) == *"criu 4.2"* ]] ||
			fail "selftest-$k remedy: $(field_of "selftest-$k" remedy)"
	done
	# nothing left behind: no temporary store, no canary process
	after=(/tmp/criuctl-selftest.*)
	shopt -u nullglob
	assert_equal "${after[*]}" "${before[*]}"
	local pid deadline=$((SECONDS + 5))
	for pid in $(pgrep -f -- '__canary .*/tmp/criuctl-selftest\.'); do
		while [[ -e /proc/$pid && ! -d $(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			sed -n 4p | xargs -r dirname) ]]; do
			((SECONDS < deadline)) || fail "canary $pid left behind"
			sleep 0.05
		done
	done
	# human: one fail line per canary
	run -3 --separate-stderr host check --selftest
	assert_line --regexp '^fail +selftest-pipe +a pipe between two processes: .*too old'
	assert_line --regexp '^fail +selftest-unix '
	assert_line --regexp '^fail +selftest-tcp '
	assert_line --regexp '^fail +selftest-lock '
	assert_line --regexp '^fail +selftest-lazy +post-copy restore '
}

@test "--criu /nonexistent: criu-missing fail, exit 3" {
	run -3 --separate-stderr criuctl --criu /nonexistent check
	assert_line --regexp '^fail +criu-missing +.*/nonexistent'
	run -3 --separate-stderr criuctl --criu /nonexistent --json check
	assert_json_error 3 criu-missing
	assert_equal "$(level_of criu-missing)" fail
	[[ $(field_of criu-missing message) == *"/nonexistent"* ]] || fail "$output"
	# nothing to run: no criu check, no version comparison
	assert_equal "$(level_of criu-check)" ""
	assert_equal "$(level_of criu-kernel-compat)" ""
	assert_equal "$(level_of criu-too-old-for-kernel)" ""
}

# ---- kernel configs ----

@test "--kernel-config with this machine's own config: no required option missing" {
	local cfg
	cfg=$(machine_config)
	run -0 --separate-stderr good --json check --kernel-config "$cfg"
	assert_one_json
	assert_equal "$(ids_at fail kconfig-)" ""
	[[ $(level_of kernel-config) == ok || $(level_of kernel-config) == warn ]] ||
		fail "kernel-config is $(level_of kernel-config)"
	[[ $(field_of kernel-config message) == "$cfg: 0 required options missing, "* ]] ||
		fail "$(field_of kernel-config message)"
	assert_equal "$(level_of kconfig-CHECKPOINT_RESTORE)" ok
	# the same, read compressed
	local plain=$output
	run -0 --separate-stderr good --json check --kernel-config /proc/config.gz
	assert_equal "$(jq -c '[.findings[] | select(.id | startswith("kconfig-")) | [.id, .level]]' \
		<<<"$output")" \
		"$(jq -c '[.findings[] | select(.id | startswith("kconfig-")) | [.id, .level]]' \
			<<<"$plain")"
	# without --kernel-config: /proc/config.gz, the same verdicts
	run -0 --separate-stderr good --json check
	[[ $(field_of kernel-config message) == "/proc/config.gz: "* ]] ||
		fail "$(field_of kernel-config message)"
}

@test "--kernel-config with the guest fragment: every kconfig option ok, exit 0" {
	run -0 --separate-stderr good --json check --kernel-config "$FRAGMENT"
	assert_equal "$(ids_at fail kconfig-)$(ids_at warn kconfig-)" ""
	assert_equal "$(jq '[.findings[] | select(.id | startswith("kconfig-"))] | length' <<<"$output")" \
		"$(grep -c '^CONFIG_' "$FRAGMENT")"
	assert_equal "$(level_of kernel-config)" ok
	assert_equal "$(field_of kernel-config message)" \
		"$FRAGMENT: 0 required options missing, 0 optional missing"
	assert_equal "$(level_of criu-check)" ok
	assert_equal "$(level_of criu-kernel-compat)" ok
	# human: ok kernel options only with --verbose
	run -0 --separate-stderr good check --kernel-config "$FRAGMENT"
	refute_line --regexp '^ok +kconfig-'
	assert_line --regexp '^ok +kernel-config '
	run -0 --separate-stderr good -v check --kernel-config "$FRAGMENT"
	assert_line --regexp '^ok +kconfig-CHECKPOINT_RESTORE +CONFIG_CHECKPOINT_RESTORE=y$'
}

@test "--kernel-config without CHECKPOINT_RESTORE and MEMBARRIER: exit 3, both fail" {
	grep -vE '^CONFIG_(CHECKPOINT_RESTORE|MEMBARRIER)=' "$FRAGMENT" >"$BATS_TEST_TMPDIR/small.config"
	run -3 --separate-stderr good --json check --kernel-config "$BATS_TEST_TMPDIR/small.config"
	assert_json_error 3 kconfig-CHECKPOINT_RESTORE
	assert_equal "$(ids_at fail kconfig-)" "kconfig-CHECKPOINT_RESTORE kconfig-MEMBARRIER"
	assert_equal "$(ids_at warn kconfig-)" ""
	assert_equal "$(level_of kernel-config)" fail
	[[ $(field_of kernel-config message) == *"2 required options missing"* ]] ||
		fail "$(field_of kernel-config message)"
	[[ $(field_of kconfig-MEMBARRIER message) == "CONFIG_MEMBARRIER is not set: "* ]] ||
		fail "$(field_of kconfig-MEMBARRIER message)"
	run -3 --separate-stderr good check --kernel-config "$BATS_TEST_TMPDIR/small.config"
	assert_line --regexp '^fail +kconfig-CHECKPOINT_RESTORE +CONFIG_CHECKPOINT_RESTORE is not set'
	assert_line --regexp '^fail +kconfig-MEMBARRIER +CONFIG_MEMBARRIER is not set'
	assert_line --regexp '^fail +kernel-config +.*small\.config: 2 required options missing, 0 optional missing$'
	assert_line --regexp 'remedy: Rebuild the guest kernel'
}

@test "--kernel-config: an optional option missing is a warning, exit 0" {
	grep -v '^CONFIG_MEM_SOFT_DIRTY=' "$FRAGMENT" >"$BATS_TEST_TMPDIR/nosd.config"
	run -0 --separate-stderr good --json check --kernel-config "$BATS_TEST_TMPDIR/nosd.config"
	assert_equal "$(ids_at warn kconfig-)" kconfig-MEM_SOFT_DIRTY
	assert_equal "$(level_of kernel-config)" warn
	assert_equal "$(json_get .ok)" true
}

@test "--kernel-config FILE that does not exist: exit 2 naming it" {
	run -2 --separate-stderr good check --kernel-config "$BATS_TEST_TMPDIR/nope.config"
	[[ $stderr == *"$BATS_TEST_TMPDIR/nope.config"* ]] || fail "$stderr"
	run -2 --separate-stderr good --json check --kernel-config "$BATS_TEST_TMPDIR/nope.config"
	assert_json_error 2 kernel-config-unreadable
	[[ $(json_get .error.message) == *"$BATS_TEST_TMPDIR/nope.config"* ]] || fail "$output"
}

# ---- target trees ----

@test "--tree of a 'criuctl run' workload: its own session, exit 0" {
	workload
	run -0 --separate-stderr criuctl check --tree "$WPID"
	assert_line --regexp "^ok +tree +tree $WPID \\(sleep\\): 1 process\$"
	assert_line --regexp "^ok +session +the tree has its own session \\(leader $WPID\\)\$"
	refute_line --regexp '^(warn|fail) '
	run -0 --separate-stderr criuctl --json check --tree "$WPID"
	assert_one_json
	assert_equal "$(json_get .ok)" true
	assert_equal "$(level_of session)" ok
	# a tree check does not look at criu or the kernel
	assert_equal "$(level_of criu)" ""
	assert_equal "$(level_of kernel-config)" ""
}

@test "--tree of a workload whose comm is not UTF-8: --json keeps every finding" {
	ln -s "$(command -v sleep)" "$BATS_TEST_TMPDIR/"$'\xff\xfe'sleep
	workload "$BATS_TEST_TMPDIR/"$'\xff\xfe'sleep 1000
	run -0 --separate-stderr criuctl --json check --tree "$WPID"
	assert_one_json
	assert_equal "$(level_of tree)" ok
	assert_equal "$(level_of session)" ok
	assert_equal "$(field_of tree message)" "tree $WPID (\\xff\\xfesleep): 1 process"
}

@test "--tree of a job whose session leader is outside the tree: shell-job-needed warn" {
	start_job_of_leader sleep 1000
	local sid=$LPID
	[[ $sid != "$NPID" && $sid -gt 0 ]] || fail "the job's session is $sid"
	[[ $(proc_field "$sid" 4) == "$sid" ]] || fail "pid $sid does not lead its session"
	run -0 --separate-stderr criuctl --json check --tree "$NPID"
	assert_equal "$(level_of shell-job-needed)" warn
	assert_equal "$(field_of shell-job-needed flag)" shell_job
	assert_equal "$(field_of shell-job-needed message)" \
		"the session leader of $NPID (session $sid) is not in the tree"
	# its session leader is in this pid namespace: not the fatal case
	assert_equal "$(level_of session-leader-outside-pidns)" ""
	assert_equal "$(level_of session)" ""
	run -0 --separate-stderr criuctl check --tree "$NPID"
	assert_line --regexp "^warn +shell-job-needed "
	assert_line --regexp "remedy: Dump and restore with --shell-job"
}

@test "--tree of a process holding a flock: file-locks warn with flag file_locks" {
	workload flock "$BATS_TEST_TMPDIR/lockfile" sleep 1000
	wait_locked "$WPID"
	run -0 --separate-stderr criuctl --json check --tree "$WPID"
	assert_equal "$(level_of file-locks)" warn
	assert_equal "$(field_of file-locks flag)" file_locks
	assert_equal "$(field_of file-locks message)" "1 file lock held"
	assert_equal "$(field_of tree message)" "tree $WPID (flock): 2 processes"
	assert_equal "$(level_of session)" ok
}

@test "--tree of a process traced by strace: task-traced fail naming the tracer, exit 3" {
	workload
	start_in_session strace -q -o /dev/null -p "$WPID"
	wait_traced "$WPID"
	run -3 --separate-stderr criuctl check --tree "$WPID"
	assert_line --regexp "^fail +task-traced +task $WPID \\(sleep\\) is traced by pid $NPID\$"
	assert_line --regexp 'remedy: Detach the debugger or tracer first\.'
	run -3 --separate-stderr criuctl --json check --tree "$WPID"
	assert_json_error 3 task-traced
	assert_equal "$(level_of task-traced)" fail
}

@test "--tree of a pid that does not exist: exit 2" {
	[[ ! -e /proc/999999 ]] || fail "pid 999999 exists here"
	run -2 --separate-stderr criuctl check --tree 999999
	[[ $stderr == *999999* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl --json check --tree 999999
	assert_json_error 2 no-such-process
}

@test "bad usage: exit 2" {
	run -2 --separate-stderr criuctl check --bogus
	[[ $stderr == *"--bogus"* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl check --tree
	run -2 --separate-stderr criuctl check --tree abc
	[[ $stderr == *abc* ]] || fail "$stderr"
	run -2 --separate-stderr criuctl check --tree 0
	run -2 --separate-stderr criuctl check extra
	run -2 --separate-stderr criuctl check --kernel-config
	run -2 --separate-stderr criuctl --json check --bogus
	assert_one_json
	assert_equal "$(json_get .exit_code)" 2
	run -0 --separate-stderr criuctl check --help
	assert_output --partial "usage: criuctl check"
}

@test "a dump with the host's criu 3.17: the real failure is explained as too old for the kernel" {
	workload
	run -1 --separate-stderr host dump -t "$WPID" -n old
	[[ $stderr == *"This criu is too old for the running kernel."* ]] || fail "$stderr"
	[[ $stderr == *"vdso: Unexpected rt vDSO area bounds"* ]] || fail "$stderr"
	[[ $stderr == *"remedy: Install criu 4.2 or newer"* ]] || fail "$stderr"
	assert_equal "$(jq -r .verdict.id "$STORE"/failed/old.*/report.json)" criu-too-old-for-kernel
	alive "$WPID"
}
