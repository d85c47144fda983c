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

# shellcheck disable=SC2030,SC2031,SC2153,SC2154 # $status, $output, $stderr: bats; $STORE, $WPID: helpers
load helpers

# One checkpoint, ck1, a copy of one real criu made (seed_checkpoint),
# seeded once for the whole file.
setup_file() {
	STORE=$BATS_FILE_TMPDIR/template seed_checkpoint ck1
}

# A fresh copy of the template store as this test's store (replacing one).
stored() {
	rm -rf "$STORE"
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
	[[ $(json_get .error.message) == *'a\xffb'* ]] || fail "$output"
	assert_unchanged
}

@test "store entries with control characters and bytes that are not UTF-8 in their names: listed escaped, never obeyed" {
	stored
	mkdir -p "$STORE/checkpoints/"$'evil\e[2J\n' "$STORE/failed/"$'bad\xff.20261123T000000Z'
	run -0 --separate-stderr criuctl list
	assert_output --partial 'evil\x1b[2J\n '
	run -0 --separate-stderr criuctl list --failed
	assert_output --partial 'bad\xff.20261123T000000Z '
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f-\xff]' <<<"$output"; then
		fail "raw bytes in the listing: $(cat -v <<<"$output")"
	fi
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '[.checkpoints[] | select(.status == "damaged")] | length')" 1
	run -0 --separate-stderr criuctl --json list --failed
	# JSON takes only UTF-8: the byte that is not is written \xff (criuctl(1), JSON OUTPUT)
	assert_equal "$(json_get '.failed[0].name')" 'bad\xff.20261123T000000Z'
}

# ---- pids: dump --tree, check --tree, a pidfile's contents ----

# Run criuctl on the pid spec $1 in the way $2 (dump: dump --tree --force;
# check: check --tree; pidfile: dump --pidfile --force), with --json.  The
# spec "self" is criuctl's own pid (the shell execs it), "parent" the pid of
# the shell that runs it; the pid used goes to $BATS_TEST_TMPDIR/used.
run_pid() {
	local spec=$1 way=$2
	# shellcheck disable=SC2016 # expanded by that shell, not this one
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
	criu_records
	run -1 --separate-stderr criuctl -q --json dump -R --pidfile "$d/link.pid" -n linked
	assert_equal "$(json_get .target[0].pid "$(only_entry "$STORE/failed" 'linked.*')/report.json")" "$WPID"
	unset FAKE_CRIU_MODE
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
	local f=$BATS_TEST_TMPDIR/garbage.bin i
	{
		printf '\x7fELF\x02\x01\x01\x00\x1b[2J\x1b]0;title\x07\xff\xfe\r\n'
		for i in {0..255}; do printf '%b' "\\x$(printf %02x "$i")"; done
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

# ---- manifests in the store ----

# Damage ck1's manifest in the way $1 (with jq, from the template's copy).
damage_manifest() {
	local m=$STORE/checkpoints/ck1/manifest.json orig=$BATS_FILE_TMPDIR/template/checkpoints/ck1/manifest.json
	case $1 in
	truncated) head -c 300 "$orig" >"$m" ;;
	empty) : >"$m" ;;
	future) jq '.format = 2 | .tree = "elsewhere" | .pages_v2 = {"x": 1}' "$orig" >"$m" ;;
	file-up) jq '.files[0].path = "images/../../../../etc/passwd"' "$orig" >"$m" ;;
	file-absolute) jq '.files[0].path = "/etc/shadow"' "$orig" >"$m" ;;
	root-relative) jq '.mounts.own_namespace = true | .mounts.root = "rootfs"' "$orig" >"$m" ;;
	key-breaks-out) jq '.mounts.own_namespace = true | .mounts.root = "/" |
		.mounts.external = [{"mountpoint": "/x", "key": "k]:/etc", "source": "/tmp"}]' "$orig" >"$m" ;;
	cgroups-mode) jq '.options.manage_cgroups = "soft --action-script=/tmp/x"' "$orig" >"$m" ;;
	name-up) jq '.name = "../../etc"' "$orig" >"$m" ;;
	esac
}

