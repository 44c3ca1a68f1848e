/* Bitmap page allocator (first fit, aligned). Allocation happens at start-up and on slow paths only. */
#include "hv/lib.h"
#include "hv/page_alloc.h"

struct page_pool hv_pool;

static bool test_bit(const uint64_t *bm, uint64_t i)
{
	return bm[i / 64] & BIT(i % 64);
}

static void set_range(uint64_t *bm, uint64_t first, uint64_t n, bool used)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (used)
			bm[i / 64] |= BIT(i % 64);
		else
			bm[i / 64] &= ~BIT(i % 64);
	}
}

int page_pool_init(struct page_pool *p, uint64_t start, uint64_t size)
{
	start = ALIGN_UP(start, PAGE_SIZE);
	uint64_t total = size / PAGE_SIZE;
	/* One bit per page, bitmap rounded up to whole pages and carved from the front. */
	uint64_t bm_pages = (total + PAGE_SIZE * 8 - 1) / (PAGE_SIZE * 8);
	if (total <= bm_pages)
		return -1;
	memset(p, 0, sizeof(*p));
	p->bitmap = (uint64_t *)(uintptr_t)start;
	p->base = start + bm_pages * PAGE_SIZE;
	p->npages = total - bm_pages;
	p->free_pages = p->npages;
	memset(p->bitmap, 0, bm_pages * PAGE_SIZE);
	return 0;
}

uint64_t page_alloc(struct page_pool *p, uint64_t npages, uint64_t align)
{
	if (!npages || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	uint64_t result = 0;
	spin_lock(&p->lock);
	uint64_t i = 0;
	while (i + npages <= p->npages) {
		uint64_t addr = p->base + i * PAGE_SIZE;
		if (!IS_ALIGNED(addr, align)) {
			i = (ALIGN_UP(addr, align) - p->base) / PAGE_SIZE;
			continue;
		}
		uint64_t j = 0;
		while (j < npages && !test_bit(p->bitmap, i + j))
			j++;
		if (j == npages) {
			set_range(p->bitmap, i, npages, true);
			p->free_pages -= npages;
			result = addr;
			break;
		}
		i += j + 1;
	}
	spin_unlock(&p->lock);
	if (result)
		memset((void *)(uintptr_t)result, 0, npages * PAGE_SIZE);
	return result;
}

void page_free(struct page_pool *p, uint64_t addr, uint64_t npages)
{
	if (!addr || addr < p->base || !IS_ALIGNED(addr, PAGE_SIZE))
		return;
	uint64_t first = (addr - p->base) / PAGE_SIZE;
	if (first + npages > p->npages)
		return;
	spin_lock(&p->lock);
	set_range(p->bitmap, first, npages, false);
	p->free_pages += npages;
	spin_unlock(&p->lock);
}
