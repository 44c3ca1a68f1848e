; Exception entry stubs: 32 vectors plus one catch-all for 32..255, each
; EXCEPTION_STUB_SIZE (16) bytes apart so the IDT can be filled by arithmetic
; (hv.efi is position-independent). They build a struct exc_frame (see
; arch/x86/crash.h) and call x86_exception(); if it returns (NMI), iretq.
bits 64
default rel
section .text

global exception_stubs
global nmi_handler_here
extern x86_exception

%macro STUB 1
	align 16
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	; the CPU pushed an error code
%else
	push 0
%endif
	push %1
	jmp exception_common
%endmacro

	align 16
exception_stubs:
%assign v 0
%rep 33
	STUB v
%assign v v+1
%endrep

; void nmi_handler_here(void): run the NMI handler on the current stack, as if an NMI had
; been delivered here: the interrupt frame (SS, RSP, RFLAGS, CS, RIP; SDM vol. 3A 6.14.2)
; is built by hand, and the handler's IRETQ returns to .back and ends any NMI blocking a
; VM exit left (SDM vol. 3A 6.7.1). Used after an NMI VM exit instead of INT 2, which
; would run through the NMI gate onto the NMI's IST stack (cpu_tables.c), where a real
; NMI arriving meanwhile, if nothing blocked it, would start over the same frame. KVM's
; VMX NMI path builds the same frame. Clobbers RAX only (a caller-saved register).
nmi_handler_here:
	mov rax, rsp
	push qword 0x10		; SS: SEL_DATA (arch/x86/cpu_tables.h)
	push rax		; RSP to return to: it points at our return address
	pushfq
	push qword 0x08		; CS: SEL_CODE64
	lea rax, [rel .back]
	push rax
	push qword 0		; error code
	push qword 2		; vector: NMI
	jmp exception_common
.back:
	ret

exception_common:
	push r15
	push r14
	push r13
	push r12
	push r11
	push r10
	push r9
	push r8
	push rbp
	push rdi
	push rsi
	push rdx
	push rcx
	push rbx
	push rax
	mov rdi, rsp
	mov rbx, rsp
	and rsp, -16
	cld
	call x86_exception
	mov rsp, rbx
	pop rax
	pop rbx
	pop rcx
	pop rdx
	pop rsi
	pop rdi
	pop rbp
	pop r8
	pop r9
	pop r10
	pop r11
	pop r12
	pop r13
	pop r14
	pop r15
	add rsp, 16
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
