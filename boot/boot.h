/* The boot sequence's own steps, shared between the files of boot/. */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include "hv/config.h"

#define HV_VERSION "0.1.0"

struct boot_plan {
	uint64_t host_cr3;   /* identity map of all memory, below 4 GiB for the APs */
	uint64_t trampoline; /* one page below 1 MiB for the AP start-up code */
};

void boot_print_banner(void);
/* Hypervisor pool, page tables, trampoline page and per-CPU stacks. */
int boot_reserve(const struct hv_config *cfg, struct boot_plan *plan);
/* Partitions, kernels and modules for every configured guest. */
void boot_prepare_guests(const struct hv_config *cfg, struct boot_plan *plan);
/* After ExitBootServices: own page tables and descriptor tables, start the APs, run guests. */
NORETURN void boot_takeover(struct boot_plan *plan, const struct hv_config *cfg);

#endif
