/* The gdb stub's command layer (hv/gdb_stub.c) and breakpoints (hv/gdb_break.c) against a fake
 * guest: two threads, flat memory (paging off), registers in a struct. Expected replies are
 * written from the GDB manual's appendix E, not from the code. */
#include <string.h>
#include "arch/x86/svm/svm_intercepts.h"
#include "hv/gdb_break.h"
#include "hv/gdb_stub.h"
#include "hv/multiboot_load.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

static uint8_t ram[64 * 1024];
static struct guest_mem mem = { ram, sizeof(ram) };
static struct guest_mode mode = { .cr0 = 0x11, .cs_bits = 32 }; /* PE, no paging */
static struct gdb_regs regs;
static struct gdb_breaks brk;
static unsigned cur = 1;
static enum gdb_arch arch = GDB_ARCH_I386; /* the fake guest's mode now */
static unsigned ended;                    /* a thread whose guest has ended, 0 none */

static unsigned t_next(unsigned after)
{
	unsigned t = after < 1 ? 1 : after < 3 ? 3 : 0;
	return t && t == ended ? t_next(t) : t;
}
static const char *t_name(unsigned t)
{
	if (t == ended)
		return NULL;
	return t == 1 ? "alpha" : t == 3 ? "beta" : NULL;
}
static unsigned t_cur(void)
{
	return cur;
}
static enum gdb_arch t_arch(void)
{
	return arch;
}
static void t_regs(struct gdb_regs *r, bool write)
{
	if (write)
		regs = *r;
	else
		*r = regs;
}
static size_t t_read(uint64_t a, uint8_t *b, size_t n)
{
	return gdb_mem_read(&brk, &mem, &mode, a, b, n);
}
static size_t t_write(uint64_t a, const uint8_t *b, size_t n)
{
	return gdb_mem_write(&brk, &mem, &mode, a, b, n);
}
static int t_break(bool insert, unsigned type, uint64_t addr, unsigned kind)
{
	if (type == 0)
		return insert ? gdb_sw_insert(&brk, &mem, &mode, addr) : gdb_sw_remove(&brk, &mem, &mode, addr);
	return insert ? gdb_hw_insert(&brk, type, addr, kind) : gdb_hw_remove(&brk, type, addr, kind);
}
static const struct gdb_target fake = { t_next, t_name, t_cur, t_arch, t_regs, t_read, t_write, t_break };
static struct gdb_stub stub = { .t = &fake };

static enum gdb_action send(const char *pkt)
{
	return gdb_stub_handle(&stub, pkt, strlen(pkt));
}
#define REPLY(pkt, want) do { CHECK_EQ(send(pkt), GDB_ACT_REPLY); CHECK_STR(stub.reply, want); } while (0)

static void reset(void)
{
	memset(ram, 0, sizeof(ram));
	memset(&regs, 0, sizeof(regs));
	memset(&brk, 0, sizeof(brk));
	cur = 1;
	arch = GDB_ARCH_I386;
	ended = 0;
	stub.tdesc_read = false;
	stub.tdesc_reads = 0;
	stub.gone = 0;
}

