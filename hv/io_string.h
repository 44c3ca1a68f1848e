/*
 * String port I/O: INS and OUTS (with REP) on the emulated ports of hv/vio.c, carried
 * out by the hypervisor as the SDM's INS/INSB/INSW/INSD, OUTS/OUTSB/OUTSW/OUTSD and
 * REP/REPE/REPZ/REPNE/REPNZ pseudo-code says (Intel SDM vol. 2; AMD APM vol. 3): the
 * element at seg:rSI (OUTS, DS unless overridden) or ES:rDI (INS, no override), rSI/rDI
 * stepped by the element size up or down (RFLAGS.DF), rCX counting down with REP; the
 * address size (16/32/64) picks SI/ESI/RSI, DI/EDI/RDI and CX/ECX/RCX and where they wrap.
 *
 * Memory goes through the guest's own paging with its access rights (hv/guest_walk.c) and,
 * outside 64-bit mode, its segment limits and types; in 64-bit mode only FS and GS have a
 * base and addresses must be canonical. A fault is injected as the CPU would raise it
 * (#PF with CR2 and error code, #GP(0) or #SS(0)) with the registers showing the
 * elements already done; INS reads the port only once its destination is known to be
 * writable, so no port read is lost. A REP runs at most IO_STRING_CHUNK elements per
 * exit: RIP then stays on the instruction with rCX/rSI/rDI updated and the guest
 * executes it again (architecturally a REP string instruction may be interrupted between
 * iterations, SDM vol. 2 "REP"), so a huge count cannot hold the core.
 *
 * Not emulated: data breakpoints (DR0-3) on the memory operand, protection keys, the
 * single-step trap after each iteration of a REP (one #DB when it ends), and memory
 * operands in the local APIC page (the guest is stopped, naming it).
 */
#ifndef HV_IO_STRING_H
#define HV_IO_STRING_H

#include "hv/vcpu.h"

/* Elements per exit for a REP string instruction. */
#define IO_STRING_CHUNK 64

/* An EXIT_IO with e->io.string: ACT_SKIP (done), ACT_RESUME (more elements to go, or a
 * fault was injected) or ACT_STOP (the guest ended: the exit port, or a reason given). */
enum exit_action io_string_exit(struct vcpu *v, const struct vm_exit *e);

#endif
