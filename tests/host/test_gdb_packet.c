/* The gdb stub's packet layer and register encodings (hv/gdb_packet.c, hv/gdb_regs.c), against
 * byte strings written from the GDB manual's appendix E and gdb's features/i386 XML files. */
#include <string.h>
#include "hv/gdb_packet.h"
#include "hv/gdb_regs.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

static struct gdb_rx rx;

/* Feed s; the events, one letter each: P packet, B bad, I interrupt, + ack, - nak. */
static const char *feed(const char *s, size_t n)
{
	static char ev[64];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		switch (gdb_rx_byte(&rx, (uint8_t)s[i])) {
		case GDB_RX_PACKET: ev[k++] = 'P'; break;
		case GDB_RX_BAD: ev[k++] = 'B'; break;
		case GDB_RX_INTERRUPT: ev[k++] = 'I'; break;
		case GDB_RX_ACK: ev[k++] = '+'; break;
		case GDB_RX_NAK: ev[k++] = '-'; break;
		case GDB_RX_NONE: break;
		}
	}
	ev[k] = 0;
	return ev;
}
#define FEED(s) feed(s, sizeof(s) - 1)

TEST(gdb_rx_packets_checksums_acks)
{
	gdb_rx_reset(&rx);
	/* "$g#67": 'g' = 0x67. */
	CHECK_STR(FEED("+$g#67"), "+P");
	CHECK_STR(rx.buf, "g");
	CHECK_STR(FEED("$qSupported#37"), "P");
	CHECK_STR(rx.buf, "qSupported");
	CHECK_STR(FEED("$g#68"), "B");        /* wrong checksum */
	CHECK_STR(FEED("$g#6z"), "B");        /* not a hex digit */
	CHECK_STR(FEED("$g#6A"), "B");        /* 0x6a != 0x67 */
	CHECK_STR(FEED("\x03"), "I");         /* Ctrl-C between packets */
	CHECK_STR(FEED("-"), "-");
	CHECK_STR(FEED("$c#63"), "P");        /* upper/lower case digits both fine: */
	CHECK_STR(FEED("$?#3F"), "P");
	CHECK_STR(rx.buf, "?");
	/* A '$' inside a packet starts over. */
	CHECK_STR(FEED("$gar$g#67"), "P");
	CHECK_STR(rx.buf, "g");
	/* 0x03 inside a packet is data, not an interrupt ("X" binary data). */
	CHECK_STR(FEED("$\x03#03"), "P");
	CHECK_EQ(rx.len, 1);
	CHECK_EQ((uint8_t)rx.buf[0], 3);
}

TEST(gdb_rx_escapes_and_overflow)
{
	gdb_rx_reset(&rx);
	/* "X0,1:" then the byte '#' escaped as "}\x03". The checksum covers the bytes as
	 * sent: sum("X0,1:}\x03") = 0x58+0x30+0x2c+0x31+0x3a+0x7d+0x03 = 0x19f -> 9f. */
	CHECK_STR(FEED("$X0,1:}\x03#9f"), "P");
	CHECK_EQ(rx.len, 6);
	CHECK_EQ((uint8_t)rx.buf[5], '#');
	/* An overlong packet is refused ('-') rather than cut. */
	static char big[GDB_PACKET_MAX + 16];
	big[0] = '$';
	memset(big + 1, 'a', GDB_PACKET_MAX + 1);
	uint8_t sum = (uint8_t)('a' * (GDB_PACKET_MAX + 1));
	size_t n = GDB_PACKET_MAX + 2;
	big[n++] = '#';
	big[n++] = "0123456789abcdef"[sum >> 4];
	big[n++] = "0123456789abcdef"[sum & 15];
	CHECK_STR(feed(big, n), "B");
	/* And the receiver is usable again. */
	CHECK_STR(FEED("$g#67"), "P");
}

TEST(gdb_frame_escapes_and_sums)
{
	char out[64];
	size_t n = gdb_frame(out, sizeof(out), "OK", 2);
	REQUIRE(n == 6);
	CHECK(!memcmp(out, "$OK#9a", 6));
	n = gdb_frame(out, sizeof(out), "", 0);
	CHECK(n == 4 && !memcmp(out, "$#00", 4));
	/* '$', '#', '}' and '*' go as '}' and the byte XOR 0x20; the sum is over what is sent. */
	n = gdb_frame(out, sizeof(out), "a#b*", 4);
	REQUIRE(n == 10);
	CHECK(!memcmp(out, "$a}\x03" "b}\x0a#", 8));
	uint8_t s = (uint8_t)('a' + '}' + 3 + 'b' + '}' + 0x0a);
	CHECK_EQ(gdb_hex_digit(out[8]) << 4 | gdb_hex_digit(out[9]), s);
	/* What the sender frames, the receiver reads back. */
	gdb_rx_reset(&rx);
	CHECK_STR(feed(out, n), "P");
	CHECK_STR(rx.buf, "a#b*");
	/* Too small: 0, never a cut packet. */
	CHECK_EQ(gdb_frame(out, 5, "OK", 2), 0);
	CHECK_EQ(gdb_frame(out, 6, "OK", 2), 6);
}

