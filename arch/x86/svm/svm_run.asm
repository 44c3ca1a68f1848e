; int svm_run_loop(struct vcpu *v /* rdi */, uint64_t vmcb_pa /* rsi */,
;                  int (*fast)(struct vcpu *, struct vmcb *) /* rdx */)
;
; The SVM world switch, as a loop that stays in assembly between exits. After #VMEXIT
; the CPU restores only the host's RSP, RIP and RAX (from VM_HSAVE_PA, APM vol. 2 15.6);
; every other GPR still holds the guest's value. The loop saves just the nine registers
; the C fast path may clobber (the System V caller-saved ones plus RBX, which CPUID
; writes) and calls fast(v, vmcb). RBP and R12-R15 stay live in the registers: C code
; preserves them, so the guest's values come back untouched. Only the slow path (any
; exit fast() does not finish) stores and reloads those five as well, so its
; handlers see and may change every guest register. RAX lives in the VMCB.
; Offsets follow struct guest_gprs in hv/vcpu.h. GIF is 0 throughout (svm_vcpu_run).
; Returns when svm_exit_slow() reports that the guest has ended.
bits 64
default rel
section .text
global svm_run_loop
extern svm_exit_slow

%include "arch/x86/guest_regs.inc"

svm_run_loop:
	PUSH_HOST_CALLEE_SAVED
	push rdx		; [rsp + 16]: the fast-path handler
	push rdi		; [rsp + 8]: struct vcpu *
	push rsi		; [rsp]: the VMCB's physical address (= its address: identity mapped)
				; nine pushes: RSP is 16-byte aligned at the calls below
	mov rax, rdi
	LOAD_PRESERVED
	LOAD_VOLATILE
	mov rax, [rsp]
	vmrun
	; The first exit always takes the slow path, which also settles the VMCB's
	; clean bits and TLB control after the first VMRUN.
	mov rax, [rsp + 8]
	SAVE_VOLATILE
	jmp .slow

	; The hot loop: one conditional branch per exit, taken back to .resume.
.resume:
	mov rax, [rsp + 8]
	LOAD_VOLATILE
	mov rax, [rsp]
	vmrun
	mov rax, [rsp + 8]
	SAVE_VOLATILE
	mov rdi, rax
	mov rsi, [rsp]
	call [rsp + 16]
	test eax, eax
	jz .resume

.slow:
	mov rax, [rsp + 8]
	SAVE_PRESERVED
	mov rdi, rax
	call svm_exit_slow
	test eax, eax
	jnz .done
	mov rax, [rsp + 8]
	LOAD_PRESERVED
	jmp .resume

.done:
	add rsp, 24
	POP_HOST_CALLEE_SAVED
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
