/*
 * Opcode tables for the instruction-length decoder (see hv/insn_len.c).
 *
 * Sources: Intel SDM vol. 2, Appendix A (opcode maps: A-2 one-byte, A-3
 * two-byte 0F, A-4 0F38, A-5 0F3A, A-6 opcode extension groups, A-7..A-22
 * x87 escapes) and AMD APM vol. 3, Appendix A (3DNow!, SSE4a, SVM).
 * Only what determines the length and the validity of an opcode is
 * recorded: ModRM presence, immediate kind, mode restrictions, ModRM.reg
 * groups, memory/register-only forms and, for SSE-style opcodes, the
 * mandatory-prefix columns (NP/66/F3/F2) they are defined in.
 */
#include "hv/insn_tables.h"

#define M OP_MODRM
#define U OP_UNDEF
#define X OP_INV64
#define G (OP_MODRM | OP_GROUP)
#define MM (OP_MODRM | OP_MEM)
#define MR (OP_MODRM | OP_REG)
#define Ib IMM_B
#define Iw IMM_W
#define Iz IMM_Z
#define Iv IMM_V
#define Jb IMM_B
#define Jz IMM_JZ
#define Ob IMM_MOFFS
#define Ap IMM_FAR
#define P 0 /* prefix or escape byte: handled by the decoder, never looked up */
#define N 0 /* no ModRM, no immediate */
/* Mandatory-prefix columns of SSE-style opcodes (see OP_PFX). */
#define S4 OP_PFX(PFX_NP | PFX_66 | PFX_F3 | PFX_F2)
#define S3 OP_PFX(PFX_NP | PFX_66 | PFX_F3)
#define S2 OP_PFX(PFX_NP | PFX_66)
#define SN OP_PFX(PFX_NP)
#define S6 OP_PFX(PFX_66)
#define SNF3 OP_PFX(PFX_NP | PFX_F3)
#define S6F2 OP_PFX(PFX_66 | PFX_F2)
#define SN6F2 OP_PFX(PFX_NP | PFX_66 | PFX_F2)
#define S6F3F2 OP_PFX(PFX_66 | PFX_F3 | PFX_F2)
#define SF3 OP_PFX(PFX_F3)
#define SF2 OP_PFX(PFX_F2)

/*
 * One-byte opcode map, SDM Table A-2. 40-4F (INC/DEC, REX in 64-bit mode),
 * 0F, 26/2E/36/3E/64-67, F0/F2/F3 and the VEX/EVEX/XOP escapes C4/C5/62/8F
 * are recognised by the decoder before the table is consulted; the entries
 * for C4/C5/62 describe LES/LDS/BOUND (their non-VEX/EVEX forms).
 * D6 is SALC: absent from the SDM map but executed by every Intel and AMD
 * CPU outside 64-bit mode (AMD APM lists it as invalid in 64-bit mode only).
 */
const uint16_t insn_map_1byte[256] = {
	/* 00 */ M, M, M, M, Ib, Iz, X, X, M, M, M, M, Ib, Iz, X, P,
	/* 10 */ M, M, M, M, Ib, Iz, X, X, M, M, M, M, Ib, Iz, X, X,
	/* 20 */ M, M, M, M, Ib, Iz, P, X, M, M, M, M, Ib, Iz, P, X,
	/* 30 */ M, M, M, M, Ib, Iz, P, X, M, M, M, M, Ib, Iz, P, X,
	/* 40 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 50 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 60 */ X, X, MM | X, M, P, P, P, P, Iz, M | Iz, Ib, M | Ib, N, N, N, N,
	/* 70 */ Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb, Jb,
	/* 80 */ M | Ib, M | Iz, M | Ib | X, M | Ib, M, M, M, M, M, M, M, M, G, MM, G, G,
	/* 90 */ N, N, N, N, N, N, N, N, N, N, Ap | X, N, N, N, N, N,
	/* A0 */ Ob, Ob, Ob, Ob, N, N, N, N, Ib, Iz, N, N, N, N, N, N,
	/* B0 */ Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib, Iv, Iv, Iv, Iv, Iv, Iv, Iv, Iv,
	/* C0 */ M | Ib, M | Ib, Iw, N, MM | X, MM | X, G | Ib, G | Iz,
		 IMM_ENTER, N, Iw, N, N, Ib, X, N,
	/* D0 */ M, M, M, M, Ib | X, Ib | X, X, N, G, G, G, G, G, G, G, G,
	/* E0 */ Jb, Jb, Jb, Jb, Ib, Ib, Ib, Ib, Jz, Jz, Ap | X, Jb, N, N, N, N,
	/* F0 */ P, N, P, P, N, N, M | IMM_G3B, M | IMM_G3Z, N, N, N, N, N, N, G, G,
};

