/* hv.cfg bad input: unreadable files, trailing comments, non-ASCII bytes, xcr0 bits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/config.h"
#include "hv/config_file.h"
#include "hv/xcr0_policy.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

TEST(config_file_missing_uses_default_unreadable_stops)
{
	char err[64] = "untouched";
	CHECK_EQ(config_origin(FILE_READ_OK, "", err, sizeof(err)), CONFIG_FROM_FILE);
	CHECK_EQ(config_origin(FILE_READ_NOT_FOUND, "hv.cfg: file not found", err, sizeof(err)),
		 CONFIG_FROM_DEFAULT);
	CHECK_STR(err, "untouched");
	CHECK_EQ(config_origin(FILE_READ_ERROR, "hv.cfg: is a directory, not a file", err, sizeof(err)),
		 CONFIG_UNREADABLE);
	CHECK_STR(err, "hv.cfg: is a directory, not a file");
	CHECK_EQ(config_origin(FILE_READ_ERROR, "hv.cfg: out of memory for 9 bytes", err, sizeof(err)),
		 CONFIG_UNREADABLE);
	CHECK_STR(err, "hv.cfg: out of memory for 9 bytes");
	CHECK_EQ(config_origin(FILE_READ_ERROR, "", err, sizeof(err)), CONFIG_UNREADABLE);
	CHECK_STR(err, "hv.cfg: cannot be read");
	/* Any other failure code is an error too, never the default. */
	CHECK_EQ(config_origin(-7, "hv.cfg: read error", err, sizeof(err)), CONFIG_UNREADABLE);
	CHECK_STR(err, "hv.cfg: read error");
}

TEST(config_trailing_comments)
{
	REQUIRE(parse("[hv]   # global\non_finish = halt\t# or poweroff\n"
		      "[guest web]  # the web guest\n"
		      "cpu = 1 # one CPU\nmemory = 32M   # for the web guest\n"
		      "kernel = k.elf #\ncmdline = a#b c #d # e\n"
		      "module = m.bin  x#y   # the module\n") == 0);
	CHECK_EQ(cfg.on_finish, HV_FINISH_HALT);
	CHECK_EQ(cfg.guests[0].cpu, 1);
	CHECK_EQ(cfg.guests[0].memory, 32ull << 20);
	CHECK_STR(cfg.guests[0].kernel, "k.elf");
	CHECK_STR(cfg.guests[0].cmdline, "a#b c");
	CHECK_STR(cfg.guests[0].modules[0].path, "m.bin");
	CHECK_STR(cfg.guests[0].modules[0].cmdline, "x#y");
	/* A value that is only a comment is empty. */
	CHECK_ERR(G("a", "0") "xcr0 = # none\n", 5, "bad xcr0 ''");
	CHECK_ERR("[guest a]\nmemory = 4M#x\n", 2, "bad memory size '4M#x'");
}

/* README.md's example, between its "## Configuration: `hv.cfg`" heading and the
 * first line that is not indented: it must parse as it is printed. */
TEST(config_readme_example_parses)
{
	FILE *f = fopen("README.md", "r");
	REQUIRE(f != NULL); /* the unit tests run from the source tree */
	static char text[16384], line[1024];
	size_t len = 0;
	int state = 0; /* 0: before the heading, 1: before the block, 2: in it */
	while (state < 3 && fgets(line, sizeof(line), f)) {
		bool indented = !strncmp(line, "    ", 4);
		if (state == 0 && !strncmp(line, "## Configuration: `hv.cfg`", 26))
			state = 1;
		else if (state == 1 && indented)
			state = 2;
		else if (state == 2 && !indented && line[0] != '\n')
			state = 3;
		if (state == 2) {
			const char *body = indented ? line + 4 : line;
			REQUIRE(len + strlen(body) < sizeof(text));
			memcpy(text + len, body, strlen(body));
			len += strlen(body);
		}
	}
	fclose(f);
	REQUIRE(state == 3 && len > 200);
	CHECK(strstr(text, "[guest web]") != NULL);
	REQUIRE(parse_n(text, len) == 0);
	CHECK_STR(cfg.guests[0].name, "web");
	CHECK_STR(cfg.guests[0].cmdline, "console=com1 verbose");
	CHECK_STR(cfg.guests[0].modules[0].cmdline, "the module's own command line");
	CHECK_EQ(cfg.guests[0].xcr0, 7);
}

