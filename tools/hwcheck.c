// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead hardware check [SYSCONFIG.cell]: what this machine offers
 * Bulkhead and what each missing piece means, from what Linux shows
 * (CPUID, /dev/cpu/0/msr if the msr module is loaded, the ACPI tables in
 * /sys/firmware/acpi/tables, /proc/cmdline and /proc/iomem). The verdict
 * follows the driver's own checks at enable (driver/main.c): exit 0 only
 * when nothing it refuses is missing (tools/hwcheck.h).
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bulkhead/config.h>

#include "exit_codes.h"
#include "hwcheck.h"
#include "machine.h"

#define MIN_HV_MEMORY		(16ull << 20)	/* what the example configs give it */
#define MAX_RANGES		32

#define MSR_VM_CR		0xc0010114
#define VM_CR_SVMDIS		(1ull << 4)
#define MSR_FEATURE_CONTROL	0x3a
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_PROCBASED2	0x48b

enum answer { NO, YES, UNKNOWN };

struct verdict {
	int blockers;		/* needed and missing */
	int unknowns;		/* needed and not checkable from here */
};

/* One line: what, yes/no/?, and what it means when not yes. */
static void item(struct verdict *v, const char *what, enum answer a, int needed,
		 const char *meaning)
{
	static const char *const words[] = { "no", "yes", "?" };

	printf("  %-30s %s", what, words[a]);
	if (a != YES && meaning)
		printf("%*s%s%s", a == NO ? 3 : 4, "",
		       needed ? (a == NO ? "NEEDED: " : "needed, not checked: ") : "", meaning);
	putchar('\n');
	if (needed && a == NO)
		v->blockers++;
	if (needed && a == UNKNOWN)
		v->unknowns++;
}

static enum answer bit(uint32_t reg, unsigned int n)
{
	return reg >> n & 1 ? YES : NO;
}

/* MSR @msr of CPU 0 through the msr module; -1 if it cannot be read. */
static int msr_read(uint32_t msr, uint64_t *value)
{
	int fd = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = pread(fd, value, sizeof(*value), msr);
		close(fd);
	}
	return n == sizeof(*value) ? 0 : -1;
}

static void check_amd(struct verdict *v)
{
	unsigned int a, b, c, d, max_ext, ext_ecx = 0, svm_edx = 0;
	enum answer svm, npt;
	uint64_t vm_cr;

	__cpuid(0x80000000, max_ext, b, c, d);
	if (max_ext >= 0x80000001)
		__cpuid(0x80000001, a, b, ext_ecx, d);
	svm = bit(ext_ecx, 2);
	if (svm == YES && max_ext >= 0x8000000a)
		__cpuid(0x8000000a, a, b, c, svm_edx);
	npt = svm == YES ? bit(svm_edx, 0) : NO;
	item(v, "SVM (AMD-V)", svm, 1,
	     "no hypervisor without it (QEMU: -cpu EPYC or +svm; real machines: the firmware's setup)");
	if (svm == YES && msr_read(MSR_VM_CR, &vm_cr) == 0)
		item(v, "SVM enabled by the firmware", vm_cr & VM_CR_SVMDIS ? NO : YES, 1,
		     "VM_CR.SVMDIS is set: enable SVM in the firmware's setup");
	else if (svm == YES)
		item(v, "SVM enabled by the firmware", UNKNOWN, 1,
		     "load the msr module (modprobe msr) to read VM_CR");
	item(v, "nested paging (NPT)", npt, 1, "cells cannot be isolated without it");
	item(v, "next-RIP save", svm == YES ? bit(svm_edx, 3) : NO, 0,
	     "the hypervisor knows each intercepted instruction's length itself (it does: QEMU's TCG has none)");
	item(v, "decode assists", svm == YES ? bit(svm_edx, 7) : NO, 0,
	     "MMIO exits (ivshmem doorbells, the xAPIC) are decoded in software: a few microseconds each");
	item(v, "AVIC", svm == YES ? bit(svm_edx, 13) : NO, 0,
	     "(not used: interrupts reach cells directly, EOIs of xAPIC cells exit)");
}

static void check_intel(struct verdict *v)
{
	unsigned int a, b, ecx, d;
	uint64_t fc, proc, proc2;
	enum answer vmx, ept = UNKNOWN, unrestricted = UNKNOWN, fw = UNKNOWN;

	__cpuid(1, a, b, ecx, d);
	vmx = bit(ecx, 5);
	if (vmx == YES && msr_read(MSR_FEATURE_CONTROL, &fc) == 0)
		fw = (fc & 1) && !(fc & 4) ? NO : YES;
	if (vmx == YES && msr_read(MSR_VMX_PROCBASED, &proc) == 0 &&
	    msr_read(MSR_VMX_PROCBASED2, &proc2) == 0) {
		int secondary = proc >> 63 & 1;

		ept = secondary && (proc2 >> 33 & 1) ? YES : NO;
		unrestricted = secondary && (proc2 >> 39 & 1) ? YES : NO;
	}
	item(v, "VMX (Intel VT-x)", vmx, 1,
	     "no hypervisor without it (under KVM: -cpu host or +vmx, nested=1 on the host)");
	if (vmx != YES)
		return;
	item(v, "VMX enabled by the firmware", fw, 1, fw == UNKNOWN ?
	     "load the msr module (modprobe msr) to read IA32_FEATURE_CONTROL" :
	     "IA32_FEATURE_CONTROL is locked with VMX off: enable VT-x in the firmware's setup");
	item(v, "EPT", ept, 1, ept == UNKNOWN ? "load the msr module (modprobe msr) to read the VMX capabilities" :
	     "cells cannot be isolated without it");
	item(v, "unrestricted guest", unrestricted, 1, unrestricted == UNKNOWN ?
	     "load the msr module (modprobe msr) to read the VMX capabilities" :
	     "cells start in real mode, which needs it");
}

