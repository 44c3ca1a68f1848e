/*
 * x86 instruction-length decoder (API in hv/insn_len.h, tables in
 * hv/insn_tables.c).
 *
 * Instruction format, SDM vol. 2, 2.1 (Figure 2-1):
 *   [legacy prefixes][REX] opcode [ModRM [SIB] [disp]] [imm]
 * or, for VEX/EVEX/XOP, [legacy prefixes] C4/C5/62/8F payload opcode ModRM...
 *
 * Validity (INSN_ERR_INVALID) follows the opcode maps: undefined opcodes,
 * opcodes invalid in 64-bit mode, undefined members of ModRM.reg groups,
 * memory-only/register-only forms, the mandatory-prefix columns (NP/66/F3/
 * F2) of SSE-style legacy opcodes, and the VEX/EVEX/XOP escape fields. Not
 * checked, as the length does not depend on them and the CPU raises #UD
 * itself: LOCK legality, F2/F3 on non-SSE instructions (reserved, ignored
 * by CPUs), CPUID features, privilege, the individual 0F 01 register forms,
 * and which opcodes exist inside the VEX/EVEX/XOP maps (SDM 2.3, 2.7; AMD
 * APM vol. 3, chapter 1) or their L/W/vvvv constraints.
 */
#include "hv/insn_len.h"
#include "hv/insn_tables.h"

struct insn {
	const uint8_t *code;
	size_t avail;
	unsigned pos;     /* offset of the next byte to decode */
	unsigned mode;    /* 16, 32 or 64 */
	unsigned osz;     /* effective operand size in bits */
	unsigned asz;     /* effective address size in bits */
	uint8_t rep;      /* last of F2/F3 seen, or 0 */
	bool p66, p67;
	bool rex_w;       /* REX.W of a REX that immediately precedes the opcode */
	bool vex_bad;     /* 66/F2/F3/F0/REX seen: VEX/EVEX/XOP would #UD */
	struct insn_info info; /* what insn_decode() reports besides the length */
};

/*
 * Byte at offset off. Needing byte 15 or later means the instruction is
 * longer than the 15-byte maximum (SDM vol. 2, 2.3.11; #GP), whatever
 * follows.
 */
static int byte_at(const struct insn *in, unsigned off)
{
	if (off >= INSN_MAX_LEN)
		return INSN_ERR_INVALID;
	if (off >= in->avail)
		return INSN_ERR_TRUNCATED;
	return in->code[off];
}

/* Final length check once every byte is accounted for. */
static int total(const struct insn *in, unsigned len)
{
	if (len > INSN_MAX_LEN)
		return INSN_ERR_INVALID;
	if (len > in->avail)
		return INSN_ERR_TRUNCATED;
	return (int)len;
}

/* Mandatory-prefix column (SDM 2.1.1, Table A-3 NP/66/F3/F2 rows) selected
 * by the prefixes: F2/F3 take precedence over 66, the last of them counts. */
static unsigned simd_prefix(const struct insn *in)
{
	return in->rep == 0xf3 ? PFX_F3 : in->rep == 0xf2 ? PFX_F2 : in->p66 ? PFX_66 : PFX_NP;
}

/* ModRM.reg (and a few ModRM-exact) constraints of opcode groups. */
static bool group_ok(const struct insn *in, unsigned key, unsigned modrm)
{
	unsigned reg = (modrm >> 3) & 7;
	bool is_reg = (modrm >> 6) == 3;

	if (key >= 0xd8 && key <= 0xdf && is_reg)
		return (insn_x87_reg[key - 0xd8] >> (modrm & 0x3f)) & 1;
	const struct insn_group *g = insn_group_find(key);
	if (g && !((is_reg ? g->reg_regs : g->mem_regs) & (1u << reg)))
		return false;
	switch (key) {
	case 0xc6: case 0xc7: /* XABORT C6 F8 ib, XBEGIN C7 F8 cw/cd */
		return reg != 7 || modrm == 0xf8;
	case 0x100: /* F2 0F 00 /6 LKGS, 64-bit mode only */
		return reg != 6 || (in->rep == 0xf2 && in->mode == 64);
	case 0x173: /* PSRLDQ/PSLLDQ exist only as 66 (XMM) forms */
		return (reg != 3 && reg != 7) || simd_prefix(in) == PFX_66;
	case 0x178: /* 66 0F 78 /0 ib ib EXTRQ */
		return reg == 0 || simd_prefix(in) != PFX_66;
	case 0x1ae:
		/* Register forms: /5-/7 LFENCE/MFENCE/SFENCE (any ModRM.rm, as
		 * in Table A-6; 66/F2 /6 are TPAUSE/UMWAIT); /0-/4 only with F3
		 * (RD/WR{FS,GS}BASE, 64-bit only; PTWRITE). All memory forms. */
		if (!is_reg || reg >= 5)
			return true;
		return in->rep == 0xf3 && (reg == 4 || in->mode == 64);
	}
	return true;
}

