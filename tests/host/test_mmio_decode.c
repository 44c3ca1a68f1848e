/* hv/mmio_decode.c: the MOV forms compilers emit for device registers, in every mode. */
#include <string.h>
#include "hv/mmio_decode.h"
#include "tests/host/harness.h"

struct mmio_case {
	const char *what;
	unsigned mode;
	uint8_t bytes[15];
	uint8_t nbytes;
	int len;          /* expected length (all of bytes) */
	uint8_t size;
	bool write, has_imm, high_byte;
	uint8_t reg, reg_size;
	enum mmio_ext ext;
	uint64_t imm;
};

/* Instruction bytes and their count. */
#define B(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const struct mmio_case cases[] = {
	/* 64-bit: GCC/Clang readl/writel (mov (%rdi),%eax / mov %esi,(%rdi)) and friends. */
	{ "readl", 64, B(0x8b, 0x07), 2, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "writel", 64, B(0x89, 0x37), 2, 4, true, false, false, 6, 4, MMIO_EXT_NONE, 0 },
	{ "readl disp32", 64, B(0x8b, 0x87, 0x20, 0x03, 0, 0), 6, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "readl r8d", 64, B(0x44, 0x8b, 0x07), 3, 4, false, false, false, 8, 4, MMIO_EXT_NONE, 0 },
	{ "readq", 64, B(0x48, 0x8b, 0x07), 3, 8, false, false, false, 0, 8, MMIO_EXT_NONE, 0 },
	{ "writel [r12] SIB", 64, B(0x41, 0x89, 0x0c, 0x24), 4, 4, true, false, false, 1, 4, MMIO_EXT_NONE, 0 },
	{ "writel r15d [rax+r9*4+8]", 64, B(0x46, 0x89, 0x7c, 0x88, 0x08), 5, 4, true, false, false, 15, 4, MMIO_EXT_NONE, 0 },
	{ "movl $0 (EOI)", 64, B(0xc7, 0x07, 0, 0, 0, 0), 6, 4, true, true, false, 0, 0, MMIO_EXT_NONE, 0 },
	{ "movl $imm rip-rel", 64, B(0xc7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12), 10, 4, true, true, false, 0, 0, MMIO_EXT_NONE, 0x12345678 },
	{ "movq $-1", 64, B(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), 7, 8, true, true, false, 0, 0, MMIO_EXT_NONE, ~0ull },
	{ "movw $imm16", 64, B(0x66, 0xc7, 0x47, 0x02, 0x34, 0x12), 6, 2, true, true, false, 0, 0, MMIO_EXT_NONE, 0x1234 },
	{ "movb $imm8", 64, B(0xc6, 0x47, 0x03, 0x80), 4, 1, true, true, false, 0, 0, MMIO_EXT_NONE, 0x80 },
	{ "readb movzx", 64, B(0x0f, 0xb6, 0x07), 3, 1, false, false, false, 0, 4, MMIO_EXT_ZERO, 0 },
	{ "readw movzx disp8", 64, B(0x0f, 0xb7, 0x47, 0x02), 4, 2, false, false, false, 0, 4, MMIO_EXT_ZERO, 0 },
	{ "movsx rax byte", 64, B(0x48, 0x0f, 0xbe, 0x07), 4, 1, false, false, false, 0, 8, MMIO_EXT_SIGN, 0 },
	{ "movsx r9w word", 64, B(0x66, 0x44, 0x0f, 0xbf, 0x0f), 5, 2, false, false, false, 9, 2, MMIO_EXT_SIGN, 0 },
	{ "writew", 64, B(0x66, 0x89, 0x07), 3, 2, true, false, false, 0, 2, MMIO_EXT_NONE, 0 },
	{ "writeb al", 64, B(0x88, 0x07), 2, 1, true, false, false, 0, 1, MMIO_EXT_NONE, 0 },
	{ "writeb ah", 64, B(0x88, 0x67, 0x01), 3, 1, true, false, true, 0, 1, MMIO_EXT_NONE, 0 },
	{ "writeb sil (REX)", 64, B(0x40, 0x88, 0x37), 3, 1, true, false, false, 6, 1, MMIO_EXT_NONE, 0 },
	{ "readb bh", 64, B(0x8a, 0x3f), 2, 1, false, false, true, 3, 1, MMIO_EXT_NONE, 0 },
	{ "readb r10b", 64, B(0x44, 0x8a, 0x17), 3, 1, false, false, false, 10, 1, MMIO_EXT_NONE, 0 },
	{ "moffs64 eax", 64, B(0xa1, 0x20, 0, 0xe0, 0xfe, 0, 0, 0, 0), 9, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "moffs32 (67) rax", 64, B(0x67, 0x48, 0xa1, 0x20, 0, 0xe0, 0xfe), 7, 8, false, false, false, 0, 8, MMIO_EXT_NONE, 0 },
	{ "moffs store al", 64, B(0xa2, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0), 9, 1, true, false, false, 0, 1, MMIO_EXT_NONE, 0 },
	{ "gs: abs32 SIB", 64, B(0x65, 0x8b, 0x04, 0x25, 0x20, 0, 0xe0, 0xfe), 8, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "67 addr32 [edi]", 64, B(0x67, 0x8b, 0x07), 3, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "ignored REX before 66", 64, B(0x48, 0x66, 0x8b, 0x07), 4, 2, false, false, false, 0, 2, MMIO_EXT_NONE, 0 },
	{ "ignored REX.R before ds:, ah", 64, B(0x44, 0x3e, 0x8a, 0x27), 4, 1, false, false, true, 0, 1, MMIO_EXT_NONE, 0 },
	/* 32-bit: absolute addresses, as a kernel with paging off writes them. */
	{ "32 moffs eax", 32, B(0xa1, 0x20, 0, 0xe0, 0xfe), 5, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "32 mov edx abs", 32, B(0x8b, 0x15, 0x20, 0, 0xe0, 0xfe), 6, 4, false, false, false, 2, 4, MMIO_EXT_NONE, 0 },
	{ "32 movl $0 EOI abs", 32, B(0xc7, 0x05, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0), 10, 4, true, true, false, 0, 0, MMIO_EXT_NONE, 0 },
	{ "32 write ebx [eax+0x300]", 32, B(0x89, 0x98, 0, 3, 0, 0), 6, 4, true, false, false, 3, 4, MMIO_EXT_NONE, 0 },
	{ "32 moffs16 (66) ax", 32, B(0x66, 0xa1, 0x20, 0, 0xe0, 0xfe), 6, 2, false, false, false, 0, 2, MMIO_EXT_NONE, 0 },
	{ "32 moffs (67) addr16", 32, B(0x67, 0xa3, 0x20, 0), 4, 4, true, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "32 movzx word ds:", 32, B(0x3e, 0x0f, 0xb7, 0x05, 0x20, 0, 0xe0, 0xfe), 8, 2, false, false, false, 0, 4, MMIO_EXT_ZERO, 0 },
	{ "32 movsx byte [esi]", 32, B(0x0f, 0xbe, 0x0e), 3, 1, false, false, false, 1, 4, MMIO_EXT_SIGN, 0 },
	{ "32 es: movb $1 [edi]", 32, B(0x26, 0xc6, 0x07, 0x01), 4, 1, true, true, false, 0, 0, MMIO_EXT_NONE, 1 },
	{ "32 movw $-2 (66 C7: imm16)", 32, B(0x66, 0xc7, 0x00, 0xfe, 0xff), 5, 2, true, true, false, 0, 0, MMIO_EXT_NONE, 0xfffe },
	/* 16-bit code: 16-bit operands and addresses unless 66/67. */
	{ "16 moffs16 ax", 16, B(0xa1, 0x20, 0), 3, 2, false, false, false, 0, 2, MMIO_EXT_NONE, 0 },
	{ "16 66 moffs eax", 16, B(0x66, 0xa1, 0x20, 0), 4, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "16 66 67 moffs32 eax", 16, B(0x67, 0x66, 0xa1, 0x20, 0, 0xe0, 0xfe), 7, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "16 mov ax,[bx]", 16, B(0x8b, 0x07), 2, 2, false, false, false, 0, 2, MMIO_EXT_NONE, 0 },
	{ "16 fs: 66 67 mov [disp32],ecx", 16, B(0x64, 0x66, 0x67, 0x89, 0x0d, 0x80, 0x03, 0xe0, 0xfe), 9, 4, true, false, false, 1, 4, MMIO_EXT_NONE, 0 },
	{ "16 66 67 SIB abs", 16, B(0x66, 0x67, 0x8b, 0x04, 0x25, 0x20, 0, 0xe0, 0xfe), 9, 4, false, false, false, 0, 4, MMIO_EXT_NONE, 0 },
	{ "16 movw $imm [bp+si+8]", 16, B(0xc7, 0x42, 0x08, 0x34, 0x12), 5, 2, true, true, false, 0, 0, MMIO_EXT_NONE, 0x1234 },
	{ "16 movzx 66 [disp16]", 16, B(0x66, 0x0f, 0xb6, 0x06, 0x20, 0), 6, 1, false, false, false, 0, 4, MMIO_EXT_ZERO, 0 },
};

