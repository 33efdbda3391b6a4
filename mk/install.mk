# SPDX-License-Identifier: GPL-2.0-only
#
# Installing (included by the Makefile): what a system gets from
# `make install`, and what the Debian packages are cut from (debian/rules
# runs install-programs and install-dkms with PREFIX=/usr).
#
#   make install [DESTDIR=...] [PREFIX=/usr/local]   programs and modules
#   make uninstall [same]                            removes exactly that
#
# The firmware goes to /lib/firmware whatever PREFIX says: the kernel's
# firmware loader looks nowhere else. docs/packaging.md has the layout.

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
SBINDIR      ?= $(PREFIX)/sbin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share/bulkhead
MANDIR       ?= $(PREFIX)/share/man
DOCDIR       ?= $(PREFIX)/share/doc/libcellmsg
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
FIRMWAREDIR  ?= /lib/firmware
# Kbuild's own default for external modules.
MODULE_SUBDIR ?= extra
DKMS_SRCDIR  ?= /usr/src/bulkhead-$(VERSION)

VERSION := $(shell sh mk/version.sh .)
# libcellmsg's ABI: struct cellmsg_chan is public and the inline fast
# paths read its fields, so any change of its layout (or of a public
# struct) is a new major (docs/packaging.md).
CELLMSG_ABI     := 2
CELLMSG_SONAME  := libcellmsg.so.$(CELLMSG_ABI)
CELLMSG_SOFILE  := libcellmsg.so.$(CELLMSG_ABI).0.0
# Reproducible: the packages' SOURCE_DATE_EPOCH (from debian/changelog),
# else the last commit's date.
MAN_DATE        := $(shell if [ -n "$$SOURCE_DATE_EPOCH" ]; then date -u -d @$$SOURCE_DATE_EPOCH +%F; \
	else git log -1 --format=%cs 2>/dev/null || date -u +%F; fi)

.PHONY: FORCE programs install install-programs install-modules install-dkms \
	uninstall uninstall-programs uninstall-modules uninstall-dkms man

# ---- what the installed library is built from ------------------------------
# The Linux API only: the inmate backend is for bare-metal cells, which
# link the freestanding build (build/inmates/libcellmsg.a) in the tree.
CELLMSG_LINUX_SRCS := $(CELLMSG_CORE) $(addprefix libcellmsg/backends/,host.c uio.c loop.c posix.c)
CELLMSG_PIC_OBJS   := $(patsubst %,$(BUILD)/pic/%.o,$(CELLMSG_LINUX_SRCS))
CELLMSG_DIST_A     := $(BUILD)/dist/libcellmsg.a
CELLMSG_DIST_SO    := $(BUILD)/dist/$(CELLMSG_SOFILE)
CELLMSG_PC         := $(BUILD)/dist/libcellmsg.pc
ALL_OBJS += $(CELLMSG_PIC_OBJS)

