; Guest entry point: the Multiboot v1 header and the switch from "whatever the
; loader left" to a known environment (our own GDT, stack, zeroed .bss, IDT)
; before handing over to C.

MB_MAGIC      equ 0x1BADB002
MB_PAGE_ALIGN equ 1 << 0          ; modules on page boundaries
MB_MEM_INFO   equ 1 << 1          ; we want mem_lower/mem_upper and the memory map
MB_FLAGS      equ MB_PAGE_ALIGN | MB_MEM_INFO

STACK_SIZE    equ 16384

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

section .data
align 8
; Multiboot leaves GDTR undefined, so load our own flat segments. The accessed
; bits are pre-set so the CPU never has to write to the table.
gdt:
	dq 0
	dq 0x00CF9B000000FFFF             ; 0x08: code, base 0, limit 4 GiB, 32-bit
	dq 0x00CF93000000FFFF             ; 0x10: data, base 0, limit 4 GiB
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

; What the loader handed us, for code that is not passed the arguments
; (cmdline.c). In .data, not .bss, so zeroing .bss cannot race with them.
global boot_magic, boot_mbi
boot_magic: dd 0
boot_mbi:   dd 0
tsc_mark_start: db "start", 0

section .bss
align 16
stack_bottom:
	resb STACK_SIZE
stack_top:

section .text.entry progbits alloc exec nowrite align=16
extern __bss_start, __bss_end
extern trap_init, guest_main, guest_exit, tsc_mark
global _start
_start:
	cli
	mov esi, eax                      ; keep magic and info pointer out of the way
	mov edi, ebx
	lgdt [gdt_desc]
	jmp 0x08:.flat
.flat:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, stack_top
	push dword 0                      ; IF=0, DF=0, AC=0: the C ABI needs DF clear
	popfd
	mov [boot_magic], esi
	mov [boot_mbi], edi

	; The ELF loader should have zeroed .bss, but a hypervisor under test is
	; exactly the loader we do not want to trust. Nothing is on the stack yet.
	mov ebx, edi
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	call trap_init
	push tsc_mark_start               ; "tsc-marks" on the command line: the TSC now
	call tsc_mark
	add esp, 4
	push ebx                          ; guest_main(magic, mbi)
	push esi
	call guest_main
	add esp, 8
	push eax                          ; its return value is the exit status
	call guest_exit
.hang:                                    ; guest_exit does not return
	cli
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
