// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cells from the driver's side: take CPUs from Linux, pass the config to
 * the hypervisor, copy images into the cell's memory, start, shut down,
 * destroy and give the CPUs back; /sys/devices/bulkhead/cells/<id>/.
 *
 * Per-CPU data is sized by nr_cpu_ids (cpumask_var_t, kcalloc), never by
 * NR_CPUS: distribution kernels set NR_CPUS=8192, so a struct cpumask is
 * 1 KiB of a 16 KiB stack and an NR_CPUS array of pointers 64 KiB a cell
 * (tests/unit/test_driver_sizes.sh keeps it so).
 *
 * Every show() that asks the hypervisor does so between bh_hv_get() and
 * bh_hv_put() (main.c): a VMMCALL after disable would be #UD, an oops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <bulkhead/config.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/ioctl.h>
#include <bulkhead/sysfs.h>

#include "bulkhead.h"

#define BH_MAX_CELL_CONFIG	(64 * 1024)
#define BH_MAX_IMAGE_SIZE	(64ull << 20)

/* cells/<id>/statistics/cpu<N>/ */
struct bh_cpu_stats {
	struct kobject kobj;
	unsigned int cpu;
};

struct bh_cell {
	struct list_head list;
	struct kobject kobj;		/* cells/<id> */
	struct kobject *stats_dir;
	struct bh_cpu_stats **cpu_stats;	/* nr_cpu_ids entries */
	struct bh_ivshmem_dir *ivshmem;		/* cells/<id>/ivshmem/, or NULL */
	int id;
	char name[BH_CELL_NAME_LEN];
	struct bh_cell_desc *config;	/* our copy, for loading images */
	u32 config_size;
	cpumask_var_t cpus;
};

static LIST_HEAD(bh_cells);
static struct kobject *cells_dir;

#define to_bh_cell(k) container_of(k, struct bh_cell, kobj)

/* ---- sysfs ---------------------------------------------------------- */

static const char *state_text(int id)
{
	if (id == 0)
		return BH_STATE_RUNNING;
	switch (bh_hypercall(BH_HC_CELL_GET_STATE, id, 0)) {
	case BH_CELL_RUNNING:		return BH_STATE_RUNNING;
	case BH_CELL_RUNNING_LOCKED:	return BH_STATE_RUNNING_LOCKED;
	case BH_CELL_SHUT_DOWN:		return BH_STATE_SHUT_DOWN;
	case BH_CELL_FAILED:		return BH_STATE_FAILED;
	case BH_CELL_LOADING:		return BH_STATE_LOADING;
	case BH_CELL_CREATED:		return BH_STATE_CREATED;
	default:			return "unknown";
	}
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_bh_cell(kobj)->name);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	const char *text;

	if (!bh_hv_get())
		return -ENODEV;
	text = state_text(to_bh_cell(kobj)->id);
	bh_hv_put();
	return sysfs_emit(buf, "%s\n", text);
}

static ssize_t cpus_assigned_show(struct kobject *kobj, struct kobj_attribute *attr,
				  char *buf)
{
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(to_bh_cell(kobj)->cpus));
}

static ssize_t cpus_failed_show(struct kobject *kobj, struct kobj_attribute *attr,
				char *buf)
{
	struct bh_cell *cell = to_bh_cell(kobj);
	cpumask_var_t failed;
	ssize_t ret = -ENODEV;
	int cpu;

	if (!zalloc_cpumask_var(&failed, GFP_KERNEL))
		return -ENOMEM;
	if (!bh_hv_get())
		goto out_free;
	for_each_cpu(cpu, cell->cpus)
		if (bh_hypercall(BH_HC_CPU_GET_INFO, cpu, BH_CPU_INFO_STATE) == BH_CPU_FAILED)
			cpumask_set_cpu(cpu, failed);
	bh_hv_put();
	ret = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(failed));
out_free:
	free_cpumask_var(failed);
	return ret;
}

static struct kobj_attribute cell_name_attr = __ATTR_RO(name);
static struct kobj_attribute cell_state_attr = __ATTR_RO(state);
static struct kobj_attribute cell_cpus_assigned_attr = __ATTR_RO(cpus_assigned);
static struct kobj_attribute cell_cpus_failed_attr = __ATTR_RO(cpus_failed);

