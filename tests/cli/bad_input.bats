#!/usr/bin/env bats
# Bad input, everywhere: every input criuctl reads (pids, pidfiles, names,
# config files, logs, manifests, the store's own entries) gets a clear
# error naming it and a documented exit code, and nothing else changes: no
# store entry made or removed, no process touched, criu never run.
#
# Cases already covered elsewhere are not repeated here: dump.bats (invalid
# names of dump, a missing or garbage pidfile, a pid that does not exist,
# --tree abc/0/-5), check.bats (check --tree of a missing pid), config.bats
# (missing file, syntax error, unknown key or section, bad values),
# explain.bats (missing file, directory, /etc/passwd, empty log), store.bats
# (damaged manifests, checkpoints/evil and other planted links for list,
# show, log, restore and rm).

# shellcheck disable=SC2154 # $stderr: set by bats
load helpers

# One checkpoint, ck1, dumped once for the whole file (criu's kill of the
# tree and init's lazy reaping are waited for once, so restore finds its
# pids free).
setup_file() {
	local store=$BATS_FILE_TMPDIR/template pid
	export CRIUCTL_CONFIG=$BATS_FILE_TMPDIR/empty.conf
	: >"$CRIUCTL_CONFIG"
	pid=$("$CRIUCTL" run -- sleep 1000)
	"$CRIUCTL" --store "$store" --criu "$FAKE_CRIU" -q dump -t "$pid" -n ck1 >/dev/null
	kill -KILL "$pid" 2>/dev/null || true
	wait_gone "$pid"
	[[ -f $store/checkpoints/ck1/manifest.json ]]
}

# A fresh copy of the template store as this test's store.
stored() {
	mkdir -p "$STORE"
	cp -a "$BATS_FILE_TMPDIR/template/." "$STORE/"
}

# Every path below the directories given, with its type, size, mode, link
# target and content hash: equal before and after means nothing changed.
state_of() {
	local dir
	for dir in "$@"; do
		(
			cd "$dir" || exit 1
			find . -printf '%p %y %s %m %l\n' | LC_ALL=C sort
			find . -type f -exec sha256sum {} + | LC_ALL=C sort
		)
	done
}

# Remember the state of the store (and of other directories given).
snapshot() {
	BEFORE=$(state_of "$STORE" "$@")
	rm -f "$FAKE_CRIU_ARGV"
}

# Nothing changed since snapshot (same arguments), and criu never ran.
assert_unchanged() {
	assert_equal "$(state_of "$STORE" "$@")" "$BEFORE"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
}

# stderr holds no raw control character and no byte that is not UTF-8
# (beyond the newlines between its lines).
assert_stderr_clean() {
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' <<<"$stderr" ||
		! iconv -f UTF-8 -t UTF-8 <<<"$stderr" >/dev/null 2>&1; then
		fail "raw control characters or bytes on stderr: $(cat -v <<<"$stderr")"
	fi
}

# ---- names ----

LONG_NAME=a$(printf 'b%.0s' {1..64})

# name | how the error shows it (escaped where it must be)
BAD_NAMES=(
	"a/b|'a/b'"
	"..|'..'"
	".hidden|'.hidden'"
	"-dash|'-dash'"
	"$LONG_NAME|'$LONG_NAME'"
	$'a\nb|\'a\\nb\''
	$'a\e[31mb|\'a\\x1b[31mb\''
	$'a\xffb|\'a\\xffb\''
)

