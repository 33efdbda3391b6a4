/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the kernel APIs Bulkhead's modules use differ between the kernels
 * they are built for (Debian's 6.1 and the backports 6.12; make deps
 * installs both, docs/packaging.md): the newer name, provided on the
 * older kernel, so the drivers are written against one API. Included by
 * both modules (Kbuild adds -I for it) and by the trampoline's assembly.
 */
#ifndef BH_KCOMPAT_H
#define BH_KCOMPAT_H

#include <linux/version.h>

#ifdef __ASSEMBLY__

#include <asm/unwind_hints.h>

/*
 * "No unwinding through here" for objtool. 6.4 renamed UNWIND_HINT_EMPTY;
 * with IBT (6.12's Debian kernel) objtool checks the linked module, where
 * a file's OBJECT_FILES_NON_STANDARD no longer applies.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define BH_NO_UNWIND	UNWIND_HINT_UNDEFINED
#else
#define BH_NO_UNWIND	UNWIND_HINT_EMPTY
#endif

#else /* !__ASSEMBLY__ */

#include <linux/mm.h>
#include <linux/pci.h>

/* 6.8 renamed PCI_IRQ_LEGACY (and 6.10 dropped the old name). */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/* 6.3 made vm_flags read-only behind vm_flags_set()/vm_flags_clear(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_clear(struct vm_area_struct *vma, unsigned long flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* __ASSEMBLY__ */
#endif /* BH_KCOMPAT_H */
