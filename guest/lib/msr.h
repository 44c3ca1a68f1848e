/* MSR numbers the guests poke at, and MSR access that survives a #GP. */
#ifndef GUEST_MSR_H
#define GUEST_MSR_H

#include "guest.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1B
#define MSR_FEATURE_CONTROL 0x3A
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT 0x277
#define MSR_VMX_BASIC 0x480
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_VM_CR 0xC0010114
#define MSR_VM_HSAVE_PA 0xC0010117

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)
#define EFER_SVME (1u << 12)

/*
 * RDMSR/WRMSR that return 0 on success or the vector of the exception the
 * instruction raised (13 for #GP) instead of crashing. On a fault *val is 0.
 */
uint32_t rdmsr_safe(uint32_t msr, uint64_t *val);
uint32_t wrmsr_safe(uint32_t msr, uint64_t val);

#endif
