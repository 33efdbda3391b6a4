// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO instruction decoder (see asm/decode.h). The guest controls the
 * bytes, so every byte is bounds-checked before it is read and anything
 * outside the few moves we model is refused rather than approximated.
 *
 * Hypervisor headers are included by paths relative to this file so that
 * the host unit test can include this source with just -Iinclude.
 */
#include "include/asm/decode.h"
#include <bulkhead/errno.h>

/* No x86 instruction is longer; the CPU raises #GP for one that is. */
#define DECODE_MAX_LENGTH	15

#define DECODE_OPSIZE		0x66
#define DECODE_ADDRSIZE		0x67
#define DECODE_ESCAPE		0x0f

#define REX_W			0x8
#define REX_R			0x4

/* The bytes, how many may be read, how many were, and the prefixes seen. */
struct decode_state {
	const uint8_t *bytes;
	unsigned int avail;
	unsigned int pos;
	int opsize16;
	int addrsize32;			/* 0x67 seen */
	int has_rex;
	uint8_t rex;
};

static int decode_next(struct decode_state *s, uint8_t *byte)
{
	if (s->pos >= s->avail)
		return -EINVAL;
	*byte = s->bytes[s->pos++];
	return 0;
}

static int decode_skip(struct decode_state *s, unsigned int n)
{
	if (n > s->avail - s->pos)
		return -EINVAL;
	s->pos += n;
	return 0;
}

/* Immediates are little-endian, like everything else on x86. */
static int decode_imm(struct decode_state *s, unsigned int n, uint64_t *imm)
{
	unsigned int i;
	uint8_t byte;

	*imm = 0;
	for (i = 0; i < n; i++) {
		if (decode_next(s, &byte))
			return -EINVAL;
		*imm |= (uint64_t)byte << (8 * i);
	}
	return 0;
}

static int decode_is_segment(uint8_t byte)
{
	return byte == 0x26 || byte == 0x2e || byte == 0x36 ||
	       byte == 0x3e || byte == 0x64 || byte == 0x65;
}

/*
 * Reads the prefixes and returns the opcode's first byte in @opcode. The
 * byte after a REX is always taken as the opcode: a prefix there (which
 * the CPU would accept, dropping the REX) matches no opcode we decode
 * and so is refused. LOCK and REP are not prefixes here for the same
 * reason: they end the loop and fail as unknown opcodes.
 */
static int decode_prefixes(struct decode_state *s, uint8_t *opcode)
{
	uint8_t byte;

	for (;;) {
		if (decode_next(s, &byte))
			return -EINVAL;
		if (s->has_rex)
			break;
		if ((byte & 0xf0) == 0x40) {
			s->has_rex = 1;
			s->rex = byte;
		} else if (byte == DECODE_OPSIZE) {
			s->opsize16 = 1;
		} else if (byte == DECODE_ADDRSIZE) {
			s->addrsize32 = 1;
		} else if (!decode_is_segment(byte)) {
			break;
		}
	}
	*opcode = byte;
	return 0;
}

/*
 * Reads ModRM and steps over the SIB byte and displacement of its memory
 * operand; the address itself is of no interest, the exit gave it. 0x67
 * changes nothing here: in 64-bit mode 32-bit addressing has the same
 * layout. Returns ModRM.reg extended by REX.R in @reg.
 */
static int decode_modrm(struct decode_state *s, int *reg)
{
	unsigned int mod, rm, disp = 0;
	uint8_t modrm, sib;

	if (decode_next(s, &modrm))
		return -EINVAL;
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)		/* register operand: no memory access */
		return -EINVAL;
	if (rm == 4) {
		if (decode_next(s, &sib))
			return -EINVAL;
		if (mod == 0 && (sib & 7) == 5)	/* no base, disp32 */
			disp = 4;
	}
	if (mod == 0 && rm == 5)		/* RIP-relative disp32 */
		disp = 4;
	else if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	*reg = ((modrm >> 3) & 7) | (s->rex & REX_R ? 8 : 0);
	return decode_skip(s, disp);
}

/* REX.W wins over 0x66. */
static unsigned int decode_opsize(const struct decode_state *s)
{
	if (s->rex & REX_W)
		return 8;
	return s->opsize16 ? 2 : 4;
}

