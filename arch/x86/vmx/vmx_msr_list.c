/* VMX MSR autoload lists (see vmx_msr_list.h). */
#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx_msr_list.h"
#include "hv/lib.h"

#define MSR_SMM_MONITOR_CTL 0x9b
#define MSR_SMBASE 0x9e

void vmx_msr_list_init(struct vmx_msr_list *l, struct vmx_msr_entry *storage, uint32_t capacity)
{
	l->entries = storage;
	l->count = 0;
	l->capacity = capacity;
	l->count_dirty = true; /* the VMCS count starts unwritten */
}

bool vmx_msr_list_allowed(uint32_t index)
{
	/* 26.4 and 27.4: FS/GS base, the x2APIC range and the SMM-only MSRs make the load or
	 * store fail (VM-entry failure, or a VMX abort on exit). */
	if (index == MSR_FS_BASE || index == MSR_GS_BASE || (index >> 8) == 0x8 ||
	    index == MSR_SMM_MONITOR_CTL || index == MSR_SMBASE)
		return false;
	/* These have dedicated VMCS fields (24.4.1, 24.5), 1-2 orders of magnitude cheaper. */
	switch (index) {
	case MSR_EFER:
	case MSR_PAT:
	case MSR_SYSENTER_CS:
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
	case MSR_DEBUGCTL:
		return false;
	default:
		return true;
	}
}

struct vmx_msr_entry *vmx_msr_list_find(struct vmx_msr_list *l, uint32_t index)
{
	for (uint32_t i = 0; i < l->count; i++)
		if (l->entries[i].index == index)
			return &l->entries[i];
	return NULL;
}

int vmx_msr_list_set(struct vmx_msr_list *l, uint32_t index, uint64_t value)
{
	if (!vmx_msr_list_allowed(index))
		return -1;
	struct vmx_msr_entry *e = vmx_msr_list_find(l, index);
	if (e) {
		e->value = value; /* in place: the count, and so the VMCS, is unchanged */
		return 0;
	}
	if (l->count >= l->capacity)
		return -1;
	l->entries[l->count] = (struct vmx_msr_entry){ index, 0, value };
	l->count++;
	l->count_dirty = true;
	return 0;
}

int vmx_msr_list_remove(struct vmx_msr_list *l, uint32_t index)
{
	struct vmx_msr_entry *e = vmx_msr_list_find(l, index);
	if (!e)
		return -1;
	size_t after = (size_t)(l->entries + l->count - (e + 1));
	memmove(e, e + 1, after * sizeof(*e));
	l->count--;
	l->count_dirty = true;
	return 0;
}

bool vmx_msr_list_take_dirty(struct vmx_msr_list *l)
{
	bool d = l->count_dirty;
	l->count_dirty = false;
	return d;
}

int vmx_msr_switch_set(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest, uint64_t host)
{
	bool present = vmx_msr_list_find(&a->guest, index) != NULL;
	if (!present && (a->guest.count >= a->guest.capacity || a->host.count >= a->host.capacity))
		return -1; /* checked first so a full host list never leaves a half-added MSR */
	if (vmx_msr_list_set(&a->guest, index, guest))
		return -1;
	return vmx_msr_list_set(&a->host, index, host);
}

int vmx_msr_switch_remove(struct vmx_msr_autoload *a, uint32_t index)
{
	int g = vmx_msr_list_remove(&a->guest, index);
	int h = vmx_msr_list_remove(&a->host, index);
	return g || h ? -1 : 0;
}
