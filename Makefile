# SPDX-License-Identifier: GPL-2.0-only
#
# Bulkhead: one Makefile builds everything. The README's two commands are
# `make run` and `make test`; both install what they need first (`make deps`).
#
# Host code builds with plain $(CC); only the kernel modules go through Kbuild.

BUILD      := build
CC         ?= gcc
CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra -Werror
HOST_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Iinclude
# Programs that go into the test initramfs are static: it has no libc.
GUEST_LDFLAGS := -static

# Evaluated when used (after `make deps` ran), never hard-coded.
KVER = $(or $(BULKHEAD_KVER),$(shell mk/kver.sh))
KDIR = /lib/modules/$(KVER)/build

Q := $(if $(V),,@)

# Keep intermediate objects (inmate ELFs and objects): no rebuilds, no rm noise.
.SECONDARY:

.PHONY: hypervisor configs inmates bench bench-host _bench-host examples fuzz all deps build tools modules libcellmsg guest-bins test-bins initramfs \
	test test-unit test-system run clean help _test _run

all: build

help:
	@echo "make deps         install the Debian packages the project needs (root)"
	@echo "make              build tools, kernel modules and tests"
	@echo "make run          QEMU: enable the hypervisor, start cellmsg-echo, run bulkhead-bench"
	@echo "make hypervisor   build/hypervisor/bulkhead.bin (the driver's firmware)"
	@echo "make configs      configs/x86/*.c -> build/configs/*.cell"
	@echo "make inmates      inmates/demos/x86/*.c -> build/inmates/*.bin"
	@echo "make test         unit tests and QEMU system tests"
	@echo "make test-unit    host tests only"
	@echo "make bench-host   libcellmsg ping-pong and throughput against its baselines"
	@echo "make test-system [T=PREFIX]   QEMU scenarios (those starting with PREFIX)"

deps:
	$(Q)mk/deps.sh

build: tools modules libcellmsg hypervisor configs inmates guest-bins test-bins initramfs bench

# ---- host tools -------------------------------------------------------------
HOST_TOOLS := $(BUILD)/tools/ivshmem-ping $(BUILD)/tests/tools/ivshmem-server $(BUILD)/tools/bulkhead
tools: $(HOST_TOOLS)

