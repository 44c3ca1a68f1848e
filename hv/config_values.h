/*
 * Internals of the hv.cfg reader, shared by its three parts and by nothing
 * else: the line/section/key parser (hv/config_parse.c), the value setters
 * (hv/config_values.c) and placement on CPUs (hv/config_place.c).
 */
#ifndef HV_CONFIG_VALUES_H
#define HV_CONFIG_VALUES_H

#include "hv/config.h"
#include "hv/fmt.h"

enum config_section { SEC_NONE, SEC_HV, SEC_GUEST };

struct config_parser {
	const char *source;
	char *err;
	size_t errlen;
	struct hv_config *cfg;
	uint32_t line;
	enum config_section sec;
	bool seen_hv;
	unsigned keys; /* bit i: key_table[i] already set in this section */
	struct hv_guest_cfg *g;
};

/* Indexed by enum hv_on_finish. */
extern const char *const config_finish_names[3];

/* Writes "SOURCE:LINE: " and the message to p->err (when there is room); returns -1. */
int config_fail(const struct config_parser *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
bool config_is_blank(char c);
/* Strips blanks from both ends in place; returns the new start. */
char *config_trim(char *s);

/* One per key: val is the trimmed value; 0, or -1 with the message written. */
int config_set_on_finish(struct config_parser *p, char *val);
int config_set_smt(struct config_parser *p, char *val);
int config_set_gdb(struct config_parser *p, char *val);
int config_set_debug_late_ap(struct config_parser *p, char *val);
int config_set_debug_fault_cpu(struct config_parser *p, char *val);
int config_set_debug_bad_entry(struct config_parser *p, char *val);
int config_set_debug_nmi_cpu(struct config_parser *p, char *val);
int config_set_debug_stop_cpu(struct config_parser *p, char *val);
int config_set_debug_gdb_end_cpu(struct config_parser *p, char *val);
int config_set_debug_stack_overflow_cpu(struct config_parser *p, char *val);
int config_set_debug_pending_irq(struct config_parser *p, char *val);
int config_set_debug_dirty_xstate_cpu(struct config_parser *p, char *val);
int config_set_debug_vmx_msr_lists(struct config_parser *p, char *val);
int config_set_cpu(struct config_parser *p, char *val);
int config_set_memory(struct config_parser *p, char *val);
int config_set_kernel(struct config_parser *p, char *val);
int config_set_cmdline(struct config_parser *p, char *val);
int config_add_module(struct config_parser *p, char *val);
int config_set_xcr0(struct config_parser *p, char *val);
int config_set_timeout(struct config_parser *p, char *val);

#endif
