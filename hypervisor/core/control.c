// SPDX-License-Identifier: GPL-2.0-only
/* Hypercalls: argument checks here, the work in the subsystems. */
#include <arch.h>
#include <percpu.h>
#include <bulkhead/hypercall.h>
#include <cell.h>
#include <control.h>
#include <ivshmem.h>
#include <pool.h>
#include <setup.h>

static int64_t control_get_info(uint64_t what)
{
	switch (what) {
	case BH_INFO_MEM_POOL_SIZE:
		return (int64_t)pool_pages_total();
	case BH_INFO_MEM_POOL_USED:
		return (int64_t)pool_pages_used();
	case BH_INFO_NUM_CELLS:
		return cell_count();
	default:
		return -EINVAL;
	}
}

static int64_t control_cpu_get_info(uint64_t cpu_id, uint64_t what)
{
	const struct per_cpu *cpu;

	if (cpu_id >= BH_MAX_CPUS || !per_cpu_area[cpu_id].online)
		return -EINVAL;
	cpu = &per_cpu_area[cpu_id];
	switch (what) {
	case BH_CPU_INFO_STATE:
		return cpu->state == CPU_FAILED ? BH_CPU_FAILED : BH_CPU_RUNNING;
	case BH_CPU_INFO_EXITS_TOTAL:
		return (int64_t)cpu->exits_total;
	case BH_CPU_INFO_VIOLATIONS:
		return (int64_t)cpu->violations;
	case BH_CPU_INFO_EXIT_CYCLES:
		return (int64_t)cpu->exit_cycles;
	default:
		if (what >= BH_CPU_INFO_EXITS_BASE &&
		    what < BH_CPU_INFO_EXITS_BASE + BH_EXIT_REASONS)
			return (int64_t)cpu->exits[what - BH_CPU_INFO_EXITS_BASE];
		return -EINVAL;
	}
}

/* The ivshmem counters' hypercalls: the cell first (arguments: hypercall.h). */
static int64_t control_ivshmem(uint64_t code, uint64_t arg1, uint64_t arg2)
{
	uint64_t id = code == BH_HC_IVSHMEM_LIST ? arg1 : arg1 >> 16;
	const struct cell *cell = id <= UINT32_MAX ? cell_lookup((uint32_t)id) : NULL;

	if (!cell)
		return -ENOENT;
	if (code == BH_HC_IVSHMEM_LIST)
		return ivshmem_list(cell, arg2);
	return ivshmem_get_info(cell, (uint16_t)arg1, arg2);
}

static int control_root_cpus_parked(void)
{
	unsigned int i;

	for (i = 0; i < BH_MAX_CPUS; i++)
		if (per_cpu_area[i].online && per_cpu_area[i].parked)
			return 1;
	return 0;
}

/*
 * A cell's console output comes a byte per hypercall; each CPU gathers
 * it into lines, printed whole, so that the lines of cells on different
 * CPUs and the hypervisor's own never interleave byte by byte.
 */
static void control_console_putc(struct per_cpu *cpu, char c)
{
	cpu->console_line[cpu->console_len++] = c;
	if (c == '\n' || cpu->console_len == sizeof(cpu->console_line) - 1)
		control_console_flush(cpu);
}

void control_console_flush(struct per_cpu *cpu)
{
	if (!cpu->console_len)
		return;
	cpu->console_line[cpu->console_len] = '\0';
	cpu->console_len = 0;
	printk("%s", cpu->console_line);
}

/* What an inmate may ask; everything else is the root cell's. */
static int64_t control_inmate_hypercall(struct per_cpu *cpu, uint64_t code,
				uint64_t arg1, uint64_t arg2)
{
	switch (code) {
	case BH_HC_DEBUG_CONSOLE_PUTC:
		control_console_putc(cpu, (char)arg1);
		return 0;
	case BH_HC_CELL_REPORT:
		control_console_flush(cpu);
		cell_report(cpu, arg1 != BH_REPORT_DONE, arg2);
		return 0;
	default:
		return -EPERM;
	}
}

int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1,
		  uint64_t arg2)
{
	if (cpu->cell != &root_cell)
		return control_inmate_hypercall(cpu, code, arg1, arg2);
	switch (code) {
	case BH_HC_DISABLE:
		if (cell_count() > 1 || control_root_cpus_parked())
			return -EBUSY;	/* destroy cells, online CPUs first */
		hv_cpu_disable(cpu);
		arch_cpu_leave(cpu);
	case BH_HC_HYPERVISOR_GET_INFO:
		return control_get_info(arg1);
	case BH_HC_CPU_GET_INFO:
		return control_cpu_get_info(arg1, arg2);
	case BH_HC_DEBUG_CONSOLE_PUTC:
		control_console_putc(cpu, (char)arg1);
		return 0;
	case BH_HC_CELL_CREATE:
		return cell_create(cpu, arg1, arg2);
	case BH_HC_CELL_SET_LOADABLE:
		return cell_set_loadable(cpu, (uint32_t)arg1);
	case BH_HC_CELL_START:
		return cell_start(cpu, (uint32_t)arg1);
	case BH_HC_CELL_SHUTDOWN:
		return cell_shutdown((uint32_t)arg1);
	case BH_HC_CELL_DESTROY:
		return cell_destroy((uint32_t)arg1);
	case BH_HC_CELL_GET_STATE:
		return cell_get_state((uint32_t)arg1);
	case BH_HC_IVSHMEM_LIST:
	case BH_HC_IVSHMEM_GET_INFO:
		return control_ivshmem(code, arg1, arg2);
	default:
		return -ENOSYS;
	}
}