# The CLI shares the hypervisor's config checker.
BULKHEAD_SRCS := tools/bulkhead.c hypervisor/core/config_check.c
$(BUILD)/tools/bulkhead: $(BULKHEAD_SRCS) $(wildcard include/bulkhead/*.h hypervisor/include/config_check.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $(BULKHEAD_SRCS)

$(BUILD)/guest/bulkhead: $(BULKHEAD_SRCS) $(wildcard include/bulkhead/*.h hypervisor/include/config_check.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(BULKHEAD_SRCS)

$(BUILD)/tools/%: tools/%.c $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

$(BUILD)/tests/tools/%: tests/tools/%.c $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

# ---- freestanding code built into both the hypervisor and inmates ----------
COMMON_SRCS := $(wildcard common/*.c)
HV_COMMON_OBJS := $(patsubst common/%.c,$(BUILD)/hypervisor/common/%.c.o,$(COMMON_SRCS))
INMATE_COMMON_OBJS := $(patsubst common/%.c,$(BUILD)/inmates/common/%.c.o,$(COMMON_SRCS))

# ---- the hypervisor (freestanding) ------------------------------------------
# No SSE: guest FPU/vector state stays live in the CPU while we run.
HV_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -nostdlib -fno-builtin \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-common \
	-Iinclude -Icommon/include -Ihypervisor/include -Ihypervisor/arch/x86/include
HV_SRCS := $(wildcard hypervisor/core/*.c hypervisor/arch/x86/*.c hypervisor/arch/x86/*.S)
HV_OBJS := $(patsubst hypervisor/%,$(BUILD)/hypervisor/%.o,$(HV_SRCS)) $(HV_COMMON_OBJS)
HV_HDRS := $(wildcard include/bulkhead/*.h hypervisor/include/*.h hypervisor/arch/x86/include/asm/*.h \
	common/include/common/*.h)
HV_BIN  := $(BUILD)/hypervisor/bulkhead.bin
hypervisor: $(HV_BIN)

$(BUILD)/hypervisor/%.c.o: hypervisor/%.c $(HV_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/common/%.c.o: common/%.c $(HV_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/%.S.o: hypervisor/%.S $(HV_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(BUILD)/hypervisor/hypervisor.elf: $(HV_OBJS) hypervisor/hypervisor.lds
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
		-T hypervisor/hypervisor.lds -o $@ $(HV_OBJS)

$(HV_BIN): $(BUILD)/hypervisor/hypervisor.elf
	$(Q)objcopy -O binary $< $@

# ---- inmates: bare-metal programs for cells ---------------------------------
# No SSE: header.S does not enable it.
INMATE_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -nostdlib -fno-builtin \
	-mno-red-zone -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -Iinclude -Icommon/include
INMATE_LIB_SRCS := $(wildcard inmates/lib/x86/*.c inmates/lib/x86/*.S)
INMATE_LIB_OBJS := $(patsubst inmates/%,$(BUILD)/inmates/%.o,$(INMATE_LIB_SRCS)) \
	$(INMATE_COMMON_OBJS)
INMATE_DEMOS := $(patsubst inmates/demos/x86/%.c,$(BUILD)/inmates/%.bin,$(wildcard inmates/demos/x86/*.c))
inmates: $(INMATE_DEMOS)

$(BUILD)/inmates/common/%.c.o: common/%.c $(wildcard common/include/common/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) -c -o $@ $<

$(BUILD)/inmates/%.c.o: inmates/%.c $(wildcard inmates/lib/x86/*.h include/bulkhead/*.h common/include/common/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) -c -o $@ $<

$(BUILD)/inmates/%.S.o: inmates/%.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) -c -o $@ $<

# libcellmsg's core and inmate backend, built like the runtime: an inmate
# that calls them (cellmsg-echo) pulls them out of this archive.
INMATE_CELLMSG := $(BUILD)/inmates/libcellmsg.a
$(BUILD)/inmates/cellmsg/%.o: libcellmsg/*/%.c $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) $(CELLMSG_INC) -c -o $@ $<
$(INMATE_CELLMSG): $(BUILD)/inmates/cellmsg/cellmsg.o $(BUILD)/inmates/cellmsg/inmate.o
	$(Q)$(AR) rcs $@ $^

$(BUILD)/inmates/demos/x86/%.c.o: INMATE_CFLAGS += $(CELLMSG_INC)
$(BUILD)/inmates/%.elf: $(BUILD)/inmates/demos/x86/%.c.o $(INMATE_LIB_OBJS) $(INMATE_CELLMSG) inmates/lib/x86/inmate.lds
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
		-T inmates/lib/x86/inmate.lds -o $@ $(INMATE_LIB_OBJS) $< $(INMATE_CELLMSG)

$(BUILD)/inmates/%.bin: $(BUILD)/inmates/%.elf
	$(Q)objcopy -O binary -R .bss -R .bootdata $< $@

