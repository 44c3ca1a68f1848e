/*
 * The extended state a guest is started with (README "extended state": each guest starts
 * from the architectural init state of every component). The hypervisor and the firmware
 * use these registers before the guest runs; the product puts each one back into its
 * init state (hv/xstate.c, xstate_guest_start). Checked here before the guest touches
 * any of them, in 64-bit mode so that every register is covered:
 *  - FNSTCW/FNSTSW/STMXCSR: FCW 0x37F, FSW 0, MXCSR 0x1F80 (SDM vol. 1 13.6: the init
 *    configuration of x87 and SSE state; also what FNINIT and a reset give MXCSR);
 *  - XSAVE (standard format) and, where the CPU has it, XSAVEC (compacted format) of
 *    every permitted component: each component whose XSTATE_BV bit says "in use" must
 *    hold its init values: x87 FCW 0x37F, FSW 0, abridged FTW 0 (all empty), FOP, FIP,
 *    FDP and ST0-7 zero; XMM0-15 zero; every other user component (YMM_Hi128, MPX,
 *    opmask, ZMM_Hi256, Hi16_ZMM, PKRU) all zeros (SDM vol. 1 13.6). A component whose
 *    bit is 0 is in its init state by definition (XINUSE[i] = 0, SDM vol. 1 13.6).
 *    XINUSE may be 1 for a component in its init state, so the values decide.
 */
#include "cpu.h"
#include "printf.h"
#include "report.h"
#include "string.h"
#include "xstate.h"

#define PROBE_XSAVEC 1u
#define PROBE_XGETBV1 2u
#define PROBE_SIZE 8192u
#define FILL 0xa5 /* what a component the CPU did not write still holds */

extern uint8_t xs_probe_std[PROBE_SIZE], xs_probe_cmp[PROBE_SIZE];
extern uint32_t xs_probe_in[2];
extern struct __attribute__((packed)) probe_out {
	uint16_t fcw, fsw;
	uint32_t mxcsr;
	uint64_t xinuse;
} xs_probe_out;
_Static_assert(sizeof(struct probe_out) == 16, "init_probe.asm layout");
void xs_probe64(void);

static const char *const comp_name[] = { "x87", "SSE", "AVX (YMM_Hi128)", "MPX BNDREGS",
					 "MPX BNDCSR", "AVX-512 opmask", "AVX-512 ZMM_Hi256",
					 "AVX-512 Hi16_ZMM", "PT", "PKRU" };

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Offset of the first non-zero byte in [off, off + n), or -1. */
static int32_t nonzero_at(const uint8_t *img, uint32_t off, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (img[off + i])
			return (int32_t)(off + i);
	return -1;
}

static void comp_check(const char *fmt, uint32_t comp, int32_t bad_at)
{
	if (bad_at >= 0)
		printf("xstate: %s image: %s not in its init state (byte 0x%x of the image)\n", fmt,
		       comp_name[comp], (uint32_t)bad_at);
	check(bad_at < 0, "XSAVE image: every component in use holds its init values");
}

/* x87 in the legacy region: FCW, FSW, abridged FTW, FOP/FIP/FDP (bytes 6-23), ST0-7. */
static int32_t x87_bad_at(const uint8_t *img)
{
	if (rd16(img) != 0x37f)
		return 0;
	if (rd16(img + 2) != 0)
		return 2;
	if (img[4] != 0)
		return 4;
	int32_t at = nonzero_at(img, 6, 18);
	for (uint32_t i = 0; i < 8 && at < 0; i++)
		at = nonzero_at(img, 32 + 16 * i, 10); /* bytes 10-15 of each slot are reserved */
	return at;
}

/* One XSAVE image of the components in `mask`: offsets from CPUID leaf 0xD (standard) or
 * packed in component order, 64-byte aligned where ECX[1] says so (compacted, SDM vol. 1
 * 13.4.3). Returns XSTATE_BV. */
