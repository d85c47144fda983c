#!/usr/bin/env bats
# End-to-end: what a successful criu run gives criuctl's commands, with the
# real criu 4.2.1 of the guest.  These checks were CLI tests on the fake
# criu's canned success; here the values come from criu itself, so they are
# checked for shape and for agreement between the places that show them
# (the summary, --json, the manifest, show, list, log).  Few dumps, each
# checked for many things: a dump costs a real freeze.

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() {
	[[ -z ${CTL:-} ]] || kill -KILL "$CTL" 2>/dev/null || true # a criuctl of ctl_bg left by a failed test
	common_teardown
}

# A `sleep 1000` tree started the checkpointable way; its pid in $PID.
start_sleep() {
	start sleep 1000 || return 1
	PID=$REPLY
}

@test "a real dump: summary, --json, manifest, show, list and log agree with criu's stats" {
	start_sleep
	run --separate-stderr ctl dump -t "$PID" -n ck1
	assert_success
	local ck=$STORE/checkpoints/ck1 m=$STORE/checkpoints/ck1/manifest.json summary=$output
	# not on a TTY: no control characters (no progress line, no colour)
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$output$stderr"; then
		fail "control characters in output: $(cat -v <<<"$output$stderr")"
	fi
	wait_for 10 dead "$PID"
	# the committed checkpoint, as criu left its images and log
	assert_file_exists "$ck/images/pstree.img"
	assert_file_exists "$ck/images/core-$PID.img"
	assert_file_exists "$ck/images/pages-1.img"
	run -0 grep -c "Dumping finished successfully" "$ck/dump.log"
	assert_output 1
	# the manifest: who, when, what, and criu's stats as criu wrote them
	assert_equal "$(jq -r .name "$m")" ck1
	[[ $(jq -r .created "$m") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		fail "created: $(jq -r .created "$m")"
	[[ $(criu --version) == *"Version: $(jq -r .criu_version "$m")"* ]] ||
		fail "criu_version $(jq -r .criu_version "$m") is not what criu --version says"
	[[ $(jq -r .kernel "$m") == *"$(uname -r)"* ]] || fail "kernel: $(jq -r .kernel "$m")"
	assert_equal "$(jq -r .tree.root_pid "$m")" "$PID"
	assert_equal "$(jq -r '.tree.processes | length' "$m")" 1
	assert_equal "$(jq -r '.tree.processes[0] | [.pid, .sid, .pgid, .comm, .cmdline] | join(",")' "$m")" \
		"$PID,$PID,$PID,sleep,sleep 1000"
	assert_equal "$(jq -r '[.options.leave_running, .options.tcp_established, .pre_dumps] | join(",")' "$m")" \
		false,false,0
	local frozen written
	frozen=$(jq -r .stats.frozen_time_us "$m")
	written=$(jq -r .stats.pages_written "$m")
	((frozen > 0)) || fail "frozen_time_us: $frozen"
	(($(jq -r .stats.freezing_time_us "$m") > 0)) || fail "freezing_time_us"
	(($(jq -r .stats.memdump_time_us "$m") > 0)) || fail "memdump_time_us"
	((written > 0 && written <= $(jq -r .stats.pages_scanned "$m"))) || fail "pages_written $written"
	# images_bytes is what the seal lists, and what is on disk
	assert_equal "$(jq -r .images_bytes "$m")" "$(jq '[.files[].size] | add' "$m")"
	assert_equal "$(jq -r .images_bytes "$m")" "$(find "$ck/images" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')"
	[[ $(jq -r .duration_ms "$m") =~ ^[0-9]+$ ]] || fail "duration_ms"
	assert_equal "$(jq -r '.criu_argv[0:2] | join(" ")' "$m")" "/usr/sbin/criu dump"
	jq -e --arg t "--tree=$PID" '.criu_argv | index("-v4") and index($t) and index("--no-default-config")' "$m" >/dev/null ||
		fail "criu_argv: $(jq -c .criu_argv "$m")"
	# the summary prints the manifest's numbers
	run -0 printf "%s\n" "$summary"
	assert_line "checkpoint ck1"
	assert_output --regexp "tree +$PID \(sleep\), 1 process, stopped"
	assert_output --partial "(frozen $(awk -v f="$frozen" 'BEGIN { printf "%.1f", f / 1000 }') ms)"
	assert_output --partial "pages     $written written"
	assert_output --partial "$ck"
	# modes: the store's directories 0700, its files 0600; nothing left over
	local d f
	for d in "$STORE" "$STORE/checkpoints" "$STORE/failed" "$STORE/tmp" "$ck" "$ck/images"; do
		assert_equal "$d: $(stat -c %a "$d")" "$d: 700"
	done
	for f in "$m" "$ck"/images/*; do
		assert_equal "$f: $(stat -c %a "$f")" "$f: 600"
	done
	assert_equal "$(ls -A "$STORE/tmp" "$STORE/failed" | grep -v ':$' | grep -c .)" 0
	# list, show and log read the same checkpoint
	run --separate-stderr ctl list
	assert_line --index 0 --regexp '^NAME +CREATED +PID +SIZE +STATUS +COMMAND$'
	assert_line --index 1 --regexp "^ck1 +[0-9T:Z-]+ +$PID +[0-9.]+ [KM]?i?B +ok +sleep 1000$"
	run --separate-stderr ctl show ck1
	assert_equal "$(jq -n --argjson a "$output" --slurpfile b "$m" '$a == $b[0]')" true
	run --separate-stderr ctl log ck1
	assert_equal "$output" "$(cat "$ck/dump.log")"
	run --separate-stderr ctl verify ck1
	assert_success

	# --json: one document, the same numbers as its manifest
	start_sleep
	run --separate-stderr ctl --criu /usr/sbin/criu --json dump -t "$PID" -n ck2
	assert_success
	assert_equal "$stderr" ""
	# next: the restore command line, with the store and criu given, as argv and line
	assert_equal "$(jq -c .next.argv <<<"$output")" \
		"$(jq -cn --arg s "$STORE" '["criuctl","--store",$s,"--criu","/usr/sbin/criu","restore","ck2"]')"
	assert_equal "$(jq -r .next.command <<<"$output")" "criuctl --store $STORE --criu /usr/sbin/criu restore ck2"
	m=$STORE/checkpoints/ck2/manifest.json
	assert_equal "$(jq -s length <<<"$output")" 1
	assert_equal "$(jq -r '[.ok, .command, .name, .path, .root_pid, .processes, .leave_running] | join(",")' <<<"$output")" \
		"true,dump,ck2,$(readlink -f "$STORE")/checkpoints/ck2,$PID,1,false"
	assert_equal "$(jq -r .frozen_time_us <<<"$output")" "$(jq -r .stats.frozen_time_us "$m")"
	assert_equal "$(jq -r .pages_written <<<"$output")" "$(jq -r .stats.pages_written "$m")"
	assert_equal "$(jq -r .images_bytes <<<"$output")" "$(jq -r .images_bytes "$m")"
	assert_equal "$(jq -r .duration_ms <<<"$output")" "$(jq -r .duration_ms "$m")"
}

@test "a real dump: the default name, -R, -q, a tree of three, --pidfile, the store made on demand; next quotes the store, or names none" {
	# default name COMM-PID-yyyymmddThhmmss (UTC); -R keeps the tree running
	start_sleep
	local before after name
	before=$(date -u +%Y%m%dT%H%M%S)
	run --separate-stderr ctl --json dump -R -t "$PID"
	assert_success
	after=$(date -u +%Y%m%dT%H%M%S)
	name=$(jq -r .name <<<"$output")
	[[ $name =~ ^sleep-$PID-([0-9]{8}T[0-9]{6})$ ]] || fail "name: $name"
	[[ ! ${BASH_REMATCH[1]} < $before && ! ${BASH_REMATCH[1]} > $after ]] || fail "$name not in [$before, $after]"
	assert_equal "$(jq -r .leave_running <<<"$output")" true
	alive "$PID"
	state_is_not "$PID" T
	local m=$STORE/checkpoints/$name/manifest.json
	assert_equal "$(jq -r .options.leave_running "$m")" true
	jq -e '.criu_argv | index("--leave-running")' "$m" >/dev/null || fail "$(jq -c .criu_argv "$m")"
	run -0 grep -c "Unfreezing tasks" "$STORE/checkpoints/$name/dump.log"
	# the human summary of a dump that left the tree running; -q silences stderr
	run --separate-stderr ctl -q dump -R -t "$PID" -n kept
	assert_success
	assert_equal "$stderr" ""
	assert_output --regexp "tree +$PID \(sleep\), 1 process, left running"
	alive "$PID"

	# three processes, root first, children by ppid; --pidfile names the root
	start sh -c 'sleep 1000 & sleep 1000 & wait'
	PID=$REPLY
	echo "$PID" >"$W/root.pid"
	wait_for 10 eval '(($(grep -l "^PPid:[[:space:]]*$PID\$" /proc/[0-9]*/status 2>/dev/null | wc -l) == 2))' ||
		fail "the workload's children did not start"
	local odd="$W/it's a store"
	run --separate-stderr criuctl --store "$odd" --json dump --pidfile "$W/root.pid" -n three
	assert_success
	assert_equal "$(jq -r '[.root_pid, .processes] | join(",")' <<<"$output")" "$PID,3"
	# next quotes the store for the shell
	assert_equal "$(jq -r .next.command <<<"$output")" "criuctl --store '$W/it'\\''s a store' restore three"
	eval "set -- $(jq -r .next.command <<<"$output")"
	assert_equal "$3" "$odd"
	m=$odd/checkpoints/three/manifest.json
	assert_equal "$(jq -r '[.tree.processes[] | .ppid] | .[1:] | join(",")' "$m")" "$PID,$PID"
	assert_equal "$(jq -r '[.tree.processes[] | .comm] | join(",")' "$m")" "sh,sleep,sleep"
	assert_equal "$(stat -c %a "$odd")" 700
	wait_for 10 dead "$PID"

	# [store] root from the configuration: next names no store
	start_sleep
	printf '[store]\nroot = %s\n' "$STORE" >"$W/root.conf"
	CRIUCTL_CONFIG=$W/root.conf run --separate-stderr criuctl dump -R -t "$PID" -n rooted
	assert_success
	assert_equal "${stderr##*$'\n'}" "next: criuctl restore rooted"
}

