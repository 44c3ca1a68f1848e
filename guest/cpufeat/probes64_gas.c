/*
 * 64-bit probes for instruction sets newer than what NASM 2.16 assembles: AMX (Intel SDM
 * vol. 1 ch. 18; the tile instructions exist only in 64-bit mode), CMPccXADD, RAO-INT and
 * PREFETCHI. Written as GNU as .code64 text; long_mode.asm's probe table calls them in
 * 64-bit mode like its own probes (faults resume in run64, a wrong result jumps to
 * probe_wrong64). No emulator here has any of these: they are for real hardware.
 */
#include "cpufeat.h"

/* LDTILECFG's 64-byte operand: palette 1, tiles 0-2 of 16 rows x 64 bytes. */
struct tile_config {
	uint8_t palette, start_row, reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
};
_Static_assert(sizeof(struct tile_config) == 64, "LDTILECFG reads 64 bytes");

__attribute__((aligned(64), used)) struct tile_config amx_config = {
	.palette = 1,
	.colsb = { 64, 64, 64 },
	.rows = { 16, 16, 16 },
};
/* TILELOADD reads 16 rows of 64 bytes from here. */
__attribute__((aligned(64), used)) uint32_t p64_scratch[256];

__asm__(".pushsection .text\n"
	".code64\n"
	/* AMX-TILE: configure, zero, store and release tiles. */
	".globl p64_amx_tile\n"
	"p64_amx_tile:\n"
	"	mov $amx_config, %edx\n"
	"	ldtilecfg (%rdx)\n"
	"	tilezero %tmm0\n"
	"	mov $64, %eax\n"
	"	mov $p64_scratch, %ecx\n"
	"	tileloadd (%rcx,%rax,1), %tmm1\n"
	"	tilerelease\n"
	"	ret\n"
	/* AMX-INT8, AMX-BF16, AMX-FP16: one dot product each on zeroed tiles. */
	".globl p64_amx_int8, p64_amx_bf16, p64_amx_fp16\n"
	"p64_amx_int8:\n"
	"	call amx_zero\n"
	"	tdpbssd %tmm2, %tmm1, %tmm0\n"
	"	tilerelease\n"
	"	ret\n"
	"p64_amx_bf16:\n"
	"	call amx_zero\n"
	"	tdpbf16ps %tmm2, %tmm1, %tmm0\n"
	"	tilerelease\n"
	"	ret\n"
	"p64_amx_fp16:\n"
	"	call amx_zero\n"
	"	tdpfp16ps %tmm2, %tmm1, %tmm0\n"
	"	tilerelease\n"
	"	ret\n"
	"amx_zero:\n"
	"	mov $amx_config, %edx\n"
	"	ldtilecfg (%rdx)\n"
	"	tilezero %tmm0\n"
	"	tilezero %tmm1\n"
	"	tilezero %tmm2\n"
	"	ret\n"
	/* CMPCCXADD: [mem] = 5 <= 7 (below or equal), so 5 + 2 is stored; EAX gets the old 5. */
	".globl p64_cmpccxadd\n"
	"p64_cmpccxadd:\n"
	"	mov $p64_scratch, %ecx\n"
	"	movl $5, (%rcx)\n"
	"	mov $7, %eax\n"
	"	mov $2, %ebx\n"
	"	cmpbexadd %ebx, %eax, (%rcx)\n"
	"	cmpl $7, (%rcx)\n"
	"	jne probe_wrong64\n"
	"	ret\n"
	/* RAO-INT: AADD to memory. */
	".globl p64_rao_int\n"
	"p64_rao_int:\n"
	"	mov $p64_scratch, %ecx\n"
	"	movl $1, (%rcx)\n"
	"	mov $2, %eax\n"
	"	aadd %eax, (%rcx)\n"
	"	cmpl $3, (%rcx)\n"
	"	jne probe_wrong64\n"
	"	ret\n"
	/* PREFETCHI: RIP-relative code prefetch hints. */
	".globl p64_prefetchi\n"
	"p64_prefetchi:\n"
	"	prefetchit0 p64_prefetchi(%rip)\n"
	"	prefetchit1 p64_prefetchi(%rip)\n"
	"	ret\n"
	".code32\n"
	".popsection\n");
