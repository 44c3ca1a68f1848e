/* The serial monitor's mem (hv/monitor_cmd_mem.c): guest-physical and guest-virtual dumps. */
#include <string.h>
#include "hv/monitor.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"
#include "tests/host/monitor_test_env.h"

static void put32(struct vcpu *v, uint64_t gpa, uint32_t val)
{
	memcpy(v->mem.base + gpa, &val, 4);
}

TEST(monitor_mem_dumps_guest_physical_bytes)
{
	mon_env_setup();
	struct vcpu *b = mon_env.v[1];
	memcpy(b->mem.base + 0x1000, "HELLO, monitor!\x01\x02", 17);
	mon_type("mem beta p1000 18\r");
	CHECK(!strcmp(mon_answer(),
		      "0000000000001000: 48 45 4c 4c 4f 2c 20 6d 6f 6e 69 74 6f 72 21 01  |HELLO, monitor!.|\n"
		      "0000000000001010: 02 00                                            |..|\nhv> "));
	mon_type("mem beta P0x1000\r"); /* 64 bytes by default */
	CHECK(mon_count("\n00000000000010") == 4);
	CHECK(((struct fake_guest *)b->arch)->snapshots == 0); /* physical needs no snapshot */
	mon_env_teardown();
}

TEST(monitor_mem_refuses_bad_arguments_in_one_line)
{
	mon_env_setup();
	mon_type("mem beta pxyz\r");
	CHECK(!strcmp(mon_answer(), "mem: ADDR 'pxyz' is not a hex address (p prefix: guest-physical)\nhv> "));
	mon_type("mem beta p\r");
	CHECK(strstr(mon_out(), "is not a hex address") != NULL);
	mon_type("mem beta 0x\r");
	CHECK(strstr(mon_out(), "is not a hex address") != NULL);
	mon_type("mem beta p1000 0\r");
	CHECK(!strcmp(mon_answer(), "mem: LEN '0' is not a byte count from 1 to 256\nhv> "));
	mon_type("mem beta p1000 12ab\r");
	CHECK(strstr(mon_out(), "mem: LEN '12ab' is not a byte count from 1 to 256\n") != NULL);
	mon_type("mem beta p1000 99999999999999999999999\r");
	CHECK(strstr(mon_out(), "is not a byte count") != NULL);
	mon_type("mem beta p10000000000000000\r"); /* 17 hex digits: more than 64 bits */
	CHECK(strstr(mon_out(), "is not a hex address") != NULL);
	mon_type("mem nosuch p0\r");
	CHECK(!strcmp(mon_answer(), "mem: no guest named 'nosuch' (guests lists them)\nhv> "));
	mon_type("mem beta p1000 1000\r");
	CHECK(strstr(mon_out(), "\nmem: LEN 1000 capped at 256 bytes\n") != NULL);
	CHECK(mon_count("\n00000000000010") == 16);
	mon_env_teardown();
}

TEST(monitor_mem_stops_at_the_end_of_guest_physical_memory)
{
	mon_env_setup();
	mon_type("mem beta p400000\r");
	CHECK(!strcmp(mon_answer(), "mem: guest-physical 0x400000 is outside beta's memory (0-0x3fffff)\nhv> "));
	mon_type("mem beta pffffffffffffffff 16\r");
	CHECK(strstr(mon_out(), "is outside beta's memory") != NULL);
	mon_type("mem beta p3ffff8 16\r");
	CHECK(strstr(mon_out(), "\n00000000003ffff8: 00 00 00 00 00 00 00 00                          |........|\n"
				"mem: guest-physical 0x400000 is outside beta's memory (0-0x3fffff)\n") != NULL);
	mon_env_teardown();
}

/* 32-bit paging (SDM vol. 3A 4.3): PD at 0x2000, PT at 0x3000, linear 0x400000 -> 0x1000,
 * 0x401000 -> 0x5000, 0x402000 not present. */
static void map_beta(struct vcpu *b)
{
	struct fake_guest *g = b->arch;
	put32(b, 0x2000 + 1 * 4, 0x3000 | 3); /* PDE 1: 0x400000-0x7fffff */
	put32(b, 0x3000 + 0 * 4, 0x1000 | 3);
	put32(b, 0x3000 + 1 * 4, 0x5000 | 3);
	g->mode.cr0 = 0x80000011;
	g->mode.cr3 = 0x2000;
	g->mode.cr4 = 0;
	memcpy(b->mem.base + 0x1ff8, "ABCDEFGH", 8); /* not mapped next to 0x1000's page */
	memcpy(b->mem.base + 0x1ff0, "last16bytes-pg0!", 16);
	memcpy(b->mem.base + 0x5000, "second page", 11);
}

TEST(monitor_mem_walks_the_guests_page_tables)
{
	mon_env_setup();
	struct vcpu *b = mon_env.v[1];
	map_beta(b);
	mon_type("mem beta 400ff0 32\r");
	CHECK(strstr(mon_out(), "\n0000000000400ff0: 6c 61 73 74 31 36 62 79 74 65 73 2d 70 67 30 21  |last16bytes-pg0!|\n"
				"0000000000401000: 73 65 63 6f 6e 64 20 70 61 67 65 00 00 00 00 00  |second page.....|\n") != NULL);
	CHECK(((struct fake_guest *)b->arch)->snapshots == 1); /* CR3 and mode from a snapshot */
	mon_type("mem beta 401ff8 16\r");
	CHECK(strstr(mon_out(), "\n0000000000401ff8: 00 00 00 00 00 00 00 00                          |........|\n"
				"mem: guest-virtual 0x402000 is not mapped in beta's page tables (CR3 0x2000, #PF error code 0x0)\n") != NULL);
	mon_type("mem beta 0x800000\r");
	CHECK(!strcmp(mon_answer(), "mem: guest-virtual 0x800000 is not mapped in beta's page tables (CR3 0x2000, #PF error code 0x0)\nhv> "));
	/* A page table outside the partition. */
	put32(b, 0x2000 + 3 * 4, 0x7fff000 | 3);
	mon_type("mem beta c00000\r");
	CHECK(strstr(mon_out(), "mem: guest-virtual 0xc00000: a paging-structure entry of beta lies outside its memory\n") != NULL);
	/* Paging off: linear is physical. */
	((struct fake_guest *)b->arch)->mode.cr0 = 0x11;
	mon_type("mem beta 5000 11\r");
	CHECK(strstr(mon_out(), "|second page|") != NULL);
	/* A stopped guest has no page tables to walk; physical still works. */
	b->end.kind = GUEST_STOPPED;
	strcpy(b->end.reason, "monitor: stop");
	mon_type("mem beta 5000\r");
	CHECK(!strcmp(mon_answer(), "mem: guest beta is not running (stopped (monitor: stop)): it has no live state\nhv> "));
	mon_type("mem beta p5000 11\r");
	CHECK(strstr(mon_out(), "|second page|") != NULL);
	mon_env_teardown();
}
