#!/usr/bin/env bats
# Configuration seen from outside: `criuctl config` (values and origins),
# [profile.NAME] sections, and the precedence built-in < [dump] <
# [profile.NAME] < command line, checked on the argv the fake criu records
# (it then fails as real criu did) and on the deadlines in the failed
# attempt's report.  Also: config errors inside profiles and [store] root.
# What the manifest records of the effective options, and [restore] wait,
# are tested with real criu: tests/e2e/cli_real.bats.

load helpers

# Every key of the configuration, "section.key", in the order `config` prints them.
# [dump] and [restore]: criu's flags in the flag table's order (src/core/flags.c),
# then criuctl's own keys of the section.
ALL_KEYS="criu.path criu.env store.root store.keep store.keep_failed store.sync \
dump.leave_running dump.network_lock dump.tcp_established dump.ext_unix_sk \
dump.shell_job dump.file_locks dump.manage_cgroups dump.external dump.skip_mnt \
dump.timeout dump.stall_timeout dump.criu_opt dump.auto_flags restore.external restore.lazy \
restore.timeout restore.stall_timeout restore.criu_opt restore.root restore.wait \
restore.verify kata.root"

conf() {
	printf '%s\n' "$@" >"$CRIUCTL_CONFIG"
}

# `criuctl config` without --store/--criu: what a user types.
config_cmd() {
	timeout -k 5 30 "$CRIUCTL" "$@"
}

# A field of one key in the JSON of `criuctl --json config` ($output).
key_field() {
	json_get "[.keys[] | select(.section == \"$1\" and .key == \"$2\")][0].$3"
}

# Dump the running workload ($WPID, left running) as NAME with extra
# options, criu recording its argv and failing; $ARGV is then criu's
# command line on one line, $REPORT the failed attempt's report.json.
dump_as() {
	local name=$1
	shift
	rm -f "$FAKE_CRIU_ARGV"
	criu_records
	run -1 --separate-stderr criuctl -q dump -R -t "$WPID" -n "$name" "$@"
	ARGV=" $(criu_argv)"
	REPORT=$(only_entry "$STORE/failed" "$name.*")/report.json
}

