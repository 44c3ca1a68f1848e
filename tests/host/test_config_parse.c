/* hv.cfg: valid files, line ends, cpu = all placement, limits, and fuzzing. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "hv/config.h"
#include "tests/host/config_test_util.h"
#include "tests/host/harness.h"

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
	"cmdline =   console=com1 a#b  # a comment   \n"      /* 11 */
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
	CHECK_STR(w->cmdline, "console=com1 a#b");
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
	CHECK_EQ(config_place("hv.cfg", &cfg, 3, cfg_err, sizeof(cfg_err)), 0);
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
	REQUIRE(config_place("hv.cfg", &cfg, 1, cfg_err, sizeof(cfg_err)) == 0);
	REQUIRE(cfg.nguests == 1);
	CHECK_STR(cfg.guests[0].name, "solo");
	CHECK_EQ(cfg.guests[0].cpu, 0);
	CHECK(config_guest_for_cpu(&cfg, 0) == &cfg.guests[0]);
	CHECK(config_guest_for_cpu(&cfg, 1) == NULL);
}

TEST(config_place_all_four_cpus)
{
	REQUIRE(parse("[guest st]\ncpu = all\nmemory = 8M\nkernel = builtin:x\ncmdline = c\nmodule = m a b\nxcr0 = 3\n") == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 4, cfg_err, sizeof(cfg_err)) == 0);
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
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, cfg_err, sizeof(cfg_err)), 0);
	CHECK_EQ(cfg.nguests, 4);
	CHECK_EQ(config_place("hv.cfg", &cfg, 2, cfg_err, sizeof(cfg_err)), -1);
	CHECK_STR(cfg_err, "hv.cfg:1: guest 'st-2' wants cpu 2 but this machine has 2 CPUs");
}

TEST(config_place_all_more_cpus_than_slots)
{
	REQUIRE(parse("[guest abcdefghijklmnopqrstuvwxyz01]\ncpu = all\nmemory = 8M\nkernel = k\n") == 0);
	REQUIRE(config_place("hv.cfg", &cfg, 200, cfg_err, sizeof(cfg_err)) == 0);
	REQUIRE(cfg.nguests == HV_MAX_GUESTS);
	CHECK_STR(cfg.guests[63].name, "abcdefghijklmnopqrstuvwxyz01-63");
	CHECK(config_guest_for_cpu(&cfg, 63) == &cfg.guests[63]);
	CHECK(config_guest_for_cpu(&cfg, 64) == NULL);
}

TEST(config_place_cpu_out_of_range)
{
	REQUIRE(parse(G("a", "0") "\n\n" G("x", "5")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, cfg_err, sizeof(cfg_err)), -1);
	CHECK_STR(cfg_err, "hv.cfg:7: guest 'x' wants cpu 5 but this machine has 4 CPUs");
	REQUIRE(parse(G("a", "1")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 1, cfg_err, sizeof(cfg_err)), -1);
	CHECK_STR(cfg_err, "hv.cfg:1: guest 'a' wants cpu 1 but this machine has 1 CPU");
	REQUIRE(parse(G("a", "1")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 2, cfg_err, sizeof(cfg_err)), 0);
	REQUIRE(parse(G("a", "all")) == 0);
	CHECK_EQ(config_place("hv.cfg", &cfg, 0, cfg_err, sizeof(cfg_err)), -1);
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
	CHECK_EQ(config_place("hv.cfg", &cfg, 64, cfg_err, sizeof(cfg_err)), 0);
	CHECK(config_guest_for_cpu(&cfg, 40) == &cfg.guests[40]);
	CHECK_ERR(guests_text(HV_MAX_GUESTS + 1), 257, "too many guests (max 64)");
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
	CHECK(memchr(cfg_err, 0, sizeof(cfg_err)) != NULL);
	if (r) {
		CHECK(!strncmp(cfg_err, "hv.cfg:", 7));
		CHECK(!strchr(cfg_err, '\n'));
		return;
	}
	CHECK(cfg_err[0] == 0);
	CHECK(cfg.nguests >= 1 && cfg.nguests <= HV_MAX_GUESTS);
	for (uint32_t i = 0; i < cfg.nguests && i < HV_MAX_GUESTS; i++) {
		const struct hv_guest_cfg *g = &cfg.guests[i];
		CHECK(memchr(g->name, 0, sizeof(g->name)) && g->name[0]);
		CHECK(memchr(g->error, 0, sizeof(g->error)));
		if (g->error[0]) /* a mistake confined to this guest: one clean message */
			CHECK(!strncmp(g->error, "hv.cfg:", 7) && !strchr(g->error, '\n'));
		else
			CHECK(memchr(g->kernel, 0, sizeof(g->kernel)) && g->kernel[0]);
		CHECK(memchr(g->cmdline, 0, sizeof(g->cmdline)));
		CHECK(g->memory >= (4ull << 20) && g->memory <= (64ull << 30) && !(g->memory & 0x1fffff));
		CHECK(g->nmodules <= HV_MAX_MODULES);
	}
	uint32_t ncpus = 1 + rnd(80);
	r = config_place("hv.cfg", &cfg, ncpus, cfg_err, sizeof(cfg_err));
	CHECK(r == 0 || (r == -1 && !strncmp(cfg_err, "hv.cfg:", 7)));
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
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, cfg_err, sizeof(cfg_err)), -1);
	CHECK_STR(cfg_err, "hv.cfg:5: guest 'b' has cpu = all but is not the only guest");
	REQUIRE(parse(G("a", "all")) == 0);
	memset(cfg.guests[0].name, 'n', HV_NAME_MAX - 1);
	CHECK_EQ(config_place("hv.cfg", &cfg, 4, cfg_err, sizeof(cfg_err)), -1);
	CHECK(strstr(cfg_err, "is too long for cpu = all"));
}
