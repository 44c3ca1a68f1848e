#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/config.h"
#include "tests/host/harness.h"

static struct hv_config cfg;
static char err[256];

/* An exact-size heap copy, so ASan catches any read past len. */
static int parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	int r = config_parse("hv.cfg", copy, len, &cfg, err, sizeof(err));
	free(copy);
	return r;
}

static int parse(const char *text)
{
	int r = parse_n(text, strlen(text));
	if (r)
		printf("    unexpected error: %s\n", err);
	return r;
}

/* Must fail with "hv.cfg:LINE: " and then a message containing msg. */
static int fails_with(const char *text, int line, const char *msg)
{
	char prefix[32];
	int r = parse_n(text, strlen(text));
	snprintf(prefix, sizeof(prefix), "hv.cfg:%d: ", line);
	int ok = r == -1 && !strncmp(err, prefix, strlen(prefix)) && strstr(err, msg) &&
		 !strchr(err, '\n');
	if (!ok)
		printf("    got %d '%s', wanted '%s...%s'\n", r, err, prefix, msg);
	return ok;
}

#define CHECK_ERR(text, line, msg) CHECK(fails_with(text, line, msg))
#define CHECK_STR(a, b) CHECK(!strcmp((a), (b)))

#define G(name, cpu) "[guest " name "]\ncpu = " cpu "\nmemory = 32M\nkernel = k.elf\n"

static const char full_text[] =
	"# hv.cfg for the test machine\n"                      /* 1 */
	"\n"                                                    /* 2 */
	"   # indented comment\n"                               /* 3 */
	"[hv]\n"                                                /* 4 */
	"on_finish = reboot\n"                                  /* 5 */
	"\n"                                                    /* 6 */
	"[guest web]\n"                                         /* 7 */
	"cpu = 2\n"                                             /* 8 */
	"memory = 64M\n"                                        /* 9 */
	"kernel = guests\\web\\vmlinux.elf\n"                   /* 10 */
	"cmdline =   console=com1  # not a comment   \n"       /* 11 */
	"module = guests/initrd.bin   root=/dev/ram0 rw \n"    /* 12 */
	"module=guests/extra.bin\n"                             /* 13 */
	"\txcr0\t=\t0x7\n"                                      /* 14 */
	"\t# tab-indented comment\n"                            /* 15 */
	"[ guest   db.2_x-y ]\n"                                /* 16 */
	"kernel = builtin:selftest\n"                           /* 17 */
	"memory=1G\n"                                           /* 18 */
	"cpu=0\n"                                               /* 19 */
	"xcr0 = 231\n"                                          /* 20 */
	"cmdline =\n";                                          /* 21, no newline at the end next */

static void check_full(void)
{
	CHECK_EQ(cfg.on_finish, HV_FINISH_REBOOT);
	REQUIRE(cfg.nguests == 2);
	const struct hv_guest_cfg *w = &cfg.guests[0], *d = &cfg.guests[1];
	CHECK_STR(w->name, "web");
	CHECK_EQ(w->cpu, 2);
	CHECK_EQ(w->memory, 64ull << 20);
	CHECK_STR(w->kernel, "guests\\web\\vmlinux.elf");
	CHECK_STR(w->cmdline, "console=com1  # not a comment");
	CHECK_EQ(w->nmodules, 2);
	CHECK_STR(w->modules[0].path, "guests/initrd.bin");
	CHECK_STR(w->modules[0].cmdline, "root=/dev/ram0 rw");
	CHECK_STR(w->modules[1].path, "guests/extra.bin");
	CHECK_STR(w->modules[1].cmdline, "");
	CHECK(w->xcr0_set);
	CHECK_EQ(w->xcr0, 7);
	CHECK_EQ(w->line, 7);
	CHECK_STR(d->name, "db.2_x-y");
	CHECK_EQ(d->cpu, 0);
	CHECK_EQ(d->memory, 1ull << 30);
	CHECK_STR(d->kernel, "builtin:selftest");
	CHECK_STR(d->cmdline, "");
	CHECK_EQ(d->nmodules, 0);
	CHECK(d->xcr0_set);
	CHECK_EQ(d->xcr0, 231);
	CHECK_EQ(d->line, 16);
}