@test "bad names for show, log, rm, verify, restore and dump --name: exit 2, the name escaped, nothing changed" {
	local row name shown cmd
	stored
	workload
	snapshot
	for row in "${BAD_NAMES[@]}"; do
		name=${row%%|*} shown=${row#*|}
		for cmd in show log rm verify restore "dump -t $WPID -n"; do
			# shellcheck disable=SC2086 # $cmd is words
			run --separate-stderr criuctl $cmd "$name"
			((status == 2)) || fail "$cmd $(printf %q "$name"): exit $status: $stderr"
			[[ $stderr == *"$shown"* ]] ||
				fail "$cmd $(printf %q "$name"): the name is not shown as $shown: $stderr"
			assert_stderr_clean
		done
	done
	assert_unchanged
	alive "$WPID"
}

@test "a bad name in --json: one document, exit_code 2, the name in the message" {
	stored
	snapshot
	run -2 --separate-stderr criuctl --json show $'a\e[31mb'
	assert_json_error 2 invalid-name
	[[ $(json_get .error.message) == *$'a\e[31mb'* ]] || fail "$output"
	run -2 --separate-stderr criuctl --json rm $'a\xffb'
	assert_json_error 2 invalid-name
	[[ $(json_get .error.message) == *"a?b"* ]] || fail "$output"
	assert_unchanged
}

# ---- pids: dump --tree, check --tree, a pidfile's contents ----

# Run criuctl on the pid spec $1 in the way $2 (dump: dump --tree --force;
# check: check --tree; pidfile: dump --pidfile --force), with --json.  The
# spec "self" is criuctl's own pid (the shell execs it), "parent" the pid of
# the shell that runs it; the pid used goes to $BATS_TEST_TMPDIR/used.
run_pid() {
	local spec=$1 way=$2
	run --separate-stderr bash -c '
		spec=$1 way=$2 pidfile=$3/w.pid; shift 3
		case $spec in self | parent) pid=$$ ;; *) pid=$spec ;; esac
		printf "%s" "$pid" >"${pidfile%/*}/used"
		case $way in
		dump) set -- "$@" dump --force -n badpid --tree "$pid" ;;
		check) set -- "$@" check --tree "$pid" ;;
		pidfile)
			printf "%s\n" "$pid" >"$pidfile"
			set -- "$@" dump --force -n badpid --pidfile "$pidfile"
			;;
		esac
		[[ $spec == self ]] && exec "$@"
		"$@" # not the last command: bash forks it, and stays its parent
		exit $?' _ "$spec" "$way" "$BATS_TEST_TMPDIR" \
		"$CRIUCTL" --json --store "$STORE" --criu "$FAKE_CRIU"
}

# A zombie: the child of a workload that never reaps it; its pid in $ZPID.
zombie() {
	local stat line rest deadline=$((SECONDS + 10))
	workload sh -c 'sleep 0.1 & exec sleep 1000'
	ZPID=
	while [[ -z $ZPID ]]; do
		((SECONDS < deadline)) || fail "no zombie child of $WPID"
		for stat in /proc/[0-9]*/stat; do
			read -r line <"$stat" 2>/dev/null || continue
			rest=${line##*) }
			[[ $rest == "Z $WPID "* ]] && ZPID=${line%% *}
		done
		sleep 0.05
	done
}

@test "pids that cannot be a tree's root, for dump --tree, check --tree and a pidfile: exit 2 or 3, named, nothing changed" {
	local row spec want code words way used nopid=999999
	[[ ! -e /proc/$nopid ]] || skip "pid $nopid exists here"
	[[ $(cat /proc/2/comm 2>/dev/null) == kthreadd ]] || skip "pid 2 is not kthreadd here"
	stored
	zombie
	snapshot
	# spec | exit | error code | words of the message (besides the pid)
	for row in \
		"$nopid|2|no-such-process|No such file or directory" \
		"1|3|not-dumpable|an ancestor of criuctl" \
		"self|3|not-dumpable|criuctl itself" \
		"parent|3|not-dumpable|an ancestor of criuctl" \
		"2|3|not-dumpable|a kernel thread" \
		"$ZPID|3|not-dumpable|a zombie" \
		"-5|2|invalid-pid|is not a pid" \
		"abc|2|invalid-pid|is not a pid" \
		"0|2|invalid-pid|is not a pid" \
		"99999999999|2|invalid-pid|is not a pid"; do
		IFS='|' read -r spec want code words <<<"$row"
		for way in dump check pidfile; do
			run_pid "$spec" "$way"
			used=$(cat "$BATS_TEST_TMPDIR/used")
			((status == want)) || fail "$way $spec: exit $status, want $want: $output"
			assert_json_error "$want" "$code"
			[[ $(json_get .error.message) == *"$used"*"$words"* ]] ||
				fail "$way $spec: the message lacks '$used' and '$words': $output"
			if [[ $way == pidfile && $code == invalid-pid ]]; then
				[[ $(json_get .error.message) == *"$BATS_TEST_TMPDIR/w.pid"* ]] ||
					fail "pidfile $spec: the message does not name the file: $output"
			fi
		done
	done
	assert_unchanged
	alive "$WPID"
	[[ $(proc_field "$ZPID" 1) == Z ]] || fail "the zombie $ZPID changed"
}

@test "pidfiles that hold no pid (empty, binary, a directory, missing): exit 2 naming the file, nothing changed" {
	local f=$BATS_TEST_TMPDIR/p row kind code words
	stored
	snapshot
	for row in "empty|invalid-pid|is not a pid" "binary|invalid-pid|is not a pid" \
		"directory|pidfile-unreadable|Is a directory" \
		"missing|pidfile-unreadable|No such file or directory"; do
		IFS='|' read -r kind code words <<<"$row"
		rm -rf "$f"
		case $kind in
		empty) : >"$f" ;;
		binary) printf '\x7fELF\x02\x01\x01\x00\xff\xfe\x1b[2J' >"$f" ;;
		directory) mkdir "$f" ;;
		esac
		run -2 --separate-stderr criuctl --json dump --pidfile "$f" -n badpid
		assert_json_error 2 "$code"
		[[ $(json_get .error.message) == *"$f"*"$words"* ]] || fail "$kind: $output"
		run -2 --separate-stderr criuctl dump --pidfile "$f" -n badpid
		assert_stderr_clean
	done
	assert_unchanged
}

