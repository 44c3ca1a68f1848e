/* The intercepts every SVM guest runs with, and what they let its CPUID promise. Pure logic
 * (host tests check it). */
#ifndef ARCH_X86_SVM_SVM_INTERCEPTS_H
#define ARCH_X86_SVM_SVM_INTERCEPTS_H

#include "arch/x86/svm/svm_vmcb.h"

struct cpuid_backend_caps;

/* has_invlpgb: CPUID 8000_0008 EBX[3] on this CPU. */
void svm_intercepts_init(struct vmcb_control *c, bool has_invlpgb);
/* The instructions that run in a guest with the intercepts in c, and the CR4 bits it may
 * set, for the CPUID feature table. */
void svm_cpuid_caps(const struct vmcb_control *c, struct cpuid_backend_caps *out);

#endif