static const struct { const char *what; unsigned mode; uint8_t bytes[15]; uint8_t n; int err; } bad[] = {
	{ "lock mov", 64, B(0xf0, 0x89, 0x07), MMIO_ERR_LOCK },
	{ "rep mov", 64, B(0xf3, 0x89, 0x07), MMIO_ERR_REP },
	{ "repne mov", 32, B(0xf2, 0x8b, 0x07), MMIO_ERR_REP },
	{ "mov eax,ebx", 64, B(0x89, 0xd8), MMIO_ERR_REGISTER },
	{ "mov eax,imm reg form", 32, B(0xc7, 0xc0, 1, 0, 0, 0), MMIO_ERR_REGISTER },
	{ "movzx eax,bl", 64, B(0x0f, 0xb6, 0xc3), MMIO_ERR_REGISTER },
	{ "add [rdi],eax", 64, B(0x01, 0x07), MMIO_ERR_OPCODE },
	{ "or [rdi],imm8", 64, B(0x83, 0x0f, 0x01), MMIO_ERR_OPCODE },
	{ "cmp [eax],imm", 32, B(0x83, 0x38, 0x00), MMIO_ERR_OPCODE },
	{ "movs", 32, B(0xa5), MMIO_ERR_OPCODE },
	{ "32: 40 is INC", 32, B(0x40, 0x8b, 0x07), MMIO_ERR_OPCODE },
	{ "xabort", 64, B(0xc6, 0xf8, 0x00), MMIO_ERR_OPCODE },
	{ "C6 /1 undefined", 64, B(0xc6, 0x4f, 0x00, 0x00), MMIO_ERR_INVALID },
	{ "movdqa xmm (0F 6F)", 64, B(0x0f, 0x6f, 0x07), MMIO_ERR_OPCODE },
	{ "vex vmovd", 64, B(0xc5, 0xf9, 0x6e, 0x07), MMIO_ERR_OPCODE },
	{ "truncated disp32", 64, B(0x8b, 0x87, 0x20, 0x03), MMIO_ERR_TRUNCATED },
	{ "truncated moffs", 32, B(0xa1, 0x20, 0, 0xe0), MMIO_ERR_TRUNCATED },
	{ "too long", 64, B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
			    0xc7, 0x07, 0), MMIO_ERR_INVALID },
};

