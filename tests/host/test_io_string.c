/* INS/OUTS emulation (hv/io_string.c) through hv_handle_exit and the fake backend. */
#include <stdlib.h>
#include <string.h>
#include "arch/x86/cpu.h"
#include "hv/guest_walk.h"
#include "hv/io_string.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

#define DF BIT(10)
#define COM1 0x3f8
#define COM1_SCR 0x3ff
#define COM1_LSR 0x3fd

static struct fake_guest *G(struct vcpu *v)
{
	return v->arch;
}

/* An INS/OUTS exit as a backend reports it: addr_size 0 / seg -1 leave them to the core. */
static struct vm_exit str_exit(uint16_t port, unsigned size, bool in, bool rep, unsigned asize,
			       int seg)
{
	struct vm_exit e = fake_exit(EXIT_IO, 2);
	e.io.port = port;
	e.io.size = (uint8_t)size;
	e.io.in = in;
	e.io.string = true;
	e.io.rep = rep;
	e.io.addr_size = (uint8_t)asize;
	e.io.seg = (int8_t)seg;
	return e;
}

static enum exit_action run(struct vcpu *v, struct vm_exit e)
{
	return hv_handle_exit(v, &e);
}

static void uart_reset(struct vcpu *v)
{
	v->uart.len = 0;
	v->uart.line[0] = 0;
}

static bool uart_has(struct vcpu *v, const char *s)
{
	return v->uart.len == strlen(s) && memcmp(v->uart.line, s, v->uart.len) == 0;
}

static void set_long_mode(struct vcpu *v)
{
	G(v)->mode.efer = EFER_LME | EFER_LMA;
	G(v)->mode.cs_bits = 64;
}

TEST(io_string_rep_outsb_to_uart_and_registers)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	memcpy(v->mem.base + 0x1000, "hello!", 6);
	v->gprs.rsi = 0x1000;
	v->gprs.rcx = 5;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 4, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "hello"));
	CHECK_EQ(v->gprs.rsi, 0x1005);
	CHECK_EQ(v->gprs.rcx, 0);
	CHECK_EQ(v->exits[EXIT_IO], 1);
	/* Without REP: one element, RCX untouched. */
	v->gprs.rcx = 77;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "hello!"));
	CHECK_EQ(v->gprs.rsi, 0x1006);
	CHECK_EQ(v->gprs.rcx, 77);
	fake_vcpu_free(v);
}

TEST(io_string_df_set_walks_down)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	memcpy(v->mem.base + 0x1000, "olleh", 5);
	G(v)->mode.rflags = DF;
	v->gprs.rsi = 0x1004;
	v->gprs.rcx = 5;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 4, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "hello"));
	CHECK_EQ(v->gprs.rsi, 0xfff);
	/* OUTSW down: words at 0x2002 then 0x2000 to the scratch register pair. */
	memcpy(v->mem.base + 0x2000, "\x11\x22\x33\x44", 4);
	v->gprs.rsi = 0x2002;
	v->gprs.rcx = 2;
	CHECK_EQ(run(v, str_exit(COM1_SCR - 1, 2, false, true, 4, SEG_DS)), ACT_SKIP);
	CHECK_EQ(v->uart.scr, 0x22); /* the high byte of the last word, 0x2211 */
	CHECK_EQ(v->gprs.rsi, 0x1ffe);
	fake_vcpu_free(v);
}

TEST(io_string_rep_count_zero_does_nothing)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	memcpy(v->mem.base + 0x1000, "x", 1);
	v->gprs.rsi = 0x1000;
	v->gprs.rcx = 0x100000000ull; /* ECX = 0 at address size 32 */
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 4, SEG_DS)), ACT_SKIP);
	CHECK_EQ(v->uart.len, 0);
	CHECK_EQ(v->gprs.rsi, 0x1000);
	CHECK_EQ(v->gprs.rcx, 0x100000000ull);
	v->gprs.rcx = 0xabcd0000ull; /* CX = 0 at address size 16 */
	v->gprs.rdi = 0x1000;
	CHECK_EQ(run(v, str_exit(0x2f8, 1, true, true, 2, -1)), ACT_SKIP);
	CHECK_EQ(v->mem.base[0x1000], 'x');
	CHECK_EQ(v->gprs.rdi, 0x1000);
	fake_vcpu_free(v);
}

TEST(io_string_address_size_16_wraps_and_keeps_upper_bits)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	G(v)->segs[SEG_DS].base = 0x10000; /* 4 GiB limit ("unreal"): SI wraps, not the limit */
	v->mem.base[0x1ffff] = 'a';
	v->mem.base[0x10000] = 'b';
	v->gprs.rsi = 0xabcdffffull;
	v->gprs.rcx = 0x55550002ull;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 2, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "ab"));
	CHECK_EQ(v->gprs.rsi, 0xabcd0001ull);
	CHECK_EQ(v->gprs.rcx, 0x55550000ull);
	fake_vcpu_free(v);
}

