/*
 * The gdb stub at run time (README "Debugging" -> "gdb"). gdb talks to COM2. While every
 * guest runs, COM2's receive interrupt reaches the console CPU (arch/x86/gdb_irq.c), whose
 * handler only moves bytes into the stub's ring and, when gdb starts talking ('$' of its
 * first packet) or sends Ctrl-C (0x03), asks the CPU of the guest gdb looks at to stop
 * (VCPU_REQ_GDB, hv/vcpu_request.h: a host interrupt makes that guest exit, whatever it
 * does). That CPU then runs the stub itself, in its slow path, polling COM2: only it can
 * read its guest's VMCB/VMCS. The other guests keep running at full speed. Selecting
 * another thread (gdb's "thread N", packet Hg) hands the stub to that guest's CPU the same
 * way; the guest left keeps waiting until gdb resumes. continue/step/detach resume every
 * guest that waits; a guest that meets a breakpoint, a watchpoint or the end of a step
 * stops itself and reports (or waits its turn while gdb looks at another). kill stops
 * only the guest gdb looks at. Nothing here runs on the hot exit path: #BP is intercepted
 * only while a software breakpoint is set in that guest, and the single step and debug
 * registers only while gdb asked for them.
 */
#ifndef HV_GDB_STOP_H
#define HV_GDB_STOP_H

#include "hv/config.h"
#include "hv/types.h"
#include "hv/vm_exit.h"

struct vcpu;

/* Boot: the stub listens when [hv] gdb is not off, the backend has the stub's ops and COM2
 * answers. Prints one line. */
struct virt_backend;
bool gdb_init(const struct hv_config *cfg, const struct virt_backend *be);
/* Interrupt context (COM2's receive interrupt, or a poll): take COM2's bytes. */
void gdb_irq(void);
/* Slow path, v's own CPU: VCPU_REQ_GDB was asked. Stops v as long as gdb wants. 1 when gdb
 * killed the guest (it has ended). */
int gdb_request_taken(struct vcpu *v);
/* Exit dispatch: an intercepted #BP (vector 3) or #DB (vector 1). ACT_REFLECT when it is the
 * guest's own, else ACT_RESUME with the stop queued for the slow path. */
enum exit_action gdb_exit_exception(struct vcpu *v, uint8_t vector);
/* Backend, slow path: the single step gdb asked for has ended (after an instruction the
 * guest executed or one the hypervisor carried out). */
void gdb_step_done(struct vcpu *v);
/* v's own CPU, as its guest has ended (any way): gdb's session never waits for it. A stub
 * handed to it (Hg) goes back to the CPU that handed it over, which answers for the thread
 * gone; an attach or Ctrl-C asked of it goes to another guest. */
void gdb_guest_ended(struct vcpu *v);
/* Whether gdb has a claim on this guest's #DB exits (a step or a debug register in use). */
bool gdb_owns_db(const struct vcpu *v);

#endif