# The values given to a repeated criu option in $ARGV, comma-separated.
argv_values() {
	local opt=$1 out=() i
	local -a words
	read -r -a words <<<"$ARGV"
	for ((i = 0; i < ${#words[@]}; i++)); do
		[[ ${words[i]} == "$opt" ]] && out+=("${words[i + 1]}")
	done
	local IFS=,
	echo "${out[*]}"
}

@test "config without a config file: every key, origin built-in, '# no config file'" {
	[[ ! -e /etc/criuctl/criuctl.conf ]] || skip "/etc/criuctl/criuctl.conf exists on this host"
	export CRIUCTL_CONFIG=
	run -0 --separate-stderr config_cmd config
	assert_line --index 0 --partial "# no config file"
	local -a want
	read -r -a want <<<"$ALL_KEYS"
	assert_equal "${#lines[@]}" $((${#want[@]} + 1))
	local i sec key
	for i in "${!want[@]}"; do
		sec=${want[i]%%.*} key=${want[i]#*.}
		[[ ${lines[i + 1]} =~ ^$sec\ +$key\ +=\ .*#\ built-in$ ]] ||
			fail "line $((i + 1)) is not '$sec $key = ... # built-in': ${lines[i + 1]}"
	done
	assert_line --regexp '^store +root += /var/lib/criuctl +# built-in$'
	assert_line --regexp '^store +keep_failed += 20 +# built-in$'
	assert_line --regexp '^dump +timeout += 600 +# built-in$'
	assert_line --regexp '^dump +stall_timeout += 120 +# built-in$'
	assert_line --regexp '^dump +auto_flags += true +# built-in$'
	assert_line --regexp '^restore +wait += false +# built-in$'

	run -0 --separate-stderr config_cmd --json config
	assert_one_json
	assert_equal "$(json_get .ok)" true
	assert_equal "$(json_get .file)" null
	assert_equal "$(json_get .profile)" null
	assert_equal "$(json_get '.keys | length')" "${#want[@]}"
	assert_equal "$(json_get '[.keys[].origin] | unique')" '["built-in"]'
	assert_equal "$(json_get '[.keys[] | .section + "." + .key] | join(" ")')" "$ALL_KEYS"
}

@test "config with a file: FILE:LINE for the keys it sets, built-in for the others" {
	conf "# criuctl.conf" \
		"[store]" \
		"keep = 3" \
		"" \
		"[dump]" \
		"timeout = 5m" \
		"skip_mnt = /a, /b" \
		"skip_mnt = /c" \
		"[restore]" \
		"wait = yes"
	run -0 --separate-stderr config_cmd config
	assert_line --index 0 "# $CRIUCTL_CONFIG"
	assert_line --regexp "^store +keep += 3 +# $CRIUCTL_CONFIG:3$"
	assert_line --regexp "^dump +timeout += 300 +# $CRIUCTL_CONFIG:6$"
	# A list's origin is the last line that added to it.
	assert_line --regexp "^dump +skip_mnt += /a, /b, /c +# $CRIUCTL_CONFIG:8$"
	assert_line --regexp "^restore +wait += true +# $CRIUCTL_CONFIG:10$"
	assert_line --regexp '^store +root += /var/lib/criuctl +# built-in$'
	assert_line --regexp '^dump +network_lock += +# built-in$'
	# Exactly four keys come from the file.
	local from_file
	from_file=$(grep -c "# $CRIUCTL_CONFIG:" <<<"$output")
	assert_equal "$from_file" 4
}

@test "--json config: keys[] with section, key, value and origin" {
	conf "[dump]" "tcp_established = on" "external = mnt[/data]:data" "[criu]" "env = A=1" \
		"[restore]" "timeout = 12d"
	run -0 --separate-stderr config_cmd --json config
	assert_one_json
	assert_equal "$(json_get .file)" "$CRIUCTL_CONFIG"
	assert_equal "$(json_get '[.keys[] | keys | sort] | unique')" '[["key","origin","section","value"]]'
	assert_equal "$(key_field dump tcp_established value)" true
	assert_equal "$(key_field dump tcp_established origin)" "$CRIUCTL_CONFIG:2"
	assert_equal "$(key_field dump external value)" "mnt[/data]:data"
	assert_equal "$(key_field dump external origin)" "$CRIUCTL_CONFIG:3"
	assert_equal "$(key_field criu env value)" "A=1"
	assert_equal "$(key_field criu env origin)" "$CRIUCTL_CONFIG:5"
	assert_equal "$(key_field dump shell_job value)" false
	assert_equal "$(key_field dump shell_job origin)" built-in
	assert_equal "$(key_field dump timeout value)" 600
	assert_equal "$(key_field store keep value)" 0
	assert_equal "$(key_field restore root value)" ""
	# A long duration is a plain number of seconds, not 1.0368e+06.
	assert_equal "$(key_field restore timeout value)" 1036800
	assert_equal "$(key_field restore timeout origin)" "$CRIUCTL_CONFIG:7"
}

@test "config --profile P: the profile's values, origin 'FILE:LINE [profile.P]'" {
	conf "[dump]" \
		"timeout = 1h" \
		"skip_mnt = /from-dump" \
		"tcp_established = true" \
		"[profile.fast]" \
		"timeout = 30" \
		"skip_mnt = /p1" \
		"skip_mnt = /p2, /p3" \
		"network_lock = skip" \
		"[profile.other]" \
		"timeout = 2m"
	run -0 --separate-stderr config_cmd config --profile fast
	assert_line --index 0 "# $CRIUCTL_CONFIG, profile fast"
	assert_line --regexp "^dump +timeout += 30 +# $CRIUCTL_CONFIG:6 \[profile\.fast\]$"
	assert_line --regexp "^dump +skip_mnt += /p1, /p2, /p3 +# $CRIUCTL_CONFIG:8 \[profile\.fast\]$"
	assert_line --regexp "^dump +network_lock += skip +# $CRIUCTL_CONFIG:9 \[profile\.fast\]$"
	# What the profile does not set keeps its [dump] value and origin.
	assert_line --regexp "^dump +tcp_established += true +# $CRIUCTL_CONFIG:4$"
	refute_output --partial "[profile.other]"

	run -0 --separate-stderr config_cmd --json config --profile other
	assert_equal "$(json_get .profile)" other
	assert_equal "$(key_field dump timeout value)" 120
	assert_equal "$(key_field dump timeout origin)" "$CRIUCTL_CONFIG:11 [profile.other]"
	assert_equal "$(key_field dump skip_mnt value)" /from-dump
	assert_equal "$(key_field dump skip_mnt origin)" "$CRIUCTL_CONFIG:3"

	# Without --profile, profiles change nothing.
	run -0 --separate-stderr config_cmd --json config
	assert_equal "$(key_field dump timeout value)" 3600
	assert_equal "$(key_field dump skip_mnt value)" /from-dump
	assert_equal "$(json_get '[.keys[].origin | select(contains("profile"))] | length')" 0
}

@test "an unknown profile: exit 2, no-such-profile, naming the profile (config and dump)" {
	conf "[profile.fast]" "timeout = 30"
	run -2 --separate-stderr config_cmd config --profile slow
	assert_equal "$output" ""
	[[ $stderr == *"[profile.slow]"* ]] || fail "the profile is not named: $stderr"
	[[ $stderr == *"$CRIUCTL_CONFIG"* ]] || fail "the file is not named: $stderr"
	run -2 --separate-stderr config_cmd --json config --profile slow
	assert_json_error 2 no-such-profile
	[[ $(json_get .error.message) == *"[profile.slow]"* ]] || fail "$output"

	workload
	run -2 --separate-stderr criuctl --json dump -R -t "$WPID" -n p --profile slow
	assert_json_error 2 no-such-profile
	[[ $(json_get .error.message) == *slow* ]] || fail "$output"
	assert_file_not_exists "$FAKE_CRIU_ARGV"
	assert_file_not_exists "$STORE"
	alive "$WPID"

	# Without any config file, too.
	: >"$CRIUCTL_CONFIG"
	run -2 --separate-stderr config_cmd --json config --profile fast
	assert_json_error 2 no-such-profile
	[[ $(json_get .error.message) == *"[profile.fast]"* ]] || fail "$output"
}

@test "precedence of scalars (timeout, network_lock, manage_cgroups): built-in < [dump] < profile < command line" {
	workload
	# Built-in: criuctl's own deadline, criu's own defaults (no option).
	dump_as builtin
	[[ $ARGV != *--network-lock* ]] || fail "$ARGV"
	[[ $ARGV != *--manage-cgroups* ]] || fail "$ARGV"
	assert_equal "$(jq -c '[.timeout_s, .stall_timeout_s]' "$REPORT")" '[600,120]'

	conf "[dump]" "timeout = 5m" "network_lock = iptables" "manage_cgroups = soft" \
		"[profile.p]" "timeout = 2m" "network_lock = nftables" "manage_cgroups = full"
	dump_as from-dump
	[[ $ARGV == *" --network-lock=iptables "* ]] || fail "$ARGV"
	[[ $ARGV == *" --manage-cgroups=soft "* ]] || fail "$ARGV"
	assert_equal "$(jq -c .timeout_s "$REPORT")" 300

	dump_as from-profile --profile p
	[[ $ARGV == *" --network-lock=nftables "* ]] || fail "$ARGV"
	[[ $ARGV == *" --manage-cgroups=full "* ]] || fail "$ARGV"
	[[ $ARGV != *iptables* && $ARGV != *=soft* ]] || fail "[dump] leaked: $ARGV"
	assert_equal "$(jq -c .timeout_s "$REPORT")" 120

	dump_as from-cli --profile p --timeout 45 --network-lock skip --manage-cgroups none
	[[ $ARGV == *" --network-lock=skip "* ]] || fail "$ARGV"
	[[ $ARGV == *" --manage-cgroups=none "* ]] || fail "$ARGV"
	[[ $ARGV != *nftables* && $ARGV != *=full* ]] || fail "the profile leaked: $ARGV"
	assert_equal "$(jq -c .timeout_s "$REPORT")" 45
}

@test "precedence of a boolean: tcp_established in [dump], off in the profile, on again on the command line" {
	workload
	dump_as builtin
	[[ $ARGV != *--tcp-established* ]] || fail "$ARGV"

	conf "[dump]" "tcp_established = true" "network_lock = skip" \
		"[profile.off]" "tcp_established = false"
	dump_as from-dump
	[[ $ARGV == *" --tcp-established "* ]] || fail "$ARGV"

	dump_as cli-off --no-tcp-established
	[[ $ARGV != *--tcp-established* ]] || fail "--no-tcp-established did not win: $ARGV"

	dump_as profile-off --profile off
	[[ $ARGV != *--tcp-established* ]] || fail "the profile did not win: $ARGV"

	dump_as cli-on --profile off --tcp-established
	[[ $ARGV == *" --tcp-established "* ]] || fail "the command line did not win: $ARGV"
}

@test "precedence of a list: skip_mnt of [dump] < the profile's < --skip-mnt; each accumulates within its level" {
	conf "[dump]" "skip_mnt = /d1, /d2" "external = mnt[/x]:x" "skip_mnt = /d3" \
		"[profile.p]" "skip_mnt = /p1" "timeout = 60" "skip_mnt = /p2,/p3"
	workload
	dump_as from-dump
	assert_equal "$(argv_values --skip-mnt)" /d1,/d2,/d3

	dump_as from-profile --profile p
	assert_equal "$(argv_values --skip-mnt)" /p1,/p2,/p3
	# A list the profile does not set stays as [dump] has it.
	assert_equal "$(argv_values --external)" "mnt[/x]:x"

	dump_as from-cli --profile p --skip-mnt /c1 --skip-mnt /c2
	assert_equal "$(argv_values --skip-mnt)" /c1,/c2
}

@test "--profile lies under the command line wherever it stands; --profile=NAME works" {
	conf "[dump]" "network_lock = iptables" \
		"[profile.p]" "network_lock = nftables" "skip_mnt = /p" "shell_job = true"
	workload
	dump_as late --skip-mnt /cli --network-lock skip --no-shell-job --profile p
	assert_equal "$(argv_values --skip-mnt)" /cli
	[[ $ARGV == *" --network-lock=skip "* ]] || fail "$ARGV"
	[[ $ARGV != *--shell-job* ]] || fail "$ARGV"

	dump_as eq --profile=p
	assert_equal "$(argv_values --skip-mnt)" /p
	[[ $ARGV == *" --network-lock=nftables "* ]] || fail "$ARGV"
	[[ $ARGV == *" --shell-job "* ]] || fail "$ARGV"
}

@test "each --no-FLAG turns off exactly its flag" {
	conf "[dump]" "leave_running = true" "tcp_established = true" "ext_unix_sk = true" \
		"shell_job = true" "file_locks = true" "network_lock = skip"
	local flag other
	for flag in leave-running tcp-established ext-unix-sk shell-job file-locks; do
		workload
		rm -f "$FAKE_CRIU_ARGV"
		criu_records
		run -1 --separate-stderr criuctl -q dump -t "$WPID" -n "no-$flag" "--no-$flag"
		ARGV=" $(criu_argv)"
		[[ $ARGV != *" --$flag "* ]] || fail "--no-$flag: --$flag still passed: $ARGV"
		for other in leave-running tcp-established ext-unix-sk shell-job file-locks; do
			[[ $other == "$flag" || $ARGV == *" --$other "* ]] ||
				fail "--no-$flag also dropped --$other: $ARGV"
		done
	done
}

@test "auto_flags: the preflight adds --tcp-established; not with --no-auto-flags or auto_flags = false in a profile" {
	command -v python3 >/dev/null || skip "python3 is needed for a workload with a TCP connection"
	local ready=$BATS_TEST_TMPDIR/ready
	workload python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
open(sys.argv[1], "w").write("up"); time.sleep(1000)' "$ready"
	wait_file "$ready"
	conf "[dump]" "network_lock = skip" "[profile.manual]" "auto_flags = false"
	dump_as auto
	[[ $ARGV == *" --tcp-established "* ]] || fail "not added: $ARGV"
	dump_as cli-off --no-auto-flags
	[[ $ARGV != *--tcp-established* ]] || fail "added despite --no-auto-flags: $ARGV"
	dump_as profile-off --profile manual
	[[ $ARGV != *--tcp-established* ]] || fail "added despite auto_flags = false: $ARGV"
	dump_as cli-on --profile manual --auto-flags
	[[ $ARGV == *" --tcp-established "* ]] || fail "--auto-flags did not win: $ARGV"
}

# FILE:LINE of the first bad line, for every kind of mistake inside profiles.
@test "config errors in profiles name FILE:LINE (whether the profile is used or not)" {
	local -a cases=(
		# lines ||| line number ||| what the message must contain
		"[profile.p]|timeout = 30|bogus = 1|||3|||unknown key 'bogus' in [profile.p]"
		"[profile.p]|root = /srv|||2|||unknown key 'root' in [profile.p]"
		"[profile.p]|timeout = 30|network_lock = skip|timeout = 60|||4|||timeout: given twice in [profile.p]"
		"[profile.p]|timeout = 30|[dump]|timeout = 1|[profile.p]|timeout = 60|||6|||timeout: given twice in [profile.p]"
		"[profile.p]|tcp_established = maybe|||2|||tcp_established: 'maybe' is not a boolean"
		"[profile.p]|timeout = soon|||2|||timeout: 'soon' is not a duration"
		"[profile.p]|network_lock = ebtables|||2|||network_lock: 'ebtables' is not a valid mode"
		"[profile.p]|skip_mnt = /a,,/b|||2|||empty item in list '/a,,/b'"
		"[dump]|timeout = 30|[profiles.p]|timeout = 60|||3|||unknown section [profiles.p]"
		"[profile.]|timeout = 30|||1|||bad profile name ''"
	)
	# Lines inih cannot hold (200 characters and more) and profile names it
	# would cut short (over 40) are errors too, never silently truncated.
	local long_list long_name
	long_list=$(printf '/mnt/%03d,' $(seq 1 40))/end
	long_name=$(printf 'p%.0s' $(seq 1 45))
	cases+=(
		"[dump]|skip_mnt = $long_list|timeout = 5|||2|||line longer than 199 characters"
		"[dump]|timeout = 5|[profile.$long_name]|timeout = 1|||3|||is too long (at most 40 characters)"
	)
	local c text line want
	for c in "${cases[@]}"; do
		text=${c%%|||*} want=${c##*|||}
		line=${c#*|||} line=${line%%|||*}
		tr '|' '\n' <<<"$text" >"$CRIUCTL_CONFIG"
		run -2 --separate-stderr config_cmd config
		[[ $stderr == *"$CRIUCTL_CONFIG:$line: "*"$want"* ]] ||
			fail "[$text]: want '$CRIUCTL_CONFIG:$line: ...$want', got: $stderr"
		run -2 --separate-stderr config_cmd --json config
		assert_json_error 2 config-invalid
		[[ $(json_get .error.message) == "$CRIUCTL_CONFIG:$line: "*"$want"* ]] ||
			fail "[$text] --json: $output"
	done
}

@test "a profile may repeat a list key; the same profile may come back in a second section" {
	conf "[profile.p]" "skip_mnt = /a" "[dump]" "timeout = 10" "[profile.p]" "skip_mnt = /b" "timeout = 20"
	run -0 --separate-stderr config_cmd --json config --profile p
	assert_equal "$(key_field dump skip_mnt value)" "/a, /b"
	assert_equal "$(key_field dump skip_mnt origin)" "$CRIUCTL_CONFIG:6 [profile.p]"
	assert_equal "$(key_field dump timeout value)" 20
	assert_equal "$(key_field dump timeout origin)" "$CRIUCTL_CONFIG:7 [profile.p]"
}

@test "[store] root is the store when --store is absent; --store wins" {
	local root=$BATS_TEST_TMPDIR/conf-store
	conf "[store]" "root = $root"
	workload
	criu_records
	run -1 --separate-stderr timeout 30 "$CRIUCTL" --criu "$FAKE_CRIU" -q dump -R -t "$WPID" -n in-conf
	assert_file_exists "$(only_entry "$root/failed" 'in-conf.*')/report.json"
	assert_dir_not_exists "$STORE"
	run -1 --separate-stderr criuctl -q dump -R -t "$WPID" -n in-cli
	assert_file_exists "$(only_entry "$STORE/failed" 'in-cli.*')/report.json"
	assert_equal "$(ls "$root/failed")" "$(basename "$(only_entry "$root/failed" 'in-conf.*')")"
	run -0 --separate-stderr config_cmd --json config
	assert_equal "$(key_field store root value)" "$root"
	assert_equal "$(key_field store root origin)" "$CRIUCTL_CONFIG:2"
}