TEST(gdb_stub_attach_and_threads)
{
	reset();
	CHECK_EQ(send("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"), GDB_ACT_REPLY);
	CHECK(strstr(stub.reply, "PacketSize=1000"));
	CHECK(strstr(stub.reply, "qXfer:features:read+"));
	CHECK(strstr(stub.reply, "qXfer:threads:read+"));
	CHECK(strstr(stub.reply, "swbreak+"));
	REPLY("vMustReplyEmpty", "");
	REPLY("vCont?", "");
	REPLY("?", "T05thread:1;");
	REPLY("qfThreadInfo", "m1,3");
	REPLY("qsThreadInfo", "l");
	REPLY("qC", "QC1");
	REPLY("qAttached", "1");
	REPLY("T3", "OK");
	REPLY("T2", "E02");
	REPLY("Hg2", "E02");
	REPLY("Hg0", "OK");
	REPLY("Hc-1", "OK");
	REPLY("Hg1", "OK");
	CHECK_EQ(send("Hg3"), GDB_ACT_SWITCH); /* another guest: its CPU must serve it */
	CHECK_STR(stub.reply, "OK");
	CHECK_EQ(stub.switch_to, 3);
	CHECK_EQ(send("qXfer:threads:read::0,1000"), GDB_ACT_REPLY);
	CHECK(stub.reply[0] == 'l');
	CHECK(strstr(stub.reply, "<thread id=\"1\" core=\"0\" name=\"alpha\"/>"));
	CHECK(strstr(stub.reply, "<thread id=\"3\" core=\"2\" name=\"beta\"/>"));
	/* In parts: 'm' while more is left, then 'l'. */
	CHECK_EQ(send("qXfer:features:read:target.xml:0,a"), GDB_ACT_REPLY);
	CHECK(stub.reply[0] == 'm'); CHECK_EQ(stub.reply_len, 11); CHECK(!memcmp(stub.reply + 1, "<?xml vers", 10));
	CHECK_EQ(send("qXfer:features:read:target.xml:a,ffff"), GDB_ACT_REPLY);
	CHECK(stub.reply[0] == 'l' && strstr(stub.reply, "</target>"));
	REPLY("qXfer:features:read:target.xml:ffffff,10", "E01");
	REPLY("qXfer:features:read:other.xml:0,10", "E01");
	REPLY("qNonsense", "");
	REPLY("!", "");
}

TEST(gdb_stub_registers_and_memory)
{
	reset();
	regs.gpr[GPR_RAX] = 0x11223344;
	regs.rip = 0x1000;
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK_EQ(stub.reply_len, gdb_regs_g_len(GDB_ARCH_I386));
	CHECK(!memcmp(stub.reply, "44332211", 8));
	REPLY("p8", "00100000");
	REPLY("P8=00200000", "OK");
	CHECK_EQ(regs.rip, 0x2000);
	REPLY("P99=00", "E01");
	ram[0x100] = 0xab;
	ram[0x101] = 0xcd;
	REPLY("m100,2", "abcd");
	REPLY("M100,2:1234", "OK");
	CHECK(ram[0x100] == 0x12 && ram[0x101] == 0x34);
	REPLY("M100,2:12", "E01");             /* data shorter than the length */
	REPLY("X104,2:\x7d\x01", "OK");        /* binary, as the packet layer unescaped it */
	CHECK(ram[0x104] == 0x7d && ram[0x105] == 0x01);
	/* Past the partition: EFAULT, and a read that starts inside stops at its end. */
	REPLY("m10000,4", "E0e");
	REPLY("mfffe,4", "0000");
	REPLY("M10000,1:00", "E0e");
	REPLY("mzz", "E01");
}

TEST(gdb_stub_breakpoints_invisible)
{
	reset();
	ram[0x200] = 0x55;
	ram[0x201] = 0x89;
	REPLY("Z0,200,1", "OK");
	CHECK_EQ(ram[0x200], 0xcc);            /* INT3 in guest memory */
	REPLY("m200,2", "5589");               /* gdb reads the guest's own byte */
	REPLY("Z0,200,1", "OK");               /* twice: still one breakpoint */
	CHECK_EQ(gdb_sw_count(&brk), 1);
	REPLY("M200,1:90", "OK");              /* a write over it changes the kept byte */
	CHECK_EQ(ram[0x200], 0xcc);
	REPLY("m200,1", "90");
	REPLY("z0,200,1", "OK");
	CHECK_EQ(ram[0x200], 0x90);
	REPLY("z0,200,1", "E0e");              /* not there */
	REPLY("Z0,20000,1", "E0e");            /* unmapped */
	/* Hardware: four slots, DR7 as the SDM encodes it. */
	REPLY("Z2,1000,4", "OK");              /* write watchpoint, 4 bytes */
	REPLY("Z1,2000,1", "OK");              /* instruction breakpoint */
	REPLY("Z4,3008,8", "OK");              /* access, 8 bytes */
	REPLY("Z3,4002,2", "OK");              /* read (as access), 2 bytes */
	REPLY("Z2,5000,4", "E0e");             /* no slot left */
	REPLY("Z2,1001,4", "E0e");             /* misaligned */
	/* L0-L3 = 0x55, LE (bit 8), bit 10; slot 0: R/W 01 LEN 11; slot 1: 00 00; slot 2: 11 10;
	 * slot 3: 11 01. */
	uint64_t want = 0x55 | BIT(8) | BIT(10) | (0x1ull << 16 | 0x3ull << 18) | (0x3ull << 24 | 0x2ull << 26) |
			(0x3ull << 28 | 0x1ull << 30);
	CHECK_EQ(gdb_hw_dr7(&brk), want);
	uint64_t dr[4];
	gdb_hw_addrs(&brk, dr);
	CHECK(dr[0] == 0x1000 && dr[1] == 0x2000 && dr[2] == 0x3008 && dr[3] == 0x4002);
	CHECK_EQ(gdb_hw_hit(&brk, 0x4), 2);
	REPLY("z2,1000,4", "OK");
	CHECK_EQ(gdb_hw_hit(&brk, 0x1), -1);
	REPLY("Z5,0,1", "E01");
}