@test "damaged manifests for show, list, restore and verify: named, exit 5 (list: a status), criu never runs, nothing changed" {
	local row kind code words listed show_exit cmd
	# kind | error code | words | list's status | show's exit
	for row in \
		"truncated|manifest-invalid|manifest.json: invalid JSON at line|damaged|5" \
		"empty|manifest-invalid|manifest.json: invalid JSON at line 1|damaged|5" \
		"future|manifest-too-new|manifest.json: format 2 is newer than criuctl|newer|0" \
		"file-up|manifest-invalid|files[0]: 'images/../../../../etc/passwd' is not a path below|damaged|0" \
		"file-absolute|manifest-invalid|files[0]: '/etc/shadow' is not a path below|damaged|0" \
		"root-relative|manifest-invalid|mounts.root 'rootfs' is not an absolute path|damaged|0" \
		"key-breaks-out|manifest-invalid|mounts.external[0]: key 'k]:/etc' is not a key|damaged|0" \
		"cgroups-mode|manifest-invalid|manage_cgroups or network_lock is not a mode|damaged|0" \
		"name-up|manifest-invalid|name '../../etc' is not a checkpoint name|damaged|0"; do
		IFS='|' read -r kind code words listed show_exit <<<"$row"
		stored
		damage_manifest "$kind"
		snapshot
		for cmd in restore "restore --no-verify" verify; do
			# shellcheck disable=SC2086 # $cmd is words
			run -5 --separate-stderr criuctl --json $cmd ck1
			assert_json_error 5 "$code"
			[[ $(json_get .error.message) == *"'ck1'"*"$words"* ]] || fail "$kind, $cmd: $output"
		done
		run -0 --separate-stderr criuctl --json list
		assert_equal "$(json_get '.checkpoints[0].status')" "$listed"
		[[ $(json_get '.checkpoints[0].problem') == *"$words"* ]] || fail "$kind, list: $output"
		run --separate-stderr criuctl show ck1
		((status == show_exit)) || fail "$kind, show: exit $status: $stderr"
		assert_unchanged
	done
}

@test "a manifest from the future: show prints it as stored, rm removes the checkpoint" {
	stored
	damage_manifest future
	run -0 --separate-stderr criuctl --json show ck1
	assert_equal "$(json_get .manifest.format)" 2
	assert_equal "$(json_get .manifest.pages_v2.x)" 1
	run -0 --separate-stderr criuctl rm ck1
	assert_dir_not_exists "$STORE/checkpoints/ck1"
}

@test "unknown fields of this format are ignored, and criu_argv is never run: restore goes on with its own" {
	stored
	local m=$STORE/checkpoints/ck1/manifest.json
	jq '.format = 1 | .pages_v2 = {"x": 1} | .tree.cgroup = "/x" |
		.criu_argv = ["/bin/rm", "-rf", "/etc", "-D", "/etc"]' \
		"$BATS_FILE_TMPDIR/template/checkpoints/ck1/manifest.json" >"$m"
	criu_records
	run -1 --separate-stderr criuctl restore ck1
	run criu_argv
	assert_output --partial "$FAKE_CRIU restore -D $STORE/checkpoints/ck1/images "
	refute_output --partial /etc
}

# ---- symlinks planted in the store ----

# What the planted links point at, outside the store: they must stay as
# they are (and their contents must never reach the output).
outside_state() {
	stat -c '%n %F %i' /etc /etc/passwd /
	sha256sum /etc/passwd
}

# Run criuctl "$@" (words in $1), expecting exit $2 and, on failure, the
# words $3 in the message; then the store and the targets are as before.
expect() {
	local cmd=$1 want=$2 words=$3
	# shellcheck disable=SC2086 # $cmd is words
	run --separate-stderr criuctl $cmd
	((status == want)) || fail "$cmd: exit $status, want $want: $stderr"
	[[ -z $words || $stderr == *"$words"* ]] || fail "$cmd: stderr lacks '$words': $stderr"
	[[ $output$stderr != *root:x:0:* ]] || fail "$cmd: /etc/passwd reached the output"
	assert_stderr_clean
}

