; 64-bit string I/O for the strio guest (long_mode.c enters long mode with guest/lib's
; long_mode_enter and calls this with call64).
;
; run64: runs the string instructions below with their register results stored in lm_out
; (qwords), and far-returns:
;   0, 1   a32 rep outsb (0x67: ESI/ECX, upper halves set beforehand): RSI, RCX after
;   2, 3   fs rep outsb (FS base = lm_fs - 0x1000, RSI = 0x1000): RSI, RCX after
;   4, 5   gs rep outsw (GS base = lm_gs_words - 0x2000, RSI = 0x2000): RSI, RCX after
;   6, 7   std; rep outsb of a reversed line; cld: RSI, RCX after
;   8, 9   rep insb of 8 bytes from a port with no device into lm_in: RDI, RCX after
global run64
global lm_out, lm_in, lm_fs, lm_gs_words, lm_gs_count, lm_rev

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
