#!/usr/bin/env bats
# End-to-end: README.md's "Checkpointing a container inside a Kata guest"
# session works as written (its guest block, run as a script).

load helpers
bats_require_minimum_version 1.5.0

setup() { common_setup; }
teardown() {
	pkill -KILL -f "http.server 8080" 2>/dev/null || true
	common_teardown
}

# The second ```sh block after the section's heading.
readme_block() {
	awk '/^## Checkpointing a container inside a Kata guest/ { f = 1 }
	     f && /^```sh$/ { n++; if (n == 2) { p = 1; next } }
	     p && /^```$/ { exit }
	     p' /src/README.md
}

@test "the README's container session runs as written" {
	run readme_block
	assert_success
	assert_output --partial "criuctl dump --tree"
	printf '[store]\nroot = %s\n' "$STORE" >"$W/readme.conf"
	run env CRIUCTL_CONFIG="$W/readme.conf" bash -e -c "$output"
	assert_success
	assert_output --partial "kata-shared-host"
	assert_output --regexp "ok +session"
	assert_output --partial "checkpoint web"
	assert_output --partial "'key': 'etc_hosts', 'source': '/tmp/shared/hosts'"
	assert_output --partial "restored 'web'"
	assert_line web # /etc/hostname served by the restored container
}