TEST(config_non_ascii_paths_rejected_messages_escaped)
{
	CHECK_ERR("[guest a]\nkernel = gu\xc3\xa9sts/k.elf\n", 2,
		  "kernel path 'gu\\xc3\\xa9sts/k.elf' contains a byte 0xc3 that is not printable ASCII");
	CHECK_ERR("[guest a]\nkernel = k\x7f.elf\n", 2, "invalid character 0x7f");
	CHECK_ERR("[guest a]\nmodule = m\xff.bin arg\n", 2,
		  "module path 'm\\xff.bin' contains a byte 0xff that is not printable ASCII");
	CHECK_ERR("[guest a]\nkernel = a\tb\n", 2,
		  "kernel path 'a\\x09b' contains a byte 0x09 that is not printable ASCII");
	/* Other values are quoted escaped in messages. */
	CHECK_ERR("[guest a]\nxcr0 = \x1b\x9b" "31m\n", 2, "invalid character 0x1b");
	CHECK_ERR("[guest a]\nxcr0 = \x9b" "31m\n", 2, "bad xcr0 '\\x9b31m'");
	CHECK_ERR("[guest a]\nmemory = 4\xe2\x80\x8bM\n", 2, "bad memory size '4\\xe2\\x80\\x8bM'");
	/* Bytes >= 0x80 in a command line reach the guest unchanged (its business). */
	REQUIRE(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\ncmdline = caf\xc3\xa9\n") == 0);
	CHECK_STR(cfg.guests[0].cmdline, "caf\xc3\xa9");
}

TEST(config_xcr0_not_user_state)
{
	/* Supervisor components (PT 8, PASID 10, CET 11-12, HDC 13, UINTR 14, LBR 15, HWP 16). */
	CHECK_ERR("[guest a]\nxcr0 = 0x107\n", 2,
		  "xcr0 0x107 sets bits 0x100 that are not XCR0 user-state components");
	CHECK_ERR("[guest a]\nxcr0 = 0x1803\n", 2, "sets bits 0x1800 that are not XCR0 user-state");
	CHECK_ERR("[guest a]\nxcr0 = 0x1fd03\n", 2, "sets bits 0x1fd00");
	/* Reserved bits, low and high. */
	CHECK_ERR("[guest a]\nxcr0 = 0x80003\n", 2, "sets bits 0x80000");
	CHECK_ERR("[guest a]\nxcr0 = 0x8000000000000003\n", 2, "sets bits 0x8000000000000000");
	CHECK_EQ(XCR0_USER_STATE, 0x602ffull);
	CHECK_ERR("[guest a]\nxcr0 = 0x60000\n", 2, "bit 0 (x87) must be set");
	CHECK_ERR("[guest a]\nxcr0 = 0x40001\n", 2, "AMX bits 17 and 18 go together");
	CHECK_ERR("[guest a]\nxcr0 = 0x63\n", 2, "AVX-512 needs all of bits 5-7 and AVX");
	REQUIRE(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nxcr0 = 0x203\n") == 0);
	CHECK_EQ(cfg.guests[0].xcr0, 0x203);
}

TEST(config_xcr0_cpu_lacks)
{
	char err[256];
	REQUIRE(parse(G("a", "0") G("web", "1") "\n# avx-512\nxcr0 = 0xe7\n" G("c", "2")) == 0);
	CHECK_EQ(cfg.guests[1].xcr0_line, 11);
	CHECK(config_check_xcr0("hv.cfg", &cfg, 0x2e7, err, sizeof(err)) == 0);
	CHECK(config_check_xcr0("hv.cfg", &cfg, 0x7, err, sizeof(err)) == -1);
	CHECK_STR(err, "hv.cfg:11: guest 'web': xcr0 0xe7 needs bits 0xe0 this CPU lacks "
		       "(it supports 0x7)");
	/* No XSAVE at all: CPUID reports nothing. */
	CHECK(config_check_xcr0("hv.cfg", &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "needs bits 0xe7") != NULL);
	/* Without xcr0 the guest gets what the CPU has: never an error. */
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK(config_check_xcr0("hv.cfg", &cfg, 0, err, sizeof(err)) == 0);
}
