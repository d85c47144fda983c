# shellcheck shell=bash
# criuctl.bash: bats helpers for testing that a program survives checkpoint
# and restore through criuctl(8).  criuctl-bats(7) is the manual; in short:
#
#   load '/usr/share/criuctl/bats/criuctl'
#   setup()    { criuctl_setup; }
#   teardown() { criuctl_teardown; }
#   @test "..." {
#       criuctl_start my-server --port 8080
#       criuctl_probe curl -s localhost:8080/count
#       criuctl_checkpoint
#       assert_checkpoint_ok
#       criuctl_restore
#       assert_restored_continues
#   }
#
# What a test did lives in files under $BATS_TEST_TMPDIR/criuctl, not only in
# variables, so that a helper run under bats' `run` (a subshell) is seen by
# the next one, and so that criuctl_teardown finds every workload and
# checkpoint even when the test stopped half-way.  criuctl is always called
# with --json; jq(1) reads its answers.  Failing helpers print criuctl's
# verdict, criu's decisive lines and the remedy on stderr and return non-zero,
# which fails the test.  Nothing here depends on bats-support or bats-assert,
# and every name starts with criuctl_ or assert_ plus a word of criuctl's own
# (checkpoint, restored, verdict), so that the library loads beside them.

# The per-test directory: store/ (the default store), pids (every tree
# started or restored), names (every checkpoint name tried), last.json and
# last.err (the last dump or restore), pid, name, probe.before.
_criuctl_dir() {
	printf '%s/criuctl' "${BATS_TEST_TMPDIR:?criuctl.bash: load it from a bats test file}"
}

_criuctl_say() {
	printf '%s\n' "$@" >&2
}

# The store: $CRIUCTL_BATS_STORE when set, else a fresh one per test.
_criuctl_store() {
	if [[ -n ${CRIUCTL_BATS_STORE:-} ]]; then
		printf '%s' "$CRIUCTL_BATS_STORE"
	else
		printf '%s/store' "$(_criuctl_dir)"
	fi
}

# criuctl_setup: check the tools and make the test's directory and store.
# Optional (every helper calls it), but where setup() calls it a missing
# criuctl or jq fails the test before it starts anything.
criuctl_setup() {
	local d
	d=$(_criuctl_dir) || return 1
	[[ -f $d/ready ]] && return 0
	command -v criuctl >/dev/null || {
		_criuctl_say "criuctl.bash: criuctl is not on PATH"
		return 1
	}
	command -v jq >/dev/null || {
		_criuctl_say "criuctl.bash: jq is not on PATH (criuctl's --json answers are read with it)"
		return 1
	}
	mkdir -p "$d" || return 1
	[[ -n ${CRIUCTL_BATS_STORE:-} ]] || mkdir -p "$d/store" || return 1
	: >>"$d/pids" && : >>"$d/names" && : >"$d/ready"
}

# criuctl_ctl ARG...: criuctl on the test's store (text output unless ARG
# has --json), for what the helpers do not cover: run criuctl_ctl list.
criuctl_ctl() {
	criuctl_setup || return 1
	criuctl --store "$(_criuctl_store)" "$@"
}

# A value the helpers keep for the test (pid, name, probe.before).
_criuctl_get() {
	local f
	f=$(_criuctl_dir)/$1
	[[ -s $f ]] && cat "$f"
}

_criuctl_set() {
	printf '%s\n' "$2" >"$(_criuctl_dir)/$1"
}

# The current workload's root pid: the last one started or restored.
criuctl_pid() {
	_criuctl_get pid || {
		_criuctl_say "criuctl.bash: no workload yet: start one with criuctl_start"
		return 1
	}
}