/*
 * ModRM, SIB and displacement (SDM vol. 2, 2.1.5, Tables 2-1..2-3; 2.2.1.6
 * for RIP-relative, which has the same length as the 32-bit disp32 form).
 * On entry in->pos is at the ModRM byte; on success it is just past the
 * displacement and *modrm holds the ModRM byte.
 */
static int decode_modrm(struct insn *in, unsigned flags, unsigned key, int *modrm)
{
	int m = byte_at(in, in->pos);
	if (m < 0)
		return m;
	*modrm = m;
	in->info.modrm = (uint8_t)m;
	in->info.has_modrm = true;
	in->pos++;
	unsigned mod = (unsigned)m >> 6, rm = (unsigned)m & 7, disp = 0;
	/* MOV CR/DR: "the mod field is ignored" (SDM MOV-Control Registers). */
	if (flags & OP_CTRL)
		mod = 3;
	if (flags & (mod == 3 ? OP_MEM : OP_REG))
		return INSN_ERR_INVALID;
	if ((flags & OP_GROUP) && !group_ok(in, key, (unsigned)m))
		return INSN_ERR_INVALID;
	/* Prefix-dependent memory-only/register-only forms. */
	const struct insn_modrule *r = insn_modrule_find(key, simd_prefix(in));
	if (r && (r->rule == MR_MEM ? mod == 3 : r->rule == MR_REG ? mod != 3 : m != 0xc0))
		return INSN_ERR_INVALID;
	if (mod == 3)
		return 0;
	if (in->asz == 16) {
		/* Table 2-1: no SIB; mod 00 rm 110 is [disp16]. */
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
	} else {
		/* Table 2-2/2-3: rm 100 means a SIB byte follows; base 101 with
		 * mod 00 means disp32 and no base; mod 00 rm 101 is disp32
		 * (RIP-relative in 64-bit mode). */
		if (rm == 4) {
			int sib = byte_at(in, in->pos);
			if (sib < 0)
				return sib;
			in->pos++;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			disp = 4;
	}
	in->pos += disp;
	return 0;
}

static unsigned imm_size(const struct insn *in, unsigned flags, int modrm)
{
	unsigned z = in->osz == 16 ? 2 : 4;
	unsigned reg = ((unsigned)modrm >> 3) & 7;
	switch (flags & OP_IMM_MASK) {
	case IMM_B:
		return 1;
	case IMM_W:
		return 2;
	case IMM_D:
		return 4;
	case IMM_Z:
		return z;
	case IMM_V:
		return in->osz / 8;
	case IMM_MOFFS:
		/* MOV AL/rAX <-> moffs: offset is address-size wide (SDM MOV
		 * notes; 2.2.1.4 for 64-bit mode). */
		return in->asz / 8;
	case IMM_JZ:
		/* 64-bit mode near branches: operand size is forced to 64 and
		 * Intel ignores 66, so rel32 (SDM 2.2.1.7: the rel16 forms are
		 * N.S. in 64-bit mode; AMD would use rel16). */
		return in->mode == 64 ? 4 : z;
	case IMM_FAR:
		return z + 2;
	case IMM_ENTER:
		return 3;
	case IMM_G3B:
		return reg < 2 ? 1 : 0;
	case IMM_G3Z:
		return reg < 2 ? z : 0;
	case IMM_SSE4A:
		/* 66 0F 78 /0 ib ib EXTRQ, F2 0F 78 /r ib ib INSERTQ (AMD APM
		 * vol. 4); no prefix: VMREAD. */
		return simd_prefix(in) & (PFX_66 | PFX_F2) ? 2 : 0;
	default:
		return 0;
	}
}

/* Validity, ModRM and immediate of a legacy-map opcode described by flags. */
static int finish(struct insn *in, unsigned flags, unsigned key)
{
	int modrm = 0;
	if (flags & OP_UNDEF)
		return INSN_ERR_INVALID;
	if ((flags & OP_INV64) && in->mode == 64)
		return INSN_ERR_INVALID;
	if ((flags >> OP_PFX_SHIFT) && !((flags >> OP_PFX_SHIFT) & simd_prefix(in)))
		return INSN_ERR_INVALID;
	if (flags & OP_MODRM) {
		int r = decode_modrm(in, flags, key, &modrm);
		if (r < 0)
			return r;
	}
	return total(in, in->pos + imm_size(in, flags, modrm));
}

/* Two- and three-byte legacy maps: 0F xx, 0F 38 xx, 0F 3A xx (SDM 2.1.2). */
static int decode_0f(struct insn *in)
{
	int op = byte_at(in, in->pos);
	if (op < 0)
		return op;
	in->pos++;
	in->info.map = INSN_MAP_0F;
	in->info.opcode = (uint8_t)op;
	if (op == 0x38 || op == 0x3a) {
		int op3 = byte_at(in, in->pos);
		if (op3 < 0)
			return op3;
		in->pos++;
		in->info.map = op == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
		in->info.opcode = (uint8_t)op3;
		int pfx = insn_opset_find(op == 0x38 ? &insn_set_0f38 : &insn_set_0f3a, (uint8_t)op3);
		if (pfx < 0)
			return INSN_ERR_INVALID;
		return finish(in, OP_MODRM | OP_PFX((unsigned)pfx) | (op == 0x3a ? IMM_B : IMM_NONE),
			      (op == 0x38 ? 0x200u : 0x300u) | (unsigned)op3);
	}
	if (op == 0x0f) {
		/* 3DNow!: 0F 0F ModRM [SIB] [disp] suffix-opcode (AMD APM
		 * vol. 3, Appendix A). The suffix sits where an imm8 would. */
		int modrm, r = decode_modrm(in, OP_MODRM, 0, &modrm);
		if (r < 0)
			return r;
		int suffix = byte_at(in, in->pos);
		if (suffix < 0)
			return suffix;
		if (insn_opset_find(&insn_set_3dnow, (uint8_t)suffix) < 0)
			return INSN_ERR_INVALID;
		return total(in, in->pos + 1);
	}
	if (op == 0x01) {
		/*
		 * Group 7 (SDM Table A-6, AMD APM vol. 3 Appendix A): memory forms
		 * SGDT..INVLPG; every register form 0F 01 C0..FF is a whole
		 * 3-byte instruction (VMCALL C1 .. VMXOFF C4, MONITOR/MWAIT C8/C9,
		 * XGETBV/XSETBV D0/D1, VMRUN D8 .. INVLPGA DF, SWAPGS F8, RDTSCP
		 * F9, ...). This row keeps gaining system instructions (SGX, TDX,
		 * SEV-SNP, UINTR, FRED), so register forms are not checked one
		 * by one; only SWAPGS is 64-bit-only. Memory /5 is only F3
		 * RSTORSSP.
		 */
		int m = byte_at(in, in->pos);
		if (m < 0)
			return m;
		if (m >= 0xc0) {
			if (m == 0xf8 && in->mode != 64)
				return INSN_ERR_INVALID;
			return total(in, in->pos + 1);
		}
		if ((m & 0x38) == 0x28 && in->rep != 0xf3)
			return INSN_ERR_INVALID;
	}
	return finish(in, insn_map_0f[op], 0x100u | (unsigned)op);
}

/*
 * C4/C5 (VEX, SDM 2.3.5), 62 (EVEX, SDM 2.7.1) and 8F (XOP, AMD APM
 * vol. 3, chapter 1). Outside 64-bit mode C4/C5/62 are LES/LDS/BOUND unless
 * the next byte has ModRM.mod == 11b (a form those never use); 8F is POP Ev
 * unless the XOP map_select field (low 5 bits of the next byte) is >= 8,
 * which POP's ModRM.reg == 0 rules out. On entry in->pos is just past the
 * escape byte. Returns NOT_VEX for the legacy instruction, else the result.
 */
#define NOT_VEX 0
static int decode_vex(struct insn *in, int esc)
{
	int p0 = byte_at(in, in->pos), p1, op;
	unsigned map;
	if (p0 < 0)
		return p0;
	if (esc == 0x8f ? (p0 & 0x1f) < 8 : in->mode != 64 && (p0 & 0xc0) != 0xc0)
		return NOT_VEX;
	/* 66, F2, F3, LOCK or REX before VEX/EVEX/XOP: #UD (SDM 2.3.2-2.3.4). */
	if (in->vex_bad)
		return INSN_ERR_INVALID;
	if (esc == 0xc5) {
		map = 1;
	} else if (esc == 0x62) {
		/* P0 bit 3 must be 0 and P1 bit 2 must be 1 (SDM 2.7.1);
		 * maps 1-3, 5, 6 (5/6: AVX512-FP16). The APX uses of map 4
		 * and of these bits are not supported. */
		p1 = byte_at(in, in->pos + 1);
		if (p1 < 0)
			return p1;
		map = (unsigned)p0 & 7;
		if ((p0 & 0x08) || !(p1 & 0x04) || map == 0 || map == 4 || map == 7)
			return INSN_ERR_INVALID;
	} else { /* C4: map_select 1-3; 8F: XOP map 8, 9, 0Ah */
		map = (unsigned)p0 & 0x1f;
		if (esc == 0xc4 ? map < 1 || map > 3 : map > 10)
			return INSN_ERR_INVALID;
	}
	in->pos += esc == 0xc5 ? 1 : esc == 0x62 ? 3 : 2; /* payload bytes */
	op = byte_at(in, in->pos);
	if (op < 0)
		return op;
	in->pos++;
	in->info.map = INSN_MAP_VEX;
	in->info.opcode = (uint8_t)op;
	switch (map) {
	case 1:
		/* VZEROUPPER/VZEROALL (VEX 0F 77) is the only one without
		 * ModRM; imm8 on 70-73 (PSHUF*, shift groups), C2 (CMP*),
		 * C4/C5 (PINSRW/PEXTRW), C6 (SHUFP*) as in the legacy map. */
		if (op == 0x77 && esc != 0x62)
			return total(in, in->pos);
		return finish(in, OP_MODRM | ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
					      (op >= 0xc4 && op <= 0xc6) ? IMM_B : IMM_NONE), 0);
	case 3:
	case 8:
		return finish(in, OP_MODRM | IMM_B, 0);
	case 10:
		/* XOP map 0Ah: BEXTR, LWPINS/LWPVAL take an imm32. */
		return finish(in, OP_MODRM | IMM_D, 0);
	default: /* maps 2, 5, 6, 9: ModRM, no immediate */
		return finish(in, OP_MODRM, 0);
	}
}

