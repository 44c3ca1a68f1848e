; Interrupt entry for the apic guest: one routine per vector, installed (irq.c) over the
; library's gates for NMI (2) and vectors 32-255, which treat any interrupt as a finding.
; The frame is the library's struct trap_frame; apic_irq_dispatch may nest (a higher
; vector interrupting a lower one's handler after it sets IF), so all state is on the stack.
bits 32
section .text

%assign v 0
%rep 256
apic_irq_stub_%[v]:
	push dword 0
	push dword v
	jmp apic_irq_common
%assign v v + 1
%endrep

extern apic_irq_dispatch
apic_irq_common:
	pushad
	cld
	push esp                          ; struct trap_frame *
	call apic_irq_dispatch
	add esp, 4
	popad
	add esp, 8                        ; vector and error code
	iretd

section .rodata
align 4
global apic_irq_stubs
apic_irq_stubs:
%assign v 0
%rep 256
	dd apic_irq_stub_%[v]
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
