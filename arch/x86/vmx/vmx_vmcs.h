/*
 * VMCS field encodings (Intel SDM vol. 3C appendix B), the control bits the
 * backend uses (24.6, 24.7, 24.8), exit reasons (appendix C) and the VMX
 * capability MSRs (appendix A).
 *
 * Section numbers in arch/x86/vmx/ follow the SDM vol. 3C editions up to 2022
 * (chapter 24 VMCS, 26 VM entries, 27 VM exits, 28 VMX address translation,
 * 30 VMX instruction reference, 31 VMM considerations); later editions number
 * these chapters one higher.
 */
#ifndef ARCH_X86_VMX_VMCS_H
#define ARCH_X86_VMX_VMCS_H

#include "hv/types.h"

/* Capability MSRs (appendix A). */
#define MSR_VMX_PINBASED_CTLS 0x481
#define MSR_VMX_PROCBASED_CTLS 0x482
#define MSR_VMX_EXIT_CTLS 0x483
#define MSR_VMX_ENTRY_CTLS 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_PROCBASED_CTLS2 0x48b
#define MSR_VMX_EPT_VPID_CAP 0x48c
#define MSR_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_VMX_TRUE_ENTRY_CTLS 0x490

/* IA32_FEATURE_CONTROL (SDM vol. 3C 23.7). */
#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX BIT(1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION(b) ((uint32_t)(b) & 0x7fffffffu)
#define VMX_BASIC_REGION_SIZE(b) ((uint32_t)((b) >> 32) & 0x1fffu)
#define VMX_BASIC_PA_32BIT BIT(48)
#define VMX_BASIC_MEMTYPE(b) ((uint32_t)((b) >> 50) & 0xfu)
#define VMX_BASIC_TRUE_CTLS BIT(55)

/* IA32_VMX_MISC bits 27:25: recommended maximum MSR-list size is 512 * (N + 1) (A.6). */
#define VMX_MISC_MSR_LIST_MAX(m) (512u * ((uint32_t)(((m) >> 25) & 7) + 1))

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK_4 BIT(6)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_SINGLE BIT(41)
#define VPID_CAP_INVVPID_ALL BIT(42)

/* EPTP (24.6.11): memory type in 2:0, page-walk length minus one in 5:3. */
#define EPTP_WB 6ull
#define EPTP_WALK_4 (3ull << 3)

/* INVEPT / INVVPID types (30.3). */
#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

/* ---- Field encodings (appendix B) ---- */
/* 16-bit control, guest and host fields (B.1). */
#define VMCS_VPID 0x0000
#define VMCS_GUEST_ES_SEL 0x0800 /* ES, CS, SS, DS, FS, GS, LDTR, TR: +2 each */
#define VMCS_GUEST_CS_SEL 0x0802
#define VMCS_GUEST_SS_SEL 0x0804
#define VMCS_GUEST_DS_SEL 0x0806
#define VMCS_GUEST_FS_SEL 0x0808
#define VMCS_GUEST_GS_SEL 0x080a
#define VMCS_GUEST_LDTR_SEL 0x080c
#define VMCS_GUEST_TR_SEL 0x080e
#define VMCS_HOST_ES_SEL 0x0c00
#define VMCS_HOST_CS_SEL 0x0c02
#define VMCS_HOST_SS_SEL 0x0c04
#define VMCS_HOST_DS_SEL 0x0c06
#define VMCS_HOST_FS_SEL 0x0c08
#define VMCS_HOST_GS_SEL 0x0c0a
#define VMCS_HOST_TR_SEL 0x0c0c

/* 64-bit fields (B.2). */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200a
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_EPT_POINTER 0x201a
#define VMCS_XSS_EXIT_BITMAP 0x202c
#define VMCS_GUEST_PHYSICAL_ADDRESS 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_GUEST_PDPTE0 0x280a /* PDPTE0..3: +2 each */
#define VMCS_HOST_PAT 0x2c00
#define VMCS_HOST_EFER 0x2c02

/* 32-bit fields (B.3). */
#define VMCS_PIN_CONTROLS 0x4000
#define VMCS_PROC_CONTROLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_MASK 0x4006
#define VMCS_PF_ERROR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400a
#define VMCS_EXIT_CONTROLS 0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CONTROLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401a
#define VMCS_PROC_CONTROLS2 0x401e
#define VMCS_VM_INSTRUCTION_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_EXIT_INSN_LEN 0x440c
#define VMCS_GUEST_ES_LIMIT 0x4800 /* ES..TR limits: +2 each, then GDTR, IDTR */
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814 /* ES..TR access rights: +2 each */
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_TR_AR 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY_STATE 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482a
#define VMCS_HOST_SYSENTER_CS 0x4c00