/*
 * Two-byte opcode map 0F xx, SDM Table A-3 (AMD APM vol. 3 Appendix A for
 * 0F 0D, 0E, 0F, 78, 79, and 2B with F2/F3 = SSE4a MOVNTSD/MOVNTSS).
 * Decisions for holes and odd cases:
 *  - 04, 0A, 0C, 24-27 (386/486 MOV TR), 36, 39, 3B-3F, 7A, 7B and A6/A7
 *    (early 486 XBTS/IBTS, VIA PadLock) are undefined on current Intel/AMD.
 *  - 0B UD2 (no ModRM), B9 UD1 and FF UD0 (with ModRM, as on all CPUs since
 *    the SDM documented "UD0 r32, r/m32") are defined encodings whose
 *    execution raises #UD: they get their length like any other.
 *  - 18-1F are the reserved-NOP/hint space (MPX BND* execute as NOPs where
 *    MPX is absent): every ModRM form and prefix is valid.
 *  - B8 is POPCNT only with F3 (without it, JMPE: IA-64 only).
 *  - Mod restrictions that depend on the mandatory prefix (e.g. 66 0F 12
 *    MOVLPD is memory-only, F3 0F D6 MOVQ2DQ register-only) are in
 *    insn_modrules below.
 *  - 01 (group 7) is special-cased by the decoder; 0F, 38, 3A are escapes.
 */
const uint16_t insn_map_0f[256] = {
	/* 00 */ G, M, M, M, U, N, N, N, N, SNF3, U, N, U, MM, N, P,
	/* 10 */ M | S4, M | S4, M | S4, MM | S2, M | S2, M | S2, M | S3, MM | S2,
		 M, M, M, M, M, M, M, M,
	/* 20 */ M | OP_CTRL, M | OP_CTRL, M | OP_CTRL, M | OP_CTRL, U, U, U, U,
		 M | S2, M | S2, M | S4, MM | S4, M | S4, M | S4, M | S2, M | S2,
	/* 30 */ N, N, N, N, N, N, U, N, P, U, P, U, U, U, U, U,
	/* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ MR | S2, M | S4, M | SNF3, M | SNF3, M | S2, M | S2, M | S2, M | S2,
		 M | S4, M | S4, M | S4, M | S3, M | S4, M | S4, M | S4, M | S4,
	/* 60 */ M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2,
		 M | S2, M | S2, M | S2, M | S2, M | S6, M | S6, M | S2, M | S3,
	/* 70 */ M | Ib | S4, G | Ib | S2, G | Ib | S2, G | Ib | S2,
		 M | S2, M | S2, M | S2, N | SN,
		 G | IMM_SSE4A | SN6F2, M | SN6F2, U, U, M | S6F2, M | S6F2, M | S3, M | S3,
	/* 80 */ Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz, Jz,
	/* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* A0 */ N, N, N, M, M | Ib, M, U, U, N, N, N, M, M | Ib, M, G, M,
	/* B0 */ M, M, MM, M, MM, MM, M, M, M | SF3, M, G | Ib, M, M | S3, M | S3, M, M,
	/* C0 */ M, M, M | Ib | S4, MM | SN, M | Ib | S2, MR | Ib | S2, M | Ib | S2, G,
		 N, N, N, N, N, N, N, N,
	/* D0 */ M | S6F2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S6F3F2, MR | S2,
		 M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2,
	/* E0 */ M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S6F3F2, MM | S2,
		 M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2,
	/* F0 */ MM | SF2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, MR | S2,
		 M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M | S2, M,
};

