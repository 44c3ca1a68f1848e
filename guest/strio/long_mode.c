/* The 64-bit half of the strio guest: identity paging, long mode, and the string I/O in
 * run64.asm, whose register results are checked here. */
#include "strio.h"
#include "cpu.h"
#include "long_mode.h"
#include "msr.h"
#include "string.h"

void run64(void);
extern uint64_t lm_out[10];
extern uint8_t lm_in[16];
extern char lm_fs[], lm_rev[];
extern uint16_t lm_gs_words[64];
extern uint32_t lm_gs_count;

void long_mode_checks(void)
{
	static const char gs_text[] = "strio: 64-bit gs rep outsw line\n";
	lm_gs_count = sizeof(gs_text) - 1;
	for (uint32_t i = 0; i < lm_gs_count; i++)
		lm_gs_words[i] = (uint8_t)gs_text[i];
	long_mode_enter();
	/* The bases FS and GS have in 64-bit mode (no selector is loaded after this). */
	wrmsr(MSR_FS_BASE, (uint32_t)lm_fs - 0x1000);
	wrmsr(MSR_GS_BASE, (uint32_t)lm_gs_words - 0x2000);
	memset(lm_in, 0x33, sizeof(lm_in));
	call64(run64);

	check_eq(lm_out[0], (uint32_t)lm_fs, "64-bit a32 rep outsb: RSI = ESI + count, upper half 0");
	check_eq(lm_out[1], 0, "64-bit a32 rep outsb: RCX 0 (upper half cleared)");
	check_eq(lm_out[2], 0x1000 + 32, "64-bit fs rep outsb: RSI is the offset, not the linear address");
	check_eq(lm_out[3], 0, "64-bit fs rep outsb: RCX 0");
	check_eq(lm_out[4], 0x2000 + 2 * lm_gs_count, "64-bit gs rep outsw: RSI advanced by 2 per word");
	check_eq(lm_out[5], 0, "64-bit gs rep outsw: RCX 0");
	check_eq(lm_out[6], (uint32_t)lm_rev - 1, "64-bit rep outsb with DF=1: RSI below the buffer");
	check_eq(lm_out[7], 0, "64-bit rep outsb with DF=1: RCX 0");
	check_eq(lm_out[8], (uint32_t)lm_in + 8, "64-bit rep insb: RDI advanced by 8");
	check(lm_in[0] == 0xff && lm_in[7] == 0xff && lm_in[8] == 0x33, "64-bit rep insb: 8 bytes of all ones");
}
