// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivshmem-demo: the inmate side of an ivshmem pair, without libcellmsg.
 * Finds the device, maps it, prints its ID and the peer's state, writes a
 * greeting into the shared memory and answers every doorbell with one
 * (vector 0 to the root cell), counting them in the shared memory too:
 *
 *	shmem + 0	"Hello from ivshmem-demo ..." (NUL-terminated)
 *	shmem + 64	number of doorbells answered, as decimal text
 *
 * From root Linux: ivshmem-ping read 0; ivshmem-ping ring 1 then wait.
 *
 * Vector 0 also carries the device's peer state changes: an interrupt
 * there counts as a doorbell only if the peer state did not change and
 * the peer is ready (a peer in reset rings nobody: that interrupt was an
 * open and a close too quick for us to see the open). A state change
 * that coincides with a doorbell still hides it.
 * Vector 1 carries doorbells alone: `ring 1 1` is always counted as one,
 * which is what the tests ring.
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/ivshmem.h>

#define MMIO_BASE		IVSHMEM_INMATE_BARS(0)
#define DOORBELL_VECTOR		40	/* MSI-X vector 0: doorbells and state changes */
#define DOORBELL_ONLY_VECTOR	41	/* MSI-X vector 1: doorbells only */
#define DOORBELL_ONLY_MSIX	1
#define COUNTER_OFFSET		64
#define PRINT_FIRST		10

static struct ivshmem_device dev;
static volatile uint32_t doorbells, state_changes, peer_state;

static void on_interrupt(unsigned int vector)
{
	uint32_t state = ivshmem_peer_state(&dev);

	(void)vector;
	if (state != peer_state) {
		peer_state = state;
		state_changes++;
	} else if (state == IVSHMEM_STATE_READY) {
		doorbells++;
	}
}

static void on_doorbell(unsigned int vector)
{
	(void)vector;
	doorbells++;
}

static void put_text(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

static void put_decimal(char *dst, uint32_t v)
{
	char tmp[11];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*dst++ = tmp[--n];
	*dst = '\0';
}

static void wait_for_interrupt(uint32_t doorbells_seen, uint32_t changes_seen)
{
	while (doorbells == doorbells_seen && state_changes == changes_seen)
		asm volatile("sti; hlt; cli" ::: "memory");
}

int inmate_main(void)
{
	uint32_t seen = 0, changes_seen = 0;
	char *shm;

	irq_init();
	if (ivshmem_open(&dev, 0, MMIO_BASE)) {
		printk("IVSHMEM: no ivshmem device found\n");
		return 1;
	}
	shm = dev.shmem;
	printk("IVSHMEM: Found 1af4:1110 at %02x:%02x.%x, ID %u, %u MSI-X vectors\n",
	       dev.bdf >> 8, (dev.bdf >> 3) & 0x1f, dev.bdf & 7, dev.id,
	       dev.num_vectors);
	printk("IVSHMEM: shared memory at 0x%lx, %lu KiB; registers at 0x%lx\n",
	       dev.shmem_phys, dev.shmem_size >> 10, MMIO_BASE);

	peer_state = ivshmem_peer_state(&dev);
	irq_set_handler(DOORBELL_VECTOR, on_interrupt);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_CHANNEL, DOORBELL_VECTOR);
	irq_set_handler(DOORBELL_ONLY_VECTOR, on_doorbell);
	ivshmem_route_vector(&dev, DOORBELL_ONLY_MSIX, DOORBELL_ONLY_VECTOR);
	put_text(shm, "Hello from ivshmem-demo, the inmate side");
	put_decimal(shm + COUNTER_OFFSET, 0);
	ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
	printk("IVSHMEM: ready; peer state %u (%s)\n", peer_state,
	       peer_state == IVSHMEM_STATE_READY ? "ready" : "reset");

	for (;;) {
		/*
		 * Interrupts stay enabled but for the check before hlt: each
		 * one is taken (and told apart) as it comes, none coalesce
		 * while we print.
		 */
		wait_for_interrupt(seen, changes_seen);
		irq_enable();
		if (state_changes != changes_seen) {
			changes_seen = state_changes;
			printk("IVSHMEM: peer state now %u (%s)\n", peer_state,
			       peer_state == IVSHMEM_STATE_READY ? "ready" : "reset");
		}
		if (doorbells == seen) {
			irq_disable();
			continue;
		}
		seen++;				/* one answer per doorbell */
		put_decimal(shm + COUNTER_OFFSET, seen);
		if (seen <= PRINT_FIRST || seen % 1000 == 0)
			printk("IVSHMEM: got doorbell %u, peer state %u; answering\n",
			       seen, ivshmem_peer_state(&dev));
		ivshmem_ring(&dev, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_CHANNEL);
		irq_disable();
	}
}
