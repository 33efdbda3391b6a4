// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead.ko: loads the Bulkhead hypervisor under the running Linux and
 * takes it out again.
 *
 * /dev/bulkhead takes the ioctls of bulkhead/ioctl.h from tools/bulkhead;
 * /sys/devices/bulkhead/ shows the state. Enable: check the CPU and the
 * config, load bulkhead.bin (request_firmware) and the config into the
 * memmap= reservation, build the hypervisor's boot page tables, and call
 * its entry on every online CPU. The hypervisor either takes all CPUs or
 * none. Disable: a hypercall on every CPU returns it to native mode.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/alternative.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>

#include <bulkhead/config.h>
#include <bulkhead/console.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>
#include <bulkhead/ioctl.h>
#include <bulkhead/sysfs.h>
#include <bulkhead/version.h>

#include "bulkhead.h"

/* driver/trampoline.S */
extern const u8 bh_trampoline_start[], bh_trampoline_end[];
int bh_trampoline_enter(unsigned int cpu, u64 hv_cr3, u64 hv_entry);
void bh_trampoline_fail(void);
void bh_trampoline_leave(void);

#define BH_MAX_CONFIG_SIZE	(1 << 20)
#define BH_BOOT_PT_PAGES	16
#define MSR_VM_CR_SVMDIS	(1ull << 4)
#define VMX_PROC2_EPT		BIT(1)
#define VMX_PROC2_UNRESTRICTED	BIT(7)
#define VMX_PROC_SECONDARY	BIT(31)

/*
 * Read by the trampoline (on Linux's page tables): SVM needs EFER.SVME
 * and CLGI/STGI around the hypervisor, VMX neither (the hypervisor turns
 * VMX on and off itself).
 */
u32 bh_trampoline_svm;

struct bh_state {
	struct mutex lock;		/* the ioctls, one at a time */
	bool enabled;
	/*
	 * Whether every CPU runs under the hypervisor, for the hypercalls of
	 * sysfs show()s: written under hv_sem held for writing, read under
	 * it held for reading (bh_hv_get()).
	 */
	struct rw_semaphore hv_sem;
	bool hv_up;
	void *hv_va;			/* the hypervisor memory, executable */
	u64 hv_phys, hv_size;
	u64 hv_cr3, hv_entry;		/* boot page tables, entry address */
	bool hotplug_allowed;		/* we move CPUs to and from cells */
	struct device *root_dev;
	int cpuhp_state;
	int *cpu_result;		/* nr_cpu_ids entries */
	char root_name[BH_CELL_NAME_LEN];	/* for cells/0 */
};

static struct bh_state bh = {
	.lock = __MUTEX_INITIALIZER(bh.lock),
	.hv_sem = __RWSEM_INITIALIZER(bh.hv_sem),
};

/*
 * VMCALL on Intel, VMMCALL on AMD: patched in at module load by Linux's
 * alternatives, as KVM's guests do (Linux sets X86_FEATURE_VMMCALL on
 * AMD and Hygon CPUs).
 */
long bh_hypercall(u64 code, u64 arg1, u64 arg2)
{
	long ret;

	asm volatile(ALTERNATIVE("vmcall", "vmmcall", X86_FEATURE_VMMCALL)
		     : "=a"(ret) : "a"(code), "D"(arg1), "S"(arg2) : "memory");
	return ret;
}

/*
 * sysfs show()s that ask the hypervisor run their hypercalls between
 * bh_hv_get() (false: not running, do not ask) and bh_hv_put().
 *
 * Why a lock of its own and not bh.lock: disable runs under bh.lock and
 * removes cells/, and removing a sysfs file (kobject_del) waits for the
 * show()s running on it. A show() waiting for bh.lock would wait for
 * disable, which waits for it: deadlock. hv_sem is taken for writing
 * only to flip hv_up (bh_hv_set_up()), never across a sysfs removal or
 * anything that waits for a show(), and a show() holds it only around
 * hypercalls, which always return. So neither side can wait on the other
 * for long, and once bh_hv_set_up(false) returns no show() is inside a
 * hypercall or can start one.
 */
