/* Boot server and file from a DHCPv4 reply (hv/dhcp_boot.c), packets built here from RFC 2131/2132. */
#include <string.h>
#include "hv/dhcp_boot.h"
#include "tests/host/harness.h"

static uint8_t pkt[1472];
static size_t opt; /* next free byte in the options area */
static struct dhcp_boot_info info;
static char err[160];

static void reset(void)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 2; /* BOOTREPLY */
	pkt[236] = 99, pkt[237] = 130, pkt[238] = 83, pkt[239] = 99;
	opt = 240;
}

static void add_opt(uint8_t code, const void *data, uint8_t len)
{
	pkt[opt++] = code;
	pkt[opt++] = len;
	memcpy(pkt + opt, data, len);
	opt += len;
}

static int parse(size_t len)
{
	err[0] = 0;
	return dhcp_boot_info(pkt, len, &info, err, sizeof(err));
}

static bool server_is(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return info.server[0] == a && info.server[1] == b && info.server[2] == c && info.server[3] == d;
}

TEST(dhcp_boot_siaddr_and_file_field)
{
	reset();
	memcpy(pkt + 20, (uint8_t[]){ 10, 0, 2, 2 }, 4);
	strcpy((char *)pkt + 108, "boot/hv.efi");
	pkt[opt++] = 255;
	CHECK_EQ(parse(sizeof(pkt)), 0);
	CHECK(server_is(10, 0, 2, 2));
	CHECK(!strcmp(info.file, "boot/hv.efi"));
	/* A plain BOOTP reply (no magic cookie, 300 bytes) works the same. */
	pkt[236] = 0;
	CHECK_EQ(parse(300), 0);
	CHECK(server_is(10, 0, 2, 2) && !strcmp(info.file, "boot/hv.efi"));
}

TEST(dhcp_boot_options_54_and_67_win)
{
	reset();
	strcpy((char *)pkt + 108, "from-file-field.efi");
	pkt[opt++] = 0; /* pads are skipped */
	add_opt(54, (uint8_t[]){ 192, 168, 1, 5 }, 4);
	add_opt(67, "x86/hv.efi", 10); /* no NUL in the option */
	pkt[opt++] = 255;
	add_opt(67, "after-end.efi", 13);
	CHECK_EQ(parse(sizeof(pkt)), 0);
	CHECK(server_is(192, 168, 1, 5)); /* siaddr 0: the server identifier */
	CHECK(!strcmp(info.file, "x86/hv.efi"));
	/* siaddr set: it wins over option 54 (edk2's order). */
	memcpy(pkt + 20, (uint8_t[]){ 10, 1, 1, 1 }, 4);
	CHECK_EQ(parse(sizeof(pkt)), 0);
	CHECK(server_is(10, 1, 1, 1));
	/* A trailing NUL in option 67 is not part of the name. */
	reset();
	memcpy(pkt + 20, (uint8_t[]){ 10, 1, 1, 1 }, 4);
	add_opt(67, "a.efi\0", 6);
	CHECK_EQ(parse(sizeof(pkt)), 0);
	CHECK(!strcmp(info.file, "a.efi"));
}

TEST(dhcp_boot_overloaded_file_field)
{
	reset();
	memcpy(pkt + 20, (uint8_t[]){ 10, 0, 2, 2 }, 4);
	add_opt(52, (uint8_t[]){ 3 }, 1); /* file and sname hold options */
	pkt[opt++] = 255;
	/* The file field holds option 67, the sname field option 54 (ignored: siaddr is set). */
	memcpy(pkt + 108, (uint8_t[]){ 67, 6, 'o', '.', 'e', 'f', 'i', 0, 255 }, 9);
	memcpy(pkt + 44, (uint8_t[]){ 54, 4, 1, 2, 3, 4, 255 }, 7);
	CHECK_EQ(parse(sizeof(pkt)), 0);
	CHECK(!strcmp(info.file, "o.efi"));
	/* Overloaded but no option 67 anywhere: the field's bytes are not a file name. */
	memset(pkt + 108, 0, 128);
	memcpy(pkt + 108, (uint8_t[]){ 12, 3, 'a', 'b', 'c', 255 }, 6); /* option 12 (host name) */
	CHECK_EQ(parse(sizeof(pkt)), -1);
	CHECK(strstr(err, "names no boot file"));
}

TEST(dhcp_boot_refuses_what_it_cannot_use)
{
	reset();
	strcpy((char *)pkt + 108, "hv.efi");
	pkt[opt++] = 255;
	CHECK_EQ(parse(sizeof(pkt)), -1);
	CHECK(strstr(err, "names no boot server (siaddr 0, no option 54)"));
	CHECK(info.file[0] == 0);
	reset();
	memcpy(pkt + 20, (uint8_t[]){ 10, 0, 2, 2 }, 4);
	CHECK_EQ(parse(sizeof(pkt)), -1);
	CHECK(strstr(err, "names no boot file"));
	CHECK_EQ(parse(235), -1);
	CHECK(strstr(err, "235 bytes, too short"));
	/* Options cut off by the end of the packet: option 54 runs past it and is not used. */
	reset();
	strcpy((char *)pkt + 108, "hv.efi");
	add_opt(54, (uint8_t[]){ 1, 2, 3, 4 }, 4);
	CHECK_EQ(parse(opt - 1), -1);
	CHECK_EQ(parse(opt), 0);
	CHECK(server_is(1, 2, 3, 4));
	/* A 128-byte file field without a NUL: all 128 bytes, terminated. */
	memset(pkt + 108, 'f', 128);
	CHECK_EQ(parse(opt), 0);
	CHECK_EQ(strlen(info.file), 128);
}
