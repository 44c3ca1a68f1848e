; int vmx_run_loop(struct vcpu *v /* rdi */, int (*fast)(struct vcpu *) /* rsi */)
;
; The VMX world switch, as a loop that stays in assembly between exits, the mirror of
; svm_run_loop (arch/x86/svm/svm_run.asm). A VM exit loads only RSP and RIP of the GPRs
; (HOST_RSP, HOST_RIP = vmx_exit_stub; SDM vol. 3C 27.5.3): every other GPR still holds
; the guest's value. The exit entry point saves just the ten registers the C fast path may clobber
; (the System V caller-saved ones, RBX, which CPUID writes, and RAX: the VMCS has no RAX
; field) and calls fast(v). RBP and R12-R15 stay live in the registers: C code preserves
; them. Only the slow path (an exit fast() does not finish) stores and reloads those five
; as well, so its handlers see and may change every guest register.
;
; Host RSP. HOST_RSP is this loop's frame, the same for every exit of the guest's run,
; so it is written once, right before VMLAUNCH; no exit path writes host state, except
; the gdb stub's step, which points HOST_RIP at vmx_exit_stub_slow while it lasts.
; Host RFLAGS after a VM exit is 0x2 (27.5.3): interrupts stay off in the host.
;
; Returns 0 when vmx_exit_slow() reports that the guest has ended; if VMLAUNCH fails,
; 1 (VMfailInvalid) or 2 (VMfailValid, see the VM-instruction error field), 30.2; if
; VMRESUME fails, 5 or 6. Offsets follow struct guest_gprs in hv/vcpu.h.
bits 64
default rel
section .text
global vmx_run_loop
global vmx_exit_stub
global vmx_exit_stub_slow
extern vmx_exit_slow

%define VMCS_HOST_RSP 0x6c14

%include "arch/x86/guest_regs.inc"

; At a VM exit (RSP = HOST_RSP, this loop's frame): the guest's volatile GPRs into its save
; area, RAX through the scratch slot (no VMCS field holds it); RAX = struct vcpu * after.
%macro SAVE_AT_EXIT 0
	mov [rsp], rax
	mov rax, [rsp + 8]
	SAVE_VOLATILE
	mov rcx, [rsp]
	mov [rax + G_RAX], rcx
%endmacro

vmx_run_loop:
	PUSH_HOST_CALLEE_SAVED
	push rsi		; [rsp + 16]: the fast-path handler
	push rdi		; [rsp + 8]: struct vcpu *
	push rdi		; [rsp]: scratch for the guest's RAX at an exit
				; nine pushes: RSP is 16-byte aligned at the calls below
	mov eax, VMCS_HOST_RSP
	vmwrite rax, rsp
	mov eax, 0
	jbe vmx_run_fail		; CF or ZF: VMfailInvalid / VMfailValid
	mov rax, [rsp + 8]
	LOAD_PRESERVED
	mov rax, [rsp + 8]
	LOAD_VOLATILE
	mov rax, [rax + G_RAX]	; no VMCS field for RAX
	vmlaunch
	mov eax, 0		; MOV keeps the flags of the failed VMLAUNCH
	jmp vmx_run_fail

	; HOST_RIP. RSP = HOST_RSP, this loop's frame.
vmx_exit_stub:
	SAVE_AT_EXIT
	mov rdi, rax
	call [rsp + 16]
	test eax, eax
	jnz vmx_run_slow

	; The hot loop: one conditional branch per exit, not taken.
vmx_run_resume:
	mov rax, [rsp + 8]
	LOAD_VOLATILE
	mov rax, [rax + G_RAX]
	vmresume
	mov eax, 4		; VMRESUME failed: MOV keeps its flags
	jmp vmx_run_fail

	; HOST_RIP while the gdb stub single-steps the guest (arch/x86/vmx/vmx_gdb.c switches it
	; in the slow path, never here): the same save, then every exit takes the slow path,
	; which carries out CPUID, VMCALL and port I/O itself, so the step ends after exactly
	; the one instruction. The fast handler is not called: the hot loop above is unchanged.
vmx_exit_stub_slow:
	SAVE_AT_EXIT

vmx_run_slow:
	mov rax, [rsp + 8]
	SAVE_PRESERVED
	mov rdi, rax
	call vmx_exit_slow
	test eax, eax
	jnz vmx_run_ended
	mov rax, [rsp + 8]
	LOAD_PRESERVED
	jmp vmx_run_resume

vmx_run_fail:
	; Still in VMX root operation; RSP is the loop frame. EAX is 0 (VMLAUNCH, the HOST_RSP
	; write) or 4 (VMRESUME); the flags are those of the failed instruction.
	jz vmx_run_valid
	or eax, 1		; VMfailInvalid: no current VMCS
	jmp vmx_run_out
vmx_run_valid:
	or eax, 2		; VMfailValid: the VM-instruction error field says why
	jmp vmx_run_out
vmx_run_ended:
	xor eax, eax
vmx_run_out:
	add rsp, 24
	POP_HOST_CALLEE_SAVED
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
