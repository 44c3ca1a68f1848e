/* hv.cfg bad input: unreadable files, trailing comments, non-ASCII bytes, xcr0 bits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/config.h"
#include "hv/config_file.h"
#include "hv/guest_setup.h"
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

/* Bits the CPU lacks hold back only the guest that asked for them. */
TEST(config_xcr0_cpu_lacks)
{
	REQUIRE(parse(G("a", "0") G("web", "1") "\n# avx-512\nxcr0 = 0xe7\n" G("c", "2")) == 0);
	CHECK_EQ(cfg.guests[1].xcr0_line, 11);
	CHECK_EQ(config_check_xcr0("hv.cfg", &cfg, 0x2e7), 0);
	CHECK(first_guest_error() == NULL);
	CHECK_EQ(config_check_xcr0("hv.cfg", &cfg, 0x7), 1);
	CHECK_STR(cfg.guests[1].error, "hv.cfg:11: xcr0 0xe7 needs bits 0xe0 this CPU lacks "
				       "(it supports 0x7)");
	CHECK(!cfg.guests[0].error[0] && !cfg.guests[2].error[0]);
	/* No XSAVE at all: CPUID reports nothing. An error already there stays. */
	CHECK_EQ(config_check_xcr0("hv.cfg", &cfg, 0), 0);
	CHECK(strstr(cfg.guests[1].error, "needs bits 0xe0") != NULL);
	REQUIRE(parse(G("a", "0") "xcr0 = 0x3\n" G("b", "1") "xcr0 = 0x7\n") == 0);
	CHECK_EQ(config_check_xcr0("hv.cfg", &cfg, 0), 2);
	CHECK_STR(cfg.guests[1].error, "hv.cfg:10: xcr0 0x7 needs bits 0x7 this CPU lacks "
				       "(it supports 0x0)");
	/* Without xcr0 the guest gets what the CPU has: never an error. */
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK_EQ(config_check_xcr0("hv.cfg", &cfg, 0), 0);
	CHECK(first_guest_error() == NULL);
}

/* A bad kernel, module, cmdline, xcr0 or timeout value stops only its guest: the file
 * parses, that guest carries the first message, the others are untouched. Structure, name,
 * cpu and memory mistakes still stop everything. */
TEST(config_bad_guest_values_confined_to_the_guest)
{
	REQUIRE(parse(G("good", "0")
		      "[guest k]\ncpu = 1\nmemory = 8M\nkernel = gu\xc3\xa9st.elf\nxcr0 = 0x5\n"
		      "[guest x]\ncpu = 2\nmemory = 8M\nkernel = k.elf\nxcr0 = 0x107\n"
		      "[guest t]\ncpu = 3\nmemory = 8M\ntimeout = 0s\nkernel = k.elf\n"
		      "[guest m]\ncpu = 4\nmemory = 8M\nkernel = k.elf\nmodule = m\xff.bin arg\n"
		      "[guest after]\ncpu = 5\nmemory = 8M\nkernel = k.elf\n") == 0);
	REQUIRE(cfg.nguests == 6);
	CHECK(!cfg.guests[0].error[0] && !cfg.guests[5].error[0]);
	CHECK_STR(cfg.guests[1].error, "hv.cfg:8: kernel path 'gu\\xc3\\xa9st.elf' contains a byte "
				       "0xc3 that is not printable ASCII"); /* the first of two */
	CHECK_STR(cfg.guests[2].error, "hv.cfg:14: xcr0 0x107 sets bits 0x100 that are not XCR0 "
				       "user-state components (supervisor-only or reserved)");
	CHECK_STR(cfg.guests[3].error, "hv.cfg:18: timeout '0s' must be at least 1 ms (for no "
				       "limit, leave the key out)");
	CHECK_STR(cfg.guests[4].error, "hv.cfg:24: module path 'm\\xff.bin' contains a byte 0xff "
				       "that is not printable ASCII");
	CHECK_EQ(cfg.guests[5].cpu, 5);
	REQUIRE(parse(G("a", "0") "xcr0 = 0x5\n") == 0);
	CHECK_STR(cfg.guests[0].error, "hv.cfg:5: xcr0 0x5 is invalid: AVX (bit 2) needs SSE (bit 1)");
	/* Not confined: the guest cannot be placed or sized, or the file is wrong. */
	CHECK_ERR(G("a", "0") "[guest b]\ncpu = 1\nmemory = 3M\nkernel = k\n", 7,
		  "memory '3M' is not a multiple of 2 MiB");
	CHECK(first_guest_error() == NULL);
	CHECK_ERR(G("a", "0") "[guest caf\xc3\xa9]\n", 5,
		  "bad guest name 'caf\\xc3\\xa9' (allowed: A-Z a-z 0-9 _ . -)");
	CHECK_ERR(G("a", "0") "cmdline = a\x1b[31mred\n", 5, "invalid character 0x1b");
}

/* A guest held back by its own line is stopped before anything is set up for it (boot/
 * reserve.c gives it no memory and reads no file): its end line names the line. */
TEST(config_confined_guest_stopped_at_setup)
{
	static uint8_t ports[8192];
	REQUIRE(parse(G("a", "0") "[guest b]\ncpu = 1\nmemory = 8M\nkernel = k\xe9.elf\n") == 0);
	struct vcpu *v = calloc(1, sizeof(*v));
	struct blob none = { NULL, 0 };
	guest_setup(v, &cfg.guests[1], 1, 0, NULL, &none, NULL, ports);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	CHECK_STR(v->end.reason, "hv.cfg:8: kernel path 'k\\xe9.elf' contains a byte 0xe9 that is "
				 "not printable ASCII");
	free(v);
}