TEST(gdb_stub_resume_detach_kill)
{
	reset();
	CHECK_EQ(send("c"), GDB_ACT_CONTINUE);
	CHECK(!stub.step_addr_set);
	CHECK_EQ(send("s"), GDB_ACT_STEP);
	CHECK_EQ(send("c1234"), GDB_ACT_CONTINUE);
	CHECK(stub.step_addr_set && stub.step_addr == 0x1234);
	CHECK_EQ(send("D"), GDB_ACT_DETACH);
	CHECK_STR(stub.reply, "OK");
	CHECK_EQ(send("D;1"), GDB_ACT_DETACH);
	CHECK_EQ(send("k"), GDB_ACT_KILL);
}

TEST(gdb_stop_replies)
{
	char out[64];
	gdb_stop_reply(out, GDB_STOP_INTERRUPT, 2, 0);
	CHECK_STR(out, "T02thread:2;");
	gdb_stop_reply(out, GDB_STOP_SWBREAK, 0x1f, 0);
	CHECK_STR(out, "T05thread:1f;swbreak:;");
	gdb_stop_reply(out, GDB_STOP_HWBREAK, 1, 0);
	CHECK_STR(out, "T05thread:1;hwbreak:;");
	gdb_stop_reply(out, GDB_STOP_WATCH, 1, 0x10a0);
	CHECK_STR(out, "T05thread:1;watch:10a0;");
	gdb_stop_reply(out, GDB_STOP_STEP, 3, 0);
	CHECK_STR(out, "T05thread:3;");
}

/* No debugger, no cost: an SVM guest starts without the #BP exception intercept (APM vol. 2
 * 15.12, bit 3) and without the INTn intercept (15.9, intercept vector 3 bit 21), which the
 * stub turns on only while it has a software breakpoint in that guest (svm_gdb.c). */
TEST(gdb_svm_no_breakpoint_intercepts_by_default)
{
	struct vmcb_control c;
	memset(&c, 0, sizeof(c));
	svm_intercepts_init(&c, true);
	CHECK(!(c.intercept_exc & (1u << 3)));
	CHECK(!(c.intercept_misc1 & (1u << 21)));
	CHECK(c.intercept_exc & (1u << 1)); /* #DB stays, as before (CVE-2015-8104) */
}

/* gdb holds the description it read (GDB manual G "Target Descriptions"); a guest that
 * switches mode meanwhile keeps that layout: an i386 layout of a long-mode guest shows the
 * low halves and a write keeps the upper ones; an amd64 layout of a 32-bit guest shows the
 * registers zero-extended (their upper halves are undefined there, SDM vol. 1 3.4.1.1) and a
 * write keeps what the guest had. A new read of target.xml takes the mode of that moment. */
