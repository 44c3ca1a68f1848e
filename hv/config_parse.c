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
 *     # A comment: from a '#' at the start of a line or after a blank.
 *     [hv]
 *     on_finish = poweroff   # a comment after a value
 *
 *     [guest web]
 *     cpu = 2
 *     memory = 32M
 *     kernel = guests/selftest.elf
 *     cmdline = console=com1 verbose
 *     module = guests/initrd.bin  the module's own command line
 *     xcr0 = 0x7
 *     timeout = 30s
 *
 * - One `key = value` per line; spaces around '=' are optional, the value is
 *   trimmed, keys are case-sensitive. A '#' at the start of a line or after a
 *   space or tab starts a comment that runs to the end of the line; a '#' with
 *   no blank before it is part of the value (cmdline = a#b). Blank lines are
 *   ignored. Lines end in LF or CRLF and hold at
 *   most 511 characters. A leading UTF-8 byte order mark is skipped; other
 *   control characters than tab are errors.
 * - [hv] (optional, at most once) holds global settings:
 *     on_finish  when every guest has finished: poweroff (default), halt, reboot
 *     smt        isolated (default): two different [guest] sections may not run on
 *                threads of one core (SMT siblings share L1D, branch predictors and
 *                other buffers); shared: they may (the copies of a cpu = all guest
 *                are one guest and may always share)
 *     gdb        com2 (default): the gdb remote stub listens on COM2 (0x2F8) when that
 *                port exists (hv/gdb_stop.c); off: no stub
 *     debug_late_ap  the boot CPU gives up on that AP before starting it, so the AP
 *                reaches the start-up code after its parameters were closed (it must
 *                park itself; tests the trampoline hand-over)
 *     debug_fault_cpu  that CPU's hypervisor faults on purpose before running its
 *                guest (crash-report and containment testing)
 *     debug_bad_entry  CPU state|control: that CPU's first VM entry gets a guest
 *                state (or a control) the CPU must refuse (entry-failure diagnostics)
 *     debug_nmi_cpu  the first CPU without a guest sends NMIs to that CPU for as
 *                long as its guest runs (host NMI handling while guests run)
 *     debug_stop_cpu  the first CPU without a guest asks that CPU's hypervisor, with
 *                a host interrupt, to stop its guest (cross-CPU requests)
 *     debug_gdb_end_cpu  that CPU's guest ends as gdb hands it the stub (thread N),
 *                before it serves: the session goes on without it (gdb stub testing)
 *     debug_stack_overflow_cpu  that CPU's hypervisor recurses until its stack runs
 *                into the guard page, before running its guest (stack-overflow
 *                containment testing)
 *     debug_pending_irq  that CPU has a physical interrupt pending in its local APIC
 *                at takeover and when it enters its guest; none may reach the guest
 *     debug_dirty_xstate_cpu  that CPU loads non-init values into its guest's extended
 *                state just before resetting it for the guest (init-state testing)
 *     debug_vmx_msr_lists  0 (default), 1 or check: on VMX, EFER and PAT switch through
 *                the MSR autoload lists as on CPUs without their load controls; check
 *                also verifies what the lists loaded at every slow exit
 * - [guest NAME] starts a guest; at most 64 of them. NAME is 1-31 characters
 *   of A-Z a-z 0-9 _ . - and unique. Each key at most once, except module:
 *     cpu        required. Logical CPU index (0 = the boot CPU), or `all`:
 *                a copy of the guest on each of the first 64 CPUs, named
 *                NAME-<cpu> (just NAME on a 1-CPU machine); then NAME has at
 *                most 28 characters and no other guest may exist.
 *     memory     required. Bytes, or a number with a K, M or G suffix; a
 *                multiple of 2 MiB from 4 MiB to 64 GiB.
 *     kernel     required. A path relative to hv.efi's folder ('/' or '\'
 *                separators), or builtin:NAME. Printable ASCII only.
 *     cmdline    the kernel command line, to the end of the line or a comment;
 *                may be empty.
 *     module     a path as for kernel, then optionally whitespace and the
 *                module's command line. Up to 8, passed in file order.
 *     xcr0       the XCR0 feature bits the guest may use, hex (0x...) or
 *                decimal; must be a combination XSETBV accepts (x87 set, AVX
 *                with SSE, ...) of user-state components only (no supervisor or
 *                reserved bits); a guest whose xcr0 has bits the CPU lacks is
 *                not started (config_check_xcr0). Default: all the CPU has except AMX.
 *     timeout    a time limit: a number with ms, s, m or h (30s, 1500ms, 2m), from
 *                1 ms to 365 days. A guest that has not ended when it is up is
 *                stopped ("time limit 30 s"), even one that never exits
 *                (hv/time_limit.c). Default: none.
 *
 * A file without any guest is an error. Parsing stops at the first error, with a one-line message such as
 * "hv.cfg:7: unknown key 'memroy' in [guest web]"; bytes that are not printable
 * ASCII are quoted as \xNN. Except: a bad value of a guest's kernel, module, cmdline,
 * xcr0 or timeout stops only that guest (confined_to_guest, hv_guest_cfg.error).
 */
