/* The serial monitor's commands and the helpers they share (hv/monitor.c). Internal. */
#ifndef HV_MONITOR_CMDS_H
#define HV_MONITOR_CMDS_H

#include "hv/guest_state.h"
#include "hv/types.h"

struct vcpu;

#define MON_MAX_ARGS 4

struct monitor_cmd {
	const char *name;
	const char *usage; /* the arguments, as `help` and usage errors show them */
	const char *help;  /* one line */
	unsigned min_args, max_args;
	void (*run)(unsigned argc, char **argv); /* argv[0] is the command */
};

extern const struct monitor_cmd mon_cmd_guests, mon_cmd_top, mon_cmd_regs, mon_cmd_xstate,
	mon_cmd_msrs, mon_cmd_mem, mon_cmd_stop, mon_cmd_restart, mon_cmd_log;

/* Print (up to 511 characters per call; whole lines go out as one console record). */
void mon_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* The guest named name, or NULL after printing "CMD: no guest named ..." in one line. */
struct vcpu *mon_guest(const char *cmd, const char *name);
/* The number of guests and guest i (0 .. mon_guest_count()-1), in CPU order. */
unsigned mon_guest_count(void);
struct vcpu *mon_guest_at(unsigned i);
/* The guest's live state, or false after printing why not in one line. */
bool mon_snapshot(const char *cmd, struct vcpu *v, struct guest_state *st);
/* A number: hex with or without 0x when hex, else decimal unless it starts with 0x. */
bool mon_parse_u64(const char *s, bool hex, uint64_t *out);
/* "running", "halted", "stopped (why)", "finished: passed", ... into buf. */
void mon_guest_state_text(const struct vcpu *v, char *buf, size_t size);
/* Host TSC ticks to milliseconds. */
uint64_t mon_tsc_to_ms(uint64_t ticks);

/* `top` (monitor_cmd_top.c): live until a key is pressed. */
bool mon_top_active(void);
void mon_top_key(void);
void mon_top_tick(uint64_t now);
void mon_top_reset(void);

#endif