TEST(io_string_address_size_32_in_long_mode)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	set_long_mode(v);
	memcpy(v->mem.base + 0x1000, "abc", 3);
	v->gprs.rsi = 0xffffffff00001000ull; /* 0x67: ESI, the upper half ignored and cleared */
	v->gprs.rcx = 0xffffffff00000003ull;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 4, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "abc"));
	CHECK_EQ(v->gprs.rsi, 0x1003);
	CHECK_EQ(v->gprs.rcx, 0);
	/* 64-bit addressing uses all of RSI: the same value is not canonical -> #GP(0). */
	v->gprs.rsi = 0xffff000000001000ull;
	v->gprs.rcx = 1;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 8, SEG_DS)), ACT_RESUME);
	CHECK_EQ(G(v)->fault_vector, 13);
	CHECK_EQ(v->gprs.rcx, 1);
	fake_vcpu_free(v);
}

TEST(io_string_segment_selection)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	memcpy(v->mem.base + 0x2010, "F", 1);
	memcpy(v->mem.base + 0x3010, "D", 1);
	memcpy(v->mem.base + 0x4010, "E", 1);
	memcpy(v->mem.base + 0x0010, "0", 1);
	G(v)->segs[SEG_FS].base = 0x2000;
	G(v)->segs[SEG_DS].base = 0x3000;
	G(v)->segs[SEG_ES].base = 0x4000;
	v->gprs.rsi = 0x10;
	/* 32-bit mode: DS by default, the reported override otherwise. */
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_SKIP);
	v->gprs.rsi = 0x10;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_FS)), ACT_SKIP);
	CHECK(uart_has(v, "DF"));
	/* The override from the prefixes when the exit has none: "fs outsb" at CS:RIP. */
	uart_reset(v);
	G(v)->mode.rip = 0x5000;
	memcpy(v->mem.base + 0x5000, "\x64\x6e", 2);
	v->gprs.rsi = 0x10;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 0, -1)), ACT_SKIP);
	memcpy(v->mem.base + 0x5000, "\x6e", 1); /* no prefix: DS */
	v->gprs.rsi = 0x10;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 0, -1)), ACT_SKIP);
	CHECK(uart_has(v, "FD"));
	/* 64-bit mode: FS has its base, DS and ES count as 0. */
	uart_reset(v);
	set_long_mode(v);
	v->gprs.rsi = 0x10;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 8, SEG_FS)), ACT_SKIP);
	v->gprs.rsi = 0x10;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 8, SEG_DS)), ACT_SKIP);
	CHECK(uart_has(v, "F0"));
	/* INS writes ES:rDI whatever the exit says about a segment (ES base 0 in 64-bit mode). */
	v->gprs.rdi = 0x4010;
	CHECK_EQ(run(v, str_exit(COM1_LSR, 1, true, false, 8, SEG_FS)), ACT_SKIP);
	CHECK_EQ(v->mem.base[0x4010], 0x60); /* THR and transmitter empty */
	CHECK_EQ(v->mem.base[0x2010], 'F');
	fake_vcpu_free(v);
}

TEST(io_string_ins_from_ports)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	G(v)->segs[SEG_ES].base = 0x1000;
	v->gprs.rdi = 0x10;
	v->gprs.rcx = 3;
	CHECK_EQ(run(v, str_exit(0x2f8, 2, true, true, 4, -1)), ACT_SKIP); /* no device */
	for (int i = 0; i < 6; i++)
		CHECK_EQ(v->mem.base[0x1010 + i], 0xff);
	CHECK_EQ(v->mem.base[0x1016], 0);
	CHECK_EQ(v->gprs.rdi, 0x16);
	CHECK_EQ(v->gprs.rcx, 0);
	v->uart.scr = 0x5a;
	CHECK_EQ(run(v, str_exit(COM1_SCR, 1, true, false, 4, -1)), ACT_SKIP);
	CHECK_EQ(v->mem.base[0x1016], 0x5a);
	CHECK_EQ(v->gprs.rdi, 0x17);
	fake_vcpu_free(v);
}