bool bh_hv_get(void)
{
	down_read(&bh.hv_sem);
	if (bh.hv_up)
		return true;
	up_read(&bh.hv_sem);
	return false;
}

void bh_hv_put(void)
{
	up_read(&bh.hv_sem);
}

static void bh_hv_set_up(bool up)
{
	down_write(&bh.hv_sem);
	bh.hv_up = up;
	up_write(&bh.hv_sem);
}

/* Fills @reason and returns @err: what the tool shows the user. */
int bh_fail(char *reason, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, BH_REASON_LEN, fmt, ap);
	va_end(ap);
	pr_err("%s\n", reason);
	return err;
}

/*
 * CPUID itself, not boot_cpu_has(): Linux clears a feature in boot_cpu_data
 * for good when any CPU coming online lacks it, and a CPU that came back
 * from a cell did so under the hypervisor, whose CPUID an earlier version
 * filtered. Here we run natively, so CPUID tells the truth.
 */
static int check_svm(char *reason)
{
	u64 vm_cr;

	if (!(cpuid_ecx(0x80000001) & BIT(2)))
		return bh_fail(reason, -ENODEV, "CPU lacks SVM (AMD-V), and it is no Intel CPU with VMX either: enable SVM in QEMU with -cpu EPYC or +svm");
	if (cpuid_eax(0x80000000) < 0x8000000a || !(cpuid_edx(0x8000000a) & BIT(0)))
		return bh_fail(reason, -ENODEV, "CPU lacks nested paging (NPT): needed for cell isolation");
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS)
		return bh_fail(reason, -EPERM, "SVM is disabled by the firmware (VM_CR.SVMDIS)");
	bh_trampoline_svm = 1;
	return 0;
}

/* The allowed-1 half of a VMX capability MSR; 0 if it cannot be read. */
static u32 vmx_may(u32 msr)
{
	u64 v;

	return rdmsrl_safe(msr, &v) ? 0 : (u32)(v >> 32);
}

static int check_vmx(char *reason)
{
	u64 fc;

	if (!(cpuid_ecx(1) & BIT(5)))
		return bh_fail(reason, -ENODEV, "CPU lacks VMX (Intel VT-x), and it is no AMD CPU with SVM either: under KVM use -cpu host or a model with +vmx (kvm_intel nested=1 on the host)");
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc))
		fc = 0;
	if ((fc & FEAT_CTL_LOCKED) && !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return bh_fail(reason, -EPERM, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL): enable VT-x in its setup");
	if (!(vmx_may(MSR_IA32_VMX_PROCBASED_CTLS) & VMX_PROC_SECONDARY) ||
	    !(vmx_may(MSR_IA32_VMX_PROCBASED_CTLS2) & VMX_PROC2_EPT))
		return bh_fail(reason, -ENODEV, "CPU lacks EPT (extended page tables): needed for cell isolation");
	if (!(vmx_may(MSR_IA32_VMX_PROCBASED_CTLS2) & VMX_PROC2_UNRESTRICTED))
		return bh_fail(reason, -ENODEV, "CPU lacks VMX unrestricted guest: needed to start cells in real mode");
	if (__read_cr4() & X86_CR4_VMXE)
		return bh_fail(reason, -EBUSY, "VMX is in use by another hypervisor (kvm_intel running a VM?)");
	bh_trampoline_svm = 0;
	return 0;
}

static int check_cpu(char *reason)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		return check_svm(reason);
	case X86_VENDOR_INTEL:
		return check_vmx(reason);
	default:
		return bh_fail(reason, -ENODEV, "CPU is neither Intel nor AMD: Bulkhead needs Intel VMX or AMD SVM");
	}
}

