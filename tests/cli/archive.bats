#!/usr/bin/env bats
# criuctl export and import: checkpoint archives in podman's layout.  No
# criu runs here: the store is seeded by importing an archive made by hand
# in podman's layout (images under checkpoint/, config.dump, spec.dump,
# stats-dump, podman's extras), and every hostile archive is made by the
# test itself with python3's tarfile.

load helpers

# mktar OUT ENTRY...: a tar (OUT's ending: .tar or .tar.gz) of the entries,
# in order.  ENTRY is TYPE:PATH[:ARG]: dir, file (ARG: the content, or
# "@N" for N random bytes, "0N" for N zero bytes), suid (a setuid file),
# symlink and hardlink (ARG: the target), dev (a character device), fifo.
mktar() {
	python3 - "$@" <<'EOF'
import io, os, sys, tarfile
out, entries = sys.argv[1], sys.argv[2:]
mode = "w:gz" if out.endswith((".gz", ".tgz")) else "w"
with tarfile.open(out, mode, format=tarfile.PAX_FORMAT) as t:
    for e in entries:
        kind, _, rest = e.partition(":")
        path, _, arg = rest.partition(":")
        i = tarfile.TarInfo(path)
        i.mode, i.mtime, data = 0o644, 1796677200, None
        if kind == "dir":
            i.type, i.mode = tarfile.DIRTYPE, 0o755
        elif kind in ("file", "suid"):
            if arg.startswith("@"):
                data = os.urandom(int(arg[1:]))
            elif arg.startswith("0") and arg[1:].isdigit():
                data = bytes(int(arg[1:]))
            else:
                data = arg.encode()
            i.size = len(data)
            if kind == "suid":
                i.mode = 0o4755
        elif kind == "symlink":
            i.type, i.linkname, i.mode = tarfile.SYMTYPE, arg, 0o777
        elif kind == "hardlink":
            i.type, i.linkname = tarfile.LNKTYPE, arg
        elif kind == "dev":
            i.type, i.devmajor, i.devminor = tarfile.CHRTYPE, 1, 3
        elif kind == "fifo":
            i.type = tarfile.FIFOTYPE
        t.addfile(i, io.BytesIO(data) if data is not None else None)
EOF
}

# The images of a small checkpoint, as podman's archive holds them.
PODMAN_IMAGES=(dir:checkpoint/ file:checkpoint/inventory.img:@64 file:checkpoint/core-1.img:@200
	file:checkpoint/mm-1.img:@100 file:checkpoint/pagemap-1.img:@40
	file:checkpoint/pages-1.img:@8192 file:checkpoint/pstree.img:@12)

# An archive in podman's layout, made by hand: $1 (default podman.tar.gz).
podman_archive() {
	mktar "${1:-podman.tar.gz}" "${PODMAN_IMAGES[@]}" \
		'file:config.dump:{"id":"4f1c","name":"web","rootfsImageName":"docker.io/library/python:3","runtime":"crun","createdTime":"2026-12-07T20:00:00.123456789Z","checkpointedTime":"2026-12-07T21:00:00.5Z"}' \
		'file:spec.dump:{"ociVersion":"1.0.2","process":{"args":["python3","-c","x"]},"root":{"path":"/var/lib/containers/storage/overlay/x/merged"},"annotations":{"io.container.manager":"libpod"}}' \
		file:stats-dump:@46 file:rootfs-diff.tar:@1024 'file:network.status:[]' \
		dir:artifacts/ file:artifacts/x:1
}

# The store has the checkpoint "web", imported from podman's layout.
seed() {
	podman_archive
	run -0 criuctl -q import podman.tar.gz --name web
}

# Nothing listed, nothing half-made in tmp/.
assert_nothing_imported() {
	run -0 criuctl --json list
	assert_equal "$(json_get '.checkpoints | length')" 0
	assert_dir_empty "$STORE/tmp"
}

