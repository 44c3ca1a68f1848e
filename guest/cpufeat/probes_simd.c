/*
 * SIMD instructions, one per feature (probe_simd, arg = enum simd): MMX, SSE*, AES, SHA,
 * AVX, AVX2, FMA, AVX-512 and AMD's XOP/FMA4/SSE4A/3DNow!. The baseline (probes_sys.c) has
 * enabled every XCR0 component CPUID shows, so each instruction must simply execute.
 * Register operands only (32-bit mode: xmm/ymm/zmm 0-7), except where noted.
 */
#include "cpufeat.h"

#define RUN(text)                                     \
	do {                                          \
		step(text);                           \
		__asm__ volatile(text ::: "memory");  \
	} while (0)

static uint8_t mem[512] __attribute__((aligned(64))); /* FXSAVE needs 512 bytes */

void probe_simd(const struct feat *f)
{
	switch ((enum simd)f->arg) {
	case S_MMX:
		RUN("movd %%eax, %%mm0; paddd %%mm0, %%mm1; emms");
		break;
	case S_MMXEXT:
		RUN("pminub %%mm1, %%mm0; pshufw $0x1b, %%mm1, %%mm0; emms");
		break;
	case S_3DNOW:
		RUN("femms; pfadd %%mm1, %%mm0; femms");
		break;
	case S_3DNOWEXT:
		RUN("pswapd %%mm1, %%mm0; pf2iw %%mm1, %%mm0; femms");
		break;
	case S_FXSR:
		step("fxsave; fxrstor");
		__asm__ volatile("fxsave %0; fxrstor %0" : "+m"(*(uint8_t(*)[512])mem) : : "memory");
		break;
	case S_SSE:
		step("xorps; addps; stmxcsr; ldmxcsr");
		__asm__ volatile("xorps %%xmm0, %%xmm0; addps %%xmm1, %%xmm0; stmxcsr %0; ldmxcsr %0"
				 : "+m"(*(uint32_t *)mem) : : "memory");
		break;
	case S_SSE2:
		RUN("paddq %%xmm1, %%xmm0; addpd %%xmm1, %%xmm0; pause");
		break;
	case S_SSE3:
		RUN("haddps %%xmm1, %%xmm0; movddup %%xmm1, %%xmm0");
		break;
	case S_SSSE3:
		RUN("pshufb %%xmm1, %%xmm0; palignr $3, %%xmm1, %%xmm0");
		break;
	case S_SSE41:
		RUN("pminud %%xmm1, %%xmm0; ptest %%xmm1, %%xmm0; roundps $0, %%xmm1, %%xmm0");
		break;
	case S_SSE42:
		RUN("crc32l %%eax, %%ecx; pcmpistri $0, %%xmm1, %%xmm0");
		break;
	case S_SSE4A:
		RUN("extrq $4, $0, %%xmm1; insertq $4, $0, %%xmm1, %%xmm0");
		break;
	case S_MISALIGNSSE: {
		/* MXCSR.MM (bit 17): legacy SSE memory operands may be misaligned. */
		uint32_t mxcsr;
		step("stmxcsr; ldmxcsr with MM; addps from a misaligned address");
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		uint32_t mm = mxcsr | 1u << 17;
		__asm__ volatile("ldmxcsr %0; addps %1, %%xmm0; ldmxcsr %2"
				 : : "m"(mm), "m"(*(uint8_t(*)[16])(mem + 4)), "m"(mxcsr) : "memory");
		break;
	}
	case S_PCLMUL:
		RUN("pclmulqdq $0, %%xmm1, %%xmm0");
		break;
	case S_AES:
		RUN("aesenc %%xmm1, %%xmm0; aesdec %%xmm1, %%xmm0; aeskeygenassist $1, %%xmm1, %%xmm0");
		break;
	case S_SHA:
		RUN("sha1msg1 %%xmm1, %%xmm2; sha256msg1 %%xmm1, %%xmm2; sha1rnds4 $0, %%xmm1, %%xmm2");
		break;
	case S_GFNI:
		RUN("gf2p8mulb %%xmm1, %%xmm0; gf2p8affineqb $0, %%xmm1, %%xmm0");
		break;
	case S_AVX:
		RUN("vaddps %%ymm1, %%ymm2, %%ymm3; vxorps %%ymm0, %%ymm0, %%ymm0; vzeroupper");
		break;
	case S_AVX2:
		RUN("vpaddd %%ymm1, %%ymm2, %%ymm3; vpermq $0x1b, %%ymm1, %%ymm2; vzeroupper");
		break;
	case S_FMA:
		RUN("vfmadd231ps %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_FMA4:
		RUN("vfmaddps %%xmm1, %%xmm2, %%xmm3, %%xmm4");
		break;
	case S_XOP:
		RUN("vprotd %%xmm1, %%xmm2, %%xmm3; vpcmov %%xmm1, %%xmm2, %%xmm3, %%xmm4");
		break;
	case S_F16C:
		RUN("vcvtph2ps %%xmm1, %%ymm2; vcvtps2ph $0, %%ymm2, %%xmm1");
		break;
	case S_VAES:
		RUN("vaesenc %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_VPCLMUL:
		RUN("vpclmulqdq $0, %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_AVX_VNNI:
		RUN("%{vex%} vpdpbusd %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_AVX_IFMA:
		RUN("%{vex%} vpmadd52luq %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_AVX_VNNI_INT8:
		RUN("vpdpbssd %%ymm1, %%ymm2, %%ymm3");
		break;
	case S_AVX_NE_CONVERT:
		RUN("%{vex%} vcvtneps2bf16 %%ymm1, %%xmm2");
		break;
	case S_AVX512F:
		RUN("vpaddd %%zmm1, %%zmm2, %%zmm3; kmovw %%k1, %%eax; vzeroupper");
		break;
	case S_AVX512DQ:
		RUN("vpmullq %%zmm1, %%zmm2, %%zmm3; kmovb %%k1, %%eax");
		break;
	case S_AVX512BW:
		RUN("vpaddb %%zmm1, %%zmm2, %%zmm3; kmovd %%k1, %%eax");
		break;
	case S_AVX512VL:
		RUN("vpaddd %%ymm1, %%ymm2, %%ymm3%{%%k1%}; vpaddd %%xmm1, %%xmm2, %%xmm3%{%%k1%}");
		break;
	case S_AVX512CD:
		RUN("vpconflictd %%zmm1, %%zmm2");
		break;
	case S_AVX512IFMA:
		RUN("vpmadd52luq %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512VBMI:
		RUN("vpermb %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512VBMI2:
		RUN("vpshldd $1, %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512VNNI:
		RUN("vpdpbusd %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512BITALG:
		RUN("vpopcntb %%zmm1, %%zmm2");
		break;
	case S_AVX512VPOPCNTDQ:
		RUN("vpopcntd %%zmm1, %%zmm2");
		break;
	case S_AVX512BF16:
		RUN("vcvtne2ps2bf16 %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512FP16:
		RUN("vaddph %%zmm1, %%zmm2, %%zmm3");
		break;
	case S_AVX512VP2INTERSECT:
		RUN("vp2intersectd %%zmm1, %%zmm2, %%k2");
		break;
	case S_AVX512ER:
		RUN("vrcp28ps %%zmm1, %%zmm2");
		break;
	case S_AVX512PF:
		step("kxnorw; vgatherpf0dps");
		__asm__ volatile("vpxord %%zmm1, %%zmm1, %%zmm1; kxnorw %%k1, %%k1, %%k1;"
				 "vgatherpf0dps (%0, %%zmm1, 4)%{%%k1%}" : : "r"(mem) : "memory");
		break;
	case S_AVX512_4VNNIW:
		step("vp4dpwssd");
		__asm__ volatile("vp4dpwssd %0, %%zmm4, %%zmm1" : : "m"(*(uint8_t(*)[16])mem) : "memory");
		break;
	case S_AVX512_4FMAPS:
		step("v4fmaddps");
		__asm__ volatile("v4fmaddps %0, %%zmm4, %%zmm1" : : "m"(*(uint8_t(*)[16])mem) : "memory");
		break;
	}
}