static int check_config(const struct bh_system_config *cfg, u32 size, char *reason)
{
	const struct bh_cell_desc *root = &cfg->root_cell;
	const u8 *cpus;
	int cpu;

	if (size < sizeof(*cfg) ||
	    memcmp(cfg->signature, BH_SYSTEM_SIGNATURE, BH_SIGNATURE_LEN))
		return bh_fail(reason, -EINVAL, "not a Bulkhead system config");
	if (cfg->revision != BH_CONFIG_REVISION)
		return bh_fail(reason, -EINVAL, "config revision %u, this driver expects %u: rebuild the config",
			    cfg->revision, BH_CONFIG_REVISION);
	if (bh_system_config_size(cfg) != size)
		return bh_fail(reason, -EINVAL, "config size %u does not match its contents", size);
	if (root->cpu_set_size > BH_MAX_CPUS / 8)
		return bh_fail(reason, -EINVAL, "root cell CPU set too large");
	cpus = bh_cell_cpu_set(root);
	for_each_online_cpu(cpu) {
		if (cpu >= root->cpu_set_size * 8 || !(cpus[cpu / 8] & (1u << (cpu % 8))))
			return bh_fail(reason, -EINVAL, "CPU %d is online but not in the root cell's CPU set",
				    cpu);
	}
	return 0;
}

static int check_reservation(u64 phys, u64 size, char *reason)
{
	if (!size || phys + size < phys)
		return bh_fail(reason, -EINVAL, "empty or wrapping hypervisor memory");
	if (region_intersects(phys, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT)
		return bh_fail(reason, -ENOMEM,
			    "hypervisor memory 0x%llx-0x%llx is Linux RAM: reserve it with memmap=%lluM$0x%llx",
			    phys, phys + size - 1, size >> 20, phys);
	return 0;
}

/*
 * Root cell memory that Linux can use as RAM: readable, writable, not
 * device memory, and not wrapping (the hypervisor refuses those later;
 * here they just cover nothing). Sets *@last.
 */
static bool root_ram_region(const struct bh_memory_region *r, u64 *last)
{
	if ((r->flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)) !=
	    (BH_MEM_READ | BH_MEM_WRITE) || !r->size)
		return false;
	*last = r->phys_start + (r->size - 1);
	return *last >= r->phys_start;
}

struct ram_check {
	const struct bh_cell_desc *root;
	u64 start, end;			/* the first part not covered */
};

/*
 * One "System RAM" range of /proc/iomem: 0 if the root cell's RAM regions
 * cover all of it (possibly several adjacent ones); otherwise 1, with the
 * first uncovered part in @arg, which stops the walk.
 */
static int check_ram_range(struct resource *res, void *arg)
{
	struct ram_check *rc = arg;
	const struct bh_memory_region *mem = bh_cell_mem_regions(rc->root);
	u64 pos = res->start, last, gap_end;
	u32 i;

	while (pos <= res->end) {
		for (i = 0; i < rc->root->num_memory_regions; i++)
			if (root_ram_region(&mem[i], &last) && pos >= mem[i].phys_start &&
			    pos <= last)
				break;
		if (i == rc->root->num_memory_regions) {
			/* Uncovered up to the next region that starts inside the range. */
			gap_end = res->end;
			for (i = 0; i < rc->root->num_memory_regions; i++)
				if (root_ram_region(&mem[i], &last) && mem[i].phys_start > pos &&
				    mem[i].phys_start <= gap_end)
					gap_end = mem[i].phys_start - 1;
			rc->start = pos;
			rc->end = gap_end;
			return 1;
		}
		if (last >= res->end)
			return 0;
		pos = last + 1;
	}
	return 0;
}

/*
 * The root cell must give Linux back all the RAM it is running on: any
 * page Linux has as System RAM but the root cell lacks would fault under
 * the hypervisor forever (the kernel's own text and data included). The
 * memmap= reservation is not System RAM, so the hypervisor's and the
 * cells' memory are not asked for (check_reservation() has made sure
 * that the hypervisor memory is none of Linux's RAM). Memory hot-added
 * after this check is not covered; the QEMU machine has none.
 */
static int check_root_ram(const struct bh_system_config *cfg, char *reason)
{
	struct ram_check rc = { .root = &cfg->root_cell };

	if (walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				0, U64_MAX, &rc, check_ram_range) <= 0)
		return 0;
	return bh_fail(reason, -EINVAL,
		       "root cell \"%.*s\" does not cover Linux RAM 0x%llx-0x%llx: add it to the root cell's memory regions",
		       BH_CELL_NAME_LEN, cfg->root_cell.name, rc.start, rc.end);
}