@test "usage: import and export say what they need; exit 2 usage, nothing made" {
	run -2 criuctl import
	assert_output --partial "which archive?"
	run -2 criuctl import a.tar b.tar
	assert_output --partial "too many arguments"
	run -2 criuctl export web
	assert_output --partial "criuctl export NAME FILE"
	run -2 criuctl --json import podman.tar --max-bytes 12X
	assert_json_error 2 usage
	run -2 criuctl --json import podman.tar --max-files 0
	assert_json_error 2 usage
	run -2 criuctl --json import podman.tar --name ../x
	assert_json_error 2 usage
	run -0 criuctl import --help
	assert_output --partial "--max-bytes SIZE"
	run -0 criuctl export --help
	assert_output --partial ".tar.zst"
	assert_file_not_exists "$STORE"
}

@test "an unknown ending: archive-name, naming the file, before anything is read" {
	podman_archive
	cp podman.tar.gz podman.zip
	run -2 --separate-stderr criuctl --json import podman.zip
	assert_json_error 2 archive-name
	[[ $(json_get .error.message) == *"podman.zip"* ]] || fail "$output"
	seed
	run -2 --separate-stderr criuctl --json export web web.tar.xz
	assert_json_error 2 archive-name
	assert_file_not_exists web.tar.xz
}

@test "a file that is no archive, a missing one, a cut one: exit 2, the file named, nothing imported" {
	echo 'not a tar' >junk.tar
	run -2 --separate-stderr criuctl --json import junk.tar
	assert_json_error 2 archive-invalid
	[[ $(json_get .error.message) == "junk.tar: not a checkpoint archive"* ]] || fail "$output"
	assert_nothing_imported
	run -2 --separate-stderr criuctl --json import missing.tar
	assert_json_error 2 archive-unreadable
	[[ $(json_get .error.message) == *missing.tar* ]] || fail "$output"
	podman_archive big.tar.gz
	head -c "$(($(stat -c %s big.tar.gz) / 2))" big.tar.gz >cut.tar.gz
	run -2 --separate-stderr criuctl --json import cut.tar.gz
	assert_json_error 2 archive-invalid
	assert_nothing_imported
	mktar empty.tar
	run -2 --separate-stderr criuctl --json import empty.tar
	assert_json_error 2 archive-invalid
	mktar noimages.tar 'file:config.dump:{}' 'file:spec.dump:{}'
	run -2 --separate-stderr criuctl --json import noimages.tar
	assert_json_error 2 archive-invalid
	[[ $(json_get .error.message) == *"no images under checkpoint/"* ]] || fail "$output"
	assert_nothing_imported
}

@test "podman's layout imports: sealed, podman's extras left out, restore needs --root" {
	podman_archive checkpoint-web_default-ctr.tar.gz
	run -0 --separate-stderr criuctl --json import checkpoint-web_default-ctr.tar.gz
	assert_one_json
	assert_equal "$(json_get .name)" checkpoint-web_default-ctr
	assert_equal "$(json_get .from)" foreign
	assert_equal "$(json_get .files)" 6
	assert_equal "$(json_get .needs_root)" true
	assert_equal "$(json_get '.left_out | join(" ")')" \
		"rootfs-diff.tar network.status artifacts/ artifacts/x"
	[[ $(json_get .next.command) == *" restore checkpoint-web_default-ctr --root DIR" ]] ||
		fail "next: $(json_get .next.command)"
	local ck=$STORE/checkpoints/checkpoint-web_default-ctr
	assert_equal "$(json_get .created "$ck/manifest.json")" 2026-12-07T21:00:00Z
	assert_equal "$(json_get .mounts.own_namespace "$ck/manifest.json")" true
	assert_equal "$(json_get .mounts.root "$ck/manifest.json")" null
	assert_equal "$(mode_of "$ck/images")" 700
	assert_equal "$(mode_of "$ck/images/pages-1.img")" 600
	assert_file_exists "$ck/config.dump"
	assert_file_not_exists "$ck/rootfs-diff.tar"
	run -0 criuctl verify checkpoint-web_default-ctr
	run -3 --separate-stderr criuctl --json restore checkpoint-web_default-ctr
	assert_json_error 3 root-needed
	assert_dir_empty "$STORE/tmp"
}