$(BUILD)/pic/%.c.o: %.c $(OBJ_DEPS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -fPIC $(HOST_INC) $(DEPFLAGS) -c -o $@ $<

$(CELLMSG_DIST_A): $(patsubst %,$(BUILD)/host/%.o,$(CELLMSG_LINUX_SRCS))
	$(archive)

# The version script exports the public API and the __cellmsg_* entry
# points the inline fast paths call; nothing else.
$(CELLMSG_DIST_SO): $(CELLMSG_PIC_OBJS) libcellmsg/libcellmsg.map
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,$(CELLMSG_SONAME) \
		-Wl,--version-script=libcellmsg/libcellmsg.map -Wl,-z,defs -Wl,-z,relro -Wl,-z,now \
		-o $@ $(CELLMSG_PIC_OBJS) $(CELLMSG_LIBS)
	$(Q)ln -sf $(CELLMSG_SOFILE) $(@D)/$(CELLMSG_SONAME)
	$(Q)ln -sf $(CELLMSG_SONAME) $(@D)/libcellmsg.so

# What the installed paths were when the .pc and the man pages were
# made: rewritten (and so remaking them) only when one changes.
PATHS_STAMP := $(BUILD)/dist/paths
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(DATADIR) $(DOCDIR) $(VERSION)' | cmp -s - $@ || \
		echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(DATADIR) $(DOCDIR) $(VERSION)' >$@
FORCE:

$(CELLMSG_PC): libcellmsg/libcellmsg.pc.in $(PATHS_STAMP)
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

# ---- host programs for installing -------------------------------------------
# bulkhead-bench as root Linux runs it (the guest's is static); it finds
# histogram.gp in ../share/bulkhead from its own directory.
$(BUILD)/tools/bulkhead-bench: $(BUILD)/host/bench/bulkhead_bench.c.o $(BUILD)/host/bench/link_bench.c.o \
		$(CELLMSG_LIB)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpthread

# ---- man pages ----------------------------------------------------------------
# Handwritten pages in man/ (@VERSION@, @DATE@, @DATADIR@, @DOCDIR@
# filled in); one man3 page per function generated from API.md.
MAN_SRCS  := $(wildcard man/*.[178])
MAN_PAGES := $(patsubst man/%,$(BUILD)/man/%,$(MAN_SRCS))
MAN3_STAMP := $(BUILD)/man/man3.list

$(BUILD)/man/%: man/% $(PATHS_STAMP)
	@mkdir -p $(@D)
	$(Q)sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DATE@|$(MAN_DATE)|g' \
		-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' $< >$@

$(MAN3_STAMP): libcellmsg/API.md mk/api2man.awk $(PATHS_STAMP)
	@rm -rf $(BUILD)/man/man3 && mkdir -p $(BUILD)/man/man3
	$(Q)awk -v out=$(BUILD)/man/man3 -v version=$(VERSION) -v date=$(MAN_DATE) \
		-v skip=inmate.h -f mk/api2man.awk $< >$@.tmp
	$(Q)mv $@.tmp $@

man: $(MAN_PAGES) $(MAN3_STAMP)

# Everything install-programs copies; needs no kernel.
DIST_TOOLS := $(BUILD)/tools/bulkhead $(BUILD)/tools/ivshmem-ping $(BUILD)/tools/bulkhead-bench
programs: $(DIST_TOOLS) $(HV_BIN) $(CONFIGS) $(INMATE_DEMOS) $(CELLMSG_DIST_A) $(CELLMSG_DIST_SO) \
	$(CELLMSG_PC) man

# ---- install -------------------------------------------------------------------
# The public headers: libcellmsg's (but the inmate backend's) and the
# ABI headers they, the configs and the driver's users include.
CELLMSG_HEADERS := $(filter-out %/inmate.h,$(wildcard libcellmsg/include/cellmsg/*.h))
ABI_HEADERS     := $(wildcard include/bulkhead/*.h)
# The configs' C sources go along: they are how users write their own.
CONFIG_HEADERS  := $(wildcard configs/x86/*.h)
INST := install -m 644
D := $(DESTDIR)

install: install-programs install-modules

install-programs: programs
	install -d $(D)$(SBINDIR) $(D)$(BINDIR) $(D)$(FIRMWAREDIR) $(D)$(DATADIR)/configs/src \
		$(D)$(DATADIR)/inmates $(D)$(LIBDIR) $(D)$(PKGCONFIGDIR) $(D)$(INCLUDEDIR)/cellmsg \
		$(D)$(INCLUDEDIR)/bulkhead $(D)$(DOCDIR) $(addprefix $(D)$(MANDIR)/man,1 3 7 8) \
		$(D)$(COMPLETIONDIR)
	install -m 755 $(BUILD)/tools/bulkhead $(D)$(SBINDIR)/
	$(INST) completion/bulkhead $(D)$(COMPLETIONDIR)/bulkhead
	install -m 755 $(BUILD)/tools/ivshmem-ping $(BUILD)/tools/bulkhead-bench $(D)$(BINDIR)/
	$(INST) $(HV_BIN) $(D)$(FIRMWAREDIR)/
	$(INST) $(CONFIGS) $(D)$(DATADIR)/configs/
	$(INST) $(CONFIG_SRCS) $(CONFIG_HEADERS) $(D)$(DATADIR)/configs/src/
	$(INST) $(INMATE_DEMOS) $(D)$(DATADIR)/inmates/
	$(INST) bench/histogram.gp $(D)$(DATADIR)/
	$(INST) $(CELLMSG_DIST_A) $(D)$(LIBDIR)/
	install -m 755 $(CELLMSG_DIST_SO) $(D)$(LIBDIR)/
	ln -sf $(CELLMSG_SOFILE) $(D)$(LIBDIR)/$(CELLMSG_SONAME)
	ln -sf $(CELLMSG_SONAME) $(D)$(LIBDIR)/libcellmsg.so
	$(INST) $(CELLMSG_PC) $(D)$(PKGCONFIGDIR)/
	$(INST) $(CELLMSG_HEADERS) $(D)$(INCLUDEDIR)/cellmsg/
	$(INST) $(ABI_HEADERS) $(D)$(INCLUDEDIR)/bulkhead/
	$(INST) libcellmsg/API.md libcellmsg/PROTOCOL.md $(D)$(DOCDIR)/
	@for p in $(MAN_PAGES); do \
		s=$${p##*.}; gzip -9nc $$p >$(D)$(MANDIR)/man$$s/$${p##*/}.gz || exit 1; \
	done
	@for p in $$(cat $(MAN3_STAMP)); do \
		gzip -9nc $$p >$(D)$(MANDIR)/man3/$${p##*/}.gz || exit 1; \
	done

# Kbuild installs the modules (compressed as the kernel's config asks).
# It installs what its last build in the source directory left there,
# which may be another kernel's (make test-system KVER=...): so each
# directory is first brought up to date for this KVER (a no-op when it
# is). Not signed: a distribution kernel's headers have no private key,
# and trying only prints SSL errors (DKMS signs with its own key where
# Secure Boot wants that). Kbuild's own depmod needs a System.map that
# Debian's headers lack: depmod here, on the live system only (a DESTDIR
# is some package's business).
KBUILD_INSTALL = $(MAKE) --no-print-directory -C $(KDIR) BULKHEAD_ROOT=$(CURDIR) M=$(CURDIR)/$(1) \
	W=1 modules >/dev/null && \
	$(MAKE) --no-print-directory -C $(KDIR) BULKHEAD_ROOT=$(CURDIR) M=$(CURDIR)/$(1) \
	INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(MODULE_SUBDIR) CONFIG_MODULE_SIG_ALL= modules_install
install-modules: modules
	$(call KBUILD_INSTALL,driver)
	$(call KBUILD_INSTALL,ivshmem-uio)
	$(if $(DESTDIR),,depmod -a $(KVER))

# The module sources for DKMS (the bulkhead-dkms package; `dkms add` on
# this directory builds them for every installed kernel).
DKMS_FILES := $(wildcard driver/*.c driver/*.h driver/*.S) driver/Kbuild \
	ivshmem-uio/uio_ivshmem.c ivshmem-uio/Kbuild kcompat/bh_kcompat.h
install-dkms:
	install -d $(D)$(DKMS_SRCDIR)/driver $(D)$(DKMS_SRCDIR)/ivshmem-uio $(D)$(DKMS_SRCDIR)/include/bulkhead \
		$(D)$(DKMS_SRCDIR)/kcompat
	for f in $(DKMS_FILES); do $(INST) $$f $(D)$(DKMS_SRCDIR)/$$f || exit 1; done
	$(INST) $(ABI_HEADERS) $(D)$(DKMS_SRCDIR)/include/bulkhead/
	$(INST) dkms/Makefile $(D)$(DKMS_SRCDIR)/Makefile
	sed 's|@VERSION@|$(VERSION)|' dkms/dkms.conf.in >$(D)$(DKMS_SRCDIR)/dkms.conf

# ---- uninstall: the same lists, removed -------------------------------------------
uninstall: uninstall-programs uninstall-modules

uninstall-programs:
	rm -f $(D)$(SBINDIR)/bulkhead $(D)$(BINDIR)/ivshmem-ping $(D)$(BINDIR)/bulkhead-bench
	rm -f $(D)$(COMPLETIONDIR)/bulkhead
	rm -f $(D)$(FIRMWAREDIR)/$(notdir $(HV_BIN))
	rm -f $(addprefix $(D)$(DATADIR)/configs/,$(notdir $(CONFIGS)))
	rm -f $(addprefix $(D)$(DATADIR)/configs/src/,$(notdir $(CONFIG_SRCS) $(CONFIG_HEADERS)))
	rm -f $(addprefix $(D)$(DATADIR)/inmates/,$(notdir $(INMATE_DEMOS))) $(D)$(DATADIR)/histogram.gp
	rm -f $(addprefix $(D)$(LIBDIR)/,libcellmsg.a $(CELLMSG_SOFILE) $(CELLMSG_SONAME) libcellmsg.so)
	rm -f $(D)$(PKGCONFIGDIR)/libcellmsg.pc
	rm -f $(addprefix $(D)$(INCLUDEDIR)/cellmsg/,$(notdir $(CELLMSG_HEADERS)))
	rm -f $(addprefix $(D)$(INCLUDEDIR)/bulkhead/,$(notdir $(ABI_HEADERS)))
	rm -f $(D)$(DOCDIR)/API.md $(D)$(DOCDIR)/PROTOCOL.md
	rm -f $(foreach p,$(MAN_SRCS),$(D)$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p)).gz)
	rm -f $(patsubst %,$(D)$(MANDIR)/man3/%.3.gz,$(CELLMSG_MAN3_NAMES))
	-rmdir $(D)$(DATADIR)/configs/src $(D)$(DATADIR)/configs $(D)$(DATADIR)/inmates $(D)$(DATADIR) \
		$(D)$(INCLUDEDIR)/cellmsg $(D)$(INCLUDEDIR)/bulkhead $(D)$(DOCDIR) 2>/dev/null

uninstall-dkms:
	rm -f $(addprefix $(D)$(DKMS_SRCDIR)/,$(DKMS_FILES) $(ABI_HEADERS) Makefile dkms.conf)
	-rmdir $(D)$(DKMS_SRCDIR)/driver $(D)$(DKMS_SRCDIR)/ivshmem-uio $(D)$(DKMS_SRCDIR)/kcompat \
		$(D)$(DKMS_SRCDIR)/include/bulkhead $(D)$(DKMS_SRCDIR)/include $(D)$(DKMS_SRCDIR) 2>/dev/null

uninstall-modules:
	rm -f $(foreach m,bulkhead uio_ivshmem,$(foreach f,$(m).ko $(m).ko.gz $(m).ko.xz $(m).ko.zst,\
		$(D)/lib/modules/$(KVER)/$(MODULE_SUBDIR)/$(f)))
	$(if $(DESTDIR),,depmod -a $(KVER))

# The man3 names, from the same API.md headings the generator reads.
CELLMSG_MAN3_NAMES = $(shell awk -v list_only=1 -v skip=inmate.h -f mk/api2man.awk libcellmsg/API.md)

# ---- Debian packages -------------------------------------------------------------
# bulkhead, bulkhead-dkms, libcellmsg2, libcellmsg-dev into $(BUILD)/deb
# (mk/deb.sh: dpkg-buildpackage on a copy of the tree, then lintian).
.PHONY: deb
deb:
	$(Q)mk/deb.sh $(BUILD)/deb
