/*
 * The SVM slow path's decoder: the VMCB's exit code and EXITINFO fields, as a struct
 * vm_exit for the core (APM vol. 2 15.7, appendix C). Reads the VMCB and the guest's code
 * bytes, nothing else.
 */
#include "arch/x86/svm/svm_guest_code.h"
#include "hv/lib.h"

static const char *forbidden_name(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_VMRUN:
		return "VMRUN";
	case SVM_EXIT_VMLOAD:
		return "VMLOAD";
	case SVM_EXIT_VMSAVE:
		return "VMSAVE";
	case SVM_EXIT_STGI:
		return "STGI";
	case SVM_EXIT_CLGI:
		return "CLGI";
	case SVM_EXIT_SKINIT:
		return "SKINIT";
	case SVM_EXIT_INVLPGA:
		return "INVLPGA";
	case SVM_EXIT_RSM:
		return "RSM";
	default:
		return NULL;
	}
}

/* The length of the unprefixed encoding of an intercepted instruction, if that is what the
 * guest executed; 0 otherwise. */
static uint32_t known_len(struct vmcb *vmcb, struct vcpu *v, uint64_t code)
{
	static const struct {
		uint16_t exit;
		uint8_t len;
		uint32_t bytes;
	} known[] = {
		{ SVM_EXIT_CPUID, 2, 0xa20f },	  { SVM_EXIT_VMMCALL, 3, 0xd9010f },
		{ SVM_EXIT_MSR, 2, 0x320f },	  { SVM_EXIT_MSR, 2, 0x300f },
		{ SVM_EXIT_HLT, 1, 0xf4 },	  { SVM_EXIT_XSETBV, 3, 0xd1010f },
		{ SVM_EXIT_WBINVD, 2, 0x090f },	  { SVM_EXIT_INVD, 2, 0x080f },
		{ SVM_EXIT_RDPMC, 2, 0x330f },
	};
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].exit == code && encoding_at_rip(vmcb, v, known[i].bytes, known[i].len))
			return known[i].len;
	return 0;
}

void svm_decode_exit(struct svm_vcpu *s, struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = s->vmcb;
	uint64_t code = vmcb->control.exit_code;
	uint64_t info1 = vmcb->control.exit_info1, info2 = vmcb->control.exit_info2;
	memset(e, 0, sizeof(*e));
	e->arch_code = code;
	/* nRIP when the CPU saves it; else the plain encoding if that is what sits at RIP;
	 * else 0 and the core decodes the instruction. */
	if (s->nrip && vmcb->control.next_rip > vmcb->save.rip)
		e->insn_len = (uint32_t)(vmcb->control.next_rip - vmcb->save.rip);
	else if (known_len(vmcb, v, code))
		e->insn_len = known_len(vmcb, v, code);
	/* VMEXIT_INVALID is -1 in the 64-bit EXITCODE (APM vol. 2 15.5.1, appendix C); QEMU
	 * 7.2 TCG stores it zero-extended from 32 bits. Either way it is the failed VMRUN. */
	if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID)
		code = SVM_EXIT_INVALID;
	switch (code) {
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		return;
	case SVM_EXIT_IOIO:
		e->kind = EXIT_IO;
		e->io.in = info1 & 1;
		e->io.string = info1 & BIT(2);
		e->io.rep = info1 & BIT(3);
		e->io.size = (info1 & BIT(4)) ? 1 : (info1 & BIT(5)) ? 2 : 4;
		e->io.port = (uint16_t)(info1 >> 16);
		/* INS/OUTS: A16/A32/A64 in bits 7-9 (APM vol. 2 15.10.2, figure 15-2); none set
		 * (QEMU 7.2 TCG and Bochs 2.7 fill none) leaves the address size to the core,
		 * which then decodes the prefixes, and checks them against it otherwise. The SEG
		 * field (bits 12:10) is filled only by CPUs with decode assists, which neither
		 * emulator here has: the core reads OUTS's segment from the prefixes (seg = -1). */
		e->io.addr_size = (info1 & BIT(7)) ? 2 : (info1 & BIT(8)) ? 4 : (info1 & BIT(9)) ? 8 : 0;
		e->io.seg = -1;
		e->insn_len = (uint32_t)(info2 - vmcb->save.rip);
		return;
	case SVM_EXIT_MSR:
		e->kind = info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->gprs.rcx;
		return;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		return;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		return;
	case SVM_EXIT_WBINVD: /* also WBNOINVD (APM vol. 2 15.9) */
		e->kind = EXIT_WBINVD;
		return;
	case SVM_EXIT_INVD:
		e->kind = EXIT_INVD;
		return;
	case SVM_EXIT_RDPMC:
		e->kind = EXIT_RDPMC;
		return;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_SHUTDOWN;
		return;
	case SVM_EXIT_NPF:
		/* EXITINFO1 is a #PF-style error code, EXITINFO2 the faulting guest-physical address. */
		e->kind = EXIT_NPF;
		e->npf.gpa = info2;
		e->npf.present = info1 & BIT(0);
		e->npf.write = info1 & BIT(1);
		e->npf.fetch = info1 & BIT(4);
		return;
	case SVM_EXIT_NMI: /* svm_exit_slow lets the host's handler take it */
		e->kind = EXIT_HOST_EVENT;
		return;
	case SVM_EXIT_INVALID:
		e->kind = EXIT_BAD_STATE;
		e->name = "VMRUN consistency checks failed (APM vol. 2 15.5.1)";
		e->bad.qualification = info1;
		return;
	case SVM_EXIT_INTR: /* svm_exit_slow lets the host's handler take it: never injected */
		e->kind = EXIT_HOST_IRQ;
		return;
	case SVM_EXIT_VINTR: /* requested by svm_request_window: the guest can take an interrupt */
		e->kind = EXIT_IRQ_WINDOW;
		return;
	case SVM_EXIT_IRET: /* svm_events_exit starts the step over the IRET (svm_events.c) */
		e->kind = EXIT_NMI_WINDOW;
		return;
	case SVM_EXIT_INIT:
		e->kind = EXIT_UNKNOWN;
		e->name = "INIT signal";
		return;
	case SVM_EXIT_EXCP_BASE + 1:  /* #DB */
	case SVM_EXIT_EXCP_BASE + 3:  /* #BP, intercepted only while gdb has a breakpoint set */
	case SVM_EXIT_EXCP_BASE + 7:  /* #NM, intercepted only while the guest's XFD is live */
	case SVM_EXIT_EXCP_BASE + 17: /* #AC */
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
		return;
	case SVM_EXIT_SWINT: /* on only while gdb has a breakpoint set (svm_gdb.c) */
		svm_gdb_swint(v, e);
		return;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED:
		e->kind = EXIT_HIDDEN_INSN;
		e->name = code == SVM_EXIT_MONITOR ? "MONITOR" : "MWAIT";
		return;
	case SVM_EXIT_INVLPGB:
	case SVM_EXIT_INVLPGB_ILLEGAL:
	case SVM_EXIT_TLBSYNC: /* hidden by CPUID: #UD, never a broadcast (svm_intercepts.c) */
		e->kind = EXIT_HIDDEN_INSN;
		e->name = code == SVM_EXIT_TLBSYNC ? "TLBSYNC" : "INVLPGB";
		return;
	default:
		e->name = forbidden_name(code);
		e->kind = e->name ? EXIT_FORBIDDEN : EXIT_UNKNOWN;
		if (!e->name)
			e->name = code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR ? "exception intercept"
										: "SVM exit";
		return;
	}
}