@test "a real dump with criu's flags (from the command line; from config and a profile): criu ran with them, the manifest records them, it restores" {
	start_sleep
	run --separate-stderr ctl dump -t "$PID" -n flags \
		--tcp-established --ext-unix-sk -j -l --network-lock nftables --manage-cgroups soft \
		--skip-mnt /mnt/one --skip-mnt /mnt/two --external 'mnt[/data]:data' \
		--criu-opt --link-remap --criu-opt --ghost-limit=1M
	assert_success
	local m=$STORE/checkpoints/flags/manifest.json
	assert_equal "$(jq -r '[.options | .tcp_established, .ext_unix_sk, .shell_job, .file_locks, .network_lock, .manage_cgroups] | join(",")' "$m")" \
		"true,true,true,true,nftables,soft"
	assert_equal "$(jq -c .options.criu_opt "$m")" '["--link-remap","--ghost-limit=1M"]'
	assert_equal "$(jq -c .options.skip_mnt "$m")" '["/mnt/one","/mnt/two"]'
	assert_equal "$(jq -c .options.external "$m")" '["mnt[/data]:data"]'
	local argv
	argv=$(jq -r '.criu_argv | join(" ")' "$m")
	for flag in --tcp-established --ext-unix-sk --shell-job --file-locks --network-lock=nftables \
		--manage-cgroups=soft "--skip-mnt /mnt/one --skip-mnt /mnt/two" "--external mnt[/data]:data"; do
		[[ " $argv " == *" $flag "* ]] || fail "no $flag in: $argv"
	done
	[[ $argv == *" --link-remap --ghost-limit=1M" ]] || fail "raw options not last: $argv"
	wait_for 10 dead "$PID"
	local dumped=$PID

	# the manifest's options are the effective values of config, profile
	# and command line
	printf '%s\n' "[dump]" "file_locks = on" "external = mnt[/a]:a" "stall_timeout = 30" \
		"criu_opt = --link-remap" "[profile.p]" "ext_unix_sk = yes" "criu_opt = --ghost-limit=1M" \
		"stall_timeout = 1m" >"$W/eff.conf"
	start_sleep
	run ctl -c "$W/eff.conf" -q dump -R -t "$PID" -n eff --profile p --external 'mnt[/b]:b' --stall-timeout 90
	assert_success
	m=$STORE/checkpoints/eff/manifest.json
	assert_equal "$(jq -c '.options | {file_locks, ext_unix_sk, shell_job, external, criu_opt, stall_timeout, timeout} | (.stall_timeout, .timeout) |= floor' "$m")" \
		'{"file_locks":true,"ext_unix_sk":true,"shell_job":false,"external":["mnt[/b]:b"],"criu_opt":["--ghost-limit=1M"],"stall_timeout":90,"timeout":600}'
	argv=$(jq -r '.criu_argv | join(" ")' "$m")
	[[ $argv == *" --ghost-limit=1M"* && $argv != *--link-remap* ]] || fail "$argv"
	assert_equal "$(jq '.criu_argv | map(select(. == "--external")) | length' "$m")" 1
	kill -KILL "$PID"
	wait_for 10 dead "$PID"
	# restore: criu's log shows the options it got; the tree runs again
	run --separate-stderr ctl restore flags
	assert_success
	assert_output "$dumped"
	alive "$dumped"
	local log=$STORE/checkpoints/flags/restore.log
	assert_file_exists "$log"
	run -0 grep -c "Restore finished successfully" "$log"
}

