; Long mode for the cpufeat guest: the switch (Intel SDM vol. 3A 10.8.5 / AMD APM vol. 2
; 14.6.1), a 64-bit IDT whose handler resumes a faulting probe, and the probes that only
; exist in 64-bit mode. Once in long mode the guest stays there: its C code keeps running
; in compatibility mode, and a fault outside a probe ends the guest (status 0xE0 + vector).
;
; lm_enter(pml4): paging off -> CR3, CR4.PAE, EFER.LME, IDT64, CR0.PG. Faults up to the
; EFER write are caught by the 32-bit probe runner; after LIDT nothing may fault.
; run64(index): far-calls 64-bit code, runs probe `index` of probe64_table with faults
; caught, restores CR3/CR4/EFER and returns FIXUP_NONE, a vector, or WRONG64 (the probe
; ran but saw a wrong result).
bits 32
section .text

global lm_enter, run64, fault64_rip, lm_pml4, lm_pdpt, lm_pd, probe_wrong64
extern p64_amx_tile, p64_amx_int8, p64_amx_bf16, p64_amx_fp16, p64_cmpccxadd, p64_rao_int
extern p64_prefetchi			; probes64_gas.c

CODE32 equ 0x08
DATA equ 0x10
CODE64 equ 0x18
WRONG64 equ 0xFFFFFFFE
MSR_EFER equ 0xC0000080
EXIT_PORT equ 0xF4

lm_enter:
	mov eax, [esp + 4]
	mov cr3, eax
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, 1 << 8			; LME
	wrmsr
	call build_idt64
	lgdt [gdt64_desc]
	lidt [idt64_desc]
	mov eax, cr0
	or eax, 1 << 31			; PG: EFER.LMA follows
	mov cr0, eax
	jmp CODE32:.compat		; CS from the new GDT (32-bit code, L=0)
.compat:
	mov ax, DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	ret

; Fills the 32 gates of idt64: 64-bit interrupt gates to stub_N in CODE64.
build_idt64:
	push edi
	xor ecx, ecx
.gate:
	mov eax, [stubs64 + ecx * 4]
	mov edi, ecx
	shl edi, 4			; 16-byte gates
	add edi, idt64
	mov word [edi], ax		; offset 15:0
	mov word [edi + 2], CODE64
	mov word [edi + 4], 0x8E00	; present, DPL 0, 64-bit interrupt gate, IST 0
	shr eax, 16
	mov word [edi + 6], ax		; offset 31:16
	mov dword [edi + 8], 0		; offset 63:32
	mov dword [edi + 12], 0
	inc ecx
	cmp ecx, 32
	jb .gate
	pop edi
	ret

run64:
	push ebx
	push esi
	push edi
	push ebp
	mov eax, [esp + 20]
	call CODE64:run64_64
	pop ebp
	pop edi
	pop esi
	pop ebx
	ret

