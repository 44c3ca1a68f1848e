/*
 * hv.cfg, the configuration file read from hv.efi's folder on the boot disk.
 * The built-in default goes through the same parser:
 *
 *     [guest selftest]
 *     cpu = all
 *     memory = 32M
 *     kernel = builtin:selftest
 *
 * Format, by example:
 *
 *     # A comment: '#' as the first non-blank character of a line.
 *     [hv]
 *     on_finish = poweroff
 *
 *     [guest web]
 *     cpu = 2
 *     memory = 32M
 *     kernel = guests/selftest.elf
 *     cmdline = console=com1 verbose
 *     module = guests/initrd.bin  the module's own command line
 *     xcr0 = 0x7
 *
 * - One `key = value` per line; spaces around '=' are optional, the value is
 *   trimmed, keys are case-sensitive. A '#' after the start of a line is part
 *   of the value. Blank lines are ignored. Lines end in LF or CRLF and hold at
 *   most 511 characters. A leading UTF-8 byte order mark is skipped; other
 *   control characters than tab are errors.
 * - [hv] (optional, at most once) holds global settings:
 *     on_finish  when every guest has finished: poweroff (default), halt, reboot
 * - [guest NAME] starts a guest; at most 64 of them. NAME is 1-31 characters
 *   of A-Z a-z 0-9 _ . - and unique. Each key at most once, except module:
 *     cpu        required. Logical CPU index (0 = the boot CPU), or `all`:
 *                a copy of the guest on each of the first 64 CPUs, named
 *                NAME-<cpu> (just NAME on a 1-CPU machine); then NAME has at
 *                most 28 characters and no other guest may exist.
 *     memory     required. Bytes, or a number with a K, M or G suffix; a
 *                multiple of 2 MiB from 4 MiB to 64 GiB.
 *     kernel     required. A path relative to hv.efi's folder ('/' or '\'
 *                separators), or builtin:NAME.
 *     cmdline    the kernel command line, to the end of the line; may be empty.
 *     module     a path as for kernel, then optionally whitespace and the
 *                module's command line. Up to 8, passed in file order.
 *     xcr0       the XCR0 feature bits the guest may use, hex (0x...) or
 *                decimal; must be a combination XSETBV accepts (x87 set, AVX
 *                with SSE, ...). Default: all the CPU has except AMX.
 *
 * A file without any guest is an error. Parsing stops at the first error, with a one-line message such as
 * "hv.cfg:7: unknown key 'memroy' in [guest web]".
 */
#include "hv/config.h"
#include "hv/fmt.h"
#include "hv/lib.h"

#define LINE_CHARS_MAX 511
/* Leaves room for "-63", the longest suffix config_place gives a cpu = all copy. */
#define ALL_NAME_MAX (HV_NAME_MAX - 1 - 3)

enum section { SEC_NONE, SEC_HV, SEC_GUEST };

struct parser {
	const char *source;
	char *err;
	size_t errlen;
	struct hv_config *cfg;
	uint32_t line;
	enum section sec;
	bool seen_hv;
	unsigned keys; /* bit i: key_table[i] already set in this section */
	struct hv_guest_cfg *g;
};

static const char *const finish_names[] = { "poweroff", "halt", "reboot" };

