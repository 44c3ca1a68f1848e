/* SVM MSR and I/O permission maps, generated from the MSR policy table (APM vol. 2 15.10, 15.11). */
#ifndef ARCH_X86_SVM_MSRPM_H
#define ARCH_X86_SVM_MSRPM_H

#include "hv/types.h"

#define SVM_MSRPM_SIZE (2 * 4096) /* three 2 KiB vectors used, rounded to pages */
#define SVM_IOPM_SIZE (3 * 4096)  /* 64K ports + 3 bits for accesses that cross 0xFFFF */

/* Every MSR intercepted except the passthrough directions of the policy table. */
void svm_msrpm_build(uint8_t *msrpm);
/* Does the map intercept this access? MSRs outside the three ranges always exit. */
bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write);
/* Switch one direction of one MSR at run time; MSRs outside the map always exit. */
void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool write, bool intercept);
/* Every port intercepted: the virtual platform emulates all I/O. */
void svm_iopm_build(uint8_t *iopm);

#endif