TEST(io_string_huge_rep_runs_in_chunks)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	for (int i = 0; i < 200; i++)
		v->mem.base[0x1000 + i] = (uint8_t)i;
	v->gprs.rsi = 0x1000;
	v->gprs.rcx = 200;
	int exits = 0;
	enum exit_action act;
	do {
		act = run(v, str_exit(COM1_SCR, 1, false, true, 4, SEG_DS));
		exits++;
		if (exits == 1) {
			CHECK_EQ(act, ACT_RESUME); /* RIP stays on the instruction */
			CHECK_EQ(v->gprs.rcx, 200 - IO_STRING_CHUNK);
			CHECK_EQ(v->gprs.rsi, 0x1000 + IO_STRING_CHUNK);
			CHECK_EQ(v->uart.scr, IO_STRING_CHUNK - 1);
		}
	} while (act == ACT_RESUME && exits < 10);
	CHECK_EQ(act, ACT_SKIP);
	CHECK_EQ(exits, (200 + IO_STRING_CHUNK - 1) / IO_STRING_CHUNK);
	CHECK_EQ(v->uart.scr, 199);
	CHECK_EQ(v->gprs.rsi, 0x1000 + 200);
	CHECK_EQ(v->gprs.rcx, 0);
	fake_vcpu_free(v);
}

TEST(io_string_segment_faults)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	/* Limit 0xfff: a word at 0xfff crosses it -> #GP(0), nothing done. */
	G(v)->segs[SEG_DS].limit = 0xfff;
	v->gprs.rsi = 0xfff;
	v->gprs.rcx = 2;
	CHECK_EQ(run(v, str_exit(COM1, 2, false, true, 4, SEG_DS)), ACT_RESUME);
	CHECK_EQ(G(v)->faults, 1);
	CHECK_EQ(G(v)->fault_vector, 13);
	CHECK_EQ(G(v)->fault_error, 0);
	CHECK_EQ(v->gprs.rsi, 0xfff);
	CHECK_EQ(v->gprs.rcx, 2);
	CHECK_EQ(v->uart.len, 0);
	v->gprs.rsi = 0xffe; /* fits */
	CHECK_EQ(run(v, str_exit(COM1_SCR - 1, 2, false, false, 4, SEG_DS)), ACT_SKIP);
	CHECK_EQ(G(v)->faults, 1);
	/* Through SS: #SS(0). */
	G(v)->segs[SEG_SS].limit = 0xfff;
	v->gprs.rsi = 0x1000;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_SS)), ACT_RESUME);
	CHECK_EQ(G(v)->fault_vector, 12);
	/* Expand-down (type 0x7, limit 0xfff, D/B): offsets above the limit only. */
	G(v)->segs[SEG_DS] = (struct guest_segment){ 0, 0xfff, 0xc097, false };
	v->gprs.rsi = 0x800;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_RESUME);
	CHECK_EQ(G(v)->faults, 3);
	v->gprs.rsi = 0x1000;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_SKIP);
	CHECK_EQ(G(v)->faults, 3);
	/* INS into a read-only ES (type 0x1), and through an unusable one: #GP(0). */
	G(v)->segs[SEG_ES] = (struct guest_segment){ 0, 0xffffffffu, 0xc091, false };
	v->gprs.rdi = 0x1000;
	CHECK_EQ(run(v, str_exit(0x2f8, 1, true, false, 4, -1)), ACT_RESUME);
	CHECK_EQ(G(v)->faults, 4);
	CHECK_EQ(v->mem.base[0x1000], 0);
	G(v)->segs[SEG_ES] = (struct guest_segment){ 0, 0xffffffffu, 0xc093, true };
	CHECK_EQ(run(v, str_exit(0x2f8, 1, true, false, 4, -1)), ACT_RESUME);
	CHECK_EQ(G(v)->faults, 5);
	CHECK_EQ(G(v)->fault_vector, 13);
	fake_vcpu_free(v);
}

/* 32-bit paging: PD at 0x10000, PT at 0x11000 mapping linear 0x400000 + n * 4K. */
static void map_page(struct vcpu *v, uint32_t la, uint32_t pa, uint32_t flags)
{
	uint32_t pde = 0x11000 | 7, pte = pa | flags;
	memcpy(v->mem.base + 0x10000 + (la >> 22) * 4, &pde, 4);
	memcpy(v->mem.base + 0x11000 + ((la >> 12) & 0x3ff) * 4, &pte, 4);
}

static uint32_t pte_of(struct vcpu *v, uint32_t la)
{
	uint32_t pte;
	memcpy(&pte, v->mem.base + 0x11000 + ((la >> 12) & 0x3ff) * 4, 4);
	return pte;
}