static struct attribute *cell_attrs[] = {
	&cell_name_attr.attr,
	&cell_state_attr.attr,
	&cell_cpus_assigned_attr.attr,
	&cell_cpus_failed_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(cell);

static void cell_release(struct kobject *kobj)
{
	struct bh_cell *cell = to_bh_cell(kobj);

	kfree(cell->config);
	kfree(cell->cpu_stats);
	free_cpumask_var(cell->cpus);
	kfree(cell);
}

static struct kobj_type cell_ktype = {
	.release = cell_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cell_groups,
};

/* ---- statistics: one file per exit kind, per CPU ------------------------- */

struct bh_stat_attr {
	struct kobj_attribute attr;
	unsigned int what;		/* BH_CPU_INFO_* */
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct bh_cpu_stats *stats = container_of(kobj, struct bh_cpu_stats, kobj);
	struct bh_stat_attr *sa = container_of(attr, struct bh_stat_attr, attr);

	return bh_hv_show(buf, BH_HC_CPU_GET_INFO, stats->cpu, sa->what);
}

#define STAT_ATTR(n, name_, what_) \
	[n] = { .attr = { .attr = { .name = BH_SYSFS_EXITS_PREFIX name_, .mode = 0444 }, \
			  .show = stat_show }, \
		.what = (what_) }
/* Slot 0: all exits; then each reason of BH_EXIT_LIST. */
#define STAT_ATTR_REASON(reason, name_) \
	STAT_ATTR((reason) + 1, #name_, BH_CPU_INFO_EXITS_BASE + (reason)),

static struct bh_stat_attr stat_attrs[] = {
	STAT_ATTR(0, BH_SYSFS_EXITS_TOTAL, BH_CPU_INFO_EXITS_TOTAL),
	BH_EXIT_LIST(STAT_ATTR_REASON)
};

static struct bh_stat_attr cycles_attr = {
	.attr = { .attr = { .name = BH_SYSFS_EXIT_CYCLES, .mode = 0444 }, .show = stat_show },
	.what = BH_CPU_INFO_EXIT_CYCLES,
};

static struct attribute *stats_attrs[ARRAY_SIZE(stat_attrs) + 2];
static struct attribute_group stats_group = { .attrs = stats_attrs };
static const struct attribute_group *stats_groups[] = { &stats_group, NULL };

static void stats_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct bh_cpu_stats, kobj));
}

static struct kobj_type stats_ktype = {
	.release = stats_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = stats_groups,
};

static void stats_remove(struct bh_cell *cell)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cell->cpu_stats[cpu])
			continue;
		kobject_del(&cell->cpu_stats[cpu]->kobj);
		kobject_put(&cell->cpu_stats[cpu]->kobj);
		cell->cpu_stats[cpu] = NULL;
	}
	kobject_put(cell->stats_dir);
	cell->stats_dir = NULL;
}

static int stats_add(struct bh_cell *cell)
{
	struct bh_cpu_stats *stats;
	unsigned int i;
	int cpu, err;

	for (i = 0; i < ARRAY_SIZE(stat_attrs); i++)
		stats_attrs[i] = &stat_attrs[i].attr.attr;
	stats_attrs[i] = &cycles_attr.attr.attr;
	BUILD_BUG_ON(ARRAY_SIZE(stat_attrs) != BH_EXIT_REASONS + 1);
	cell->stats_dir = kobject_create_and_add("statistics", &cell->kobj);
	if (!cell->stats_dir)
		return -ENOMEM;
	for_each_cpu(cpu, cell->cpus) {
		stats = kzalloc(sizeof(*stats), GFP_KERNEL);
		if (!stats) {
			stats_remove(cell);
			return -ENOMEM;
		}
		stats->cpu = cpu;
		err = kobject_init_and_add(&stats->kobj, &stats_ktype, cell->stats_dir,
					   "cpu%d", cpu);
		if (err) {
			kobject_put(&stats->kobj);
			stats_remove(cell);
			return err;
		}
		cell->cpu_stats[cpu] = stats;
	}
	return 0;
}

/* A cell with no CPUs yet; kobject_put() frees it. */
static struct bh_cell *cell_alloc(int id, const char *name)
{
	struct bh_cell *cell = kzalloc(sizeof(*cell), GFP_KERNEL);