# ---- config files: -c FILE and $CRIUCTL_CONFIG ----

# Make the config file $2 of kind $1.
make_conf() {
	local kind=$1 f=$2
	rm -rf "$f"
	case $kind in
	empty) : >"$f" ;;
	symlink)
		printf '[store]\nkeep = 3\n' >"$f.real"
		ln -s "$f.real" "$f"
		;;
	binary) printf '\x7fELF\x02\x01\x01\x00\x00\xff\xfe[bogus]\n' >"$f" ;;
	nul-inside) printf '[store]\nkeep = 1\x00junk\n[bogus]\n' >"$f" ;;
	control) printf '\x1b[2J\xff\xfe\x07 garbage\n' >"$f" ;;
	huge) head -c 5000000 /dev/zero | tr '\0' '#' >"$f" ;;
	long-line) printf '[dump]\ncriu_opt = %s\n' "$(printf 'a%.0s' {1..300})" >"$f" ;;
	keep-1e20) printf '[store]\nkeep = 100000000000000000000\n' >"$f" ;;
	keep-failed-neg) printf '[store]\nkeep_failed = -1\n' >"$f" ;;
	timeout-neg) printf '[dump]\ntimeout = -5\n' >"$f" ;;
	stall-31d) printf '[restore]\nstall_timeout = 31d\n' >"$f" ;;
	directory) mkdir "$f" ;;
	esac
}

@test "config files that are fine: empty (built-in defaults), a symlink to a file (followed)" {
	local f=$BATS_TEST_TMPDIR/c.conf
	make_conf empty "$f"
	run -0 --separate-stderr criuctl -c "$f" config
	assert_output --regexp 'store +keep += 0 +# built-in'
	make_conf symlink "$f"
	run -0 --separate-stderr criuctl -c "$f" --json config
	assert_equal "$(json_get '.keys[] | select(.key == "keep") | .value')" 3
	CRIUCTL_CONFIG=$f run -0 --separate-stderr criuctl --json config
	assert_equal "$(json_get '.keys[] | select(.key == "keep") | .origin')" "$f:2"
}

