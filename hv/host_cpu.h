/*
 * The few host-CPU operations the architecture-neutral core needs. hv.efi
 * implements them with the real instructions (arch/x86/host_cpu.c); host unit
 * tests link a fake (tests/host/fake_host_cpu.c) that models the hardware.
 */
#ifndef HV_HOST_CPU_H
#define HV_HOST_CPU_H

#include "hv/cpuid_policy.h"
#include "hv/types.h"

struct cpuid_value host_cpuid(uint32_t leaf, uint32_t subleaf);
/* XCR0 bits this CPU supports (CPUID.(0xD,0) EDX:EAX). */
uint64_t host_xcr0_supported(void);
void host_xsetbv(uint32_t index, uint64_t value);
uint64_t host_xgetbv0(void);
/* XGETBV with ECX = 1: XCR0 AND XINUSE, the components not in their init state (SDM vol. 1
 * 13.6). Only where CPUID.(0xD,1).EAX[2] = 1. */
uint64_t host_xgetbv1(void);
/* XRSTOR of area (64-byte aligned, standard or compacted per its header) for mask. */
void host_xrstor(const void *area, uint64_t mask);
/* TILERELEASE: AMX tile configuration and data to their init state (SDM vol. 2B
 * TILERELEASE: 64-bit mode, XCR0[18:17] = 11b, and XFD[18] clear or it raises #NM). */
void host_tilerelease(void);
uint64_t host_rdmsr(uint32_t msr);
void host_wrmsr(uint32_t msr, uint64_t value);
/* Write back and invalidate every cache line of [base, base + size) (identity-mapped host
 * memory) with CLFLUSHOPT, or CLFLUSH where the CPU lacks it, then fence: the caches of the
 * other partitions are left alone (docs/cache-and-pmu.md). */
void host_cache_writeback(const void *base, uint64_t size);
/* The host's time stamp counter (RDTSC). A guest's TSC is this plus its v->tsc_offset. */
uint64_t host_rdtsc(void);

#endif