/* Without any REX, byte registers 4..7 are AH, CH, DH, BH, not SPL..DIL. */
static void decode_byte_reg(const struct decode_state *s,
			    struct mmio_insn *insn)
{
	if (!s->has_rex && insn->reg >= 4) {
		insn->reg -= 4;
		insn->high_byte = 1;
	}
}

/* A write to a 32-bit register clears bits 32..63: the whole is written. */
static void decode_load_dest(struct mmio_insn *insn, unsigned int reg_size,
			     int movzx)
{
	insn->zero_extend = movzx || reg_size == 4;
	insn->dest_size = reg_size == 4 ? 8 : reg_size;
}

/* 0x88, 0x89 (stores) and 0x8a, 0x8b (loads); bit 0 clear: byte size. */
static int decode_mov(struct decode_state *s, uint8_t opcode,
		      struct mmio_insn *insn)
{
	int byte_op = !(opcode & 1);

	insn->is_write = !(opcode & 2);
	insn->size = byte_op ? 1 : decode_opsize(s);
	if (decode_modrm(s, &insn->reg))
		return -EINVAL;
	if (byte_op)
		decode_byte_reg(s, insn);
	if (!insn->is_write)
		decode_load_dest(insn, insn->size, 0);
	return 0;
}

/*
 * 0xc6 /0, 0xc7 /0: the immediate follows the displacement and is at
 * most 32 bits; with REX.W the CPU sign-extends it. Other ModRM.reg
 * values are other instructions (REX.R does not take part).
 */
static int decode_mov_imm(struct decode_state *s, uint8_t opcode,
			  struct mmio_insn *insn)
{
	unsigned int imm_size;
	int ext;

	insn->is_write = 1;
	insn->reg = DECODE_REG_IMM;
	insn->size = opcode == 0xc6 ? 1 : decode_opsize(s);
	if (decode_modrm(s, &ext) || (ext & 7))
		return -EINVAL;
	imm_size = insn->size < 4 ? insn->size : 4;
	if (decode_imm(s, imm_size, &insn->imm))
		return -EINVAL;
	if (insn->size == 8)
		insn->imm = (uint64_t)(int64_t)(int32_t)(uint32_t)insn->imm;
	return 0;
}

/* 0x0f 0xb6, 0x0f 0xb7: movzx; the operand size is the destination's. */
static int decode_movzx(struct decode_state *s, struct mmio_insn *insn)
{
	uint8_t opcode;

	if (decode_next(s, &opcode))
		return -EINVAL;
	if (opcode != 0xb6 && opcode != 0xb7)
		return -EINVAL;
	insn->size = opcode == 0xb6 ? 1 : 2;
	if (decode_modrm(s, &insn->reg))
		return -EINVAL;
	decode_load_dest(insn, decode_opsize(s), 1);
	return 0;
}

/*
 * 0xa0-0xa3: mov between AL/AX/EAX/RAX and an absolute address (moffs),
 * 8 bytes in 64-bit mode, 4 after 0x67. Compilers use it for constant
 * addresses such as the local APIC's. Bit 1 set: store; bit 0 clear: byte.
 */
static int decode_moffs(struct decode_state *s, uint8_t opcode,
			struct mmio_insn *insn)
{
	insn->is_write = !!(opcode & 2);
	insn->size = opcode & 1 ? decode_opsize(s) : 1;
	insn->reg = 0;
	if (!insn->is_write)
		decode_load_dest(insn, insn->size, 0);
	return decode_skip(s, s->addrsize32 ? 4 : 8);
}

static int decode_opcode(struct decode_state *s, uint8_t opcode,
			 struct mmio_insn *insn)
{
	switch (opcode) {
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		return decode_moffs(s, opcode, insn);
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		return decode_mov(s, opcode, insn);
	case 0xc6:
	case 0xc7:
		return decode_mov_imm(s, opcode, insn);
	case DECODE_ESCAPE:
		return decode_movzx(s, insn);
	default:
		return -EINVAL;
	}
}

int decode_mmio(const uint8_t *bytes, unsigned int avail,
		struct mmio_insn *insn)
{
	struct decode_state s = {
		.bytes = bytes,
		.avail = avail < DECODE_MAX_LENGTH ? avail : DECODE_MAX_LENGTH,
	};
	struct mmio_insn out = { 0 };
	uint8_t opcode;

	if (decode_prefixes(&s, &opcode) || decode_opcode(&s, opcode, &out))
		return -EINVAL;
	out.length = s.pos;
	*insn = out;
	return 0;
}
