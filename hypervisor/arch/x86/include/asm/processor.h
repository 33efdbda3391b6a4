/* SPDX-License-Identifier: GPL-2.0-only */
/* x86 instructions and registers the hypervisor uses. */
#ifndef BH_ASM_PROCESSOR_H
#define BH_ASM_PROCESSOR_H

#include <stdint.h>

#include <common/x86_io.h>

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_SYSCFG		0xc0010010
#define MSR_HWCR		0xc0010015
#define MSR_TSC			0x00000010
#define MSR_MTRR_CAP		0x000000fe
#define MSR_DEBUGCTL		0x000001d9
#define MSR_MTRR_VAR_FIRST	0x00000200	/* 8 pairs of base, mask */
#define MSR_MTRR_VAR_LAST	0x0000020f
#define MSR_MTRR_FIX_64K	0x00000250
#define MSR_MTRR_FIX_16K_80000	0x00000258
#define MSR_MTRR_FIX_16K_A0000	0x00000259
#define MSR_MTRR_FIX_4K_FIRST	0x00000268
#define MSR_MTRR_FIX_4K_LAST	0x0000026f
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_SYSENTER_CS		0x00000174
#define MSR_SYSENTER_EIP	0x00000176
#define MSR_PAT			0x00000277
#define MSR_APIC_BASE		0x0000001b
#define APIC_BASE_X2APIC	(1ull << 10)
#define APIC_BASE_ENABLE	(1ull << 11)
#define MSR_FEATURE_CONTROL	0x0000003a
#define FEATURE_CONTROL_LOCKED	(1ull << 0)
#define FEATURE_CONTROL_VMX	(1ull << 2)	/* VMX outside SMX */
#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117

#define PAT_RESET		0x0007040600070406ull	/* the value at power-on */

#define EFER_SCE		(1ull << 0)
#define EFER_LME		(1ull << 8)
#define EFER_LMA		(1ull << 10)
#define EFER_NXE		(1ull << 11)
#define EFER_SVME		(1ull << 12)
#define VM_CR_SVMDIS		(1ull << 4)

#define X86_CR0_PG		(1ull << 31)
#define RFLAGS_IF		(1ull << 9)

/* CPUID bits */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_80000001_ECX_SVM	(1u << 2)
#define CPUID_8000000A_EDX_NP	(1u << 0)

#define X86_GP			13
#define X86_UD			6

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

#define DEFINE_READ_CR(n)						\
	static inline uint64_t read_cr##n(void)				\
	{								\
		uint64_t v;						\
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));		\
		return v;						\
	}
#define DEFINE_WRITE_CR(n)						\
	static inline void write_cr##n(uint64_t v)			\
	{								\
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");	\
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(2)
DEFINE_WRITE_CR(4)

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void store_gdt(struct desc_ptr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void store_idt(struct desc_ptr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

#define DEFINE_READ_SEG(name, insn)					\
	static inline uint16_t read_##name(void)			\
	{								\
		uint16_t v;						\
		asm volatile(insn " %0" : "=r"(v));			\
		return v;						\
	}
DEFINE_READ_SEG(cs, "mov %%cs,")
DEFINE_READ_SEG(ss, "mov %%ss,")
DEFINE_READ_SEG(ds, "mov %%ds,")
DEFINE_READ_SEG(es, "mov %%es,")
DEFINE_READ_SEG(tr, "str")

static inline uint64_t read_dr7(void)
{
	uint64_t v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