#include "hv/config_values.h"
#include "hv/lib.h"

#define LINE_CHARS_MAX 511

int config_fail(const struct config_parser *p, const char *fmt, ...)
{
	if (!p->err || !p->errlen)
		return -1;
	/* Messages quote values from the file: only printable ASCII reaches the console. */
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	hv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int n = hv_snprintf(p->err, p->errlen, "%s:%u: ", p->source, p->line);
	if (n >= 0 && (size_t)n < p->errlen)
		hv_escape(p->err + n, p->errlen - (size_t)n, msg);
	return -1;
}

bool config_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *config_trim(char *s)
{
	while (config_is_blank(*s))
		s++;
	size_t n = strlen(s);
	while (n && config_is_blank(s[n - 1]))
		s[--n] = 0;
	return s;
}

static const struct key {
	enum config_section sec;
	const char *name;
	int (*set)(struct config_parser *p, char *val);
	bool required, repeats;
} key_table[] = {
	{ SEC_HV, "on_finish", config_set_on_finish, false, false },
	{ SEC_HV, "smt", config_set_smt, false, false },
	{ SEC_HV, "gdb", config_set_gdb, false, false },
	{ SEC_HV, "debug_late_ap", config_set_debug_late_ap, false, false },
	{ SEC_HV, "debug_fault_cpu", config_set_debug_fault_cpu, false, false },
	{ SEC_HV, "debug_bad_entry", config_set_debug_bad_entry, false, false },
	{ SEC_HV, "debug_nmi_cpu", config_set_debug_nmi_cpu, false, false },
	{ SEC_HV, "debug_stop_cpu", config_set_debug_stop_cpu, false, false },
	{ SEC_HV, "debug_gdb_end_cpu", config_set_debug_gdb_end_cpu, false, false },
	{ SEC_HV, "debug_stack_overflow_cpu", config_set_debug_stack_overflow_cpu, false, false },
	{ SEC_HV, "debug_pending_irq", config_set_debug_pending_irq, false, false },
	{ SEC_HV, "debug_dirty_xstate_cpu", config_set_debug_dirty_xstate_cpu, false, false },
	{ SEC_HV, "debug_vmx_msr_lists", config_set_debug_vmx_msr_lists, false, false },
	{ SEC_GUEST, "cpu", config_set_cpu, true, false },
	{ SEC_GUEST, "memory", config_set_memory, true, false },
	{ SEC_GUEST, "kernel", config_set_kernel, true, false },
	{ SEC_GUEST, "cmdline", config_set_cmdline, false, false },
	{ SEC_GUEST, "module", config_add_module, false, true },
	{ SEC_GUEST, "xcr0", config_set_xcr0, false, false },
	{ SEC_GUEST, "timeout", config_set_timeout, false, false },
};

/*
 * A bad value of these keys stops only its guest: the message goes to the guest's error
 * (the first one wins), the guest is reported and not started, and parsing goes on. They
 * matter to nothing but that guest's own start. Every other mistake (the file's
 * structure, a guest's name, cpu or memory, which place and size the partitions) stops
 * the boot.
 */
static bool confined_to_guest(const struct key *k)
{
	static const char *const names[] = { "kernel", "module", "cmdline", "xcr0", "timeout" };
	for (size_t i = 0; k->sec == SEC_GUEST && i < ARRAY_SIZE(names); i++)
		if (!strcmp(k->name, names[i]))
			return true;
	return false;
}

static int set_confined(struct config_parser *p, const struct key *k, char *val)
{
	char later[sizeof(p->g->error)];
	struct config_parser q = *p;
	q.err = p->g->error[0] ? later : p->g->error;
	q.errlen = sizeof(p->g->error);
	k->set(&q, val);
	return 0;
}

