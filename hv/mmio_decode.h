/*
 * Decoding the instruction a guest used for an MMIO access, for hypervisors without
 * decode assists (QEMU TCG fills none): which bytes move, in which direction, and
 * from/to which register or immediate. Only the plain MOV forms compilers emit for
 * device registers (readl/writel and volatile loads/stores) are accepted:
 *   88/89 MOV r/m, r     8A/8B MOV r, r/m     C6/C7 /0 MOV r/m, imm
 *   A0-A3 MOV AL/eAX <-> moffs                0F B6/B7/BE/BF MOVZX/MOVSX r, r/m
 * with 66/67/REX/segment prefixes, in 16-, 32- and 64-bit code (Intel SDM vol. 2,
 * MOV/MOVZX/MOVSX; 2.1-2.2 for the encoding). Everything else is refused with a
 * reason, never guessed: LOCK, REP/REPNE, register-direct ModRM, other opcodes.
 * The memory address is not decoded: the exit reports the guest-physical address.
 */
#ifndef HV_MMIO_DECODE_H
#define HV_MMIO_DECODE_H

#include "hv/insn_len.h"
#include "hv/types.h"

enum mmio_ext { MMIO_EXT_NONE, MMIO_EXT_ZERO, MMIO_EXT_SIGN };

struct mmio_insn {
	uint8_t len;      /* instruction length */
	uint8_t size;     /* bytes of memory accessed: 1, 2, 4 or 8 */
	bool write;       /* memory is written (MOV to memory) */
	bool has_imm;     /* a write of imm (C6/C7) rather than of a register */
	uint64_t imm;     /* the immediate, sign-extended to size bytes (C7 with REX.W) */
	/* The register operand (reads: destination; writes without has_imm: source). */
	uint8_t reg;      /* GPR number in encoding order: 0 = rAX, 1 = rCX, 2 = rDX, 3 = rBX,
	                   * 4 = rSP, 5 = rBP, 6 = rSI, 7 = rDI, 8-15 = R8-R15 */
	bool high_byte;   /* AH/CH/DH/BH: bits 15:8 of reg 0-3 (byte operand, no REX) */
	uint8_t reg_size; /* bytes of the register operand: 1, 2, 4 or 8 */
	enum mmio_ext ext; /* MOVZX/MOVSX: how size bytes widen to reg_size */
};

enum mmio_decode_err {
	MMIO_ERR_TRUNCATED = -1, /* fewer bytes than the instruction needs */
	MMIO_ERR_INVALID = -2,   /* not a valid instruction in this mode */
	MMIO_ERR_LOCK = -3,      /* LOCK prefix */
	MMIO_ERR_REP = -4,       /* F2/F3 prefix */
	MMIO_ERR_REGISTER = -5,  /* ModRM names a register: not a memory access */
	MMIO_ERR_OPCODE = -6,    /* a valid instruction, but not one of the MOV forms */
};

/* Decode code[0..avail) (avail <= 15 is enough) in mode (16/32/64: the code segment's
 * default size, 64 = long mode). Returns the length (> 0) and fills *d, or an
 * enum mmio_decode_err. */
int mmio_decode(const uint8_t *code, size_t avail, enum insn_mode mode, struct mmio_insn *d);
/* A short description of an error code, for the guest's stop reason. */
const char *mmio_decode_strerror(int err);

/* The value a write puts into memory (the low size bytes): the immediate, or the
 * register operand taken from regval (the full 64-bit register reg). */
uint64_t mmio_store_value(const struct mmio_insn *d, uint64_t regval);
/* The register reg after a read of memval (low size bytes) when it held old: 8/16-bit
 * destinations merge, 32-bit ones zero-extend into 64 (SDM vol. 1, 3.4.1.1), MOVZX/MOVSX
 * widen first. */
uint64_t mmio_load_result(const struct mmio_insn *d, uint64_t old, uint64_t memval);

#endif
