#!/usr/bin/env bats
# criuctl at a shell and in scripts: global options after the command,
# command lines kept exactly in JSON and escaped visibly in text, the next
# step after a dump, and the bash completion's values.

load helpers

# A workload whose command line holds a newline, a tab, an ESC and ($1 =
# "bytes") a byte that is not UTF-8; sh stays the root (the "; :" keeps it
# from exec'ing sleep).
odd_workload() {
	local tail=$'a\nb\tc\e[0m'
	[[ ${1:-} == bytes ]] && tail+=$'\xff'
	workload sh -c 'sleep 1000; :' "$tail"
}

# ---- command lines: exact in JSON, escaped in text ----

@test "list --json: a command line of UTF-8 with a newline, a tab and an ESC is the argv, exactly" {
	odd_workload
	run -0 criuctl -q dump -R -t "$WPID" -n odd
	run -0 --separate-stderr criuctl --json list
	assert_equal "$(json_get '.checkpoints[0].argv_base64')" null
	cmp <(jq -j '.checkpoints[0].argv[] + "\u0000"' <<<"$output") "/proc/$WPID/cmdline" ||
		fail "argv differs from /proc/$WPID/cmdline: $(json_get '.checkpoints[0].argv')"
	assert_equal "$(json_get '.checkpoints[0].command')" $'sh -c sleep 1000; : a\nb\tc\e[0m'
	# show: the manifest keeps the same
	run -0 --separate-stderr criuctl show odd
	cmp <(jq -j '.tree.processes[0].argv[] + "\u0000"' <<<"$output") "/proc/$WPID/cmdline" ||
		fail "the manifest's argv differs from /proc/$WPID/cmdline"
}

@test "list --json: a command line with a byte that is not UTF-8 round-trips through argv_base64" {
	odd_workload bytes
	run -0 criuctl -q dump -R -t "$WPID" -n odd
	run -0 --separate-stderr criuctl --json list
	assert_one_json
	cmp <(json_get '.checkpoints[0].argv_base64' | base64 -d) "/proc/$WPID/cmdline" ||
		fail "argv_base64 is not /proc/$WPID/cmdline"
	# argv and command stay readable: the byte is written \xff
	assert_equal "$(json_get '.checkpoints[0].argv[3]')" $'a\nb\tc\e[0m\\xff'
	assert_equal "$(json_get '.checkpoints[0].command')" $'sh -c sleep 1000; : a\nb\tc\e[0m\\xff'
}

@test "list: the command's control characters and bytes that are not UTF-8 are shown escaped" {
	odd_workload bytes
	run -0 criuctl -q dump -R -t "$WPID" -n odd
	run -0 --separate-stderr criuctl list
	assert_line --regexp '^odd .* sh -c sleep 1000; : a\\nb\\tc\\x1b\[0m\\xff$'
	if LC_ALL=C grep -q $'[\x01-\x1f\x7f-\xff]' <<<"${lines[1]}"; then
		fail "raw bytes in the listing: $(cat -v <<<"$output")"
	fi
}
