; The echo guest's UART interrupt entry: registers saved, echo_irq() called, IRET.
bits 32
section .text
global echo_irq_stub
extern echo_irq
echo_irq_stub:
	pushad
	cld
	call echo_irq
	popad
	iretd

section .note.GNU-stack noalloc noexec nowrite progbits