TEST(config_full_file)
{
	REQUIRE(parse(full_text) == 0);
	check_full();
	CHECK(config_guest_for_cpu(&cfg, 2) == &cfg.guests[0]);
	CHECK(config_guest_for_cpu(&cfg, 0) == &cfg.guests[1]);
	CHECK(config_guest_for_cpu(&cfg, 1) == NULL);
	CHECK_EQ(config_place("hv.cfg", &cfg, 3, err, sizeof(err)), 0);
	CHECK_EQ(cfg.nguests, 2);
}

TEST(config_crlf_and_line_ends)
{
	char crlf[sizeof(full_text) * 2];
	size_t n = 0;
	for (const char *s = full_text; *s; s++) {
		if (*s == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *s;
	}
	crlf[n] = 0;
	REQUIRE(parse(crlf) == 0);
	check_full();
	/* Without a final line end, with a lone final CR, with a UTF-8 BOM. */
	CHECK(parse("[guest a]\ncpu = 1\nmemory = 4M\nkernel = x") == 0 && !strcmp(cfg.guests[0].kernel, "x"));
	CHECK(parse("[guest a]\ncpu = 1\nmemory = 4M\nkernel = x\r") == 0 && !strcmp(cfg.guests[0].kernel, "x"));
	CHECK(parse("\xef\xbb\xbf[guest a]\r\ncpu = 1\r\nmemory = 4M\r\nkernel = x\r\n") == 0);
	CHECK_ERR("[guest a]\ncpu = 1\rmemory = 4M\nkernel = x\n", 2, "invalid character 0x0d");
}

TEST(config_default_text)
{
	static const char def[] = "[guest selftest]\ncpu = all\nmemory = 32M\nkernel = builtin:selftest\n";
	REQUIRE(parse(def) == 0);
	CHECK_EQ(cfg.on_finish, HV_FINISH_POWEROFF);
	REQUIRE(cfg.nguests == 1);
	CHECK_STR(cfg.guests[0].name, "selftest");
	CHECK_EQ(cfg.guests[0].cpu, HV_CPU_ALL);
	CHECK_EQ(cfg.guests[0].memory, 32ull << 20);
	CHECK_STR(cfg.guests[0].kernel, "builtin:selftest");
	CHECK(!cfg.guests[0].xcr0_set);
	CHECK_EQ(cfg.guests[0].nmodules, 0);
	CHECK_EQ(cfg.guests[0].line, 1);
}

TEST(config_comments_and_blanks)
{
	REQUIRE(parse("#c\n\n  \t\n   # c2\n[guest a]\n# c3\n\t#c4\ncpu = 1\n\nmemory = 4M\n  kernel = x\n#") == 0);
	CHECK_EQ(cfg.nguests, 1);
	CHECK_ERR("# only comments\n\n", 2, "no [guest] section");
	CHECK_ERR("", 1, "no [guest] section");
	CHECK_ERR("[hv]\non_finish = halt\n", 2, "no [guest] section");
}

TEST(config_place_all_one_cpu)
{
	REQUIRE(parse("[guest solo]\ncpu = all\nmemory = 8M\nkernel = builtin:x\nmodule = m a b\n") == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 1, err, sizeof(err)) == 0);
	REQUIRE(cfg.nguests == 1);
	CHECK_STR(cfg.guests[0].name, "solo");
	CHECK_EQ(cfg.guests[0].cpu, 0);
	CHECK(config_guest_for_cpu(&cfg, 0) == &cfg.guests[0]);
	CHECK(config_guest_for_cpu(&cfg, 1) == NULL);
}

