/*
 * Which CPUID registers hold feature flags (every bit of them is filtered by the feature
 * table, hv/cpuid_feature_table.c), and which leaves only describe a feature and are
 * zeroed unless it is shown. Sources as in the feature table.
 */
#include "hv/cpuid_features.h"
#include "hv/lib.h"

/* Every register that holds feature flags: its guest value is filtered by the table. */
const struct cpuid_feature_reg cpuid_feature_regs[] = {
	{ 1, 0, CPUID_ECX },	       { 1, 0, CPUID_EDX },	      { 6, 0, CPUID_EAX },
	{ 6, 0, CPUID_EBX },	       { 6, 0, CPUID_ECX },	      { 6, 0, CPUID_EDX },
	{ 7, 0, CPUID_EBX },	       { 7, 0, CPUID_ECX },	      { 7, 0, CPUID_EDX },
	{ 7, 1, CPUID_EAX },	       { 7, 1, CPUID_EBX },	      { 7, 1, CPUID_ECX },
	{ 7, 1, CPUID_EDX },	       { 7, 2, CPUID_EAX },	      { 7, 2, CPUID_EBX },
	{ 7, 2, CPUID_ECX },	       { 7, 2, CPUID_EDX },	      { 0xd, 1, CPUID_EAX },
	{ 0x80000001u, 0, CPUID_ECX }, { 0x80000001u, 0, CPUID_EDX }, { 0x80000007u, 0, CPUID_EAX },
	{ 0x80000007u, 0, CPUID_EBX }, { 0x80000007u, 0, CPUID_ECX }, { 0x80000007u, 0, CPUID_EDX },
	{ 0x80000008u, 0, CPUID_EBX }, { 0x80000008u, 0, CPUID_EDX }, { 0x80000021u, 0, CPUID_EAX },
};
const size_t cpuid_feature_reg_count = ARRAY_SIZE(cpuid_feature_regs);

/* Leaves that only describe a feature: zero unless the feature is shown. */
const struct cpuid_leaf_rule cpuid_leaf_rules[] = {
	{ 0xa, 0, 0, 0, 0, "no virtual PMU" },
	{ 0xd, 1, 0, CPUID_ECX, BIT(26), "XSAVE state components and sizes" },
	{ 0xf, 7, 0, CPUID_EBX, BIT(12), "resource monitoring (PQM)" },
	{ 0x10, 7, 0, CPUID_EBX, BIT(15), "resource allocation (PQE)" },
	{ 0x12, 7, 0, CPUID_EBX, BIT(2), "SGX" },
	{ 0x14, 7, 0, CPUID_EBX, BIT(25), "Intel PT" },
	{ 0x19, 7, 0, CPUID_ECX, BIT(23), "Key Locker" },
	{ 0x1b, 7, 0, CPUID_EDX, BIT(18), "PCONFIG" },
	{ 0x1c, 7, 0, CPUID_EDX, BIT(19), "architectural LBR" },
	{ 0x1d, 7, 0, CPUID_EDX, BIT(24), "AMX tile information" },
	{ 0x1e, 7, 0, CPUID_EDX, BIT(24), "AMX TMUL information" },
	{ 0x8000000au, 0x80000001u, 0, CPUID_ECX, BIT(2), "SVM features" },
	{ 0x8000001bu, 0x80000001u, 0, CPUID_ECX, BIT(10), "IBS features" },
	{ 0x8000001cu, 0x80000001u, 0, CPUID_ECX, BIT(15), "LWP features" },
	{ 0x8000001fu, 0, 0, 0, 0, "SME/SEV: SYSCFG and SEV_STATUS are denied, no encrypted guests" },
	{ 0x80000020u, 0, 0, 0, 0, "platform QoS: its MSRs are denied" },
};
const size_t cpuid_leaf_rule_count = ARRAY_SIZE(cpuid_leaf_rules);
