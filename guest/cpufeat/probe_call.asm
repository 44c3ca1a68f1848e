; probe_call(fn, f): runs fn(f) with the fixup catch-all armed (guest/lib/fixup.c), so an
; exception at any instruction of the probe resumes here with the stack as it was before
; the call. Returns FIXUP_NONE (0xFFFFFFFF) if the probe ran through, else the vector.
bits 32
section .text

extern fixup_arm, fixup_catch_all, fixup_take
global probe_call

probe_call:
	push ebp
	push ebx
	push esi
	push edi
	mov [saved_esp], esp
	call fixup_arm
	push dword .resume
	call fixup_catch_all
	add esp, 4
	mov eax, [esp + 20]		; fn
	push dword [esp + 24]		; f
	call eax
.resume:
	mov esp, [saved_esp]		; after a fault the probe's frame is abandoned
	push dword 0
	call fixup_catch_all		; disarm (a fault already did)
	add esp, 4
	cld				; a probe may fault with DF set
	call fixup_take
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .bss
saved_esp: resd 1

section .note.GNU-stack noalloc noexec nowrite progbits