# ---- configs: C structs, objcopy'd to .cell blobs ---------------------------
CONFIGS := $(patsubst configs/x86/%.c,$(BUILD)/configs/%.cell,$(wildcard configs/x86/*.c))
configs: $(CONFIGS)

# The second ivshmem pair's config takes the first one's layout.
$(BUILD)/configs/ivshmem-demo2.cell: configs/x86/ivshmem-demo.c
$(BUILD)/configs/%.cell: configs/x86/%.c $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -Iinclude -c -o $(@:.cell=.o) $<
	$(Q)objcopy -O binary -j .bhconfig $(@:.cell=.o) $@

# ---- programs for the guests (static) ---------------------------------------
GUEST_BINS := $(BUILD)/guest/ivshmem-ping $(BUILD)/guest/uio-errtest $(BUILD)/guest/cellmsg-xfer \
	$(BUILD)/guest/cellmsg-reset $(BUILD)/guest/bulkhead-bench \
	$(BUILD)/guest/bh-cfgtool \
	$(BUILD)/guest/bulkhead
guest-bins: $(GUEST_BINS)

# ivshmem-ping opens its device with libcellmsg's uio backend.
PING_SRCS := tools/ivshmem-ping.c libcellmsg/backends/uio.c libcellmsg/backends/posix.c
PING_DEPS := $(PING_SRCS) $(wildcard include/bulkhead/*.h libcellmsg/include/cellmsg/*.h)

$(BUILD)/tools/ivshmem-ping: $(PING_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -Ilibcellmsg/include -o $@ $(PING_SRCS)

$(BUILD)/guest/ivshmem-ping: $(PING_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -Ilibcellmsg/include $(GUEST_LDFLAGS) -o $@ $(PING_SRCS)

$(BUILD)/guest/%: tests/system/guest/%.c $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $<

# ---- kernel modules ---------------------------------------------------------
MODULES := $(BUILD)/modules/uio_ivshmem.ko $(BUILD)/modules/bulkhead.ko \
	$(BUILD)/modules/bh_probe.ko
modules: $(MODULES)

# A test module for hv-isolation (accesses physical memory and ports).
$(BUILD)/modules/bh_probe.ko: tests/system/modules/bh_probe.c tests/system/modules/Kbuild
	@mkdir -p $(@D)
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/tests/system/modules \
		W=1 modules >$(BUILD)/modules/bh_probe.log 2>&1 || \
		{ cat $(BUILD)/modules/bh_probe.log; exit 1; }
	$(Q)cp tests/system/modules/bh_probe.ko $@

$(BUILD)/modules/bulkhead.ko: $(wildcard driver/*.c driver/*.h) driver/Kbuild $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/driver \
		BULKHEAD_ROOT=$(CURDIR) W=1 modules >$(BUILD)/modules/bulkhead.log 2>&1 || \
		{ cat $(BUILD)/modules/bulkhead.log; exit 1; }
	$(Q)cp driver/bulkhead.ko $@

$(BUILD)/modules/uio_ivshmem.ko: ivshmem-uio/uio_ivshmem.c ivshmem-uio/Kbuild $(wildcard include/bulkhead/*.h)
	@mkdir -p $(@D)
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/ivshmem-uio \
		BULKHEAD_ROOT=$(CURDIR) W=1 modules >$(BUILD)/modules/uio_ivshmem.log 2>&1 || \
		{ cat $(BUILD)/modules/uio_ivshmem.log; exit 1; }
	$(Q)cp ivshmem-uio/uio_ivshmem.ko $@

# ---- the initramfs every system test boots ---------------------------------
INITRAMFS := $(BUILD)/initramfs.cpio.gz
initramfs: $(INITRAMFS)

$(INITRAMFS): $(GUEST_BINS) $(MODULES) $(HV_BIN) $(CONFIGS) $(INMATE_DEMOS) tests/system/init tests/system/mkinitramfs.sh \
		$(wildcard tests/system/guest/*)
	$(Q)tests/system/mkinitramfs.sh $(BUILD) $(KVER) $@

# ---- libcellmsg -------------------------------------------------------------
CELLMSG_INC   := -Ilibcellmsg/include
CELLMSG_CORE  := libcellmsg/core/cellmsg.c
CELLMSG_SRCS  := $(CELLMSG_CORE) $(addprefix libcellmsg/backends/,host.c uio.c loop.c inmate.c posix.c)
CELLMSG_LIBS  := -luring
CELLMSG_HDRS  := $(wildcard libcellmsg/include/cellmsg/*.h libcellmsg/backends/*.h include/bulkhead/*.h)
FREESTANDING  := -ffreestanding -nostdlib -fno-builtin -mno-red-zone

libcellmsg: $(BUILD)/libcellmsg/libcellmsg.a $(BUILD)/libcellmsg/core-freestanding.o \
	$(BUILD)/libcellmsg/inmate-freestanding.o examples

$(BUILD)/libcellmsg/%.o: libcellmsg/*/%.c $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) -fPIC -c -o $@ $<

$(BUILD)/libcellmsg/libcellmsg.a: $(patsubst %.c,$(BUILD)/libcellmsg/%.o,$(notdir $(CELLMSG_SRCS)))
	$(Q)$(AR) rcs $@ $^

# The guest's cellmsg-xfer (tests/system) also runs on the host (-e: the checksum a stream must have).
$(BUILD)/guest/cellmsg-xfer: tests/system/guest/cellmsg-xfer.c $(CELLMSG_SRCS) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(GUEST_LDFLAGS) -o $@ $< $(CELLMSG_SRCS) $(CELLMSG_LIBS)

# bulkhead-bench runs in root Linux: built static for the guest, and for
# the host (where it needs a root cell, so only --help works there).
BENCH_SRCS := bench/bulkhead_bench.c libcellmsg/core/cellmsg.c libcellmsg/backends/uio.c \
	libcellmsg/backends/posix.c
$(BUILD)/guest/bulkhead-bench: $(BENCH_SRCS) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(GUEST_LDFLAGS) -o $@ $(BENCH_SRCS) -lpthread

$(BUILD)/guest/cellmsg-reset: tests/system/guest/cellmsg-reset.c $(CELLMSG_SRCS) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(GUEST_LDFLAGS) -o $@ $< $(CELLMSG_SRCS) $(CELLMSG_LIBS)

EXAMPLES := $(BUILD)/examples/hello_host
examples: $(EXAMPLES)

$(BUILD)/examples/%: libcellmsg/examples/%.c $(BUILD)/libcellmsg/libcellmsg.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) -o $@ $< $(BUILD)/libcellmsg/libcellmsg.a $(CELLMSG_LIBS)

