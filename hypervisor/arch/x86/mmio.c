// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO emulation (see asm/mmio.h). The guest chose the instruction, so
 * nothing it names is believed: the decoder refuses what it does not
 * model, and a load writes only the bytes of the register the CPU would.
 */
#include <asm/decode.h>
#include <asm/mmio.h>
#include <asm/paging.h>
#include <asm/vcpu.h>
#include <percpu.h>

/* GPR number in instruction encoding -> slot in struct guest_regs. */
static const unsigned char reg_slot[16] = {
	0, 2, 3, 1, 0xff, 6, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14,
};
#define REG_RSP		4	/* in the backend's guest state, not guest_regs */

uint64_t mmio_guest_reg(struct per_cpu *cpu, int reg)
{
	if (reg == REG_RSP)
		return vcpu_get(cpu, VCPU_RSP);
	return ((uint64_t *)&cpu->arch.regs)[reg_slot[reg & 15]];
}

void mmio_set_guest_reg(struct per_cpu *cpu, int reg, uint64_t value)
{
	if (reg == REG_RSP)
		vcpu_set(cpu, VCPU_RSP, value);
	else
		((uint64_t *)&cpu->arch.regs)[reg_slot[reg & 15]] = value;
}

static uint64_t size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

static uint64_t store_value(struct per_cpu *cpu, const struct mmio_insn *insn)
{
	uint64_t v;

	if (insn->reg == DECODE_REG_IMM)
		v = insn->imm;
	else if (insn->high_byte)
		v = mmio_guest_reg(cpu, insn->reg) >> 8;
	else
		v = mmio_guest_reg(cpu, insn->reg);
	return v & size_mask(insn->size);
}

static void load_result(struct per_cpu *cpu, const struct mmio_insn *insn,
			uint64_t value)
{
	uint64_t old = mmio_guest_reg(cpu, insn->reg);

	value &= size_mask(insn->size);
	if (insn->high_byte) {
		mmio_set_guest_reg(cpu, insn->reg, (old & ~0xff00ull) | (value & 0xff) << 8);
		return;
	}
	/* dest_size already says what a 32-bit or movzx load clears. */
	mmio_set_guest_reg(cpu, insn->reg, (old & ~size_mask(insn->dest_size)) | value);
}

int mmio_emulate(struct per_cpu *cpu, uint64_t gpa, const struct mmio_region *region)
{
	struct mmio_insn insn;
	uint8_t bytes[15];
	unsigned int avail;
	uint64_t value = 0;

	avail = guest_fetch(cpu, vcpu_get(cpu, VCPU_RIP), bytes, sizeof(bytes));
	if (!avail || decode_mmio(bytes, avail, &insn))
		return -EINVAL;
	if (!insn.is_write && insn.reg == DECODE_REG_IMM)
		return -EINVAL;
	if (insn.is_write)
		value = store_value(cpu, &insn);
	region->handler(cpu, region->ctx, gpa, insn.is_write, insn.size, &value);
	if (!insn.is_write)
		load_result(cpu, &insn, value);
	vcpu->skip(cpu, insn.length);
	return 0;
}