@test "planted links read by list, show, log, verify and restore: never followed, the entry named, nothing changed" {
	local row link target cmd want words outside
	outside=$(outside_state)
	workload
	# the link | its target | command | exit | words of the error
	for row in \
		"checkpoints/X|/etc|list|0|" \
		"checkpoints/X|/etc|show X|5|checkpoints/X is a symbolic link" \
		"checkpoints/X|/etc|log X|5|checkpoints/X is a symbolic link" \
		"checkpoints/X|/etc|verify X|5|checkpoints/X is a symbolic link" \
		"checkpoints/X|/etc|restore X|5|checkpoints/X is a symbolic link" \
		"checkpoints/ck1/images|/etc|verify ck1|5|images is a symbolic link (to /etc)" \
		"checkpoints/ck1/images|/etc|restore ck1|5|images is a symbolic link (to /etc)" \
		"checkpoints/ck1/images|/etc|restore --no-verify ck1|5|images is a symbolic link (to /etc)" \
		"checkpoints/ck1/images/pages-1.img|/etc/passwd|restore --no-verify ck1|5|images/pages-1.img is a symbolic link (to /etc/passwd)" \
		"checkpoints/ck1/manifest.json|/etc/passwd|show ck1|5|manifest.json" \
		"checkpoints/ck1/manifest.json|/etc/passwd|verify ck1|5|manifest.json" \
		"checkpoints/ck1/manifest.json|/etc/passwd|restore ck1|5|manifest.json" \
		"checkpoints/ck1/dump.log|/etc/passwd|log ck1|5|dump.log" \
		"failed/Y|/|list --failed|0|" \
		"failed/Y|/|log Y|5|failed/Y is a symbolic link" \
		"locks/ck1|/etc/passwd|verify ck1|5|locks/ck1" \
		"locks/ck1|/etc/passwd|restore ck1|5|locks/ck1" \
		"locks/ck1|/etc/passwd|rm ck1|5|locks/ck1" \
		"locks/new|/etc/passwd|dump -R -t $WPID -n new|5|locks/new"; do
		IFS='|' read -r link target cmd want words <<<"$row"
		stored
		rm -rf "${STORE:?}/$link"
		ln -s "$target" "$STORE/$link"
		snapshot
		expect "$cmd" "$want" "$words"
		assert_unchanged
		assert_equal "$(outside_state)" "$outside"
	done
	alive "$WPID"
}

@test "list names a planted link as a damaged entry; list --failed lists one without reading it" {
	stored
	ln -s /etc "$STORE/checkpoints/X"
	mkdir -p "$STORE/failed"
	ln -s / "$STORE/failed/Y"
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '.checkpoints[] | select(.name == "X") | .status')" damaged
	[[ $(json_get '.checkpoints[] | select(.name == "X") | .problem') == *"checkpoints/X is a symbolic link"* ]] ||
		fail "$output"
	run -0 --separate-stderr criuctl --json list --failed
	assert_equal "$(json_get '.failed[0].name')" Y
	assert_equal "$(json_get '.failed[0].verdict')" null
}

@test "planted links removed by rm, prune and the start-up cleanup of tmp/: the link goes, never its target" {
	local row link target cmd outside
	outside=$(outside_state)
	for row in \
		"checkpoints/X|/etc|rm X" \
		"checkpoints/X|/etc|prune --keep 1" \
		"checkpoints/ck1/images|/etc|rm ck1" \
		"checkpoints/ck1/manifest.json|/etc/passwd|rm ck1" \
		"failed/Y|/|rm Y" \
		"failed/Y|/|prune --older-than 1s" \
		"tmp/Z|/etc|recover"; do
		IFS='|' read -r link target cmd <<<"$row"
		stored
		mkdir -p "$STORE/failed" "$STORE/tmp"
		rm -rf "${STORE:?}/$link"
		ln -s "$target" "$STORE/$link"
		touch -h -d '2 hours ago' "$STORE/$link"
		expect "$cmd" 0 ""
		assert_link_not_exists "$STORE/$link"
		assert_equal "$(outside_state)" "$outside"
	done
}

@test "the store's own subdirectories as symlinks: every command exits 5 naming it, the target unchanged" {
	local sub cmd victim=$BATS_TEST_TMPDIR/victim
	for sub in checkpoints failed tmp locks; do
		rm -rf "$victim"
		stored
		cp -a "$STORE/$sub" "$victim"
		rm -rf "${STORE:?}/$sub"
		ln -s "$victim" "$STORE/$sub"
		snapshot "$victim"
		for cmd in list "list --failed" "show ck1" "log ck1" verify "restore ck1" "rm ck1" \
			"prune --keep 1" "dump -t 1"; do
			expect "$cmd" 5 "$sub is a symbolic link: not followed"
		done
		assert_unchanged "$victim"
	done
}

@test "prune ages a planted link by the link itself, never by a file it points to" {
	local victim=$BATS_TEST_TMPDIR/victim
	stored
	mkdir -p "$victim"
	echo '{}' >"$victim/manifest.json"
	touch -d '10 years ago' "$victim/manifest.json"
	ln -s "$victim" "$STORE/checkpoints/X"
	run -0 --separate-stderr criuctl --json prune --older-than 1h
	assert_equal "$(json_get .removed)" "[]"
	assert_link_exists "$STORE/checkpoints/X"
	assert_file_exists "$victim/manifest.json"
}