# The core and the inmate backend must build for inmates: no libc, no red zone.
$(BUILD)/libcellmsg/core-freestanding.o: $(CELLMSG_CORE) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(FREESTANDING) -c -o $@ $<

$(BUILD)/libcellmsg/inmate-freestanding.o: libcellmsg/backends/inmate.c $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(FREESTANDING) -c -o $@ $<

# ---- unit tests -------------------------------------------------------------
# Every test is built twice: plain, and with ASan + UBSan (suffix _asan).
SANITIZE   := -fsanitize=address,undefined -fno-sanitize-recover=undefined
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_ASAN  := $(addsuffix _asan,$(UNIT_TESTS))
UNIT_SH    := $(patsubst tests/unit/%,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.sh))
test-bins: $(UNIT_TESTS) $(UNIT_ASAN) $(UNIT_SH) fuzz

# Some tests include hypervisor sources directly (config checker, decoder).
UNIT_EXTRA_DEPS := hypervisor/core/config_check.c hypervisor/include/config_check.h \
	hypervisor/include/hv_errno.h hypervisor/arch/x86/decode.c \
	hypervisor/arch/x86/include/asm/decode.h
# test_ivshmem_dev includes the emulated ivshmem device and the PCI core,
# whose angle-bracket includes need the hypervisor's include paths.
UNIT_EXTRA_DEPS += hypervisor/core/ivshmem.c hypervisor/core/pci.c \
	hypervisor/include/ivshmem.h hypervisor/include/pci.h hypervisor/include/cell.h \
	hypervisor/include/hv.h hypervisor/include/setup.h \
	hypervisor/arch/x86/include/asm/apic.h
$(BUILD)/tests/unit/test_ivshmem_dev $(BUILD)/tests/unit/test_ivshmem_dev_asan: \
	HOST_CFLAGS += -Ihypervisor/include -Ihypervisor/arch/x86/include