/*
 * Opcode extension groups, SDM Table A-6 (+ A-7..A-22 for the x87 memory
 * forms). Bit n set = ModRM.reg n defined. Further checks in the decoder:
 * C6/C7 /7 require ModRM == F8 (XABORT/XBEGIN); 0F 00 /6 is LKGS (F2, 64-bit
 * only); 0F 73 /3, /7 (PSRLDQ/PSLLDQ) need 66; 66 0F 78 needs /0; 0F AE
 * register forms /0-/4 need F3 (RDFSBASE..WRGSBASE (64-bit only), PTWRITE);
 * x87 register forms use insn_x87_reg.
 */
static const struct insn_group insn_groups[] = {
	{ 0x008c, 0x3f, 0x3f }, /* MOV r/m, Sreg: ES CS SS DS FS GS */
	{ 0x008e, 0x3d, 0x3d }, /* MOV Sreg, r/m: loading CS is #UD */
	{ 0x008f, 0x01, 0x01 }, /* group 1A: POP /0 (else XOP) */
	{ 0x00c6, 0x01, 0x81 }, /* group 11: MOV /0, XABORT C6 F8 */
	{ 0x00c7, 0x01, 0x81 }, /* group 11: MOV /0, XBEGIN C7 F8 */
	{ 0x00d9, 0xfd, 0xff }, /* x87 D9 /1 memory is reserved */
	{ 0x00db, 0xaf, 0xff }, /* x87 DB /4, /6 memory reserved */
	{ 0x00dd, 0xdf, 0xff }, /* x87 DD /5 memory reserved */
	{ 0x00fe, 0x03, 0x03 }, /* group 4: INC/DEC */
	{ 0x00ff, 0x7f, 0x57 }, /* group 5: CALLF/JMPF (/3, /5) need memory */
	{ 0x0100, 0x7f, 0x7f }, /* group 6: SLDT..VERW, LKGS (/6) */
	{ 0x0171, 0x00, 0x54 }, /* group 12: PSRLW/PSRAW/PSLLW ib */
	{ 0x0172, 0x00, 0x54 }, /* group 13: PSRLD/PSRAD/PSLLD ib */
	{ 0x0173, 0x00, 0xcc }, /* group 14: PSRLQ/PSRLDQ/PSLLQ/PSLLDQ ib */
	{ 0x0178, 0xff, 0xff }, /* 66 0F 78 EXTRQ is /0 */
	{ 0x01ae, 0xff, 0xff }, /* group 15: FXSAVE..CLFLUSH; LFENCE.. */
	{ 0x01ba, 0xf0, 0xf0 }, /* group 8: BT/BTS/BTR/BTC ib */
	/* group 9: CMPXCHG8B/16B, XRSTORS, XSAVEC, XSAVES, VMPTRLD/VMCLEAR/
	 * VMXON, VMPTRST; register forms RDRAND (/6), RDSEED/RDPID (/7). */
	{ 0x01c7, 0xfa, 0xc0 },
};

const struct insn_group *insn_group_find(unsigned key)
{
	for (size_t i = 0; i < ARRAY_SIZE(insn_groups); i++)
		if (insn_groups[i].key == key)
			return &insn_groups[i];
	return NULL;
}

/* Prefix-dependent memory-only / register-only forms (SDM vol. 2 instruction
 * pages; AMD APM vol. 4 for EXTRQ/INSERTQ). */
