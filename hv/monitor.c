/*
 * The serial monitor (hv/monitor.h): its line editor, the command table and the helpers
 * the commands share. The commands themselves are in hv/monitor_cmd_*.c.
 *
 * Line editing: printable ASCII is echoed and appended; backspace (0x08) and DEL (0x7f)
 * take back the last character; Enter (CR or LF, CR LF counted once) runs the line; Ctrl-U
 * (0x15) erases it; Ctrl-C (0x03) abandons it. A line longer than MONITOR_LINE_MAX is
 * refused as a whole when Enter comes (the characters beyond the limit are not echoed, a
 * bell is, once). Other control bytes and terminal escape sequences (ESC [ ... final byte,
 * ESC O x: arrow and function keys) are ignored.
 */
#include <stdarg.h>
#include "hv/console.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/monitor.h"
#include "hv/monitor_cmds.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"
#include "hv/vio.h"

#define PROMPT "hv> "
#define SNAPSHOT_TIMEOUT_US 500000 /* a live CPU answers in microseconds; this is for a stuck one */

static monitor_out_fn out_fn;
static char line[MONITOR_LINE_MAX + 1];
static size_t line_len;
static bool overlong, last_cr;
static enum { ESC_NONE, ESC_START, ESC_SEQ } esc;

static const struct monitor_cmd mon_cmd_help;
static const struct monitor_cmd *const commands[] = {
	&mon_cmd_help, &mon_cmd_guests, &mon_cmd_top, &mon_cmd_regs, &mon_cmd_xstate,
	&mon_cmd_msrs, &mon_cmd_mem, &mon_cmd_stop, &mon_cmd_restart, &mon_cmd_log,
};

static void out(const char *s, size_t n)
{
	if (out_fn)
		out_fn(s, n);
	else
		console_text(s, n);
}

static void outs(const char *s)
{
	out(s, strlen(s));
}

void monitor_set_output(monitor_out_fn fn)
{
	out_fn = fn;
}

void mon_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out(buf, n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1));
}

void monitor_reset(void)
{
	line_len = 0;
	overlong = last_cr = false;
	esc = ESC_NONE;
	mon_top_reset();
}

void monitor_enter(void)
{
	outs("hv monitor: type help for the commands\n" PROMPT);
}

/* ---- helpers for the commands ---- */

unsigned mon_guest_count(void)
{
	unsigned n = 0;
	for (uint32_t c = 0; c < hv_ncpus && c < HV_MAX_CPUS; c++)
		n += hv_cpus[c].vcpu != NULL;
	return n;
}

struct vcpu *mon_guest_at(unsigned i)
{
	for (uint32_t c = 0; c < hv_ncpus && c < HV_MAX_CPUS; c++)
		if (hv_cpus[c].vcpu && i-- == 0)
			return hv_cpus[c].vcpu;
	return NULL;
}

struct vcpu *mon_guest(const char *cmd, const char *name)
{
	for (unsigned i = 0; i < mon_guest_count(); i++) {
		struct vcpu *v = mon_guest_at(i);
		if (v->cfg && !strcmp(v->cfg->name, name))
			return v;
	}
	char shown[64];
	hv_escape(shown, sizeof(shown), name);
	mon_printf("%s: no guest named '%s' (guests lists them)\n", cmd, shown);
	return NULL;
}

void mon_guest_state_text(const struct vcpu *v, char *buf, size_t size)
{
	switch (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE)) {
	case GUEST_RUNNING:
		if (!v->start_tsc)
			hv_snprintf(buf, size, "not started yet");
		else
			hv_snprintf(buf, size, "%s", v->halted ? "halted (HLT, waiting for an interrupt)"
							       : "running");
		return;
	case GUEST_PASSED:
		hv_snprintf(buf, size, "finished: passed");
		return;
	case GUEST_SKIPPED:
		hv_snprintf(buf, size, "finished: skipped");
		return;
	case GUEST_FAILED:
		hv_snprintf(buf, size, "finished: failed (status %llu, exit-port value 0x%x)",
			    (unsigned long long)EXIT_STATUS_OF(v->end.status), v->end.status);
		return;
	default:
		hv_snprintf(buf, size, "stopped (%s)", v->end.reason);
		return;
	}
}