@test "a real restore: the pid on stdout, --pidfile, --json, restore.log kept; --wait: the root's exit status, 128+N, SIGTERM handed on" {
	start_sleep
	run ctl -q dump -t "$PID" -n ck1
	assert_success
	wait_for 10 dead "$PID"
	run --separate-stderr ctl restore ck1 --pidfile "$W/r.pid"
	assert_success
	assert_output "$PID"
	[[ $stderr == *"$PID"* ]] || fail "no human message naming the pid: $stderr"
	assert_equal "$(cat "$W/r.pid")" "$PID"
	assert_equal "$(cat "/proc/$PID/comm")" sleep
	local ck=$STORE/checkpoints/ck1
	run -0 grep -c "Restore finished successfully. Tasks resumed." "$ck/restore.log"
	assert_file_exists "$ck/dump.log"
	assert_file_exists "$ck/manifest.json"
	assert_equal "$(ls -A "$STORE/tmp" "$STORE/failed" | grep -v ':$' | grep -c .)" 0
	# --json, after a second dump of the restored tree
	run ctl -q dump -t "$PID" -n ck2
	assert_success
	wait_for 10 dead "$PID"
	run --separate-stderr ctl --json restore ck2
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(jq -r '[.ok, .name, .pid] | join(",")' <<<"$output")" "true,ck2,$PID"
	alive "$PID"

	# --wait: the restored root killed by a signal gives 128+N; criuctl
	# killed by SIGTERM hands it to the restored root and exits 143
	run ctl -q dump -t "$PID" -n ck3
	assert_success
	wait_for 10 dead "$PID"
	ctl_bg restore --wait ck3 --pidfile "$W/w.pid"
	wait_for 10 test -s "$W/w.pid"
	assert_equal "$(cat "$W/w.pid")" "$PID"
	kill -KILL "$PID"
	ctl_bg_exits 137
	rm "$W/w.pid"
	ctl_bg restore --wait ck3 --pidfile "$W/w.pid"
	wait_for 10 test -s "$W/w.pid"
	alive "$PID"
	kill -TERM "$CTL"
	ctl_bg_exits 143
	wait_for 10 dead "$PID" || fail "the restored root outlived criuctl --wait"

	# [restore] wait = true, as --wait: a tree that exits 7 once told to
	start sh -c "while [ ! -e '$W/go' ]; do sleep 0.1; done; exit 7"
	PID=$REPLY
	run ctl -q dump -t "$PID" -n waits
	assert_success
	wait_for 10 dead "$PID"
	touch "$W/go"
	printf '[restore]\nwait = true\n' >"$W/wait.conf"
	run --separate-stderr ctl -c "$W/wait.conf" restore waits
	assert_equal "$status" 7
	assert_output ""
	run --separate-stderr ctl --json restore --wait waits
	assert_equal "$status" 7
	assert_equal "$(jq -r '[.exit_status, .pid] | join(",")' <<<"$output")" "7,$PID"
}