/* Data access only: the driver never runs code from this memory. */
static int map_hv_memory(u64 phys, u64 size, char *reason)
{
	unsigned long i, n = size >> PAGE_SHIFT;
	struct page **pages;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!pfn_valid(PHYS_PFN(phys) + i)) {
			kvfree(pages);
			return bh_fail(reason, -EINVAL, "hypervisor memory at 0x%llx is outside Linux's memory map",
				    phys + (i << PAGE_SHIFT));
		}
		pages[i] = pfn_to_page(PHYS_PFN(phys) + i);
	}
	bh.hv_va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!bh.hv_va)
		return bh_fail(reason, -ENOMEM, "cannot map the hypervisor memory at 0x%llx", phys);
	bh.hv_phys = phys;
	bh.hv_size = size;
	return 0;
}

static int load_image(const struct firmware *fw, const struct bh_system_config *cfg,
		      u32 cfg_size, char *reason)
{
	struct bh_image_header *hdr = bh.hv_va;
	const struct bh_image_header *fw_hdr = (const void *)fw->data;
	u64 cfg_off, pt_off, pool_off;
	int pt_pages;

	if (fw->size < sizeof(*fw_hdr) ||
	    memcmp(fw_hdr->signature, BH_IMAGE_SIGNATURE, sizeof(fw_hdr->signature)))
		return bh_fail(reason, -EINVAL, "%s is not a Bulkhead hypervisor image", BH_FIRMWARE_NAME);
	if (fw_hdr->revision != BH_IMAGE_REVISION)
		return bh_fail(reason, -EINVAL, "%s has image revision %u, this driver expects %u",
			    BH_FIRMWARE_NAME, fw_hdr->revision, BH_IMAGE_REVISION);
	cfg_off = PAGE_ALIGN(fw_hdr->core_size);
	pt_off = PAGE_ALIGN(cfg_off + cfg_size);
	pool_off = pt_off + BH_BOOT_PT_PAGES * PAGE_SIZE;
	if (fw_hdr->console_offset % PAGE_SIZE ||
	    fw_hdr->console_offset + sizeof(struct bh_console_log) > fw_hdr->core_size)
		return bh_fail(reason, -EINVAL, "%s: its log ring lies outside the image", BH_FIRMWARE_NAME);
	if (fw->size > fw_hdr->core_size || fw_hdr->entry_offset >= fw_hdr->core_size ||
	    pool_off + 64 * PAGE_SIZE > bh.hv_size)
		return bh_fail(reason, -EINVAL, "hypervisor image (%llu KiB) does not fit its memory (%llu KiB)",
			    fw_hdr->core_size >> 10, bh.hv_size >> 10);

	memcpy(bh.hv_va, fw->data, fw->size);
	memset(bh.hv_va + fw->size, 0, fw_hdr->core_size - fw->size);
	memcpy(bh.hv_va + cfg_off, cfg, cfg_size);
	pt_pages = bh_build_boot_page_tables(bh.hv_va + pt_off, bh.hv_phys + pt_off,
					     BH_BOOT_PT_PAGES, bh.hv_phys, bh.hv_size,
					     fw_hdr->link_base, (u64)bh_trampoline_start,
					     PFN_PHYS(vmalloc_to_pfn(bh_trampoline_start)));
	if (pt_pages < 0)
		return bh_fail(reason, pt_pages, "cannot build the hypervisor's page tables (%d)", pt_pages);

	hdr->phys_base = bh.hv_phys;
	hdr->mem_size = bh.hv_size;
	hdr->driver_va = (u64)bh.hv_va;
	hdr->config_offset = cfg_off;
	hdr->config_size = cfg_size;
	hdr->boot_pt_offset = pt_off;
	hdr->pool_offset = pool_off;
	hdr->online_cpus = num_online_cpus();
	hdr->trampoline_fail = (u64)bh_trampoline_fail;
	hdr->trampoline_leave = (u64)bh_trampoline_leave;
	bh.hv_cr3 = bh.hv_phys + pt_off;
	bh.hv_entry = fw_hdr->link_base + fw_hdr->entry_offset;
	bh_log_attach(bh.hv_va + fw_hdr->console_offset);
	return 0;
}

