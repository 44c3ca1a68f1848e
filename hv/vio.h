/* Port I/O the guests see: the virtual UART, the 8259 PIC pair (masked, idle), the test-exit port, and all-ones for everything else. */
#ifndef HV_VIO_H
#define HV_VIO_H

#include "hv/vcpu.h"

#define EXIT_PORT 0xf4

enum exit_action vio_handle(struct vcpu *v, const struct vm_exit *e);
/* One non-string port access; rax points at the guest's RAX (kept in the VMCB on SVM).
 * Returns ACT_SKIP, or ACT_STOP when the access ended the guest (the exit port). */
enum exit_action vio_access(struct vcpu *v, uint64_t *rax, uint16_t port, unsigned size, bool in);

#endif
