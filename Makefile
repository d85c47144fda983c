# criuctl: build, test and install.
#
# Conventions: PREFIX, DESTDIR, SYSCONFDIR, BINDIR, MANDIR; objects under
# build/; dependencies through pkg-config; header dependencies via -MMD -MP.
# `make check` installs what is missing (as root, on Debian), then runs the
# unit and CLI suites, the same two again built with sanitizers, a short
# run of every fuzz target and the end-to-end suite, and prints one
# "N passed, N failed" line for all of them.  `make soak` runs only the
# end-to-end soak, SOAK_CYCLES (default 100) dump/restore cycles.
#
# SANITIZE=address,undefined (any -fsanitize= list) builds criuctl and the
# unit tests with those sanitizers into build/san, apart from the plain
# objects of build/: `make unit cli SANITIZE=address,undefined` runs the
# two suites on them (without valgrind; any sanitizer report fails the
# test).  `make check` runs that pass too, with SANITIZE or, by default,
# address,undefined.
#
# `make fuzz` builds the libFuzzer targets of tests/fuzz with clang into
# build/fuzz and runs each for FUZZ_SECONDS (default 600); `make check`
# runs each for FUZZ_SMOKE_SECONDS (default 30).  FUZZ_TARGETS="a b" picks
# targets.  A target links only the objects of the pure core it needs.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR     ?= $(PREFIX)/share/man
COMPLETIONSDIR ?= $(PREFIX)/share/bash-completion/completions
# The bats helper library, criuctl-bats(7): load '$(BATSDIR)/criuctl'.
BATSDIR    ?= $(PREFIX)/share/criuctl/bats
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC         ?= gcc
PKG_CONFIG ?= pkg-config
WERROR     ?= $(if $(CI),-Werror,)
WARNINGS   := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wno-format-truncation \
              -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wnull-dereference \
              -Wundef -Wwrite-strings -Wimplicit-fallthrough
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 $(WARNINGS) $(WERROR) -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CPPFLAGS   += -D_GNU_SOURCE -DCRIUCTL_VERSION='"$(VERSION)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
              -DLIBEXECDIR='"$(LIBEXECDIR)"' \
              $(shell $(PKG_CONFIG) --cflags libuv inih jansson zlib libxxhash libarchive 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs libuv inih jansson zlib libxxhash libarchive 2>/dev/null) -pthread

comma := ,
SANITIZE ?=
ifeq ($(SANITIZE),)
B := build
else
B := build/san
CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
ifneq ($(filter e2e guest-image install demo bench bench-image,$(MAKECMDGOALS)),)
$(error the guest gets the plain criuctl: run $(filter e2e guest-image install demo bench,$(MAKECMDGOALS)) without SANITIZE)
endif
endif
CHECK_SANITIZE := $(or $(SANITIZE),address$(comma)undefined)

# Objects are rebuilt when the compiler or its flags change (another
# SANITIZE list, CI's -Werror): they depend on this record of them.
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
ifneq ($(FLAGS_NOW),$(file <$(B)/flags))
$(shell mkdir -p $(B))
$(file >$(B)/flags,$(FLAGS_NOW))
endif

