; The xstate guest's look at the state it was started with (init_state.c), in 64-bit
; mode so that XMM8-15 and the upper halves and ZMM16-31 are part of it (XSAVE outside
; 64-bit mode leaves them out, SDM vol. 1 13.13). Only stores: FNSTCW, FNSTSW,
; STMXCSR, XGETBV(1), XSAVE and XSAVEC change no register state (SDM vol. 1 13.7, 13.10).
bits 32
global xs_probe64, xs_probe_std, xs_probe_cmp, xs_probe_in, xs_probe_out

PROBE_XSAVEC equ 1
PROBE_XGETBV1 equ 2

section .data
; in: requested-feature mask, flags (PROBE_*)
xs_probe_in: dd 0, 0
; out: FCW (2), FSW (2), MXCSR (4), XCR0 AND XINUSE (8)
xs_probe_out: times 16 db 0

section .bss
alignb 64
xs_probe_std: resb 8192
alignb 64
xs_probe_cmp: resb 8192

section .text
bits 64
xs_probe64:
	fnstcw [abs dword xs_probe_out + 0]
	fnstsw [abs dword xs_probe_out + 2]
	stmxcsr [abs dword xs_probe_out + 4]
	test dword [abs dword xs_probe_in + 4], PROBE_XGETBV1
	jz .no_xgetbv1
	mov ecx, 1
	xgetbv
	mov [abs dword xs_probe_out + 8], eax
	mov [abs dword xs_probe_out + 12], edx
.no_xgetbv1:
	mov eax, [abs dword xs_probe_in]
	xor edx, edx
	xsave64 [abs dword xs_probe_std]
	test dword [abs dword xs_probe_in + 4], PROBE_XSAVEC
	jz .done
	mov eax, [abs dword xs_probe_in]
	xor edx, edx
	xsavec64 [abs dword xs_probe_cmp]
.done:
	retf

section .note.GNU-stack noalloc noexec nowrite progbits
