/*
 * hv_handle_exit: the architecture-neutral half of every VM exit. The common
 * exits (CPUID, hypercall, I/O) touch only the vcpu structure: no MSR, no
 * XSAVE, no VMCB/VMCS access beyond what the backend already copied.
 */
#include <stdarg.h>
#include "arch/x86/cpu.h"
#include "hv/gdb_stop.h"
#include "hv/apic_mmio.h"
#include "hv/cache_pmu_insn.h"
#include "hv/fmt.h"
#include "hv/guest_fetch.h"
#include "hv/host_cpu.h"
#include "hv/hypercall_abi.h"
#include "hv/lib.h"
#include "hv/msr_policy.h"
#include "hv/vintr.h"
#include "hv/vio.h"
#include "hv/vlapic_log.h"
#include "hv/xcr0_policy.h"


void vcpu_stop(struct vcpu *v, const char *fmt, ...)
{
	if (v->end.kind != GUEST_RUNNING)
		return;
	va_list ap;
	va_start(ap, fmt);
	hv_vsnprintf(v->end.reason, sizeof(v->end.reason), fmt, ap);
	va_end(ap);
	v->end.kind = GUEST_STOPPED;
}

void vcpu_exit_status(struct vcpu *v, uint32_t value)
{
	if (v->end.kind != GUEST_RUNNING)
		return;
	v->end.status = value;
	v->end.kind = value == EXIT_VALUE_PASS   ? GUEST_PASSED
		      : value == EXIT_VALUE_SKIP ? GUEST_SKIPPED
						 : GUEST_FAILED;
}

static enum exit_action handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->gprs.rax;
	struct cpuid_value r = cpuid_lookup(&v->cpuid, leaf, (uint32_t)v->gprs.rcx);
	xstate_cpuid(v, leaf, (uint32_t)v->gprs.rcx, &r);
	if (leaf == 1 || (leaf == 7 && (uint32_t)v->gprs.rcx == 0)) {
		/* OSXSAVE and OSPKE mirror the guest's CR4 (SDM vol. 2A CPUID: leaf 1 ECX bit 27,
		 * leaf 7.0 ECX bit 4). Leaf 7 is subleaf-indexed, so it never takes the fast path. */
		struct guest_mode m;
		v->be->read_mode(v, &m);
		if (leaf == 1 && (m.cr4 & CR4_OSXSAVE))
			r.ecx |= CPUID_1_ECX_OSXSAVE;
		if (leaf == 7 && (m.cr4 & CR4_PKE))
			r.ecx |= CPUID_7_ECX_OSPKE;
	}
	v->gprs.rax = r.eax;
	v->gprs.rbx = r.ebx;
	v->gprs.rcx = r.ecx;
	v->gprs.rdx = r.edx;
	return ACT_SKIP;
}

static enum exit_action handle_msr(struct vcpu *v, const struct vm_exit *e, bool write)
{
	uint32_t msr = e->msr.index;
	uint64_t val = (v->gprs.rdx << 32) | (uint32_t)v->gprs.rax;
	int rc = -1;
	switch (msr_handling_for(msr, write)) {
	case MSR_FIELD:
		rc = write ? v->be->msr_field_write(v, msr, val) : v->be->msr_field_read(v, msr, &val);
		break;
	case MSR_EMULATED:
		rc = write ? msr_emulate_write(v, msr, val) : msr_emulate_read(v, msr, &val);
		break;
	case MSR_PASSTHROUGH:
		/* The bitmaps are generated from the same table, so this is a hypervisor bug. */
		vcpu_stop(v, "MSR 0x%x is passthrough but its %s was intercepted", msr,
			  write ? "write" : "read");
		return ACT_STOP;
	case MSR_DENY:
		break;
	}
	if (rc)
		return ACT_INJECT_GP;
	if (!write) {
		v->gprs.rax = (uint32_t)val;
		v->gprs.rdx = val >> 32;
	}
	return ACT_SKIP;
}