section .data
align 8
gdt64:
	dq 0
	dq 0x00CF9B000000FFFF		; 0x08: 32-bit code (compatibility mode)
	dq 0x00CF93000000FFFF		; 0x10: data
	dq 0x00AF9B000000FFFF		; 0x18: 64-bit code
	dq 0x00CF93000000FFFF		; 0x20: data (SYSCALL's SS = STAR[47:32] + 8)
gdt64_end:
gdt64_desc:
	dw gdt64_end - gdt64 - 1
	dd gdt64
idt64_desc:
	dw 32 * 16 - 1
	dd idt64

section .bss
alignb 4096
lm_pml4: resb 4096
lm_pdpt: resb 4096
lm_pd:	resb 4096
idt64:	resb 32 * 16
alignb 16
cx16_slot: resb 16
catch64: resq 1			; resume RIP while a probe runs, else 0
saved_rsp: resq 1
saved_cr3: resq 1
saved_cr4: resq 1
saved_efer: resq 1
saved_msr: resq 3
fault64_vector: resd 1
fault64_rip: resd 1
marker:	resq 1

; ---- 64-bit code -----------------------------------------------------------------------
section .text
bits 64

; Exception stubs: a uniform frame (vector, error code, then the CPU's RIP CS RFLAGS RSP SS).
%assign v 0
%rep 32
stub_%[v]:
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
	push 0
%endif
	push v
	jmp handler64
%assign v v + 1
%endrep

handler64:
	cmp qword [abs catch64], 0
	je .unexpected
	mov eax, [rsp]
	mov [abs fault64_vector], eax
	mov rax, [rsp + 16]
	mov [abs fault64_rip], eax
	mov rax, [abs catch64]
	mov [rsp + 16], rax		; resume there (run64_64 restores RSP itself)
	mov qword [abs catch64], 0
	add rsp, 16
	iretq
.unexpected:
	mov esi, unexpected_msg
.put:
	mov al, [rsi]
	test al, al
	jz .exit
	mov dx, 0x3F8
	out dx, al
	inc rsi
	jmp .put
.exit:
	mov eax, [rsp]
	add eax, 0xE0
	out EXIT_PORT, eax
.hang:
	cli
	hlt
	jmp .hang

; eax = probe index (zero-extended by the 32-bit caller).
run64_64:
	mov [abs saved_rsp], rsp
	mov rdx, cr3
	mov [abs saved_cr3], rdx
	mov rdx, cr4
	mov [abs saved_cr4], rdx
	mov ebx, eax
	mov ecx, MSR_EFER
	rdmsr
	mov [abs saved_efer], eax
	mov [abs saved_efer + 4], edx
	mov qword [abs catch64], .resume
	call [probe64_table + rbx * 8]
	mov qword [abs catch64], 0
	mov eax, 0xFFFFFFFF
	jmp .restore
.wrong:
	mov eax, WRONG64
	jmp .restore
.resume:
	mov eax, [abs fault64_vector]
.restore:
	mov rsp, [abs saved_rsp]
	mov qword [abs catch64], 0
	mov r12d, eax
	mov rdx, [abs saved_cr4]
	mov cr4, rdx
	mov rdx, [abs saved_cr3]
	mov cr3, rdx
	mov ecx, MSR_EFER
	mov eax, [abs saved_efer]
	mov edx, [abs saved_efer + 4]
	wrmsr
	mov eax, r12d
	retf				; 32-bit far return to compatibility mode

; A probe that sees a wrong result jumps here (its stack is dropped by .restore).
probe_wrong64:
	jmp run64_64.wrong

; ---- the 64-bit probes (index = position in probe64_table, see table_*.c) ------------

; 0: long mode itself: 64-bit registers, SWAPGS, RIP-relative addressing.
p64_long_mode:
	mov r8, 0x123456789abcdef0
	mov [rel marker], r8
	cmp r8, [rel marker]
	jne probe_wrong64
	swapgs
	swapgs
	ret

; 1: FSGSBASE: CR4.FSGSBASE, then RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE.
p64_fsgsbase:
	mov rax, cr4
	or rax, 1 << 16
	mov cr4, rax
	rdfsbase rax
	wrfsbase rax
	rdgsbase rcx
	wrgsbase rcx
	ret

; 2: PCID: CR4.PCIDE (CR3[11:0] is 0), a CR3 write with PCID 1, back to PCID 0.
p64_pcid:
	mov rax, cr4
	or rax, 1 << 17
	mov cr4, rax
	mov rax, cr3
	or rax, 1
	mov cr3, rax
	and rax, ~0xfff
	mov cr3, rax
	ret

; 3: 1-GByte pages: PDPT[1] maps guest-physical 0 at 1 GiB; read a marker through it.
p64_page1gb:
	mov qword [abs lm_pdpt + 8], 0x83	; present, writable, PS
	mov rax, 0x40000000
	invlpg [rax]
	mov r8, 0x1badb0071badb007
	mov [abs marker], r8
	mov eax, marker + 0x40000000
	mov rcx, [rax]
	mov qword [abs lm_pdpt + 8], 0
	mov rax, 0x40000000
	invlpg [rax]
	cmp rcx, r8
	jne probe_wrong64
	ret

; 4: NX: EFER.NXE, then a data read through a 2-MiB page with XD set (PD[511]).
p64_nx:
	mov ecx, MSR_EFER
	rdmsr
	or eax, 1 << 11
	wrmsr
	mov rax, 0x8000000000000083	; XD, PS, writable, present: guest-physical 0
	mov [abs lm_pd + 511 * 8], rax
	mov rax, 511 << 21
	invlpg [rax]
	mov r8, 0x5a5a5a5aa5a5a5a5
	mov [abs marker], r8
	mov eax, marker + (511 << 21)
	mov rcx, [rax]
	mov qword [abs lm_pd + 511 * 8], 0
	mov rax, 511 << 21
	invlpg [rax]
	cmp rcx, r8
	jne probe_wrong64
	ret

; 5: SYSCALL: EFER.SCE, STAR/LSTAR/SFMASK, a SYSCALL from CPL 0 that comes straight back.
p64_syscall:
	mov ecx, 0xC0000081
	rdmsr
	mov [abs saved_msr], eax
	mov [abs saved_msr + 4], edx
	mov ecx, 0xC0000082
	rdmsr
	mov [abs saved_msr + 8], eax
	mov [abs saved_msr + 12], edx
	mov ecx, 0xC0000084
	rdmsr
	mov [abs saved_msr + 16], eax
	mov [abs saved_msr + 20], edx
	mov ecx, MSR_EFER
	rdmsr
	or eax, 1			; SCE
	wrmsr
	mov ecx, 0xC0000081		; STAR: SYSCALL CS 0x18, SS 0x20
	xor eax, eax
	mov edx, CODE64
	wrmsr
	mov ecx, 0xC0000082		; LSTAR
	mov eax, .entry
	xor edx, edx
	wrmsr
	mov ecx, 0xC0000084		; SFMASK: keep RFLAGS
	xor eax, eax
	wrmsr
	syscall
	mov ecx, 0xC0000081
	mov eax, [abs saved_msr]
	mov edx, [abs saved_msr + 4]
	wrmsr
	mov ecx, 0xC0000082
	mov eax, [abs saved_msr + 8]
	mov edx, [abs saved_msr + 12]
	wrmsr
	mov ecx, 0xC0000084
	mov eax, [abs saved_msr + 16]
	mov edx, [abs saved_msr + 20]
	wrmsr
	ret
.entry:					; CPL 0, CS 0x18, SS 0x20; RCX = return RIP, R11 = RFLAGS
	mov ax, DATA
	mov ss, ax
	push r11
	popfq
	jmp rcx

; 6: LAHF/SAHF in 64-bit mode.
p64_lahf:
	xor eax, eax
	sahf
	lahf
	ret

; 7: CMPXCHG16B.
p64_cx16:
	xor eax, eax
	xor edx, edx
	mov ebx, 1
	xor ecx, ecx
	mov [abs cx16_slot], rax
	mov [abs cx16_slot + 8], rax
	lock cmpxchg16b [abs cx16_slot]
	jnz probe_wrong64
	cmp qword [abs cx16_slot], 1
	jne probe_wrong64
	ret

section .rodata
align 8
probe64_table:				; 8-byte entries (the code is below 4 GiB)
	dd p64_long_mode, 0, p64_fsgsbase, 0, p64_pcid, 0, p64_page1gb, 0, p64_nx, 0
	dd p64_syscall, 0, p64_lahf, 0, p64_cx16, 0
	dd p64_amx_tile, 0, p64_amx_int8, 0, p64_amx_bf16, 0, p64_amx_fp16, 0
	dd p64_cmpccxadd, 0, p64_rao_int, 0, p64_prefetchi, 0
stubs64:
%assign v 0
%rep 32
	dd stub_%[v]
%assign v v + 1
%endrep
unexpected_msg:
	db 10, "cpufeat: unexpected exception in long mode: exit status 0xE0 + vector", 10, 0

section .note.GNU-stack noalloc noexec nowrite progbits