static void enter_cpu(void *unused)
{
	unsigned int cpu = smp_processor_id();

	bh.cpu_result[cpu] = bh_trampoline_enter(cpu, bh.hv_cr3, bh.hv_entry);
}

/*
 * A VM exit on Intel VMX loads the host's TR with a limit of 0x67 and a
 * null LDTR, whatever Linux's descriptors say; the hypervisor returns to
 * Linux from there, so on the way back TR would hide the TSS I/O bitmap
 * (ioperm users get #GP) and a process's LDT would be gone. Reload both
 * from Linux's own tables, as Linux does after its own VM exits. On SVM
 * nothing changed them: the reload is a no-op there.
 */
static void leave_cpu(void *unused)
{
	unsigned int cpu = smp_processor_id();
	unsigned short ldt;

	asm volatile("sldt %0" : "=rm"(ldt));
	bh.cpu_result[cpu] = bh_hypercall(BH_HC_DISABLE, 0, 0);
	if (bh.cpu_result[cpu])
		return;
	force_reload_TR();
	asm volatile("lldt %0" : : "rm"(ldt));
}

static void unmap_hv_memory(void)
{
	bh_log_detach();
	vunmap(bh.hv_va);
	bh.hv_va = NULL;
}

static int start_hypervisor(char *reason)
{
	int cpu, err = 0;

	on_each_cpu(enter_cpu, NULL, 1);
	for_each_online_cpu(cpu) {
		if (bh.cpu_result[cpu] && !err)
			err = bh.cpu_result[cpu];
	}
	if (!err)
		return 0;
	/* The hypervisor decides for all CPUs at once; be safe anyway. */
	for_each_online_cpu(cpu) {
		if (!bh.cpu_result[cpu])
			smp_call_function_single(cpu, leave_cpu, NULL, 1);
	}
	return bh_fail(reason, err, "the hypervisor refused to start (%d): see its console", err);
}

static int bh_enable(struct bh_enable_args *args)
{
	const struct bh_system_config *cfg;
	const struct firmware *fw;
	char *reason = args->reason;
	int err;

	if (bh.enabled)
		return bh_fail(reason, -EEXIST, "the hypervisor is already enabled");
	bh_log_reset();
	err = check_cpu(reason);
	if (err)
		return err;
	if (args->config_size < sizeof(*cfg) || args->config_size > BH_MAX_CONFIG_SIZE)
		return bh_fail(reason, -EINVAL, "config size %u out of range", args->config_size);
	cfg = memdup_user(u64_to_user_ptr(args->config), args->config_size);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);

	/*
	 * The firmware loader may wait for user space (a usermode helper,
	 * a fallback sysfs upload), which must not happen under the CPU
	 * hotplug lock: load it first.
	 */
	err = request_firmware(&fw, BH_FIRMWARE_NAME, bh.root_dev);
	if (err) {
		bh_fail(reason, err, "cannot load /lib/firmware/%s (%d)", BH_FIRMWARE_NAME, err);
		goto out_free;
	}
	cpus_read_lock();
	err = check_config(cfg, args->config_size, reason);
	if (err)
		goto out_unlock;
	err = check_reservation(cfg->hypervisor_memory.phys_start,
				cfg->hypervisor_memory.size, reason);
	if (err)
		goto out_unlock;
	err = check_root_ram(cfg, reason);
	if (err)
		goto out_unlock;
	err = map_hv_memory(cfg->hypervisor_memory.phys_start, cfg->hypervisor_memory.size,
			    reason);
	if (err)
		goto out_unlock;
	err = load_image(fw, cfg, args->config_size, reason);
	if (err)
		goto out_unmap;
	err = start_hypervisor(reason);
	if (err)
		goto out_unmap;

	bh.enabled = true;
	bh_hv_set_up(true);
	strscpy(bh.root_name, cfg->root_cell.name, sizeof(bh.root_name));
	err = bh_cells_init(&bh.root_dev->kobj, bh.root_name);
	if (err)
		pr_warn("no cells/ in sysfs (%d)\n", err);
	__module_get(THIS_MODULE);	/* no unload while enabled */
	cpus_read_unlock();
	release_firmware(fw);
	bh_pci_add_virtual(cfg, args->config_size);
	kfree(cfg);
	pr_info("hypervisor enabled on %u CPUs\n", num_online_cpus());
	return 0;

