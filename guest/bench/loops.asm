; Timed loops for the exit benchmark. Each takes the iteration count (cdecl, [esp+4]) and
; returns the TSC delta in EDX:EAX. Under QEMU -icount shift=0 and under Bochs the TSC counts
; executed instructions, so (loop_X - loop_empty_X) / n is the instructions one exit costs,
; including the exiting instruction itself. Every loop body is identical to its empty twin
; but for the exiting instruction.
bits 32
section .text

%include "guest/bench/timed.inc"

%macro B_CPUID 0
	xor eax, eax
	cpuid
%endmacro
%macro B_ZERO_EAX 0
	xor eax, eax
%endmacro
%macro B_VMMCALL 0
	xor eax, eax
	vmmcall
%endmacro
%macro B_VMCALL 0
	xor eax, eax
	vmcall
%endmacro
%macro B_OUT 0
	out 0x80, al
%endmacro
%macro B_NOTHING 0
%endmacro
%macro B_RDMSR 0
	mov ecx, 0xc0000080
	rdmsr
%endmacro
%macro B_ECX_EFER 0
	mov ecx, 0xc0000080
%endmacro

TIMED loop_cpuid, B_CPUID
TIMED loop_cpuid_empty, B_ZERO_EAX
TIMED loop_vmmcall, B_VMMCALL
TIMED loop_vmcall, B_VMCALL
TIMED loop_hypercall_empty, B_ZERO_EAX
TIMED loop_out, B_OUT
TIMED loop_out_empty, B_NOTHING
TIMED loop_rdmsr, B_RDMSR
TIMED loop_rdmsr_empty, B_ECX_EFER

; The hot-loop window: main.c calls hot_window_begin right before the timed CPUID,
; hypercall and port I/O loops of one exit kind and hot_window_end right after them, with
; none of its own hypercalls in between. tests/bench/exit_promise.sh breaks here (gdb) and
; counts what the hypervisor executes in between. Apart: gdb takes a stop one byte past a
; breakpoint for an INT3 trap and moves it back (x86 decr_pc_after_break).
global hot_window_begin, hot_window_end
align 16
hot_window_begin:
	ret
align 16
hot_window_end:
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
