/*
 * libFuzzer target: hv.cfg text through config_parse, then config_place,
 * config_check_xcr0 and config_check_smt on a machine shape picked from the input.
 * Properties (hv/config.h, the grammar at the top of hv/config_parse.c):
 * - the parser reads only text[0..len) (exact-size heap copy under ASan);
 * - a failure is one printable line "hv.cfg:LINE: what";
 * - a success has 1..64 guests with valid unique names, in-range memory, distinct CPUs
 *   (cpu = all only alone), and every guest without an error of its own has values
 *   that pass the rules the setters enforce;
 * - parsing is deterministic and does not depend on whether a message is wanted;
 * - config_place puts every guest on its own CPU < ncpus, expands cpu = all as
 *   documented, and a second call changes nothing;
 * - config_check_xcr0 marks exactly the guests whose xcr0 needs bits the CPU lacks;
 * - config_check_smt refuses exactly when two different sections share a core.
 */
#include "hv/config.h"
#include "hv/cpu_topology.h"
#include "hv/xcr0_policy.h"
#include "tests/fuzz/fuzz_util.h"

static struct hv_config cfg, again, before;
static char err[256], err2[256];

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* "hv.cfg:N: " then at least one character, all of it one printable line. */
static void check_message(const char *m, size_t len)
{
	FUZZ_CHECK(fuzz_printable_line(m, len));
	FUZZ_CHECK(!strncmp(m, "hv.cfg:", 7));
	const char *p = m + 7;
	FUZZ_CHECK(*p >= '0' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	FUZZ_CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

static size_t len_in(const char *s, size_t cap)
{
	size_t n = 0;
	while (n < cap && s[n])
		n++;
	return n;
}

static int printable_path(const char *s, size_t cap)
{
	size_t n = len_in(s, cap);
	if (n == 0 || n == cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static int terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

static void check_parsed(const struct hv_config *c)
{
	FUZZ_CHECK(c->nguests >= 1 && c->nguests <= HV_MAX_GUESTS);
	FUZZ_CHECK((unsigned)c->on_finish <= HV_FINISH_REBOOT);
	for (uint32_t i = 0; i < c->nguests; i++) {
		const struct hv_guest_cfg *g = &c->guests[i];
		size_t n = len_in(g->name, HV_NAME_MAX);
		FUZZ_CHECK(n >= 1 && n < HV_NAME_MAX);
		for (size_t k = 0; k < n; k++)
			FUZZ_CHECK(is_name_char(g->name[k]));
		FUZZ_CHECK(g->memory >= MIB(4) && g->memory <= GIB(64) && g->memory % MIB(2) == 0);
		FUZZ_CHECK(g->line >= 1);
		FUZZ_CHECK(g->cpu != HV_CPU_ALL || c->nguests == 1);
		FUZZ_CHECK(g->nmodules <= HV_MAX_MODULES);
		FUZZ_CHECK(terminated(g->kernel, HV_PATH_MAX) && terminated(g->cmdline, HV_CMDLINE_MAX));
		for (uint32_t j = 0; j < i; j++) {
			FUZZ_CHECK(strcmp(g->name, c->guests[j].name) != 0);
			FUZZ_CHECK(g->cpu != c->guests[j].cpu);
		}
		if (g->error[0]) {
			check_message(g->error, sizeof(g->error));
			continue;
		}
		/* No error of its own: every value passed its setter's rules. */
		FUZZ_CHECK(printable_path(g->kernel, HV_PATH_MAX));
		FUZZ_CHECK(strcmp(g->kernel, "builtin:") != 0);
		for (uint32_t m = 0; m < g->nmodules; m++) {
			FUZZ_CHECK(printable_path(g->modules[m].path, HV_PATH_MAX));
			FUZZ_CHECK(terminated(g->modules[m].cmdline, HV_CMDLINE_MAX));
		}
		if (g->xcr0_set) {
			FUZZ_CHECK(!(g->xcr0 & ~(uint64_t)XCR0_USER_STATE));
			FUZZ_CHECK(xcr0_valid(g->xcr0, ~0ull));
			FUZZ_CHECK(g->xcr0_line > g->line);
		}
		FUZZ_CHECK(g->timeout_ms <= 365ull * 24 * 3600 * 1000);
	}
}

static void check_placed(const struct hv_config *c, uint32_t ncpus)
{
	FUZZ_CHECK(c->nguests >= 1 && c->nguests <= HV_MAX_GUESTS && c->nguests <= ncpus);
	for (uint32_t i = 0; i < c->nguests; i++) {
		const struct hv_guest_cfg *g = &c->guests[i];
		FUZZ_CHECK(g->cpu < ncpus);
		FUZZ_CHECK(config_guest_for_cpu(c, g->cpu) == g);
		for (uint32_t j = 0; j < i; j++)
			FUZZ_CHECK(g->cpu != c->guests[j].cpu && strcmp(g->name, c->guests[j].name));
	}
}

/* cpu = all on ncpus CPUs: copies NAME-0 .. NAME-(n-1) on CPUs 0 .. n-1 (NAME alone on one). */
static void check_all_expanded(const struct hv_guest_cfg *orig, const struct hv_config *c,
			       uint32_t ncpus)
{
	uint32_t n = ncpus < HV_MAX_GUESTS ? ncpus : HV_MAX_GUESTS;
	FUZZ_CHECK(c->nguests == n);
	for (uint32_t i = 0; i < n; i++) {
		char want[HV_NAME_MAX + 16];
		if (n > 1)
			snprintf(want, sizeof(want), "%s-%u", orig->name, i);
		else
			snprintf(want, sizeof(want), "%s", orig->name);
		FUZZ_CHECK(c->guests[i].cpu == i && !strcmp(c->guests[i].name, want));
		FUZZ_CHECK(!strcmp(c->guests[i].kernel, orig->kernel) &&
			   c->guests[i].memory == orig->memory && c->guests[i].line == orig->line);
	}
}

static uint32_t hash(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static void check_xcr0(struct hv_config *c, uint64_t supported)
{
	memcpy(&before, c, sizeof(before));
	uint32_t want = 0;
	for (uint32_t i = 0; i < c->nguests; i++) {
		const struct hv_guest_cfg *g = &c->guests[i];
		want += !g->error[0] && g->xcr0_set && (g->xcr0 & ~supported);
	}
	FUZZ_CHECK(config_check_xcr0("hv.cfg", c, supported) == want);
	for (uint32_t i = 0; i < c->nguests; i++) {
		const struct hv_guest_cfg *g = &c->guests[i], *b = &before.guests[i];
		if (!b->error[0] && b->xcr0_set && (b->xcr0 & ~supported)) {
			char at[32]; /* names the line of the xcr0 key */
			snprintf(at, sizeof(at), "hv.cfg:%u: ", b->xcr0_line);
			check_message(g->error, sizeof(g->error));
			FUZZ_CHECK(!strncmp(g->error, at, strlen(at)));
		} else {
			FUZZ_CHECK(!memcmp(g, b, sizeof(*g)));
		}
	}
	FUZZ_CHECK(config_check_xcr0("hv.cfg", c, supported) == 0); /* all marked already */
}

static void check_smt(const struct hv_config *c, uint32_t ncpus, uint32_t h)
{
	static uint32_t apic[256];
	unsigned smt_bits = h % 3, stride = 1 + (h >> 2) % 2;
	for (uint32_t i = 0; i < ncpus; i++)
		apic[i] = i * stride;
	bool clash = false;
	for (uint32_t i = 0; i < c->nguests; i++)
		for (uint32_t j = i + 1; j < c->nguests; j++) {
			const struct hv_guest_cfg *a = &c->guests[i], *b = &c->guests[j];
			clash |= a->line != b->line &&
				 (apic[a->cpu] >> smt_bits) == (apic[b->cpu] >> smt_bits);
		}
	err[0] = 'x';
	int rc = config_check_smt("hv.cfg", c, apic, ncpus, smt_bits, err, sizeof(err));
	FUZZ_CHECK(rc == (clash && !c->smt_shared ? -1 : 0));
	if (rc)
		check_message(err, sizeof(err));
	else
		FUZZ_CHECK(err[0] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = (char *)fuzz_copy(data, size);
	int rc = config_parse("hv.cfg", text, size, &cfg, err, sizeof(err));
	int rc2 = config_parse("hv.cfg", text, size, &again, err2, sizeof(err2));
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(rc == rc2 && !strcmp(err, err2));
	FUZZ_CHECK(config_parse("hv.cfg", text, size, &again, NULL, 0) == rc);
	free(text);
	if (fuzz_verbose())
		fprintf(stderr, "config: %s (%u guests)\n", rc ? err : "parsed", rc ? 0 : cfg.nguests);
	if (rc) {
		check_message(err, sizeof(err));
		return 0;
	}
	FUZZ_CHECK(err[0] == 0);
	FUZZ_CHECK(!memcmp(&cfg, &again, sizeof(cfg)));
	check_parsed(&cfg);

	/* The machine: 1..72 CPUs (crossing HV_MAX_GUESTS), 0-2 SMT bits, some XCR0 support. */
	static const uint64_t xcr0_support[] = { 0x3, 0x7, 0x1f, 0xe7, 0x2e7, 0x602e7 };
	uint32_t h = hash(data, size);
	uint32_t ncpus = 1 + h % 72;
	check_xcr0(&cfg, xcr0_support[(h >> 8) % 6]);

	struct hv_guest_cfg orig = cfg.guests[0];
	rc = config_place("hv.cfg", &cfg, ncpus, err, sizeof(err));
	bool fits = true;
	for (uint32_t i = 0; i < cfg.nguests; i++)
		fits &= cfg.guests[i].cpu == HV_CPU_ALL || cfg.guests[i].cpu < ncpus;
	if (rc) {
		check_message(err, sizeof(err));
		/* Refused only for a cpu beyond the machine (cpu = all names are kept short
		 * enough for their copies' suffixes by the parser). */
		FUZZ_CHECK(!fits);
		return 0;
	}
	FUZZ_CHECK(fits && err[0] == 0);
	check_placed(&cfg, ncpus);
	if (orig.cpu == HV_CPU_ALL)
		check_all_expanded(&orig, &cfg, ncpus);
	memcpy(&again, &cfg, sizeof(cfg));
	FUZZ_CHECK(config_place("hv.cfg", &cfg, ncpus, err, sizeof(err)) == 0);
	FUZZ_CHECK(!memcmp(&cfg, &again, sizeof(cfg)));
	check_smt(&cfg, ncpus, h >> 16);
	return 0;
}
