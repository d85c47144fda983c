#!/usr/bin/env bats
# The documentation: the man pages render without warnings, every stable
# id the code can emit (verdicts, findings, error codes, config keys) is
# documented, the example config parses, the completion script is valid.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
bats_require_minimum_version 1.5.0

REPO=$BATS_TEST_DIRNAME/../..
CRIUCTL=${CRIUCTL_BIN:-$REPO/build/criuctl}

# A page's text as roff writes it, with "\-" back to "-".
setup() {
	MAN1=$BATS_TEST_TMPDIR/criuctl.1.txt
	MAN5=$BATS_TEST_TMPDIR/criuctl.conf.5.txt
	sed 's/\\-/-/g' "$REPO/man/criuctl.1" >"$MAN1"
	sed 's/\\-/-/g' "$REPO/man/criuctl.conf.5" >"$MAN5"
}

# The commands criuctl --help lists (at least ten, or the help changed shape).
help_commands() {
	local commands
	commands=$("$CRIUCTL" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
	[[ $(wc -w <<<"$commands") -ge 10 ]] || fail "commands not found in --help: $commands"
	echo "$commands"
}

@test "the man pages render without warnings" {
	for page in criuctl.1 criuctl.conf.5 criuctl-bats.7; do
		run bash -c "man --warnings -E UTF-8 -l -Tutf8 -Z '$REPO/man/$page' 2>&1 >/dev/null"
		assert_success
		assert_output ""
		run bash -c "groff -ww -man -z '$REPO/man/$page' 2>&1"
		assert_output ""
	done
}

# The registry's ids (src/core/verdict_table.c), as criuctl lists them.
verdict_ids() {
	"$CRIUCTL" --json explain --list | jq -r '.verdicts[].id'
}

@test "every verdict of the registry is in criuctl(1)'s VERDICTS, which names no other" {
	run verdict_ids
	assert_success
	[[ ${#lines[@]} -ge 25 ]] || fail "found only ${#lines[@]} ids: $output"
	local ids=("${lines[@]}") section
	section=$(sed -n '/^\.SH VERDICTS/,/^\.SH /p' "$MAN1")
	for id in "${ids[@]}"; do
		grep -qwF -- "$id" <<<"$section" || fail "verdict $id is not in VERDICTS"
	done
	# Each item of the section (the tag after .TP) names verdicts of the registry.
	local tags
	tags=$(awk '/^\.TP/ { getline; print }' <<<"$section" | grep -oE '[a-z]+(-[a-z0-9]+)*')
	[[ $(wc -l <<<"$tags") -ge 25 ]] || fail "found only these items: $tags"
	while read -r word; do
		[[ $word == B || $word == BR ]] && continue
		[[ " ${ids[*]} " == *" $word "* ]] || fail "VERDICTS has an item '$word', not a verdict"
	done <<<"$tags"
}

@test "criuctl(1) lists the verdicts decided by a log line in the order they are tried" {
	local ranked documented
	ranked=$("$CRIUCTL" --json explain --list | jq -r '.verdicts[] | select(.signatures | length > 0) | .id')
	documented=$(sed -n '/^\.SH VERDICTS/,/^\.SH /p' "$MAN1" | awk '/^\.TP/ { getline; print $2 }' |
		grep -xF -f <(echo "$ranked") | awk '!seen[$0]++')
	assert_equal "$documented" "$ranked"
}

@test "no source file but the registry spells a verdict id (the doctor's findings, the flag table's keys and option names are other names)" {
	run verdict_ids
	assert_success
	local id hits
	for id in "${lines[@]}"; do
		hits=$(grep -rnF --include='*.c' --include='*.h' -- "\"$id\"" "$REPO/src" |
			grep -vE '^[^:]*/src/core/(verdict_table|doctor|doctor_target|flags)\.c:' |
			grep -vE ':[0-9]+:[[:space:]]*\{"[a-z-]+", (0|'"'"'.'"'"'), ' || true)
		[[ -z $hits ]] || fail "verdict $id spelled outside the registry: $hits"
	done
}

@test "explain --list: every verdict with its exit status, words and signatures" {
	run -0 "$CRIUCTL" explain --list
	assert_line --regexp '^session-leader-outside-pidns +The tree.s session leader'
	run -0 --separate-stderr "$CRIUCTL" --json explain --list
	[[ $(jq -r '.verdicts[] | select(.id == "pid-in-use") | .exit_code' <<<"$output") == 1 ]] ||
		fail "$output"
	[[ $(jq -r '.verdicts[] | select(.id == "pid-in-use") | .signatures[0]' <<<"$output") == \
		"Can't fork for" ]] || fail "$output"
	[[ $(jq -r '.verdicts[] | select(.id == "interrupted") | .exit_code' <<<"$output") == null ]] ||
		fail "$output"
	run -2 --separate-stderr "$CRIUCTL" explain --list some.log
	[[ $stderr == *"--list takes no log"* ]] || fail "$stderr"
}

@test "every finding id is in criuctl(1)" {
	run bash -c "grep -ohE 'findings_add\\(out, \"[a-z-]+\"|findings_add\\(f, \"[a-z-]+\"' \
		'$REPO'/src/core/doctor.c '$REPO'/src/core/doctor_target.c '$REPO'/src/core/kconfig.c '$REPO'/src/cli/cmd_check.c | grep -oE '\"[a-z-]+\"' | tr -d '\"' | sort -u"
	assert_success
	[[ ${#lines[@]} -ge 15 ]] || fail "found only ${#lines[@]} ids: $output"
	for id in "${lines[@]}"; do
		grep -qF -- "$id" "$MAN1" || fail "finding $id is not documented"
	done
}

@test "every error code is in criuctl(1)" {
	run bash -c "grep -ohE 'err_(set|sys)\\([^,]+, [A-Z_]+, \"[a-z-]+\"' '$REPO'/src/*/*.c |
		grep -oE '\"[a-z-]+\"\$' | tr -d '\"' | sort -u"
	assert_success
	[[ ${#lines[@]} -ge 20 ]] || fail "found only ${#lines[@]} codes: $output"
	for code in "${lines[@]}"; do
		grep -qF -- "$code" "$MAN1" || fail "error code $code is not documented"
	done
}

@test "every configuration key is in criuctl.conf(5) and in etc/criuctl.conf" {
	run "$CRIUCTL" --json -c /dev/null config
	assert_success
	run jq -r '.keys[] | .section + " " + .key' <<<"$output"
	[[ ${#lines[@]} -ge 20 ]] || fail "$output"
	for row in "${lines[@]}"; do
		key=${row#* }
		grep -qF -- "$key" "$MAN5" ||
			fail "key $row is not documented"
		grep -qE "^[;#]? ?$key *=" "$REPO/etc/criuctl.conf" || fail "key $row is not in etc/criuctl.conf"
	done
}

@test "etc/criuctl.conf parses as it is and with every key uncommented" {
	run "$CRIUCTL" -c "$REPO/etc/criuctl.conf" config
	assert_success
	sed -E 's/^[;#]([a-z_]+ *=)/\1/; s/^[;#](\[profile\.)/\1/' "$REPO/etc/criuctl.conf" >"$BATS_TEST_TMPDIR/all.conf"
	run "$CRIUCTL" -c "$BATS_TEST_TMPDIR/all.conf" config
	assert_success
}

@test "the bash completion is valid bash and completes commands" {
	run bash -n "$REPO/etc/bash-completion/criuctl"
	assert_success
	run bash -c "source '$REPO/etc/bash-completion/criuctl'
		COMP_WORDS=(criuctl ch); COMP_CWORD=1; COMP_LINE='criuctl ch'; COMP_POINT=10
		_criuctl criuctl ch criuctl 2>/dev/null || \$(complete -p criuctl | awk '{print \$(NF-1)}') criuctl ch criuctl
		printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_success
	assert_output --partial check
}

@test "every option of every command's --help is in criuctl(1) and in the completion" {
	local cmd cmds opt var missing=() own globals
	cmds=$(help_commands) || fail "$cmds"
	for cmd in $cmds; do
		output=$("$CRIUCTL" "$cmd" --help) || fail "criuctl $cmd --help failed"
		# The global options, listed once under their heading: the completion's global list.
		globals=$(awk '/^global options/ { on = 1; next } /^[^ ]/ { on = 0 } on' <<<"$output")
		[[ $(grep -c -- '--json' <<<"$output") == 1 && $globals == *--json* ]] ||
			fail "criuctl $cmd --help does not list the global options once: $output"
		for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$globals" | sort -u); do
			grep -qF -- "$opt" "$MAN1" || missing+=("criuctl(1): global $opt")
			bash -c "source '$REPO/etc/bash-completion/criuctl'; printf '%s\n' \$_criuctl_global_opts" |
				grep -qxE -- "$opt=?" || missing+=("completion: global $opt")
		done
		own=$(awk '/^global options/ { on = 1; next } /^[^ ]/ { on = 0 } !on' <<<"$output")
		var=_criuctl_${cmd}_opts
		for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$own" | sort -u); do
			grep -qF -- "$opt" "$MAN1" || missing+=("criuctl(1): $cmd $opt")
			bash -c "source '$REPO/etc/bash-completion/criuctl'; printf '%s\n' \$$var" |
				grep -qxF -- "$opt" || missing+=("completion: $cmd $opt")
		done
	done
	((${#missing[@]} == 0)) || fail "$(printf '%s\n' "${missing[@]}")"
}

@test "every command of --help has its section in criuctl(1) and is completed" {
	local cmd cmds missing=()
	cmds=$(help_commands) || fail "$cmds"
	for cmd in $cmds; do
		grep -qx "\.SS $cmd" "$REPO/man/criuctl.1" || missing+=("criuctl(1): .SS $cmd")
		bash -c "source '$REPO/etc/bash-completion/criuctl'; printf '%s\n' \$_criuctl_commands" |
			grep -qxF -- "$cmd" || missing+=("completion: $cmd")
	done
	((${#missing[@]} == 0)) || fail "$(printf '%s\n' "${missing[@]}")"
}