static int fail(const struct parser *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(const struct parser *p, const char *fmt, ...)
{
	if (!p->err || !p->errlen)
		return -1;
	int n = hv_snprintf(p->err, p->errlen, "%s:%u: ", p->source, p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		hv_vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *trim(char *s)
{
	while (is_blank(*s))
		s++;
	size_t n = strlen(s);
	while (n && is_blank(s[n - 1]))
		s[--n] = 0;
	return s;
}

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

static int set_on_finish(struct parser *p, char *val)
{
	for (size_t i = 0; i < ARRAY_SIZE(finish_names); i++) {
		if (!strcmp(val, finish_names[i])) {
			p->cfg->on_finish = (enum hv_on_finish)i;
			return 0;
		}
	}
	return fail(p, "bad on_finish '%s' (expected poweroff, halt or reboot)", val);
}

static int set_cpu(struct parser *p, char *val)
{
	struct hv_guest_cfg *g = p->g;
	/* Earlier guests are complete, so each has its cpu; a cpu = all one is alone. */
	const struct hv_guest_cfg *first = p->cfg->nguests > 1 ? &p->cfg->guests[0] : NULL;

	if (!strcmp(val, "all")) {
		if (strlen(g->name) > ALL_NAME_MAX)
			return fail(p, "guest name '%s' is too long for cpu = all (max %d chars)",
				    g->name, ALL_NAME_MAX);
		if (first && first->cpu == HV_CPU_ALL)
			return fail(p, "only one guest may use cpu = all, and guest '%s' already does",
				    first->name);
		if (first)
			return fail(p, "cpu = all conflicts with guest '%s' (cpu %u): a cpu = all guest must be the only guest",
				    first->name, first->cpu);
		g->cpu = HV_CPU_ALL;
		return 0;
	}

	uint64_t v;
	const char *end = parse_u64(val, false, &v);
	if (!end || *end)
		return fail(p, "bad cpu '%s' (expected a CPU index or 'all')", val);
	if (v >= HV_CPU_ALL)
		return fail(p, "cpu %s is out of range", val);
	if (first && first->cpu == HV_CPU_ALL)
		return fail(p, "cpu %u conflicts with guest '%s', which has cpu = all", (uint32_t)v,
			    first->name);
	for (uint32_t i = 0; i + 1 < p->cfg->nguests; i++)
		if (p->cfg->guests[i].cpu == v)
			return fail(p, "cpu %u is already used by guest '%s'", (uint32_t)v,
				    p->cfg->guests[i].name);
	g->cpu = (uint32_t)v;
	return 0;
}

static int set_memory(struct parser *p, char *val)
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
		return fail(p, "bad memory size '%s' (expected bytes or a number with K, M or G)", val);
	/* The upper bound goes first so that the shift cannot overflow. */
	if (v > (GIB(64) >> shift))
		return fail(p, "memory '%s' is out of range (4 MiB..64 GiB)", val);
	v <<= shift;
	if (!IS_ALIGNED(v, MIB(2)))
		return fail(p, "memory '%s' is not a multiple of 2 MiB", val);
	if (v < MIB(4))
		return fail(p, "memory '%s' is out of range (4 MiB..64 GiB)", val);
	p->g->memory = v;
	return 0;
}

/* what: "kernel" or "module", for messages. */
static int copy_path(struct parser *p, const char *what, char *dst, const char *path, size_t len)
{
	if (!len)
		return fail(p, "%s needs a path", what);
	if (len >= HV_PATH_MAX)
		return fail(p, "%s path too long (max %d chars)", what, HV_PATH_MAX - 1);
	if (len == 8 && !strncmp(path, "builtin:", 8))
		return fail(p, "%s 'builtin:' names no built-in image", what);
	memcpy(dst, path, len);
	dst[len] = 0;
	return 0;
}

static int copy_cmdline(struct parser *p, const char *what, char *dst, const char *val)
{
	if (strlen(val) >= HV_CMDLINE_MAX)
		return fail(p, "%s too long (max %d chars)", what, HV_CMDLINE_MAX - 1);
	hv_strlcpy(dst, val, HV_CMDLINE_MAX);
	return 0;
}

static int set_kernel(struct parser *p, char *val)
{
	return copy_path(p, "kernel", p->g->kernel, val, strlen(val));
}

static int set_cmdline(struct parser *p, char *val)
{
	return copy_cmdline(p, "cmdline", p->g->cmdline, val);
}

static int add_module(struct parser *p, char *val)
{
	struct hv_guest_cfg *g = p->g;
	if (g->nmodules >= HV_MAX_MODULES)
		return fail(p, "too many modules in [guest %s] (max %d)", g->name, HV_MAX_MODULES);
	struct hv_module_cfg *m = &g->modules[g->nmodules];
	size_t plen = 0;
	while (val[plen] && !is_blank(val[plen]))
		plen++;
	if (copy_path(p, "module", m->path, val, plen) < 0 ||
	    copy_cmdline(p, "module cmdline", m->cmdline, trim(val + plen)) < 0)
		return -1;
	g->nmodules++;
	return 0;
}

/* XSETBV faults on these combinations; better to say so while the file is at hand. */
static const char *xcr0_problem(uint64_t x)
{
	uint64_t avx512 = x & (BIT(5) | BIT(6) | BIT(7));
	if (!(x & BIT(0)))
		return "bit 0 (x87) must be set";
	if ((x & BIT(2)) && !(x & BIT(1)))
		return "AVX (bit 2) needs SSE (bit 1)";
	if (avx512 && (avx512 != (BIT(5) | BIT(6) | BIT(7)) || !(x & BIT(2))))
		return "AVX-512 needs all of bits 5-7 and AVX (bit 2)";
	if (!(x & BIT(3)) != !(x & BIT(4)))
		return "MPX bits 3 and 4 go together";
	if (!(x & BIT(17)) != !(x & BIT(18)))
		return "AMX bits 17 and 18 go together";
	return NULL;
}

static int set_xcr0(struct parser *p, char *val)
{
	uint64_t v;
	const char *end = parse_u64(val, true, &v);
	if (!end || *end)
		return fail(p, "bad xcr0 '%s' (expected a number)", val);
	const char *why = xcr0_problem(v);
	if (why)
		return fail(p, "xcr0 %s is invalid: %s", val, why);
	p->g->xcr0_set = true;
	p->g->xcr0 = v;
	return 0;
}

static const struct key {
	enum section sec;
	const char *name;
	int (*set)(struct parser *p, char *val);
	bool required, repeats;
} key_table[] = {
	{ SEC_HV, "on_finish", set_on_finish, false, false },
	{ SEC_GUEST, "cpu", set_cpu, true, false },
	{ SEC_GUEST, "memory", set_memory, true, false },
	{ SEC_GUEST, "kernel", set_kernel, true, false },
	{ SEC_GUEST, "cmdline", set_cmdline, false, false },
	{ SEC_GUEST, "module", add_module, false, true },
	{ SEC_GUEST, "xcr0", set_xcr0, false, false },
};

/* Required keys can only be missed once the section is over. */
static int finish_section(struct parser *p)
{
	if (p->sec != SEC_GUEST)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		if (key_table[i].sec == SEC_GUEST && key_table[i].required && !(p->keys & (1u << i))) {
			p->line = p->g->line;
			return fail(p, "guest '%s' has no %s", p->g->name, key_table[i].name);
		}
	}
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int start_guest(struct parser *p, const char *name)
{
	struct hv_config *cfg = p->cfg;
	size_t n = strlen(name);

	if (!n)
		return fail(p, "[guest] needs a name: [guest NAME]");
	if (n >= HV_NAME_MAX)
		return fail(p, "guest name '%s' is too long (max %d chars)", name, HV_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(name[i]))
			return fail(p, "bad guest name '%s' (allowed: A-Z a-z 0-9 _ . -)", name);
	for (uint32_t i = 0; i < cfg->nguests; i++)
		if (!strcmp(cfg->guests[i].name, name))
			return fail(p, "duplicate guest name '%s' (first at line %u)", name,
				    cfg->guests[i].line);
	if (cfg->nguests >= HV_MAX_GUESTS)
		return fail(p, "too many guests (max %d)", HV_MAX_GUESTS);

	p->g = &cfg->guests[cfg->nguests++];
	memcpy(p->g->name, name, n + 1);
	p->g->line = p->line;
	p->sec = SEC_GUEST;
	return 0;
}

static int parse_header(struct parser *p, char *s)
{
	size_t n = strlen(s);
	if (s[n - 1] != ']')
		return fail(p, "section header must end with ']'");
	s[n - 1] = 0;
	char *inner = trim(s + 1);

	if (finish_section(p) < 0)
		return -1;
	p->keys = 0;
	if (!strcmp(inner, "hv")) {
		if (p->seen_hv)
			return fail(p, "duplicate [hv] section");
		p->seen_hv = true;
		p->sec = SEC_HV;
		return 0;
	}
	if (!strncmp(inner, "guest", 5) && (!inner[5] || is_blank(inner[5])))
		return start_guest(p, trim(inner + 5));
	return fail(p, "unknown section '[%s]'", inner);
}

static int parse_line(struct parser *p, char *s)
{
	s = trim(s);
	if (!*s || *s == '#')
		return 0;
	if (*s == '[')
		return parse_header(p, s);
	if (p->sec == SEC_NONE)
		return fail(p, "text before the first section");

	char *eq = s;
	while (*eq && *eq != '=')
		eq++;
	if (!*eq)
		return fail(p, "expected 'key = value'");
	*eq = 0;
	const char *name = trim(s);
	char *val = trim(eq + 1);
	if (!*name)
		return fail(p, "expected 'key = value'");

	char sec[HV_NAME_MAX + 8];
	hv_snprintf(sec, sizeof(sec), "[%s%s]", p->sec == SEC_HV ? "hv" : "guest ",
		    p->sec == SEC_HV ? "" : p->g->name);
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const struct key *k = &key_table[i];
		if (k->sec != p->sec || strcmp(k->name, name))
			continue;
		if ((p->keys & (1u << i)) && !k->repeats)
			return fail(p, "duplicate key '%s' in %s", name, sec);
		p->keys |= 1u << i;
		return k->set(p, val);
	}
	return fail(p, "unknown key '%s' in %s", name, sec);
}

int config_parse(const char *source, const char *text, size_t len, struct hv_config *out,
		 char *err, size_t errlen)
{
	struct parser p = { .source = source ? source : "config", .err = err, .errlen = errlen,
			    .cfg = out };
	char buf[LINE_CHARS_MAX + 1];
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->on_finish = HV_FINISH_POWEROFF;
	if (err && errlen)
		err[0] = 0;
	if (!text)
		len = 0;
	/* Windows editors like to start a file with a UTF-8 byte order mark. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;

	while (pos < len) {
		size_t start = pos, end;
		p.line++;
		while (pos < len && text[pos] != '\n')
			pos++;
		end = pos;
		if (pos < len)
			pos++;
		if (end > start && text[end - 1] == '\r')
			end--;
		if (end - start > LINE_CHARS_MAX)
			return fail(&p, "line too long (max %d chars)", LINE_CHARS_MAX);
		/* Keeps NULs out of the C strings below and escapes out of messages. */
		for (size_t i = start; i < end; i++) {
			unsigned char c = (unsigned char)text[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return fail(&p, "invalid character 0x%02x", c);
		}
		memcpy(buf, text + start, end - start);
		buf[end - start] = 0;
		if (parse_line(&p, buf) < 0)
			return -1;
	}
	if (finish_section(&p) < 0)
		return -1;
	if (!out->nguests) {
		p.line = p.line ? p.line : 1;
		return fail(&p, "no [guest] section");
	}
	return 0;
}

int config_place(const char *source, struct hv_config *cfg, uint32_t ncpus, char *err,
		 size_t errlen)
{
	struct parser p = { .source = source ? source : "config", .err = err, .errlen = errlen,
			    .cfg = cfg };
	if (err && errlen)
		err[0] = 0;

	for (uint32_t i = 0; i < cfg->nguests; i++) {
		struct hv_guest_cfg *g = &cfg->guests[i];
		p.line = g->line;
		if (g->cpu != HV_CPU_ALL)
			continue;
		if (cfg->nguests != 1)
			return fail(&p, "guest '%s' has cpu = all but is not the only guest", g->name);
		if (!ncpus)
			return fail(&p, "this machine reports no CPUs");
		/* With more CPUs than guest slots the rest stay idle rather than refuse to boot. */
		uint32_t n = MIN(ncpus, (uint32_t)HV_MAX_GUESTS);
		char base[HV_NAME_MAX];
		hv_strlcpy(base, g->name, sizeof(base));
		for (uint32_t c = n; c-- > 0;) {
			struct hv_guest_cfg *copy = &cfg->guests[c];
			if (c)
				memcpy(copy, g, sizeof(*copy));
			copy->cpu = c;
			if (n > 1 && hv_snprintf(copy->name, sizeof(copy->name), "%s-%u", base, c) >=
					     (int)sizeof(copy->name))
				return fail(&p, "guest name '%s' is too long for cpu = all", base);
		}
		cfg->nguests = n;
		break;
	}

	for (uint32_t i = 0; i < cfg->nguests; i++) {
		const struct hv_guest_cfg *g = &cfg->guests[i];
		p.line = g->line;
		if (g->cpu >= ncpus)
			return fail(&p, "guest '%s' wants cpu %u but this machine has %u CPU%s",
				    g->name, g->cpu, ncpus, ncpus == 1 ? "" : "s");
	}
	return 0;
}

const struct hv_guest_cfg *config_guest_for_cpu(const struct hv_config *cfg, uint32_t cpu)
{
	for (uint32_t i = 0; i < cfg->nguests; i++)
		if (cfg->guests[i].cpu == cpu)
			return &cfg->guests[i];
	return NULL;
}

const char *config_on_finish_name(enum hv_on_finish f)
{
	return (unsigned)f < ARRAY_SIZE(finish_names) ? finish_names[f] : "?";
}
