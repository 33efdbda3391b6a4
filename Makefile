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
HOST_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -Iinclude
# Programs that go into the test initramfs are static: it has no libc.
GUEST_LDFLAGS := -static

# Never hard-coded: Debian's default kernel (mk/kver.sh), or the one given
# (make test-system KVER=6.12...: modules and initramfs per kernel). Empty
# before `make deps` installed one; the module rules then say so.
KVER := $(or $(BULKHEAD_KVER),$(shell mk/kver.sh 2>/dev/null))
KDIR = /lib/modules/$(KVER)/build

Q := $(if $(V),,@)

# Keep intermediate objects (inmate ELFs and objects): no rebuilds, no rm noise.
.SECONDARY:

.PHONY: hypervisor configs inmates bench bench-rtos bench-host _bench-host bench-icount examples fuzz all deps build tools modules libcellmsg guest-bins test-bins initramfs \
	test test-unit test-system test-system-x2apic test-system-vmx run clean help _test _run

all: build

help:
	@echo "make deps         install the Debian packages the project needs (root)"
	@echo "make              build tools, kernel modules and tests"
	@echo "make run          QEMU: enable the hypervisor, start cellmsg-echo, run bulkhead-bench"
	@echo "make hypervisor   build/hypervisor/bulkhead.bin (the driver's firmware)"
	@echo "make configs      configs/x86/*.c -> build/configs/*.cell"
	@echo "make inmates      inmates/demos/x86/*.c -> build/inmates/*.bin"
	@echo "make install      programs, modules, firmware, configs, libcellmsg, man pages"
	@echo "                  (DESTDIR=, PREFIX=/usr/local; make uninstall removes them)"
	@echo "make deb          Debian packages: bulkhead, bulkhead-dkms, libcellmsg2, libcellmsg-dev"
	@echo "make test         unit tests, QEMU (SVM) scenarios and Bochs (VMX) checks"
	@echo "make test-unit    host tests only"
	@echo "make bench-host   libcellmsg ping-pong and throughput against its baselines"
	@echo "make bench-icount instructions per libcellmsg operation (valgrind callgrind)"
	@echo "make bench-rtos   QEMU: the RTOS in a cell (release jitter, switches) beside apic-demo"
	@echo "make test-system [T=PREFIX]   QEMU scenarios (those starting with PREFIX)"
	@echo "make test-system-x2apic [T=PREFIX]   hv-, cell-, ivshmem- with root Linux in x2APIC mode (QEMU 10)"
	@echo "make test-system-vmx [T=PREFIX]   Bochs (Intel VMX) checks: vmx-boot, vmx-enable, ..."
	@echo "                  (one Bochs boot runs all selected checks, ~5 min; BOCHS_TIMEOUT=s)"

deps:
	$(Q)mk/deps.sh

build: tools modules libcellmsg hypervisor configs inmates guest-bins test-bins initramfs bench programs

# ---- how objects are made ----------------------------------------------------
# Every object is compiled on its own with -MMD -MP: the compiler writes
# the headers it read into foo.c.d next to foo.c.o, and those files are
# included at the end of this Makefile. So touching a header rebuilds
# exactly the objects that include it, in every flavour (hypervisor,
# inmate, host, ASan, fuzz); programs are then linked from objects and
# archives. Objects also depend on this Makefile: a change of flags or of
# a rule rebuilds them (and builds from before generated deps cannot stay
# stale).
DEPFLAGS  := -MMD -MP
OBJ_DEPS  := Makefile
ALL_OBJS  :=

# Host flavour: tools, tests, benchmarks, guest programs, libcellmsg.
# One object per source in $(BUILD)/host/<source path>.o; a guest program
# is the same objects linked -static.
HOST_INC  := -Ilibcellmsg/include
$(BUILD)/host/%.c.o: %.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(HOST_INC) $(DEPFLAGS) -c -o $@ $<

# ASan + UBSan flavour of the same sources (unit tests *_asan).
SANITIZE  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
$(BUILD)/asan/%.c.o: %.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -O1 $(SANITIZE) $(HOST_INC) $(DEPFLAGS) -c -o $@ $<

# An archive from exactly its objects (rm: no stale members).
define archive
	@mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^
