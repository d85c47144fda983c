#!/usr/bin/env bats
# Configuration: -c, $CRIUCTL_CONFIG, errors with file and line, precedence.

load helpers

conf() {
	printf '%s\n' "$@" >"$CRIUCTL_CONFIG"
}

@test "-c with a missing file: exit 2 naming the file" {
	run -2 --separate-stderr criuctl -c "$BATS_TEST_TMPDIR/nope.conf" list
	assert_equal "$output" ""
	[[ $stderr == *"$BATS_TEST_TMPDIR/nope.conf"* ]] || fail "$stderr"
}

@test "-c with a missing file, --json: one JSON error naming the file" {
	run -2 --separate-stderr criuctl --json -c "$BATS_TEST_TMPDIR/nope.conf" list
	assert_json_error 2 config-unreadable
	[[ $(json_get .error.message) == *"$BATS_TEST_TMPDIR/nope.conf"* ]] || fail "$output"
}

@test "--config is -c" {
	run -2 --separate-stderr criuctl --config "$BATS_TEST_TMPDIR/nope.conf" list
	[[ $stderr == *nope.conf* ]] || fail "$stderr"
}

@test "\$CRIUCTL_CONFIG naming a missing file: exit 2 naming it" {
	export CRIUCTL_CONFIG=$BATS_TEST_TMPDIR/missing-env.conf
	run -2 --separate-stderr criuctl list
	[[ $stderr == *missing-env.conf* ]] || fail "$stderr"
}

@test "empty \$CRIUCTL_CONFIG means the default file (missing here: built-in defaults)" {
	export CRIUCTL_CONFIG=
	[[ ! -e /etc/criuctl/criuctl.conf ]] || skip "/etc/criuctl/criuctl.conf exists on this host"
	run -0 criuctl list
}

@test "invalid value: exit 2 with FILE:LINE: and the key" {
	conf "# a comment" "[dump]" "tcp_established = maybe"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:3: "*tcp_established* ]] || fail "$stderr"
	[[ $stderr == *maybe* ]] || fail "$stderr"
}

@test "syntax error: exit 2 with FILE:LINE:" {
	conf "[store]" "root = $BATS_TEST_TMPDIR/x" "this line has no equals sign"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:3:"* ]] || fail "$stderr"
}

@test "unknown key: exit 2 with FILE:LINE: naming the key" {
	conf "[dump]" "leave_running = true" "tcp_establised = true"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:3: "*"'tcp_establised'"* ]] || fail "$stderr"
}

@test "unknown section: exit 2 with FILE:LINE: naming the section" {
	conf "[dumpp]" "leave_running = true"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:1: "*dumpp* ]] || fail "$stderr"
}

@test "bad network_lock / manage_cgroups / timeout values are config errors" {
	conf "[dump]" "network_lock = ebtables"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:2: "*ebtables* ]] || fail "$stderr"
	conf "[dump]" "manage_cgroups = sometimes"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:2: "*sometimes* ]] || fail "$stderr"
	conf "[dump]" "timeout = soon"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:2: "*soon* ]] || fail "$stderr"
}

@test "a scalar key given twice is an error on the second line" {
	conf "[store]" "root = /a" "root = /b"
	run -2 --separate-stderr criuctl list
	[[ $stderr == *"$CRIUCTL_CONFIG:3: "* ]] || fail "$stderr"
}

@test "--json: invalid config is one JSON error document" {
	conf "[dump]" "bogus = 1"
	run -2 --separate-stderr criuctl --json list
	assert_json_error 2 config-invalid
	[[ $(json_get .error.message) == "$CRIUCTL_CONFIG:2: "* ]] || fail "$output"
}

@test "\$CRIUCTL_CONFIG is read: [store] root used when --store is absent" {
	local root=$BATS_TEST_TMPDIR/from-config
	conf "[store]" "root = $root"
	run -0 "$CRIUCTL" --json recover
	assert_dir_exists "$root/checkpoints"
	assert_dir_not_exists "$STORE"
}

@test "-c beats \$CRIUCTL_CONFIG" {
	local other=$BATS_TEST_TMPDIR/other.conf root=$BATS_TEST_TMPDIR/from-c
	conf "[store]" "root = $BATS_TEST_TMPDIR/from-env"
	printf '[store]\nroot = %s\n' "$root" >"$other"
	run -0 "$CRIUCTL" -c "$other" recover
	assert_dir_exists "$root/checkpoints"
	assert_dir_not_exists "$BATS_TEST_TMPDIR/from-env"
}

