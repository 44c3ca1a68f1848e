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

/* 26.4 and 27.4: FS/GS base, the x2APIC range and the SMM-only MSRs make the load or store
 * fail (VM-entry failure, or a VMX abort on exit). */
static bool loadable(uint32_t index)
{
	return !(index == MSR_FS_BASE || index == MSR_GS_BASE || (index >> 8) == 0x8 ||
		 index == MSR_SMM_MONITOR_CTL || index == MSR_SMBASE);
}

/* SYSENTER and DEBUGCTL are in the guest/host-state areas on every VMX CPU (the first ones
 * had only the 1-setting of "load debug controls", 26.3.2.1); EFER and PAT only where the
 * CPU has their load controls (24.7.1, 24.8.1). */
static bool always_in_field(uint32_t index)
{
	return index == MSR_SYSENTER_CS || index == MSR_SYSENTER_ESP || index == MSR_SYSENTER_EIP ||
	       index == MSR_DEBUGCTL;
}

bool vmx_msr_list_allowed(uint32_t index)
{
	/* The dedicated VMCS fields (24.4.1, 24.5) are 1-2 orders of magnitude cheaper. */
	return loadable(index) && !always_in_field(index) && index != MSR_EFER && index != MSR_PAT;
}

struct vmx_msr_entry *vmx_msr_list_find(struct vmx_msr_list *l, uint32_t index)
{
	for (uint32_t i = 0; i < l->count; i++)
		if (l->entries[i].index == index)
			return &l->entries[i];
	return NULL;
}

/* Insert at pos, moving the entries from pos on down one (the load order is kept, 26.4). */
static int insert(struct vmx_msr_list *l, uint32_t pos, uint32_t index, uint64_t value)
{
	if (l->count >= l->capacity || pos > l->count)
		return -1;
	memmove(&l->entries[pos + 1], &l->entries[pos], (l->count - pos) * sizeof(*l->entries));
	l->entries[pos] = (struct vmx_msr_entry){ index, 0, value };
	l->count++;
	l->count_dirty = true;
	return 0;
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
	return insert(l, l->count, index, value);
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

uint32_t vmx_msr_store_count(const struct vmx_msr_autoload *a)
{
	return a->guest.count - a->load_only;
}

/* Stored entries first, the load-only ones after them: the store count then covers exactly
 * the stored ones. The host list mirrors the guest list entry for entry. */
static int switch_set(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest, uint64_t host,
		      bool stored)
{
	struct vmx_msr_entry *g = vmx_msr_list_find(&a->guest, index);
	if (g) {
		struct vmx_msr_entry *h = vmx_msr_list_find(&a->host, index);
		bool is_stored = (uint32_t)(g - a->guest.entries) < vmx_msr_store_count(a);
		if (!h || is_stored != stored)
			return -1;
		g->value = guest; /* in place: no count changes */
		h->value = host;
		return 0;
	}
	/* Checked first so a full host list never leaves a half-added MSR. */
	if (a->guest.count >= a->guest.capacity || a->host.count >= a->host.capacity ||
	    a->guest.count != a->host.count)
		return -1;
	uint32_t pos = stored ? vmx_msr_store_count(a) : a->guest.count;
	insert(&a->guest, pos, index, guest);
	insert(&a->host, pos, index, host);
	if (!stored)
		a->load_only++;
	return 0;
}

int vmx_msr_switch_set(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest, uint64_t host)
{
	if (!vmx_msr_list_allowed(index))
		return -1;
	return switch_set(a, index, guest, host, true);
}

int vmx_msr_switch_set_intercepted(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest,
				   uint64_t host)
{
	if (!loadable(index) || always_in_field(index))
		return -1;
	return switch_set(a, index, guest, host, false);
}

int vmx_msr_switch_remove(struct vmx_msr_autoload *a, uint32_t index)
{
	struct vmx_msr_entry *g = vmx_msr_list_find(&a->guest, index);
	if (g && (uint32_t)(g - a->guest.entries) >= vmx_msr_store_count(a))
		a->load_only--;
	int gr = vmx_msr_list_remove(&a->guest, index);
	int hr = vmx_msr_list_remove(&a->host, index);
	return gr || hr ? -1 : 0;
}

int vmx_msr_switch_if_differs(struct vmx_msr_autoload *a, uint32_t index, uint64_t guest,
			      uint64_t host, uint64_t ignore)
{
	if ((guest ^ host) & ~ignore)
		return vmx_msr_switch_set_intercepted(a, index, guest, host) ? -1 : 1;
	if (vmx_msr_list_find(&a->guest, index) && vmx_msr_switch_remove(a, index))
		return -1;
	return 0;
}
