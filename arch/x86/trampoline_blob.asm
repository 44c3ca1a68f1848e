; The assembled AP trampoline (arch/x86/trampoline.nasm), embedded in hv.efi.
bits 64
section .rodata
global trampoline_blob, trampoline_blob_end
trampoline_blob:
	incbin "trampoline.bin"
trampoline_blob_end:
section .note.GNU-stack noalloc noexec nowrite progbits