/* Natural-width fields (B.4). */
#define VMCS_CR0_GUEST_HOST_MASK 0x6000
#define VMCS_CR4_GUEST_HOST_MASK 0x6002
#define VMCS_CR0_READ_SHADOW 0x6004
#define VMCS_CR4_READ_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806 /* ES..TR bases: +2 each, then GDTR, IDTR */
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681a
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04
#define VMCS_HOST_FS_BASE 0x6c06
#define VMCS_HOST_GS_BASE 0x6c08
#define VMCS_HOST_TR_BASE 0x6c0a
#define VMCS_HOST_GDTR_BASE 0x6c0c
#define VMCS_HOST_IDTR_BASE 0x6c0e
#define VMCS_HOST_SYSENTER_ESP 0x6c10
#define VMCS_HOST_SYSENTER_EIP 0x6c12
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* ---- Control bits ---- */
/* Pin-based (24.6.1, table 24-5). */
#define PIN_EXTERNAL_INTERRUPT_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
/* Primary processor-based (24.6.2, table 24-6). */
#define PROC_USE_TSC_OFFSETTING BIT(3)
#define PROC_HLT_EXITING BIT(7)
#define PROC_MWAIT_EXITING BIT(10)
#define PROC_CR3_LOAD_EXITING BIT(15)
#define PROC_CR3_STORE_EXITING BIT(16)
#define PROC_USE_IO_BITMAPS BIT(25)
#define PROC_USE_MSR_BITMAPS BIT(28)
#define PROC_MONITOR_EXITING BIT(29)
#define PROC_ACTIVATE_SECONDARY BIT(31)
/* Secondary processor-based (24.6.2, table 24-7). */
#define PROC2_ENABLE_EPT BIT(1)
#define PROC2_ENABLE_RDTSCP BIT(3)
#define PROC2_ENABLE_VPID BIT(5)
#define PROC2_UNRESTRICTED_GUEST BIT(7)
#define PROC2_ENABLE_INVPCID BIT(12)
#define PROC2_ENABLE_XSAVES BIT(20)
/* VM-exit controls (24.7.1, table 24-11). */
#define EXIT_HOST_ADDR_SPACE_SIZE BIT(9)
#define EXIT_SAVE_PAT BIT(18)
#define EXIT_LOAD_PAT BIT(19)
#define EXIT_SAVE_EFER BIT(20)
#define EXIT_LOAD_EFER BIT(21)
/* VM-entry controls (24.8.1, table 24-13). */
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)

/* VM-entry interruption information (24.8.3, table 24-14). */
#define INTR_INFO_VECTOR(i) ((i) & 0xffu)
#define INTR_INFO_TYPE(i) (((i) >> 8) & 7u)
#define INTR_TYPE_NMI 2u
#define INTR_TYPE_HW_EXCEPTION 3u
#define INTR_TYPE_PRIV_SW_EXCEPTION 5u /* INT1 (ICEBP) */
#define INTR_INFO_DELIVER_ERROR BIT(11)
#define INTR_INFO_VALID BIT(31)

/* Guest interruptibility state (24.4.2, table 24-3). */
#define INTERRUPTIBILITY_STI BIT(0)
#define INTERRUPTIBILITY_MOV_SS BIT(1)
#define INTERRUPTIBILITY_NMI BIT(3)
#define PENDING_DBG_BS BIT(14) /* pending debug exceptions: single step (24.4.2) */

/* Segment access rights as the VMCS holds them (24.4.1, table 24-2). */
#define AR_L BIT(13)
#define AR_DB BIT(14)
#define AR_UNUSABLE BIT(16)

/* ---- Exit reasons (appendix C) ---- */
#define EXIT_REASON_BASIC(r) ((r) & 0xffffu)
#define EXIT_REASON_ENTRY_FAILURE BIT(31)
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTERNAL_INTERRUPT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3,
	VMX_EXIT_SIPI = 4,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_GETSEC = 11,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMCLEAR = 19,
	VMX_EXIT_VMLAUNCH = 20,
	VMX_EXIT_VMPTRLD = 21,
	VMX_EXIT_VMPTRST = 22,
	VMX_EXIT_VMREAD = 23,
	VMX_EXIT_VMRESUME = 24,
	VMX_EXIT_VMWRITE = 25,
	VMX_EXIT_VMXOFF = 26,
	VMX_EXIT_VMXON = 27,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_INVALID_GUEST_STATE = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_MWAIT = 36,
	VMX_EXIT_MONITOR = 39,
	VMX_EXIT_MACHINE_CHECK = 41,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50,
	VMX_EXIT_INVVPID = 53,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_VMFUNC = 59,
};

#endif