TEST(gdb_stub_layout_follows_the_description_gdb_read)
{
	reset();
	CHECK_EQ(send("qXfer:features:read:target.xml:0,fff"), GDB_ACT_REPLY);
	CHECK(strstr(stub.reply, "<architecture>i386</architecture>"));
	CHECK_EQ(stub.tdesc_reads, 1);
	arch = GDB_ARCH_AMD64; /* the guest entered long mode */
	regs.gpr[GPR_RAX] = 0x600dcafe11223344ull;
	regs.rip = 0xffff800000401000ull;
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK_EQ(stub.reply_len, gdb_regs_g_len(GDB_ARCH_I386)); /* not the amd64 length */
	CHECK(!memcmp(stub.reply, "44332211", 8));
	REPLY("p8", "00104000");                                   /* eip: the low half */
	REPLY("P0=05000000", "OK");                                /* eax */
	CHECK_EQ(regs.gpr[GPR_RAX], 0x600dcafe00000005ull);
	/* A second part of the same document stays i386 even though the guest is not. */
	CHECK_EQ(send("qXfer:features:read:target.xml:10,fff"), GDB_ACT_REPLY);
	CHECK(!strstr(stub.reply, "rax"));
	/* Read again from the start: amd64 now. */
	CHECK_EQ(send("qXfer:features:read:target.xml:0,fff"), GDB_ACT_REPLY);
	CHECK(strstr(stub.reply, "i386:x86-64"));
	CHECK_EQ(stub.tdesc_reads, 2);
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK_EQ(stub.reply_len, gdb_regs_g_len(GDB_ARCH_AMD64));
	CHECK(!memcmp(stub.reply, "05000000feca0d60", 16));
	/* Back out of long mode with the amd64 layout: zero-extended, writes keep the upper half. */
	arch = GDB_ARCH_I386;
	regs.gpr[GPR_RAX] = 0xdeadbeef00000007ull;
	REPLY("p0", "0700000000000000");
	REPLY("p10", "0010400000000000");                          /* rip: the low half */
	REPLY("P0=0800000001000000", "OK");                        /* the upper half is not the guest's to see */
	CHECK_EQ(regs.gpr[GPR_RAX], 0xdeadbeef00000008ull);
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK(!memcmp(stub.reply, "0800000000000000", 16));
	char g[2 * 276 + 1];
	memcpy(g, "G", 1);
	memcpy(g + 1, stub.reply, stub.reply_len);
	memcpy(g + 1, "09000000ffffffff", 16);
	CHECK_EQ(gdb_stub_handle(&stub, g, 1 + stub.reply_len), GDB_ACT_REPLY);
	CHECK_STR(stub.reply, "OK");
	CHECK_EQ(regs.gpr[GPR_RAX], 0xdeadbeef00000009ull);
	CHECK_EQ(regs.rip, 0xffff800000401000ull);
}

/* Before gdb reads a description (a raw client), the layout is the guest's mode now. */
TEST(gdb_stub_layout_without_a_description_is_the_mode)
{
	reset();
	arch = GDB_ARCH_AMD64;
	CHECK_EQ(gdb_stub_layout(&stub), GDB_ARCH_AMD64);
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK_EQ(stub.reply_len, gdb_regs_g_len(GDB_ARCH_AMD64));
}

/* gdb selected a thread (Hg) whose guest ended before its CPU could serve (hv/gdb_stop.c
 * hands the session back and sets gone): everything on that thread answers E02, the thread
 * list no longer has it, and continuing or selecting another thread works. */
TEST(gdb_stub_selected_thread_gone)
{
	reset();
	ended = 3;
	stub.gone = 3;
	REPLY("g", "E02");
	REPLY("p8", "E02");
	REPLY("P0=00000000", "E02");
	REPLY("m100,2", "E02");
	REPLY("M100,1:00", "E02");
	REPLY("Z0,100,1", "E02");
	REPLY("z1,100,1", "E02");
	REPLY("s", "E02");
	REPLY("T3", "E02");
	REPLY("qfThreadInfo", "m1");
	REPLY("Hg3", "E02");                    /* it stays gone */
	REPLY("Hc-1", "OK");                    /* not a selection of registers */
	REPLY("g", "E02");
	CHECK_EQ(send("c"), GDB_ACT_CONTINUE);  /* the others go on */
	REPLY("Hg1", "OK");                     /* another thread: served here */
	CHECK_EQ(send("g"), GDB_ACT_REPLY);
	CHECK_EQ(stub.reply_len, gdb_regs_g_len(GDB_ARCH_I386));
}