endef

# ---- libcellmsg, once per flavour -------------------------------------------
CELLMSG_INC   := -Ilibcellmsg/include
CELLMSG_CORE  := libcellmsg/core/cellmsg.c libcellmsg/core/pubsub.c
CELLMSG_SRCS  := $(CELLMSG_CORE) $(addprefix libcellmsg/backends/,host.c uio.c loop.c inmate.c posix.c)
CELLMSG_LIBS  := -luring

# Host: apps, tools, tests, benchmarks (README: link it with -luring).
CELLMSG_LIB      := $(BUILD)/libcellmsg/libcellmsg.a
CELLMSG_OBJS     := $(patsubst %,$(BUILD)/host/%.o,$(CELLMSG_SRCS))
# ASan + UBSan: the *_asan unit tests.
CELLMSG_ASAN_LIB := $(BUILD)/libcellmsg/libcellmsg-asan.a
CELLMSG_ASAN_OBJS := $(patsubst %,$(BUILD)/asan/%.o,$(CELLMSG_SRCS))
# Inmates: the core and the inmate backend, built like the inmate runtime
# (tests/unit/test_freestanding.sh checks they need only memcpy/memset).
INMATE_CELLMSG      := $(BUILD)/inmates/libcellmsg.a
INMATE_CELLMSG_OBJS := $(patsubst %,$(BUILD)/inmates/%.o,$(CELLMSG_CORE) libcellmsg/backends/inmate.c)
ALL_OBJS += $(CELLMSG_OBJS) $(CELLMSG_ASAN_OBJS) $(INMATE_CELLMSG_OBJS)

libcellmsg: $(CELLMSG_LIB) $(CELLMSG_ASAN_LIB) $(INMATE_CELLMSG) examples

$(CELLMSG_LIB): $(CELLMSG_OBJS)
	$(archive)
$(CELLMSG_ASAN_LIB): $(CELLMSG_ASAN_OBJS)
	$(archive)
$(INMATE_CELLMSG): $(INMATE_CELLMSG_OBJS)
	$(archive)

EXAMPLES := $(BUILD)/examples/hello_host
examples: $(EXAMPLES)
ALL_OBJS += $(patsubst $(BUILD)/examples/%,$(BUILD)/host/libcellmsg/examples/%.c.o,$(EXAMPLES))

$(BUILD)/examples/%: $(BUILD)/host/libcellmsg/examples/%.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CELLMSG_LIBS)

# ---- host tools -------------------------------------------------------------
HOST_TOOLS := $(BUILD)/tools/ivshmem-ping $(BUILD)/tests/tools/ivshmem-server $(BUILD)/tools/bulkhead
tools: $(HOST_TOOLS)

# The CLI shares the hypervisor's config checker.
BULKHEAD_OBJS := $(BUILD)/host/tools/bulkhead.c.o $(BUILD)/host/tools/console.c.o \
	$(BUILD)/host/tools/hwcheck.c.o $(BUILD)/host/tools/config_create.c.o \
	$(BUILD)/host/tools/machine.c.o \
	$(BUILD)/host/common/config_check.c.o
ALL_OBJS += $(BULKHEAD_OBJS) $(BUILD)/host/tools/ivshmem-ping.c.o \
	$(BUILD)/host/tests/tools/ivshmem-server.c.o