/* Required keys can only be missed once the section is over. */
static int finish_section(struct config_parser *p)
{
	if (p->sec != SEC_GUEST)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		if (key_table[i].sec == SEC_GUEST && key_table[i].required && !(p->keys & (1u << i))) {
			p->line = p->g->line;
			return config_fail(p, "guest '%s' has no %s", p->g->name, key_table[i].name);
		}
	}
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int start_guest(struct config_parser *p, const char *name)
{
	struct hv_config *cfg = p->cfg;
	size_t n = strlen(name);

	if (!n)
		return config_fail(p, "[guest] needs a name: [guest NAME]");
	if (n >= HV_NAME_MAX)
		return config_fail(p, "guest name '%s' is too long (max %d chars)", name,
				   HV_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(name[i]))
			return config_fail(p, "bad guest name '%s' (allowed: A-Z a-z 0-9 _ . -)", name);
	for (uint32_t i = 0; i < cfg->nguests; i++)
		if (!strcmp(cfg->guests[i].name, name))
			return config_fail(p, "duplicate guest name '%s' (first at line %u)", name,
					   cfg->guests[i].line);
	if (cfg->nguests >= HV_MAX_GUESTS)
		return config_fail(p, "too many guests (max %d)", HV_MAX_GUESTS);

	p->g = &cfg->guests[cfg->nguests++];
	memcpy(p->g->name, name, n + 1);
	p->g->line = p->line;
	p->sec = SEC_GUEST;
	return 0;
}

static int parse_header(struct config_parser *p, char *s)
{
	size_t n = strlen(s);
	if (s[n - 1] != ']')
		return config_fail(p, "section header must end with ']'");
	s[n - 1] = 0;
	char *inner = config_trim(s + 1);

	if (finish_section(p) < 0)
		return -1;
	p->keys = 0;
	if (!strcmp(inner, "hv")) {
		if (p->seen_hv)
			return config_fail(p, "duplicate [hv] section");
		p->seen_hv = true;
		p->sec = SEC_HV;
		return 0;
	}
	if (!strncmp(inner, "guest", 5) && (!inner[5] || config_is_blank(inner[5])))
		return start_guest(p, config_trim(inner + 5));
	return config_fail(p, "unknown section '[%s]'", inner);
}

/* '#' at the start of a line or after a blank starts a comment; "a#b" keeps its '#'. */
static void strip_comment(char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '#' && (i == 0 || config_is_blank(s[i - 1]))) {
			s[i] = 0;
			return;
		}
	}
}

static int parse_line(struct config_parser *p, char *s)
{
	strip_comment(s);
	s = config_trim(s);
	if (!*s)
		return 0;
	if (*s == '[')
		return parse_header(p, s);
	if (p->sec == SEC_NONE)
		return config_fail(p, "text before the first section");

	char *eq = s;
	while (*eq && *eq != '=')
		eq++;
	if (!*eq)
		return config_fail(p, "expected 'key = value'");
	*eq = 0;
	const char *name = config_trim(s);
	char *val = config_trim(eq + 1);
	if (!*name)
		return config_fail(p, "expected 'key = value'");

	char sec[HV_NAME_MAX + 8];
	hv_snprintf(sec, sizeof(sec), "[%s%s]", p->sec == SEC_HV ? "hv" : "guest ",
		    p->sec == SEC_HV ? "" : p->g->name);
	for (size_t i = 0; i < ARRAY_SIZE(key_table); i++) {
		const struct key *k = &key_table[i];
		if (k->sec != p->sec || strcmp(k->name, name))
			continue;
		if ((p->keys & (1u << i)) && !k->repeats)
			return config_fail(p, "duplicate key '%s' in %s", name, sec);
		p->keys |= 1u << i;
		return confined_to_guest(k) ? set_confined(p, k, val) : k->set(p, val);
	}
	return config_fail(p, "unknown key '%s' in %s", name, sec);
}

int config_parse(const char *source, const char *text, size_t len, struct hv_config *out,
		 char *err, size_t errlen)
{
	struct config_parser p = { .source = source ? source : "config", .err = err,
				   .errlen = errlen, .cfg = out };
	char buf[LINE_CHARS_MAX + 1];
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->on_finish = HV_FINISH_POWEROFF;
	out->debug = (struct hv_debug)HV_DEBUG_NONE;
	out->debug_late_ap = HV_NO_DEBUG_FAULT;
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
			return config_fail(&p, "line too long (max %d chars)", LINE_CHARS_MAX);
		/* Keeps NULs out of the C strings below and escapes out of messages. */
		for (size_t i = start; i < end; i++) {
			unsigned char c = (unsigned char)text[i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return config_fail(&p, "invalid character 0x%02x", c);
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
		return config_fail(&p, "no [guest] section");
	}
	return 0;
}
