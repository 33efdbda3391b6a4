// SPDX-License-Identifier: GPL-2.0-only
/* Hypercalls: argument checks here, the work in the subsystems. */
#include <asm/percpu.h>
#include <bulkhead/hypercall.h>
#include <cell.h>
#include <control.h>
#include <pool.h>
#include <setup.h>

static int64_t get_info(uint64_t what)
{
	switch (what) {
	case BH_INFO_MEM_POOL_SIZE:
		return (int64_t)pool_pages_total();
	case BH_INFO_MEM_POOL_USED:
		return (int64_t)pool_pages_used();
	case BH_INFO_NUM_CELLS:
		return 1;
	default:
		return -EINVAL;
	}
}

static int64_t cpu_get_info(uint64_t cpu_id, uint64_t what)
{
	const struct per_cpu *cpu;

	if (cpu_id >= BH_MAX_CPUS || !(root_cell.cpu_set & (1ull << cpu_id)))
		return -EINVAL;
	cpu = &per_cpu_area[cpu_id];
	switch (what) {
	case BH_CPU_INFO_STATE:
		return cpu->state == CPU_FAILED ? BH_CPU_FAILED : BH_CPU_RUNNING;
	case BH_CPU_INFO_EXITS_TOTAL:
		return (int64_t)cpu->exits_total;
	case BH_CPU_INFO_VIOLATIONS:
		return (int64_t)cpu->violations;
	default:
		return -EINVAL;
	}
}

int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1,
		  uint64_t arg2)
{
	switch (code) {
	case BH_HC_DISABLE:
		if (cpu->cell != &root_cell)
			return -EPERM;
		hv_cpu_disable(cpu);
		arch_cpu_leave(cpu);
	case BH_HC_HYPERVISOR_GET_INFO:
		return get_info(arg1);
	case BH_HC_CPU_GET_INFO:
		return cpu_get_info(arg1, arg2);
	case BH_HC_DEBUG_CONSOLE_PUTC:
		printk("%c", (char)arg1);
		return 0;
	default:
		return -ENOSYS;
	}
}