TEST(gdb_hex_helpers)
{
	const char *p = "1f,x";
	uint64_t v;
	REQUIRE(gdb_hex_number(&p, &v) == 0);
	CHECK_EQ(v, 0x1f);
	CHECK(*p == ',');
	p = ",";
	CHECK(gdb_hex_number(&p, &v) < 0);
	p = "11112222333344445"; /* 17 digits */
	CHECK(gdb_hex_number(&p, &v) < 0);
	char out[20];
	out[gdb_hex_put(out, 0)] = 0;
	CHECK_STR(out, "0");
	out[gdb_hex_put(out, 0xdeadbeef12ull)] = 0;
	CHECK_STR(out, "deadbeef12");
	uint8_t b[3];
	CHECK(gdb_hex_decode(b, "0aFf10", 3) == 0 && b[0] == 0x0a && b[1] == 0xff && b[2] == 0x10);
	CHECK(gdb_hex_decode(b, "0g", 1) < 0);
}

static struct gdb_regs sample(void)
{
	struct gdb_regs r;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < GPR_COUNT; i++)
		r.gpr[i] = 0x1111111100000000ull * (i + 1) + 0x10 + i;
	r.rip = 0xffffffff80001234ull;
	r.rflags = 0x246;
	r.seg[GSEG_CS] = 0x10;
	r.seg[GSEG_SS] = 0x18;
	r.seg[GSEG_GS] = 0x2b;
	return r;
}

TEST(gdb_regs_i386_layout)
{
	/* features/i386/32bit-core.xml: eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es
	 * fs gs (4 bytes each), st0-7 (10 bytes), fctrl..fop (4 bytes): 176 bytes. */
	CHECK_EQ(gdb_regs_count(GDB_ARCH_I386), 32);
	CHECK_EQ(gdb_regs_g_len(GDB_ARCH_I386), 2 * 176);
	struct gdb_regs r = sample();
	static char g[2 * 176 + 1];
	gdb_regs_encode(GDB_ARCH_I386, &r, g);
	CHECK(!memcmp(g, "10000000", 8));            /* eax = low half of gpr[RAX], LE */
	CHECK(!memcmp(g + 8, "12000000", 8));        /* ecx is the 2nd register */
	CHECK(!memcmp(g + 4 * 8, "17000000", 8));    /* esp: 5th */
	CHECK(!memcmp(g + 8 * 8, "34120080", 8));    /* eip */
	CHECK(!memcmp(g + 9 * 8, "46020000", 8));    /* eflags */
	CHECK(!memcmp(g + 10 * 8, "10000000", 8));   /* cs */
	CHECK(!memcmp(g + 15 * 8, "2b000000", 8));   /* gs */
	CHECK(g[16 * 8] == 'x' && g[2 * 176 - 1] == 'x'); /* x87: unavailable */
	CHECK(strlen(g) == 2 * 176);
	/* G writes back; the upper halves of the 64-bit registers stay. */
	struct gdb_regs w = r;
	memcpy(g, "efbeadde", 8);
	REQUIRE(gdb_regs_decode(GDB_ARCH_I386, g, strlen(g), &w) == 0);
	CHECK_EQ(w.gpr[GPR_RAX], 0x11111111deadbeefull);
	CHECK_EQ(w.rip, r.rip);
	CHECK(gdb_regs_decode(GDB_ARCH_I386, g, strlen(g) - 2, &w) < 0); /* short */
	/* p/P by number: 8 = eip. */
	char one[24];
	REQUIRE(gdb_reg_get(GDB_ARCH_I386, &r, 8, one) == 0);
	CHECK_STR(one, "34120080");
	REQUIRE(gdb_reg_set(GDB_ARCH_I386, &w, 3, "78563412") == 0); /* ebx */
	CHECK_EQ((uint32_t)w.gpr[GPR_RBX], 0x12345678);
	CHECK(gdb_reg_set(GDB_ARCH_I386, &w, 3, "7856") < 0);
	CHECK(gdb_reg_get(GDB_ARCH_I386, &r, 32, one) < 0);
	REQUIRE(gdb_reg_get(GDB_ARCH_I386, &r, 16, one) == 0); /* st0: 10 bytes unavailable */
	CHECK_STR(one, "xxxxxxxxxxxxxxxxxxxx");
}