_Static_assert(HC_KIND_CPUID == EXIT_CPUID && HC_KIND_HYPERCALL == EXIT_HYPERCALL &&
		       HC_KIND_IO == EXIT_IO && HC_KIND_MSR_READ == EXIT_MSR_READ &&
		       HC_KIND_MSR_WRITE == EXIT_MSR_WRITE && HC_KIND_HLT == EXIT_HLT &&
		       HC_KIND_NPF == EXIT_NPF,
	       "the hypercall ABI numbers exit kinds like enum exit_kind");

#ifdef HV_BENCH
static uint64_t bench_hypercall(struct vcpu *v)
{
	uint64_t fn = v->gprs.rax;
	if (fn == HC_BENCH_FLOOR) {
		if (v->gprs.rcx < 1 || v->gprs.rcx > 15)
			return HC_UNKNOWN;
		v->floor_left = (uint32_t)v->gprs.rbx;
		v->floor_len = (uint32_t)v->gprs.rcx;
		return 0;
	}
	uint64_t gpa = v->gprs.rbx, kind = v->gprs.rcx;
	struct hc_exit_costs c;
	if (fn != HC_EXIT_COSTS || kind >= EXIT_KIND_COUNT || gpa >= v->mem.size ||
	    sizeof(c) > v->mem.size - gpa)
		return HC_UNKNOWN;
	/* This hypercall is counted already but its handling is not over (RIP is advanced
	 * after this returns): leave it out, so every counted exit is a finished one. */
	c.exits = v->exits[kind] - (kind == EXIT_HYPERCALL);
	c.msr = v->costs[kind].msr;
	c.xsave = v->costs[kind].xsave;
	c.vmsave = v->costs[kind].vmsave;
	c.vmload = v->costs[kind].vmload;
	c.vmwrite = v->costs[kind].vmwrite;
	c.autoload = v->costs[kind].autoload;
	memcpy(v->mem.base + gpa, &c, sizeof(c));
	return 0;
}
#endif

static enum exit_action handle_hypercall(struct vcpu *v)
{
	uint64_t fn = v->gprs.rax;
	if (fn == HC_PING)
		v->gprs.rax = 0;
	else
#ifdef HV_BENCH
		v->gprs.rax = bench_hypercall(v);
#else
		v->gprs.rax = HC_UNKNOWN;
#endif
	return ACT_SKIP;
}

static enum exit_action handle_xsetbv(struct vcpu *v)
{
	uint32_t index = (uint32_t)v->gprs.rcx;
	uint64_t val = (v->gprs.rdx << 32) | (uint32_t)v->gprs.rax;
	if (index != 0 || !xcr0_valid(val, v->xcr0_allowed))
		return ACT_INJECT_GP;
	if (xstate_xsetbv(v, val))
		return ACT_STOP;
	/* The hypervisor uses no extended state, so the guest's XCR0 simply stays live on its core. */
	host_xsetbv(0, val);
	v->xcr0 = val;
	return ACT_SKIP;
}

/* HLT waits for the guest's next interrupt (hv/vintr.c: vcpu_deliver_events waits while
 * v->halted), or stops the guest when nothing could ever end the halt: IF = 0 with no NMI
 * to come, or no event source armed. */
static enum exit_action handle_hlt(struct vcpu *v)
{
	if (vcpu_can_wake(v)) {
		v->halted = true;
		return ACT_SKIP;
	}
	struct guest_mode m;
	v->be->read_mode(v, &m);
	if (!(m.rflags & RFLAGS_IF))
		vcpu_stop(v, "HLT with interrupts disabled at RIP 0x%llx: the guest can never wake up",
			  (unsigned long long)m.rip);
	else
		vcpu_stop(v, "HLT at RIP 0x%llx with nothing armed to wake the guest (APIC timer off "
			     "or masked, no interrupt or NMI pending): it can never wake up",
			  (unsigned long long)m.rip);
	return ACT_STOP;
}

