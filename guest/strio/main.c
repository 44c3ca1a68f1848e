/*
 * strio: string port I/O (INS/OUTS, with and without REP) on the hypervisor's emulated
 * ports: text to COM1 with OUTSB/OUTSW, REP, DF = 1, 16-bit addressing in 32-bit code
 * and 32-bit addressing in 64-bit code (0x67), FS/GS overrides in 64-bit mode, INS
 * from ports with no device and from the UART, REP with a zero count, a REP longer than
 * the hypervisor's per-exit chunk, and page faults in the middle of a string
 * (paging_checks.c). Every text line it sends by string I/O is checked by the emulator
 * test (tests/emu: strio); the register results are checked here.
 */
#include "strio.h"
#include "io.h"
#include "printf.h"
#include "serial.h"
#include "string.h"

const char guest_name[] = "strio";


struct str_regs {
	uint32_t si, di, cx;
};

static struct str_regs rep_outsb(uint16_t port, const void *src, uint32_t n)
{
	struct str_regs r = { (uint32_t)src, 0, n };
	__asm__ volatile("rep outsb" : "+S"(r.si), "+c"(r.cx) : "d"(port) : "memory");
	return r;
}

static struct str_regs rep_insb(uint16_t port, void *dst, uint32_t n)
{
	struct str_regs r = { 0, (uint32_t)dst, n };
	__asm__ volatile("rep insb" : "+D"(r.di), "+c"(r.cx) : "d"(port) : "memory");
	return r;
}

static void outsb_lines(void)
{
	static const char line[] = "strio: rep outsb line\n";
	uint32_t n = sizeof(line) - 1;
	struct str_regs r = rep_outsb(COM1_BASE, line, n);
	check_eq(r.si, (uint32_t)line + n, "rep outsb: ESI advanced by the count");
	check_eq(r.cx, 0, "rep outsb: ECX counted down to 0");

	/* OUTSW to COM1: the low byte of each word goes to THR, the high one (0) to IER. */
	static const char text[] = "strio: outsw line\n";
	static uint16_t words[sizeof(text) - 1];
	for (uint32_t i = 0; i < sizeof(text) - 1; i++)
		words[i] = (uint8_t)text[i];
	uint32_t si = (uint32_t)words;
	for (uint32_t i = 0; i < sizeof(text) - 1; i++)
		__asm__ volatile("outsw" : "+S"(si) : "d"(COM1_BASE) : "memory");
	check_eq(si, (uint32_t)words + sizeof(words), "outsw: ESI advanced by 2 per word");

	/* DF = 1: the buffer reversed, from its last byte down. */
	static const char rev[] = "\nenil 1=fd bstuo per :oirts";
	n = sizeof(rev) - 1;
	r = (struct str_regs){ (uint32_t)rev + n - 1, 0, n };
	__asm__ volatile("std; rep outsb; cld" : "+S"(r.si), "+c"(r.cx) : "d"(COM1_BASE) : "memory");
	check_eq(r.si, (uint32_t)rev - 1, "rep outsb with DF=1: ESI stepped down past the buffer");
	check_eq(r.cx, 0, "rep outsb with DF=1: ECX 0");

	/* 16-bit addressing in 32-bit code (0x67): SI and CX only, the upper halves kept. The
	 * text must lie below 64 KiB: guest-physical 0x8000 (ordinary RAM, unused here). */
	static const char a16[] = "strio: a16 rep outsb line\n";
	n = sizeof(a16) - 1;
	memcpy((void *)0x8000, a16, n);
	r = (struct str_regs){ 0xabcd8000u, 0, 0x12340000u | n };
	__asm__ volatile("addr16 rep outsb" : "+S"(r.si), "+c"(r.cx) : "d"(COM1_BASE) : "memory");
	check_eq(r.si, 0xabcd8000u + n, "a16 rep outsb: SI advanced, ESI[31:16] kept");
	check_eq(r.cx, 0x12340000u, "a16 rep outsb: CX 0, ECX[31:16] kept");
}

static void ins_checks(void)
{
	static uint8_t buf[16];
	memset(buf, 0x11, sizeof(buf));
	struct str_regs r = rep_insb(NO_DEVICE, buf, 4);
	check(buf[0] == 0xff && buf[3] == 0xff && buf[4] == 0x11, "rep insb from no device: 4 bytes of all ones");
	check_eq(r.di, (uint32_t)buf + 4, "rep insb: EDI advanced by the count");
	check_eq(r.cx, 0, "rep insb: ECX 0");

	uint32_t di = (uint32_t)buf + 8;
	__asm__ volatile("insw" : "+D"(di) : "d"(NO_DEVICE) : "memory");
	check(buf[8] == 0xff && buf[9] == 0xff && buf[10] == 0x11, "insw from no device: 0xFFFF");
	check_eq(di, (uint32_t)buf + 10, "insw: EDI advanced by 2");

	__asm__ volatile("insb" : "+D"(di) : "d"(COM1_BASE + UART_LSR) : "memory");
	check_eq(buf[10] & 0x60, 0x60, "insb from the UART's LSR: transmitter empty");

	outb(COM1_BASE + UART_SCR, 0x5a);
	r = rep_insb(COM1_BASE + UART_SCR, buf + 12, 3);
	check(buf[12] == 0x5a && buf[14] == 0x5a && buf[15] == 0x11, "rep insb from the UART scratch register");

	/* REP with ECX = 0: nothing moves, no register changes. */
	memset(buf, 0x22, sizeof(buf));
	r = rep_insb(NO_DEVICE, buf, 0);
	check(buf[0] == 0x22 && r.di == (uint32_t)buf && r.cx == 0, "rep insb with ECX=0: nothing written");
	static const char none[] = "strio: this must not appear\n"; /* tests/emu checks it */
	r = rep_outsb(COM1_BASE, none, 0);
	check(r.si == (uint32_t)none && r.cx == 0, "rep outsb with ECX=0: ESI unchanged");
}

/* A REP longer than the hypervisor does in one exit: it resumes the instruction. */
static void long_rep(void)
{
	static uint8_t big[1000];
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	struct str_regs r = rep_outsb(COM1_BASE + UART_SCR, big, sizeof(big));
	check_eq(inb(COM1_BASE + UART_SCR), big[sizeof(big) - 1], "rep outsb of 1000 bytes: last byte in SCR");
	check(r.si == (uint32_t)big + sizeof(big) && r.cx == 0, "rep outsb of 1000 bytes: ESI, ECX");
	memset(big, 0, sizeof(big));
	r = rep_insb(NO_DEVICE, big, sizeof(big));
	check(big[0] == 0xff && big[999] == 0xff && r.cx == 0, "rep insb of 1000 bytes");
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	printf("strio: starting\n");
	group_begin("32-bit");
	outsb_lines();
	ins_checks();
	long_rep();
	group_end();
	group_begin("paging");
	paging_checks();
	group_end();
	group_begin("64-bit");
	long_mode_checks();
	group_end();
	return report_summary() == 0 ? EXIT_PASS : EXIT_FAIL;
}