@test "export writes podman's layout, compressed as the name says; import takes each back intact" {
	seed
	local f
	for f in web.tar web.tar.gz web.tgz web.tar.zst; do
		run -0 --separate-stderr criuctl --json export web "$f"
		assert_equal "$(json_get .file)" "$f"
		assert_equal "$(json_get .bytes)" "$(stat -c %s "$f")"
		assert_equal "$(mode_of "$f")" 600
	done
	assert_equal "$(od -An -tx1 -N2 web.tar.gz | tr -d ' ')" 1f8b
	assert_equal "$(od -An -tx1 -N2 web.tgz | tr -d ' ')" 1f8b
	assert_equal "$(od -An -tx1 -N4 web.tar.zst | tr -d ' ')" 28b52ffd
	assert_equal "$(dd if=web.tar bs=1 skip=257 count=5 status=none)" ustar
	run -0 tar -tf web.tar
	assert_line checkpoint/
	assert_line checkpoint/pages-1.img
	assert_line config.dump
	assert_line spec.dump
	assert_line stats-dump
	assert_line manifest.json
	refute_line --partial rootfs-diff
	# config.dump and spec.dump as checkpointctl reads them.
	tar -xOf web.tar config.dump >config.json
	[[ $(json_get .checkpointedTime config.json) =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		fail "checkpointedTime: $(cat config.json)"
	tar -xOf web.tar spec.dump >spec.json
	assert_equal "$(json_get '.annotations["io.container.manager"]' spec.json)" libpod
	for f in web.tar web.tar.gz web.tgz web.tar.zst; do
		run -0 --separate-stderr criuctl --json import "$f" --name "back-${f//./-}"
		assert_equal "$(json_get .from)" criuctl
		assert_equal "$(json_get .compression)" "$(tarball_kind "$f")"
		diff -r "$STORE/checkpoints/web/images" "$STORE/checkpoints/back-${f//./-}/images" ||
			fail "images of $f differ"
	done
	run -0 criuctl verify
	assert_equal "${#lines[@]}" 5
}

tarball_kind() {
	case $1 in
	*.tar) echo tar ;;
	*.tar.zst) echo zstd ;;
	*) echo gzip ;;
	esac
}

@test "import without --name takes the file's name; an existing name is refused before reading, exit 5" {
	seed
	run -0 criuctl -q export web "$BATS_TEST_TMPDIR/web.tar.zst"
	run -5 --separate-stderr criuctl --json import web.tar.zst
	assert_json_error 5 name-exists
	run -0 criuctl verify web
	assert_dir_empty "$STORE/tmp"
	run -0 criuctl -q rm web
	run -0 --separate-stderr criuctl --json import "$BATS_TEST_TMPDIR/web.tar.zst"
	assert_equal "$(json_get .name)" web
}

@test "export never leaves a partial or replaced FILE: an existing file, a missing dir, a damaged checkpoint" {
	seed
	echo keep >web.tar
	run -2 --separate-stderr criuctl --json export web web.tar
	assert_json_error 2 file-exists
	assert_equal "$(cat web.tar)" keep
	run -5 --separate-stderr criuctl --json export web nodir/web.tar
	assert_json_error 5 archive-io
	assert_file_not_exists nodir
	run -5 --separate-stderr criuctl --json export nope nope.tar
	assert_json_error 5 no-such-checkpoint
	assert_file_not_exists nope.tar
	printf 'x' >>"$STORE/checkpoints/web/images/pages-1.img"
	run -5 --separate-stderr criuctl --json export web damaged.tar.gz
	assert_json_error 5 images-damaged
	assert_file_not_exists damaged.tar.gz
	[[ -z $(ls -A | grep -v -e '^separate-stderr' -e '^web.tar$' -e '^podman.tar.gz$' -e '^store$' -e '^criuctl.conf$') ]] ||
		fail "left behind: $(ls -A)"
}

