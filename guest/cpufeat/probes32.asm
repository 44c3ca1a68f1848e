; Probes that need control over the stack: SYSENTER from CPL 0 (Intel SDM vol. 2B SYSENTER,
; AMD APM vol. 3): IA32_SYSENTER_EIP points at sysenter_landing, which restores the stack
; the call had (SYSENTER loads ESP from IA32_SYSENTER_ESP) and returns.
bits 32
section .text
global sysenter_roundtrip, sysenter_landing

sysenter_roundtrip:
	push ebp
	mov [saved_esp], esp
	sysenter
sysenter_landing:
	mov ax, 0x10			; SS = IA32_SYSENTER_CS + 8: our flat data segment
	mov ss, ax
	mov esp, [saved_esp]
	pop ebp
	ret

section .bss
saved_esp: resd 1

section .note.GNU-stack noalloc noexec nowrite progbits
