/*
 * The guest's code bytes at CS:RIP, for intercepted instructions whose length the CPU
 * does not report (no NRIP save: QEMU TCG). Shared by the fast path (svm_exit.c) and
 * the slow path's decoder (svm_exit_decode.c); inline, so the fast path stays a leaf.
 */
#ifndef ARCH_X86_SVM_SVM_GUEST_CODE_H
#define ARCH_X86_SVM_SVM_GUEST_CODE_H

#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "hv/vcpu.h"

/*
 * Advance RIP past an intercepted instruction whose encoding is known. With NRIP
 * save (APM vol. 2 15.7.1) the CPU says where the next instruction is. Without it
 * (QEMU TCG) the bytes at CS:RIP are compared with the expected encoding while the
 * guest runs with paging off; anything else (prefixes, paging on) is left to the
 * general path, which decodes the instruction.
 */
static inline bool encoding_at_rip(struct vmcb *vmcb, struct vcpu *v, uint32_t code, uint32_t len)
{
	if (vmcb->save.cr0 & CR0_PG)
		return false;
	uint64_t lin = (vmcb->save.cs.base + vmcb->save.rip) & 0xffffffffull;
	if (lin + 4 > v->mem.size)
		return false;
	uint32_t bytes;
	/* __builtin_memcpy: -ffreestanding would otherwise make this a call. */
	__builtin_memcpy(&bytes, v->mem.base + lin, 4);
	return (bytes & ((1u << (8 * len)) - 1)) == code;
}

/* Turn the VMCB's exit information into the core's exit record (slow path). */
void svm_decode_exit(struct svm_vcpu *s, struct vcpu *v, struct vm_exit *e);

#endif