	if (!cell)
		return NULL;
	if (!zalloc_cpumask_var(&cell->cpus, GFP_KERNEL))
		goto err_free_cell;
	cell->cpu_stats = kcalloc(nr_cpu_ids, sizeof(*cell->cpu_stats), GFP_KERNEL);
	if (!cell->cpu_stats)
		goto err_free_cpus;
	cell->id = id;
	strscpy(cell->name, name, sizeof(cell->name));
	kobject_init(&cell->kobj, &cell_ktype);
	return cell;

err_free_cpus:
	free_cpumask_var(cell->cpus);
err_free_cell:
	kfree(cell);
	return NULL;
}

static int cell_publish(struct bh_cell *cell)
{
	int err = kobject_add(&cell->kobj, cells_dir, "%d", cell->id);

	if (err)
		return err;
	err = stats_add(cell);
	if (err) {
		kobject_del(&cell->kobj);
		return err;
	}
	cell->ivshmem = bh_ivshmem_stats_add(&cell->kobj, cell->id);
	if (IS_ERR(cell->ivshmem)) {
		err = PTR_ERR(cell->ivshmem);
		cell->ivshmem = NULL;
		stats_remove(cell);
		kobject_del(&cell->kobj);
		return err;
	}
	list_add_tail(&cell->list, &bh_cells);
	return 0;
}

static void cell_unpublish(struct bh_cell *cell)
{
	list_del(&cell->list);
	bh_ivshmem_stats_remove(cell->ivshmem);
	cell->ivshmem = NULL;
	stats_remove(cell);
	kobject_del(&cell->kobj);
	kobject_put(&cell->kobj);
}

/* The root cell's entry, while the hypervisor runs. */
int bh_cells_init(struct kobject *parent, const char *root_name)
{
	struct bh_cell *root;
	int err;

	cells_dir = kobject_create_and_add("cells", parent);
	if (!cells_dir)
		return -ENOMEM;
	root = cell_alloc(0, root_name);
	if (!root) {
		err = -ENOMEM;
		goto err_put_dir;
	}
	cpumask_copy(root->cpus, cpu_online_mask);
	err = cell_publish(root);
	if (err) {
		kobject_put(&root->kobj);
		goto err_put_dir;
	}
	return 0;

err_put_dir:
	kobject_put(cells_dir);
	cells_dir = NULL;
	return err;
}

void bh_cells_exit(void)
{
	struct bh_cell *cell, *tmp;

	list_for_each_entry_safe(cell, tmp, &bh_cells, list)
		cell_unpublish(cell);
	kobject_put(cells_dir);
	cells_dir = NULL;
}

/* Inmate cells, that is: the root cell's entry may be missing (no cells/). */
bool bh_cells_exist(void)
{
	return !list_empty(&bh_cells) && !list_is_singular(&bh_cells);
}

static struct bh_cell *cell_root(void)
{
	return list_first_entry(&bh_cells, struct bh_cell, list);
}

static struct bh_cell *cell_find(const struct bh_cell_ref *ref)
{
	struct bh_cell *cell;

	list_for_each_entry(cell, &bh_cells, list) {
		if (cell->id == 0)
			continue;
		if (ref->id >= 0 ? cell->id == ref->id :
		    !strncmp(cell->name, ref->name, BH_CELL_NAME_LEN))
			return cell;
	}
	return NULL;
}

/* ---- CPUs between Linux and a cell ------------------------------------ */

/* Brings the CPUs of @cpus below @end back online in Linux (the root cell). */
static void cpus_back_to_linux(const struct cpumask *cpus, unsigned int end)
{
	unsigned int cpu;
	int err;

	bh_allow_hotplug(true);
	for_each_cpu(cpu, cpus) {
		if (cpu >= end)
			break;
		err = add_cpu(cpu);
		if (err)
			pr_err("CPU %u did not come back online (%d)\n", cpu, err);
		else
			cpumask_set_cpu(cpu, cell_root()->cpus);
	}
	bh_allow_hotplug(false);
}

/*
 * Takes @cpus offline, in ascending order; on failure the ones taken so
 * far, exactly those below the one that failed, go back.
 */
