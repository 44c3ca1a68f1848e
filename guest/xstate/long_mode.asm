; The 64-bit register-integrity run of the xstate guest (long mode: guest/lib/long_mode.h;
; only exceptions would need a 64-bit IDT, and the test takes none in long mode).
;
; run64 (called through call64): loads every extended register the guest enabled (x87
; ST0-7 with a patterned FCW and condition codes, MXCSR, XMM/YMM0-15, ZMM0-31 and k0-7
; with AVX-512, PKRU) and the general registers from pattern buffers, takes xs_ctl.rounds
; rounds of six VM exits (CPUID, hypercall, port write, WRMSR, RDMSR, XSETBV), checking
; after each exit the general registers it must keep and RFLAGS, then stores everything
; back for the C code to compare (main.c).
bits 32
section .text

global run64
global xs_in, xs_out, xs_ctl

XS_AVX equ 1
XS_AVX512 equ 2
XS_AMD equ 4
XS_PKRU equ 8

; struct xs_ctl (main.c), offsets checked there
XC_RAX equ 0x00			; patterns of RAX-RDX for the exits that keep them
XC_RBX equ 0x08
XC_RCX equ 0x10
XC_RDX equ 0x18
XC_WR_RAX equ 0x20		; WRMSR: MSR number and value in the low halves
XC_WR_RCX equ 0x28
XC_WR_RDX equ 0x30
XC_RD_RAX equ 0x38		; what RDMSR must return
XC_RD_RDX equ 0x40
XC_XS_RAX equ 0x48		; XSETBV(0, XCR0) in the low halves
XC_XS_RCX equ 0x50
XC_XS_RDX equ 0x58
XC_RFLAGS equ 0x60
XC_ZERO equ 0x68
XC_ROUNDS equ 0x70
XC_FLAGS equ 0x74
XC_MXCSR equ 0x78
XC_PKRU equ 0x7c
XC_FCW equ 0x80
XC_FSW_CC equ 0x82
XC_OUT_MXCSR equ 0x84
XC_OUT_PKRU equ 0x88
XC_RSP_IN equ 0x90
XC_RSP_OUT equ 0x98
XC_ENV_TMP equ 0xa0		; 28-byte FNSTENV images (32-bit format)
XC_ENV_IN equ 0xc0
XC_ENV_OUT equ 0xe0
XC_BAD equ 0x100		; per exit kind: exits after which a register or RFLAGS differed
XC_SIZE equ 0x118


section .bss
alignb 64
; Input and output images, same layout: 8 x87 qwords, 32 x 64-byte vector registers,
; 8 opmask words, 11 general registers (rbp rsi rdi r8-r15).
XS_X87 equ 0
XS_VEC equ 64
XS_K equ XS_VEC + 32 * 64
XS_GPR equ XS_K + 8 * 8
XS_SIZE equ XS_GPR + 11 * 8
xs_in:	resb XS_SIZE
alignb 64
xs_out:	resb XS_SIZE
alignb 64
xs_ctl:	resb XC_SIZE

%define CTL(o) [abs dword xs_ctl + o]

; RFLAGS from its pattern, right before an exit (status flags and DF; IF stays 0).
%macro SET_FLAGS 0
	push qword CTL(XC_RFLAGS)
	popfq
%endmacro

; After an exit (RFLAGS already pushed): register %1 must equal slot %2, else exit kind
; %3 is counted as bad.
%macro EXPECT 3
	cmp %1, CTL(%2)
	je %%ok
	inc dword CTL(XC_BAD + 4 * %3)
%%ok:
%endmacro

; The RFLAGS pushed right after the exit must be the pattern (clobbers RAX).
%macro EXPECT_FLAGS 1
	pop rax
	cmp rax, CTL(XC_RFLAGS)
	je %%ok
	inc dword CTL(XC_BAD + 4 * %1)
%%ok:
%endmacro

section .text
bits 64
run64:
	mov CTL(XC_RSP_IN), rsp
	test dword CTL(XC_FLAGS), XS_PKRU
	jz .no_pkru
	xor ecx, ecx
	xor edx, edx
	mov eax, CTL(XC_PKRU)
	wrpkru
.no_pkru:
	ldmxcsr CTL(XC_MXCSR)
	fninit
%assign i 0
%rep 8
	fild qword [abs dword xs_in + XS_X87 + 8 * i]
%assign i i + 1
%endrep
	; A patterned control word (all exceptions masked) and condition codes C0-C3.
	fldcw CTL(XC_FCW)
	fnstenv CTL(XC_ENV_TMP)
	mov ax, CTL(XC_FSW_CC)
	or CTL(XC_ENV_TMP + 4), ax
	fldenv CTL(XC_ENV_TMP)
	fnstenv CTL(XC_ENV_IN)
	test dword CTL(XC_FLAGS), XS_AVX512
	jnz .load512
	test dword CTL(XC_FLAGS), XS_AVX
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
%assign i 8
%rep 8
	mov r %+ i, [abs dword xs_in + XS_GPR + 8 * (i - 5)]