TEST(io_string_page_fault_mid_string)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	G(v)->mode.cr0 = CR0_PE | CR0_PG | CR0_WP;
	G(v)->mode.cr3 = 0x10000;
	map_page(v, 0x400000, 0x200000, 3);        /* present, writable, supervisor */
	memcpy(v->mem.base + 0x200ffe, "ab", 2);
	v->gprs.rsi = 0x400ffe;
	v->gprs.rcx = 4;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, true, 4, SEG_DS)), ACT_RESUME);
	CHECK(uart_has(v, "ab"));
	CHECK_EQ(G(v)->faults, 1);
	CHECK_EQ(G(v)->fault_vector, 14);
	CHECK_EQ(G(v)->fault_cr2, 0x401000);
	CHECK_EQ(G(v)->fault_error, 0); /* read, supervisor, not present */
	CHECK_EQ(v->gprs.rsi, 0x401000);
	CHECK_EQ(v->gprs.rcx, 2);
	CHECK(pte_of(v, 0x400000) & 0x20);  /* accessed */
	CHECK(!(pte_of(v, 0x400000) & 0x40)); /* a read leaves it clean */
	/* A word whose second byte is on the missing page: CR2 is that page's first byte. */
	v->gprs.rsi = 0x400fff;
	CHECK_EQ(run(v, str_exit(COM1_SCR - 1, 2, false, false, 4, SEG_DS)), ACT_RESUME);
	CHECK_EQ(G(v)->fault_cr2, 0x401000);
	CHECK_EQ(v->gprs.rsi, 0x400fff);
	G(v)->faults = 1;
	/* A word across the boundary into a mapped page elsewhere in memory. */
	map_page(v, 0x401000, 0x300000, 3);
	v->mem.base[0x300000] = 'c';
	v->gprs.rsi = 0x400fff;
	CHECK_EQ(run(v, str_exit(COM1_SCR - 1, 2, false, false, 4, SEG_DS)), ACT_SKIP);
	CHECK_EQ(v->uart.scr, 'c'); /* the byte from the second page went to port 0x3ff */
	/* INS into a read-only page with CR0.WP: P|W; the port is not read. */
	map_page(v, 0x402000, 0x302000, 1);
	v->gprs.rdi = 0x402000;
	CHECK_EQ(run(v, str_exit(0x2f8, 1, true, false, 4, -1)), ACT_RESUME);
	CHECK_EQ(G(v)->fault_error, PF_ERR_P | PF_ERR_W);
	CHECK_EQ(v->mem.base[0x302000], 0);
	/* CR0.WP = 0: a supervisor write goes through and marks the page dirty. */
	G(v)->mode.cr0 &= ~CR0_WP;
	CHECK_EQ(run(v, str_exit(0x2f8, 1, true, false, 4, -1)), ACT_SKIP);
	CHECK_EQ(v->mem.base[0x302000], 0xff);
	CHECK(pte_of(v, 0x402000) & 0x40);
	/* CPL 3 reading a supervisor page: P|U. */
	G(v)->mode.cpl = 3;
	v->gprs.rsi = 0x400000;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_RESUME);
	CHECK_EQ(G(v)->fault_error, PF_ERR_P | PF_ERR_U);
	CHECK_EQ(G(v)->faults, 3);
	fake_vcpu_free(v);
}

TEST(io_string_bad_input_stops_the_guest_clearly)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	/* The exit leaves the segment open and the bytes at RIP are no INS/OUTS. */
	G(v)->mode.rip = 0x5000;
	v->mem.base[0x5000] = 0x90;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, -1)), ACT_STOP);
	CHECK(strstr(v->end.reason, "RIP 0x5000 is not INS or OUTS") != NULL);
	fake_vcpu_free(v);
	/* A memory operand outside the partition. */
	v = fake_vcpu_new(4 << 20);
	v->gprs.rsi = 4 << 20;
	CHECK_EQ(run(v, str_exit(COM1, 1, false, false, 4, SEG_DS)), ACT_STOP);
	CHECK(strstr(v->end.reason, "OUTS at port 0x3f8: memory operand at linear 0x400000") != NULL);
	CHECK(strstr(v->end.reason, "outside the partition") != NULL);
	fake_vcpu_free(v);
	/* The CPU's linear address (VMX) disagrees with the hypervisor's. */
	v = fake_vcpu_new(4 << 20);
	struct vm_exit e = str_exit(COM1, 1, false, false, 4, SEG_DS);
	e.io.has_linear = true;
	e.io.linear = 0x1234;
	v->gprs.rsi = 0x1000;
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "reports linear address 0x1234, the hypervisor computed 0x1000"));
	fake_vcpu_free(v);
	/* OUTS to the exit port ends the guest with the byte as its status. */
	v = fake_vcpu_new(4 << 20);
	v->mem.base[0x1000] = 0;
	v->gprs.rsi = 0x1000;
	v->gprs.rcx = 5;
	CHECK_EQ(run(v, str_exit(0xf4, 1, false, true, 4, SEG_DS)), ACT_STOP);
	CHECK_EQ(v->end.kind, GUEST_PASSED);
	CHECK_EQ(v->gprs.rsi, 0x1001);
	CHECK_EQ(v->gprs.rcx, 4);
	fake_vcpu_free(v);
}
