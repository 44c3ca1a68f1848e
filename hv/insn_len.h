/*
 * x86 instruction-length decoder.
 *
 * Used to advance the guest RIP past intercepted instructions (the exit
 * information does not always carry the next RIP) and, later, as the first
 * step of MMIO emulation. It decodes only the structure of an instruction
 * (prefixes, opcode, ModRM/SIB, displacement, immediate; Intel SDM vol. 2,
 * 2.1), not its operands.
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

#endif