@test "[store] keep = 2: real dumps leave the newest two, each with its lock file (0600); -v says what retention removed, -q nothing" {
	printf '[store]\nkeep = 2\n' >"$W/keep.conf"
	local i
	start_sleep
	for i in 1 2 3 4; do
		run --separate-stderr ctl -c "$W/keep.conf" --json dump -R -t "$PID" -n "k$i"
		assert_success
	done
	# the last dump pruned k2, the one before it k1
	assert_equal "$(jq -c .pruned <<<"$output")" '["k2"]'
	assert_equal "$(ls "$STORE/checkpoints" | tr '\n' ' ')" "k3 k4 "
	assert_equal "$(ls "$STORE/locks" | tr '\n' ' ')" "k3 k4 "
	assert_equal "$(stat -c %a "$STORE/locks") $(stat -c %a "$STORE/locks/k3")" "700 600"
	# retention's removals are said with -v only (before or after the
	# command); -q after the command silences stderr
	run --separate-stderr ctl -c "$W/keep.conf" dump -R -t "$PID" -n k5 -v
	assert_success
	[[ $stderr == *"retention: removed k3"* ]] || fail "no detail with -v after dump: $stderr"
	run --separate-stderr ctl -c "$W/keep.conf" -v dump -R -t "$PID" -n k6
	[[ $stderr == *"retention: removed k4"* ]] || fail "no detail with -v before dump: $stderr"
	run --separate-stderr ctl -c "$W/keep.conf" dump -R -t "$PID" -n k7
	[[ $stderr != *"retention: removed"* ]] || fail "detail without -v: $stderr"
	run --separate-stderr ctl -c "$W/keep.conf" dump -R -t "$PID" -n k8 -q
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(ls "$STORE/checkpoints" | tr '\n' ' ')" "k7 k8 "
	run ctl verify k7 k8
	assert_success
}

