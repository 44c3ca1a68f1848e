/* MSRPM layout: 2 bits per MSR (read, then write) in three 2 KiB vectors. */
#include "arch/x86/svm/svm_msrpm.h"
#include "hv/lib.h"
#include "hv/msr_policy.h"

static const struct {
	uint32_t first;
	uint32_t offset;
} ranges[] = {
	{ 0x00000000u, 0x0000 },
	{ 0xc0000000u, 0x0800 },
	{ 0xc0010000u, 0x1000 },
};

/* Bit position of the read bit for msr, or -1 when the MSR is outside the map. */
static long bit_of(uint32_t msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++)
		if (msr - ranges[i].first < 0x2000)
			return (long)ranges[i].offset * 8 + (long)(msr - ranges[i].first) * 2;
	return -1;
}

static void pass(void *msrpm, uint32_t msr, bool write)
{
	svm_msrpm_set(msrpm, msr, write, false);
}

void svm_msrpm_build(uint8_t *msrpm)
{
	memset(msrpm, 0xff, SVM_MSRPM_SIZE);
	msr_policy_each_passthrough(pass, msrpm);
}

bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write)
{
	long bit = bit_of(msr);
	if (bit < 0)
		return true;
	bit += write;
	return msrpm[bit / 8] & (1u << (bit % 8));
}

void svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool write, bool intercept)
{
	long bit = bit_of(msr);
	if (bit < 0)
		return;
	bit += write;
	if (intercept)
		msrpm[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		msrpm[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

void svm_iopm_build(uint8_t *iopm)
{
	memset(iopm, 0xff, SVM_IOPM_SIZE);
}
