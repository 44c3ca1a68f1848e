/* Basics every test guest uses: freestanding types, small macros, exiting. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096u
#define MIB (1024u * 1024u)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Exit status convention shared with the hypervisor (hv/vio.h) and QEMU's isa-debug-exit:
 * value v ends the run with status (v << 1) | 1, so 0 (status 1) is passed, 38 (status 77)
 * skipped and anything else failed. */
#define EXIT_PASS 0u
#define EXIT_FAIL 1u
#define EXIT_SKIP 38u             /* the test cannot run here: not a failure */
#define EXIT_EXCEPTION_BASE 0xE0u /* + vector: an unexpected CPU exception */
#define EXIT_INTERRUPT 0xDFu      /* an interrupt (vector 32-255) arrived unasked */

/*
 * Ends the guest with `status` by a 32-bit OUT to port 0xF4. If nothing is
 * listening there (bare metal, QEMU without isa-debug-exit) it parks the CPU
 * with cli; hlt forever.
 */
noreturn void guest_exit(uint32_t status);

struct mb_info;

/* Provided by each guest: its name, used to prefix diagnostics ("selftest"). */
extern const char guest_name[];

/* Provided by each guest: called by start.asm; the return value is the exit status. */
uint32_t guest_main(uint32_t magic, const struct mb_info *mbi);

#endif