static int acpi_table(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s", name);
	return access(path, F_OK) == 0;
}

static void check_platform(struct verdict *v)
{
	unsigned int a, b, ecx, d;

	__cpuid(1, a, b, ecx, d);
	item(v, "x2APIC", bit(ecx, 21), 0,
	     "root Linux and inmates use the xAPIC: every xAPIC write of a cell exits");
	if (acpi_table("DMAR"))
		item(v, "IOMMU (Intel VT-d, ACPI DMAR)", YES, 0, NULL);
	else if (acpi_table("IVRS"))
		item(v, "IOMMU (Intel VT-d, ACPI DMAR)", NO, 0,
		     "an AMD IOMMU (IVRS) is there, which Bulkhead does not drive: root devices' DMA is not confined, pass no device to a cell");
	else
		item(v, "IOMMU (Intel VT-d, ACPI DMAR)", NO, 0,
		     "devices' DMA is not confined to their cell: pass no device to a cell");
}

static int overlaps(const struct mem_range *a, uint64_t start, uint64_t end)
{
	return a->start <= end && start < a->end;	/* @end inclusive, a->end not */
}

static void check_memory(struct verdict *v, const struct bh_system_config *cfg)
{
	struct mem_range res[MAX_RANGES], ram[MAX_RANGES];
	int n_res = machine_reservations(res, MAX_RANGES), n_ram = machine_system_ram(ram, MAX_RANGES);
	uint64_t largest = 0, start, end;
	int i, in_ram = 0;
	char text[200];

	for (i = 0; i < n_res; i++) {
		printf("  %-30s 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " MiB, memmap=)\n", "reservation",
		       res[i].start, res[i].end - 1, (res[i].end - res[i].start) >> 20);
		if (res[i].end - res[i].start > largest)
			largest = res[i].end - res[i].start;
	}
	if (!cfg) {
		snprintf(text, sizeof(text), n_res ?
			 "the largest is below %llu MiB, what the example configs give the hypervisor" :
			 "no memmap=SIZE$START on the kernel command line: reserve the hypervisor's and the cells' memory (e.g. memmap=80M$0x3a000000)",
			 MIN_HV_MEMORY >> 20);
		item(v, "memory reserved for Bulkhead", largest >= MIN_HV_MEMORY ? YES : NO, 1, text);
		return;
	}
	start = cfg->hypervisor_memory.phys_start;
	end = start + cfg->hypervisor_memory.size - 1;
	for (i = 0; i < n_ram; i++)
		in_ram |= overlaps(&ram[i], start, end);
	snprintf(text, sizeof(text),
		 n_ram < 0 ? "read /proc/iomem as root to check that Linux does not use 0x%" PRIx64 "-0x%" PRIx64 :
		 "the config's hypervisor memory 0x%" PRIx64 "-0x%" PRIx64 " is Linux RAM: reserve it with memmap=",
		 start, end);
	item(v, "hypervisor memory not Linux's", n_ram < 0 ? UNKNOWN : in_ram ? NO : YES, 1, text);
}

int hwcheck_run(const struct bh_system_config *cfg)
{
	struct verdict v = { 0 };
	unsigned int a, regs[4] = { 0 };
	char vendor[13] = { 0 };

	__cpuid(0, a, regs[0], regs[2], regs[1]);
	memcpy(vendor, regs, 12);
	printf("CPU: %s\n", vendor);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		check_amd(&v);
	else if (!strcmp(vendor, "GenuineIntel"))
		check_intel(&v);
	else
		item(&v, "Intel VMX or AMD SVM", NO, 1, "Bulkhead runs on Intel and AMD CPUs only");
	printf("Platform:\n");
	check_platform(&v);
	printf("Memory:\n");
	check_memory(&v, cfg);
	if (v.blockers)
		printf("Result: enable cannot work here: %d needed item%s missing\n", v.blockers,
		       v.blockers > 1 ? "s" : "");
	else if (v.unknowns)
		printf("Result: enable can work if the %d item%s marked ? %s there\n", v.unknowns,
		       v.unknowns > 1 ? "s" : "", v.unknowns > 1 ? "are" : "is");
	else
		printf("Result: enable can work here\n");
	return v.blockers ? EXIT_FAILED : 0;
}
