# SPDX-License-Identifier: GPL-2.0
# `make fuzz`: the record reader (and the sinks that print what it returns) under libFuzzer with
# ASan and UBSan. Included by the Makefile after its own variables. Every object of the tests
# (user/**/*.o but main.o, the protobuf code) is rebuilt with clang's sanitizers under
# $(OUTPUT)/fuzz/; the seed corpus comes from the record sink itself. FUZZ_TIME is in seconds.
FUZZ_DIR := $(OUTPUT)/fuzz
FUZZ_TIME ?= 300
FUZZ_ARGS ?=
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -std=gnu11 -Wall -Wextra -I$(OUTPUT) -I. \
	$(addprefix -I,$(USER_DIRS)) -D_GNU_SOURCE
FUZZ_HDRS := $(USER_HDRS) bpf/allocfail.h bpf/syscalls.h $(OUTPUT)/allocfail.skel.h $(PROTO_HDRS)
FUZZ_OBJS := $(patsubst $(OUTPUT)/%.o,$(FUZZ_DIR)/%.o,$(LIB_OBJS))

.PHONY: fuzz fuzz-deps

$(FUZZ_DIR)/user/%.o: user/%.c $(FUZZ_HDRS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/proto/%.pb-c.o: $(OUTPUT)/proto/%.pb-c.c $(OUTPUT)/proto/%.pb-c.h
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# libFuzzer and the sanitizer runtimes (Debian: libclang-rt-19-dev); evaluated only when needed.
FUZZ_RT = $(shell find "$$($(CLANG) -print-resource-dir)/lib" -name 'libclang_rt.fuzzer*.a' \
	2>/dev/null | head -n 1)

$(FUZZ_DIR)/fuzz_record: tests/fuzz/fuzz_record.c tests/fuzz/record_fixtures.h $(wildcard tests/unit/*.h) $(FUZZ_OBJS)
	$(if $(FUZZ_RT),,$(error make fuzz needs clang's libFuzzer runtime (libclang-rt-19-dev): \
		scripts/install-deps.sh installs it as root))
	$(call msg,FUZZLD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(WERROR) -fsanitize=fuzzer $< $(FUZZ_OBJS) $(LDLIBS) -o $@

$(FUZZ_DIR)/gen_corpus: tests/fuzz/gen_corpus.c tests/fuzz/record_fixtures.h $(wildcard tests/unit/*.h) $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -o $@

# New inputs the fuzzer finds stay in corpus/ for the next run; crashes go to artifacts/.
# clang's libFuzzer runtime first (FUZZ_RT is read when fuzz_record is linked, after this)
fuzz-deps:
	$(Q)scripts/install-deps.sh libclang-rt-19-dev

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz_record $(FUZZ_DIR)/gen_corpus
	$(Q)mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/artifacts
	$(Q)$(FUZZ_DIR)/gen_corpus $(FUZZ_DIR)/corpus
	$(Q)$(FUZZ_DIR)/fuzz_record -max_total_time=$(FUZZ_TIME) -max_len=65536 \
		-artifact_prefix=$(FUZZ_DIR)/artifacts/ $(FUZZ_ARGS) $(FUZZ_DIR)/corpus
