/*
 * A fake console and two or three fake guests for the serial monitor's tests: bytes are
 * typed into monitor_input, everything the monitor answers is captured as one string.
 */
#ifndef TESTS_HOST_MONITOR_TEST_ENV_H
#define TESTS_HOST_MONITOR_TEST_ENV_H

#include "hv/vcpu.h"

#define MON_ENV_GUESTS 3
#define MON_ENV_MEM (4u << 20)

struct mon_env {
	struct vcpu *v[MON_ENV_GUESTS]; /* "alpha" cpu 0 (the console CPU), "beta" cpu 1, "gamma" cpu 2 */
	struct hv_guest_cfg cfg[MON_ENV_GUESTS];
	bool answer;                    /* the other CPUs answer snapshot requests */
};
extern struct mon_env mon_env;

/* Set up (every guest running, started at fake TSC 1000) / tear down. */
void mon_env_setup(void);
void mon_env_teardown(void);
/* Type the bytes of s (one monitor_input each) after clearing the captured output. */
void mon_type(const char *s);
/* Everything captured since the last mon_type (NUL-terminated). */
const char *mon_out(void);
/* The answer: what was captured after the echo of the line and its Enter. */
const char *mon_answer(void);
/* How many times needle occurs in the captured output. */
int mon_count(const char *needle);

#endif
