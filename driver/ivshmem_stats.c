// SPDX-License-Identifier: GPL-2.0-only
/*
 * cells/<id>/ivshmem/<bus:dev.fn>/: the hypervisor's counters of each
 * ivshmem device of a cell (BH_IVSHMEM_STAT_LIST in bulkhead/hypercall.h),
 * one file each, and the device's peer ID. The devices are the
 * hypervisor's: it lists them (BH_HC_IVSHMEM_LIST) when the cell's entry
 * appears, so the driver needs no copy of the config for them. Shows run
 * between bh_hv_get() and bh_hv_put(), as every hypercall from sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/slab.h>

#include <bulkhead/hypercall.h>

#include "bulkhead.h"

#define MAX_DEVICES	32

struct ivshmem_entry {
	struct kobject kobj;
	int cell_id;
	u16 bdf;
	u32 peer_id;
};

struct bh_ivshmem_dir {
	struct kobject *dir;
	unsigned int n;
	struct ivshmem_entry *entries[MAX_DEVICES];
};

struct stat_attr {
	struct kobj_attribute attr;
	unsigned int what;	/* BH_IVSHMEM_* */
};

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct ivshmem_entry *e = container_of(kobj, struct ivshmem_entry, kobj);
	struct stat_attr *sa = container_of(attr, struct stat_attr, attr);

	return bh_hv_show(buf, BH_HC_IVSHMEM_GET_INFO, (u64)e->cell_id << 16 | e->bdf, sa->what);
}

static ssize_t peer_id_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", container_of(kobj, struct ivshmem_entry, kobj)->peer_id);
}

#define STAT_ATTR(id, name_) \
	[id] = { .attr = { .attr = { .name = #name_, .mode = 0444 }, .show = stat_show }, \
		 .what = (id) },
static struct stat_attr stat_attrs[BH_IVSHMEM_STATS] = { BH_IVSHMEM_STAT_LIST(STAT_ATTR) };
static struct kobj_attribute peer_id_attr = __ATTR_RO(peer_id);

static struct attribute *entry_attrs[BH_IVSHMEM_STATS + 2];
static struct attribute_group entry_group = { .attrs = entry_attrs };
static const struct attribute_group *entry_groups[] = { &entry_group, NULL };

static void entry_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct ivshmem_entry, kobj));
}

static struct kobj_type entry_ktype = {
	.release = entry_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = entry_groups,
};

void bh_ivshmem_stats_remove(struct bh_ivshmem_dir *d)
{
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		kobject_del(&d->entries[i]->kobj);
		kobject_put(&d->entries[i]->kobj);
	}
	kobject_put(d->dir);
	kfree(d);
}

/* Under @parent (cells/<id>), for each ivshmem device the hypervisor has there. */
struct bh_ivshmem_dir *bh_ivshmem_stats_add(struct kobject *parent, int cell_id)
{
	struct ivshmem_entry *e;
	struct bh_ivshmem_dir *d;
	unsigned int i;
	long dev;

	for (i = 0; i < BH_IVSHMEM_STATS; i++)
		entry_attrs[i] = &stat_attrs[i].attr.attr;
	entry_attrs[i] = &peer_id_attr.attr;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->dir = kobject_create_and_add("ivshmem", parent);
	if (!d->dir)
		goto err;
	while (d->n < MAX_DEVICES &&
	       (dev = bh_hypercall(BH_HC_IVSHMEM_LIST, cell_id, d->n)) >= 0) {
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e)
			goto err;
		e->cell_id = cell_id;
		e->bdf = (u16)dev;
		e->peer_id = (u32)(dev >> 16);
		if (kobject_init_and_add(&e->kobj, &entry_ktype, d->dir, "%02x:%02x.%x",
					 e->bdf >> 8, (e->bdf >> 3) & 0x1f, e->bdf & 7)) {
			kobject_put(&e->kobj);
			goto err;
		}
		d->entries[d->n++] = e;
	}
	return d;
err:
	bh_ivshmem_stats_remove(d);
	return ERR_PTR(-ENOMEM);
}
