/*
 * x86 instruction-length decoder.
 *
 * Used to advance the guest RIP past intercepted instructions (the exit
 * information does not always carry the next RIP) and, through insn_decode(),
 * as the first step of MMIO emulation (hv/mmio_decode.c). It decodes only the
 * structure of an instruction (prefixes, opcode, ModRM/SIB, displacement,
 * immediate; Intel SDM vol. 2, 2.1), not its operands.
 */
#ifndef HV_INSN_LEN_H
#define HV_INSN_LEN_H

#include "hv/types.h"

/* Mode 16/32 = default operand/address size of the code segment (CS.D);
 * 64 = long mode (CS.L). */
enum insn_mode { INSN_MODE_16 = 16, INSN_MODE_32 = 32, INSN_MODE_64 = 64 };

/* Architectural maximum instruction length (SDM vol. 2, 2.3.11). */
#define INSN_MAX_LEN 15

#define INSN_ERR_INVALID (-1)
#define INSN_ERR_TRUNCATED (-2)

/*
 * Length of the instruction at code[0..avail). Returns 1..15, or
 * INSN_ERR_INVALID for an encoding that is invalid/undefined in that mode or
 * longer than 15 bytes, or INSN_ERR_TRUNCATED when avail bytes are not enough
 * to decide. Never reads code[avail] or beyond, nor past byte 15.
 */
int insn_length(const uint8_t *code, size_t avail, enum insn_mode mode);

/* The structure insn_decode() found (SDM vol. 2, 2.1): for operand decoders such as
 * hv/mmio_decode.c, which then need no prefix parser of their own. */
enum insn_map { INSN_MAP_1BYTE, INSN_MAP_0F, INSN_MAP_0F38, INSN_MAP_0F3A, INSN_MAP_VEX };
struct insn_info {
	uint8_t len;
	uint8_t map;     /* enum insn_map; INSN_MAP_VEX for VEX/EVEX/XOP */
	uint8_t opcode;  /* within map */
	uint8_t modrm;   /* valid when has_modrm */
	bool has_modrm;
	uint8_t rex;     /* the REX byte right before the opcode (64-bit mode), else 0 */
	uint8_t rep;     /* last F2/F3 prefix, else 0 */
	uint8_t seg;     /* last segment-override prefix, else 0 */
	bool lock, p66, p67;
	uint8_t osz, asz; /* effective operand and address size in bits */
};
/* insn_length() that also fills *info on success (untouched on error). */
int insn_decode(const uint8_t *code, size_t avail, enum insn_mode mode, struct insn_info *info);

#endif
