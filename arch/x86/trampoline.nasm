; Application-processor start-up code (Intel SDM vol. 3A 8.4.4 / 9.9, AMD APM vol. 2 14.4).
; Copied once to a page below 1 MiB reserved before ExitBootServices; a SIPI with vector
; page>>12 starts the AP here in real mode at CS = page>>4, IP = 0. It is position
; independent: every absolute address is computed from CS at run time, and written into the
; far pointers and the GDT pointer by the AP that owns the block (the same values each time).
;
; The parameter block is handed from the BSP to one AP at a time (struct trampoline_params
; and the protocol in smp.c). A SIPI can arrive late: the SDM's start-up sequence waits a
; bounded time (8.4.4.1), after which the BSP gives up on that AP and goes on to the next.
; So an AP first checks that the block is meant for it (its own APIC ID, as the BSP knows
; it) and claims it with LOCK CMPXCHG OPEN -> CLAIMED. An AP that finds the block closed,
; claimed, or meant for another CPU parks here for good (CLI; HLT) and never reads the
; parameters: two CPUs can never share a stack.
bits 16
org 0

STATE_CLOSED	equ 0
STATE_OPEN	equ 1
STATE_CLAIMED	equ 2

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
p_state:	dd STATE_CLOSED	; 72: CLOSED / OPEN / CLAIMED
p_apic_id:	dd 0		; 76: the APIC ID of the one AP the block is OPEN for
p_parked:	dd 0		; 80: how many APs parked themselves here
p_parked_id:	dd 0		; 84: the APIC ID of the last one
p_cr4:		dd 0		; 88: CR4 bits to set besides PAE (LA57 when the BSP has it)
		dd 0
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
	; This CPU's APIC ID: the x2APIC ID of CPUID leaf 0xB (EDX) where the leaf exists
	; (sub-leaf 0 EBX[15:0] != 0), else the initial APIC ID, CPUID.1:EBX[31:24] (SDM vol. 2A
	; CPUID; vol. 3A 10.4.6, 10.12.8.1). Both agree with the IDs in the ACPI MADT.
	xor eax, eax
	cpuid
	cmp eax, 0xb
	jb .initial_id
	mov eax, 0xb
	xor ecx, ecx
	cpuid
	test bx, bx
	jz .initial_id
	mov esi, edx
	jmp .have_id
.initial_id:
	mov eax, 1
	cpuid
	shr ebx, 24
	mov esi, ebx
.have_id:
	cmp esi, [p_apic_id]
	jne park
	mov eax, STATE_OPEN
	mov edx, STATE_CLAIMED
	lock cmpxchg [p_state], edx
	jne park
	; The block is ours until we are online (smp.c waits for that).
	xor ebx, ebx
	mov bx, cs
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

; Not ours: count it for the BSP's report, then halt with interrupts off for good. The
; page stays reserved (nothing else ever uses it), so this loop is never overwritten. An NMI
; (HLT wakes for it even with IF = 0) goes through a real-mode IVT of our own whose vector 2
; leads back here; NMIs then stay blocked, since nothing IRETs (SDM vol. 3A 6.7.1). The
; NMI's 6-byte frame goes to a stack in this page, not to SS:SP = 0:0 as the SIPI left it
; (which would write below 64 KiB, into memory that may belong to a partition). Every parked
; AP writes the same values into the IVT, and the same frame.
park:
	lock inc dword [p_parked]
	mov [p_parked_id], esi
	mov ax, cs
	mov ss, ax
	mov sp, park_stack_top
	mov [park_ivt + 2 * 4 + 2], ax	; vector 2 = CS:park_halt
	xor eax, eax
	mov ax, cs
	shl eax, 4
	add eax, park_ivt
	mov [park_idt + 2], eax
	lidt [park_idt]
park_halt:
	cli
	hlt
	jmp park_halt

	align 4
park_ivt:	dw park_halt, 0, park_halt, 0, park_halt, 0	; vectors 0-2 (segments set above)
park_idt:	dw 3 * 4 - 1
		dd 0
	align 16
park_stack:	times 16 db 0
park_stack_top:

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	; CR4.LA57 can be set only while paging is off (SDM vol. 3A 4.1.1): here, with PAE.
	mov eax, cr4
	or eax, 1 << 5		; PAE
	or eax, [ebx + p_cr4]
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

; The parameter block's layout is struct trampoline_params in smp.c: a wrong offset stops
; the build (a negative TIMES count).
	times -((p_state - start) != 72) db 0
	times -((p_apic_id - start) != 76) db 0
	times -((p_cr4 - start) != 88) db 0
	times -((gdt - start) != 96) db 0
