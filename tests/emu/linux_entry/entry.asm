; A stand-in Linux kernel for the loader's emulator test (hv/linux_load.h): built as a
; bzImage (nasm -f bin -DBZIMAGE) or as a vmlinux ELF64 (nasm -f elf64, linked at 16 MiB
; by vmlinux.ld). Its 64-bit entry checks the state Documentation/arch/x86/boot.rst's
; "64-bit BOOT PROTOCOL" promises and what the zero page carries, prints one line per
; verdict on COM1 and ends through port 0xF4 (0: passed, 1: failed).
bits 64
%define LOAD 0x1000000
%define CMDLINE_WANT "linuxentry console=ttyS0 tsc_early_khz="
%define INITRD_WANT "initrd for the linux-entry test", 10

%ifdef BZIMAGE
section setup start=0
	times 0x1f1 db 0
	db 4                    ; 0x1F1 setup_sects
	dw 0                    ; 0x1F2 root_flags
	dd (pm_end - pm_start) / 16 ; 0x1F4 syssize
	dw 0, 0, 0              ; 0x1F8 ram_size, vid_mode, root_dev
	dw 0xAA55               ; 0x1FE boot_flag
	db 0xEB, 0x6A           ; 0x200 jump past the header (ends at 0x26C)
	db "HdrS"               ; 0x202
	dw 0x020F               ; 0x206 version 2.15
	dd 0                    ; 0x208 realmode_swtch
	dw 0, 0                 ; 0x20C start_sys_seg, kernel_version
	db 0, 1                 ; 0x210 type_of_loader, loadflags LOADED_HIGH
	dw 0                    ; 0x212 setup_move_size
	dd 0x100000             ; 0x214 code32_start
	dd 0, 0, 0              ; 0x218 ramdisk_image, ramdisk_size, bootsect_kludge
	dw 0                    ; 0x224 heap_end_ptr
	db 0, 0                 ; 0x226 ext_loader_ver/type
	dd 0                    ; 0x228 cmd_line_ptr
	dd 0x7fffffff           ; 0x22C initrd_addr_max
	dd 0x200000             ; 0x230 kernel_alignment
	db 1, 21                ; 0x234 relocatable_kernel, min_alignment
	dw 1                    ; 0x236 xloadflags: XLF_KERNEL_64
	dd 2047                 ; 0x238 cmdline_size
	dd 0                    ; 0x23C hardware_subarch
	dq 0                    ; 0x240 hardware_subarch_data
	dd 0, 0                 ; 0x248 payload_offset, payload_length
	dq 0                    ; 0x250 setup_data
	dq LOAD                 ; 0x258 pref_address
	dd 0x400000             ; 0x260 init_size
	dd 0, 0                 ; 0x264 handover_offset, kernel_info_offset
	times 5 * 512 - ($ - $$) db 0
section pm follows=setup vstart=LOAD
pm_start:
	times 0x200 db 0xF4     ; the 32-bit entry: unused (HLT)
%define ENTRY_WANT LOAD + 0x200
%define KIND "bzImage"
%else
section .text
global entry64
%define ENTRY_WANT LOAD
%define KIND "vmlinux"
%endif

%macro FAIL_IF 2 ; condition code, what
	j%-1 %%ok
	lea rdi, [rel %%msg]
	jmp fail
%%msg:	db %2, 0
%%ok:
%endmacro

