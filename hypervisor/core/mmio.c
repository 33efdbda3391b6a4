// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-cell registry of emulated MMIO ranges (mmio.h). Lookups happen
 * on exits of any CPU of the cell while another may move a BAR: one lock
 * per cell, and lookups copy the entry out, so a handler never runs from
 * an entry that is being replaced.
 */
#include <cell.h>
#include <mmio.h>

static int mmio_overlaps(const struct mmio_region *r, uint64_t start, uint64_t size)
{
	return start < r->start + r->size && r->start < start + size;
}

int mmio_region_register(struct cell *cell, uint64_t start, uint64_t size,
			 mmio_handler_t handler, void *ctx)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int i;
	int err = 0;

	if (!size || start + size < start)
		return -EINVAL;
	spin_lock(&reg->lock);
	for (i = 0; i < reg->count && !err; i++)
		if (mmio_overlaps(&reg->regions[i], start, size))
			err = -EEXIST;
	if (!err && reg->count == MMIO_MAX_REGIONS)
		err = -ENOSPC;
	if (!err)
		reg->regions[reg->count++] = (struct mmio_region){
			.start = start, .size = size, .handler = handler, .ctx = ctx,
		};
	spin_unlock(&reg->lock);
	return err;
}

void mmio_region_unregister(struct cell *cell, uint64_t start)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int i;

	spin_lock(&reg->lock);
	for (i = 0; i < reg->count; i++) {
		if (reg->regions[i].start != start)
			continue;
		reg->regions[i] = reg->regions[--reg->count];
		break;
	}
	spin_unlock(&reg->lock);
}

int mmio_region_find(struct cell *cell, uint64_t gpa, struct mmio_region *region)
{
	struct mmio_registry *reg = &cell->mmio;
	unsigned int i;
	int err = -ENOENT;

	spin_lock(&reg->lock);
	for (i = 0; i < reg->count; i++) {
		if (gpa - reg->regions[i].start < reg->regions[i].size) {
			*region = reg->regions[i];
			err = 0;
			break;
		}
	}
	spin_unlock(&reg->lock);
	return err;
}