TEST(config_place_all_four_cpus)
{
	REQUIRE(parse("[guest st]\ncpu = all\nmemory = 8M\nkernel = builtin:x\ncmdline = c\nmodule = m a b\nxcr0 = 3\n") == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 4, err, sizeof(err)) == 0);
	REQUIRE(cfg.nguests == 4);
	for (uint32_t c = 0; c < 4; c++) {
		const struct hv_guest_cfg *g = config_guest_for_cpu(&cfg, c);
		char name[16];
		snprintf(name, sizeof(name), "st-%u", c);
		REQUIRE(g == &cfg.guests[c]);
		CHECK_STR(g->name, name);
		CHECK_EQ(g->memory, 8ull << 20);
		CHECK_STR(g->kernel, "builtin:x");
		CHECK_STR(g->cmdline, "c");
		CHECK_EQ(g->nmodules, 1);
		CHECK_STR(g->modules[0].cmdline, "a b");
		CHECK(g->xcr0_set && g->xcr0 == 3);
		CHECK_EQ(g->line, 1);
	}
	/* Placing again is a no-op, and fewer CPUs than copies is an error. */
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, err, sizeof(err)), 0);
	CHECK_EQ(cfg.nguests, 4);
	CHECK_EQ(config_place("hv.cfg", &cfg, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "hv.cfg:1: guest 'st-2' wants cpu 2 but this machine has 2 CPUs");
}

TEST(config_place_all_more_cpus_than_slots)
{
	REQUIRE(parse("[guest abcdefghijklmnopqrstuvwxyz01]\ncpu = all\nmemory = 8M\nkernel = k\n") == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 200, err, sizeof(err)) == 0);
	REQUIRE(cfg.nguests == HV_MAX_GUESTS);
	CHECK_STR(cfg.guests[63].name, "abcdefghijklmnopqrstuvwxyz01-63");
	CHECK(config_guest_for_cpu(&cfg, 63) == &cfg.guests[63]);
	CHECK(config_guest_for_cpu(&cfg, 64) == NULL);
}

