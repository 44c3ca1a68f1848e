/*
 * The single MSR policy table. It is the one source for the SVM MSR permission
 * map, the VMX MSR bitmap, the core's emulation and the documentation: an MSR
 * absent from the table is denied (#GP) on both read and write.
 */
#ifndef HV_MSR_POLICY_H
#define HV_MSR_POLICY_H

#include "hv/types.h"

enum msr_handling {
	MSR_DENY,        /* #GP injected */
	MSR_PASSTHROUGH, /* no intercept: the guest owns the hardware MSR while it runs */
	MSR_FIELD,       /* intercepted; kept in a dedicated VMCB/VMCS field by the backend */
	MSR_EMULATED,    /* intercepted; the core keeps or computes the value */
};

struct msr_rule {
	uint32_t first, last; /* inclusive range */
	uint8_t read, write;  /* enum msr_handling for each direction */
	const char *name;
	const char *svm;      /* the mechanism on AMD SVM (documentation) */
	const char *vmx;      /* the mechanism on Intel VMX (documentation) */
	const char *why;
};

extern const struct msr_rule msr_rules[];
extern const size_t msr_rule_count;

/* The rule covering msr, or NULL (denied). */
const struct msr_rule *msr_rule_find(uint32_t msr);
enum msr_handling msr_handling_for(uint32_t msr, bool write);
/* Calls fn for every (MSR, direction) the table passes through to the guest: the one walk
 * both backends build their permission bitmaps from (svm_msrpm.c, vmx_msr_bitmap.c). */
void msr_policy_each_passthrough(void (*fn)(void *ctx, uint32_t msr, bool write), void *ctx);
const char *msr_handling_name(enum msr_handling h);

struct vcpu;
/* Emulated MSRs: 0 on success, -1 when the access must raise #GP. */
int msr_emulate_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_emulate_write(struct vcpu *v, uint32_t msr, uint64_t val);
void msr_emulate_reset(struct vcpu *v);

/* The table as a Markdown document (docs/msr-policy.md is this output): the bytes it
 * would need, like snprintf. */
size_t msr_policy_markdown(char *buf, size_t size);

#endif
