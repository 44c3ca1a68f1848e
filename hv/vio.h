/* Port I/O the guests see: the virtual UART, the test-exit port, and all-ones for everything else. */
#ifndef HV_VIO_H
#define HV_VIO_H

#include "hv/vcpu.h"

#define EXIT_PORT 0xf4

enum exit_action vio_handle(struct vcpu *v, const struct vm_exit *e);

#endif
