/*
 * Opcode tables for the instruction-length decoder (hv/insn_len.c); private
 * to it. Data in hv/insn_tables.c.
 */
#ifndef HV_INSN_TABLES_H
#define HV_INSN_TABLES_H

#include "hv/types.h"

/* Per-opcode attributes: bits 0-3 are the immediate kind (enum insn_imm),
 * the rest are OP_* flags. */
enum insn_imm {
	IMM_NONE,
	IMM_B,     /* imm8 / rel8 */
	IMM_W,     /* imm16 (RET iw) */
	IMM_D,     /* imm32 (XOP map 0Ah) */
	IMM_Z,     /* imm16/imm32 by operand size; imm32 with REX.W */
	IMM_V,     /* imm16/32/64 by operand size (B8+r MOV) */
	IMM_MOFFS, /* A0-A3: offset sized by the address size */
	IMM_JZ,    /* near rel16/rel32; always rel32 in 64-bit mode (Intel) */
	IMM_FAR,   /* ptr16:16 / ptr16:32 by operand size */
	IMM_ENTER, /* iw + ib */
	IMM_G3B,   /* F6 group 3: ib only for /0 and /1 (TEST) */
	IMM_G3Z,   /* F7 group 3: iz only for /0 and /1 (TEST) */
	IMM_SSE4A, /* 0F 78: two imm8 for EXTRQ (66) / INSERTQ (F2), none for VMREAD */
};

#define OP_IMM_MASK 0x000f
#define OP_MODRM 0x0010  /* has a ModRM byte */
#define OP_INV64 0x0020  /* invalid in 64-bit mode */
#define OP_UNDEF 0x0040  /* undefined (#UD) in every mode */
#define OP_MEM 0x0080    /* ModRM must name memory (mod != 11b) */
#define OP_REG 0x0100    /* ModRM must name a register (mod == 11b) */
#define OP_GROUP 0x0200  /* ModRM.reg validity: insn_group_find() + decoder */
#define OP_CTRL 0x0400   /* MOV to/from CR/DR: ModRM.mod ignored, always register */

/*
 * Mandatory-prefix column(s) in which an SSE-style opcode is defined (the
 * NP/66/F3/F2 rows of Tables A-3..A-5), as a mask of PFX_* bits in bits
 * 11-14; 0 means the opcode is not prefix-selected (66 is operand size,
 * F2/F3 are ignored or select a group member checked elsewhere).
 */
#define OP_PFX_SHIFT 11
#define PFX_NP 1u
#define PFX_66 2u
#define PFX_F3 4u
#define PFX_F2 8u
#define OP_PFX(m) ((uint16_t)((m) << OP_PFX_SHIFT))

/* One-byte map (SDM vol. 2, Table A-2) and two-byte 0F map (Table A-3). */
extern const uint16_t insn_map_1byte[256];
extern const uint16_t insn_map_0f[256];

/* An opcode extension group (SDM vol. 2, A.4, Table A-6): which ModRM.reg
 * values are defined for memory and for register operands. */
struct insn_group {
	uint16_t key; /* (map << 8) | opcode, map 0 = one-byte, 1 = 0F */
	uint8_t mem_regs;
	uint8_t reg_regs;
};
const struct insn_group *insn_group_find(unsigned key);

/*
 * ModRM restrictions that depend on the mandatory prefix (maps 1-3 of the
 * legacy space: key = (map << 8) | opcode, map 1 = 0F, 2 = 0F38, 3 = 0F3A):
 * with a prefix in pfx (PFX_* mask), the ModRM byte must satisfy rule.
 */
enum insn_modrule_kind { MR_MEM, MR_REG, MR_C0 };
struct insn_modrule {
	uint16_t key;
	uint8_t pfx;
	uint8_t rule;
};
/* The rule for key under mandatory-prefix column pfx (PFX_*), or NULL. */
const struct insn_modrule *insn_modrule_find(unsigned key, unsigned pfx);

/* x87 escapes D8..DF: bit i set = register form ModRM C0+i is defined
 * (SDM Tables A-8..A-22). */
extern const uint64_t insn_x87_reg[8];

/* Sets of defined opcodes as sorted inclusive ranges [lo, hi], each with
 * the OP_PFX-style mask of mandatory prefixes it is defined with (0: any). */
struct insn_range {
	uint8_t lo, hi, pfx;
};
struct insn_opset {
	const struct insn_range *r;
	size_t n;
};
/* Prefix mask of op in s (0 if any prefix), or -1 if op is not in s. */
int insn_opset_find(const struct insn_opset *s, uint8_t op);

/* 0F 38 / 0F 3A legacy-encoded opcodes (Tables) and 3DNow!
 * suffixes (AMD APM vol. 3, Appendix A, 3DNow! opcode map). */
extern const struct insn_opset insn_set_0f38, insn_set_0f3a, insn_set_3dnow;

#endif
