; 64-bit string I/O for the strio guest (long_mode.c calls these).
;
; strio_enter_long_mode(pml4): from 32-bit protected mode with paging off, PAE + EFER.LME +
; paging (Intel SDM vol. 3A 9.8.5); the CPU is then in compatibility mode and the 32-bit C
; code keeps running.
;
; strio_run64_far(): far-calls into a 64-bit code segment, runs the string instructions
; below with their register results stored in lm_out (qwords), and returns:
;   0, 1   a32 rep outsb (0x67: ESI/ECX, upper halves set beforehand): RSI, RCX after
;   2, 3   fs rep outsb (FS base = lm_fs - 0x1000, RSI = 0x1000): RSI, RCX after
;   4, 5   gs rep outsw (GS base = lm_gs_words - 0x2000, RSI = 0x2000): RSI, RCX after
;   6, 7   std; rep outsb of a reversed line; cld: RSI, RCX after
;   8, 9   rep insb of 8 bytes from a port with no device into lm_in: RDI, RCX after
bits 32
section .text

global strio_enter_long_mode, strio_run64_far
global lm_out, lm_in, lm_fs, lm_gs_words, lm_gs_count, lm_rev
extern strio_gdt_desc

strio_enter_long_mode:
	mov eax, [esp + 4]
	lgdt [strio_gdt_desc]
	mov cr3, eax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov ecx, 0xc0000080		; EFER.LME
	rdmsr
	or eax, 1 << 8
	wrmsr
	mov eax, cr0
	or eax, 1 << 31			; PG: EFER.LMA follows
	mov cr0, eax
	jmp 0x08:.compat		; CS from the new GDT (32-bit code, L=0)
.compat:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	ret

strio_run64_far:
	push ebx
	push esi
	push edi
	push ebp
	call 0x18:run64
	pop ebp
	pop edi
	pop esi
	pop ebx
	ret

section .data
lm_a32:	db "strio: 64-bit a32 rep outsb line", 10
LEN_A32 equ $ - lm_a32
lm_fs:	db "strio: 64-bit fs rep outsb line", 10
LEN_FS equ $ - lm_fs
lm_rev:	db 10, "enil 1=fd bstuo per tib-46 :oirts"
LEN_REV equ $ - lm_rev
align 8
lm_gs_count: dd 0
section .bss
alignb 8
lm_out:	resq 10
lm_in:	resb 16
lm_gs_words: resw 64

section .text
bits 64
run64:
	mov dx, 0x3f8
	; 0x67 in 64-bit mode: ESI and ECX; the upper halves are ignored and come back 0.
	mov rsi, 0xffffffff00000000
	mov eax, lm_a32
	or rsi, rax
	mov rcx, 0xffffffff00000000
	or rcx, LEN_A32
	a32 rep outsb
	mov [abs dword lm_out + 0], rsi
	mov [abs dword lm_out + 8], rcx
	; FS override: FS's base applies in 64-bit mode.
	mov esi, 0x1000
	mov ecx, LEN_FS
	fs rep outsb
	mov [abs dword lm_out + 16], rsi
	mov [abs dword lm_out + 24], rcx
	; GS override with words.
	mov esi, 0x2000
	mov ecx, [abs dword lm_gs_count]
	gs rep outsw
	mov [abs dword lm_out + 32], rsi
	mov [abs dword lm_out + 40], rcx
	; DF = 1: from the last byte down.
	mov esi, lm_rev + LEN_REV - 1
	mov ecx, LEN_REV
	std
	rep outsb
	cld
	mov [abs dword lm_out + 48], rsi
	mov [abs dword lm_out + 56], rcx
	; INS with 64-bit addressing.
	mov dx, 0x2f8
	mov edi, lm_in
	mov ecx, 8
	rep insb
	mov [abs dword lm_out + 64], rdi
	mov [abs dword lm_out + 72], rcx
	retf				; back to compatibility mode

section .note.GNU-stack noalloc noexec nowrite progbits
