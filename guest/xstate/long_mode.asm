; Long-mode entry and the 64-bit register-integrity run of the xstate guest.
;
; enter_long_mode(pml4): from 32-bit protected mode with paging off, turn on PAE,
; EFER.LME and paging (Intel SDM vol. 3A 9.8.5). The CPU is then in compatibility
; mode: the 32-bit C code keeps running unchanged, only exceptions would now need a
; 64-bit IDT (the test takes none after this point).
;
; xstate_run64(): far-called from compatibility mode into a 64-bit code segment. Loads
; every extended register the guest enabled (x87 ST0-7, XMM/YMM0-15, ZMM0-31 and k0-7
; with AVX-512) and nine general registers from pattern buffers, takes xs_rounds rounds
; of four VM exits (CPUID, hypercall, port write, RDMSR), then stores everything back
; for the C code to compare.
bits 32
section .text

global enter_long_mode, xstate_run64_far
global xs_in, xs_out, xs_rounds, xs_flags
extern gdt64_desc

XS_AVX equ 1
XS_AVX512 equ 2
XS_AMD equ 4

enter_long_mode:
	mov eax, [esp + 4]
	lgdt [gdt64_desc]
	mov cr3, eax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov ecx, 0xc0000080		; EFER.LME: an intercepted MSR write
	rdmsr
	or eax, 1 << 8
	wrmsr
	mov eax, cr0
	or eax, 1 << 31			; PG: EFER.LMA follows
	mov cr0, eax
	jmp 0x08:.compat		; reload CS from the new GDT (32-bit code, L=0)
.compat:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	ret

; Called as a plain near function from C; switches to the 64-bit segment itself.
xstate_run64_far:
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

section .bss
alignb 64
; Input and output images, same layout: 8 x87 qwords, 32 x 64-byte vector registers,
; 8 opmask words, 9 general registers (rbp rsi rdi r8 r9 r10 r11 r13 r14).
XS_X87 equ 0
XS_VEC equ 64
XS_K equ XS_VEC + 32 * 64
XS_GPR equ XS_K + 8 * 8
XS_SIZE equ XS_GPR + 9 * 8
xs_in:	resb XS_SIZE
alignb 64
xs_out:	resb XS_SIZE
section .data
xs_rounds: dd 0
xs_flags: dd 0

section .text
bits 64
run64:
	fninit
%assign i 0
%rep 8
	fild qword [abs dword xs_in + XS_X87 + 8 * i]
%assign i i + 1
%endrep
	test dword [abs dword xs_flags], XS_AVX512
	jnz .load512
	test dword [abs dword xs_flags], XS_AVX
	jnz .load256
%assign i 0
%rep 16
	movdqu xmm %+ i, [abs dword xs_in + XS_VEC + 64 * i]
%assign i i + 1
%endrep
	jmp .loaded
.load256:
%assign i 0
%rep 16
	vmovdqu ymm %+ i, [abs dword xs_in + XS_VEC + 64 * i]
%assign i i + 1
%endrep
	jmp .loaded
.load512:
%assign i 0
%rep 32
	vmovdqu64 zmm %+ i, [abs dword xs_in + XS_VEC + 64 * i]
%assign i i + 1
%endrep
%assign i 0
%rep 8
	kmovw k %+ i, [abs dword xs_in + XS_K + 8 * i]
%assign i i + 1
%endrep
.loaded:
	mov rbp, [abs dword xs_in + XS_GPR + 0]
	mov rsi, [abs dword xs_in + XS_GPR + 8]
	mov rdi, [abs dword xs_in + XS_GPR + 16]
	mov r8, [abs dword xs_in + XS_GPR + 24]
	mov r9, [abs dword xs_in + XS_GPR + 32]
	mov r10, [abs dword xs_in + XS_GPR + 40]
	mov r11, [abs dword xs_in + XS_GPR + 48]
	mov r13, [abs dword xs_in + XS_GPR + 56]
	mov r14, [abs dword xs_in + XS_GPR + 64]
	mov r12d, [abs dword xs_rounds]
	mov r15d, [abs dword xs_flags]
.round:
	xor eax, eax
	cpuid
	xor eax, eax
	test r15d, XS_AMD
	jz .vmcall
	vmmcall
	jmp .hc_done
.vmcall:
	vmcall
.hc_done:
	out 0x80, al
	mov ecx, 0xc0000080
	rdmsr
	dec r12d
	jnz .round

	mov [abs dword xs_out + XS_GPR + 0], rbp
	mov [abs dword xs_out + XS_GPR + 8], rsi
	mov [abs dword xs_out + XS_GPR + 16], rdi
	mov [abs dword xs_out + XS_GPR + 24], r8
	mov [abs dword xs_out + XS_GPR + 32], r9
	mov [abs dword xs_out + XS_GPR + 40], r10
	mov [abs dword xs_out + XS_GPR + 48], r11
	mov [abs dword xs_out + XS_GPR + 56], r13
	mov [abs dword xs_out + XS_GPR + 64], r14
	test r15d, XS_AVX512
	jnz .store512
	test r15d, XS_AVX
	jnz .store256
%assign i 0
%rep 16
	movdqu [abs dword xs_out + XS_VEC + 64 * i], xmm %+ i
%assign i i + 1
%endrep
	jmp .stored
.store256:
%assign i 0
%rep 16
	vmovdqu [abs dword xs_out + XS_VEC + 64 * i], ymm %+ i
%assign i i + 1
%endrep
	jmp .stored
.store512:
%assign i 0
%rep 32
	vmovdqu64 [abs dword xs_out + XS_VEC + 64 * i], zmm %+ i
%assign i i + 1
%endrep
%assign i 0
%rep 8
	kmovw [abs dword xs_out + XS_K + 8 * i], k %+ i
%assign i i + 1
%endrep
.stored:
	; ST0 is the last value loaded: pop them back in reverse.
%assign i 7
%rep 8
	fistp qword [abs dword xs_out + XS_X87 + 8 * i]
%assign i i - 1
%endrep
	retf				; 32-bit far return to compatibility mode

section .note.GNU-stack noalloc noexec nowrite progbits