out_unmap:
	unmap_hv_memory();
out_unlock:
	cpus_read_unlock();
	release_firmware(fw);
out_free:
	kfree(cfg);
	return err;
}

static int bh_disable(void)
{
	int cpu, err = 0;

	if (!bh.enabled)
		return -EINVAL;
	if (bh_cells_exist()) {
		pr_err("disable: destroy the cells first\n");
		return -EBUSY;
	}
	/* Their functions go with the hypervisor: unbind and remove them first. */
	bh_pci_remove_virtual();
	/*
	 * Then cells/, whose show()s ask the hypervisor: removal waits for
	 * the running ones, and none can start after it. Then no hypercall
	 * from sysfs (bh_hv_get()) anywhere, before the first CPU leaves:
	 * a VMMCALL on a CPU already back in native mode is #UD, an oops.
	 */
	bh_cells_exit();
	bh_hv_set_up(false);
	cpus_read_lock();
	on_each_cpu(leave_cpu, NULL, 1);
	for_each_online_cpu(cpu)
		if (bh.cpu_result[cpu] && !err)
			err = bh.cpu_result[cpu];
	cpus_read_unlock();
	if (err) {
		pr_err("disable failed: %d\n", err);
		bh_hv_set_up(true);
		if (bh_cells_init(&bh.root_dev->kobj, bh.root_name))
			pr_warn("no cells/ in sysfs after the failed disable\n");
		bh_pci_readd_virtual();
		return err;
	}
	unmap_hv_memory();
	bh.enabled = false;
	module_put(THIS_MODULE);
	pr_info("hypervisor disabled\n");
	return 0;
}

/* Runs @op on a copy of the user's args and copies them back (reason, id). */
#define BH_ARGS_CALL(type, op, uarg)						\
	({									\
		type a_;							\
		long e_;							\
		if (copy_from_user(&a_, (void __user *)(uarg), sizeof(a_))) {	\
			e_ = -EFAULT;						\
		} else {							\
			a_.reason[0] = 0;					\
			e_ = bh.enabled ? op(&a_) :				\
				bh_fail(a_.reason, -EINVAL, "the hypervisor is not enabled"); \
			a_.reason[BH_REASON_LEN - 1] = 0;			\
			if (copy_to_user((void __user *)(uarg), &a_, sizeof(a_))) \
				e_ = e_ ?: -EFAULT;				\
		}								\
		e_;								\
	})

static long bh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bh_enable_args args;
	long err;

	mutex_lock(&bh.lock);
	switch (cmd) {
	case BULKHEAD_CELL_CREATE:
		err = BH_ARGS_CALL(struct bh_cell_create_args, bh_cell_create, arg);
		break;
	case BULKHEAD_CELL_LOAD:
		err = BH_ARGS_CALL(struct bh_cell_load_args, bh_cell_load, arg);
		break;
	case BULKHEAD_CELL_START:
		err = BH_ARGS_CALL(struct bh_cell_op_args, bh_cell_start, arg);
		break;
	case BULKHEAD_CELL_SHUTDOWN:
		err = BH_ARGS_CALL(struct bh_cell_op_args, bh_cell_shutdown, arg);
		break;
	case BULKHEAD_CELL_DESTROY:
		err = BH_ARGS_CALL(struct bh_cell_op_args, bh_cell_destroy, arg);
		break;
	case BULKHEAD_ENABLE:
		if (copy_from_user(&args, (void __user *)arg, sizeof(args))) {
			err = -EFAULT;
			break;
		}
		args.reason[0] = 0;
		err = bh_enable(&args);
		args.reason[BH_REASON_LEN - 1] = 0;
		if (copy_to_user(((struct bh_enable_args __user *)arg)->reason,
				 args.reason, BH_REASON_LEN))
			err = err ?: -EFAULT;
		break;
	case BULKHEAD_DISABLE:
		err = bh_disable();
		break;
	default:
		err = -ENOTTY;
	}
	mutex_unlock(&bh.lock);
	return err;
}

