/*
 * The hypervisor's serial monitor on COM1: a line editor and commands to look at and steer
 * the guests while they run (README "Debugging" -> "Monitor"; `help` lists the commands).
 *
 * The console input path (hv/console_input.c) hands it every byte typed while the input
 * focus is on the hypervisor, on the console CPU, in normal context (never in an interrupt
 * handler). Everything the monitor does runs there: it reads the other guests' counters
 * and memory, and asks their CPUs for register snapshots with a bounded wait
 * (vcpu_request_snapshot); nothing it does adds work to any guest's exit path, and
 * nothing typed can stall another CPU or crash anything.
 */
#ifndef HV_MONITOR_H
#define HV_MONITOR_H

#include "hv/types.h"

#define MONITOR_LINE_MAX 79 /* characters in a command line */

/* One byte typed on the console while the focus is on the hypervisor. */
void monitor_input(uint8_t c);
/* The focus has just moved to the hypervisor: a greeting and the prompt. */
void monitor_enter(void);
/* Called periodically (a few times a second is enough) on the console CPU, in normal
 * context, while the focus is on the hypervisor: drives `top`. now = host TSC. */
void monitor_tick(uint64_t now);

/* Where the monitor's answers go: console_text (hv/console.h) unless a host test installs
 * its fake console. NULL restores the default. */
typedef void (*monitor_out_fn)(const char *s, size_t n);
void monitor_set_output(monitor_out_fn out);
/* Back to the initial state: empty line, no `top` (host tests). */
void monitor_reset(void);

#endif
