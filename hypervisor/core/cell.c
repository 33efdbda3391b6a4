// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inmate cells: create, load, start, shut down, destroy.
 *
 * The root cell asks; nothing it passes is trusted. A config is copied
 * into hypervisor memory before it is checked (so the root cannot change
 * it afterwards), checked against the system config and every other cell,
 * and only then are CPUs taken. The CPUs must have been taken offline by
 * Linux first (the driver does that); the hypervisor parks them, resets
 * them into the cell on start, and parks them again on shutdown. After
 * destroy they belong to the root cell again and wait, parked, for Linux
 * to start them (an emulated INIT/SIPI, apic.c).
 */
#include <arch.h>
#include <percpu.h>
#include <bulkhead/hypercall.h>
#include <cell.h>
#include <common/config_check.h>
#include <control.h>
#include <ivshmem.h>
#include <pci.h>
#include <pool.h>
#include <setup.h>

#define MAX_CELL_CONFIG	(64 * 1024)

static struct cell cells[BH_MAX_CELLS];

static const struct config_sink cell_problem_sink = {
	.report = setup_config_problem,
	.ctx = "Cell config",
};

static struct cell *cell_by_id(uint32_t id)
{
	if (id < 1 || id > BH_MAX_CELLS || cells[id - 1].state == CELL_FREE)
		return NULL;
	return &cells[id - 1];
}

struct cell *cell_lookup(uint32_t id)
{
	return id ? cell_by_id(id) : &root_cell;
}

unsigned int cell_count(void)
{
	unsigned int i, n = 1;

	for (i = 0; i < BH_MAX_CELLS; i++)
		n += cells[i].state != CELL_FREE;
	return n;
}

int cell_root_ram_holds(uint64_t gpa, uint64_t size)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(root_cell.desc);
	unsigned int i;

	for (i = 0; i < root_cell.desc->num_memory_regions; i++) {
		if (mem[i].flags & BH_MEM_IO)
			continue;
		if (gpa >= mem[i].virt_start && size <= mem[i].size &&
		    gpa - mem[i].virt_start <= mem[i].size - size)
			return 1;
	}
	return 0;
}

/* Every root CPU drops stale nested translations. */
static void cell_flush_root_tlbs(struct per_cpu *caller)
{
	arch_flush_tlbs(caller, root_cell.cpu_set);
}

static int cell_check_cpus(const struct cell *cell, const struct per_cpu *caller)
{
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++) {
		if (!(cell->cpu_set & (1ull << i)))
			continue;
		if (!per_cpu_area[i].online || per_cpu_area[i].cell != &root_cell ||
		    i == caller->cpu_id) {
			printk("Cell \"%s\": CPU %u is not a root cell CPU that can be given away\n",
			       cell->desc->name, i);
			return -EBUSY;
		}
	}
	return 0;
}

static int cell_check_against_others(const struct cell *new_cell)
{
	const struct bh_cell_desc *descs[BH_MAX_CELLS + 1];
	unsigned int i, n = 0;

	for (i = 0; i < BH_MAX_CELLS; i++) {
		if (cells[i].state == CELL_FREE || &cells[i] == new_cell)
			continue;
		if (!memcmp(cells[i].desc->name, new_cell->desc->name, BH_CELL_NAME_LEN)) {
			printk("Cell \"%s\" exists already\n", new_cell->desc->name);
			return -EEXIST;
		}
		descs[n++] = cells[i].desc;
	}
	descs[n++] = new_cell->desc;
	return config_check_cell_set(descs, n, &cell_problem_sink);
}

/* A CPU changes cells: its statistics start over with the new one. */
static void cell_move_cpu(struct per_cpu *cpu, struct cell *cell)
{
	control_console_flush(cpu);	/* the old cell's last words */
	cpu->cell = cell;
	cpu->exits_total = 0;
	cpu->exit_cycles = 0;
	cpu->violations = 0;
	memset(cpu->exits, 0, sizeof(cpu->exits));
}

