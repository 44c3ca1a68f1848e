/*
 * hv.cfg values: numbers, sizes, CPU indices, paths, command lines, XCR0 bits.
 * Each setter checks one key's value and stores it in the current section.
 */
#include "hv/config_values.h"
#include "hv/lib.h"
#include "hv/xcr0_policy.h"

/* Leaves room for "-63", the longest suffix config_place gives a cpu = all copy. */
#define ALL_NAME_MAX (HV_NAME_MAX - 1 - 3)

const char *const config_finish_names[3] = { "poweroff", "halt", "reboot" };

/* Returns the first character after the digits, or NULL for no digits or overflow. */
static const char *parse_u64(const char *s, bool allow_hex, uint64_t *out)
{
	unsigned base = 10, d;
	uint64_t v = 0;
	if (allow_hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	const char *start = s;
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (s == start)
		return NULL;
	*out = v;
	return s;
}

int config_set_on_finish(struct config_parser *p, char *val)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_finish_names); i++) {
		if (!strcmp(val, config_finish_names[i])) {
			p->cfg->on_finish = (enum hv_on_finish)i;
			return 0;
		}
	}
	return config_fail(p, "bad on_finish '%s' (expected poweroff, halt or reboot)", val);
}

/* A [hv] debug key whose value is one CPU index. */
static int set_debug_cpu(struct config_parser *p, char *val, const char *key, uint32_t *out)
{
	uint64_t v;
	const char *end = parse_u64(val, false, &v);
	if (!end || *end || v >= HV_NO_DEBUG_FAULT)
		return config_fail(p, "bad %s '%s' (expected a CPU index)", key, val);
	*out = (uint32_t)v;
	return 0;
}

int config_set_gdb(struct config_parser *p, char *val)
{
	if (strcmp(val, "com2") && strcmp(val, "off"))
		return config_fail(p, "bad gdb '%s' (expected com2 or off)", val);
	p->cfg->gdb_off = !strcmp(val, "off");
	return 0;
}

int config_set_smt(struct config_parser *p, char *val)
{
	if (strcmp(val, "isolated") && strcmp(val, "shared"))
		return config_fail(p, "bad smt '%s' (expected isolated or shared)", val);
	p->cfg->smt_shared = !strcmp(val, "shared");
	return 0;
}

int config_set_debug_late_ap(struct config_parser *p, char *val)
{
	if (set_debug_cpu(p, val, "debug_late_ap", &p->cfg->debug_late_ap))
		return -1;
	if (!p->cfg->debug_late_ap)
		return config_fail(p, "bad debug_late_ap '0' (cpu 0 is the boot CPU; expected an AP)");
	return 0;
}

int config_set_debug_fault_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_fault_cpu", &p->cfg->debug.fault_cpu);
}

int config_set_debug_stop_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_stop_cpu", &p->cfg->debug.stop_cpu);
}

int config_set_debug_gdb_end_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_gdb_end_cpu", &p->cfg->debug.gdb_end_cpu);
}

int config_set_debug_nmi_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_nmi_cpu", &p->cfg->debug.nmi_cpu);
}

int config_set_debug_pending_irq(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_pending_irq", &p->cfg->debug.pending_irq_cpu);
}

int config_set_debug_dirty_xstate_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_dirty_xstate_cpu", &p->cfg->debug.dirty_xstate_cpu);
}

int config_set_debug_stack_overflow_cpu(struct config_parser *p, char *val)
{
	return set_debug_cpu(p, val, "debug_stack_overflow_cpu", &p->cfg->debug.stack_overflow_cpu);
}

int config_set_debug_vmx_msr_lists(struct config_parser *p, char *val)
{
	static const char *const names[] = { "0", "1", "check" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(val, names[i])) {
			p->cfg->debug.vmx_msr_lists = (uint8_t)i;
			return 0;
		}
	}
	return config_fail(p, "bad debug_vmx_msr_lists '%s' (expected 0, 1 or check)", val);
}

int config_set_debug_bad_entry(struct config_parser *p, char *val)
{
	uint64_t v;
	const char *end = parse_u64(val, false, &v);
	if (end && v < HV_NO_DEBUG_FAULT && (*end == ' ' || *end == '\t')) {
		while (*end == ' ' || *end == '\t')
			end++;
		if (!strcmp(end, "state") || !strcmp(end, "control")) {
			p->cfg->debug.bad_entry_cpu = (uint32_t)v;
			p->cfg->debug.bad_entry_control = !strcmp(end, "control");
			return 0;
		}
	}
	return config_fail(p, "bad debug_bad_entry '%s' (expected a CPU index, then state or control)",
			   val);
}

