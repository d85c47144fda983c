#!/usr/bin/env bats
# End-to-end soak: SOAK_CYCLES (default 10; `make soak` runs 100) dump and
# restore cycles of one workload through criuctl with the real criu.  At
# the end: the workload's state is intact (its counter only ever advanced,
# the memory it filled before the first cycle has the same checksum),
# criuctl's own peak memory and open fds did not grow from the first
# cycles to the last, the store holds exactly what [store] keep says, and
# no criu process or criu network lock is left.  Nothing here is a timing
# bound: a slow machine takes longer, it does not fail.

load helpers
bats_require_minimum_version 1.5.0

CYCLES=${SOAK_CYCLES:-10}
KEEP=3
# criuctl is one process per command: a leak cannot pile up inside one
# process across cycles, but what it reads grows with the store (names,
# manifests, logs).  Early and late cycles may differ by this much.
SLACK_KB=2048
# At the decided point one fd may or may not still be open (the hook's
# connection closes once its answer is written): 27 or 28 here.
SLACK_FDS=1
# How many cycles at each end are compared (their maxima).
EDGE=3

setup() {
	common_setup
	export CRIUCTL_CONFIG=$W/soak.conf
	printf '[store]\nkeep = %d\n' "$KEEP" >"$CRIUCTL_CONFIG"
}
teardown() {
	[[ -n ${CTL:-} ]] && kill -KILL "$CTL" 2>/dev/null
	common_teardown
}

stopped_or_gone() { ! alive "$1" || state_is "$1" T; }

# measured LABEL CYCLE ARGS...: criuctl ARGS, held (CRIUCTL_FAULT=decided)
# right after it told criu to go on, which is when it holds the most: the
# attempt, criu's log, the hook's socket, the sealed images' list.  Its
# peak RSS (VmHWM, kB) and open fds then go to $W/usage as "LABEL CYCLE KB
# FDS"; it is continued and must succeed.  Its stdout in $W/out.
measured() {
	local label=$1 cycle=$2 status=0
	shift 2
	CRIUCTL_FAULT=decided criuctl --store "$STORE" "$@" >"$W/out" 2>"$W/err" &
	CTL=$!
	wait_for 120 stopped_or_gone "$CTL" || fail "$label $cycle: criuctl never got to decided"
	if alive "$CTL"; then
		printf '%s %d %s %s\n' "$label" "$cycle" \
			"$(awk '/^VmHWM:/ { print $2 }' "/proc/$CTL/status")" \
			"$(find "/proc/$CTL/fd" -mindepth 1 -maxdepth 1 | wc -l)" >>"$W/usage"
		kill -CONT "$CTL"
	fi
	wait "$CTL" || status=$?
	CTL=
	[[ $status == 0 ]] || fail "$label $cycle: exit $status: $(cat "$W/out" "$W/err")"
}

# One cycle: checkpoint (the tree ends), restore (the same pid runs on).
cycle() {
	local i=$1 at
	measured dump "$i" dump --tree "$PID" --name "soak-$i"
	wait_for 20 dead "$PID" || fail "cycle $i: the dumped tree still runs"
	at=$(last_line "$W/count")
	measured restore "$i" restore "soak-$i"
	assert_equal "$(cat "$W/out")" "$PID"
	wait_for 20 count_ge "$W/count" $((at + 2)) || fail "cycle $i: the restored tree does not count"
}

# max_of LABEL FIELD FROM TO: the largest FIELD (3: kB, 4: fds) of LABEL's
# rows for cycles FROM..TO.
max_of() {
	awk -v l="$1" -v f="$2" -v a="$3" -v b="$4" \
		'$1 == l && $2 >= a && $2 <= b && $f > m { m = $f } END { print m + 0 }' "$W/usage"
}

# No growth from the first EDGE cycles to the last EDGE, beyond the slack.
assert_no_growth() {
	local label=$1 field=$2 slack=$3 what=$4 early late
	early=$(max_of "$label" "$field" 1 "$EDGE")
	late=$(max_of "$label" "$field" $((CYCLES - EDGE + 1)) "$CYCLES")
	((early > 0)) || fail "$label: no $what measured"
	((late <= early + slack)) ||
		fail "$label: criuctl's $what grew from $early (cycles 1-$EDGE) to $late (the last $EDGE): $(cat "$W/usage")"
}

@test "soak: $CYCLES dump/restore cycles; the workload intact, criuctl flat, the store as retention says, nothing left" {
	((CYCLES >= 2 * EDGE)) || skip "SOAK_CYCLES=$CYCLES: at least $((2 * EDGE)) cycles compare early with late"
	start_summed_counter 4
	for ((i = 1; i <= CYCLES; i++)); do
		cycle "$i"
	done

	# The workload: counted 1, 2, 3, ... without a gap or a restart through
	# every cycle; the memory filled before the first dump is unchanged.
	assert_consecutive "$W/count"
	assert_equal "$(memory_sum)" "$SUM0"
	state_is_not "$PID" T
	assert_equal "$(awk '/^TracerPid:/ { print $2 }' "/proc/$PID/status")" 0

	# criuctl itself: one row per command, and no growth.
	assert_equal "$(wc -l <"$W/usage")" $((2 * CYCLES))
	assert_no_growth dump 3 "$SLACK_KB" "peak RSS (kB)"
	assert_no_growth restore 3 "$SLACK_KB" "peak RSS (kB)"
	assert_no_growth dump 4 "$SLACK_FDS" "open fds"
	assert_no_growth restore 4 "$SLACK_FDS" "open fds"

	# The store: the newest KEEP checkpoints, no failed attempt, nothing in
	# tmp/, and a lock file only for what is there.
	local want
	want=$(seq $((CYCLES - KEEP + 1)) "$CYCLES" | sed 's/^/soak-/' | sort)
	assert_equal "$(ls -A "$STORE/checkpoints" | sort)" "$want"
	assert_equal "$(ls -A "$STORE/failed")" ""
	assert_equal "$(ls -A "$STORE/tmp")" ""
	assert_equal "$(ls -A "$STORE/locks" | sort)" "$want"
	run ctl verify
	assert_success

	# Nothing of criu is left behind.
	wait_for 20 criu_gone || fail "criu is still running: $(ps -eo pid,stat,args | grep criu)"
	run nft list tables
	assert_success
	refute_output --partial CRIU
}