static void cell_free(struct cell *cell)
{
	pci_cell_release(cell);
	ivshmem_cell_exit(cell);
	arch_cell_exit(cell);
	if (cell->desc_copy)
		pool_free_pages(cell->desc_copy, cell->desc_pages);
	memset(cell, 0, sizeof(*cell));
}

static int cell_load_config(struct cell *cell, uint64_t gpa, uint64_t size)
{
	const struct bh_cell_desc *desc;
	unsigned int i;
	int err;

	if (size < sizeof(*desc) || size > MAX_CELL_CONFIG || !cell_root_ram_holds(gpa, size))
		return -EINVAL;
	cell->desc_pages = (unsigned int)((size + 4095) / 4096);
	cell->desc_copy = pool_alloc_pages(cell->desc_pages);
	if (!cell->desc_copy)
		return -ENOMEM;
	memcpy(cell->desc_copy, (const void *)gpa, size);
	err = config_check_cell(cell->desc_copy, size, system_config, &cell_problem_sink);
	if (err)
		return err;
	desc = cell->desc = cell->desc_copy;
	for (i = 0; i < desc->cpu_set_size && i < 8; i++)
		cell->cpu_set |= (uint64_t)bh_cell_cpu_set(desc)[i] << (8 * i);
	return 0;
}

int cell_create(struct per_cpu *caller, uint64_t config_gpa, uint64_t size)
{
	struct cell *cell = NULL;
	unsigned int i;
	int err, taken = 0;

	for (i = 0; i < BH_MAX_CELLS && !cell; i++)
		if (cells[i].state == CELL_FREE)
			cell = &cells[i];
	if (!cell)
		return -ENOSPC;
	cell->id = (uint32_t)(cell - cells) + 1;
	cell->state = CELL_CREATED;	/* holds the slot while we check */

	err = cell_load_config(cell, config_gpa, size);
	err = err ?: cell_check_against_others(cell);
	err = err ?: cell_check_cpus(cell, caller);
	err = err ?: arch_cell_init(cell);
	err = err ?: pci_cell_init(cell);
	err = err ?: ivshmem_cell_init(cell);
	if (!err) {
		taken = pci_cell_assign(cell);	/* functions, or an error */
		err = taken < 0 ? taken : 0;
	}
	if (err) {
		printk("Creating cell failed: %d\n", err);
		cell_free(cell);
		return err;
	}

	if (taken)
		cell_flush_root_tlbs(caller);	/* passed-through BARs are gone */
	root_cell.cpu_set &= ~cell->cpu_set;
	for (i = 0; i < BH_MAX_CPUS; i++)
		if (cell->cpu_set & (1ull << i))
			cell_move_cpu(&per_cpu_area[i], cell);
	arch_park_cpus(cell->cpu_set);
	arch_iommu_cpus_changed();
	printk("Created cell \"%s\"\n", cell->desc->name);
	printk("Page pool usage after cell creation: mem %lu/%lu\n",
	       pool_pages_used(), pool_pages_total());
	return (int)cell->id;
}

int cell_set_loadable(struct per_cpu *caller, uint32_t id)
{
	struct cell *cell = cell_by_id(id);
	int err;

	(void)caller;
	if (!cell)
		return -ENOENT;
	arch_park_cpus(cell->cpu_set);
	if (!cell->loadable_mapped) {
		err = arch_map_loadable(cell, 1);
		if (err)
			return err;
		cell->loadable_mapped = 1;
	}
	cell->state = CELL_LOADING;
	return 0;
}

int cell_start(struct per_cpu *caller, uint32_t id)
{
	struct cell *cell = cell_by_id(id);
	int err;

	if (!cell)
		return -ENOENT;
	if (cell->loadable_mapped) {
		err = arch_map_loadable(cell, 0);
		if (err)
			return err;
		cell->loadable_mapped = 0;
		cell_flush_root_tlbs(caller);
	}
	ivshmem_cell_reset(cell);
	cell->state = CELL_RUNNING;
	printk("Started cell \"%s\"\n", cell->desc->name);
	arch_start_cpus(cell->cpu_set);
	return 0;
}