static uint64_t check_image(const uint8_t *img, uint32_t mask, bool compacted)
{
	const char *fmt = compacted ? "compacted" : "standard";
	uint64_t bv = rd64(img + 512), comp_bv = rd64(img + 520);
	check_eq(bv & ~(uint64_t)mask, 0, "XSAVE image: XSTATE_BV within the requested components");
	if (compacted)
		check_eq(comp_bv, mask | 1ull << 63, "compacted image: XCOMP_BV = RFBM | bit 63");
	if (bv & XC_X87)
		comp_check(fmt, 0, x87_bad_at(img));
	/* Standard XSAVE stores MXCSR whenever SSE or AVX is requested (SDM vol. 1 13.7). */
	if (!compacted || (bv & XC_SSE))
		check_eq(rd32(img + 24), 0x1f80, compacted ? "compacted image: MXCSR 0x1F80"
							   : "standard image: MXCSR 0x1F80");
	if (bv & XC_SSE)
		comp_check(fmt, 1, nonzero_at(img, 160, 256));
	uint32_t off = 576;
	for (uint32_t i = 2; i < 32; i++) {
		if (!(mask & (1u << i)))
			continue;
		struct cpuid_regs c = cpuid(0xd, i);
		if (compacted && (c.ecx & 2))
			off = (off + 63) & ~63u;
		uint32_t at = compacted ? off : c.ebx;
		off += c.eax;
		if (!check(at + c.eax <= PROBE_SIZE, "XSAVE image fits the probe buffer"))
			break;
		/* BNDCSR: BNDCFGU and BNDSTATUS in bytes 15:0; PKRU: bytes 3:0 (SDM vol. 1
		 * 13.5.4, 13.5.7). The rest of those sections is not defined to be written. */
		uint32_t defined = i == 4 ? 16 : i == 9 ? 4 : c.eax;
		if (bv & (1u << i))
			comp_check(fmt, i < 10 ? i : 8, nonzero_at(img, at, defined));
	}
	return bv;
}

void check_init_state(uint32_t mask, bool compacted)
{
	struct cpuid_regs d1 = cpuid(0xd, 1);
	group_begin("init state");
	check(cpuid(0xd, 0).ebx <= PROBE_SIZE, "XSAVE area size fits the probe buffer");
	memset(xs_probe_std, FILL, PROBE_SIZE);
	memset(xs_probe_cmp, FILL, PROBE_SIZE);
	memset(xs_probe_std + 512, 0, 64); /* XSAVE writes only XSTATE_BV of the header */
	/* QEMU 7.2's XSAVE leaves FOP (bytes 7:6) unwritten: start it at its init value, so only
	 * a wrong value written there fails. */
	memset(xs_probe_std + 6, 0, 2);
	memset(xs_probe_cmp + 6, 0, 2);
	xs_probe_in[0] = mask;
	xs_probe_in[1] = (compacted ? PROBE_XSAVEC : 0) | (d1.eax & 4 ? PROBE_XGETBV1 : 0);
	call64(xs_probe64);

	check_eq(xs_probe_out.fcw, 0x37f, "FNSTCW: FCW 0x37F");
	check_eq(xs_probe_out.fsw, 0, "FNSTSW: FSW 0");
	check_eq(xs_probe_out.mxcsr, 0x1f80, "STMXCSR: MXCSR 0x1F80");
	uint64_t bv = check_image(xs_probe_std, mask, false);
	uint64_t cbv = compacted ? check_image(xs_probe_cmp, mask, true) : 0;
	printf("xstate: start state of 0x%x: FCW 0x%x FSW 0x%x MXCSR 0x%x, standard XSTATE_BV 0x%llx",
	       mask, xs_probe_out.fcw, xs_probe_out.fsw, xs_probe_out.mxcsr, (unsigned long long)bv);
	if (compacted)
		printf(", compacted XSTATE_BV 0x%llx", (unsigned long long)cbv);
	if (d1.eax & 4)
		printf(", XINUSE 0x%llx", (unsigned long long)xs_probe_out.xinuse);
	printf("\n");
	group_end();
}