bool mon_snapshot(const char *cmd, struct vcpu *v, struct guest_state *st)
{
	int here = console_this_cpu();
	int rc = vcpu_request_snapshot(v, here < 0 ? UINT32_MAX : (uint32_t)here, st,
				       SNAPSHOT_TIMEOUT_US);
	if (rc == VCPU_SNAP_OK)
		return true;
	if (rc == VCPU_SNAP_NO_ANSWER) {
		mon_printf("%s: no answer from cpu %u within %u ms (guest %s)\n", cmd, v->cpu,
			   SNAPSHOT_TIMEOUT_US / 1000, v->cfg->name);
		return false;
	}
	char state[200];
	mon_guest_state_text(v, state, sizeof(state));
	mon_printf("%s: guest %s is not running (%s): it has no live state\n", cmd, v->cfg->name,
		   state);
	return false;
}

bool mon_parse_u64(const char *s, bool hex, uint64_t *out_val)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = true;
		s += 2;
	}
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (hex && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (hex && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		unsigned base = hex ? 16 : 10;
		if (v > (UINT64_MAX - d) / base)
			return false; /* does not fit in 64 bits */
		v = v * base + d;
	}
	*out_val = v;
	return true;
}

uint64_t mon_tsc_to_ms(uint64_t ticks)
{
	uint64_t khz = platform_tsc_khz();
	return khz ? ticks / khz : 0;
}

/* ---- help ---- */

static void run_help(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char left[40];
		hv_snprintf(left, sizeof(left), "%s%s%s", commands[i]->name,
			    commands[i]->usage[0] ? " " : "", commands[i]->usage);
		mon_printf("  %-22s %s\n", left, commands[i]->help);
	}
}

static const struct monitor_cmd mon_cmd_help = {
	"help", "", "this list", 0, 0, run_help,
};

/* ---- the line editor ---- */

static void run_line(void)
{
	char *argv[MON_MAX_ARGS + 1];
	unsigned argc = 0;
	line[line_len] = 0;
	for (char *p = line; *p;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == MON_MAX_ARGS + 1) {
			argc++; /* too many: reported below */
			break;
		}
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	if (!argc)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct monitor_cmd *c = commands[i];
		if (strcmp(c->name, argv[0]))
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
			mon_printf("usage: %s%s%s\n", c->name, c->usage[0] ? " " : "", c->usage);
			return;
		}
		c->run(argc, argv);
		return;
	}
	mon_printf("unknown command '%s' (help lists the commands)\n", argv[0]);
}

static void enter(void)
{
	outs("\n");
	if (overlong)
		mon_printf("line too long (more than %u characters): ignored\n", MONITOR_LINE_MAX);
	else
		run_line();
	line_len = 0;
	overlong = false;
	if (!mon_top_active())
		outs(PROMPT);
}

static void erase_line(void)
{
	for (size_t i = 0; i < line_len; i++)
		outs("\b \b");
	line_len = 0;
	overlong = false;
}

/* Terminal escape sequences: ESC [ parameters final-byte (0x40-0x7e), ESC O x, ESC x. */
static bool in_escape(uint8_t c)
{
	switch (esc) {
	case ESC_START:
		esc = c == '[' || c == 'O' ? ESC_SEQ : ESC_NONE;
		return true;
	case ESC_SEQ:
		if (c >= 0x40 && c <= 0x7e)
			esc = ESC_NONE;
		return true;
	default:
		if (c != 0x1b)
			return false;
		esc = ESC_START;
		return true;
	}
}

void monitor_input(uint8_t c)
{
	bool after_cr = last_cr;
	last_cr = c == '\r';
	if (mon_top_active()) { /* any key ends top */
		mon_top_key();
		outs(PROMPT);
		return;
	}
	if (in_escape(c))
		return;
	if (c == '\r' || c == '\n') {
		if (!(c == '\n' && after_cr)) /* CR LF is one Enter */
			enter();
		return;
	}
	if (c == 0x08 || c == 0x7f) {
		if (overlong)
			return; /* the refused line stays refused: Ctrl-U starts over */
		if (line_len) {
			line_len--;
			outs("\b \b");
		}
		return;
	}
	if (c == 0x15) { /* Ctrl-U */
		erase_line();
		return;
	}
	if (c == 0x03) { /* Ctrl-C */
		line_len = 0;
		overlong = false;
		outs("^C\n" PROMPT);
		return;
	}
	if (c < 0x20 || c > 0x7e)
		return;
	if (line_len == MONITOR_LINE_MAX) {
		if (!overlong)
			outs("\a");
		overlong = true;
		return;
	}
	if (overlong)
		return;
	line[line_len++] = (char)c;
	out((const char *)&c, 1);
}

void monitor_tick(uint64_t now)
{
	mon_top_tick(now);
}
