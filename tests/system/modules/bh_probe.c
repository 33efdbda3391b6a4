// SPDX-License-Identifier: GPL-2.0-only
/*
 * bh_probe: the hv-isolation scenario's hands inside root Linux. Loaded
 * with phys=ADDR it reads (and with write=1 writes) one word of physical
 * memory, count=N times in a row (a faulting access retried, as a
 * buggy driver would); with port=N it reads an I/O port. Memory accesses use the
 * kernel's no-fault accessors, so a #GP from the hypervisor becomes an error code.
 * It prints what happened (the log line is the result); the scenario
 * unloads it before the next probe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/uaccess.h>

static unsigned long phys;
module_param(phys, ulong, 0);
static bool write;
module_param(write, bool, 0);
static ulong value = 0x5afe5afe5afe5afeul;
module_param(value, ulong, 0);
static int port = -1;
module_param(port, int, 0);
static uint count = 1;
module_param(count, uint, 0);

static void probe_memory(void)
{
	void *va = memremap(phys & PAGE_MASK, PAGE_SIZE, MEMREMAP_WB);
	u64 word = 0;
	long err;
	uint i;

	if (!va) {
		pr_info("phys 0x%lx: memremap failed\n", phys);
		return;
	}
	va += phys & ~PAGE_MASK;
	/* The _nofault forms carry exception-table entries: a #GP returns. */
	for (i = 0; i < count; i++) {
		err = -EFAULT;
		if (write)
			__put_kernel_nofault(va, &value, u64, next);
		else
			__get_kernel_nofault(&word, va, u64, next);
		err = 0;
next:
		;
	}
	pr_info("%s phys 0x%lx: %s (%ld) value 0x%llx\n", write ? "write" : "read", phys,
		err ? "refused" : "done", err, write ? (u64)value : word);
	memunmap(va - (phys & ~PAGE_MASK));
}

static int __init bh_probe_init(void)
{
	if (port >= 0 && port < 0x10000)
		pr_info("read port 0x%x: value 0x%x\n", port, inb(port));
	else
		probe_memory();
	return 0;
}

static void __exit bh_probe_exit(void)
{
}
module_exit(bh_probe_exit);

module_init(bh_probe_init);
MODULE_DESCRIPTION("Bulkhead test: touch a physical address or an I/O port from root Linux");
MODULE_LICENSE("GPL");