$(BUILD)/tools/bulkhead: $(BULKHEAD_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/guest/bulkhead: $(BULKHEAD_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^

# ivshmem-ping opens its device with libcellmsg's uio backend.
$(BUILD)/tools/ivshmem-ping: $(BUILD)/host/tools/ivshmem-ping.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/guest/ivshmem-ping: $(BUILD)/host/tools/ivshmem-ping.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^

$(BUILD)/tools/%: $(BUILD)/host/tools/%.c.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/tools/%: $(BUILD)/host/tests/tools/%.c.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# ---- freestanding code built into both the hypervisor and inmates ----------
COMMON_SRCS := $(wildcard common/*.c)
HV_COMMON_OBJS := $(patsubst common/%.c,$(BUILD)/hypervisor/common/%.c.o,$(COMMON_SRCS))
# Inmates check no configs.
INMATE_COMMON_OBJS := $(patsubst common/%.c,$(BUILD)/inmates/common/%.c.o,\
	$(filter-out common/config_check.c,$(COMMON_SRCS)))

# ---- the hypervisor (freestanding) ------------------------------------------
# No SSE: guest FPU/vector state stays live in the CPU while we run.
HV_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -nostdlib -fno-builtin \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-common \
	-Iinclude -Icommon/include -Ihypervisor/include -Ihypervisor/arch/x86/include
HV_SRCS := $(wildcard hypervisor/core/*.c hypervisor/arch/x86/*.c hypervisor/arch/x86/*.S)
HV_OBJS := $(patsubst hypervisor/%,$(BUILD)/hypervisor/%.o,$(HV_SRCS)) $(HV_COMMON_OBJS)
HV_BIN  := $(BUILD)/hypervisor/bulkhead.bin
ALL_OBJS += $(HV_OBJS)
hypervisor: $(HV_BIN)

$(BUILD)/hypervisor/%.c.o: hypervisor/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/common/%.c.o: common/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/%.S.o: hypervisor/%.S $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CFLAGS) -D__ASSEMBLY__ $(DEPFLAGS) -c -o $@ $<

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
INMATE_DEMO_SRCS := $(wildcard inmates/demos/x86/*.c)
INMATE_DEMOS := $(patsubst inmates/demos/x86/%.c,$(BUILD)/inmates/%.bin,$(INMATE_DEMO_SRCS))
ALL_OBJS += $(INMATE_LIB_OBJS) $(patsubst inmates/%,$(BUILD)/inmates/%.o,$(INMATE_DEMO_SRCS))
# The demos that read the ACPI PM timer, built again for the Bochs
# machine's port (configs/x86/bochs-i440fx.h): build/inmates/bochs-*.bin.
# bochs-apic-demo and bochs-cellmsg-echo stay in xAPIC mode (their CPU
# must go back to Linux, and Bochs cannot re-enable an APIC after x2APIC);
# bochs-x2apic-demo is apic-demo as built for QEMU, x2APIC where the CPU
# has it.
BOCHS_INMATE_NAMES := apic-demo x2apic-demo cellmsg-echo
INMATE_DEMOS += $(patsubst %,$(BUILD)/inmates/bochs-%.bin,$(BOCHS_INMATE_NAMES))
ALL_OBJS += $(patsubst %,$(BUILD)/inmates/demos/x86/bochs-%.c.o,$(BOCHS_INMATE_NAMES))
inmates: $(INMATE_DEMOS)

$(BUILD)/inmates/common/%.c.o: common/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/inmates/%.c.o: inmates/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/inmates/%.S.o: inmates/%.S $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) -D__ASSEMBLY__ $(DEPFLAGS) -c -o $@ $<

BOCHS_INMATE_CC = $(CC) $(INMATE_CFLAGS) -include configs/x86/bochs-i440fx.h \
	-DPM_TIMER_PORT=BOCHS_PM_TIMER_PORT $(DEPFLAGS) -c -o $@ $<

$(BUILD)/inmates/demos/x86/bochs-%.c.o: inmates/demos/x86/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(BOCHS_INMATE_CC)

$(BUILD)/inmates/demos/x86/bochs-x2apic-demo.c.o: inmates/demos/x86/apic-demo.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(BOCHS_INMATE_CC)

$(BUILD)/inmates/demos/x86/bochs-apic-demo.c.o \
$(BUILD)/inmates/demos/x86/bochs-cellmsg-echo.c.o: INMATE_CFLAGS += -DINMATE_XAPIC_ONLY

$(BUILD)/inmates/libcellmsg/%.c.o: libcellmsg/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(INMATE_CFLAGS) $(CELLMSG_INC) $(DEPFLAGS) -c -o $@ $<

# Every inmate links the runtime and pulls what it calls of libcellmsg.
$(BUILD)/inmates/demos/x86/%.c.o: INMATE_CFLAGS += $(CELLMSG_INC)
$(BUILD)/inmates/%.elf: $(BUILD)/inmates/demos/x86/%.c.o $(INMATE_LIB_OBJS) $(INMATE_CELLMSG) inmates/lib/x86/inmate.lds
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
		-T inmates/lib/x86/inmate.lds -o $@ $(INMATE_LIB_OBJS) $< $(INMATE_CELLMSG)

# The RTOS (inmates/rtos/): its core and the x86 port as one archive, and
# the inmates built on it (inmates/rtos/demos/*.c -> build/inmates/*.bin).
RTOS_CORE_SRCS := $(wildcard inmates/rtos/core/*.c)
RTOS_INMATE_SRCS := $(RTOS_CORE_SRCS) $(wildcard inmates/rtos/port/x86/*.c inmates/rtos/port/x86/*.S)
RTOS_INMATE_OBJS := $(patsubst inmates/%,$(BUILD)/inmates/%.o,$(RTOS_INMATE_SRCS))
RTOS_INMATE_LIB := $(BUILD)/inmates/librtos.a
RTOS_DEMO_SRCS := $(wildcard inmates/rtos/demos/*.c)
RTOS_DEMO_OBJS := $(patsubst inmates/%,$(BUILD)/inmates/%.o,$(RTOS_DEMO_SRCS))
RTOS_DEMOS := $(patsubst inmates/rtos/demos/%.c,$(BUILD)/inmates/%.bin,$(RTOS_DEMO_SRCS))
# freertos-demo for the Bochs machine too (as BOCHS_INMATE_NAMES above),
# in xAPIC mode and at 100 Hz.
RTOS_BOCHS_OBJ := $(BUILD)/inmates/rtos/demos/bochs-freertos-demo.c.o
INMATE_DEMOS += $(RTOS_DEMOS) $(BUILD)/inmates/bochs-freertos-demo.bin
ALL_OBJS += $(RTOS_INMATE_OBJS) $(RTOS_DEMO_OBJS) $(RTOS_BOCHS_OBJ)
$(RTOS_INMATE_OBJS) $(RTOS_DEMO_OBJS) $(RTOS_BOCHS_OBJ): INMATE_CFLAGS += -Iinmates/rtos/include \
	-Iinmates/rtos/port/x86 $(CELLMSG_INC)
$(RTOS_BOCHS_OBJ): INMATE_CFLAGS += -DINMATE_XAPIC_ONLY -DTICK_HZ=100
$(RTOS_BOCHS_OBJ): inmates/rtos/demos/freertos-demo.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(BOCHS_INMATE_CC)

$(RTOS_INMATE_LIB): $(RTOS_INMATE_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(RTOS_DEMOS:.bin=.elf) $(BUILD)/inmates/bochs-freertos-demo.elf: $(BUILD)/inmates/%.elf: $(BUILD)/inmates/rtos/demos/%.c.o \
		$(INMATE_LIB_OBJS) $(RTOS_INMATE_LIB) $(INMATE_CELLMSG) inmates/lib/x86/inmate.lds
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
		-T inmates/lib/x86/inmate.lds -o $@ $(INMATE_LIB_OBJS) $< $(RTOS_INMATE_LIB) \
		$(INMATE_CELLMSG)

$(BUILD)/inmates/%.bin: $(BUILD)/inmates/%.elf
	$(Q)objcopy -O binary -R .bss -R .bootdata $< $@

# ---- configs: C structs, objcopy'd to .cell blobs ---------------------------
CONFIG_SRCS := $(wildcard configs/x86/*.c)
CONFIGS := $(patsubst configs/x86/%.c,$(BUILD)/configs/%.cell,$(CONFIG_SRCS))
ALL_OBJS += $(CONFIGS:.cell=.o)
configs: $(CONFIGS)

$(BUILD)/configs/%.o: configs/x86/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -Iinclude $(DEPFLAGS) -c -o $@ $<

$(BUILD)/configs/%.cell: $(BUILD)/configs/%.o
	$(Q)objcopy -O binary -j .bhconfig $< $@

# The x2APIC machine's configs (configs/x86/q35-ivshmem.h): those naming
# the ivshmem functions, rebuilt for it; the guests of
# `make test-system-x2apic` use them in place of the plain ones.
X2APIC_CONFIGS := $(patsubst %,$(BUILD)/configs/x2apic/%.cell,qemu-q35 ivshmem-demo ivshmem-demo2)
ALL_OBJS += $(X2APIC_CONFIGS:.cell=.o)
configs: $(X2APIC_CONFIGS)

$(BUILD)/configs/x2apic/%.o: configs/x86/%.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -Iinclude -DQ35_X2APIC $(DEPFLAGS) -c -o $@ $<

# ---- programs for the guests (static) ---------------------------------------
GUEST_BINS := $(BUILD)/guest/ivshmem-ping $(BUILD)/guest/uio-errtest $(BUILD)/guest/cellmsg-xfer \
	$(BUILD)/guest/cellmsg-reset $(BUILD)/guest/bulkhead-bench \
	$(BUILD)/guest/bh-cfgtool $(BUILD)/guest/ioport-probe $(BUILD)/guest/link-tool \
	$(BUILD)/guest/bulkhead $(BUILD)/guest/edu-dma $(BUILD)/guest/cellmsg-ps
guest-bins: $(GUEST_BINS)
ALL_OBJS += $(patsubst tests/system/guest/%.c,$(BUILD)/host/tests/system/guest/%.c.o,\
	$(wildcard tests/system/guest/*.c)) $(BUILD)/host/bench/bulkhead_bench.c.o \
	$(BUILD)/host/bench/link_bench.c.o

# tests/system/guest/*.c; cellmsg-xfer also runs on the host (-e: the
# checksum a stream must have). edu-dma shares common/edu.h with edu-demo,
# cellmsg-ps common/ps_pattern.h with link-echo.
$(BUILD)/host/tests/system/guest/edu-dma.c.o: HOST_INC += -Icommon/include
$(BUILD)/host/tests/system/guest/cellmsg-ps.c.o: HOST_INC += -Icommon/include
$(BUILD)/guest/%: $(BUILD)/host/tests/system/guest/%.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^ $(CELLMSG_LIBS)

# bulkhead-bench runs in root Linux: built static for the guest.
$(BUILD)/guest/bulkhead-bench: $(BUILD)/host/bench/bulkhead_bench.c.o $(BUILD)/host/bench/link_bench.c.o \
		$(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^ -lpthread

# ---- kernel modules ---------------------------------------------------------
# Kbuild tracks their headers itself; it runs when anything it may read
# changed. They build in their source directories (KBUILD_MODULE_DIRS,
# cleaned by `make clean`) and are copied to $(BUILD)/modules.
MODULE_DIRS := driver ivshmem-uio tests/system/modules
# One directory per kernel (make test-system KVER=... builds another's).
MODDIR  := $(BUILD)/modules/$(KVER)
MODULES := $(MODDIR)/uio_ivshmem.ko $(MODDIR)/bulkhead.ko $(MODDIR)/bh_probe.ko $(MODDIR)/bh_msi.ko
modules: $(MODULES)

# Kbuild for one module directory: kbuild DIR LOG
kbuild = [ -d $(KDIR) ] || { echo "no kernel headers in $(KDIR) (run 'make deps')"; exit 1; }; \
	$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR)/$(1) BULKHEAD_ROOT=$(CURDIR) \
	W=1 modules >$(MODDIR)/$(2).log 2>&1 || { cat $(MODDIR)/$(2).log; exit 1; }

# Test modules: bh_probe for hv-isolation (accesses physical memory and
# ports), bh_msi for iommu-msi (an edu device's MSI re-aimed). One Kbuild
# run builds both; the second rule waits for the first.
$(MODDIR)/bh_probe.ko: $(wildcard tests/system/modules/*.c) tests/system/modules/Kbuild
	@mkdir -p $(@D)
	+$(Q)$(call kbuild,tests/system/modules,test-modules)
	$(Q)cp tests/system/modules/bh_probe.ko tests/system/modules/bh_msi.ko $(@D)/

$(MODDIR)/bh_msi.ko: $(MODDIR)/bh_probe.ko ;

$(MODDIR)/bulkhead.ko: $(wildcard driver/*.c driver/*.h driver/*.S) driver/Kbuild $(wildcard include/bulkhead/*.h) \
		kcompat/bh_kcompat.h
	@mkdir -p $(@D)
	+$(Q)$(call kbuild,driver,bulkhead)
	$(Q)cp driver/bulkhead.ko $@

$(MODDIR)/uio_ivshmem.ko: ivshmem-uio/uio_ivshmem.c ivshmem-uio/Kbuild $(wildcard include/bulkhead/*.h) \
		kcompat/bh_kcompat.h
	@mkdir -p $(@D)
	+$(Q)$(call kbuild,ivshmem-uio,uio_ivshmem)
	$(Q)cp ivshmem-uio/uio_ivshmem.ko $@

# ---- the initramfs every system test boots ---------------------------------
INITRAMFS := $(BUILD)/initramfs-$(KVER).cpio.gz
initramfs: $(INITRAMFS)

$(INITRAMFS): $(GUEST_BINS) $(MODULES) $(HV_BIN) $(CONFIGS) $(X2APIC_CONFIGS) $(INMATE_DEMOS) tests/system/init tests/system/mkinitramfs.sh \
		$(wildcard tests/system/guest/*)
	$(Q)tests/system/mkinitramfs.sh $(BUILD) $(KVER) $@

# ---- unit tests -------------------------------------------------------------
# Every test is built twice: plain, and with ASan + UBSan (suffix _asan),
# against the matching libcellmsg archive.
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_ASAN  := $(addsuffix _asan,$(UNIT_TESTS))
UNIT_SH    := $(patsubst tests/unit/%,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.sh))
ALL_OBJS += $(patsubst %,$(BUILD)/host/%.o,$(UNIT_SRCS)) $(patsubst %,$(BUILD)/asan/%.o,$(UNIT_SRCS))
test-bins: $(UNIT_TESTS) $(UNIT_ASAN) $(UNIT_SH) fuzz

$(BUILD)/host/tests/unit/%.c.o $(BUILD)/asan/tests/unit/%.c.o: HOST_INC += -Itests/unit
# test_ivshmem_dev includes the emulated ivshmem device and the PCI core,
# whose angle-bracket includes need the hypervisor's include paths.
$(BUILD)/host/tests/unit/test_ivshmem_dev.c.o $(BUILD)/asan/tests/unit/test_ivshmem_dev.c.o: \
	HOST_INC += -Icommon/include -Ihypervisor/include -Ihypervisor/arch/x86/include
# test_npt and test_report include the nested page tables and the reports.
$(BUILD)/host/tests/unit/test_npt.c.o $(BUILD)/asan/tests/unit/test_npt.c.o \
$(BUILD)/host/tests/unit/test_report.c.o $(BUILD)/asan/tests/unit/test_report.c.o: \
	HOST_INC += -Icommon/include -Ihypervisor/include -Ihypervisor/arch/x86/include
# test_apic includes the APIC write filter and the reports.
$(BUILD)/host/tests/unit/test_apic.c.o $(BUILD)/asan/tests/unit/test_apic.c.o: \
	HOST_INC += -Icommon/include -Ihypervisor/include -Ihypervisor/arch/x86/include

# test_rtos: the RTOS core (inmates/rtos/core/) on the host port
# (tests/unit/rtos_host_port.c: ucontext, simulated time), in both flavours.
RTOS_TEST_SRCS := $(RTOS_CORE_SRCS) tests/unit/rtos_host_port.c
RTOS_INC := -Iinmates/rtos/include -Itests/unit/rtos_host
ALL_OBJS += $(patsubst %,$(BUILD)/host/%.o,$(RTOS_TEST_SRCS)) $(patsubst %,$(BUILD)/asan/%.o,$(RTOS_TEST_SRCS))
$(BUILD)/host/inmates/rtos/%.o $(BUILD)/asan/inmates/rtos/%.o \
$(BUILD)/host/tests/unit/rtos_host_port.c.o $(BUILD)/asan/tests/unit/rtos_host_port.c.o \
$(BUILD)/host/tests/unit/test_rtos.c.o $(BUILD)/asan/tests/unit/test_rtos.c.o: HOST_INC += $(RTOS_INC)

$(BUILD)/tests/unit/test_rtos: $(BUILD)/host/tests/unit/test_rtos.c.o \
		$(patsubst %,$(BUILD)/host/%.o,$(RTOS_TEST_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/unit/test_rtos_asan: $(BUILD)/asan/tests/unit/test_rtos.c.o \
		$(patsubst %,$(BUILD)/asan/%.o,$(RTOS_TEST_SRCS))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(SANITIZE) -o $@ $^

$(BUILD)/tests/unit/%: $(BUILD)/host/tests/unit/%.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CELLMSG_LIBS)

$(BUILD)/tests/unit/%_asan: $(BUILD)/asan/tests/unit/%.c.o $(CELLMSG_ASAN_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $(SANITIZE) -o $@ $^ $(CELLMSG_LIBS)

$(BUILD)/tests/unit/%.sh: tests/unit/%.sh
	@mkdir -p $(@D)
	$(Q)install -m 755 $< $@

# The fuzz target needs clang's libFuzzer (libclang-rt-14-dev); its own
# flavour of the core, instrumented for coverage.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude $(CELLMSG_INC)
FUZZ_OBJS := $(BUILD)/fuzz/obj/tests/fuzz/fuzz_cellmsg.c.o $(patsubst %,$(BUILD)/fuzz/obj/%.o,$(CELLMSG_CORE))
ALL_OBJS += $(FUZZ_OBJS)
fuzz: $(BUILD)/fuzz/fuzz_cellmsg

$(BUILD)/fuzz/obj/%.c.o: %.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_cellmsg: $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

# ---- benchmarks ---------------------------------------------------------------
# DPDK's rte_ring is the throughput peer; pkg-config would add -march flags
# and dozens of libraries, so name just what the ring needs.
DPDK_CFLAGS := -I/usr/include/dpdk -I/usr/include/x86_64-linux-gnu/dpdk -include rte_config.h
DPDK_LIBS   := -lrte_ring -lrte_eal
BENCH := $(BUILD)/bench/cellmsg_bench
ICOUNT := $(BUILD)/bench/cellmsg_icount
ALL_OBJS += $(BUILD)/host/bench/cellmsg_bench.c.o $(BUILD)/host/bench/cellmsg_icount.c.o
bench: $(BENCH) $(ICOUNT)

$(BUILD)/host/bench/cellmsg_bench.c.o: HOST_INC += $(DPDK_CFLAGS)
$(BUILD)/bench/cellmsg_bench: $(BUILD)/host/bench/cellmsg_bench.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CELLMSG_LIBS) $(DPDK_LIBS)

bench-host: deps
	$(Q)$(MAKE) --no-print-directory _bench-host

_bench-host: $(BENCH)
	$(Q)$(BENCH) $(BENCH_ARGS)

# Instructions per operation under callgrind: deterministic, no lock needed.
$(BUILD)/bench/cellmsg_icount: $(BUILD)/host/bench/cellmsg_icount.c.o $(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CELLMSG_LIBS)

# The RTOS core with the inmate port's context switch, in a host process;
# objects of their own (build/icount/): struct rtos_task has the x86
# port's context here, not test_rtos's ucontext.
RTOS_ICOUNT := $(BUILD)/bench/rtos_icount
RTOS_ICOUNT_SRCS := bench/rtos_icount.c bench/rtos_icount_port.c $(RTOS_CORE_SRCS) \
	inmates/rtos/port/x86/context.c inmates/rtos/port/x86/switch.S
RTOS_ICOUNT_OBJS := $(patsubst %,$(BUILD)/icount/%.o,$(RTOS_ICOUNT_SRCS))
RTOS_ICOUNT_INC := $(HOST_INC) -Iinmates/rtos/include -Iinmates/rtos/port/x86
ALL_OBJS += $(RTOS_ICOUNT_OBJS)
bench: $(RTOS_ICOUNT)

$(BUILD)/icount/%.c.o: %.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(RTOS_ICOUNT_INC) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/icount/%.S.o: %.S $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(RTOS_ICOUNT_INC) -D__ASSEMBLY__ $(DEPFLAGS) -c -o $@ $<

$(RTOS_ICOUNT): $(RTOS_ICOUNT_OBJS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# The library's share of each round: libcellmsg's sources and the SPSC
# baseline's header. None for the RTOS: its task switches leave callgrind's
# inclusive cost of a call that switched stacks meaningless (it counted
# more than the whole round).
bench-icount: $(ICOUNT) $(RTOS_ICOUNT)
	$(Q)LIB_SRC='/libcellmsg/|/bench/spsc_ring[.]h$$' bench/icount.sh $(ICOUNT) $(BUILD)/bench/icount
	$(Q)bench/icount.sh $(RTOS_ICOUNT) $(BUILD)/bench/icount-rtos

# ---- tests ------------------------------------------------------------------
# Each runner prints `ok - NAME` / `not ok - NAME: reason` and a last line
# `N passed, N failed`; tests/sum.sh adds them up for `make test`.
# hv-, cell- and ivshmem- run twice: again with root Linux in x2APIC mode
# behind interrupt remapping (QEMU 10; tests/system/lib.sh GUEST_MODE).
# With T=PREFIX the second run has only what PREFIX picks of those.
X2APIC_SCENARIOS := hv- cell- ivshmem-
X2APIC_T = $(if $(T),$(if $(filter $(addsuffix %,$(X2APIC_SCENARIOS)),$(T)),$(T),none-),$(X2APIC_SCENARIOS))

# The scenarios boot the kernel the modules were built for.
RUN_SYSTEM = BULKHEAD_KVER=$(KVER) tests/system/run.sh $(BUILD)

# The second kernel (the backports one `make deps` installs; mk/kver.sh
# --other): make test also runs a subset of scenarios on it, after
# building its modules and initramfs (one more make, KVER=that kernel).
KVER_OTHER := $(if $(T),,$(shell mk/kver.sh --other 2>/dev/null))
OTHER_KERNEL_SCENARIOS := hv-enable cell-lifecycle ivshmem-pingpong ivshmem-reset uio-doorbell uio-rebind
OTHER_T := $(OTHER_KERNEL_SCENARIOS)

.PHONY: other-kernel
other-kernel: build
	$(Q)$(MAKE) --no-print-directory KVER=$(KVER_OTHER) modules initramfs

test: deps
	$(Q)$(MAKE) --no-print-directory _test

_test: build $(if $(KVER_OTHER),other-kernel)
	$(Q)tests/sum.sh "tests/unit/run.sh $(BUILD)" "$(RUN_SYSTEM) $(T)" \
		"GUEST_MODE=x2apic $(RUN_SYSTEM) $(X2APIC_T)" \
		$(if $(KVER_OTHER),"BULKHEAD_KVER=$(KVER_OTHER) tests/system/run.sh $(BUILD) $(OTHER_T)") \
		"BULKHEAD_KVER=$(KVER) tests/system/vmx-run.sh $(BUILD) $(T)"

test-unit: build
	$(Q)tests/unit/run.sh $(BUILD)

test-system: build
	$(Q)$(RUN_SYSTEM) $(T)

test-system-x2apic: build
	$(Q)GUEST_MODE=x2apic $(RUN_SYSTEM) $(X2APIC_T)

# Bochs: Intel VMX + EPT (tests/system/bochs.sh, vmx-run.sh); `make test`
# runs them too, after the QEMU scenarios (one Bochs boot).
test-system-vmx: build
	$(Q)BULKHEAD_KVER=$(KVER) tests/system/vmx-run.sh $(BUILD) $(T)

# ---- make run: the root<->inmate benchmark in QEMU ---------------------------
run: deps
	$(Q)$(MAKE) --no-print-directory _run

_run: build
	$(Q)BULKHEAD_KVER=$(KVER) tests/system/bench-run.sh $(BUILD)

# The RTOS inside a cell beside apic-demo (tests/system/bench-rtos.sh).
bench-rtos: build
	$(Q)BULKHEAD_KVER=$(KVER) tests/system/bench-rtos.sh $(BUILD)

# Kbuild leaves its outputs in the module source directories.
clean:
	rm -rf $(BUILD)
	for d in $(MODULE_DIRS); do \
		rm -f $$d/*.o $$d/*.ko $$d/*.mod $$d/*.mod.c $$d/.*.cmd \
			$$d/Module.symvers $$d/modules.order; \
	done

# make install, uninstall and what they copy (mk/install.mk).
include mk/install.mk

# What the compiler found each object to include (see "how objects are made").
-include $(ALL_OBJS:.o=.d)