@test "criuctl SIGKILLed once real criu was told to go on: reading commands leave tmp/ alone; recover commits it, as NAME.recovered when NAME was taken meanwhile" {
	start_sleep
	run ctl -q dump -t "$PID" -n other
	assert_success
	start_sleep
	CRIUCTL_FAULT=decided ctl_bg dump -t "$PID" -n later
	wait_for 60 state_is "$CTL" T || fail "criuctl never reached 'decided': $(cat "$W/out")"
	kill -KILL "$CTL"
	ctl_bg_exits 137
	wait_for 20 criu_gone || fail "criu or its guard still runs"
	local entry before
	entry=$(ls "$STORE/tmp")
	before=$(find "$STORE" -printf '%p %s %T@\n' | sort)
	run --separate-stderr ctl list
	assert_success
	[[ $stderr == *"criuctl: tmp/$entry: left by a criuctl that ended; the next dump, restore, rm or prune resolves it"* ]] ||
		fail "stderr: $stderr"
	refute_output --partial later
	run --separate-stderr ctl --json list --failed
	assert_equal "$(jq -r '.pending | join(" ")' <<<"$output")" "$entry"
	run -5 ctl show later
	run -5 ctl log later
	run -0 ctl verify
	assert_equal "$(find "$STORE" -printf '%p %s %T@\n' | sort)" "$before"
	# the name is taken meanwhile (a checkpoint renamed by hand)
	mv "$STORE/checkpoints/other" "$STORE/checkpoints/later"
	run --separate-stderr ctl --json recover
	assert_success
	assert_equal "$(jq -r '.recovered[0]' <<<"$output")" \
		"later: criuctl ended after criu had checkpointed the tree; committed as checkpoint later.recovered"
	run --separate-stderr ctl --json list
	assert_equal "$(jq -r '[.checkpoints[] | .name + ":" + .status] | join(" ")' <<<"$output")" \
		"later:ok later.recovered:recovered"
	assert_equal "$(jq -r .name "$STORE/checkpoints/later.recovered/manifest.json")" later.recovered
	run ctl verify later.recovered
	assert_success
	run --separate-stderr ctl restore later.recovered
	assert_success
	assert_output "$PID"
}

