/*
 * MMIO instruction decoding (API and the accepted forms in hv/mmio_decode.h). The
 * structure (prefixes, opcode, ModRM, length) comes from the length decoder
 * (hv/insn_len.c, insn_decode); this file only gives the MOV forms their meaning.
 */
#include "hv/mmio_decode.h"

static uint64_t size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned from_bytes)
{
	if (from_bytes >= 8)
		return v;
	unsigned shift = 64 - 8 * from_bytes;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

/*
 * The register in ModRM.reg (SDM vol. 2, 2.1.5 and 2.2.1.2): REX.R extends it to
 * R8-R15. For byte operands, 4-7 are AH/CH/DH/BH without a REX prefix and
 * SPL/BPL/SIL/DIL with any REX (2.2.1.2, "byte registers").
 */
static void modrm_reg(const struct insn_info *info, unsigned reg_size, struct mmio_insn *d)
{
	unsigned reg = (info->modrm >> 3) & 7;
	d->reg_size = (uint8_t)reg_size;
	if (info->rex & 4)
		reg += 8;
	if (reg_size == 1 && !info->rex && reg >= 4) {
		reg -= 4;
		d->high_byte = true;
	}
	d->reg = (uint8_t)reg;
}

/* The immediate: the last size bytes of the instruction (imm8 for C6, imm16/imm32 for
 * C7; imm32 is sign-extended to 64 bits with REX.W, SDM vol. 2 MOV). */
static uint64_t immediate(const uint8_t *code, unsigned len, unsigned imm_bytes, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < imm_bytes; i++)
		v |= (uint64_t)code[len - imm_bytes + i] << (8 * i);
	return sign_extend(v, imm_bytes) & size_mask(size);
}

static int decode_1byte(const uint8_t *code, const struct insn_info *info, struct mmio_insn *d)
{
	unsigned op = info->opcode, osz = info->osz / 8u;
	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		d->size = (uint8_t)(op & 1 ? osz : 1);
		d->write = op <= 0x89;
		modrm_reg(info, d->size, d);
		return 0;
	case 0xc6: case 0xc7:
		if ((info->modrm >> 3) & 7) /* only /0 is MOV (C6/C7 /7 are XABORT/XBEGIN) */
			return MMIO_ERR_OPCODE;
		d->size = (uint8_t)(op & 1 ? osz : 1);
		d->write = d->has_imm = true;
		d->imm = immediate(code, info->len, d->size == 1 ? 1 : d->size == 2 ? 2 : 4, d->size);
		return 0;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* MOV AL/AX/EAX/RAX <-> moffs: the offset's width is the address size (67),
		 * which insn_decode has already accounted for in the length. */
		d->size = d->reg_size = (uint8_t)(op & 1 ? osz : 1);
		d->write = op >= 0xa2;
		d->reg = 0;
		return 0;
	default:
		return MMIO_ERR_OPCODE;
	}
}

/* MOVZX 0F B6/B7, MOVSX 0F BE/BF (SDM vol. 2): memory byte/word widened into a
 * 16/32/64-bit register. */
static int decode_0f(const struct insn_info *info, struct mmio_insn *d)
{
	unsigned op = info->opcode;
	if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
		return MMIO_ERR_OPCODE;
	d->size = op & 1 ? 2 : 1;
	d->ext = op <= 0xb7 ? MMIO_EXT_ZERO : MMIO_EXT_SIGN;
	modrm_reg(info, info->osz / 8u, d);
	return 0;
}

int mmio_decode(const uint8_t *code, size_t avail, enum insn_mode mode, struct mmio_insn *d)
{
	struct insn_info info;
	int len = insn_decode(code, avail, mode, &info);
	if (len == INSN_ERR_TRUNCATED)
		return MMIO_ERR_TRUNCATED;
	if (len < 0)
		return MMIO_ERR_INVALID;
	if (info.lock)
		return MMIO_ERR_LOCK;
	if (info.rep)
		return MMIO_ERR_REP;
	*d = (struct mmio_insn){ .len = (uint8_t)len };
	int rc;
	if (info.map == INSN_MAP_1BYTE)
		rc = decode_1byte(code, &info, d);
	else if (info.map == INSN_MAP_0F)
		rc = decode_0f(&info, d);
	else
		rc = MMIO_ERR_OPCODE;
	if (rc)
		return rc;
	if (info.has_modrm && (info.modrm >> 6) == 3)
		return MMIO_ERR_REGISTER;
	return len;
}

const char *mmio_decode_strerror(int err)
{
	switch (err) {
	case MMIO_ERR_TRUNCATED:
		return "instruction bytes cut short (unmapped code page?)";
	case MMIO_ERR_INVALID:
		return "not a valid instruction";
	case MMIO_ERR_LOCK:
		return "LOCK prefix";
	case MMIO_ERR_REP:
		return "REP/REPNE prefix";
	case MMIO_ERR_REGISTER:
		return "register operand, not memory";
	case MMIO_ERR_OPCODE:
		return "not a MOV/MOVZX/MOVSX the decoder handles";
	default:
		return "unknown error";
	}
}

uint64_t mmio_store_value(const struct mmio_insn *d, uint64_t regval)
{
	if (d->has_imm)
		return d->imm & size_mask(d->size);
	if (d->high_byte)
		regval >>= 8;
	return regval & size_mask(d->size);
}

uint64_t mmio_load_result(const struct mmio_insn *d, uint64_t old, uint64_t memval)
{
	uint64_t v = memval & size_mask(d->size);
	if (d->ext == MMIO_EXT_SIGN)
		v = sign_extend(v, d->size);
	switch (d->reg_size) {
	case 1:
		if (d->high_byte)
			return (old & ~0xff00ull) | (v & 0xff) << 8;
		return (old & ~0xffull) | (v & 0xff);
	case 2:
		return (old & ~0xffffull) | (v & 0xffff);
	case 4:
		return v & 0xffffffffull;
	default:
		return v;
	}
}