static const struct file_operations bh_fops = {
	.owner = THIS_MODULE,
	.read = bh_log_read,
	.llseek = bh_log_llseek,
	.unlocked_ioctl = bh_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice bh_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bulkhead",
	.fops = &bh_fops,
};

/* ---- sysfs: /sys/devices/bulkhead/ ----------------------------------- */

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", bh.enabled);
}

ssize_t bh_hv_show(char *buf, u64 code, u64 arg1, u64 arg2)
{
	long val;

	if (!bh_hv_get())
		return -ENODEV;
	val = bh_hypercall(code, arg1, arg2);
	bh_hv_put();
	return val < 0 ? val : sysfs_emit(buf, "%ld\n", val);
}

static ssize_t show_info(char *buf, u64 what)
{
	return bh_hv_show(buf, BH_HC_HYPERVISOR_GET_INFO, what, 0);
}

static ssize_t mem_pool_size_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	return show_info(buf, BH_INFO_MEM_POOL_SIZE);
}

static ssize_t mem_pool_used_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	return show_info(buf, BH_INFO_MEM_POOL_USED);
}

static DEVICE_ATTR_RO(enabled);
static DEVICE_ATTR_RO(mem_pool_size);
static DEVICE_ATTR_RO(mem_pool_used);

static struct attribute *bh_attrs[] = {
	&dev_attr_enabled.attr,
	&dev_attr_mem_pool_size.attr,
	&dev_attr_mem_pool_used.attr,
	NULL,
};

static const struct attribute_group bh_attr_group = { .attrs = bh_attrs };

/* CPUs stay where they are while the hypervisor runs, unless we move them. */
void bh_allow_hotplug(bool allow)
{
	WRITE_ONCE(bh.hotplug_allowed, allow);
}

static int bh_cpu_offline(unsigned int cpu)
{
	return READ_ONCE(bh.enabled) && !READ_ONCE(bh.hotplug_allowed) ? -EBUSY : 0;
}

static int __init bh_init(void)
{
	int err;

	/* The boot page tables map exactly one page of trampoline. */
	if (((unsigned long)bh_trampoline_start & ~PAGE_MASK) ||
	    bh_trampoline_end - bh_trampoline_start > PAGE_SIZE) {
		pr_err("trampoline is not one aligned page\n");
		return -EINVAL;
	}

	bh.cpu_result = kcalloc(nr_cpu_ids, sizeof(*bh.cpu_result), GFP_KERNEL);
	if (!bh.cpu_result)
		return -ENOMEM;
	bh.root_dev = root_device_register(BH_SYSFS_NAME);
	if (IS_ERR(bh.root_dev)) {
		err = PTR_ERR(bh.root_dev);
		goto err_free_result;
	}
	err = sysfs_create_group(&bh.root_dev->kobj, &bh_attr_group);
	if (err)
		goto err_unregister_root;
	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "bulkhead:online",
					NULL, bh_cpu_offline);
	if (err < 0)
		goto err_remove_group;
	bh.cpuhp_state = err;
	err = misc_register(&bh_misc);
	if (err)
		goto err_remove_cpuhp;
	pr_info("ready: /dev/bulkhead\n");
	return 0;

err_remove_cpuhp:
	cpuhp_remove_state_nocalls(bh.cpuhp_state);
err_remove_group:
	sysfs_remove_group(&bh.root_dev->kobj, &bh_attr_group);
err_unregister_root:
	root_device_unregister(bh.root_dev);
err_free_result:
	kfree(bh.cpu_result);
	return err;
}

static void __exit bh_exit(void)
{
	misc_deregister(&bh_misc);
	cpuhp_remove_state_nocalls(bh.cpuhp_state);
	sysfs_remove_group(&bh.root_dev->kobj, &bh_attr_group);
	root_device_unregister(bh.root_dev);
	kfree(bh.cpu_result);
	bh_log_exit();
}

module_init(bh_init);
module_exit(bh_exit);

MODULE_DESCRIPTION("Bulkhead partitioning hypervisor: loader and control");
MODULE_LICENSE("GPL");
MODULE_VERSION(BULKHEAD_VERSION);
MODULE_FIRMWARE(BH_FIRMWARE_NAME);