#define ALLP (PFX_NP | PFX_66 | PFX_F3 | PFX_F2)
static const struct insn_modrule insn_modrules[] = {
	{ 0x0112, PFX_66, MR_MEM },          /* MOVLPD */
	{ 0x0116, PFX_66, MR_MEM },          /* MOVHPD */
	{ 0x0178, PFX_66 | PFX_F2, MR_REG }, /* EXTRQ/INSERTQ imm */
	{ 0x0179, PFX_66 | PFX_F2, MR_REG }, /* EXTRQ/INSERTQ xmm */
	{ 0x01d6, PFX_F3 | PFX_F2, MR_REG }, /* MOVQ2DQ/MOVDQ2Q */
	{ 0x022a, ALLP, MR_MEM },            /* MOVNTDQA */
	{ 0x0280, ALLP, MR_MEM },            /* INVEPT */
	{ 0x0281, ALLP, MR_MEM },            /* INVVPID */
	{ 0x0282, ALLP, MR_MEM },            /* INVPCID */
	{ 0x02d8, PFX_F3, MR_MEM },          /* AESENCWIDE128KL.. */
	/* F3 0F 38 DC: AESENC128KL (memory) or LOADIWKEY (register) */
	{ 0x02dd, PFX_F3, MR_MEM },          /* AESDEC128KL */
	{ 0x02de, PFX_F3, MR_MEM },          /* AESENC256KL */
	{ 0x02df, PFX_F3, MR_MEM },          /* AESDEC256KL */
	{ 0x02f0, PFX_NP | PFX_66, MR_MEM }, /* MOVBE (F2: CRC32) */
	{ 0x02f1, PFX_NP | PFX_66, MR_MEM }, /* MOVBE (F2: CRC32) */
	{ 0x02f5, PFX_66, MR_MEM },          /* WRUSS */
	{ 0x02f6, PFX_NP, MR_MEM },          /* WRSS (66/F3: ADCX/ADOX) */
	{ 0x02f8, ALLP, MR_MEM },            /* MOVDIR64B, ENQCMD(S) */
	{ 0x02f9, ALLP, MR_MEM },            /* MOVDIRI */
	{ 0x02fa, ALLP, MR_REG },            /* ENCODEKEY128 */
	{ 0x02fb, ALLP, MR_REG },            /* ENCODEKEY256 */
	{ 0x02fc, ALLP, MR_MEM },            /* AADD/AAND/AXOR/AOR */
	{ 0x03f0, ALLP, MR_C0 },             /* HRESET: F3 0F 3A F0 C0 ib */
};

const struct insn_modrule *insn_modrule_find(unsigned key, unsigned pfx)
{
	for (size_t i = 0; i < ARRAY_SIZE(insn_modrules); i++)
		if (insn_modrules[i].key == key && (insn_modrules[i].pfx & pfx))
			return &insn_modrules[i];
	return NULL;
}

/* SDM Tables A-8 (D8) .. A-22 (DF) register forms; blank cells (e.g. the
 * undocumented FSTP1/FXCH4 aliases) are undefined. DF C0-C7 is FFREEP,
 * documented by AMD (APM vol. 5). */
const uint64_t insn_x87_reg[8] = {
	0xffffffffffffffffull, /* D8: all */
	0xffff7f330001ffffull, /* D9: C0-D0, E0-E1, E4-E5, E8-EE, F0-FF */
	0x00000200ffffffffull, /* DA: C0-DF, E9 */
	0x00ffff0cffffffffull, /* DB: C0-DF, E2-E3, E8-F7 */
	0xffffffff0000ffffull, /* DC: C0-CF, E0-FF */
	0x0000ffffffff00ffull, /* DD: C0-C7, D0-EF */
	0xffffffff0200ffffull, /* DE: C0-CF, D9, E0-FF */
	0x00ffff01000000ffull, /* DF: C0-C7, E0, E8-F7 */
};

int insn_opset_find(const struct insn_opset *s, uint8_t op)
{
	for (size_t i = 0; i < s->n; i++)
		if (op >= s->r[i].lo && op <= s->r[i].hi)
			return s->r[i].pfx;
	return -1;
}

