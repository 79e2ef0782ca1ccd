# SPDX-License-Identifier: GPL-2.0
# `make` builds build/allocfail. `make run` and `make test` are the two commands of README.md.
OUTPUT := build
CLANG ?= clang-19
LLVM_STRIP ?= llvm-strip-19
BPFTOOL ?= bpftool
CC ?= gcc
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ifeq ($(filter x86,$(ARCH)),)
$(error Architecture $(ARCH) is not supported yet.)
endif
VMLINUX := vmlinux/$(ARCH)/vmlinux.h

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WERROR ?= -Werror
CFLAGS ?= -O2 -g
# user/ is one folder per stage of an event's path (docs/architecture.md); headers are included by
# name alone, from any folder.
USER_DIRS := user $(patsubst %/,%,$(sort $(dir $(wildcard user/*/*.c user/*/*.h))))
override CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR) -I$(OUTPUT) -I. $(addprefix -I,$(USER_DIRS)) \
	-D_GNU_SOURCE
BPFCFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(WERROR) -I$(dir $(VMLINUX)) -I.
# clang's own system include dirs, after ours (as libbpf-tools does), for the BPF target.
CLANG_BPF_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

# libbpf linked statically so the binary runs on kernels/initramfs without our libbpf.so.
LIBBPF_A := $(shell for d in /usr/lib/$$(gcc -dumpmachine) /usr/lib64 /usr/lib; do \
	[ -f $$d/libbpf.a ] && echo $$d/libbpf.a && break; done)
