/*
 * The VMX MSR bitmap (SDM vol. 3C 24.6.9): one 4 KiB page of four 1 KiB
 * vectors, one bit per MSR: read-low (MSRs 0x00000000-0x00001FFF) at 0,
 * read-high (0xC0000000-0xC0001FFF) at 1024, write-low at 2048, write-high at
 * 3072. A set bit makes the access exit; an MSR outside both ranges always
 * exits (25.1.3), so a passthrough rule there could never take effect (the
 * host unit test checks the table has none).
 */
#include "arch/x86/vmx/vmx_msr_bitmap.h"
#include "hv/lib.h"
#include "hv/msr_policy.h"

/* Bit position of msr in the read vector, or -1 when the MSR is outside the bitmap. */
static long bit_of(uint32_t msr)
{
	if (msr < 0x2000)
		return (long)msr;
	if (msr - 0xc0000000u < 0x2000)
		return 1024 * 8 + (long)(msr - 0xc0000000u);
	return -1;
}

static void clear_bit(uint8_t *bitmap, long bit)
{
	bitmap[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static void pass(void *bitmap, uint32_t msr, bool write)
{
	vmx_msr_bitmap_set(bitmap, msr, write, false); /* outside the bitmap: always exits */
}

void vmx_msr_bitmap_build(uint8_t *bitmap)
{
	memset(bitmap, 0xff, VMX_MSR_BITMAP_SIZE);
	msr_policy_each_passthrough(pass, bitmap);
}

bool vmx_msr_bitmap_intercepts(const uint8_t *bitmap, uint32_t msr, bool write)
{
	long bit = bit_of(msr);
	if (bit < 0)
		return true;
	if (write)
		bit += 2048 * 8; /* the write vectors follow the read ones */
	return bitmap[bit / 8] & (1u << (bit % 8));
}

int vmx_msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool write, bool intercept)
{
	long bit = bit_of(msr);
	if (bit < 0)
		return -1;
	if (write)
		bit += 2048 * 8; /* the write vectors follow the read ones */
	if (intercept)
		bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		clear_bit(bitmap, bit);
	return 0;
}

void vmx_io_bitmaps_build(uint8_t *a, uint8_t *b)
{
	memset(a, 0xff, VMX_IO_BITMAP_SIZE);
	memset(b, 0xff, VMX_IO_BITMAP_SIZE);
}