TEST(config_place_cpu_out_of_range)
{
	REQUIRE(parse(G("a", "0") "\n\n" G("x", "5")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "hv.cfg:7: guest 'x' wants cpu 5 but this machine has 4 CPUs");
	REQUIRE(parse(G("a", "1")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 1, err, sizeof(err)), -1);
	CHECK_STR(err, "hv.cfg:1: guest 'a' wants cpu 1 but this machine has 1 CPU");
	REQUIRE(parse(G("a", "1")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 2, err, sizeof(err)), 0);
	REQUIRE(parse(G("a", "all")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 0, err, sizeof(err)), -1);
}

TEST(config_error_messages_exact)
{
	CHECK_ERR(G("a", "0") "\n[guest web]\ncpu = 1\nkernel = k\nmemroy = 4M\n", 9, "");
	CHECK_STR(err, "hv.cfg:9: unknown key 'memroy' in [guest web]");
	CHECK_ERR("[guest a]\ncpu = 0\nmemory = 3M\n", 3, "");
	CHECK_STR(err, "hv.cfg:3: memory '3M' is not a multiple of 2 MiB");
	CHECK_ERR(G("a", "1") G("b", "2") "[guest c]\nmemory = 4M\ncpu = 1\n", 11, "");
	CHECK_STR(err, "hv.cfg:11: cpu 1 is already used by guest 'a'");
	CHECK_ERR(G("a", "0") "\n\n\n[guest b]\ncpu = 1\nmemory = 4M\n", 8, "");
	CHECK_STR(err, "hv.cfg:8: guest 'b' has no kernel");
	CHECK_ERR("cpu = 1\n[guest a]\n", 1, "");
	CHECK_STR(err, "hv.cfg:1: text before the first section");
}

TEST(config_errors_sections)
{
	CHECK_ERR("# x\n\n  junk\n", 3, "text before the first section");
	CHECK_ERR(G("a", "0") "[foo]\n", 5, "unknown section '[foo]'");
	CHECK_ERR("[guestx]\n", 1, "unknown section '[guestx]'");
	CHECK_ERR("[hv x]\n", 1, "unknown section '[hv x]'");
	CHECK_ERR("[]\n", 1, "unknown section '[]'");
	CHECK_ERR("[guest]\n", 1, "needs a name");
	CHECK_ERR("[guest   ]\n", 1, "needs a name");
	CHECK_ERR("[guest a\n", 1, "must end with ']'");
	CHECK_ERR("[\n", 1, "must end with ']'");
	CHECK_ERR("[hv] # comment\n", 1, "must end with ']'");
	CHECK_ERR("[hv]\n[hv]\n", 2, "duplicate [hv] section");
	CHECK_ERR("[guest a b]\n", 1, "bad guest name 'a b'");
	CHECK_ERR("[guest a/b]\n", 1, "bad guest name 'a/b'");
	CHECK_ERR("[guest \xc3\xa9]\n", 1, "bad guest name");
	CHECK_ERR(G("a", "0") G("b", "1") G("a", "2"), 9, "duplicate guest name 'a' (first at line 1)");
	CHECK_ERR("[guest a]\nmemory = 4M\nkernel = k\n", 1, "guest 'a' has no cpu");
	CHECK_ERR("[guest a]\ncpu = 1\nkernel = k\n[hv]\n", 1, "guest 'a' has no memory");
	CHECK_ERR("[hv]\n[guest a]\ncpu = 1\nmemory = 4M\n", 2, "guest 'a' has no kernel");
	/* [hv] may come after guests. */
	CHECK(parse(G("a", "0") "[hv]\non_finish = halt\n") == 0 && cfg.on_finish == HV_FINISH_HALT);
}

TEST(config_errors_keys)
{
	CHECK_ERR("[hv]\nfoo = 1\n", 2, "unknown key 'foo' in [hv]");
	CHECK_ERR("[hv]\non_finish = halt\non_finish = halt\n", 3, "duplicate key 'on_finish' in [hv]");
	CHECK_ERR("[hv]\non_finish = Halt\n", 2, "bad on_finish 'Halt'");
	CHECK_ERR("[hv]\non_finish =\n", 2, "bad on_finish ''");
	CHECK_ERR("[guest a]\nCPU = 1\n", 2, "unknown key 'CPU' in [guest a]");
	CHECK_ERR("[guest a]\ncpu = 1\ncpu = 2\n", 3, "duplicate key 'cpu' in [guest a]");
	CHECK_ERR("[guest a]\ncmdline = x\ncmdline = y\n", 3, "duplicate key 'cmdline'");
	CHECK_ERR("[guest a]\nxcr0 = 3\nxcr0 = 3\n", 3, "duplicate key 'xcr0'");
	CHECK_ERR("[guest a]\nkernel = a\nkernel = b\n", 3, "duplicate key 'kernel'");
	CHECK_ERR("[guest a]\nmemory = 4M\nmemory = 4M\n", 3, "duplicate key 'memory'");
	CHECK_ERR("[guest a]\ncpu 1\n", 2, "expected 'key = value'");
	CHECK_ERR("[guest a]\n = 1\n", 2, "expected 'key = value'");
	CHECK_ERR("[guest a]\nkernel =\n", 2, "kernel needs a path");
	CHECK_ERR("[guest a]\nkernel = builtin:\n", 2, "builtin:");
	CHECK_ERR("[guest a]\nmodule =\n", 2, "module needs a path");
	CHECK_ERR("[guest a]\n\x01\n", 2, "invalid character 0x01");
	CHECK_ERR("[guest a]\ncmdline = a\x1b[0m\n", 2, "invalid character 0x1b");
	CHECK_ERR("[guest a]\ncmdline = \x7f\n", 2, "invalid character 0x7f");
	static const char nul[] = "[guest a]\ncpu = 1\0\nmemory = 4M\n";
	CHECK_EQ(parse_n(nul, sizeof(nul) - 1), -1);
	CHECK_STR(err, "hv.cfg:2: invalid character 0x00");
}

TEST(config_errors_numbers)
{
	CHECK_ERR("[guest a]\ncpu = x\n", 2, "bad cpu 'x'");
	CHECK_ERR("[guest a]\ncpu =\n", 2, "bad cpu ''");
	CHECK_ERR("[guest a]\ncpu = -1\n", 2, "bad cpu '-1'");
	CHECK_ERR("[guest a]\ncpu = 1.5\n", 2, "bad cpu '1.5'");
	CHECK_ERR("[guest a]\ncpu = 0x1\n", 2, "bad cpu '0x1'");
	CHECK_ERR("[guest a]\ncpu = ALL\n", 2, "bad cpu 'ALL'");
	CHECK_ERR("[guest a]\ncpu = 4294967295\n", 2, "cpu 4294967295 is out of range");
	CHECK_ERR("[guest a]\ncpu = 99999999999999999999999\n", 2, "bad cpu");
	CHECK(parse("[guest a]\ncpu = 4294967294\nmemory = 4M\nkernel = k\n") == 0 &&
	      cfg.guests[0].cpu == 4294967294u);

	CHECK_ERR("[guest a]\nmemory = abc\n", 2, "bad memory size 'abc'");
	CHECK_ERR("[guest a]\nmemory =\n", 2, "bad memory size ''");
	CHECK_ERR("[guest a]\nmemory = 32MB\n", 2, "bad memory size '32MB'");
	CHECK_ERR("[guest a]\nmemory = 32 M\n", 2, "bad memory size '32 M'");
	CHECK_ERR("[guest a]\nmemory = 32T\n", 2, "bad memory size '32T'");
	CHECK_ERR("[guest a]\nmemory = M\n", 2, "bad memory size 'M'");
	CHECK_ERR("[guest a]\nmemory = 0x400000\n", 2, "bad memory size");
	CHECK_ERR("[guest a]\nmemory = 2M\n", 2, "memory '2M' is out of range (4 MiB..64 GiB)");
	CHECK_ERR("[guest a]\nmemory = 0\n", 2, "memory '0' is out of range");
	CHECK_ERR("[guest a]\nmemory = 66G\n", 2, "memory '66G' is out of range");
	CHECK_ERR("[guest a]\nmemory = 65538M\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 18446744073709551615G\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 4194305\n", 2, "not a multiple of 2 MiB");
	CHECK_ERR("[guest a]\nmemory = 68719476737\n", 2, "out of range");
	CHECK_ERR("[guest a]\nmemory = 5000K\n", 2, "not a multiple of 2 MiB");
	static const struct { const char *v; uint64_t bytes; } ok[] = {
		{ "4M", 4ull << 20 }, { "4m", 4ull << 20 }, { "4194304", 4ull << 20 },
		{ "6144K", 6ull << 20 }, { "64G", 64ull << 30 }, { "65536M", 64ull << 30 },
		{ "2g", 2ull << 30 }, { "0010M", 10ull << 20 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = %s\nkernel = k\n", ok[i].v);
		CHECK(parse(text) == 0 && cfg.guests[0].memory == ok[i].bytes);
	}

	CHECK_ERR("[guest a]\nxcr0 = zz\n", 2, "bad xcr0 'zz'");
	CHECK_ERR("[guest a]\nxcr0 = 0x\n", 2, "bad xcr0 '0x'");
	CHECK_ERR("[guest a]\nxcr0 =\n", 2, "bad xcr0 ''");
	CHECK_ERR("[guest a]\nxcr0 = 0x7g\n", 2, "bad xcr0 '0x7g'");
	CHECK_ERR("[guest a]\nxcr0 = 0x10000000000000000\n", 2, "bad xcr0");
	CHECK_ERR("[guest a]\nxcr0 = 0x6\n", 2, "xcr0 0x6 is invalid: bit 0 (x87)");
	CHECK_ERR("[guest a]\nxcr0 = 5\n", 2, "AVX (bit 2) needs SSE");
	CHECK_ERR("[guest a]\nxcr0 = 0x27\n", 2, "AVX-512");
	CHECK_ERR("[guest a]\nxcr0 = 0xe3\n", 2, "AVX-512");
	CHECK_ERR("[guest a]\nxcr0 = 0xb\n", 2, "MPX");
	CHECK_ERR("[guest a]\nxcr0 = 0x20007\n", 2, "AMX");
	CHECK(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nxcr0 = 0x602e7\n") == 0 &&
	      cfg.guests[0].xcr0 == 0x602e7);
	CHECK(parse("[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nxcr0 = 0X1\n") == 0 &&
	      cfg.guests[0].xcr0 == 1);
}

TEST(config_errors_cpu_all)
{
	CHECK_ERR("[guest a]\ncpu = all\nmemory = 4M\nkernel = k\n" "[guest b]\ncpu = 1\n", 6,
		  "cpu 1 conflicts with guest 'a', which has cpu = all");
	CHECK_ERR(G("a", "0") "[guest b]\nkernel = k\ncpu = all\n", 7,
		  "cpu = all conflicts with guest 'a' (cpu 0)");
	CHECK_ERR(G("a", "all") "[guest b]\ncpu = all\n", 6, "only one guest may use cpu = all");
	/* 28 characters leave room for "-63", 29 do not. */
	CHECK(parse("[guest abcdefghijklmnopqrstuvwxyz01]\ncpu = all\nmemory = 4M\nkernel = k\n") == 0);
	CHECK_ERR("[guest abcdefghijklmnopqrstuvwxyz012]\ncpu = all\n", 2, "too long for cpu = all (max 28 chars)");
}

static char *repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = 0;
	return dst;
}

TEST(config_overlong_values)
{
	static char text[2048], v[600];
	/* Line length: 511 characters fit, also with CRLF; 512 do not. */
	snprintf(text, sizeof(text), G("a", "0") "#%s\r\n", repeat(v, 'x', 510));
	CHECK(parse(text) == 0);
	snprintf(text, sizeof(text), G("a", "0") "#%s\n", repeat(v, 'x', 511));
	CHECK_ERR(text, 5, "");
	CHECK_STR(err, "hv.cfg:5: line too long (max 511 chars)");
	snprintf(text, sizeof(text), "[guest a]\n#%s", repeat(v, 'x', 599));
	CHECK_ERR(text, 2, "line too long");

	snprintf(text, sizeof(text), "[guest %s]\ncpu = 0\nmemory = 4M\nkernel = k\n", repeat(v, 'n', 31));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].name) == 31);
	snprintf(text, sizeof(text), "[guest %s]\n", repeat(v, 'n', 32));
	CHECK_ERR(text, 1, "is too long (max 31 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = %s\n", repeat(v, 'p', 127));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].kernel) == 127);
	snprintf(text, sizeof(text), "[guest a]\nkernel = %s\n", repeat(v, 'p', 128));
	CHECK_ERR(text, 2, "kernel path too long (max 127 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\ncmdline = %s\n", repeat(v, 'c', 255));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].cmdline) == 255);
	snprintf(text, sizeof(text), "[guest a]\ncmdline = %s\n", repeat(v, 'c', 256));
	CHECK_ERR(text, 2, "cmdline too long (max 255 chars)");

	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nmodule = %s\n", repeat(v, 'p', 127));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].modules[0].path) == 127);
	snprintf(text, sizeof(text), "[guest a]\nmodule = %s x\n", repeat(v, 'p', 128));
	CHECK_ERR(text, 2, "module path too long (max 127 chars)");
	snprintf(text, sizeof(text), "[guest a]\ncpu = 0\nmemory = 4M\nkernel = k\nmodule = m %s\n", repeat(v, 'c', 255));
	CHECK(parse(text) == 0 && strlen(cfg.guests[0].modules[0].cmdline) == 255);
	snprintf(text, sizeof(text), "[guest a]\nmodule = m  %s\n", repeat(v, 'c', 256));
	CHECK_ERR(text, 2, "module cmdline too long (max 255 chars)");
}

