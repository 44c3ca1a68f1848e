/* AP start-up: INIT-SIPI-SIPI per Intel SDM vol. 3A 8.4.4.1 (the "universal" algorithm). */
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/smp.h"
#include "drivers/lapic.h"
#include "hv/lib.h"
#include "hv/log.h"

/* Must match the parameter block at the start of arch/x86/trampoline.nasm. Naturally aligned
 * (no padding the compiler adds: checked below), so state can be used atomically. */
struct trampoline_params {
	uint16_t jmp;
	uint8_t pad[6];
	uint64_t cr3, stack, entry, arg, efer;
	uint32_t far32_offset;
	uint16_t far32_sel, pad32;
	uint32_t far64_offset;
	uint16_t far64_sel, pad64;
	uint16_t gdt_limit, gdt_base_lo, gdt_base_hi, pad_gdt;
	uint32_t state, apic_id, parked, parked_id;
	uint32_t cr4, pad_cr4;
};
_Static_assert(offsetof(struct trampoline_params, cr3) == 8, "trampoline.nasm p_cr3");
_Static_assert(offsetof(struct trampoline_params, efer) == 40, "trampoline.nasm p_efer");
_Static_assert(offsetof(struct trampoline_params, far32_offset) == 48, "trampoline.nasm far32");
_Static_assert(offsetof(struct trampoline_params, far64_offset) == 56, "trampoline.nasm far64");
_Static_assert(offsetof(struct trampoline_params, gdt_limit) == 64, "trampoline.nasm gdt_ptr");
_Static_assert(offsetof(struct trampoline_params, state) == 72, "trampoline.nasm p_state");
_Static_assert(offsetof(struct trampoline_params, parked_id) == 84, "trampoline.nasm p_parked_id");
_Static_assert(offsetof(struct trampoline_params, cr4) == 88, "trampoline.nasm p_cr4");
_Static_assert(sizeof(struct trampoline_params) == 96, "trampoline.nasm parameter block");

/* p_state (trampoline.nasm). */
#define TRAMP_CLOSED 0u
#define TRAMP_OPEN 1u
#define TRAMP_CLAIMED 2u

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

uint64_t tsc_per_us = 1000;
uint64_t tsc_khz = 1000000;

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_per_us;
	while (rdtsc() < end)
		cpu_relax();
}

static bool wait_online(struct percpu *pc, uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_per_us;
	while (rdtsc() < end) {
		if (__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE);
}

/*
 * The hand-over of the one parameter block (trampoline.nasm). The BSP writes the parameters
 * and the expected APIC ID only while the block is not OPEN, then opens it; the AP with that
 * APIC ID claims it (OPEN -> CLAIMED, LOCK CMPXCHG) and reads it until it is online. When
 * the AP does not come online in time (SDM vol. 3A 8.4.4.1 gives the start-up sequence, a
 * slow or broken AP may take longer or never arrive), the BSP closes the block with the same
 * CMPXCHG (OPEN -> CLOSED): from then on that AP parks itself in the trampoline whenever it
 * arrives. If the CMPXCHG finds CLAIMED, the AP is running on these parameters: the BSP waits
 * for it longer, and if it still does not come online, starts no further AP, since the block
 * may not be rewritten under it.
 */
#define ONLINE_WAIT_US 500000
#define CLAIMED_WAIT_US 2000000

enum ap_outcome { AP_ONLINE, AP_ABSENT, AP_STUCK };

static uint32_t cmpxchg32(uint32_t *p, uint32_t expect, uint32_t desired)
{
	__atomic_compare_exchange_n(p, &expect, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return expect; /* the value found */
}

static void send_init_sipi(const struct percpu *pc, uint64_t trampoline_page)
{
	lapic_send_init(pc->apic_id);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE); sipi++) {
		lapic_send_sipi(pc->apic_id, (uint8_t)(trampoline_page >> 12));
		udelay(200);
	}
}

static enum ap_outcome start_one(struct trampoline_params *tp, uint64_t trampoline_page,
				 struct percpu *pc, bool late)
{
	if (late) {
		/* [hv] debug_late_ap: give up before the SIPIs, so the AP arrives at a closed block. */
		cmpxchg32(&tp->state, TRAMP_OPEN, TRAMP_CLOSED);
		send_init_sipi(pc, trampoline_page);
		wait_online(pc, ONLINE_WAIT_US);
		return AP_ABSENT;
	}
	send_init_sipi(pc, trampoline_page);
	if (wait_online(pc, ONLINE_WAIT_US))
		return AP_ONLINE;
	if (cmpxchg32(&tp->state, TRAMP_OPEN, TRAMP_CLOSED) == TRAMP_OPEN)
		return AP_ABSENT; /* it never claimed the block: the next AP may have it */
	return wait_online(pc, CLAIMED_WAIT_US) ? AP_ONLINE : AP_STUCK;
}

uint32_t smp_start_aps(uint64_t trampoline_page, uint64_t cr3, void (*entry)(struct percpu *),
		       uint32_t late_ap)
{
	size_t len = (size_t)(trampoline_blob_end - trampoline_blob);
	uint8_t *page = (uint8_t *)(uintptr_t)trampoline_page;
	struct trampoline_params *tp = (struct trampoline_params *)page;
	uint32_t started = 0;

	/* Copied once: an AP that parked in it keeps executing it. The block starts CLOSED. */
	memcpy(page, trampoline_blob, len);
	for (uint32_t i = 1; i < hv_ncpus; i++) {
		struct percpu *pc = &hv_cpus[i];
		/* Not OPEN here (CLOSED, or CLAIMED by an AP that is online): no AP reads these. */
		tp->cr3 = cr3;
		tp->stack = cpu_main_stack_top(pc);
		tp->entry = (uint64_t)(uintptr_t)entry;
		tp->arg = (uint64_t)(uintptr_t)pc;
		tp->efer = rdmsr(MSR_EFER) & EFER_NXE;
		tp->cr4 = (uint32_t)(read_cr4() & CR4_LA57); /* the host tables are 5-level then */
		tp->apic_id = pc->apic_id;
		uint32_t parked = __atomic_load_n(&tp->parked, __ATOMIC_ACQUIRE);
		__atomic_store_n(&tp->state, TRAMP_OPEN, __ATOMIC_SEQ_CST);

		enum ap_outcome o = start_one(tp, trampoline_page, pc, i == late_ap);
		bool parked_here = __atomic_load_n(&tp->parked, __ATOMIC_ACQUIRE) != parked &&
				   __atomic_load_n(&tp->parked_id, __ATOMIC_ACQUIRE) == pc->apic_id;
		if (o == AP_ONLINE) {
			started++;
		} else if (o == AP_STUCK) {
			hv_printf("hv: cpu %u (APIC ID %u) claimed its start-up parameters but did not "
				  "come online; the remaining CPUs are not started\n", i, pc->apic_id);
			break;
		} else {
			hv_printf("hv: cpu %u (APIC ID %u) did not start%s%s\n", i, pc->apic_id,
				  i == late_ap ? " (debug_late_ap)" : "",
				  parked_here ? ": it arrived after the boot CPU had given up on it and "
						"parked itself"
					      : "");
		}
	}
	return started;
}
