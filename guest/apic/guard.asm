; run_guarded(fn): calls fn(); if an exception nobody expected interrupts it, the library's
; catch-all fixup (guest/lib/fixup.h, armed by main.c with guard_resume) resumes at
; guard_resume, which restores the stack and registers saved here and returns 1 instead of
; 0, so one test's fault is reported and the next test still runs.
bits 32
section .text
global run_guarded, guard_resume
run_guarded:
	push ebp
	push ebx
	push esi
	push edi
	mov [saved_esp], esp
	mov eax, [esp + 20]
	call eax
	xor eax, eax
	jmp guard_out
guard_resume:
	mov esp, [saved_esp]
	cld
	mov eax, 1
guard_out:
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .bss
align 4
saved_esp: resd 1

section .note.GNU-stack noalloc noexec nowrite progbits