int config_set_cpu(struct config_parser *p, char *val)
{
	struct hv_guest_cfg *g = p->g;
	/* Earlier guests are complete, so each has its cpu; a cpu = all one is alone. */
	const struct hv_guest_cfg *first = p->cfg->nguests > 1 ? &p->cfg->guests[0] : NULL;

	if (!strcmp(val, "all")) {
		if (strlen(g->name) > ALL_NAME_MAX)
			return config_fail(p, "guest name '%s' is too long for cpu = all (max %d chars)",
					   g->name, ALL_NAME_MAX);
		if (first && first->cpu == HV_CPU_ALL)
			return config_fail(p, "only one guest may use cpu = all, and guest '%s' already does",
					   first->name);
		if (first)
			return config_fail(p, "cpu = all conflicts with guest '%s' (cpu %u): a cpu = all guest must be the only guest",
					   first->name, first->cpu);
		g->cpu = HV_CPU_ALL;
		return 0;
	}

	uint64_t v;
	const char *end = parse_u64(val, false, &v);
	if (!end || *end)
		return config_fail(p, "bad cpu '%s' (expected a CPU index or 'all')", val);
	if (v >= HV_CPU_ALL)
		return config_fail(p, "cpu %s is out of range", val);
	if (first && first->cpu == HV_CPU_ALL)
		return config_fail(p, "cpu %u conflicts with guest '%s', which has cpu = all",
				   (uint32_t)v, first->name);
	for (uint32_t i = 0; i + 1 < p->cfg->nguests; i++)
		if (p->cfg->guests[i].cpu == v)
			return config_fail(p, "cpu %u is already used by guest '%s'", (uint32_t)v,
					   p->cfg->guests[i].name);
	g->cpu = (uint32_t)v;
	return 0;
}

int config_set_memory(struct config_parser *p, char *val)
{
	uint64_t v;
	unsigned shift = 0;
	const char *end = parse_u64(val, false, &v);
	if (end && *end) {
		for (unsigned i = 0; i < 3; i++)
			if ((*end | 0x20) == "kmg"[i])
				shift = 10 * (i + 1);
		if (!shift || end[1])
			end = NULL;
	}
	if (!end)
		return config_fail(p, "bad memory size '%s' (expected bytes or a number with K, M or G)",
				   val);
	/* The upper bound goes first so that the shift cannot overflow. */
	if (v > (GIB(64) >> shift))
		return config_fail(p, "memory '%s' is out of range (4 MiB..64 GiB)", val);
	v <<= shift;
	if (!IS_ALIGNED(v, MIB(2)))
		return config_fail(p, "memory '%s' is not a multiple of 2 MiB", val);
	if (v < MIB(4))
		return config_fail(p, "memory '%s' is out of range (4 MiB..64 GiB)", val);
	p->g->memory = v;
	return 0;
}

