# warder — one binary, plain GNU make (on FreeBSD: gmake).
#   make            build build/warder
#   make check      build and run every test suite (unit, integration, FreeBSD compile and link checks)
#   make asan       the same tests against an ASan+UBSan build
#   make run        the demo
#   make bench      side-by-side benchmarks with the peers (not part of check)
#   make install    PREFIX=/usr/local DESTDIR= (UNITDIR, BASHCOMPDIR: systemd units, bash completion)
#
# Layers, bottom to top; a file uses its own layer and those below, never one above (README, Architecture;
# tests/integration/layers.sh holds the table and checks every #include and every call between directories):
#   lib/           ground: log, exit codes, container_of, safepath, proc (Linux/FreeBSD halves), reaper
#   conf/          the dialect, the parameter table, devfs/fstab/jailpw readers, FreeBSD's plan (portable)
#   hooks/         the step table, the hook chains and their shell, the plans run executes and check prints
#   init/          process (supervise, rlimit, sockets), base (kmsg, state, control, ...), platform
#                  (init/jail.h, init/linux/, init/freebsd/), runtime (keeper, jail_init, stack, emperor, ...),
#                  commands (init/cmd_*.c, init/entry.c); init/main.c picks one

VERSION   := 0.1.0
comma     := ,
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/warder
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2
ifeq ($(CI),true)
WARN      += -Werror
endif
OS        := $(shell uname -s)
INIH_CFLAGS := $(shell pkg-config --cflags inih 2>/dev/null)
INIH_LIBS   := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
ifeq ($(OS),FreeBSD)
# FreeBSD 14.0 or later. libev and inih are the ports' shared libraries (the port's LIB_DEPENDS), found in
# LOCALBASE whatever the compiler's default path holds; libm always: FreeBSD's isfinite() calls __isfinite,
# which only libm exports. `make OS=FreeBSD freebsd-vars` prints this build for tests/freebsd-check.sh,
# which compiles and links exactly it against the FreeBSD 14 sysroot: one definition for both.
LOCALBASE ?= /usr/local
EV_CFLAGS := -I$(LOCALBASE)/include/libev
EV_LIBS   := -L$(LOCALBASE)/lib -lev
INIH_CFLAGS := -I$(LOCALBASE)/include
INIH_LIBS := -L$(LOCALBASE)/lib -linih
PLAT_SRC  := $(wildcard init/freebsd/*.c) lib/proc_freebsd.c
PLAT_LIBS := -ljail -lutil -lm
override STATIC_DEPS := no
else
EV_LIBS   := -lev
PLAT_SRC  := $(wildcard init/linux/*.c) lib/proc_linux.c
PLAT_LIBS :=
endif
# libev and libinih go in statically when their archives are on the compiler's path (Debian's -dev
# packages ship them): two fewer libraries to map and relocate on every start, which is what a PID 1 pays
# for most. STATIC_DEPS=no links them as shared libraries.
STATIC_DEPS ?= yes
ifeq ($(STATIC_DEPS),yes)
EV_A      := $(shell $(CC) -print-file-name=libev.a)
INIH_A    := $(shell $(CC) -print-file-name=libinih.a)
ifneq ($(EV_A),libev.a)
EV_LIBS   := $(EV_A) -lm
endif
ifneq ($(INIH_A),libinih.a)
INIH_LIBS := $(INIH_A)
endif
endif
# STATIC=yes (the default on Linux when the C library's archive is installed): one static-pie binary, still
# randomised by ASLR. A PID 1 pays for its mappings on every start, every fork and every clone of a jail:
# static, it starts about 1 ms sooner, a jail's clone copies a third of the mappings, it maps fewer pages
# (tests/bench/results.md), and it runs in any rootfs (scratch, musl) when copied in as the entrypoint.
# The cost: a static C library cannot use the host's NSS modules (it would load modules built for the
# shared one: systemd's crashes it), so host-side user and group names (exec.system_user,
# exec.system_jail_user, devfs rules) come from /etc/passwd and /etc/group alone (WARDER_NO_NSS).
# STATIC=no links against the shared C library and asks NSS (the Debian package does).
STATIC ?= yes
LIBC_A    := $(shell $(CC) -print-file-name=libc.a)
ifneq ($(OS),Linux)
STATIC    := no
endif
ifeq ($(LIBC_A),libc.a)
STATIC    := no
endif
# The sanitizers' runtimes are shared libraries: a sanitizer build is never static, whatever else says so.
ifneq ($(findstring -fsanitize,$(CFLAGS) $(LDFLAGS)),)
override STATIC := no
endif
ifeq ($(STATIC),yes)
LD_STATIC := -static-pie
NSS_FLAGS := -DWARDER_NO_NSS
endif
# The static binary's code and read-only data in the order a PID 1 uses them (init/layout.ld, made by
# `make layout` from traces of the entrypoint and of a jail): the kernel maps a fault's whole 64 KiB window
# of the file, and a static C library's start-up alone touches code all over the binary; gathered, the
# entrypoint keeps less than half as much of it resident, and each jail's keeper and init a third less
# (tests/bench/results.md). Each function and table in its own section, so that the order is by
# function. GNU ld only; what the script names and a build lacks is skipped. LAYOUT= links in the
# default order.
LAYOUT    ?= init/layout.ld
ifneq ($(STATIC),yes)
override LAYOUT :=
endif
GNU_LD    := $(shell $(CC) $(LDFLAGS) -Wl,--version 2>/dev/null | grep -c 'GNU ld')
ifeq ($(GNU_LD),0)
override LAYOUT :=
endif
override LAYOUT := $(wildcard $(LAYOUT))
# SIZE_LD: a further GNU ld script (make static passes init/static.ld); relinks when it changes.
SIZE_LD   ?=
ifeq ($(GNU_LD),0)
override SIZE_LD :=
endif
LD_SCRIPTS := $(if $(LAYOUT),-Wl$(comma)-T$(comma)$(LAYOUT)) $(if $(SIZE_LD),-Wl$(comma)-T$(comma)$(SIZE_LD))
CC_LAYOUT := $(if $(LAYOUT),-ffunction-sections -fdata-sections)
# Less for the dynamic loader to do at start: sorted hash chains, no unused libraries, packed relative
# relocations (DT_RELR) where the linker has them.
LD_OPT    := -Wl,-O1 -Wl,--as-needed
ifneq ($(OS),FreeBSD)
LD_OPT    += $(shell $(CC) -Wl,--help 2>/dev/null | grep -q pack-relative-relocs && echo -Wl,-z,pack-relative-relocs)
endif
ALL_CPPFLAGS = -D_GNU_SOURCE -DWARDER_VERSION='"$(VERSION)"' -DWARDER_DATADIR='"$(DATADIR)"' $(NSS_FLAGS) \
               -iquote init -iquote conf -iquote hooks -iquote lib $(INIH_CFLAGS) $(EV_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = -std=gnu11 $(WARN) $(CC_LAYOUT) $(CFLAGS)
LDLIBS_ALL   = $(INIH_LIBS) $(EV_LIBS) $(PLAT_LIBS) $(LDLIBS)

# Everything but main.c goes into a library the unit tests link against. GEN_SRC are texts built in as C
# strings, generated from the files themselves (conf/cstring.sh) so that no hand-kept copy can drift.
B         ?= build
GEN_SRC   := $(B)/gen/demo_conf.c $(B)/gen/devfs_default_rules.c
LIB_SRC   := $(filter-out init/main.c lib/proc_%.c,$(wildcard init/*.c conf/*.c hooks/*.c lib/*.c)) $(PLAT_SRC) $(GEN_SRC)
LIB_OBJ   = $(patsubst $(B)/obj/$(B)/gen/%,$(B)/obj/gen/%,$(LIB_SRC:%.c=$(B)/obj/%.o))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all check unit integration asan run bench install static deps clean freebsd-check freebsd-vars fuzz deb layout
all: $(B)/warder

deps: build/.deps
build/.deps: tests/deps.sh
	$(Q)sh tests/deps.sh build
	$(Q)mkdir -p build && touch $@

# Objects and the link follow the flags too: a STATIC=no or sanitizer build in a tree built otherwise
# recompiles instead of mixing objects (a static-pie ASan binary crashes at once).
BUILD_FLAGS := $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LD_STATIC) $(LD_SCRIPTS) $(LDFLAGS)
ifneq ($(BUILD_FLAGS),$(shell cat $(B)/.flags 2>/dev/null))
$(shell mkdir -p $(B))
$(file >$(B)/.flags,$(BUILD_FLAGS))
endif

$(B)/obj/%.o: %.c $(B)/.flags | build/.deps
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/demo_conf.c: conf/demo.conf conf/cstring.sh
$(B)/gen/devfs_default_rules.c: conf/devfs.rules conf/cstring.sh
$(GEN_SRC):
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  GEN     $@"
	$(Q)sh conf/cstring.sh $(basename $(notdir $@)) $< >$@.tmp && mv $@.tmp $@
$(B)/obj/gen/%.o: $(B)/gen/%.c $(B)/.flags
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libwarder.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

# Objects, not the archive: every subcommand's object must be linked in, referenced or not.
# The entrypoint's code goes first, then libev (pulled in right there), so that what a container's PID 1
# runs sits in a few adjacent pages of text rather than all over the binary: less resident memory (where
# init/layout.ld applies, it orders the C library's code and everyone's data too).
HOT_SRC   := init/main.c init/entry.c init/cmd_opts.c init/supervise.c init/sup_spawn.c lib/reaper.c lib/log.c conf/values.c \
	     $(filter %/sigsrc.c lib/proc_%.c,$(PLAT_SRC))
HOT_OBJ    = $(HOT_SRC:%.c=$(B)/obj/%.o)
$(B)/warder: $(B)/obj/init/main.o $(LIB_OBJ) $(B)/.flags $(LAYOUT) $(SIZE_LD)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LD_OPT) $(LD_STATIC) $(LD_SCRIPTS) $(LDFLAGS) -o $@ $(HOT_OBJ) $(EV_LIBS) \
		$(filter-out $(HOT_OBJ) %/.flags %.ld,$^) $(LDLIBS_ALL)

# The same objects linked dynamically: the fault-injection shim (LD_PRELOAD) and valgrind need a dynamic
# binary; with STATIC=no it is build/warder itself.
ifeq ($(STATIC),yes)
WARDER_DYN = $(B)/warder-dynamic
$(B)/warder-dynamic: $(B)/obj/init/main.o $(LIB_OBJ) $(B)/.flags
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LD_OPT) $(LDFLAGS) -o $@ $(HOT_OBJ) $(EV_LIBS) \
		$(filter-out $(HOT_OBJ) %/.flags,$^) $(LDLIBS_ALL)
else
WARDER_DYN = $(B)/warder
endif

$(B)/tests/%: tests/unit/%.c tests/unit/t.h $(B)/libwarder.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CPPFLAGS) -iquote tests/unit $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libwarder.a $(LDLIBS_ALL)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# check: every suite prints "N passed, N failed"; tests/run sums them.
check: $(B)/warder $(WARDER_DYN) $(UNIT_BIN)
	$(Q)sh tests/deps.sh check
	$(Q)WARDER=$(abspath $(B)/warder) WARDER_DYN=$(abspath $(WARDER_DYN)) UNIT_DIR=$(abspath $(B)/tests) sh tests/run

unit: $(UNIT_BIN)
	$(Q)for t in $(UNIT_BIN); do $$t || exit 1; done

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(Q)$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" check

# The smallest build: -Os, each function and object in its own section so that the linker drops what nothing
# calls, no unwind tables (nothing unwinds through warder: no exceptions, no thread cancellation, no
# backtrace; init/static.ld drops the C library's and libev's as well). GNU ld; another linker keeps them.
STATIC_CFLAGS := -Os -g0 -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
static:
	$(Q)$(MAKE) --no-print-directory B=build/static STATIC=yes CFLAGS="$(STATIC_CFLAGS)" \
		LDFLAGS="-Wl,--gc-sections" SIZE_LD=init/static.ld build/static/warder
	$(Q)strip build/static/warder && ls -l build/static/warder

# init/layout.ld from traces of the default build (tests/tools/layout.sh: valgrind's lackey, ptrace).
layout:
	$(Q)$(MAKE) --no-print-directory B=build/layout LDFLAGS="-Wl,-Map=build/layout/warder.map" build/layout/warder
	$(Q)sh tests/tools/layout.sh build/layout >init/layout.ld.tmp && mv init/layout.ld.tmp init/layout.ld

freebsd-check:
	$(Q)sh tests/freebsd-check.sh
# The FreeBSD build's sources include the generated ones: have them there for its checks.
freebsd-vars: $(GEN_SRC)

# What this Makefile builds, as make words (the shell splits them as a recipe would): the sources, the
# compile flags, the link flags and libraries in link order. tests/freebsd-check.sh reads it with OS=FreeBSD.
freebsd-vars:
	$(info SRC=$(sort init/main.c $(LIB_SRC)))
	$(info CPPFLAGS=$(ALL_CPPFLAGS))
	$(info CFLAGS=$(ALL_CFLAGS))
	$(info LDFLAGS=$(LD_OPT) $(LD_STATIC) $(LDFLAGS))
	$(info LIBS=$(EV_LIBS) $(LDLIBS_ALL))
	@:

run: $(B)/warder
	$(Q)sh tests/demo.sh $(abspath $(B)/warder)

bench: $(B)/warder
	$(Q)sh tests/deps.sh bench
	$(Q)sh tests/bench/run.sh $(abspath $(B)/warder)

install: $(B)/warder
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(B)/warder $(DESTDIR)$(SBINDIR)/warder
	[ ! -f conf/devfs.rules ] || install -m 644 conf/devfs.rules $(DESTDIR)$(DATADIR)/devfs.rules
	[ ! -f packaging/man/warder.8 ] || install -m 644 packaging/man/warder.8 $(DESTDIR)$(MANDIR)/man8/
	[ ! -f packaging/man/warder.conf.5 ] || install -m 644 packaging/man/warder.conf.5 $(DESTDIR)$(MANDIR)/man5/
ifneq ($(OS),FreeBSD)
	install -d $(DESTDIR)$(UNITDIR)
	install -m 644 packaging/systemd/warder@.service packaging/systemd/warder-emperor.service $(DESTDIR)$(UNITDIR)/
endif
	[ ! -f packaging/completion/warder.bash ] || { install -d $(DESTDIR)$(BASHCOMPDIR) && \
		install -m 644 packaging/completion/warder.bash $(DESTDIR)$(BASHCOMPDIR)/warder; }

deb:
	$(Q)sh tests/deps.sh check
	$(Q)sh packaging/debian/build.sh $(abspath build/deb)

FUZZ_SECONDS ?= 60
fuzz:
	$(Q)sh tests/deps.sh check
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build
