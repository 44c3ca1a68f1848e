; The mode switch and far call of guest/lib/long_mode.h.
bits 32
section .text

global long_mode_switch, call64
extern long_mode_gdt_desc

; long_mode_switch(pml4)
long_mode_switch:
	mov eax, [esp + 4]
	lgdt [long_mode_gdt_desc]
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

; call64(fn)
call64:
	push ebx
	push esi
	push edi
	push ebp
	mov eax, [esp + 20]
	mov [call64_ptr], eax
	call far [call64_ptr]
	pop ebp
	pop edi
	pop esi
	pop ebx
	ret

section .data
call64_ptr: dd 0
	dw 0x18
section .note.GNU-stack noalloc noexec nowrite progbits