@test "an archive whose images differ from its seal is refused: images-damaged, nothing imported" {
	seed
	run -0 criuctl -q export web web.tar
	mkdir x && tar -xf web.tar -C x
	printf 'y' >>x/checkpoint/pages-1.img
	(cd x && tar --format=pax -cf ../changed.tar checkpoint config.dump spec.dump stats-dump manifest.json)
	run -5 --separate-stderr criuctl --json import changed.tar --name changed
	assert_json_error 5 images-damaged
	truncate -s -1 x/checkpoint/pages-1.img
	echo extra >x/checkpoint/extra.img
	(cd x && tar --format=pax -cf ../extra.tar checkpoint config.dump spec.dump stats-dump manifest.json)
	run -5 --separate-stderr criuctl --json import extra.tar --name extra
	assert_json_error 5 images-damaged
	[[ $(json_get .error.message) == *"7 image files, but its seal lists 6"* ]] || fail "$output"
	run -0 criuctl --json list
	assert_equal "$(json_get '[.checkpoints[].name] | join(" ")')" web
	assert_dir_empty "$STORE/tmp"
}

# Each hostile archive: refused whole, exit 2 archive-unsafe naming the
# entry, nothing listed, nothing written outside the store.
hostile() {
	local want=$1 why=$2
	shift 2
	mktar evil.tar "${PODMAN_IMAGES[@]}" "$@"
	run -2 --separate-stderr criuctl --json import evil.tar
	assert_json_error 2 archive-unsafe
	[[ $(json_get .error.message) == *"entry '$want'"*"$why"* ]] ||
		fail "the message does not name '$want' ($why): $(json_get .error.message)"
	assert_nothing_imported
}

@test "hostile archives: absolute paths and .. are refused, nothing lands outside the store" {
	local out=$BATS_TEST_TMPDIR/outside
	hostile "$out" "absolute path" "file:$out:pwned"
	assert_file_not_exists "$out"
	hostile "../outside" "'..' component" "file:../outside:pwned"
	hostile "checkpoint/../../outside" "'..' component" "file:checkpoint/../../outside:pwned"
	assert_file_not_exists "$out"
	assert_file_not_exists "$STORE/outside"
}

@test "hostile archives: symbolic and hard links pointing out, and writing through a link" {
	hostile checkpoint/x "symbolic link out" "symlink:checkpoint/x:/etc"
	hostile checkpoint/x "symbolic link out" "symlink:checkpoint/x:../../.."
	hostile top "symbolic link out" "symlink:top:.."
	hostile checkpoint/h "hard link out" "hardlink:checkpoint/h:/etc/passwd"
	hostile checkpoint/h "hard link out" "hardlink:checkpoint/h:../../etc/passwd"
	hostile checkpoint/h "not an image" "hardlink:checkpoint/h:rootfs-diff.tar"
	hostile checkpoint/h "not before it" "hardlink:checkpoint/h:checkpoint/later.img"
	# A link that stays inside may not be written through.
	hostile checkpoint/d/x "through a link" "symlink:checkpoint/d:../pre" dir:pre/ "file:checkpoint/d/x:1"
	[[ $(stat -c %h /etc/passwd) == 1 ]] || fail "/etc/passwd got a link"
}

@test "hostile archives: device nodes, fifos, setuid bits, entries twice" {
	hostile checkpoint/null "device node" "dev:checkpoint/null"
	hostile dev/null "device node" "dev:dev/null"
	hostile checkpoint/p "fifo" "fifo:checkpoint/p"
	hostile checkpoint/s.img "setuid" "suid:checkpoint/s.img:x"
	hostile checkpoint/pages-1.img "twice" "file:checkpoint/pages-1.img:again"
	hostile manifest.json "regular file" "symlink:manifest.json:checkpoint/pages-1.img"
}