/* Legacy prefix (SDM 2.1.1): record its effect; false if b is not one. */
static bool legacy_prefix(struct insn *in, int b)
{
	switch (b) {
	case 0x66:
		in->p66 = in->vex_bad = true;
		break;
	case 0x67:
		in->p67 = true;
		break;
	case 0xf2: case 0xf3:
		in->rep = (uint8_t)b;
		in->vex_bad = true;
		break;
	case 0xf0:
		in->info.lock = in->vex_bad = true;
		break;
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		in->info.seg = (uint8_t)b;
		break;
	default:
		return false;
	}
	in->rex_w = false; /* a REX only counts right before the opcode */
	in->info.rex = 0;
	return true;
}

/* The whole instruction at in->code; in->mode is 16, 32 or 64. */
static int decode(struct insn *in)
{
	int b;
	/*
	 * Prefixes (SDM 2.1.1, 2.2.1): any number and order of legacy
	 * prefixes, bounded only by the 15-byte limit. In 64-bit mode 40-4F
	 * are REX; a REX followed by a legacy prefix is ignored (but still
	 * part of the instruction).
	 */
	for (;; in->pos++) {
		b = byte_at(in, in->pos);
		if (b < 0)
			return b;
		if (legacy_prefix(in, b))
			continue;
		if (in->mode != INSN_MODE_64 || (b & 0xf0) != 0x40)
			break;
		in->rex_w = (b & 8) != 0;
		in->info.rex = (uint8_t)b;
		in->vex_bad = true;
	}
	in->pos++;
	in->info.map = INSN_MAP_1BYTE;
	in->info.opcode = (uint8_t)b;

	/* Operand and address size (SDM vol. 1, 3.6, Tables 3-3 and 3-4). */
	if (in->mode == INSN_MODE_64) {
		in->osz = in->rex_w ? 64 : in->p66 ? 16 : 32;
		in->asz = in->p67 ? 32 : 64;
	} else {
		in->osz = (in->mode == INSN_MODE_16) != in->p66 ? 16 : 32;
		in->asz = (in->mode == INSN_MODE_16) != in->p67 ? 16 : 32;
	}

	switch (b) {
	case 0x0f:
		return decode_0f(in);
	case 0xc4: case 0xc5: case 0x62: case 0x8f: {
		int r = decode_vex(in, b);
		if (r != NOT_VEX)
			return r;
		break;
	}
	}
	return finish(in, insn_map_1byte[b], (unsigned)b);
}

int insn_decode(const uint8_t *code, size_t avail, enum insn_mode mode, struct insn_info *info)
{
	struct insn in = { .code = code, .avail = avail, .mode = (unsigned)mode };
	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return INSN_ERR_INVALID;
	int len = decode(&in);
	if (len < 0)
		return len;
	*info = in.info;
	info->len = (uint8_t)len;
	info->rep = in.rep;
	info->p66 = in.p66;
	info->p67 = in.p67;
	info->osz = (uint8_t)in.osz;
	info->asz = (uint8_t)in.asz;
	return len;
}

int insn_length(const uint8_t *code, size_t avail, enum insn_mode mode)
{
	struct insn_info info;
	return insn_decode(code, avail, mode, &info);
}