# criuctl_start CMD [ARG...]: start CMD the checkpointable way (criuctl run:
# a session of its own, no inherited fds, stdout and stderr to a log); its
# pid in $CRIUCTL_PID and in `criuctl_pid`.  The log is
# $BATS_TEST_TMPDIR/criuctl/workload.N.log (N from 1), or $CRIUCTL_BATS_LOG.
criuctl_start() {
	criuctl_setup || return 1
	[[ $# -gt 0 ]] || {
		_criuctl_say "usage: criuctl_start CMD [ARG...]"
		return 2
	}
	local d log pid n
	d=$(_criuctl_dir)
	n=$(($(wc -l <"$d/pids") + 1))
	log=${CRIUCTL_BATS_LOG:-$d/workload.$n.log}
	pid=$(criuctl run --log "$log" -- "$@") || {
		_criuctl_say "criuctl_start: criuctl run -- $* failed"
		return 1
	}
	printf '%s\n' "$pid" >>"$d/pids"
	_criuctl_set pid "$pid"
	_criuctl_set log "$log"
	# shellcheck disable=SC2034 # for the test
	CRIUCTL_PID=$pid
}

# criuctl_probe CMD [ARG...]: the command whose answer (its stdout) tells
# what state the workload is in: a counter's value, a checksum, a reply.
# criuctl_checkpoint asks it just before each checkpoint and
# assert_restored_continues after the restore.  A shell function will do.
criuctl_probe() {
	[[ $# -gt 0 ]] || {
		_criuctl_say "usage: criuctl_probe CMD [ARG...]"
		return 2
	}
	_CRIUCTL_PROBE=("$@")
}

# Ask the probe once; its answer on stdout, whitespace trimmed.
_criuctl_ask() {
	local a
	a=$("${_CRIUCTL_PROBE[@]}" 2>&1) || return 1
	a=${a#"${a%%[![:space:]]*}"}
	printf '%s' "${a%"${a##*[![:space:]]}"}"
}

# Run criuctl --json CMD ARG... on the test's store: the document in
# last.json, stderr in last.err; criuctl's exit status is returned.
_criuctl_json() {
	local d rc=0
	d=$(_criuctl_dir)
	criuctl --store "$(_criuctl_store)" --json "$@" >"$d/last.json" 2>"$d/last.err" || rc=$?
	printf '%s\n' "$rc" >"$d/last.rc"
	return "$rc"
}

# What the last criuctl command said when it failed: its message, the
# verdict and criu's decisive lines, the remedy, where the log is and the
# command that shows more.
_criuctl_why() {
	local d
	d=$(_criuctl_dir)
	jq -er '
	  "criuctl \(.command // "?") failed (exit \(.exit_code)): \(.error.message)",
	  (.preflight // [] | .[] | select(.level == "fail") |
	     "  preflight: \(.id): \(.message)"),
	  (if .verdict then
	     "  verdict: \(.verdict.id): \(.verdict.title)",
	     (if (.verdict.evidence | length) > 0 then "  criu said:" else empty end),
	     ((.verdict.evidence // [])[] | "    \(.)")
	   else "  error: \(.error.code)" end),
	  (.error.remedy // empty | "  remedy: \(.)"),
	  (.error.log // empty | "  log: \(.)"),
	  (.next.command // empty | "  next: \(.)")' "$d/last.json" >&2 2>/dev/null || {
		_criuctl_say "criuctl exited $(cat "$d/last.rc" 2>/dev/null) without a JSON answer:"
		cat "$d/last.json" "$d/last.err" >&2 2>/dev/null
	}
}

# The end of the workload's log, for a test that finds it gone or stuck.
_criuctl_log_tail() {
	local log
	log=$(_criuctl_get log) || return 0
	[[ -s $log ]] || return 0
	_criuctl_say "  the workload's log ($log) ends:"
	tail -n 5 "$log" | sed 's/^/    /' >&2
}

# criuctl_checkpoint [DUMP-OPTION...]: checkpoint the current workload
# (criuctl dump --tree $CRIUCTL_PID) under a fresh name, or --name NAME;
# every option of criuctl dump goes through, --leave-running (-R) to keep it
# running.  The name in $CRIUCTL_NAME.  On failure, criuctl's verdict and
# criu's decisive lines on stderr, and criuctl's exit status.
criuctl_checkpoint() {
	criuctl_setup || return 1
	local d args=("$@") name='' tree='' i pid answer rc=0
	d=$(_criuctl_dir)
	for ((i = 0; i < ${#args[@]}; i++)); do
		case ${args[i]} in
		-n | --name) name=${args[i + 1]:-} ;;
		--name=*) name=${args[i]#--name=} ;;
		-t | --tree | --pidfile | --tree=* | --pidfile=*) tree=given ;;
		esac
	done
	if [[ -z $name ]]; then
		name=bats-$$-$(($(wc -l <"$d/names") + 1))
		args+=(--name "$name")
	fi
	if [[ -z $tree ]]; then
		pid=$(criuctl_pid) || return 1
		args+=(--tree "$pid")
	fi
	if [[ ${#_CRIUCTL_PROBE[@]} -gt 0 ]]; then
		answer=$(_criuctl_ask) || {
			_criuctl_say "criuctl_checkpoint: the probe (${_CRIUCTL_PROBE[*]}) failed before the checkpoint: $answer"
			_criuctl_log_tail
			return 1
		}
		_criuctl_set probe.before "$answer"
	fi
	printf '%s\n' "$name" >>"$d/names"
	_criuctl_set name "$name"
	# shellcheck disable=SC2034 # for the test
	CRIUCTL_NAME=$name
	_criuctl_json dump "${args[@]}" || rc=$?
	if [[ $rc -ne 0 ]]; then
		_criuctl_why
		return "$rc"
	fi
	_criuctl_say "criuctl_checkpoint: $(jq -r '"checkpoint \(.name) of pid \(.root_pid) (\(.processes) process\(if .processes == 1 then "" else "es" end)\(if .leave_running then ", left running" else "" end))"' "$d/last.json")"
}

# criuctl_restore [NAME] [RESTORE-OPTION...]: restore NAME (default: the
# last checkpoint); the restored root becomes the current workload
# ($CRIUCTL_PID).  On failure as criuctl_checkpoint.  A checkpoint made
# with --leave-running needs its original gone first: criuctl_stop.
criuctl_restore() {
	criuctl_setup || return 1
	local d name pid rc=0
	d=$(_criuctl_dir)
	if [[ $# -gt 0 && $1 != -* ]]; then
		name=$1
		shift
	else
		name=$(_criuctl_get name) || {
			_criuctl_say "criuctl_restore: no checkpoint yet: make one with criuctl_checkpoint"
			return 1
		}
	fi
	_criuctl_json restore "$name" "$@" || rc=$?
	if [[ $rc -ne 0 ]]; then
		_criuctl_why
		return "$rc"
	fi
	pid=$(jq -r .pid "$d/last.json")
	printf '%s\n' "$pid" >>"$d/pids"
	_criuctl_set pid "$pid"
	# shellcheck disable=SC2034 # for the test
	CRIUCTL_PID=$pid
	_criuctl_say "criuctl_restore: restored $name as pid $pid"
}

# Alive, and neither a zombie nor stopped (the fields after the last ')').
_criuctl_up() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != [ZXTt] ]]
}

# Kill the session of PID (a criuctl_start or restored tree) and PID.
# (bats runs tests under set -e: what may fail here is said to.)
_criuctl_kill() {
	pkill -KILL -s "$1" 2>/dev/null || true
	kill -KILL "$1" 2>/dev/null || true
}

# Poll CMD... every 0.1 s until it succeeds or $CRIUCTL_BATS_TIMEOUT (30)
# seconds pass: a bound on waiting, not a measure of speed.
_criuctl_until() {
	local deadline=$((SECONDS + ${CRIUCTL_BATS_TIMEOUT:-30}))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# PID is gone (or a zombie) and so is every other task of its session.
_criuctl_gone() {
	local stat
	if stat=$(cat "/proc/$1/stat" 2>/dev/null); then
		stat=${stat##*) }
		[[ ${stat%% *} == [ZX] ]] || return 1
	fi
	# shellcheck disable=SC2009 # pgrep cannot leave zombies out
	! ps -o stat= --sid "$1" 2>/dev/null | grep -qv '^Z'
}

# criuctl_stop [PID]: kill the current workload's tree (or PID's) and wait
# until it is gone: the original of a --leave-running checkpoint, before
# the checkpoint is restored.
criuctl_stop() {
	local pid=${1:-}
	[[ -n $pid ]] || pid=$(criuctl_pid) || return 1
	_criuctl_kill "$pid"
	_criuctl_until _criuctl_gone "$pid" || {
		_criuctl_say "criuctl_stop: pid $pid is still there after SIGKILL"
		return 1
	}
}

# criuctl_wait_up [CMD...]: wait until the current workload runs (not a
# zombie, not stopped) and CMD (default: the probe, if any) succeeds, e.g.
# until a restored server answers.  Gives up after $CRIUCTL_BATS_TIMEOUT
# (30) seconds with what it saw.
criuctl_wait_up() {
	local pid
	pid=$(criuctl_pid) || return 1
	[[ $# -gt 0 ]] || set -- "${_CRIUCTL_PROBE[@]}"
	if [[ $# -eq 0 ]]; then
		_criuctl_until _criuctl_up "$pid" && return 0
	else
		_criuctl_until _criuctl_up_and "$pid" "$@" && return 0
	fi
	if _criuctl_up "$pid"; then
		_criuctl_say "criuctl_wait_up: pid $pid runs, but '$*' never succeeded:" \
			"  $("$@" 2>&1 | tail -n 3)"
	else
		_criuctl_say "criuctl_wait_up: pid $pid is not running (gone, a zombie or stopped)"
	fi
	_criuctl_log_tail
	return 1
}

_criuctl_up_and() {
	local pid=$1
	shift
	_criuctl_up "$pid" && "$@" >/dev/null 2>&1
}

_criuctl_is_number() { [[ $1 =~ ^-?[0-9]+([.][0-9]+)?$ ]]; }

# A >= B (or A > B with a third argument), as numbers.
_criuctl_ge() { awk -v a="$1" -v b="$2" -v strict="${3:-}" 'BEGIN { exit !(strict ? a > b : a >= b) }'; }

# assert_checkpoint_ok [NAME]: the checkpoint NAME (default: the last one)
# was made, is listed and verifies against its seal; else why not.
assert_checkpoint_ok() {
	criuctl_setup || return 1
	local d name status
	d=$(_criuctl_dir)
	name=${1:-$(_criuctl_get name)} || {
		_criuctl_say "assert_checkpoint_ok: no checkpoint yet: make one with criuctl_checkpoint"
		return 1
	}
	if [[ $(cat "$d/last.rc" 2>/dev/null) != 0 && $(jq -r '.command' "$d/last.json" 2>/dev/null) == dump ]] &&
		[[ -z ${1:-} || $1 == "$(_criuctl_get name)" ]]; then
		_criuctl_say "assert_checkpoint_ok: checkpoint $name was not made:"
		_criuctl_why
		return 1
	fi
	status=$(criuctl --store "$(_criuctl_store)" --json verify "$name" 2>/dev/null |
		jq -r '.checkpoints[0] | "\(.status) \(.problem // "")"' 2>/dev/null) || status=
	[[ $status == "ok " ]] && return 0
	_criuctl_say "assert_checkpoint_ok: checkpoint $name is not ok: ${status:-not listed}"
	return 1
}

# assert_restored_continues [--same | --advancing]: the probe, asked after
# the restore (waiting until it answers), continues from its answer before
# the checkpoint: an equal answer, or for numbers an equal or greater one.
# --same: equal.  --advancing: numbers, not smaller, and then greater than
# that first answer (it runs on).  Also for the original after a
# --leave-running checkpoint.
assert_restored_continues() {
	local mode=${1:-} before after pid
	case $mode in
	'' | --same | --advancing) ;;
	*)
		_criuctl_say "usage: assert_restored_continues [--same | --advancing]"
		return 2
		;;
	esac
	[[ ${#_CRIUCTL_PROBE[@]} -gt 0 ]] || {
		_criuctl_say "assert_restored_continues: no probe: name one with criuctl_probe before criuctl_checkpoint"
		return 1
	}
	before=$(_criuctl_get probe.before) || {
		_criuctl_say "assert_restored_continues: the probe was not asked before a checkpoint (criuctl_probe, then criuctl_checkpoint)"
		return 1
	}
	pid=$(criuctl_pid) || return 1
	criuctl_wait_up || return 1
	after=$(_criuctl_ask) || after=
	if _criuctl_continues "$mode" "$before" "$after"; then
		[[ $mode == --advancing ]] || return 0
		_criuctl_until _criuctl_advanced "$after" && return 0
		_criuctl_say "assert_restored_continues: pid $pid answered '$after' and then never more" \
			"  (before the checkpoint: '$before'; last answer: '$(_criuctl_ask)')"
	else
		_criuctl_say "assert_restored_continues: pid $pid does not continue:" \
			"  before the checkpoint the probe said: $before" \
			"  after the restore it says:          $after" \
			"  (expected ${mode:-the same or, as numbers, not smaller}; probe: ${_CRIUCTL_PROBE[*]})"
	fi
	_criuctl_log_tail
	return 1
}

_criuctl_continues() {
	local mode=$1 before=$2 after=$3
	if [[ $mode == --same ]]; then
		[[ $after == "$before" ]]
	elif _criuctl_is_number "$before" && _criuctl_is_number "$after"; then
		_criuctl_ge "$after" "$before"
	else
		[[ $mode != --advancing && $after == "$before" ]]
	fi
}

_criuctl_advanced() {
	local a
	a=$(_criuctl_ask) && _criuctl_is_number "$a" && _criuctl_ge "$a" "$1" strict
}

# assert_verdict ID: the last criuctl_checkpoint or criuctl_restore failed
# with the verdict (or error code) ID, e.g. pid-in-use, tcp-established-needed,
# session-leader-outside-pidns; see VERDICTS and ERROR CODES in criuctl(1).
assert_verdict() {
	[[ $# -eq 1 ]] || {
		_criuctl_say "usage: assert_verdict ID"
		return 2
	}
	local d got
	d=$(_criuctl_dir)
	[[ -s $d/last.json ]] || {
		_criuctl_say "assert_verdict: no criuctl_checkpoint or criuctl_restore ran"
		return 1
	}
	got=$(jq -r 'if .ok then "ok" else .verdict.id // .error.code // "?" end' "$d/last.json" 2>/dev/null) || got=
	[[ $got == "$1" ]] && return 0
	if [[ $got == ok ]]; then
		_criuctl_say "assert_verdict: expected $1, but criuctl $(jq -r .command "$d/last.json") succeeded"
	else
		_criuctl_say "assert_verdict: expected $1, got ${got:-no JSON answer}:"
		_criuctl_why
	fi
	return 1
}

# criuctl_teardown: kill every tree the test started or restored (their
# whole sessions) and remove the checkpoints and failed attempts it made,
# whatever state the test stopped in.  With the default store, everything
# in it; with $CRIUCTL_BATS_STORE, only the names criuctl_checkpoint gave.
# criuctl rm, not rm -r: it also releases the network locks criu keeps for
# a TCP tree's checkpoint until it is restored.  Returns non-zero only when
# a workload survives SIGKILL.
criuctl_teardown() {
	local d pid name rc=0 names=() store
	d=$(_criuctl_dir)
	[[ -f $d/ready ]] || return 0
	while read -r pid; do
		[[ $pid =~ ^[0-9]+$ ]] && _criuctl_kill "$pid"
	done <"$d/pids"
	while read -r pid; do
		[[ $pid =~ ^[0-9]+$ ]] || continue
		_criuctl_until _criuctl_gone "$pid" || {
			_criuctl_say "criuctl_teardown: pid $pid survived SIGKILL"
			rc=1
		}
	done <"$d/pids"
	store=$(_criuctl_store)
	if [[ -z ${CRIUCTL_BATS_STORE:-} ]]; then
		mapfile -t names < <(_criuctl_names '.checkpoints[].name' list
			_criuctl_names '.failed[].name' list --failed)
	elif [[ -s $d/names ]]; then
		mapfile -t names <"$d/names"
		# shellcheck disable=SC2016 # jq's variables
		mapfile -t -O "${#names[@]}" names < <(_criuctl_names \
			'.failed[].name | select(. as $f | $mine | any(. as $n | $f | startswith($n + ".")))' \
			list --failed)
	fi
	for name in "${names[@]}"; do
		timeout -s KILL 60 criuctl --store "$store" -q rm "$name" >/dev/null 2>&1 || true
	done
	[[ -n ${CRIUCTL_BATS_STORE:-} ]] || rm -rf "$d/store"
	rm -f "$d/ready"
	return "$rc"
}

# The names a listing of the store gives, one a line (JQ-FILTER ARGS...);
# $mine in the filter: the names criuctl_checkpoint gave in this test.
_criuctl_names() {
	local filter=$1
	shift
	timeout -s KILL 60 criuctl --store "$(_criuctl_store)" --json "$@" 2>/dev/null |
		jq -r --rawfile mine "$(_criuctl_dir)/names" \
			"(\$mine | split(\"\\n\") | map(select(length > 0))) as \$mine | $filter" 2>/dev/null
}
