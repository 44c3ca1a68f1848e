/*
 * A guest's registers as gdb sees them: the 'g'/'G'/'p'/'P' encodings and the target
 * descriptions (qXfer:features:read:target.xml) for the guest's current mode, i386 in
 * legacy and compatibility-free 32/16-bit modes, amd64 in IA-32e mode (EFER.LMA). The
 * register order is that of gdb's features/i386/32bit-core.xml and 64bit-core.xml
 * (GDB manual, appendix G.5.1 "i386 Features"): general registers, the instruction pointer,
 * eflags and six segment selectors, then the x87 registers, which the stub reports as
 * unavailable ('x' digits: the hypervisor never touches the guest's FPU state). Values are
 * little-endian, as on the target. Pure logic.
 */
#ifndef HV_GDB_REGS_H
#define HV_GDB_REGS_H

#include "hv/types.h"

enum gdb_arch { GDB_ARCH_I386, GDB_ARCH_AMD64 };

/* Indices of gpr[]: the amd64 order. */
enum gdb_gpr { GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RSP,
	       GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15, GPR_COUNT };
/* Indices of seg[]: the order of gdb's descriptions. */
enum gdb_seg { GSEG_CS, GSEG_SS, GSEG_DS, GSEG_ES, GSEG_FS, GSEG_GS, GSEG_COUNT };

struct gdb_regs {
	uint64_t gpr[GPR_COUNT];
	uint64_t rip, rflags;
	uint16_t seg[GSEG_COUNT];
};

/* Registers in the description: 16 + 8 (i386) or 24 (amd64) that the stub has, then 16 x87
 * ones it reports unavailable. */
unsigned gdb_regs_count(enum gdb_arch a);
/* The whole 'g' reply into out (size gdb_regs_g_len(a) + 1, NUL-terminated). */
size_t gdb_regs_g_len(enum gdb_arch a);
void gdb_regs_encode(enum gdb_arch a, const struct gdb_regs *r, char *out);
/* 'G': hex as long as gdb_regs_g_len; registers given as 'x' or beyond the ones the stub
 * has are left alone. -1 on a bad length or digit. */
int gdb_regs_decode(enum gdb_arch a, const char *hex, size_t n, struct gdb_regs *r);
/* 'p n': one register's hex into out (NUL-terminated, at most 21 bytes); -1 for n out of range. */
int gdb_reg_get(enum gdb_arch a, const struct gdb_regs *r, unsigned n, char *out);
/* 'P n=hex': -1 for n out of range or a bad value; 0 (ignored) for an x87 register. */
int gdb_reg_set(enum gdb_arch a, struct gdb_regs *r, unsigned n, const char *hex);

/* gdb holds one description per session (read at attach, or again after `unset tdesc
 * filename`), while each guest's mode may differ from it or change. A guest outside IA-32e
 * mode has only the low halves of its registers (the upper halves are undefined, SDM vol. 1
 * 3.4.1.1): gdb_regs_view zero-extends them, whichever layout gdb holds. After gdb wrote
 * the view w, gdb_regs_merge keeps such a guest's upper halves from raw (its registers as
 * read), so neither layout ever shows or writes garbage. The i386 layout of an IA-32e guest
 * shows and writes the low halves (gdb_regs_decode keeps the upper ones). */
void gdb_regs_view(enum gdb_arch guest, struct gdb_regs *r);
void gdb_regs_merge(enum gdb_arch guest, const struct gdb_regs *raw, struct gdb_regs *w);

/* The target description for a (the whole target.xml). */
const char *gdb_tdesc_xml(enum gdb_arch a);

#endif
