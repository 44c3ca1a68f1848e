/* The VMCB (AMD APM vol. 2, appendix B, tables B-1 and B-2). Every field is naturally
 * aligned, so no packing is needed; the asserts pin the layout. */
#ifndef ARCH_X86_SVM_VMCB_H
#define ARCH_X86_SVM_VMCB_H

#include <stddef.h>
#include "hv/types.h"

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib; /* type:4 S DPL:2 P | AVL L DB G (APM vol. 2 15.5.1) */
	uint32_t limit;
	uint64_t base;
};
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment is 16 bytes");

struct vmcb_control {
	uint32_t intercept_cr;     /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;     /* 0x004 */
	uint32_t intercept_exc;    /* 0x008 */
	uint32_t intercept_misc1;  /* 0x00c */
	uint32_t intercept_misc2;  /* 0x010 */
	uint32_t intercept_misc3;  /* 0x014 */
	uint8_t reserved1[0x03c - 0x018];
	uint16_t pause_filter_thresh; /* 0x03c */
	uint16_t pause_filter_count;  /* 0x03e */
	uint64_t iopm_base_pa;     /* 0x040 */
	uint64_t msrpm_base_pa;    /* 0x048 */
	uint64_t tsc_offset;       /* 0x050 */
	uint32_t guest_asid;       /* 0x058 */
	uint8_t tlb_control;       /* 0x05c */
	uint8_t reserved2[3];
	uint64_t vintr;            /* 0x060 */
	uint64_t interrupt_shadow; /* 0x068 */
	uint64_t exit_code;        /* 0x070 */
	uint64_t exit_info1;       /* 0x078 */
	uint64_t exit_info2;       /* 0x080 */
	uint64_t exit_int_info;    /* 0x088 */
	uint64_t np_enable;        /* 0x090 */
	uint64_t avic_apic_bar;    /* 0x098 */
	uint64_t ghcb_pa;          /* 0x0a0 */
	uint64_t event_inj;        /* 0x0a8 */
	uint64_t n_cr3;            /* 0x0b0 */
	uint64_t virt_ext;         /* 0x0b8 */
	uint32_t clean;            /* 0x0c0 */
	uint32_t reserved3;
	uint64_t next_rip;         /* 0x0c8 */
	uint8_t insn_len;          /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint8_t reserved4[0x400 - 0x0e0];
};
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 0x400 bytes");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x70, "EXITCODE at 0x70");
_Static_assert(offsetof(struct vmcb_control, n_cr3) == 0xb0, "N_CR3 at 0xb0");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0xc8, "nRIP at 0xc8");

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x000 */
	uint8_t reserved1[0x0cb - 0x0a0];
	uint8_t cpl;          /* 0x0cb */
	uint32_t reserved2;
	uint64_t efer;        /* 0x0d0 */
	uint8_t reserved3[0x148 - 0x0d8];
	uint64_t cr4;         /* 0x148 */
	uint64_t cr3;
	uint64_t cr0;
	uint64_t dr7;
	uint64_t dr6;
	uint64_t rflags;      /* 0x170 */
	uint64_t rip;         /* 0x178 */
	uint8_t reserved4[0x1d8 - 0x180];
	uint64_t rsp;         /* 0x1d8 */
	uint64_t s_cet, ssp, isst_addr;
	uint64_t rax;         /* 0x1f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base; /* 0x200 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;    /* 0x228 */
	uint64_t cr2;         /* 0x240 */
	uint8_t reserved5[0x268 - 0x248];
	uint64_t g_pat;       /* 0x268 */
	uint64_t dbgctl;
	uint64_t br_from, br_to, last_excp_from, last_excp_to;
	uint8_t reserved6[0xc00 - 0x298];
};
_Static_assert(offsetof(struct vmcb_save, cpl) == 0xcb, "CPL at 0x4cb");
_Static_assert(offsetof(struct vmcb_save, efer) == 0xd0, "EFER at 0x4d0");
_Static_assert(offsetof(struct vmcb_save, cr4) == 0x148, "CR4 at 0x548");
_Static_assert(offsetof(struct vmcb_save, rip) == 0x178, "RIP at 0x578");
_Static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8, "RSP at 0x5d8");
_Static_assert(offsetof(struct vmcb_save, rax) == 0x1f8, "RAX at 0x5f8");
_Static_assert(offsetof(struct vmcb_save, sysenter_cs) == 0x228, "SYSENTER_CS at 0x628");
_Static_assert(offsetof(struct vmcb_save, g_pat) == 0x268, "G_PAT at 0x668");

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* Intercept vector 3 (misc1) and 4 (misc2) bits, APM vol. 2 B-1. */
#define SVM_INTERCEPT_INTR BIT(0)
#define SVM_INTERCEPT_NMI BIT(1)
#define SVM_INTERCEPT_VINTR BIT(4) /* a virtual interrupt (V_IRQ) is about to be taken */
#define SVM_INTERCEPT_INIT BIT(3)
#define SVM_INTERCEPT_RDPMC BIT(15)
#define SVM_INTERCEPT_CPUID BIT(18)
#define SVM_INTERCEPT_RSM BIT(19)
#define SVM_INTERCEPT_IRET BIT(20)
#define SVM_INTERCEPT_INTN BIT(21) /* software interrupts (INT n) */
#define SVM_INTERCEPT_INVD BIT(22)
#define SVM_INTERCEPT_HLT BIT(24)
#define SVM_INTERCEPT_IOIO BIT(27)
#define SVM_INTERCEPT_MSR BIT(28)
#define SVM_INTERCEPT_SHUTDOWN BIT(31)
#define SVM_INTERCEPT_VMRUN BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD BIT(2)
#define SVM_INTERCEPT_VMSAVE BIT(3)
#define SVM_INTERCEPT_STGI BIT(4)
#define SVM_INTERCEPT_CLGI BIT(5)
#define SVM_INTERCEPT_SKINIT BIT(6)
#define SVM_INTERCEPT_WBINVD BIT(9) /* WBINVD and WBNOINVD */
#define SVM_INTERCEPT_INVLPGA_MISC1 BIT(26)
#define SVM_INTERCEPT_MONITOR BIT(10)
#define SVM_INTERCEPT_MWAIT BIT(11)
#define SVM_INTERCEPT_MWAIT_ARMED BIT(12)
#define SVM_INTERCEPT_XSETBV BIT(13)
#define SVM_INTERCEPT_RDTSCP BIT(7)
/* Intercept vector 5 (misc3, VMCB offset 0x14; APM vol. 2 B-1). */
#define SVM_INTERCEPT3_INVLPGB BIT(0)
#define SVM_INTERCEPT3_INVLPGB_ILLEGAL BIT(1)
#define SVM_INTERCEPT3_INVPCID BIT(2)
#define SVM_INTERCEPT3_MCOMMIT BIT(3)
#define SVM_INTERCEPT3_TLBSYNC BIT(4)