enum exit_action hv_handle_exit(struct vcpu *v, struct vm_exit *e)
{
	enum exit_action act;
	v->exits[e->kind]++;
#ifdef HV_BENCH
	v->cur_kind = e->kind;
#endif
	switch (e->kind) {
	case EXIT_CPUID:
		act = handle_cpuid(v);
		break;
	case EXIT_HYPERCALL:
		act = handle_hypercall(v);
		break;
	case EXIT_IO:
		act = vio_handle(v, e);
		break;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		act = handle_msr(v, e, e->kind == EXIT_MSR_WRITE);
		break;
	case EXIT_XSETBV:
		act = handle_xsetbv(v);
		break;
	case EXIT_HLT:
		act = handle_hlt(v);
		if (act == ACT_STOP)
			return act;
		break;
	case EXIT_IRQ_WINDOW:
	case EXIT_NMI_WINDOW: /* the delivery itself happens in vcpu_deliver_events */
		return ACT_RESUME;
	case EXIT_HOST_IRQ:
		/* Perhaps the host timer, a little early (hv/vintr.c then arms it again). */
		v->host_timer_expiry = 0;
		return ACT_RESUME; /* never injected: no guest asked for it */
	case EXIT_HOST_EVENT:
		return ACT_RESUME;
	case EXIT_SHUTDOWN:
		vcpu_stop(v, "triple fault (shutdown)");
		return ACT_STOP;
	case EXIT_NPF:
		if (vlapic_mmio_covers(&v->lapic, e->npf.gpa)) {
			act = apic_mmio_exit(v, e);
			vlapic_log_events(v); /* a dropped IPI: one line per guest */
			break;
		}
		if (vioapic_mmio_covers(e->npf.gpa)) {
			act = ioapic_mmio_exit(v, e);
			break;
		}
		vcpu_stop(v, "%s of guest-physical 0x%llx outside its %llu MiB partition",
			  e->npf.fetch ? "instruction fetch" : e->npf.write ? "write" : "read",
			  (unsigned long long)e->npf.gpa, (unsigned long long)(v->mem.size >> 20));
		return ACT_STOP;
	case EXIT_FORBIDDEN:
		vcpu_stop(v, "forbidden instruction %s", e->name);
		return ACT_STOP;
	case EXIT_HIDDEN_INSN:
		return ACT_INJECT_UD;
	case EXIT_WBINVD:
	case EXIT_INVD:
		act = hv_exit_cache_flush(v);
		break;
	case EXIT_RDPMC:
		act = hv_exit_rdpmc(v);
		break;
	case EXIT_EXCEPTION:
		if (e->exc.vector == 7 && xstate_nm_exit(v))
			return ACT_INJECT_NM;
		/* The gdb stub's: #BP, intercepted only while it has a software breakpoint in this
		 * guest, and #DB while it steps or has a debug register (hv/gdb_stop.h). */
		if (e->exc.vector == 3 || (e->exc.vector == 1 && gdb_owns_db(v)))
			return gdb_exit_exception(v, e->exc.vector);
		/* #DB and #AC are intercepted only so that a guest whose handler raises the same
		 * exception again cannot hold the core inside the CPU forever, out of reach of
		 * NMIs and SMIs (CVE-2015-8104, CVE-2015-5307): each one exits and goes back. */
		if (e->exc.vector == 1 || e->exc.vector == 17)
			return ACT_REFLECT;
		vcpu_stop(v, "unexpected intercepted exception, vector %u", e->exc.vector);
		return ACT_STOP;
	case EXIT_BAD_STATE:
		vcpu_stop(v, "VM entry refused the guest state: %s (qualification 0x%llx)", e->name,
			  (unsigned long long)e->bad.qualification);
		return ACT_STOP;
	default:
		vcpu_stop(v, "unhandled exit %s (code 0x%llx)", e->name ? e->name : "?",
			  (unsigned long long)e->arch_code);
		return ACT_STOP;
	}
	if (act == ACT_SKIP && !e->insn_len) {
		struct guest_mode m;
		v->be->read_mode(v, &m);
		int len = guest_insn_length(&v->mem, &m);
		if (len < 0) {
			vcpu_stop(v, "cannot fetch or decode the %s instruction at RIP 0x%llx",
				  exit_kind_name(e->kind), (unsigned long long)m.rip);
			return ACT_STOP;
		}
		e->insn_len = (uint32_t)len;
	}
	return act;
}