TEST(gdb_regs_amd64_layout)
{
	/* features/i386/64bit-core.xml: rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip (8 bytes),
	 * eflags cs ss ds es fs gs (4), st0-7 (10), fctrl..fop (4): 16*8+8+7*4+80+32 = 276. */
	CHECK_EQ(gdb_regs_count(GDB_ARCH_AMD64), 40);
	CHECK_EQ(gdb_regs_g_len(GDB_ARCH_AMD64), 2 * 276);
	struct gdb_regs r = sample();
	static char g[2 * 276 + 1];
	gdb_regs_encode(GDB_ARCH_AMD64, &r, g);
	CHECK(!memcmp(g, "1000000011111111", 16));             /* rax */
	CHECK(!memcmp(g + 16, "1100000022222222", 16));        /* rbx (2nd) */
	CHECK(!memcmp(g + 15 * 16, "1f00000010111111", 16));            /* r15 */
	CHECK(!memcmp(g + 16 * 16, "34120080ffffffff", 16));   /* rip */
	CHECK(!memcmp(g + 17 * 16, "46020000", 8));            /* eflags: 32 bits */
	CHECK(!memcmp(g + 17 * 16 + 8, "10000000", 8));        /* cs */
	struct gdb_regs w = r;
	memcpy(g + 15 * 16, "0100000000000080", 16);           /* r15 */
	REQUIRE(gdb_regs_decode(GDB_ARCH_AMD64, g, strlen(g), &w) == 0);
	CHECK_EQ(w.gpr[GPR_R15], 0x8000000000000001ull);
	char one[24];
	REQUIRE(gdb_reg_get(GDB_ARCH_AMD64, &r, 16, one) == 0);
	CHECK_STR(one, "34120080ffffffff");
}

TEST(gdb_tdesc_names_each_register_once_in_order)
{
	static const char *const i386_names[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp",
		"esi", "edi", "eip", "eflags", "cs", "ss", "ds", "es", "fs", "gs", "st0", "st7",
		"fctrl", "fop" };
	static const char *const amd64_names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
		"rbp", "rsp", "r8", "r15", "rip", "eflags", "cs", "gs", "st0", "fop" };
	const char *x = gdb_tdesc_xml(GDB_ARCH_I386);
	CHECK(strstr(x, "<architecture>i386</architecture>"));
	CHECK(strstr(x, "org.gnu.gdb.i386.core"));
	const char *at = x;
	for (size_t i = 0; i < sizeof(i386_names) / sizeof(i386_names[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "name=\"%s\"", i386_names[i]);
		const char *hit = strstr(at, want);
		CHECK(hit != NULL);
		if (hit)
			at = hit;
	}
	x = gdb_tdesc_xml(GDB_ARCH_AMD64);
	CHECK(strstr(x, "<architecture>i386:x86-64</architecture>"));
	at = x;
	for (size_t i = 0; i < sizeof(amd64_names) / sizeof(amd64_names[0]); i++) {
		char want[32];
		snprintf(want, sizeof(want), "name=\"%s\"", amd64_names[i]);
		const char *hit = strstr(at, want);
		CHECK(hit != NULL);
		if (hit)
			at = hit;
	}
	/* The count of <reg> elements matches the encoding's. */
	unsigned n = 0;
	for (const char *p = x; (p = strstr(p, "<reg ")); p++)
		n++;
	CHECK_EQ(n, gdb_regs_count(GDB_ARCH_AMD64));
	n = 0;
	for (const char *p = gdb_tdesc_xml(GDB_ARCH_I386); (p = strstr(p, "<reg ")); p++)
		n++;
	CHECK_EQ(n, gdb_regs_count(GDB_ARCH_I386));
}

TEST(config_gdb_key)
{
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK(!cfg.gdb_off); /* com2 by default */
	REQUIRE(parse("[hv]\ngdb = off\n" G("a", "0")) == 0);
	CHECK(cfg.gdb_off);
	REQUIRE(parse("[hv]\ngdb = com2\n" G("a", "0")) == 0);
	CHECK(!cfg.gdb_off);
	CHECK_ERR("[hv]\ngdb = com1\n", 2, "bad gdb 'com1' (expected com2 or off)");
	CHECK_ERR("[guest a]\ngdb = off\n", 2, "unknown key 'gdb' in [guest a]");
}
