/*
 * Page faults in the middle of a REP INS/OUTS, under 32-bit paging with 4 MiB pages
 * (SDM vol. 3A 4.3) except for 4-8 MiB, mapped by 4 KiB pages:
 *   0x400000 present, writable       0x401000 not present
 *   0x402000 present, read-only      0x403000 present, writable, never touched by the guest
 * The hypervisor must stop at the page boundary with the registers showing what was done
 * and raise #PF with CR2 and the error code (4.7), and set the accessed/dirty flags it
 * would have (4.8).
 */
#include "strio.h"
#include "cpu.h"
#include "fixup.h"
#include "io.h"
#include "serial.h"

#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define PTE_A 0x20u
#define PTE_D 0x40u

static uint32_t pd[1024] __attribute__((aligned(4096)));
static uint32_t pt[1024] __attribute__((aligned(4096)));

static void paging_on(void)
{
	for (uint32_t i = 0; i < 1024; i++)
		pd[i] = (i << 22) | 0x83; /* 4 MiB, present, writable */
	for (uint32_t i = 0; i < 1024; i++)
		pt[i] = (0x400000 + i * 4096) | 3;
	pt[1] = 0;
	pt[2] = 0x402000 | 1;
	pd[1] = (uint32_t)pt | 3;
	__asm__ volatile("mov %%cr4, %%eax; or %0, %%eax; mov %%eax, %%cr4" : : "i"(CR4_PSE) : "eax");
	__asm__ volatile("mov %0, %%cr3" : : "r"(pd) : "memory");
	__asm__ volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0"
			 : : "i"(CR0_PG | CR0_WP) : "eax", "memory");
}

static void paging_off(void)
{
	__asm__ volatile("mov %%cr0, %%eax; and %0, %%eax; mov %%eax, %%cr0"
			 : : "i"(~(CR0_PG | CR0_WP)) : "eax", "memory");
	__asm__ volatile("mov %%cr4, %%eax; and %0, %%eax; mov %%eax, %%cr4" : : "i"(~CR4_PSE) : "eax");
}

void paging_checks(void)
{
	paging_on();
	uint8_t *page0 = (uint8_t *)0x400000;
	for (unsigned i = 0; i < 16; i++)
		page0[0xff0 + i] = (uint8_t)(0xa0 + i);

	/* REP OUTSB from 16 bytes before the missing page, 32 bytes long. */
	uint32_t si = 0x400ff0, cx = 32;
	fixup_arm();
	__asm__ volatile("1: rep outsb\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+S"(si), "+c"(cx) : "d"(COM1_BASE + UART_SCR) : "memory");
	uint32_t vec = fixup_take();
	check_eq(vec, 14, "rep outsb into a missing page: #PF");
	check_eq(fixup_error_code(), 0, "rep outsb #PF: error code 0 (supervisor read, not present)");
	check_eq(read_cr2(), 0x401000, "rep outsb #PF: CR2 is the first byte of the missing page");
	check_eq(si, 0x401000, "rep outsb #PF: ESI stopped at the page boundary");
	check_eq(cx, 16, "rep outsb #PF: ECX counts the 16 elements not done");
	check_eq(inb(COM1_BASE + UART_SCR), 0xaf, "rep outsb #PF: the 16 bytes before it went out");

	/* REP INSB into a read-only page with CR0.WP = 1: #PF(P|W), nothing done. */
	uint32_t di = 0x402000;
	cx = 4;
	uint8_t before = *(volatile uint8_t *)0x402000;
	fixup_arm();
	__asm__ volatile("1: rep insb\n2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+D"(di), "+c"(cx) : "d"(NO_DEVICE) : "memory");
	vec = fixup_take();
	check_eq(vec, 14, "rep insb into a read-only page: #PF");
	check_eq(fixup_error_code(), 3, "rep insb #PF: error code P|W");
	check_eq(read_cr2(), 0x402000, "rep insb #PF: CR2");
	check(di == 0x402000 && cx == 4, "rep insb #PF: EDI and ECX unchanged");
	check_eq(*(volatile uint8_t *)0x402000, before, "rep insb #PF: the page is unchanged");

	/* INS into a page the guest never touched: the walk sets its accessed and dirty flags. */
	check_eq(pt[3] & (PTE_A | PTE_D), 0, "untouched page: A and D clear");
	di = 0x403000;
	cx = 2;
	__asm__ volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(NO_DEVICE) : "memory");
	check_eq(pt[3] & (PTE_A | PTE_D), PTE_A | PTE_D, "rep insb sets the page's A and D flags");
	check_eq(*(volatile uint16_t *)0x403000, 0xffff, "rep insb through paging: data written");
	paging_off();
}
