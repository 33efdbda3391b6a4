/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding of the guest instruction behind an MMIO exit. QEMU's TCG SVM
 * has no decode assists (no guest instruction bytes, no next RIP in the
 * VMCB), so to emulate an access to an ivshmem register or the local
 * APIC's ICR the hypervisor reads the bytes at the guest's RIP and works
 * out what was stored or loaded, and how long the instruction is.
 *
 * Only the plain moves compilers emit for volatile MMIO are understood,
 * in 64-bit mode. Anything else fails: guessing would let a guest
 * steer the emulation with an instruction we do not model.
 */
#ifndef BH_ASM_DECODE_H
#define BH_ASM_DECODE_H

#include <stdint.h>

/* mmio_insn.reg of a store whose source is an immediate, not a GPR. */
#define DECODE_REG_IMM		(-1)

struct mmio_insn {
	/* Instruction bytes, prefixes included: what RIP advances by. */
	unsigned int length;
	/* Bytes accessed in memory: 1, 2, 4 or 8. */
	unsigned int size;
	/* 1: the instruction stores to memory; 0: it loads. */
	int is_write;
	/*
	 * GPR 0..15 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15): the
	 * source of a store or the destination of a load; DECODE_REG_IMM
	 * for a store of an immediate (see @imm).
	 */
	int reg;
	/*
	 * 1: @reg 0..3 stands for AH, CH, DH or BH (bits 8..15). Only 8-bit
	 * operands without any REX prefix can name them.
	 */
	int high_byte;
	/*
	 * Loads only (0 for stores): 1 when the bytes of the register above
	 * @size are cleared rather than kept. That is movzx, and also every
	 * load into a 32-bit register, since x86 zeroes bits 32..63 of the
	 * full register then.
	 */
	int zero_extend;
	/*
	 * Loads only (0 for stores): bytes of the register written. 1 or 2
	 * when a mov loads into an 8- or 16-bit register (the rest of the
	 * register is kept); 8 for a 64-bit load and for any load that
	 * names a 32-bit register (which clears bits 32..63, so the whole
	 * register is written: @zero_extend is 1); for movzx 2, or 8 when
	 * the destination is 32- or 64-bit.
	 */
	unsigned int dest_size;
	/*
	 * The value stored when @reg is DECODE_REG_IMM, already extended as
	 * the CPU does: an imm32 with REX.W is sign-extended to 64 bits.
	 * Only the low @size bytes are stored.
	 */
	uint64_t imm;
};

/*
 * Decodes the instruction at @bytes, of which @avail bytes could be read
 * (at most 15 are looked at: no x86 instruction is longer), as executed
 * in 64-bit mode. Understood: mov 0x88, 0x89, 0x8a, 0x8b, 0xc6 /0,
 * 0xc7 /0, movzx 0x0f 0xb6, 0x0f 0xb7, with a memory operand; prefixes
 * 0x66, 0x67, segment overrides (ignored: the fault already gave the
 * address) and a REX right before the opcode. Returns 0 and fills @insn,
 * or -EINVAL, leaving @insn untouched, for everything else, including
 * register-only forms and instructions that do not fit in @avail bytes.
 */
int decode_mmio(const uint8_t *bytes, unsigned int avail,
		struct mmio_insn *insn);

#endif
