// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MMIO instruction decoder (hypervisor/arch/x86/decode.c). Every
 * expected result below is written by hand from the x86 encoding; the
 * bytes were produced by GNU as from the assembler text beside them and
 * checked with objdump -d, so neither side comes from the decoder.
 *
 * Each instruction is decoded from a heap copy of exactly the bytes it
 * is given, so under ASan (this test's _asan build) a read past @avail
 * is caught. Every valid instruction must also fail when cut short by any
 * number of bytes, and decode the same with junk after it.
 *
 * The decoder is included as source, so this test builds with the
 * Makefile's generic rule for tests/unit/test_*.c and no extra object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hypervisor/arch/x86/decode.c"

#include "check.h"

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* GPR numbers as x86 encodes them. */
enum {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

#define STORE(len, sz, r, hi)						\
	{ .length = (len), .size = (sz), .is_write = 1, .reg = (r),	\
	  .high_byte = (hi) }
#define STORE_IMM(len, sz, value)					\
	{ .length = (len), .size = (sz), .is_write = 1,		\
	  .reg = DECODE_REG_IMM, .imm = (value) }
#define LOAD(len, sz, r, hi, zext, dest)				\
	{ .length = (len), .size = (sz), .reg = (r), .high_byte = (hi),	\
	  .zero_extend = (zext), .dest_size = (dest) }

struct test_decode_case {
	const char *text;		/* GNU as input (AT&T syntax) */
	uint8_t bytes[15];		/* what as made of it */
	struct mmio_insn want;
};

static const struct test_decode_case test_decode_valid[] = {
	/* 0xa0-0xa3: moffs (GCC's choice for constant addresses) */
	{ "movabs %eax, 0xfee00320",
	  { 0xa3, 0x20, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, STORE(9, 4, RAX, 0) },
	{ "movabs 0xfee00300, %eax",
	  { 0xa1, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, LOAD(9, 4, RAX, 0, 1, 8) },
	{ "movabs %al, 0xfee00300",
	  { 0xa2, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, STORE(9, 1, RAX, 0) },
	{ "movabs %rax, 0xfee00300",
	  { 0x48, 0xa3, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, STORE(10, 8, RAX, 0) },
	{ "movabs %ax, 0xfee00300",
	  { 0x66, 0xa3, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, STORE(10, 2, RAX, 0) },
	{ "addr32 mov %eax, 0xfee00300",
	  { 0x67, 0xa3, 0x00, 0x03, 0xe0, 0xfe }, STORE(6, 4, RAX, 0) },
	/* 0x89: stores of 16/32/64-bit registers */
	{ "movl %eax, (%rdx)",
	  { 0x89, 0x02 }, STORE(2, 4, RAX, 0) },
	{ "mov %r9d, 0x300(%rax)",
	  { 0x44, 0x89, 0x88, 0x00, 0x03, 0x00, 0x00 }, STORE(7, 4, R9, 0) },
	{ "mov %eax, %es:(%rdi)",
	  { 0x26, 0x89, 0x07 }, STORE(3, 4, RAX, 0) },
	{ "mov %ax, 0x10(%rbx)",
	  { 0x66, 0x89, 0x43, 0x10 }, STORE(4, 2, RAX, 0) },
	{ "mov %ecx, 0x12345678",	/* SIB, no base, no index */
	  { 0x89, 0x0c, 0x25, 0x78, 0x56, 0x34, 0x12 }, STORE(7, 4, RCX, 0) },
	{ "mov %edx, 0x1000(,%rsi,8)",	/* SIB base 5, mod 0: disp32 */
	  { 0x89, 0x14, 0xf5, 0x00, 0x10, 0x00, 0x00 }, STORE(7, 4, RDX, 0) },
	{ "mov %eax, (%rbp,%rcx,2)",	/* SIB base 5, mod 1: disp8 */
	  { 0x89, 0x44, 0x4d, 0x00 }, STORE(4, 4, RAX, 0) },
	{ "mov %rax, (%rbx,%r10,8)",	/* REX.W, REX.X */
	  { 0x4a, 0x89, 0x04, 0xd3 }, STORE(4, 8, RAX, 0) },
	{ "mov %r9, 0x300(%rax)",
	  { 0x4c, 0x89, 0x88, 0x00, 0x03, 0x00, 0x00 }, STORE(7, 8, R9, 0) },
	{ "mov %eax, (%edx)",		/* 0x67 */
	  { 0x67, 0x89, 0x02 }, STORE(3, 4, RAX, 0) },
	{ "mov %rsp, (%rax)",
	  { 0x48, 0x89, 0x20 }, STORE(3, 8, RSP, 0) },
	{ "data16 mov %rax, (%rdx)",	/* REX.W wins over 0x66 */
	  { 0x66, 0x48, 0x89, 0x02 }, STORE(4, 8, RAX, 0) },
	{ "mov %edi, -0x7fffffff(%r15)",	/* REX.B, mod 2 */
	  { 0x41, 0x89, 0xbf, 0x01, 0x00, 0x00, 0x80 }, STORE(7, 4, RDI, 0) },

	/* 0x88: byte stores, AH..BH only without REX */
	{ "mov %ah, (%rbx)",
	  { 0x88, 0x23 }, STORE(2, 1, RAX, 1) },
	{ "mov %dh, 0x10(%rax)",
	  { 0x88, 0x70, 0x10 }, STORE(3, 1, RDX, 1) },
	{ "mov %cl, (%rax)",
	  { 0x88, 0x08 }, STORE(2, 1, RCX, 0) },
	{ "mov %sil, (%rax)",
	  { 0x40, 0x88, 0x30 }, STORE(3, 1, RSI, 0) },
	{ "mov %spl, (%rax)",
	  { 0x40, 0x88, 0x20 }, STORE(3, 1, RSP, 0) },
	{ "mov %r15b, 0x7f(%rdx)",
	  { 0x44, 0x88, 0x7a, 0x7f }, STORE(4, 1, R15, 0) },
	{ "mov %bpl, -0x80(%rbp,%rax,1)",
	  { 0x40, 0x88, 0x6c, 0x05, 0x80 }, STORE(5, 1, RBP, 0) },

	/* 0x8a: byte loads */
	{ "mov (%rcx), %bh",
	  { 0x8a, 0x39 }, LOAD(2, 1, RBX, 1, 0, 1) },
	{ "mov 0x4(%rax), %dil",
	  { 0x40, 0x8a, 0x78, 0x04 }, LOAD(4, 1, RDI, 0, 0, 1) },
	{ "mov 0x11(%r8,%r9,2), %r10b",	/* REX.R, REX.X, REX.B */
	  { 0x47, 0x8a, 0x54, 0x48, 0x11 }, LOAD(5, 1, R10, 0, 0, 1) },

	/* 0x8b: loads; a 32-bit destination clears bits 32..63 */
	{ "mov 0x20(%rsp), %rbx",
	  { 0x48, 0x8b, 0x5c, 0x24, 0x20 }, LOAD(5, 8, RBX, 0, 0, 8) },
	{ "movq (%r12), %r13",
	  { 0x4d, 0x8b, 0x2c, 0x24 }, LOAD(4, 8, R13, 0, 0, 8) },
	{ "mov (%r13), %eax",		/* base r13 needs mod 1 */
	  { 0x41, 0x8b, 0x45, 0x00 }, LOAD(4, 4, RAX, 0, 1, 8) },
	{ "mov 0x12345678(%rip), %r8",
	  { 0x4c, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 },
	  LOAD(7, 8, R8, 0, 0, 8) },
	{ "mov -0x8(%rbp), %ax",
	  { 0x66, 0x8b, 0x45, 0xf8 }, LOAD(4, 2, RAX, 0, 0, 2) },
	{ "mov 0x100(%rbx), %cx",
	  { 0x66, 0x8b, 0x8b, 0x00, 0x01, 0x00, 0x00 },
	  LOAD(7, 2, RCX, 0, 0, 2) },
	{ "mov %fs:0x10, %rax",
	  { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00 },
	  LOAD(9, 8, RAX, 0, 0, 8) },
	{ "mov %gs:(%ebx), %r14d",
	  { 0x65, 0x67, 0x44, 0x8b, 0x33 }, LOAD(5, 4, R14, 0, 1, 8) },
	{ "mov (%rax,%r12,1), %r15w",
	  { 0x66, 0x46, 0x8b, 0x3c, 0x20 }, LOAD(5, 2, R15, 0, 0, 2) },
	{ "mov 0x300, %eax",
	  { 0x8b, 0x04, 0x25, 0x00, 0x03, 0x00, 0x00 },
	  LOAD(7, 4, RAX, 0, 1, 8) },

	/* 0xc6 /0, 0xc7 /0: immediates after the displacement */
	{ "movb $0x5, 0x10(%rip)",
	  { 0xc6, 0x05, 0x10, 0x00, 0x00, 0x00, 0x05 }, STORE_IMM(7, 1, 0x5) },
	{ "movb $0xff, (%r8)",
	  { 0x41, 0xc6, 0x00, 0xff }, STORE_IMM(4, 1, 0xff) },
	{ "movb $-2, (%r13)",
	  { 0x41, 0xc6, 0x45, 0x00, 0xfe }, STORE_IMM(5, 1, 0xfe) },
	{ "movw $0x1234, 0x8(%rbp)",
	  { 0x66, 0xc7, 0x45, 0x08, 0x34, 0x12 }, STORE_IMM(6, 2, 0x1234) },
	{ "movw $-1, 0x4(%r12)",
	  { 0x66, 0x41, 0xc7, 0x44, 0x24, 0x04, 0xff, 0xff },
	  STORE_IMM(8, 2, 0xffff) },
	{ "movw $0x1234, %gs:0x10(%rip)",
	  { 0x65, 0x66, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x34, 0x12 },
	  STORE_IMM(10, 2, 0x1234) },
	{ "movl $0x12345678, 0x300(%rax)",
	  { 0xc7, 0x80, 0x00, 0x03, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12 },
	  STORE_IMM(10, 4, 0x12345678) },
	{ "movl $0xffffffff, (%rax)",	/* no sign extension */
	  { 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff },
	  STORE_IMM(6, 4, 0xffffffff) },
	{ "rex.R movl $1, (%rax)",	/* REX.R takes no part in /0 */
	  { 0x44, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00 }, STORE_IMM(7, 4, 1) },
	{ "movq $-1, (%rdi)",
	  { 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff },
	  STORE_IMM(7, 8, 0xffffffffffffffffull) },
	{ "movq $0x7fffffff, (%rax)",
	  { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f },
	  STORE_IMM(7, 8, 0x7fffffff) },
	{ "movq $-0x80000000, 0x8(%rax)",
	  { 0x48, 0xc7, 0x40, 0x08, 0x00, 0x00, 0x00, 0x80 },
	  STORE_IMM(8, 8, 0xffffffff80000000ull) },
	/* 15 bytes, the most x86 allows */
	{ "cs ds es ss movl $0x12345678, 0x11223344(%rax,%rbx,4)",
	  { 0x2e, 0x3e, 0x26, 0x36, 0xc7, 0x84, 0x98, 0x44, 0x33, 0x22,
	    0x11, 0x78, 0x56, 0x34, 0x12 },
	  STORE_IMM(15, 4, 0x12345678) },

	/* 0x0f 0xb6, 0x0f 0xb7: movzx */
	{ "movzbl (%rsi,%rcx,4), %r11d",
	  { 0x44, 0x0f, 0xb6, 0x1c, 0x8e }, LOAD(5, 1, R11, 0, 1, 8) },
	{ "movzbw (%rax), %ax",
	  { 0x66, 0x0f, 0xb6, 0x00 }, LOAD(4, 1, RAX, 0, 1, 2) },
	{ "movzbq (%rdx), %r10",
	  { 0x4c, 0x0f, 0xb6, 0x12 }, LOAD(4, 1, R10, 0, 1, 8) },
	{ "movzbl 0x10(%rip), %ebp",
	  { 0x0f, 0xb6, 0x2d, 0x10, 0x00, 0x00, 0x00 },
	  LOAD(7, 1, RBP, 0, 1, 8) },
	{ "movzwl 0x310(%rax), %eax",
	  { 0x0f, 0xb7, 0x80, 0x10, 0x03, 0x00, 0x00 },
	  LOAD(7, 2, RAX, 0, 1, 8) },
	{ "movzwq 0x8(%rsp), %rsi",
	  { 0x48, 0x0f, 0xb7, 0x74, 0x24, 0x08 }, LOAD(6, 2, RSI, 0, 1, 8) },
};

struct test_decode_bad {
	const char *text;		/* objdump's reading of the bytes */
	uint8_t bytes[16];
	unsigned int len;
};

static const struct test_decode_bad test_decode_invalid[] = {
	{ "(nothing)", { 0 }, 0 },
	{ "mov %eax, %edx", { 0x89, 0xc2 }, 2 },
	{ "mov %al, %bl", { 0x88, 0xc3 }, 2 },
	{ "mov %edx, %eax (8b form)", { 0x8b, 0xc2 }, 2 },
	{ "mov $0x1, %eax (c7 /0 form)",
	  { 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00 }, 6 },
	{ "movb $0x1, %al (c6 /0 form)", { 0xc6, 0xc0, 0x01 }, 3 },
	{ "movzbl %al, %eax", { 0x0f, 0xb6, 0xc0 }, 3 },
	{ "lock mov %eax, (%rdx)", { 0xf0, 0x89, 0x02 }, 3 },
	{ "lock add %eax, (%rdx)", { 0xf0, 0x01, 0x02 }, 3 },
	{ "xrelease (rep) mov %eax, (%rdx)", { 0xf3, 0x89, 0x02 }, 3 },
	{ "repnz mov %eax, (%rdx)", { 0xf2, 0x89, 0x02 }, 3 },
	{ "rep movsb", { 0xf3, 0xa4 }, 2 },
	{ "add %eax, (%rdx)", { 0x01, 0x02 }, 2 },
	{ "xchg %eax, (%rdx)", { 0x87, 0x02 }, 2 },
	{ "c7 /1 (bad)", { 0xc7, 0x08, 0x01, 0x00, 0x00, 0x00 }, 6 },
	{ "c6 /2 (bad)", { 0xc6, 0x10, 0x05 }, 3 },
	{ "c7 /7 with REX.R (bad)",
	  { 0x44, 0xc7, 0x38, 0x01, 0x00, 0x00, 0x00 }, 7 },
	{ "rex.W data16 mov %ax, (%rdx) (REX not last)",
	  { 0x48, 0x66, 0x89, 0x02 }, 4 },
	{ "rex rex.W mov %rax, (%rdx) (two REX)",
	  { 0x40, 0x48, 0x89, 0x02 }, 4 },
	{ "rex.W es mov %eax, (%rdi) (REX not last)",
	  { 0x48, 0x26, 0x89, 0x07 }, 4 },
	{ "imul (%rax), %eax", { 0x0f, 0xaf, 0x00 }, 3 },
	{ "movsbl (%rax), %eax", { 0x0f, 0xbe, 0x00 }, 3 },
	{ "mov (%rax), %es", { 0x8e, 0x00 }, 2 },
	{ "mov %es, (%rax)", { 0x8c, 0x00 }, 2 },
	{ "mov $0x12345678, %eax", { 0xb8, 0x78, 0x56, 0x34, 0x12 }, 5 },
	{ "0x0f alone", { 0x0f }, 1 },
	{ "data16 alone", { 0x66 }, 1 },
	{ "rex.W alone", { 0x48 }, 1 },
	{ "es cs ss ds fs movl $0x12345678, 0x11223344(%rax,%rbx,4) "
	  "(16 bytes)",
	  { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0xc7, 0x84, 0x98, 0x44, 0x33,
	    0x22, 0x11, 0x78, 0x56, 0x34, 0x12 }, 16 },
};

/* Decodes from a heap copy of exactly @avail bytes: ASan sees overreads. */
static int test_decode_exact(const uint8_t *bytes, unsigned int avail,
			     struct mmio_insn *insn)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	int ret;

	if (!copy) {
		perror("malloc");
		exit(1);
	}
	memcpy(copy, bytes, avail);
	ret = decode_mmio(copy, avail, insn);
	free(copy);
	return ret;
}

static void test_decode_compare(const char *text, const struct mmio_insn *got,
				const struct mmio_insn *want)
{
	CHECK(got->length == want->length, "%s: length %u, want %u", text,
	      got->length, want->length);
	CHECK(got->size == want->size, "%s: size %u, want %u", text,
	      got->size, want->size);
	CHECK(got->is_write == want->is_write, "%s: is_write %d, want %d",
	      text, got->is_write, want->is_write);
	CHECK(got->reg == want->reg, "%s: reg %d, want %d", text, got->reg,
	      want->reg);
	CHECK(got->high_byte == want->high_byte, "%s: high_byte %d, want %d",
	      text, got->high_byte, want->high_byte);
	CHECK(got->zero_extend == want->zero_extend,
	      "%s: zero_extend %d, want %d", text, got->zero_extend,
	      want->zero_extend);
	CHECK(got->dest_size == want->dest_size, "%s: dest_size %u, want %u",
	      text, got->dest_size, want->dest_size);
	CHECK(got->imm == want->imm, "%s: imm %#llx, want %#llx", text,
	      (unsigned long long)got->imm, (unsigned long long)want->imm);
}

static void test_decode_valid_insns(void)
{
	const struct test_decode_case *c;
	struct mmio_insn got;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_LEN(test_decode_valid); i++) {
		c = &test_decode_valid[i];
		memset(&got, 0xa5, sizeof(got));
		ret = test_decode_exact(c->bytes, c->want.length, &got);
		CHECK(ret == 0, "%s: returned %d", c->text, ret);
		if (!ret)
			test_decode_compare(c->text, &got, &c->want);
	}
}

/* Trailing bytes (here nops) must neither be taken in nor change a thing. */
static void test_decode_trailing(void)
{
	const struct test_decode_case *c;
	uint8_t buf[32];
	struct mmio_insn got;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_LEN(test_decode_valid); i++) {
		c = &test_decode_valid[i];
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->want.length);
		ret = test_decode_exact(buf, sizeof(buf), &got);
		CHECK(ret == 0, "%s + nops: returned %d", c->text, ret);
		if (!ret)
			test_decode_compare(c->text, &got, &c->want);
	}
}

/* Every proper prefix of every valid instruction, 0 bytes included. */
static void test_decode_truncated(void)
{
	const struct test_decode_case *c;
	struct mmio_insn got;
	unsigned int avail;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_LEN(test_decode_valid); i++) {
		c = &test_decode_valid[i];
		for (avail = 0; avail < c->want.length; avail++) {
			ret = test_decode_exact(c->bytes, avail, &got);
			CHECK(ret == -EINVAL, "%s cut to %u bytes: returned %d",
			      c->text, avail, ret);
		}
	}
}

/* The 8-byte case spelled out, as the smallest thing to read on failure. */
static void test_decode_truncated_movq(void)
{
	static const uint8_t movq[] = {	/* movq $-0x80000000, 0x8(%rax) */
		0x48, 0xc7, 0x40, 0x08, 0x00, 0x00, 0x00, 0x80,
	};
	struct mmio_insn got;
	unsigned int avail;

	for (avail = 0; avail < sizeof(movq); avail++)
		CHECK_EQ(test_decode_exact(movq, avail, &got), -EINVAL,
			 "truncated movq");
	CHECK_EQ(test_decode_exact(movq, sizeof(movq), &got), 0, "movq");
	CHECK_EQ(got.length, 8, "movq length");
	CHECK_EQ(got.imm, 0xffffffff80000000ull, "movq imm");
}

/* Refused, and @insn left as it was. */
static void test_decode_invalid_insns(void)
{
	const struct test_decode_bad *c;
	struct mmio_insn got, before;
	size_t i;
	int ret;

	memset(&before, 0xa5, sizeof(before));
	for (i = 0; i < ARRAY_LEN(test_decode_invalid); i++) {
		c = &test_decode_invalid[i];
		got = before;
		ret = test_decode_exact(c->bytes, c->len, &got);
		CHECK(ret == -EINVAL, "%s: returned %d", c->text, ret);
		CHECK(!memcmp(&got, &before, sizeof(got)),
		      "%s: insn written on failure", c->text);
	}
}

/* A 15-byte instruction must not pass because more bytes were readable. */
static void test_decode_too_long(void)
{
	/* fs es cs ds ss movl $0x1, (%rax): 5 prefixes + 6 bytes, fits */
	static const uint8_t fits[] = {
		0x64, 0x26, 0x2e, 0x3e, 0x36,
		0xc7, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	uint8_t buf[20];
	struct mmio_insn got;
	unsigned int extra;

	memset(buf, 0x3e, sizeof(buf));		/* ds prefixes */
	for (extra = 0; extra <= 5; extra++) {
		memcpy(buf + extra, fits, sizeof(fits));
		CHECK_EQ(test_decode_exact(buf, sizeof(buf), &got),
			 extra <= 4 ? 0 : -EINVAL, "prefixes up to 16 bytes");
		if (extra <= 4)
			CHECK_EQ(got.length, sizeof(fits) + extra, "length");
	}
}

int main(void)
{
	RUN(test_decode_valid_insns);
	RUN(test_decode_trailing);
	RUN(test_decode_truncated);
	RUN(test_decode_truncated_movq);
	RUN(test_decode_invalid_insns);
	RUN(test_decode_too_long);
	printf("%zu valid and %zu invalid instructions\n",
	       ARRAY_LEN(test_decode_valid), ARRAY_LEN(test_decode_invalid));
	return check_exit();
}
