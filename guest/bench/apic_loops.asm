; Timed loops for the interrupt-path lines of the exit benchmark (apic_bench.c), built like
; loops.asm: [esp+4] = iteration count, EDX:EAX = TSC delta; each loop has an empty twin
; without the exiting instruction. The xAPIC page is at its reset base 0xFEE00000 (paging
; off). Interrupt handlers for vector 0x40 (timer) and 0x41 (self-IPI) end the interrupt with
; an EOI (xAPIC or x2APIC, whichever handler apic_bench.c installed) and IRET.
bits 32
section .text

XAPIC_EOI     equ 0xFEE000B0
XAPIC_ICR_LO  equ 0xFEE00300
MSR_DEADLINE  equ 0x6E0
MSR_X2_EOI    equ 0x80B
MSR_X2_SELF   equ 0x83F
VEC_SELF      equ 0x41
HLT_AHEAD     equ 10000          ; TSC ticks from arming the deadline to its expiry

%include "guest/bench/timed.inc"

; A TSC deadline far ahead (2^32 ticks): it never fires while measured, and it changes
; every time, as an OS's next-event writes do.
%macro B_TSCDL 0
	rdtsc
	add edx, 1
	mov ecx, MSR_DEADLINE
	wrmsr
%endmacro
%macro B_TSCDL_EMPTY 0
	rdtsc
	add edx, 1
	mov ecx, MSR_DEADLINE
%endmacro
; EOI with nothing in service: the write is all that is measured (SDM 11.8.5).
%macro B_EOI_X2 0
	mov ecx, MSR_X2_EOI
	xor eax, eax
	xor edx, edx
	wrmsr
%endmacro
%macro B_EOI_X2_EMPTY 0
	mov ecx, MSR_X2_EOI
	xor eax, eax
	xor edx, edx
%endmacro
%macro B_EOI_XAPIC 0
	mov dword [XAPIC_EOI], 0
%endmacro
%macro B_EOI_XAPIC_EMPTY 0
	mov dword [scratch], 0
%endmacro
; Self-IPI with IF = 1: sent, delivered, the handler's EOI, IRET.
%macro B_SELF_X2 0
	mov ecx, MSR_X2_SELF
	mov eax, VEC_SELF
	xor edx, edx
	wrmsr
%endmacro
%macro B_SELF_X2_EMPTY 0
	mov ecx, MSR_X2_SELF
	mov eax, VEC_SELF
	xor edx, edx
%endmacro
%macro B_SELF_XAPIC 0
	mov dword [XAPIC_ICR_LO], (1 << 18) | VEC_SELF ; shorthand self, fixed
%endmacro
%macro B_SELF_XAPIC_EMPTY 0
	mov dword [scratch], (1 << 18) | VEC_SELF
%endmacro
; Arm the TSC deadline HLT_AHEAD ticks ahead with IF = 0, then STI; HLT: the timer wakes
; the guest, the handler EOIs and IRETs past the HLT.
%macro B_HLT 0
	cli
	rdtsc
	add eax, HLT_AHEAD
	adc edx, 0
	mov ecx, MSR_DEADLINE
	wrmsr
	sti
	hlt
%endmacro
%macro B_HLT_EMPTY 0
	cli
	rdtsc
	add eax, HLT_AHEAD
	adc edx, 0
	mov ecx, MSR_DEADLINE
	sti
	nop
%endmacro

TIMED loop_tscdl, B_TSCDL
TIMED loop_tscdl_empty, B_TSCDL_EMPTY
TIMED loop_eoi_x2, B_EOI_X2
TIMED loop_eoi_x2_empty, B_EOI_X2_EMPTY
TIMED loop_eoi_xapic, B_EOI_XAPIC
TIMED loop_eoi_xapic_empty, B_EOI_XAPIC_EMPTY
TIMED loop_self_x2, B_SELF_X2
TIMED loop_self_x2_empty, B_SELF_X2_EMPTY
TIMED loop_self_xapic, B_SELF_XAPIC
TIMED loop_self_xapic_empty, B_SELF_XAPIC_EMPTY
TIMED loop_hlt, B_HLT
TIMED loop_hlt_empty, B_HLT_EMPTY

global irq_eoi_xapic, irq_eoi_x2, hlt_ahead
irq_eoi_xapic:
	mov dword [XAPIC_EOI], 0
	iretd
irq_eoi_x2:
	push eax
	push ecx
	push edx
	mov ecx, MSR_X2_EOI
	xor eax, eax
	xor edx, edx
	wrmsr
	pop edx
	pop ecx
	pop eax
	iretd

section .rodata
align 4
hlt_ahead: dd HLT_AHEAD

section .bss
align 4
scratch: resd 1

section .note.GNU-stack noalloc noexec nowrite progbits
