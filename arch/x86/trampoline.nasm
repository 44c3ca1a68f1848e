; Application-processor start-up code (Intel SDM vol. 3A 8.4.4 / 9.9, AMD APM vol. 2 14.4).
; Copied to a page below 1 MiB reserved before ExitBootServices; a SIPI with vector
; page>>12 starts the AP here in real mode at CS = page>>4, IP = 0. It is position
; independent: every absolute address is computed from CS at run time.
; The BSP fills the parameter block (struct trampoline_params in smp.c) before each SIPI.
bits 16
org 0

start:
	jmp short real_mode
	align 8
params:
p_cr3:		dq 0		; 8:  host page tables (below 4 GiB)
p_stack:	dq 0		; 16: initial RSP
p_entry:	dq 0		; 24: 64-bit entry point
p_arg:		dq 0		; 32: its argument (struct percpu *)
p_efer:		dq 0		; 40: EFER bits to set besides LME (NXE when the BSP has it)
far32:		dd 0		; 48: ptr16:32 to pm32
		dw 0x08
		dw 0
far64:		dd 0		; 56: ptr16:32 to lm64
		dw 0x18
		dw 0
gdt_ptr:	dw gdt_end - gdt - 1	; 64
		dd 0
		dw 0
	align 16
gdt:
	dq 0
	dq 0x00cf9b000000ffff	; 0x08: 32-bit code, flat
	dq 0x00cf93000000ffff	; 0x10: data, flat
	dq 0x00af9b000000ffff	; 0x18: 64-bit code
gdt_end:

real_mode:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4		; ebx = linear base of this page
	lea eax, [ebx + gdt]
	mov [gdt_ptr + 2], eax
	lea eax, [ebx + pm32]
	mov [far32], eax
	lea eax, [ebx + lm64]
	mov [far64], eax
	lgdt [gdt_ptr]
	mov eax, cr0
	or eax, 1		; PE
	mov cr0, eax
	jmp dword far [far32]

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5		; PAE
	mov cr4, eax
	mov eax, [ebx + p_cr3]
	mov cr3, eax
	mov ecx, 0xc0000080	; EFER
	rdmsr
	or eax, 1 << 8		; LME
	or eax, [ebx + p_efer]
	wrmsr
	mov eax, cr0
	or eax, 0x80000000	; PG
	mov cr0, eax
	jmp far [ebx + far64]

bits 64
lm64:
	xor eax, eax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [rbx + p_stack]
	mov rdi, [rbx + p_arg]
	mov rax, [rbx + p_entry]
	call rax
.hang:
	cli
	hlt
	jmp .hang