entry64:
	lea rsp, [rel stack_top]
	mov rbx, rsi
	mov ax, cs
	cmp ax, 0x10
	FAIL_IF ne, "CS is not __BOOT_CS 0x10"
	mov ax, ds
	cmp ax, 0x18
	FAIL_IF ne, "DS is not __BOOT_DS 0x18"
	mov ax, ss
	cmp ax, 0x18
	FAIL_IF ne, "SS is not __BOOT_DS 0x18"
	mov ax, es
	cmp ax, 0x18
	FAIL_IF ne, "ES is not __BOOT_DS 0x18"
	pushfq
	pop rax
	test eax, 1 << 9
	FAIL_IF nz, "interrupts are on"
	mov ecx, 0xC0000080
	rdmsr
	test eax, 1 << 10
	FAIL_IF z, "EFER.LMA is clear"
	mov rax, cr0
	bt rax, 31
	FAIL_IF nc, "CR0.PG is clear"
	mov rax, cr4
	test eax, 1 << 5
	FAIL_IF z, "CR4.PAE is clear"
	lea rax, [rel entry64]
	mov rcx, ENTRY_WANT
	cmp rax, rcx
	FAIL_IF ne, "entered at the wrong address"
	sgdt [rel gdtr]
	cmp word [rel gdtr], 4 * 8 - 1
	FAIL_IF b, "GDT limit below __BOOT_DS"
	mov rdi, [rel gdtr + 2]
	mov rax, 0x00af9a000000ffff       ; the 64-bit code descriptor, accessed bit ignored
	mov rcx, [rdi + 0x10]
	btr rcx, 40
	cmp rcx, rax
	FAIL_IF ne, "GDT entry 0x10 is not 64-bit code"
	; the zero page
	cmp dword [rbx + 0x202], "HdrS"
	FAIL_IF ne, "zero page: no HdrS at 0x202"
	cmp word [rbx + 0x1FE], 0xAA55
	FAIL_IF ne, "zero page: boot_flag is not 0xAA55"
	cmp word [rbx + 0x206], 0x020C
	FAIL_IF b, "zero page: version below 2.12"
	cmp byte [rbx + 0x210], 0xFF
	FAIL_IF ne, "zero page: type_of_loader is not 0xFF"
	mov esi, [rbx + 0x228]
	lea rdi, [rel cmdline_want]
	mov ecx, cmdline_want_len
	repe cmpsb
	FAIL_IF ne, "cmdline: not the configured one with tsc_early_khz= added"
	movzx eax, byte [rsi]
	sub eax, '1'
	cmp eax, 8
	FAIL_IF a, "cmdline: tsc_early_khz= has no number"
	mov esi, [rbx + 0x218]
	cmp dword [rbx + 0x21C], initrd_want_len
	FAIL_IF ne, "initrd: ramdisk_size is not the module's size"
	test esi, 0xfff
	FAIL_IF nz, "initrd: ramdisk_image is not page aligned"
	lea rdi, [rel initrd_want]
	mov ecx, initrd_want_len
	repe cmpsb
	FAIL_IF ne, "initrd: ramdisk_image does not hold the module"
	; e820: at least 5 entries, the first usable from 0, one usable entry holds this code
	movzx ecx, byte [rbx + 0x1E8]
	cmp ecx, 5
	FAIL_IF b, "e820: fewer than 5 entries"
	cmp qword [rbx + 0x2D0], 0
	FAIL_IF ne, "e820: entry 0 does not start at 0"
	cmp dword [rbx + 0x2D0 + 16], 1
	FAIL_IF ne, "e820: entry 0 is not usable RAM"
	lea rdx, [rel entry64]
	lea rdi, [rbx + 0x2D0]
.e820:
	mov rax, rdx
	sub rax, [rdi]
	cmp rax, [rdi + 8]
	jb .found
	add rdi, 20
	loop .e820
	lea rdi, [rel no_e820]
	jmp fail
.found:
	cmp dword [rdi + 16], 1
	FAIL_IF ne, "e820: the kernel's own code is not in usable RAM"
	lea rdi, [rel ok_msg]
	call puts
	xor eax, eax
	out 0xF4, al
	hlt

fail:
	push rdi
	lea rdi, [rel fail_msg]
	call puts
	pop rdi
	call puts
	lea rdi, [rel nl]
	call puts
	mov al, 1
	out 0xF4, al
	hlt

puts: ; rdi: NUL-terminated string to COM1, waiting for THRE
	mov dx, 0x3FD
.wait:	in al, dx
	test al, 0x20
	jz .wait
	mov al, [rdi]
	test al, al
	jz .done
	mov dx, 0x3F8
	out dx, al
	inc rdi
	jmp puts
.done:	ret

ok_msg:	db "linuxentry: ", KIND, " 64-bit entry ok", 10, 0
fail_msg: db "linuxentry: ", KIND, " FAIL: ", 0
nl:	db 10, 0
no_e820: db "e820: no entry holds the kernel's own code", 0
cmdline_want: db CMDLINE_WANT
cmdline_want_len equ $ - cmdline_want
initrd_want: db INITRD_WANT
initrd_want_len equ $ - initrd_want
	align 16
gdtr:	times 16 db 0
	times 512 db 0
stack_top:
%ifdef BZIMAGE
	align 16
pm_end:
%endif