# The layers, one folder each (README.md's map):
#   src/core  pure: parsers, classifiers, policies, criu's argv, manifest and
#             config mapping; memory and buffers only (no libuv, no fork or
#             exec, no signals, no clock, no /proc, no files)
#   src/sys   the I/O shell: the libuv supervisor, /proc, the store, criu,
#             what criu leaves behind
#   src/cli   the command line: main, one cmd_<name>.c per command, output
#   src/hook  the programs that stand beside criu: criuctl-hook, the action
#             script criu runs (static, sees no other layer), and
#             criuctl-guard (over src/sys)
# A layer is compiled seeing the headers of its own and the layers below it
# only, and `make layers` checks the archives with nm: libcore.a calls
# nothing outside tools/core-allowed (libc's string and memory functions,
# jansson, inih), libsys.a nothing of src/cli.
CORE_SRC := $(wildcard src/core/*.c)
SYS_SRC  := $(wildcard src/sys/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
INC_core := -Isrc/core
INC_sys  := $(INC_core) -Isrc/sys
INC_cli  := $(INC_sys) -Isrc/cli

CORE_OBJ  := $(CORE_SRC:src/%.c=$(B)/%.o)
SYS_OBJ   := $(SYS_SRC:src/%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:src/%.c=$(B)/%.o)
# Unit tests of the core link libcore.a alone; these test the shell.
UNIT_SYS  := test_hang test_seal test_supervisor
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)

.PHONY: all deps check test unit cli e2e soak guest-image bare-image bundle demo install \
        uninstall clean format format-check lint layers bench bench-image test-bins fuzz \
        fuzz-build

all: $(B)/criuctl $(B)/criuctl-hook $(B)/criuctl-guard $(B)/guest-sandbox $(B)/container-run

$(B)/criuctl: $(CLI_OBJ) $(B)/libsys.a $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libsys.a $(B)/libcore.a $(LDLIBS)

$(B)/libcore.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libsys.a: $(SYS_OBJ)
	rm -f $@
	ar rcs $@ $^

# criu's action script: static and tiny, criu runs it at every step.  Never
# sanitized (a static binary cannot be): beside criuctl in build/san too.
$(B)/criuctl-hook: src/hook/criuctl-hook.c | $(B)
	$(CC) $(CPPFLAGS) -O2 -g -std=gnu11 $(WARNINGS) $(WERROR) -static -MMD -MP -o $@ $<

# The guard criuctl starts beside criu (src/sys/guardian.h): a program of
# its own over the shell and the core.
$(B)/criuctl-guard: $(B)/hook/criuctl-guard.o $(B)/libsys.a $(B)/libcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsys.a $(B)/libcore.a $(LDLIBS)

$(B)/hook/%.o: src/hook/%.c $(B)/flags | $(B)/hook
	$(CC) $(CPPFLAGS) $(INC_sys) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/core/%.o: src/core/%.c $(B)/flags | $(B)/core
	$(CC) $(CPPFLAGS) $(INC_core) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/sys/%.o: src/sys/%.c $(B)/flags | $(B)/sys
	$(CC) $(CPPFLAGS) $(INC_sys) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/cli/%.o: src/cli/%.c $(B)/flags | $(B)/cli
	$(CC) $(CPPFLAGS) $(INC_cli) $(CFLAGS) -MMD -MP -c -o $@ $<

# The purity of the core and the direction of the layers (see above).
layers: $(B)/libcore.a $(B)/libsys.a $(CLI_OBJ)
	@tools/check-layers $(B)

# Written when make starts (above); gone only after `make clean` in the same run.
$(B)/flags: ;

$(B)/guest-sandbox: tools/sandbox.c tools/nsutil.c | $(B)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $^

$(B)/container-run: tools/container-run.c tools/nsutil.c | $(B)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $^

# Test workloads that need C (run in the guest, built on the host).
TEST_BINS := $(B)/fixtures/vfork-hang

$(B)/fixtures/%: tests/fixtures/%.c | $(B)/fixtures
	$(CC) -O2 -Wall -Wextra $(WERROR) -static -o $@ $<

$(B) $(B)/unit $(B)/fixtures $(B)/core $(B)/sys $(B)/cli $(B)/hook:
	mkdir -p $@

# Unit tests of the core see its headers and link libcore.a only; those of
# UNIT_SYS see the shell's too and link libsys.a.
UNIT_LIBS = $(shell $(PKG_CONFIG) --libs inih jansson cmocka)
$(B)/unit/test_%: tests/unit/test_%.c $(B)/libcore.a | $(B)/unit
	$(CC) $(CPPFLAGS) $(INC_core) $(CFLAGS) -Wno-missing-prototypes -MMD -MP -o $@ $< \
	    $(B)/libcore.a $(UNIT_LIBS)

$(UNIT_SYS:%=$(B)/unit/%): $(B)/unit/test_%: tests/unit/test_%.c $(B)/libsys.a $(B)/libcore.a \
		| $(B)/unit $(B)/criuctl-hook
	$(CC) $(CPPFLAGS) $(INC_sys) $(CFLAGS) -Wno-missing-prototypes -MMD -MP -o $@ $< \
	    $(B)/libsys.a $(B)/libcore.a $(LDLIBS) $(UNIT_LIBS)

# What the unit and CLI suites run (under SANITIZE: the sanitized ones),
# and the end-to-end suite's workloads.
test-bins: $(B)/criuctl $(B)/criuctl-hook $(B)/criuctl-guard $(UNIT_BIN) $(if $(SANITIZE),,$(TEST_BINS))

# Fuzz targets: clang, libFuzzer, ASan and UBSan.  The core is compiled
# again into an archive, so each target takes from it only the objects it
# needs, and nothing of the shell (which is not in it) can creep in.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_TARGETS ?=
FB           := build/fuzz
FUZZ_CFLAGS  := -O1 -g -std=gnu11 $(WARNINGS) $(WERROR) -Wno-unknown-warning-option \
                -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FB)/%)
FUZZ_OBJ     := $(CORE_SRC:src/core/%.c=$(FB)/obj/%.o)

$(FB)/obj/%.o: src/core/%.c | $(FB)/obj
	$(FUZZ_CC) $(CPPFLAGS) $(INC_core) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FB)/libcore.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FB)/libcore.a
	$(FUZZ_CC) $(CPPFLAGS) $(INC_core) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FB)/libcore.a \
	    $(shell $(PKG_CONFIG) --libs inih jansson)

$(FB)/obj:
	mkdir -p $@

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

deps:
	@tools/install-deps

unit: $(UNIT_BIN)
	@tools/run-suites $(if $(SANITIZE),san-unit,unit)

cli: $(B)/criuctl $(B)/criuctl-hook $(B)/criuctl-guard
	@tools/run-suites $(if $(SANITIZE),san-cli,cli)

e2e: all guest-image $(TEST_BINS)
	@tools/run-suites e2e

# tests/e2e/soak.bats with SOAK_CYCLES dump/restore cycles (the e2e suite,
# and so `make check`, runs it with 10).
SOAK_CYCLES ?= 100
soak: all guest-image $(TEST_BINS)
	@SOAK_CYCLES=$(SOAK_CYCLES) tools/run-suites soak

# Sub-makes name SANITIZE: a command line's would reach them all, and
# the guest image must get the plain criuctl.
check: deps
	@$(MAKE) --no-print-directory SANITIZE= all
	@$(MAKE) --no-print-directory SANITIZE= guest-image
	@$(MAKE) --no-print-directory SANITIZE= bare-image
	@$(MAKE) --no-print-directory SANITIZE= bundle
	@$(MAKE) --no-print-directory SANITIZE= format-check
	@$(MAKE) --no-print-directory SANITIZE= lint
	@$(MAKE) --no-print-directory SANITIZE= layers
	@$(MAKE) --no-print-directory SANITIZE= test-bins
	@$(MAKE) --no-print-directory SANITIZE=$(CHECK_SANITIZE) test-bins
	@$(MAKE) --no-print-directory SANITIZE= fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) tools/run-suites all

test: check

guest-image: $(B)/criuctl
	guest-image/build $(B)/guest
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(B)/guest/rootfs PREFIX=/usr >/dev/null

# A root filesystem shaped like a Kata guest's (no criu, no libuv), for
# tests/bundle/.
bare-image:
	guest-image/build --bare $(B)/bare

# criuctl and criu with their libraries, for a guest that has neither
# (tools/bundle; README "In a Kata guest").
bundle: all guest-image
	rm -f $(B)/criuctl-bundle-*.tar.gz
	tools/bundle $(B)/guest/rootfs $(B) $(VERSION)

demo: deps
	@$(MAKE) --no-print-directory all guest-image
	@tools/guest-run bash /src/tools/demo

# The performance suite (tools/bench/README.md) in an image of its own,
# the test image's packages plus guest-image/packages.bench (runc, for P7);
# the table lands in build/bench/results.md and results.json.
BENCH_BINS := $(B)/fixtures/bench-tree
bench-image: $(B)/criuctl
	guest-image/build $(B)/guest-bench guest-image/packages.bench
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(B)/guest-bench/rootfs PREFIX=/usr \
	    >/dev/null

bench: all bench-image $(TEST_BINS) $(BENCH_BINS)
	@rm -rf $(B)/guest-bench/rootfs/var/tmp/criuctl-bench-out
	@CRIUCTL_GUEST_ROOTFS=$(CURDIR)/$(B)/guest-bench/rootfs tools/guest-run bash /src/tools/bench/run
	@mkdir -p build/bench
	@cp $(B)/guest-bench/rootfs/var/tmp/criuctl-bench-out/results.md \
	    $(B)/guest-bench/rootfs/var/tmp/criuctl-bench-out/results.json build/bench/
	@echo "bench: build/bench/results.md, build/bench/results.json"

install: $(B)/criuctl $(B)/criuctl-hook $(B)/criuctl-guard
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SYSCONFDIR)/criuctl $(DESTDIR)$(COMPLETIONSDIR) \
	    $(DESTDIR)$(LIBEXECDIR)/criuctl $(DESTDIR)$(BATSDIR)
	install -m 0755 $(B)/criuctl $(DESTDIR)$(SBINDIR)/criuctl
	install -m 0755 $(B)/criuctl-hook $(DESTDIR)$(LIBEXECDIR)/criuctl/criuctl-hook
	install -m 0755 $(B)/criuctl-guard $(DESTDIR)$(LIBEXECDIR)/criuctl/criuctl-guard
	install -m 0644 man/criuctl.1 $(DESTDIR)$(MANDIR)/man1/criuctl.1
	install -m 0644 man/criuctl.conf.5 $(DESTDIR)$(MANDIR)/man5/criuctl.conf.5
	install -m 0644 man/criuctl-bats.7 $(DESTDIR)$(MANDIR)/man7/criuctl-bats.7
	install -m 0644 etc/bats/criuctl.bash $(DESTDIR)$(BATSDIR)/criuctl.bash
	install -m 0644 etc/bash-completion/criuctl $(DESTDIR)$(COMPLETIONSDIR)/criuctl
	test -e $(DESTDIR)$(SYSCONFDIR)/criuctl/criuctl.conf || \
	    install -m 0644 etc/criuctl.conf $(DESTDIR)$(SYSCONFDIR)/criuctl/criuctl.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/criuctl $(DESTDIR)$(LIBEXECDIR)/criuctl/criuctl-hook \
	    $(DESTDIR)$(LIBEXECDIR)/criuctl/criuctl-guard \
	    $(DESTDIR)$(MANDIR)/man1/criuctl.1 \
	    $(DESTDIR)$(MANDIR)/man5/criuctl.conf.5 $(DESTDIR)$(COMPLETIONSDIR)/criuctl \
	    $(DESTDIR)$(MANDIR)/man7/criuctl-bats.7 $(DESTDIR)$(BATSDIR)/criuctl.bash
	-rmdir $(DESTDIR)$(BATSDIR) $(DESTDIR)$(PREFIX)/share/criuctl 2>/dev/null

FORMAT_FILES = $(wildcard src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c \
               tests/fuzz/*.h tools/*.c)

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

# cppcheck, shellcheck, and tools/check-size (a top comment in every file
# of src/, no file over 400 lines, no function over 60).
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr $(INC_cli) src tools/sandbox.c tools/nsutil.c tools/container-run.c tests/fuzz
	shellcheck tools/guest-run tools/install-deps tools/run-suites tools/demo tools/bench/run \
	    tools/check-layers tools/check-size tools/bundle etc/bats/criuctl.bash \
	    guest-image/build tests/fixtures/capture tests/fuzz/run .ci/run
	tools/check-size

clean:
	rm -rf $(B)/core $(B)/sys $(B)/cli $(B)/*.a $(B)/*.d $(B)/criuctl $(B)/criuctl-hook \
	    $(B)/criuctl-guard $(B)/hook $(B)/guest-sandbox $(B)/container-run $(B)/unit $(B)/fixtures $(B)/flags build/san \
	    $(FB)/obj $(FB)/libcore.a $(FB)/fuzz_*

-include $(wildcard $(B)/*.d $(B)/*/*.d $(FB)/*.d $(FB)/obj/*.d)
