/* SPDX-License-Identifier: GPL-2.0-only */
/* bulkhead.ko internals shared between its files. */
#ifndef BULKHEAD_DRIVER_H
#define BULKHEAD_DRIVER_H

#include <linux/kobject.h>
#include <linux/types.h>

#include <bulkhead/ioctl.h>

struct file;

long bh_hypercall(u64 code, u64 arg1, u64 arg2);
/* Fills @reason (BH_REASON_LEN) and returns @err; also logs it. */
__printf(3, 4) int bh_fail(char *reason, int err, const char *fmt, ...);
/*
 * Hypercalls outside the ioctls (sysfs show()s) go between these: false
 * means the hypervisor is not (or no longer) running, so do not ask it.
 */
bool bh_hv_get(void);
void bh_hv_put(void);
/* A show() of one hypercall's answer (a count, or its error): -ENODEV when not running. */
ssize_t bh_hv_show(char *buf, u64 code, u64 arg1, u64 arg2);
/* Lets our own CPU hotplug through the "no offlining" guard. */
void bh_allow_hotplug(bool allow);

/* pci.c: the root cell's virtual PCI functions */
struct bh_system_config;
struct bh_cell_desc;
void bh_pci_add_virtual(const struct bh_system_config *cfg, u32 size);
void bh_pci_remove_virtual(void);
void bh_pci_readd_virtual(void);
/* Functions @cfg passes through leave Linux, or come back (rescan). */
void bh_pci_passthrough_out(const struct bh_cell_desc *cfg);
void bh_pci_passthrough_back(const struct bh_cell_desc *cfg);

/* cell.c */
/* console.c: the hypervisor's log on /dev/bulkhead */
void bh_log_reset(void);
void bh_log_attach(const void *ring);
void bh_log_detach(void);
void bh_log_exit(void);
ssize_t bh_log_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos);
loff_t bh_log_llseek(struct file *file, loff_t offset, int whence);

/* ivshmem_stats.c: cells/<id>/ivshmem/ */
struct bh_ivshmem_dir;
struct bh_ivshmem_dir *bh_ivshmem_stats_add(struct kobject *parent, int cell_id);
void bh_ivshmem_stats_remove(struct bh_ivshmem_dir *d);

int bh_cells_init(struct kobject *parent, const char *root_name);
void bh_cells_exit(void);
bool bh_cells_exist(void);
int bh_cell_create(struct bh_cell_create_args *args);
int bh_cell_load(struct bh_cell_load_args *args);
int bh_cell_start(struct bh_cell_op_args *args);
int bh_cell_shutdown(struct bh_cell_op_args *args);
int bh_cell_destroy(struct bh_cell_op_args *args);

/*
 * Builds the hypervisor's boot page tables (see bulkhead/image.h) in the
 * pages at @pt_va/@pt_phys, at most @max_pages of them. Returns the number
 * of pages used or a negative errno.
 */
int bh_build_boot_page_tables(void *pt_va, u64 pt_phys, unsigned int max_pages,
			      u64 hv_phys, u64 hv_size, u64 link_base,
			      u64 trampoline_va, u64 trampoline_phys);

#endif