/*
 * A running cell is asked first (BH_SHUTDOWN_VECTOR); a CPU that does not
 * answer in time (interrupts off) is stopped anyway and the cell failed.
 */
int cell_shutdown(uint32_t id)
{
	struct cell *cell = cell_by_id(id);
	uint64_t silent = 0;
	unsigned int i;

	if (!cell)
		return -ENOENT;
	if (cell->state == CELL_RUNNING)
		silent = arch_ask_shutdown(cell->cpu_set);
	arch_park_cpus(cell->cpu_set);
	for (i = 0; i < BH_MAX_CPUS; i++) {
		if (!(silent & (1ull << i)))
			continue;
		printk("CPU %u: cell \"%s\" did not answer the shutdown request (interrupts off?): stopped\n",
		       i, cell->desc->name);
		per_cpu_area[i].state = CPU_FAILED;
	}
	/* A cell that failed before stays failed: shutting down is no repair. */
	if (silent)
		cell->state = CELL_FAILED;
	else if (cell->state != CELL_FAILED)
		cell->state = CELL_SHUT_DOWN;
	ivshmem_cell_stopped(cell);
	printk("Cell \"%s\" %s\n", cell->desc->name,
	       cell->state == CELL_FAILED ? "failed" : "shut down");
	return 0;
}

int cell_destroy(uint32_t id)
{
	struct cell *cell = cell_by_id(id);
	unsigned int i;

	if (!cell)
		return -ENOENT;
	arch_park_cpus(cell->cpu_set);
	if (cell->loadable_mapped)
		arch_map_loadable(cell, 0);	/* only removes mappings */
	/* Parked, and the root cell's again: Linux restarts them with SIPIs. */
	for (i = 0; i < BH_MAX_CPUS; i++) {
		if (!(cell->cpu_set & (1ull << i)))
			continue;
		cell_move_cpu(&per_cpu_area[i], &root_cell);
		per_cpu_area[i].state = CPU_RUNNING;
	}
	root_cell.cpu_set |= cell->cpu_set;
	printk("Closing cell \"%s\"\n", cell->desc->name);
	cell_free(cell);
	arch_iommu_cpus_changed();
	printk("Page pool usage after cell destruction: mem %lu/%lu\n",
	       pool_pages_used(), pool_pages_total());
	return 0;
}

int cell_get_state(uint32_t id)
{
	static const int state_abi[] = {
		[CELL_CREATED] = BH_CELL_CREATED,
		[CELL_LOADING] = BH_CELL_LOADING,
		[CELL_RUNNING] = BH_CELL_RUNNING,
		[CELL_SHUT_DOWN] = BH_CELL_SHUT_DOWN,
		[CELL_FAILED] = BH_CELL_FAILED,
	};
	struct cell *cell = cell_by_id(id);

	return cell ? state_abi[cell->state] : -ENOENT;
}

void cell_report(struct per_cpu *cpu, int failed, uint64_t code)
{
	struct cell *cell = cpu->cell;

	printk("Cell \"%s\" (CPU %u) reports %s (code %lu)\n", cell->desc->name,
	       cpu->cpu_id, failed ? "failure" : "done", code);
	if (failed) {
		cell->state = CELL_FAILED;
		cpu->state = CPU_FAILED;
	} else if (cell->state == CELL_RUNNING) {
		cell->state = CELL_SHUT_DOWN;
	}
	ivshmem_cell_stopped(cell);
	arch_park_self(cpu);
}

void cell_cpu_failed(struct per_cpu *cpu, const char *why)
{
	struct cell *cell = cpu->cell;

	printk("CPU %u: cell \"%s\" stopped: %s\n", cpu->cpu_id, cell->desc->name, why);
	cell->state = CELL_FAILED;
	cpu->state = CPU_FAILED;
	ivshmem_cell_stopped(cell);
	arch_park_self(cpu);
}
