// SPDX-License-Identifier: GPL-2.0-only
/*
 * Enabling, step by step. Every online CPU arrives here from the driver.
 * The first one sets up what is global (console, config, page pool, root
 * cell); then each CPU prepares itself, and all wait at a barrier: only
 * when every CPU is ready do they enter guest mode, so a failure anywhere
 * sends every CPU back to Linux untouched.
 */
#include <percpu.h>
#include <arch.h>
#include <asm/processor.h>	/* cpu_relax */
#include <percpu.h>
#include <cell.h>
#include <ivshmem.h>
#include <common/config_check.h>
#include <pool.h>
#include <setup.h>

const struct bh_system_config *system_config;
struct cell root_cell;

static volatile int global_state;	/* 0 none, 1 running, 2 done */
static volatile int enable_error;
static volatile unsigned int cpus_arrived, cpus_ready, cpus_left;
static volatile uint64_t cpus_entered;	/* the CPUs that came in this enable */

void setup_config_problem(void *ctx, const char *fmt, ...)
{
	va_list ap;

	printk("%s problem: ", (const char *)ctx);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
}

static int setup_check_config(void)
{
	const struct config_sink sink = { .report = setup_config_problem, .ctx = "Config" };
	int err;

	err = config_check_system(system_config, bh_header.config_size, &sink);
	if (err)
		return err;
	if (system_config->hypervisor_memory.phys_start != bh_header.phys_base ||
	    system_config->hypervisor_memory.size != bh_header.mem_size) {
		printk("Config problem: hypervisor memory differs from where the driver loaded us\n");
		return -EINVAL;
	}
	return 0;
}

static int setup_init_root_cell(void)
{
	const struct bh_cell_desc *desc = &system_config->root_cell;
	const uint8_t *set = bh_cell_cpu_set(desc);
	unsigned int i;
	int err;

	memset(&root_cell, 0, sizeof(root_cell));
	root_cell.desc = desc;
	root_cell.id = 0;
	root_cell.cpu_set = 0;
	for (i = 0; i < desc->cpu_set_size && i < 8; i++)
		root_cell.cpu_set |= (uint64_t)set[i] << (8 * i);
	err = arch_cell_init(&root_cell);
	if (err)
		return err;
	err = ivshmem_cell_init(&root_cell);
	if (err)
		arch_cell_exit(&root_cell);
	return err;
}

static int setup_global_init(unsigned int cpu_id)
{
	uint64_t pool_pages;
	int err;

	system_config = (const void *)(bh_header.phys_base + bh_header.config_offset);
	/* The log ring is kept with or without a UART. */
	console_init(system_config->debug_console.type == BH_CONSOLE_UART_8250 ?
		     system_config->debug_console.port : 0);
	printk("\nInitializing Bulkhead hypervisor v%s on CPU %u\n", BH_VERSION,
	       cpu_id);
	printk("Code location: 0x%lx, %lu KiB; memory 0x%lx, %lu MiB\n",
	       bh_header.link_base, bh_header.core_size >> 10,
	       bh_header.phys_base, bh_header.mem_size >> 20);

	err = setup_check_config();
	if (err)
		return err;
	pool_pages = (bh_header.mem_size - bh_header.pool_offset) / PAGE_SIZE;
	pool_init(bh_header.phys_base + bh_header.pool_offset, pool_pages);
	err = setup_init_root_cell();
	if (err) {
		printk("Root cell setup failed: %d\n", err);
		return err;
	}
	err = arch_iommu_init();
	if (err)
		return err;
	printk("Page pool usage after early setup: mem %lu/%lu\n",
	       pool_pages_used(), pool_pages_total());
	printk("Initializing processors:\n");
	return 0;
}

static void setup_wait_for(volatile unsigned int *counter, unsigned int value)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < value)
		cpu_relax();
}

int hv_cpu_entry(struct per_cpu *cpu)
{
	unsigned int online = bh_header.online_cpus;
	int err, expected = 0;

	if (__atomic_compare_exchange_n(&global_state, &expected, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* A fresh enable: forget the last one's leftovers. */
		cpus_ready = 0;
		cpus_left = 0;
		cpus_entered = 0;
		err = setup_global_init(cpu->cpu_id);
		if (err)
			enable_error = err;
		__atomic_store_n(&global_state, 2, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&global_state, __ATOMIC_ACQUIRE) != 2)
			cpu_relax();
	}

	if (!enable_error) {
		err = arch_cpu_init(cpu);
		printk(" CPU %u... %s\n", cpu->cpu_id, err ? "FAILED" : "OK");
		if (err)
			__atomic_store_n(&enable_error, err, __ATOMIC_RELEASE);
	}

	__atomic_or_fetch(&cpus_entered, 1ull << cpu->cpu_id, __ATOMIC_ACQ_REL);
	/*
	 * Barrier: everyone decides on the same error value. The root cell
	 * has the CPUs that came, not every CPU its config names: a config
	 * written for four CPUs may run on a machine with two, and no cell
	 * may be given, nor any request sent to, a CPU that is not there.
	 */
	if (__atomic_add_fetch(&cpus_ready, 1, __ATOMIC_ACQ_REL) == online &&
	    !enable_error) {
		root_cell.cpu_set &= cpus_entered;
		printk("Activating hypervisor\n");
	}
	setup_wait_for(&cpus_ready, online);
	err = __atomic_load_n(&enable_error, __ATOMIC_ACQUIRE);

	/* The last CPU out resets the state for the next enable. */
	if (__atomic_add_fetch(&cpus_arrived, 1, __ATOMIC_ACQ_REL) == online) {
		cpus_arrived = 0;
		if (err) {
			arch_iommu_exit();
			enable_error = 0;
			__atomic_store_n(&global_state, 0, __ATOMIC_RELEASE);
		}
	}
	if (!err)
		cpu->state = CPU_RUNNING;
	return err;
}

/* Called by each root CPU on BH_HC_DISABLE; the last one out tidies up. */
int hv_cpu_disable(struct per_cpu *cpu)
{
	unsigned int left = __atomic_add_fetch(&cpus_left, 1, __ATOMIC_ACQ_REL);

	if (left == 1)
		printk("Shutting down hypervisor\n");
	printk(" Releasing CPU %u\n", cpu->cpu_id);
	cpu->state = CPU_NATIVE;
	if (left == bh_header.online_cpus) {
		arch_iommu_exit();
		ivshmem_cell_exit(&root_cell);
		arch_cell_exit(&root_cell);
		__atomic_store_n(&global_state, 0, __ATOMIC_RELEASE);
	}
	return 0;
}