/* VMCB offset 0x60 (APM vol. 2 15.21, appendix B table B-1). */
#define SVM_VINTR_V_IRQ BIT(8)
#define SVM_VINTR_PRIO(p) ((uint64_t)(p) << 16)
#define SVM_VINTR_IGN_TPR BIT(20)
#define SVM_VINTR_MASKING BIT(24)
/* VMCB offset 0x68 (APM vol. 2 15.21.5). */
#define SVM_INTR_SHADOW BIT(0)
#define SVM_NP_ENABLE BIT(0)
#define SVM_TLB_FLUSH_ALL 1

/* EVENTINJ (APM vol. 2 15.20). */
#define SVM_EVTINJ_VALID BIT(31)
#define SVM_EVTINJ_INTR (0ull << 8)
#define SVM_EVTINJ_NMI (2ull << 8)
#define SVM_EVTINJ_EXCEPTION (3ull << 8)
#define SVM_EVTINJ_SOFT_INT (4ull << 8)
#define SVM_EVTINJ_ERROR_VALID BIT(11)

/* VMCB clean bits (APM vol. 2 15.15.3). */
#define SVM_CLEAN_INTERCEPTS BIT(0)
#define SVM_CLEAN_TPR BIT(3) /* V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING, V_INTR_VECTOR */
#define SVM_CLEAN_NP BIT(4)
#define SVM_CLEAN_CR BIT(5)
#define SVM_CLEAN_DR BIT(6)
#define SVM_CLEAN_CR2 BIT(9)
#define SVM_CLEAN_ALL 0xfffu

/* Exit codes (APM vol. 2 appendix C). */
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_SWINT 0x75
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_RDPMC 0x6f
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_RSM 0x73
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPGA 0x7a
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_WBINVD 0x89
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_MWAIT_ARMED 0x8c
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_INVLPGB 0xa0
#define SVM_EXIT_INVLPGB_ILLEGAL 0xa1
#define SVM_EXIT_TLBSYNC 0xa4
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffffffffffull

#endif
