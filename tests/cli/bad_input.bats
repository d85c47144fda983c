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