@test "bad config files, by -c and by \$CRIUCTL_CONFIG: exit 2 naming the file (and line), nothing changed" {
	local f=$BATS_TEST_TMPDIR/c.conf row kind code words how
	stored
	workload
	snapshot
	# kind | error code | the message after the file name
	for row in \
		"binary|config-invalid|:1: a NUL byte" \
		"nul-inside|config-invalid|:2: a NUL byte" \
		"control|config-invalid|:1: syntax error" \
		"huge|config-unreadable|: larger than 1024 KiB" \
		"long-line|config-invalid|:2: line longer than 199 characters" \
		"keep-1e20|config-invalid|:2: keep: '100000000000000000000' is not a count" \
		"keep-failed-neg|config-invalid|:2: keep_failed: '-1' is not a count" \
		"timeout-neg|config-invalid|:2: timeout: '-5' is not a duration" \
		"stall-31d|config-invalid|:2: stall_timeout: '31d' is not a duration" \
		"directory|config-unreadable|: Is a directory"; do
		IFS='|' read -r kind code words <<<"$row"
		make_conf "$kind" "$f"
		for how in -c env; do
			if [[ $how == -c ]]; then
				run -2 --separate-stderr criuctl --json -c "$f" dump -t "$WPID" -n cfg
			else
				CRIUCTL_CONFIG=$f run -2 --separate-stderr criuctl --json dump -t "$WPID" -n cfg
			fi
			assert_json_error 2 "$code"
			[[ $(json_get .error.message) == *"$f$words"* ]] || fail "$kind ($how): $output"
		done
		run -2 --separate-stderr criuctl -c "$f" list
		assert_stderr_clean
	done
	assert_unchanged
	alive "$WPID"
}

@test "files the user names are followed through symlinks (--pidfile, explain, --kernel-config), unlike the store's" {
	local d=$BATS_TEST_TMPDIR
	workload
	echo "$WPID" >"$d/w.pid"
	ln -s "$d/w.pid" "$d/link.pid"
	run -0 --separate-stderr criuctl -q --json dump -R --pidfile "$d/link.pid" -n linked
	assert_equal "$(json_get .root_pid)" "$WPID"
	ln -s "$FIXTURES/dump-ok.log" "$d/link.log"
	run -0 --separate-stderr criuctl explain "$d/link.log"
	assert_output --partial "finished successfully"
	printf 'CONFIG_CHECKPOINT_RESTORE=y\n' >"$d/kconfig"
	ln -s "$d/kconfig" "$d/link.kconfig"
	run --separate-stderr criuctl --json check --kernel-config "$d/link.kconfig"
	assert_equal "$(json_get '.findings[] | select(.id == "kconfig-CHECKPOINT_RESTORE") | .level')" ok
}

# ---- explain ----

@test "explain of binary garbage: exit 2, not-a-criu-log, naming the file, no raw bytes on stderr" {
	local f=$BATS_TEST_TMPDIR/garbage.bin
	{
		printf '\x7fELF\x02\x01\x01\x00\x1b[2J\x1b]0;title\x07\xff\xfe\r\n'
		for i in {0..255}; do printf "\\x$(printf %02x "$i")"; done
		printf '(\x01\x02) Error Warn\n'
	} >"$f"
	run -2 --separate-stderr criuctl --json explain "$f"
	assert_json_error 2 not-a-criu-log
	[[ $(json_get .error.message) == *"$f"* ]] || fail "$output"
	run -2 --separate-stderr criuctl explain "$f"
	[[ $stderr == *"$f does not look like a CRIU log"* ]] || fail "$stderr"
	assert_stderr_clean
}

@test "explain of a 100 MB log: it finishes with the verdict of its decisive lines" {
	local f=$BATS_TEST_TMPDIR/big.log fix=$FIXTURES/dump-tcp-no-established.log
	{
		head -n 20 "$fix"
		seq -f '(00.000001) page-xfer: p 0x%g - 0x1000' 2600000
		tail -n +21 "$fix"
	} >"$f"
	(($(stat -c %s "$f") > 100000000)) || fail "the log is only $(stat -c %s "$f") bytes"
	run -1 --separate-stderr criuctl --json explain "$f"
	assert_json_error 1 tcp-established-needed
	assert_equal "$(json_get '.verdict.evidence[0]')" \
		"inet: Connected TCP socket, consider using --tcp-established option."
	assert_equal "$(json_get .criu_version)" 4.2.1
	assert_equal "$(json_get .reached)" parasite
}