TEST(config_modules_limit)
{
	static char text[1024];
	size_t n = (size_t)snprintf(text, sizeof(text), G("a", "0"));
	for (int i = 0; i < HV_MAX_MODULES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "module = m%d arg%d\n", i, i);
	REQUIRE(parse(text) == 0);
	REQUIRE(cfg.guests[0].nmodules == HV_MAX_MODULES);
	CHECK_STR(cfg.guests[0].modules[7].path, "m7");
	CHECK_STR(cfg.guests[0].modules[7].cmdline, "arg7");
	snprintf(text + n, sizeof(text) - n, "module = m8\n");
	CHECK_ERR(text, 13, "too many modules in [guest a] (max 8)");
}

static char *guests_text(int count)
{
	static char text[16384];
	size_t n = 0;
	for (int i = 0; i < count; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[guest g%d]\ncpu = %d\nmemory = 4M\nkernel = k\n", i, i);
	return text;
}

TEST(config_64_and_65_guests)
{
	REQUIRE(parse(guests_text(HV_MAX_GUESTS)) == 0);
	REQUIRE(cfg.nguests == HV_MAX_GUESTS);
	CHECK_STR(cfg.guests[63].name, "g63");
	CHECK_EQ(cfg.guests[63].cpu, 63);
	CHECK_EQ(cfg.guests[63].line, 253);
	CHECK_EQ(config_place("hv.cfg", &cfg, 64, err, sizeof(err)), 0);
	CHECK(config_guest_for_cpu(&cfg, 40) == &cfg.guests[40]);
	CHECK_ERR(guests_text(HV_MAX_GUESTS + 1), 257, "too many guests (max 64)");
}

TEST(config_error_buffer_sizes)
{
	char small[12];
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, small, sizeof(small)), -1);
	CHECK_STR(small, "hv.cfg:1: u");
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, small, 1), -1);
	CHECK_STR(small, "");
	CHECK_EQ(config_parse("hv.cfg", "[x]\n", 4, &cfg, NULL, 0), -1);
	CHECK_EQ(config_parse("hv.cfg", NULL, 0, &cfg, err, sizeof(err)), -1);
	CHECK_EQ(config_parse("boot:/EFI/hv/hv.cfg", "x\n", 2, &cfg, err, sizeof(err)), -1);
	CHECK_STR(err, "boot:/EFI/hv/hv.cfg:1: text before the first section");
	/* A success clears any previous message. */
	CHECK_EQ(config_parse("hv.cfg", G("a", "0"), strlen(G("a", "0")), &cfg, err, sizeof(err)), 0);
	CHECK_STR(err, "");
}