#define OPSET(name, ...)                                                      \
	static const struct insn_range name##_r[] = { __VA_ARGS__ };          \
	const struct insn_opset name = { name##_r, ARRAY_SIZE(name##_r) }

#define NP PFX_NP
#define P66 PFX_66
#define F3 PFX_F3
#define F2 PFX_F2

/*
 * 0F 38 xx without VEX/EVEX (SDM Table A-4), with their mandatory-prefix
 * columns: SSSE3 (NP: MMX, 66: XMM), SSE4.1/4.2 (66), INVEPT/INVVPID/
 * INVPCID (66 80-82), SHA (NP C8-CD), GF2P8MULB (66 CF), AES (66 DB-DF),
 * Key Locker (F3 D8, DC-DF, FA, FB), MOVBE (NP/66) / CRC32 (F2) F0-F1,
 * WRUSS (66 F5), WRSS/ADCX/ADOX (F6), MOVDIR64B/ENQCMDS/ENQCMD (F8),
 * MOVDIRI (F9), RAO-INT AADD/AAND/AXOR/AOR (FC). All take ModRM, no imm.
 */
OPSET(insn_set_0f38,
      { 0x00, 0x0b, NP | P66 }, { 0x10, 0x10, P66 }, { 0x14, 0x15, P66 },
      { 0x17, 0x17, P66 }, { 0x1c, 0x1e, NP | P66 }, { 0x20, 0x25, P66 },
      { 0x28, 0x2b, P66 }, { 0x30, 0x35, P66 }, { 0x37, 0x41, P66 },
      { 0x80, 0x82, P66 }, { 0xc8, 0xcd, NP }, { 0xcf, 0xcf, P66 },
      { 0xd8, 0xd8, F3 }, { 0xdb, 0xdb, P66 }, { 0xdc, 0xdf, P66 | F3 },
      { 0xf0, 0xf1, NP | P66 | F2 }, { 0xf5, 0xf5, P66 },
      { 0xf6, 0xf6, NP | P66 | F3 }, { 0xf8, 0xf8, P66 | F3 | F2 },
      { 0xf9, 0xf9, NP }, { 0xfa, 0xfb, F3 }, { 0xfc, 0xfc, NP | P66 | F3 | F2 });

/*
 * 0F 3A xx without VEX/EVEX (SDM Table A-5): SSE4.1 ROUNDxx, BLENDxx
 * (66 08-0E), PALIGNR (NP/66 0F), PEXTRx, EXTRACTPS (14-17), PINSRx,
 * INSERTPS (20-22), DPPS/DPPD/MPSADBW (40-42), PCLMULQDQ (44), PCMPESTRx/
 * PCMPISTRx (60-63), SHA1RNDS4 (NP CC), GF2P8AFFINE* (CE, CF),
 * AESKEYGENASSIST (DF), HRESET (F3 F0). All take ModRM and imm8.
 */
OPSET(insn_set_0f3a,
      { 0x08, 0x0e, P66 }, { 0x0f, 0x0f, NP | P66 }, { 0x14, 0x17, P66 },
      { 0x20, 0x22, P66 }, { 0x40, 0x42, P66 }, { 0x44, 0x44, P66 },
      { 0x60, 0x63, P66 }, { 0xcc, 0xcc, NP }, { 0xce, 0xcf, P66 },
      { 0xdf, 0xdf, P66 }, { 0xf0, 0xf0, F3 });

/* 3DNow! suffix opcodes (0F 0F modrm suffix), AMD APM vol. 3, Appendix A. */
OPSET(insn_set_3dnow,
      { 0x0c, 0x0d, 0 }, { 0x1c, 0x1d, 0 }, { 0x8a, 0x8a, 0 }, { 0x8e, 0x8e, 0 },
      { 0x90, 0x90, 0 }, { 0x94, 0x94, 0 }, { 0x96, 0x97, 0 }, { 0x9a, 0x9a, 0 },
      { 0x9e, 0x9e, 0 }, { 0xa0, 0xa0, 0 }, { 0xa4, 0xa4, 0 }, { 0xa6, 0xa7, 0 },
      { 0xaa, 0xaa, 0 }, { 0xae, 0xae, 0 }, { 0xb0, 0xb0, 0 }, { 0xb4, 0xb4, 0 },
      { 0xb6, 0xb7, 0 }, { 0xbb, 0xbb, 0 }, { 0xbf, 0xbf, 0 });
