; void switch_stack(uint64_t rsp, void (*fn)(struct percpu *), struct percpu *arg) (cpu_stacks.h):
; continue on a new stack.
; fn must not return (if it does, the CPU halts).
bits 64
section .text
global switch_stack
switch_stack:
	mov rsp, rdi
	mov rdi, rdx
	call rsi
.hang:
	cli
	hlt
	jmp .hang
section .note.GNU-stack noalloc noexec nowrite progbits