@test "--store beats [store] root" {
	conf "[store]" "root = $BATS_TEST_TMPDIR/from-config"
	run -0 criuctl recover
	assert_dir_exists "$STORE/checkpoints"
	assert_dir_not_exists "$BATS_TEST_TMPDIR/from-config"
}

@test "[criu] path is what --version reports when --criu is absent" {

	conf "[criu]" "path = $FAKE_CRIU"
	run -0 "$CRIUCTL" --version
	assert_line "criu 4.2.1 ($(readlink -f "$FAKE_CRIU"))"
}

@test "[criu] path is used when --criu is absent" {
	conf "[criu]" "path = $FAKE_CRIU"
	workload
	criu_records
	run -1 "$CRIUCTL" --store "$STORE" -q dump -R -t "$WPID" -n via-config
	assert_equal "$(head -n1 "$FAKE_CRIU_ARGV")" "$(readlink -f "$FAKE_CRIU")"
}

@test "--criu beats [criu] path" {
	conf "[criu]" "path = /nonexistent/criu"
	workload
	criu_records
	run -1 criuctl -q dump -R -t "$WPID" -n cli-criu
	assert_equal "$(head -n1 "$FAKE_CRIU_ARGV")" "$(readlink -f "$FAKE_CRIU")"
}

@test "[criu] env reaches criu's environment" {
	conf "[criu]" "env = FAKE_CRIU_MODE=replay:dump-session-leader.log"
	workload
	run -1 --separate-stderr criuctl --json dump -t "$WPID" -n env
	assert_equal "$(json_get .error.code)" session-leader-outside-pidns
}

@test "[dump] flags reach criu's command line" {
	conf "[dump]" \
		"leave_running = yes" \
		"tcp_established = true" \
		"ext_unix_sk = on" \
		"shell_job = 1" \
		"file_locks = true" \
		"skip_mnt = /mnt/a, /mnt/b" \
		"external = mnt[/data]:data" \
		"network_lock = nftables" \
		"manage_cgroups = soft" \
		"criu_opt = --link-remap"
	workload
	criu_records
	run -1 criuctl -q dump -t "$WPID" -n from-config
	run criu_argv
	assert_output --partial " --leave-running "
	assert_output --partial " --tcp-established "
	assert_output --partial " --ext-unix-sk "
	assert_output --partial " --shell-job "
	assert_output --partial " --file-locks "
	assert_output --partial " --skip-mnt /mnt/a --skip-mnt /mnt/b "
	assert_output --partial " --external mnt[/data]:data "
	assert_output --partial " --network-lock=nftables "
	assert_output --partial " --manage-cgroups=soft "
	assert_output --regexp " --link-remap $"
}

@test "the command line beats [dump]: network lock, manage_cgroups, criu_opt" {
	conf "[dump]" "network_lock = iptables" "manage_cgroups = full" "criu_opt = --from-config"
	workload
	criu_records
	run -1 criuctl -q dump -R -t "$WPID" -n cli-wins --network-lock skip --manage-cgroups none \
		--criu-opt --from-cli
	run criu_argv
	assert_output --partial " --network-lock=skip "
	refute_output --partial "--network-lock=iptables"
	assert_output --partial " --manage-cgroups=none "
	refute_output --partial "--manage-cgroups=full"
	# Raw options from the command line come last, so they win in criu.
	assert_output --regexp " --from-cli $"
}

@test "[dump] timeout applies when --timeout is absent" {
	conf "[dump]" "timeout = 1"
	export FAKE_CRIU_MODE=hang
	workload
	run -4 --separate-stderr criuctl --json dump -t "$WPID" -n cfg-timeout
	assert_equal "$(json_get .error.code)" timeout
}

@test "--timeout beats [dump] timeout" {
	conf "[dump]" "timeout = 1h"
	export FAKE_CRIU_MODE=hang
	workload
	run -4 criuctl -q dump -t "$WPID" -n cli-timeout --timeout 1
	assert_equal "$(json_get .timeout_s "$(only_entry "$STORE/failed" 'cli-timeout.*')/report.json")" 1
}
