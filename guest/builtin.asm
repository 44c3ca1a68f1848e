; The guests embedded in hv.efi, so that hv.efi alone (with no file beside it) runs its
; self-test on every CPU. Referenced from configs as kernel = builtin:NAME.
bits 64
section .rodata
global builtin_selftest, builtin_selftest_end, builtin_misbehave, builtin_misbehave_end
global builtin_bench, builtin_bench_end
	align 16
builtin_selftest:
	incbin "guest/selftest.elf"
builtin_selftest_end:
	align 16
builtin_misbehave:
	incbin "guest/misbehave.elf"
builtin_misbehave_end:
	align 16
builtin_bench:
	incbin "guest/bench.elf"
builtin_bench_end:
section .note.GNU-stack noalloc noexec nowrite progbits
