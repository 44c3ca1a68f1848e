; One entry routine per IDT vector: the CPU exceptions 0-31 and the interrupt vectors
; 32-255 (the platform offers no interrupt source, so one arriving is a finding). Each
; pushes a uniform frame
; (see struct trap_frame in trap.h) and calls the C dispatcher, which may edit
; the saved registers (e.g. EIP for an exception fixup) before we IRET.

section .text

; Vectors with an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14,
; #AC 17, #CP 21, #VC 29, #SX 30. For the others push a fake 0 so the frame
; layout is the same for every vector.
%assign v 0
%rep 256
trap_stub_%[v]:
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
	push dword 0
%endif
	push dword v
	jmp trap_common
%assign v v + 1
%endrep

extern trap_dispatch
trap_common:
	pushad
	cld
	push esp                          ; struct trap_frame *
	call trap_dispatch
	add esp, 4
	popad
	add esp, 8                        ; vector and error code
	iretd

section .rodata
align 4
global trap_stubs
trap_stubs:
%assign v 0
%rep 256
	dd trap_stub_%[v]
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