@test "decompression bombs: --max-bytes and --max-files stop them at the entry past the bound" {
	mktar bomb.tar.gz "${PODMAN_IMAGES[@]}" file:checkpoint/zeros.img:04194304
	[[ $(stat -c %s bomb.tar.gz) -lt 65536 ]] || fail "the bomb is not small: $(stat -c %s bomb.tar.gz)"
	run -2 --separate-stderr criuctl --json import bomb.tar.gz --max-bytes 1M
	assert_json_error 2 archive-too-large
	[[ $(json_get .error.message) == *"more than 1048576 bytes"*"checkpoint/zeros.img"* ]] ||
		fail "$output"
	assert_nothing_imported
	local -a many=()
	for i in $(seq 1 40); do many+=("file:checkpoint/f$i.img:x"); done
	mktar many.tar "${PODMAN_IMAGES[@]}" "${many[@]}"
	run -2 --separate-stderr criuctl --json import many.tar --max-files 20
	assert_json_error 2 archive-too-large
	[[ $(json_get .error.message) == *"more than 20 entries"* ]] || fail "$output"
	assert_nothing_imported
	run -0 --separate-stderr criuctl --json import bomb.tar.gz --max-bytes 8M --max-files 20
	assert_equal "$(json_get .files)" 7
}

@test "export and import --json: one document, the fields of criuctl(1)" {
	seed
	run -0 --separate-stderr criuctl --json export web web.tar.zst
	assert_one_json
	assert_equal "$(json_get '[.command, .name, .compression, .sealed] | join(" ")')" \
		"export web zstd true"
	[[ $(json_get .entries) -ge 10 ]] || fail "$output"
	assert_equal "$(json_get .images_bytes)" "$(json_get .images_bytes "$STORE/checkpoints/web/manifest.json")"
	run -0 --separate-stderr criuctl --json import web.tar.zst --name web2
	assert_one_json
	assert_equal "$(json_get '[.command, .name, .from, .needs_root] | map(tostring) | join(" ")')" \
		"import web2 criuctl true"
	assert_equal "$(json_get .checkpoint)" "$STORE/checkpoints/web2"
	run -0 --separate-stderr criuctl import web.tar.zst --name web3
	assert_equal "$output" ""
	[[ $stderr == *"imported web3 from web.tar.zst (6 image files"* ]] || fail "$stderr"
}

@test "an import killed half-way is never committed by the next criuctl: nothing listed, nothing kept" {
	seed
	# criuctl's manifest and a successful dump.log first, then an image
	# that never ends: the import waits for it, and is killed there.
	mktar slow.tar "file:manifest.json:$(cat "$STORE/checkpoints/web/manifest.json")" \
		'file:dump.log:(00.1) Dumping finished successfully' "${PODMAN_IMAGES[@]}" \
		file:checkpoint/big.img:@300000
	mkfifo cut.tar
	bg_criuctl import cut.tar --name half
	exec 7>cut.tar
	head -c 200000 slow.tar >&7
	local deadline=$((SECONDS + 20))
	until compgen -G "$STORE/tmp/half.*/images/big.img" >/dev/null; do
		((SECONDS < deadline)) || fail "the import did not get to big.img"
		sleep 0.05
	done
	compgen -G "$STORE/tmp/half.*/archive.manifest.json" >/dev/null || fail "no staged manifest"
	kill -KILL "$BG_PID"
	exec 7>&-
	bg_wait
	run -0 --separate-stderr criuctl --json recover
	run -0 criuctl --json list
	assert_equal "$(json_get '[.checkpoints[].name] | join(" ")')" web
	run -0 criuctl --json list --failed
	assert_equal "$(json_get '.failed | length')" 0
	assert_dir_empty "$STORE/tmp"
}