TEST(config_on_finish_names)
{
	CHECK_STR(config_on_finish_name(HV_FINISH_POWEROFF), "poweroff");
	CHECK_STR(config_on_finish_name(HV_FINISH_HALT), "halt");
	CHECK_STR(config_on_finish_name(HV_FINISH_REBOOT), "reboot");
	CHECK_STR(config_on_finish_name((enum hv_on_finish)7), "?");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32) % n;
}

/* Whatever the input, a result is either a sane configuration or one clean message. */
static void check_outcome(int r)
{
	CHECK(r == 0 || r == -1);
	CHECK(memchr(err, 0, sizeof(err)) != NULL);
	if (r) {
		CHECK(!strncmp(err, "hv.cfg:", 7));
		CHECK(!strchr(err, '\n'));
		return;
	}
	CHECK(err[0] == 0);
	CHECK(cfg.nguests >= 1 && cfg.nguests <= HV_MAX_GUESTS);
	for (uint32_t i = 0; i < cfg.nguests && i < HV_MAX_GUESTS; i++) {
		const struct hv_guest_cfg *g = &cfg.guests[i];
		CHECK(memchr(g->name, 0, sizeof(g->name)) && g->name[0]);
		CHECK(memchr(g->kernel, 0, sizeof(g->kernel)) && g->kernel[0]);
		CHECK(memchr(g->cmdline, 0, sizeof(g->cmdline)));
		CHECK(g->memory >= (4ull << 20) && g->memory <= (64ull << 30) && !(g->memory & 0x1fffff));
		CHECK(g->nmodules <= HV_MAX_MODULES);
	}
	uint32_t ncpus = 1 + rnd(80);
	r = config_place("hv.cfg", &cfg, ncpus, err, sizeof(err));
	CHECK(r == 0 || (r == -1 && !strncmp(err, "hv.cfg:", 7)));
	for (uint32_t i = 0; r == 0 && i < cfg.nguests; i++)
		CHECK(cfg.guests[i].cpu < ncpus && config_guest_for_cpu(&cfg, cfg.guests[i].cpu));
}

