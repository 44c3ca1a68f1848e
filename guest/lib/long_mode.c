/* The GDT and identity page tables of guest/lib/long_mode.h. */
#include "long_mode.h"
#include "guest.h"

void long_mode_switch(uint32_t pml4);

static const uint64_t gdt64[] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
				  0x00af9b000000ffffull };
struct __attribute__((packed)) {
	uint16_t limit;
	uint32_t base;
} long_mode_gdt_desc = { sizeof(gdt64) - 1, (uint32_t)gdt64 };

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[512] __attribute__((aligned(4096)));

void long_mode_enter(void)
{
	for (int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83; /* 2 MiB, present, writable */
	pdpt[0] = (uint32_t)pd | 0x3;
	pml4[0] = (uint32_t)pdpt | 0x3;
	long_mode_switch((uint32_t)pml4);
}