STATIC_LDLIBS := $(LIBBPF_A) -ldw -lelf -ljson-c -lprotobuf-c -lz -lzstd -llzma -lbz2 -lpthread
ifeq ($(STATIC),1)
LDFLAGS += -static
LDLIBS := $(STATIC_LDLIBS)
else
LDLIBS := $(LIBBPF_A) -ldw -lelf -ljson-c -lprotobuf-c -lz
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS := $(wildcard user/*.c user/*/*.c)
USER_HDRS := $(wildcard user/*.h user/*/*.h)
PROTO_SRCS := $(wildcard proto/*.proto)
PROTO_HDRS := $(patsubst proto/%.proto,$(OUTPUT)/proto/%.pb-c.h,$(PROTO_SRCS))
PROTO_OBJS := $(patsubst proto/%.proto,$(OUTPUT)/proto/%.pb-c.o,$(PROTO_SRCS))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS)) $(PROTO_OBJS)
LIB_OBJS := $(filter-out $(OUTPUT)/user/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
ITEST_SRCS := $(wildcard tests/integration/progs/*.c)
ITEST_BINS := $(patsubst tests/integration/progs/%.c,$(OUTPUT)/tests/progs/%,$(ITEST_SRCS))

.PHONY: all clean run test test-unit test-golden test-integration test-consumers test-vm bench bench-floor soak deps check-format
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUTPUT)/allocfail

deps:
	$(Q)scripts/install-deps.sh

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/user $(OUTPUT)/proto $(OUTPUT)/tests $(OUTPUT)/tests/progs \
$(OUTPUT)/static:
	$(Q)mkdir -p $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(VMLINUX) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPFCFLAGS) $(CLANG_BPF_SYS_INCLUDES) -c $< -o $@

# One object, one skeleton: each failure source is its own .bpf.c, linked together.
$(OUTPUT)/allocfail.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/allocfail.skel.h: $(OUTPUT)/allocfail.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name allocfail_bpf > $@

# protoc-c writes proto/x.proto's code to $(OUTPUT)/proto/x.pb-c.{c,h} (included as "proto/x.pb-c.h").
$(OUTPUT)/proto/%.pb-c.c $(OUTPUT)/proto/%.pb-c.h: proto/%.proto | $(OUTPUT)/proto
	$(call msg,PROTOC,$@)
	$(Q)protoc-c --c_out=$(OUTPUT) $<

$(OUTPUT)/proto/%.pb-c.o: $(OUTPUT)/proto/%.pb-c.c $(OUTPUT)/proto/%.pb-c.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/user/%.o: user/%.c $(USER_HDRS) bpf/allocfail.h bpf/syscalls.h $(OUTPUT)/allocfail.skel.h $(PROTO_HDRS) | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/allocfail: $(USER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The same objects linked statically, for scripts/vmtest's initramfs; build/allocfail stays.
$(OUTPUT)/static/allocfail: $(USER_OBJS) | $(OUTPUT)/static
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -static $^ $(STATIC_LDLIBS) -o $@

$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) tests/fuzz/record_fixtures.h \
		$(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# Integration test programs keep frame pointers so their stacks name their own functions, but
# for those built as distributions build (PROG_CFLAGS), to test DWARF unwinding.
PROG_CFLAGS ?= -O1 -g -fno-omit-frame-pointer -fno-inline
$(OUTPUT)/tests/progs/deep5: PROG_CFLAGS = -O2 -g -fomit-frame-pointer
$(OUTPUT)/tests/progs/%: tests/integration/progs/%.c $(wildcard tests/integration/progs/*.h) | $(OUTPUT)/tests/progs
	$(call msg,CC,$@)
	$(Q)$(CC) $(PROG_CFLAGS) -Wall -Wextra $(WERROR) $< -o $@

test-unit: $(UNIT_BINS)
	$(Q)set -e; for t in $^; do echo "== $$t"; $$t; done

# `report` of the golden records prints byte for byte what it printed when they were made.
test-golden: $(OUTPUT)/allocfail
	$(Q)AF=$(OUTPUT)/allocfail tests/golden/run.sh

test-integration: $(OUTPUT)/allocfail $(ITEST_BINS)
	$(Q)tests/integration/run.sh

# The exports read by pprof-format, speedscope and Chromium (installs them if missing).
test-consumers: $(OUTPUT)/tests/test_exporters
	$(Q)TEST_EXPORTERS=$(OUTPUT)/tests/test_exporters tests/consumers/run.sh

# The integration suite inside QEMU on Debian's 6.1 (v2, then v1 memory cgroups), 6.12 and 7.3
# kernels and natively on this one (scripts/vmtest), with a statically linked tracer; the
# pass/fail table last. VMTEST_ARGS: more options, e.g. --kernels 7.3.
test-vm: $(OUTPUT)/static/allocfail $(ITEST_BINS)
	$(Q)scripts/vmtest --host $(VMTEST_ARGS)

# Issue 13's soak (bench/soak.sh): the whole-machine tracer for 10 minutes of churn and storms,
# its memory sampled; SOAK_ARGS: more options, e.g. --minutes 2. Never part of `test`.
soak: all $(OUTPUT)/tests/progs/mmap_storm
	$(Q)bench/soak.sh $(SOAK_ARGS)

# Overhead against an untraced run and bpftrace (bench/README.md); never part of `test`.
bench: all bench-floor
	$(Q)bench/run.sh $(BENCH_ARGS)

# The empty sys_exit program bench/run.sh measures as the floor under allocfail's hook.
bench-floor: $(OUTPUT)/bench/floor $(OUTPUT)/bench/floor.bpf.o

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/floor.bpf.o: bench/floor.bpf.c $(VMLINUX) | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPFCFLAGS) $(CLANG_BPF_SYS_INCLUDES) -c $< -o $@

$(OUTPUT)/bench/floor: bench/floor.c | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LIBBPF_A) -lelf -lz

# The README's test command: installs what is missing, builds, runs every test as root; the
# integration suite runs here and on Debian's kernels under QEMU (test-vm), its table last.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-golden
	$(Q)$(MAKE) --no-print-directory test-consumers
	$(Q)$(MAKE) --no-print-directory test-vm

# The README's main command: install, build, trace the whole machine until Ctrl-C.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(OUTPUT)/allocfail

clean:
	$(Q)rm -rf $(OUTPUT)

# `make fuzz`: the record reader under libFuzzer (FUZZ_TIME seconds); not part of `test`.
include tests/fuzz/fuzz.mk