/* what: "kernel" or "module", for messages. */
static int copy_path(struct config_parser *p, const char *what, char *dst, const char *path,
		     size_t len)
{
	if (!len)
		return config_fail(p, "%s needs a path", what);
	if (len >= HV_PATH_MAX)
		return config_fail(p, "%s path too long (max %d chars)", what, HV_PATH_MAX - 1);
	if (len == 8 && !strncmp(path, "builtin:", 8))
		return config_fail(p, "%s 'builtin:' names no built-in image", what);
	memcpy(dst, path, len);
	dst[len] = 0;
	/* Rejected by name rather than mangled: the path is echoed in messages and
	 * UEFI file names are UCS-2, which the path's bytes are widened into as-is. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c >= 0x7f)
			return config_fail(p, "%s path '%s' contains a byte 0x%02x that is not "
					   "printable ASCII", what, dst, c);
	}
	return 0;
}

static int copy_cmdline(struct config_parser *p, const char *what, char *dst, const char *val)
{
	if (strlen(val) >= HV_CMDLINE_MAX)
		return config_fail(p, "%s too long (max %d chars)", what, HV_CMDLINE_MAX - 1);
	hv_strlcpy(dst, val, HV_CMDLINE_MAX);
	return 0;
}

int config_set_kernel(struct config_parser *p, char *val)
{
	return copy_path(p, "kernel", p->g->kernel, val, strlen(val));
}

int config_set_cmdline(struct config_parser *p, char *val)
{
	return copy_cmdline(p, "cmdline", p->g->cmdline, val);
}

int config_add_module(struct config_parser *p, char *val)
{
	struct hv_guest_cfg *g = p->g;
	if (g->nmodules >= HV_MAX_MODULES)
		return config_fail(p, "too many modules in [guest %s] (max %d)", g->name,
				   HV_MAX_MODULES);
	struct hv_module_cfg *m = &g->modules[g->nmodules];
	size_t plen = 0;
	while (val[plen] && !config_is_blank(val[plen]))
		plen++;
	if (copy_path(p, "module", m->path, val, plen) < 0 ||
	    copy_cmdline(p, "module cmdline", m->cmdline, config_trim(val + plen)) < 0)
		return -1;
	g->nmodules++;
	return 0;
}

/*
 * For the message only: which rule an invalid XCR0 breaks. xcr0_valid() alone
 * holds the rules; each entry tries one group of bits of the value (keep) with
 * the bits that group depends on forced on (with), so that only its own rule
 * can fail. In the order the rules are reported.
 */
static const struct {
	uint64_t keep, with;
	const char *why;
} xcr0_rule_names[] = {
	{ XFEATURE_X87, 0, "bit 0 (x87) must be set" },
	{ XFEATURE_SSE | XFEATURE_AVX, XFEATURE_X87, "AVX (bit 2) needs SSE (bit 1)" },
	{ XFEATURE_AVX | XFEATURE_AVX512, XFEATURE_X87 | XFEATURE_SSE,
	  "AVX-512 needs all of bits 5-7 and AVX (bit 2)" },
	{ XFEATURE_MPX, XFEATURE_X87, "MPX bits 3 and 4 go together" },
	{ XFEATURE_AMX, XFEATURE_X87, "AMX bits 17 and 18 go together" },
};

static const char *xcr0_problem(uint64_t x)
{
	for (size_t i = 0; i < ARRAY_SIZE(xcr0_rule_names); i++)
		if (!xcr0_valid((x & xcr0_rule_names[i].keep) | xcr0_rule_names[i].with, ~0ull))
			return xcr0_rule_names[i].why;
	return "not a combination XSETBV accepts";
}

/* XSETBV faults on invalid combinations; better to say so while the file is at hand. */
int config_set_xcr0(struct config_parser *p, char *val)
{
	uint64_t v;
	const char *end = parse_u64(val, true, &v);
	if (!end || *end)
		return config_fail(p, "bad xcr0 '%s' (expected a number)", val);
	if (v & ~XCR0_USER_STATE)
		return config_fail(p, "xcr0 %s sets bits 0x%llx that are not XCR0 user-state "
				   "components (supervisor-only or reserved)", val,
				   (unsigned long long)(v & ~XCR0_USER_STATE));
	if (!xcr0_valid(v, ~0ull))
		return config_fail(p, "xcr0 %s is invalid: %s", val, xcr0_problem(v));
	p->g->xcr0_set = true;
	p->g->xcr0 = v;
	p->g->xcr0_line = p->line;
	return 0;
}

#define TIMEOUT_MAX_MS (365ull * 24 * 3600 * 1000)

/* A time limit: a number, optional blanks, then its unit. */
int config_set_timeout(struct config_parser *p, char *val)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 }, { "h", 3600 * 1000 } };
	uint64_t v;
	const char *end = parse_u64(val, false, &v);
	if (!end && val[0] >= '0' && val[0] <= '9') /* digits that overflow 64 bits */
		return config_fail(p, "timeout '%s' is out of range (1 ms to 365 days)", val);
	while (end && config_is_blank(*end))
		end++;
	for (size_t i = 0; end && i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (!v)
			return config_fail(p, "timeout '%s' must be at least 1 ms (for no limit, leave "
					   "the key out)", val);
		if (v > TIMEOUT_MAX_MS / units[i].ms)
			return config_fail(p, "timeout '%s' is out of range (1 ms to 365 days)", val);
		p->g->timeout_ms = v * units[i].ms;
		return 0;
	}
	return config_fail(p, "bad timeout '%s' (expected a number with ms, s, m or h, as in 30s)",
			   val);
}

/* The parser runs before the CPU is known; the boot code calls this once it is. The same
 * hv.cfg may boot machines with other CPUs: only the guest that wants what this one lacks
 * is held back. */
uint32_t config_check_xcr0(const char *source, struct hv_config *cfg, uint64_t supported)
{
	uint32_t marked = 0;
	for (uint32_t i = 0; i < cfg->nguests; i++) {
		struct hv_guest_cfg *g = &cfg->guests[i];
		uint64_t missing = g->xcr0 & ~supported;
		if (!g->xcr0_set || !missing || g->error[0])
			continue;
		struct config_parser p = { .source = source ? source : "config", .err = g->error,
					   .errlen = sizeof(g->error), .line = g->xcr0_line };
		config_fail(&p, "xcr0 0x%llx needs bits 0x%llx this CPU lacks (it supports 0x%llx)",
			    (unsigned long long)g->xcr0, (unsigned long long)missing,
			    (unsigned long long)supported);
		marked++;
	}
	return marked;
}