TEST(mmio_decode_mov_forms)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mmio_case *c = &cases[i];
		struct mmio_insn d;
		memset(&d, 0xa5, sizeof(d));
		int len = mmio_decode(c->bytes, c->nbytes, (enum insn_mode)c->mode, &d);
		if (len != (int)c->nbytes)
			printf("  case \"%s\": length %d, want %u\n", c->what, len, c->nbytes);
		CHECK_EQ(len, c->nbytes);
		CHECK_EQ(d.len, c->len);
		bool ok = d.size == c->size && d.write == c->write && d.has_imm == c->has_imm;
		if (c->has_imm)
			ok = ok && d.imm == c->imm;
		else
			ok = ok && d.reg == c->reg && d.reg_size == c->reg_size &&
			     d.high_byte == c->high_byte && d.ext == c->ext;
		if (!ok)
			printf("  case \"%s\": size %u write %d imm %d/0x%llx reg %u/%u high %d ext %d\n",
			       c->what, d.size, d.write, d.has_imm, (unsigned long long)d.imm, d.reg,
			       d.reg_size, d.high_byte, d.ext);
		CHECK(ok);
		/* Every byte is needed: one fewer is "truncated", never a shorter guess. */
		CHECK_EQ(mmio_decode(c->bytes, c->nbytes - 1u, (enum insn_mode)c->mode, &d),
			 MMIO_ERR_TRUNCATED);
	}
}

