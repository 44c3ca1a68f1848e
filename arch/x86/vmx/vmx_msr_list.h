/*
 * VMX MSR autoload lists (SDM vol. 3C 24.7.2, 24.8.2, 26.4, 27.4): arrays of
 * 16-byte entries the CPU walks on VM entry (load) and VM exit (store, load).
 * Pure list logic, testable on the host: the only VMCS contact is the count,
 * and a list only flags when its count changed (count_dirty) so the backend
 * VMWRITEs counts only then (vmx_msr_lists_sync).
 *
 * Only for MSRs that have no dedicated VMCS field (SYSENTER and DEBUGCTL have
 * one and are refused here; so are EFER and PAT, except through
 * vmx_msr_switch_if_differs on CPUs that lack their load controls) and must
 * switch atomically with the world switch. The seeds in ../shared/seeds/ explain
 * why the lists are not a fast path: each entry costs about a WRMSR, 1-2 orders
 * of magnitude more than a dedicated field. Nothing uses them by default.
 */
#ifndef ARCH_X86_VMX_MSR_LIST_H
#define ARCH_X86_VMX_MSR_LIST_H

#include "hv/types.h"

/* Table 24-12 (MSR-store/-load area entry). The area must be 16-byte aligned. */
struct vmx_msr_entry {
	uint32_t index;
	uint32_t reserved; /* must be 0 (26.4, 27.4) */
	uint64_t value;
};
_Static_assert(sizeof(struct vmx_msr_entry) == 16, "VMX MSR list entries are 16 bytes (table 24-12)");

struct vmx_msr_list {
	struct vmx_msr_entry *entries;
	uint32_t count, capacity;
	bool count_dirty; /* count changed since vmx_msr_list_take_dirty last ran */
};

/* capacity: entries storage holds, already limited to IA32_VMX_MISC's 512 * (N + 1). */
void vmx_msr_list_init(struct vmx_msr_list *l, struct vmx_msr_entry *storage, uint32_t capacity);
/* Add index, or update its value in place when present (never a duplicate entry).
 * 0, or -1 when the list is full or the MSR may not be in an autoload list. */
int vmx_msr_list_set(struct vmx_msr_list *l, uint32_t index, uint64_t value);
/* Remove index; the entries after it move up one, so the order the CPU loads them
 * in is kept (26.4: entries are processed in order). 0, or -1 when absent. */
int vmx_msr_list_remove(struct vmx_msr_list *l, uint32_t index);
struct vmx_msr_entry *vmx_msr_list_find(struct vmx_msr_list *l, uint32_t index);
/* Was the count changed since the last call? Clears the flag. */
bool vmx_msr_list_take_dirty(struct vmx_msr_list *l);
/* May this MSR be in an autoload list at all (26.4, 27.4) and does it lack a VMCS field? */
bool vmx_msr_list_allowed(uint32_t index);

/*
 * An atomically switched MSR has its guest value in `guest`, which is both the
 * VM-entry MSR-load area and the VM-exit MSR-store area (the VMCS points both
 * at it: what the guest had at exit is what it gets back at entry, with no
 * copying), and its host value in `host`, the VM-exit MSR-load area. The two
 * lists always hold the same MSRs in the same order.
 *
 * The last `load_only` entries are not stored at exit: MSRs whose every guest
 * read and write exits (EFER and PAT on CPUs without their load controls,
 * vmx_efer_pat.c), so the guest value in the list is always the current one and
 * storing it again would cost an MSR access per exit for nothing. The VM-exit
 * MSR-store count covers only the entries before them (vmx_msr_store_count).
 */
struct vmx_msr_autoload {
	struct vmx_msr_list guest; /* VM-entry MSR-load + VM-exit MSR-store */
	struct vmx_msr_list host;  /* VM-exit MSR-load */
	uint32_t load_only;        /* entries at the end of both lists that are not stored */
};

/* A guest-owned MSR (the guest may change it without an exit): loaded at entry, stored
 * and the host value loaded at exit. 0, or -1 when full or refused. */
int vmx_msr_switch_set(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest, uint64_t host);
/* An intercepted MSR: loaded at entry, the host value loaded at exit, never stored. Adding
 * it as the other kind than it is already is refused (-1). */
int vmx_msr_switch_set_intercepted(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest,
				   uint64_t host);
int vmx_msr_switch_remove(struct vmx_msr_autoload *a, uint32_t index);
/* An intercepted MSR in the lists only while the guest's value differs from the host's in
 * a bit outside `ignore` (bits the world switch sets by itself or that only one side
 * uses): 1 switched, 0 not switched (removed if it was), -1 full or refused. */
int vmx_msr_switch_if_differs(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest,
			      uint64_t host, uint64_t ignore);
/* The VM-exit MSR-store count: the guest list without its load-only tail. */
uint32_t vmx_msr_store_count(const struct vmx_msr_autoload *a);

#endif