static int cpus_from_linux(const struct cpumask *cpus, char *reason)
{
	int cpu, err;

	bh_allow_hotplug(true);
	for_each_cpu(cpu, cpus) {
		err = remove_cpu(cpu);
		if (err) {
			bh_allow_hotplug(false);
			cpus_back_to_linux(cpus, cpu);
			return bh_fail(reason, err, "cannot take CPU %d from Linux (%d)", cpu, err);
		}
		cpumask_clear_cpu(cpu, cell_root()->cpus);
	}
	bh_allow_hotplug(false);
	return 0;
}

static int config_cpus(const struct bh_cell_desc *cfg, struct cpumask *cpus, char *reason)
{
	const u8 *set = bh_cell_cpu_set(cfg);
	unsigned int bit;

	cpumask_clear(cpus);
	for (bit = 0; bit < cfg->cpu_set_size * 8; bit++) {
		if (!(set[bit / 8] & (1u << (bit % 8))))
			continue;
		if (bit == 0 || bit >= nr_cpu_ids || !cpu_online(bit))
			return bh_fail(reason, -EINVAL, "CPU %u cannot be given to a cell%s", bit,
				       bit == 0 ? " (Linux's boot CPU)" : ": it does not exist or is offline");
		cpumask_set_cpu(bit, cpus);
	}
	if (cpumask_empty(cpus))
		return bh_fail(reason, -EINVAL, "the cell has no CPU");
	return 0;
}

/* ---- the ioctls ------------------------------------------------------- */

static struct bh_cell_desc *copy_config(u64 uptr, u32 size, char *reason)
{
	struct bh_cell_desc *cfg;

	if (size < sizeof(*cfg) || size > BH_MAX_CELL_CONFIG)
		return ERR_PTR(bh_fail(reason, -EINVAL, "cell config size %u out of range", size));
	cfg = memdup_user(u64_to_user_ptr(uptr), size);
	if (IS_ERR(cfg))
		return cfg;
	if (memcmp(cfg->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN) ||
	    cfg->revision != BH_CONFIG_REVISION || bh_cell_desc_size(cfg) != size ||
	    cfg->cpu_set_size > BH_MAX_CPUS / 8) {
		kfree(cfg);
		return ERR_PTR(bh_fail(reason, -EINVAL,
				       "not a cell config of revision %u, or its size is wrong",
				       BH_CONFIG_REVISION));
	}
	cfg->name[BH_CELL_NAME_LEN - 1] = 0;
	return cfg;
}

int bh_cell_create(struct bh_cell_create_args *args)
{
	char *reason = args->reason;
	struct bh_cell_desc *cfg;
	struct bh_cell *cell;
	long id;
	int err;

	cfg = copy_config(args->config, args->config_size, reason);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);
	/* Everything that can run out of memory before the CPUs move. */
	cell = cell_alloc(-1, cfg->name);
	if (!cell) {
		err = bh_fail(reason, -ENOMEM, "no memory for cell \"%s\"", cfg->name);
		goto err_free;
	}
	err = config_cpus(cfg, cell->cpus, reason);
	if (err)
		goto err_put;
	err = cpus_from_linux(cell->cpus, reason);
	if (err)
		goto err_put;
	bh_pci_passthrough_out(cfg);
	id = bh_hypercall(BH_HC_CELL_CREATE, __pa(cfg), args->config_size);
	if (id < 0) {
		err = bh_fail(reason, (int)id, "the hypervisor refused cell \"%s\" (%ld): see its console",
			      cfg->name, id);
		goto err_devices;
	}
	cell->id = (int)id;
	err = cell_publish(cell);
	if (err) {
		bh_fail(reason, err, "cannot add cell \"%s\" to sysfs (%d)", cfg->name, err);
		goto err_destroy;
	}
	cell->config = cfg;
	cell->config_size = args->config_size;
	args->id = (int32_t)id;
	pr_info("created cell \"%s\" (ID %ld)\n", cfg->name, id);
	return 0;

err_destroy:
	bh_hypercall(BH_HC_CELL_DESTROY, id, 0);
err_devices:
	bh_pci_passthrough_back(cfg);
	cpus_back_to_linux(cell->cpus, nr_cpu_ids);
err_put:
	kobject_put(&cell->kobj);
err_free:
	kfree(cfg);
	return err;
}