TEST(mmio_decode_refuses_what_it_cannot_emulate)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mmio_insn d;
		int rc = mmio_decode(bad[i].bytes, bad[i].n, (enum insn_mode)bad[i].mode, &d);
		if (rc != bad[i].err)
			printf("  case \"%s\": %d, want %d\n", bad[i].what, rc, bad[i].err);
		CHECK_EQ(rc, bad[i].err);
		CHECK(strlen(mmio_decode_strerror(rc)) > 5);
	}
	struct mmio_insn d;
	CHECK_EQ(mmio_decode((const uint8_t *)"\x8b\x07", 2, (enum insn_mode)48, &d), MMIO_ERR_INVALID);
}

TEST(mmio_store_value_takes_the_right_bytes)
{
	struct mmio_insn d;
	REQUIRE(mmio_decode((const uint8_t *)"\x88\x67\x01", 3, INSN_MODE_64, &d) == 3); /* ah */
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0x77);
	REQUIRE(mmio_decode((const uint8_t *)"\x88\x07", 2, INSN_MODE_64, &d) == 2); /* al */
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0x88);
	REQUIRE(mmio_decode((const uint8_t *)"\x66\x89\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0x7788);
	REQUIRE(mmio_decode((const uint8_t *)"\x89\x07", 2, INSN_MODE_64, &d) == 2);
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0x55667788);
	REQUIRE(mmio_decode((const uint8_t *)"\x48\x89\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0x1122334455667788ull);
	REQUIRE(mmio_decode((const uint8_t *)"\xc7\x07\xff\xff\xff\xff", 6, INSN_MODE_64, &d) == 6);
	CHECK_EQ(mmio_store_value(&d, 0x1122334455667788ull), 0xffffffffull);
}

TEST(mmio_load_result_merges_and_extends)
{
	const uint64_t old = 0x1122334455667788ull;
	struct mmio_insn d;
	REQUIRE(mmio_decode((const uint8_t *)"\x8b\x07", 2, INSN_MODE_64, &d) == 2);
	CHECK_EQ(mmio_load_result(&d, old, 0xfedcba9876543210ull), 0x76543210); /* zero-extends */
	REQUIRE(mmio_decode((const uint8_t *)"\x48\x8b\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_load_result(&d, old, 0xfedcba9876543210ull), 0xfedcba9876543210ull);
	REQUIRE(mmio_decode((const uint8_t *)"\x66\x8b\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_load_result(&d, old, 0xabcd), 0x112233445566abcdull); /* merges */
	REQUIRE(mmio_decode((const uint8_t *)"\x8a\x07", 2, INSN_MODE_64, &d) == 2);
	CHECK_EQ(mmio_load_result(&d, old, 0xab), 0x11223344556677abull);
	REQUIRE(mmio_decode((const uint8_t *)"\x8a\x27", 2, INSN_MODE_64, &d) == 2); /* ah */
	CHECK_EQ(mmio_load_result(&d, old, 0xab), 0x112233445566ab88ull);
	REQUIRE(mmio_decode((const uint8_t *)"\x0f\xb6\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_load_result(&d, old, 0x80), 0x80);
	REQUIRE(mmio_decode((const uint8_t *)"\x0f\xbe\x07", 3, INSN_MODE_64, &d) == 3);
	CHECK_EQ(mmio_load_result(&d, old, 0x80), 0xffffff80ull); /* 32-bit dest: zero above */
	REQUIRE(mmio_decode((const uint8_t *)"\x48\x0f\xbf\x07", 4, INSN_MODE_64, &d) == 4);
	CHECK_EQ(mmio_load_result(&d, old, 0x8000), 0xffffffffffff8000ull);
	REQUIRE(mmio_decode((const uint8_t *)"\x66\x0f\xbe\x07", 4, INSN_MODE_64, &d) == 4);
	CHECK_EQ(mmio_load_result(&d, old, 0xff), 0x112233445566ffffull); /* 16-bit dest merges */
	REQUIRE(mmio_decode((const uint8_t *)"\x0f\xb7\x07", 3, INSN_MODE_16, &d) == 3);
	CHECK_EQ(mmio_load_result(&d, old, 0x1234), 0x1122334455661234ull); /* 16-bit code */
}
