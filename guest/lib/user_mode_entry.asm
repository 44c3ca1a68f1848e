; The way into CPL 3 and back out (user_mode.h). user_mode_enter IRETs to a trampoline at
; CPL 3 that calls fn and then INT USER_RETURN_VECTOR; that gate (DPL 3, set up by
; user_mode.c) lands on user_mode_return at CPL 0 on the TSS's ESP0 stack, which goes back
; to user_mode_enter's caller on the stack it left.

USER_CS    equ 0x1B
USER_DS    equ 0x23
KERNEL_DS  equ 0x10
USER_RETURN_VECTOR equ 0x80

section .bss
align 16
user_stack:
	resb 8192
user_stack_top:
saved_esp:
	resd 1
cpl_seen:
	resd 1

section .text
; uint32_t user_mode_enter(void (*fn)(void), uint32_t eflags, uint32_t *tss_esp0)
; Returns the CPL the trampoline ran at (CS & 3).
global user_mode_enter
user_mode_enter:
	push ebp
	push ebx
	push esi
	push edi
	pushfd                            ; the caller's flags come back (AC, if fn set it, not)
	mov eax, [esp + 24]               ; fn
	mov edx, [esp + 28]               ; eflags
	mov ecx, [esp + 32]               ; &tss.esp0
	mov [saved_esp], esp
	mov [ecx], esp                    ; traps from CPL 3 push their frames below this
	or edx, 2                         ; EFLAGS bit 1 is always 1
	push dword USER_DS                ; SS
	push dword user_stack_top         ; ESP
	push edx                          ; EFLAGS
	push dword USER_CS                ; CS
	push dword .trampoline            ; EIP
	mov cx, USER_DS
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	iretd
.trampoline:                              ; CPL 3 from here
	mov ecx, cs
	and ecx, 3
	mov [cpl_seen], ecx
	call eax
	int USER_RETURN_VECTOR

global user_mode_return
user_mode_return:                         ; CPL 0, on the TSS's ESP0 stack
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov esp, [saved_esp]
	mov eax, [cpl_seen]
	popfd
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