# test_npt and test_report include the nested page tables and the reports.
UNIT_EXTRA_DEPS += hypervisor/arch/x86/npt.c hypervisor/arch/x86/include/asm/paging.h \
	hypervisor/arch/x86/include/asm/percpu.h hypervisor/include/pool.h \
	hypervisor/core/report.c hypervisor/include/report.h
$(BUILD)/tests/unit/test_npt $(BUILD)/tests/unit/test_npt_asan \
$(BUILD)/tests/unit/test_report $(BUILD)/tests/unit/test_report_asan: \
	HOST_CFLAGS += -Ihypervisor/include -Ihypervisor/arch/x86/include

$(BUILD)/tests/unit/%: tests/unit/%.c $(CELLMSG_SRCS) $(CELLMSG_HDRS) tests/unit/check.h $(UNIT_EXTRA_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) -Itests/unit -o $@ $< $(CELLMSG_SRCS) $(CELLMSG_LIBS)

$(BUILD)/tests/unit/%_asan: tests/unit/%.c $(CELLMSG_SRCS) $(CELLMSG_HDRS) tests/unit/check.h $(UNIT_EXTRA_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -O1 $(SANITIZE) $(CELLMSG_INC) -Itests/unit -o $@ $< $(CELLMSG_SRCS) $(CELLMSG_LIBS)

# The fuzz target needs clang's libFuzzer (libclang-rt-14-dev).
FUZZ_CC := clang
$(BUILD)/fuzz/fuzz_cellmsg: tests/fuzz/fuzz_cellmsg.c $(CELLMSG_CORE) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -std=gnu11 -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iinclude $(CELLMSG_INC) -o $@ $< $(CELLMSG_CORE)
fuzz: $(BUILD)/fuzz/fuzz_cellmsg

$(BUILD)/tests/unit/%.sh: tests/unit/%.sh
	@mkdir -p $(@D)
	$(Q)install -m 755 $< $@

# ---- benchmarks ---------------------------------------------------------------
# DPDK's rte_ring is the throughput peer; pkg-config would add -march flags
# and dozens of libraries, so name just what the ring needs.
DPDK_CFLAGS := -I/usr/include/dpdk -I/usr/include/x86_64-linux-gnu/dpdk -include rte_config.h
DPDK_LIBS   := -lrte_ring -lrte_eal
BENCH := $(BUILD)/bench/cellmsg_bench
bench: $(BENCH)

$(BUILD)/bench/cellmsg_bench: bench/cellmsg_bench.c $(CELLMSG_SRCS) $(CELLMSG_HDRS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(CELLMSG_INC) $(DPDK_CFLAGS) -o $@ $< $(CELLMSG_SRCS) $(CELLMSG_LIBS) $(DPDK_LIBS)

bench-host: deps
	$(Q)$(MAKE) --no-print-directory _bench-host

_bench-host: $(BENCH)
	$(Q)$(BENCH) $(BENCH_ARGS)

# ---- tests ------------------------------------------------------------------
# Each runner prints `ok - NAME` / `not ok - NAME: reason` and a last line
# `N passed, N failed`; tests/sum.sh adds them up for `make test`.
test: deps
	$(Q)$(MAKE) --no-print-directory _test

_test: build
	$(Q)tests/sum.sh "tests/unit/run.sh $(BUILD)" "tests/system/run.sh $(BUILD) $(T)"

test-unit: build
	$(Q)tests/unit/run.sh $(BUILD)

test-system: build
	$(Q)tests/system/run.sh $(BUILD) $(T)

# ---- make run: the root<->inmate benchmark in QEMU ---------------------------
run: deps
	$(Q)$(MAKE) --no-print-directory _run

_run: build
	$(Q)tests/system/bench-run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
	$(MAKE) -C ivshmem-uio -f /dev/null clean 2>/dev/null || true
	for d in ivshmem-uio driver tests/system/modules; do \
		rm -f $$d/*.o $$d/*.ko $$d/*.mod* $$d/.*.cmd $$d/Module.symvers $$d/modules.order; \
	done
