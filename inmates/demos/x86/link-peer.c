// SPDX-License-Identifier: GPL-2.0-only
/*
 * link-peer: one peer of an ivshmem link, for the link- scenarios.
 *
 * It writes "peer N" at the start of its own output section, announces
 * READY, and then watches: every change it sees in the state table is
 * printed ("link-peer N: states 1 1 0"), read straight from shared memory
 * without an exit. The root drives it through the common section: the
 * u32 at 16 * N is peer N's command, 0x100 | P "write into peer P's
 * output section", 0x1ff "write into the state table". Both writes are
 * refused by nested paging, so the hypervisor must stop the cell at the
 * store; if the store returns, the peer says NOT STOPPED.
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/ivshmem.h>

#define MMIO_BASE		IVSHMEM_INMATE_BARS(0)
#define CMD_WRITE_OUTPUT	0x100u
#define CMD_TARGET_STATE	0xffu

static void print_states(const struct ivshmem_device *d, const uint32_t *states)
{
	unsigned int p;

	printk("link-peer %u: states", d->id);
	for (p = 0; p < d->num_peers; p++)
		printk(" %u", states[p]);
	printk("\n");
}

/* Whether the state table differs from @seen; updates it. */
static int states_changed(const struct ivshmem_device *d, uint32_t *seen)
{
	unsigned int p;
	int changed = 0;

	for (p = 0; p < d->num_peers; p++) {
		uint32_t s = IVSHMEM_LINK_STATE(d, p);

		changed |= s != seen[p];
		seen[p] = s;
	}
	return changed;
}

static void obey(const struct ivshmem_device *d, uint32_t cmd)
{
	volatile uint32_t *target;
	uint32_t p = cmd & 0xff;

	if ((cmd & ~0xffu) != CMD_WRITE_OUTPUT || (p != CMD_TARGET_STATE && p >= d->num_peers))
		return;
	if (p == CMD_TARGET_STATE) {
		target = (volatile uint32_t *)d->shmem + 1;
		printk("link-peer %u: writing the state table at 0x%lx\n", d->id,
		       (uint64_t)(uintptr_t)target);
	} else {
		target = (volatile uint32_t *)(IVSHMEM_OUTPUT(d, p) + 8);
		printk("link-peer %u: writing peer %u's output section at 0x%lx\n",
		       d->id, p, (uint64_t)(uintptr_t)target);
	}
	*target = 0xbad0bad0;
	printk("link-peer %u: the write returned: NOT STOPPED\n", d->id);
}

int inmate_main(void)
{
	static struct ivshmem_device dev;
	uint32_t seen[IVSHMEM_MAX_PEERS], cmd, last_cmd = 0;
	volatile uint32_t *cmds;
	volatile char *own;
	unsigned int i;

	/* Interrupts on, though it takes none: `cell shutdown` then ends it cleanly. */
	irq_init();
	irq_enable();
	if (ivshmem_open(&dev, 0, MMIO_BASE) || !dev.output_size ||
	    dev.common_size < 16 * IVSHMEM_MAX_PEERS || dev.id >= dev.num_peers) {
		printk("link-peer: no ivshmem link device found\n");
		return 1;
	}
	own = (volatile char *)IVSHMEM_OUTPUT(&dev, dev.id);
	cmds = (volatile uint32_t *)((char *)dev.shmem + IVSHMEM_LINK_COMMON_OFFSET);
	for (i = 0; i < 7; i++)
		own[i] = "peer  "[i];
	own[5] = (char)('0' + dev.id % 10);
	own[6] = '\0';
	printk("link-peer %u: %u peers, NUM_PEERS %u, output sections of 0x%lx bytes\n",
	       dev.id, dev.num_peers, dev.regs[IVSHMEM_REG_NUM_PEERS / 4], dev.output_size);
	memset(seen, 0xff, sizeof(seen));
	ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
	for (;;) {
		if (states_changed(&dev, seen))
			print_states(&dev, seen);
		cmd = cmds[4 * dev.id];
		if (cmd != last_cmd) {
			last_cmd = cmd;
			obey(&dev, cmd);
		}
		cpu_relax();
	}
}
