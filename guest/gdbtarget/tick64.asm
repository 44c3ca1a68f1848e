; The 64-bit half of gdbtarget's "longmode" run (main.c): what a debugger finds after the
; guest switched from 32-bit protected mode to long mode while attached. RDX gets an upper
; half the i386 description cannot show (gdb sees its low half, and a write through it keeps
; the upper one); gdb_target_tick64_at is where the test's hardware breakpoint stops it.
; Entered by call64 (guest/lib/long_mode.h) in the 64-bit code segment; a 32-bit far return
; goes back to compatibility mode.
bits 64
section .text

global gdb_target_tick64, gdb_target_tick64_at
extern gdb_target_counter

gdb_target_tick64:
	cli				; a no-op (IF is 0); for Bochs 2.7: main.c, bystander()
	inc dword [gdb_target_counter]
	mov edx, [gdb_target_counter]
	mov rax, 0x600dcafe00000000
	or rdx, rax			; RDX = 0x600dcafe_<counter>
gdb_target_tick64_at:
	cmp qword [gdb_target_rdx], 0
	jne .kept
	mov [gdb_target_rdx], rdx	; the first pass: the one the breakpoint stopped
.kept:
	retf				; back to compatibility mode

section .bss
alignb 8
global gdb_target_rdx
gdb_target_rdx: resq 1		; RDX after the first stop (gdb may have written EDX there)
section .note.GNU-stack noalloc noexec nowrite progbits
