/* Port I/O the guests see: the virtual UART, the 8259 PIC pair (masked, idle), the test-exit port, the ACPI power registers, and all-ones for everything else. */
#ifndef HV_VIO_H
#define HV_VIO_H

#include "hv/vcpu.h"

/*
 * The exit port follows the test-kernel convention of QEMU's isa-debug-exit: a value v
 * written there ends the guest with the status (v << 1) | 1, so v = 0 (status 1) is
 * passed, v = 38 (status 77, the "skipped" of Automake and KTAP-style test runners) is
 * skipped, and anything else failed with that status.
 */
#define EXIT_PORT 0xf4
#define EXIT_VALUE_PASS 0
#define EXIT_VALUE_SKIP 38
/* The QEMU-style status of exit-port value v (64 bits: no value wraps to a pass). */
#define EXIT_STATUS_OF(v) (((uint64_t)(v) << 1) | 1)

enum exit_action vio_handle(struct vcpu *v, const struct vm_exit *e);
/* One non-string port access; rax points at the guest's RAX (kept in the VMCB on SVM).
 * Returns ACT_SKIP, or ACT_STOP when the access ended the guest (the exit port), or
 * ACT_RESUME when it must be done by the slow path (see vio_access_slow). */
enum exit_action vio_access(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size, bool in);
/* The same from the slow path (vio_handle, string I/O): never deferred; a UART access with
 * interrupts on also hands the UART's new interrupt line to the guest's I/O APIC. The fast
 * path's vio_access answers ACT_RESUME (nothing done: take the slow path) for those. */
enum exit_action vio_access_slow(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size,
				 bool in);

#endif
