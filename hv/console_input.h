/*
 * Serial console input (README "Serial console"). The host UART's receive interrupt is
 * taken by one CPU, the console CPU (HV_CONSOLE_CPU, hv/platform.h); its handler only moves
 * bytes into a raw ring (console_input_raw) and asks that CPU's hypervisor to look at them.
 * They are processed there in normal context (console_input_poll): on the slow path right
 * before the CPU re-enters its guest (hv/vcpu_request.c, VCPU_REQ_CONSOLE), in its halt
 * wait, and, once its guest has ended or when it has none, in an idle loop that serves the
 * console until the run ends (hv/guest_run.c). Nothing is added to the hot exit path.
 *
 * Input focus: the hypervisor (the monitor, hv/monitor.h) or one guest that reads its
 * UART (it has read RBR or enabled the receive interrupt). Ctrl-A pressed three times in a
 * row moves the focus to the next of them, in CPU order, and prints who has it now. Bytes
 * for a guest go into its virtual UART's receive queue (hv/vuart.h) and its CPU is kicked
 * (VCPU_REQ_RX, platform_kick) so that its receive interrupt comes soon. One or two Ctrl-A
 * followed by another key pass through unchanged to whoever has the focus.
 */
#ifndef HV_CONSOLE_INPUT_H
#define HV_CONSOLE_INPUT_H

#include "hv/types.h"

struct vcpu;

#define CONSOLE_SWITCH_KEY 0x01 /* Ctrl-A */
#define CONSOLE_SWITCH_PRESSES 3

/* The focus: -1 is the hypervisor; otherwise a logical CPU whose guest has it. */
#define CONSOLE_FOCUS_HV (-1)

/* Interrupt context, console CPU: one received byte (dropped and counted when the raw
 * ring is full), then console_input_signal once per interrupt. */
void console_input_raw(uint8_t c);
/* Interrupt context, console CPU: make its hypervisor poll soon (its guest's
 * VCPU_REQ_CONSOLE; the idle loop polls after every interrupt anyway). timer: the host
 * timer fired (the monitor's tick may be due). */
void console_input_signal(bool timer);
/* Normal context, console CPU: process the raw bytes; call monitor_tick when its time has
 * come: every CONSOLE_TICK_MS while the focus is on the hypervisor, once something has been
 * typed to it (a run nobody types into gets no timer interrupts from this). */
void console_input_poll(void);
#define CONSOLE_TICK_MS 250
/* monitor_tick() is due at or after host TSC tsc (0: never). The console CPU arms its host
 * timer for it (hv/vintr.c folds it into the guest's, guest_run.c's idle loop arms it
 * alone). Console CPU only. */
void console_input_tick_at(uint64_t tsc);
/* The host TSC deadline the console CPU's host timer must also honour (0: none). */
uint64_t console_input_tick_deadline(void);
/* The focus now (CONSOLE_FOCUS_HV or a CPU index). */
int console_input_focus(void);

/* --- pure state machine, exposed for the host unit tests --- */
struct focus_keys {
	uint8_t presses; /* Ctrl-A held back so far (0-2) */
};
/* Feed one byte. Returns true when the focus must switch (the third Ctrl-A). Otherwise
 * out[0..*n) are the bytes to pass to the current focus (held Ctrl-As first). */
bool focus_keys_feed(struct focus_keys *k, uint8_t c, uint8_t out[CONSOLE_SWITCH_PRESSES], unsigned *n);
/* The next focus after cur among the hypervisor and the CPUs 0..ncpus-1 for which
 * eligible(cpu) is true (a guest that runs and reads its UART), wrapping to the hypervisor. */
int focus_next(int cur, unsigned ncpus, bool (*eligible)(unsigned cpu));

#endif
