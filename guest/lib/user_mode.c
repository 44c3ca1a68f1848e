/* CPL 3 for the test guests: the descriptor tables behind user_mode.h. */
#include "user_mode.h"
#include "printf.h"
#include "trap.h"

/* A 32-bit TSS (Intel SDM vol. 3A 7.2.1 figure 7-2): only SS0:ESP0 matter here. The I/O map
 * base lies past the limit: no I/O bitmap, so I/O at CPL 3 is #GP. */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss32) == 104, "32-bit TSS is 104 bytes");
_Static_assert(__builtin_offsetof(struct tss32, esp0) == 4, "ESP0 at offset 4");
_Static_assert(__builtin_offsetof(struct tss32, ss0) == 8, "SS0 at offset 8");
_Static_assert(__builtin_offsetof(struct tss32, iomap_base) == 102, "I/O map base at 102");

#define KERNEL_DS 0x10u
#define TSS_SEL 0x28u

static struct tss32 tss __attribute__((aligned(128)));

/* start.asm's flat kernel segments at the same selectors (0x08 code, 0x10 data), then the
 * DPL 3 ones and the TSS (vol. 3A 3.4.5, 7.2.2). Accessed bits pre-set, as in start.asm. */
static uint64_t gdt[6] __attribute__((aligned(8))) = {
	0,
	0x00CF9B000000FFFFull, /* 0x08: code, DPL 0 */
	0x00CF93000000FFFFull, /* 0x10: data, DPL 0 */
	0x00CFFB000000FFFFull, /* 0x18: code, DPL 3 (USER_CS = 0x1B) */
	0x00CFF3000000FFFFull, /* 0x20: data, DPL 3 (USER_DS = 0x23) */
	0,		       /* 0x28: the TSS, filled in at run time */
};

/* user_mode_entry.asm */
uint32_t user_mode_enter(void (*fn)(void), uint32_t eflags, uint32_t *tss_esp0);
void user_mode_return(void);

static void tables_load(void)
{
	static bool loaded;
	if (loaded)
		return;
	uint32_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;
	tss.ss0 = KERNEL_DS;
	tss.iomap_base = sizeof(tss);
	/* Present, DPL 0, type 9 (32-bit TSS, available), byte granularity. */
	gdt[TSS_SEL / 8] = (limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | 0x89ull << 40 |
			   (uint64_t)(limit >> 16 & 0xF) << 48 | (uint64_t)(base >> 24) << 56;
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(gdt) - 1, (uint32_t)gdt };
	/* The selectors in use keep their descriptors: no segment register needs reloading. */
	__asm__ volatile("lgdt %0\n\tltr %w1" : : "m"(desc), "r"(TSS_SEL) : "memory");
	trap_set_gate(USER_RETURN_VECTOR, (uint32_t)user_mode_return, 3);
	loaded = true;
}

bool user_mode_call(void (*fn)(void), uint32_t eflags)
{
	tables_load();
	uint32_t cpl = user_mode_enter(fn, eflags, &tss.esp0);
	if (cpl != 3)
		printf("%s: user mode: code meant for CPL 3 ran at CPL %u\n", guest_name, cpl);
	return cpl == 3;
}
