/*
 * The cap on a guest's "logged once" messages (hv/log_once.c). Each such message (a port
 * with no device, a dropped IPI, a refused APIC base move, ...) is printed once per guest;
 * a guest that touches every port would still print 65,528 of them. So a guest gets at
 * most LOG_ONCE_MAX distinct ones; the next prints one "further ... suppressed" line and
 * the rest are only counted, for the end-of-run summary (hv/guest_run.c).
 */
#ifndef HV_LOG_ONCE_H
#define HV_LOG_ONCE_H

#include "hv/types.h"

#define LOG_ONCE_MAX 8

struct log_once {
	uint32_t printed;    /* distinct logged-once messages printed */
	uint64_t suppressed; /* and not printed, past the cap */
};

struct vcpu;
/* A new logged-once message for v: true if it may be printed (then print it). */
bool log_once_allowed(struct vcpu *v);

#endif