@test "a real dump of command lines with a newline, a tab, an ESC, a byte that is not UTF-8: exact in JSON, escaped in text" {
	# sh stays the root (the "; :" keeps it from exec'ing sleep)
	start sh -c 'sleep 1000; :' $'a\nb\tc\e[0m'
	local utf8=$REPLY
	start sh -c 'sleep 1000; :' $'a\nb\tc\e[0m\xff'
	local bytes=$REPLY
	run ctl -q dump -R -t "$utf8" -n odd1
	assert_success
	run ctl -q dump -R -t "$bytes" -n odd2
	assert_success
	run --separate-stderr ctl --json list
	assert_success
	# UTF-8: argv is the command line, exactly
	assert_equal "$(jq -r '.checkpoints[0].argv_base64' <<<"$output")" null
	cmp <(jq -j '.checkpoints[0].argv[] + "\u0000"' <<<"$output") "/proc/$utf8/cmdline" ||
		fail "argv differs from /proc/$utf8/cmdline: $(jq -c '.checkpoints[0].argv' <<<"$output")"
	assert_equal "$(jq -r '.checkpoints[0].command' <<<"$output")" $'sh -c sleep 1000; : a\nb\tc\e[0m'
	# not UTF-8: argv_base64 round-trips; argv and command write the byte \xff
	cmp <(jq -r '.checkpoints[1].argv_base64' <<<"$output" | base64 -d) "/proc/$bytes/cmdline" ||
		fail "argv_base64 is not /proc/$bytes/cmdline"
	assert_equal "$(jq -r '.checkpoints[1].argv[3]' <<<"$output")" $'a\nb\tc\e[0m\\xff'
	assert_equal "$(jq -r '.checkpoints[1].command' <<<"$output")" $'sh -c sleep 1000; : a\nb\tc\e[0m\\xff'
	# show: the manifest keeps the same
	run --separate-stderr ctl show odd1
	cmp <(jq -j '.tree.processes[0].argv[] + "\u0000"' <<<"$output") "/proc/$utf8/cmdline" ||
		fail "the manifest's argv differs from /proc/$utf8/cmdline"
	# text: escaped, no raw control characters or bytes
	run --separate-stderr ctl list
	assert_line --regexp '^odd2 .* sh -c sleep 1000; : a\\nb\\tc\\x1b\[0m\\xff$'
	if LC_ALL=C grep -q $'[\x01-\x1f\x7f-\xff]' <<<"${lines[1]}${lines[2]}"; then
		fail "raw bytes in the listing: $(cat -v <<<"$output")"
	fi
}
