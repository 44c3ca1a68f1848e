; void svm_enter(uint64_t vmcb_pa /* rdi */, struct guest_gprs *g /* rsi */)
; Loads the guest's general-purpose registers (RAX lives in the VMCB), runs VMRUN and
; stores them back after #VMEXIT. Host state beyond the callee-saved registers comes back
; from VM_HSAVE_PA (APM vol. 2 15.5.2, 15.6). GIF is already 0 (svm_vcpu_run's CLGI).
; Offsets follow struct guest_gprs in hv/vcpu.h.
bits 64
default rel
section .text
global svm_enter

%define G_RBX 8
%define G_RCX 16
%define G_RDX 24
%define G_RSI 32
%define G_RDI 40
%define G_RBP 48
%define G_R8 56
%define G_R9 64
%define G_R10 72
%define G_R11 80
%define G_R12 88
%define G_R13 96
%define G_R14 104
%define G_R15 112

svm_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rsi		; the gprs pointer, for after #VMEXIT
	mov rax, rdi
	mov rbx, [rsi + G_RBX]
	mov rcx, [rsi + G_RCX]
	mov rdx, [rsi + G_RDX]
	mov rdi, [rsi + G_RDI]
	mov rbp, [rsi + G_RBP]
	mov r8, [rsi + G_R8]
	mov r9, [rsi + G_R9]
	mov r10, [rsi + G_R10]
	mov r11, [rsi + G_R11]
	mov r12, [rsi + G_R12]
	mov r13, [rsi + G_R13]
	mov r14, [rsi + G_R14]
	mov r15, [rsi + G_R15]
	mov rsi, [rsi + G_RSI]
	vmrun
	; #VMEXIT: RAX holds the host's RAX again (the VMCB address); everything else is the guest's.
	mov rax, [rsp]
	mov [rax + G_RBX], rbx
	mov [rax + G_RCX], rcx
	mov [rax + G_RDX], rdx
	mov [rax + G_RSI], rsi
	mov [rax + G_RDI], rdi
	mov [rax + G_RBP], rbp
	mov [rax + G_R8], r8
	mov [rax + G_R9], r9
	mov [rax + G_R10], r10
	mov [rax + G_R11], r11
	mov [rax + G_R12], r12
	mov [rax + G_R13], r13
	mov [rax + G_R14], r14
	mov [rax + G_R15], r15
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