/* Cell guest-physical @addr + @size inside one loadable region: its phys. */
static int image_target(const struct bh_cell *cell, u64 addr, u64 size, u64 *phys,
			char *reason)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell->config);
	unsigned int i;

	for (i = 0; i < cell->config->num_memory_regions; i++) {
		if (!(mem[i].flags & BH_MEM_LOADABLE) || addr < mem[i].virt_start ||
		    addr - mem[i].virt_start >= mem[i].size)
			continue;
		if (size > mem[i].size - (addr - mem[i].virt_start))
			return bh_fail(reason, -EINVAL,
				       "image of %llu bytes at 0x%llx is larger than its region (%llu bytes left)",
				       size, addr, mem[i].size - (addr - mem[i].virt_start));
		*phys = mem[i].phys_start + (addr - mem[i].virt_start);
		return 0;
	}
	return bh_fail(reason, -EINVAL, "address 0x%llx is in no loadable region of cell \"%s\"",
		       addr, cell->name);
}

static int load_image(const struct bh_cell *cell, const struct bh_cell_image *img,
		      char *reason)
{
	u64 phys;
	void *dst;
	int err;

	if (!img->size || img->size > BH_MAX_IMAGE_SIZE)
		return bh_fail(reason, -EINVAL, "image size %llu out of range", img->size);
	err = image_target(cell, img->address, img->size, &phys, reason);
	if (err)
		return err;
	dst = memremap(phys, img->size, MEMREMAP_WB);
	if (!dst)
		return bh_fail(reason, -ENOMEM, "cannot map cell memory at 0x%llx", phys);
	err = copy_from_user(dst, u64_to_user_ptr(img->source), img->size) ? -EFAULT : 0;
	memunmap(dst);
	return err;
}

int bh_cell_load(struct bh_cell_load_args *args)
{
	struct bh_cell_image images[BH_MAX_IMAGES];
	char *reason = args->reason;
	struct bh_cell *cell;
	unsigned int i;
	long ret;
	int err;

	args->cell.name[BH_CELL_NAME_LEN - 1] = 0;
	cell = cell_find(&args->cell);
	if (!cell)
		return bh_fail(reason, -ENOENT, "no such cell");
	if (!args->num_images || args->num_images > BH_MAX_IMAGES)
		return bh_fail(reason, -EINVAL, "1 to %d images, not %u", BH_MAX_IMAGES,
			       args->num_images);
	if (copy_from_user(images, u64_to_user_ptr(args->images),
			   args->num_images * sizeof(images[0])))
		return -EFAULT;
	ret = bh_hypercall(BH_HC_CELL_SET_LOADABLE, cell->id, 0);
	if (ret < 0)
		return bh_fail(reason, (int)ret, "the hypervisor refused to open cell \"%s\" for loading",
			       cell->name);
	for (i = 0; i < args->num_images; i++) {
		err = load_image(cell, &images[i], reason);
		if (err)
			return err;
	}
	return 0;
}

static int cell_op(struct bh_cell_op_args *args, unsigned long code, const char *what)
{
	struct bh_cell *cell;
	long ret;

	args->cell.name[BH_CELL_NAME_LEN - 1] = 0;
	cell = cell_find(&args->cell);
	if (!cell)
		return bh_fail(args->reason, -ENOENT, "no such cell");
	ret = bh_hypercall(code, cell->id, 0);
	if (ret < 0)
		return bh_fail(args->reason, (int)ret, "the hypervisor refused to %s cell \"%s\" (%ld)",
			       what, cell->name, ret);
	return 0;
}

int bh_cell_start(struct bh_cell_op_args *args)
{
	return cell_op(args, BH_HC_CELL_START, "start");
}

int bh_cell_shutdown(struct bh_cell_op_args *args)
{
	return cell_op(args, BH_HC_CELL_SHUTDOWN, "shut down");
}

int bh_cell_destroy(struct bh_cell_op_args *args)
{
	struct bh_cell *cell;
	int err;

	err = cell_op(args, BH_HC_CELL_DESTROY, "destroy");
	if (err)
		return err;
	cell = cell_find(&args->cell);
	pr_info("destroyed cell \"%s\"\n", cell->name);
	/* Out of sysfs first; our reference keeps its CPU mask until they are back. */
	kobject_get(&cell->kobj);
	cell_unpublish(cell);
	if (cell->config)
		bh_pci_passthrough_back(cell->config);
	cpus_back_to_linux(cell->cpus, nr_cpu_ids);
	kobject_put(&cell->kobj);
	return 0;
}