%assign i i + 1
%endrep

.round:
	; 0: CPUID leaf 0: RAX-RDX are its results
	xor eax, eax
	xor ecx, ecx
	SET_FLAGS
	cpuid
	pushfq
	EXPECT_FLAGS 0
	; 1: hypercall HC_PING: RAX 0 in and out, RBX/RCX/RDX kept
	mov rbx, CTL(XC_RBX)
	mov rcx, CTL(XC_RCX)
	mov rdx, CTL(XC_RDX)
	xor eax, eax
	test dword CTL(XC_FLAGS), XS_AMD
	jz .vmcall
	SET_FLAGS
	vmmcall
	jmp .hc_done
.vmcall:
	SET_FLAGS
	vmcall
.hc_done:
	pushfq
	EXPECT rax, XC_ZERO, 1
	EXPECT rbx, XC_RBX, 1
	EXPECT rcx, XC_RCX, 1
	EXPECT rdx, XC_RDX, 1
	EXPECT_FLAGS 1
	; 2: OUT 0x80, AL: every register kept
	mov rax, CTL(XC_RAX)
	mov rbx, CTL(XC_RBX)
	mov rcx, CTL(XC_RCX)
	mov rdx, CTL(XC_RDX)
	SET_FLAGS
	out 0x80, al
	pushfq
	EXPECT rax, XC_RAX, 2
	EXPECT rbx, XC_RBX, 2
	EXPECT rcx, XC_RCX, 2
	EXPECT rdx, XC_RDX, 2
	EXPECT_FLAGS 2
	; 3: WRMSR of an emulated MSR: uses only ECX, EAX, EDX (SDM vol. 2 WRMSR), keeps all
	mov rax, CTL(XC_WR_RAX)
	mov rbx, CTL(XC_RBX)
	mov rcx, CTL(XC_WR_RCX)
	mov rdx, CTL(XC_WR_RDX)
	SET_FLAGS
	wrmsr
	pushfq
	EXPECT rax, XC_WR_RAX, 3
	EXPECT rbx, XC_RBX, 3
	EXPECT rcx, XC_WR_RCX, 3
	EXPECT rdx, XC_WR_RDX, 3
	EXPECT_FLAGS 3
	; 4: RDMSR of it: EDX:EAX the value written, upper halves cleared; RBX, RCX kept
	mov rax, CTL(XC_RAX)
	mov rbx, CTL(XC_RBX)
	mov rcx, CTL(XC_WR_RCX)
	mov rdx, CTL(XC_RDX)
	SET_FLAGS
	rdmsr
	pushfq
	EXPECT rax, XC_RD_RAX, 4
	EXPECT rbx, XC_RBX, 4
	EXPECT rcx, XC_WR_RCX, 4
	EXPECT rdx, XC_RD_RDX, 4
	EXPECT_FLAGS 4
	; 5: XSETBV of the XCR0 in use (QEMU TCG runs it without an exit): keeps all
	mov rax, CTL(XC_XS_RAX)
	mov rbx, CTL(XC_RBX)
	mov rcx, CTL(XC_XS_RCX)
	mov rdx, CTL(XC_XS_RDX)
	SET_FLAGS
	xsetbv
	pushfq
	EXPECT rax, XC_XS_RAX, 5
	EXPECT rbx, XC_RBX, 5
	EXPECT rcx, XC_XS_RCX, 5
	EXPECT rdx, XC_XS_RDX, 5
	EXPECT_FLAGS 5
	; Every status flag and DF is tested both set and clear: flip them for the next round.
	xor qword CTL(XC_RFLAGS), 0xcd5
	dec dword CTL(XC_ROUNDS)
	jnz .round

	mov CTL(XC_RSP_OUT), rsp
	mov [abs dword xs_out + XS_GPR + 0], rbp
	mov [abs dword xs_out + XS_GPR + 8], rsi
	mov [abs dword xs_out + XS_GPR + 16], rdi
%assign i 8
%rep 8
	mov [abs dword xs_out + XS_GPR + 8 * (i - 5)], r %+ i
%assign i i + 1
%endrep
	stmxcsr CTL(XC_OUT_MXCSR)
	fnstenv CTL(XC_ENV_OUT)
	test dword CTL(XC_FLAGS), XS_PKRU
	jz .no_pkru_out
	xor ecx, ecx
	rdpkru
	mov CTL(XC_OUT_PKRU), eax
.no_pkru_out:
	test dword CTL(XC_FLAGS), XS_AVX512
	jnz .store512
	test dword CTL(XC_FLAGS), XS_AVX
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