TEST(config_fuzz_random_bytes)
{
	static char buf[2048];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rnd(sizeof(buf));
		/* Mostly printable with some line ends, sometimes anything at all. */
		int wild = rnd(4) == 0;
		for (size_t i = 0; i < len; i++) {
			uint32_t k = rnd(100);
			buf[i] = wild ? (char)rnd(256) : k < 4 ? '\n' : k < 6 ? '[' : k < 8 ? ']' :
				 k < 11 ? '=' : k < 13 ? '\r' : (char)(32 + rnd(95));
		}
		check_outcome(parse_n(buf, len));
	}
}

TEST(config_fuzz_mutations)
{
	static const char *const tokens[] = {
		"[guest ", "[hv]", "]", "\n", "\r\n", " = ", "cpu", "all", "memory", "kernel",
		"cmdline", "module", "xcr0", "on_finish", "halt", "4M", "64G", "0x", "#", "\t",
		"builtin:", "99999999999999999999", "\0", "[guest a]\ncpu=1\nmemory=4M\nkernel=k\n",
	};
	static char buf[4096], next[4096];
	for (int iter = 0; iter < 40000; iter++) {
		size_t len = strlen(full_text);
		memcpy(buf, full_text, len);
		for (int m = 1 + rnd(6); m > 0; m--) {
			size_t at = len ? rnd((uint32_t)len + 1) : 0;
			switch (rnd(4)) {
			case 0: /* delete a span */
				if (at < len) {
					size_t n = 1 + rnd(20);
					n = MIN(n, len - at);
					memmove(buf + at, buf + at + n, len - at - n);
					len -= n;
				}
				break;
			case 1: /* flip a byte */
				if (at < len)
					buf[at] = (char)rnd(256);
				break;
			default: { /* insert a token, sometimes many copies */
				const char *t = tokens[rnd(ARRAY_SIZE(tokens))];
				size_t tl = t[0] ? strlen(t) : 1, copies = rnd(8) ? 1 : 1 + rnd(200);
				if (len + tl * copies >= sizeof(buf))
					break;
				memcpy(next, buf, at);
				for (size_t c = 0; c < copies; c++)
					memcpy(next + at + c * tl, t, tl);
				memcpy(next + at + tl * copies, buf + at, len - at);
				len += tl * copies;
				memcpy(buf, next, len);
			}
			}
		}
		check_outcome(parse_n(buf, len));
	}
}

/* Configurations built by hand rather than parsed still get checked. */
TEST(config_place_hand_built)
{
	REQUIRE(parse(G("a", "0") G("b", "1")) == 0);
	cfg.guests[1].cpu = HV_CPU_ALL;
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "hv.cfg:5: guest 'b' has cpu = all but is not the only guest");
	REQUIRE(parse(G("a", "all")) == 0);
	memset(cfg.guests[0].name, 'n', HV_NAME_MAX - 1);
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, err, sizeof(err)), -1);
	CHECK(strstr(err, "is too long for cpu = all"));
}
