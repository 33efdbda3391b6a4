// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's log for root Linux: read() and lseek() on /dev/bulkhead
 * (bulkhead/console.h). While the hypervisor runs, reads come from its
 * ring in place (mapped read-only into the root cell); when it stops, or
 * an enable fails after the image was loaded, the driver copies the ring
 * before it unmaps the memory, so the reason a start failed stays
 * readable until the next enable. The file position is the byte position
 * in the log; a reader that fell more than the ring behind continues at
 * the oldest byte still there.
 */
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <bulkhead/console.h>

#include "bulkhead.h"

static DEFINE_MUTEX(log_lock);
static const struct bh_console_log *live;	/* the hypervisor's ring, or NULL */
static struct bh_console_log *saved;		/* its copy, or NULL */

static const struct bh_console_log *log_source(void)
{
	const struct bh_console_log *log = live ? live : saved;

	return log && READ_ONCE(log->magic) == BH_CONSOLE_LOG_MAGIC ? log : NULL;
}

/* A new enable: the last one's log goes. */
void bh_log_reset(void)
{
	mutex_lock(&log_lock);
	vfree(saved);
	saved = NULL;
	live = NULL;
	mutex_unlock(&log_lock);
}

/* The image is loaded: @ring is its log, read in place from now on. */
void bh_log_attach(const void *ring)
{
	mutex_lock(&log_lock);
	live = ring;
	mutex_unlock(&log_lock);
}

/* The hypervisor memory is about to be unmapped: keep a copy of the log. */
void bh_log_detach(void)
{
	mutex_lock(&log_lock);
	if (live) {
		saved = vmalloc(sizeof(*saved));
		if (saved)
			memcpy(saved, live, sizeof(*saved));
		else
			pr_warn("no memory to keep the hypervisor's log\n");
	}
	live = NULL;
	mutex_unlock(&log_lock);
}

void bh_log_exit(void)
{
	bh_log_reset();
}

/* Bytes [@pos, +@n) of @log into @dst: how many of them at the end survived. */
static size_t log_copy(const struct bh_console_log *log, u64 pos, size_t n, char *dst)
{
	u64 reserved, valid_from;
	size_t i, skip;

	for (i = 0; i < n; i++)
		dst[i] = READ_ONCE(log->buf[(pos + i) % BH_CONSOLE_LOG_BUF]);
	/* The reserve after the copy says which bytes a writer may have changed. */
	smp_rmb();
	reserved = READ_ONCE(log->reserved);
	valid_from = reserved > BH_CONSOLE_LOG_BUF ? reserved - BH_CONSOLE_LOG_BUF : 0;
	skip = valid_from > pos ? min_t(u64, valid_from - pos, n) : 0;
	if (skip)
		memmove(dst, dst + skip, n - skip);
	return n - skip;
}

ssize_t bh_log_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	const struct bh_console_log *log;
	u64 committed, pos;
	size_t n, got = 0;
	char *tmp;
	int err;

	if (*ppos < 0)
		return -EINVAL;
	count = min_t(size_t, count, BH_CONSOLE_LOG_BUF);
	tmp = kvmalloc(count ?: 1, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	err = mutex_lock_interruptible(&log_lock);
	if (err)
		goto out_free;
	log = log_source();
	while (log && !got) {
		/* Pairs with the hypervisor's release store of committed. */
		committed = smp_load_acquire(&log->committed);
		pos = max_t(u64, *ppos, committed > BH_CONSOLE_LOG_BUF ?
			    committed - BH_CONSOLE_LOG_BUF : 0);
		if (pos >= committed)
			break;
		n = min_t(u64, count, committed - pos);
		/* What was overwritten meanwhile is skipped; none left: look again. */
		got = log_copy(log, pos, n, tmp);
		*ppos = pos + n;
	}
	mutex_unlock(&log_lock);
	if (got && copy_to_user(ubuf, tmp, got))
		err = -EFAULT;
out_free:
	kvfree(tmp);
	return err ? err : (ssize_t)got;
}

/* SEEK_END is the end of the log so far: where the next line will be. */
loff_t bh_log_llseek(struct file *file, loff_t offset, int whence)
{
	const struct bh_console_log *log;
	u64 end = 0;

	mutex_lock(&log_lock);
	log = log_source();
	if (log)
		end = smp_load_acquire(&log->committed);
	mutex_unlock(&log_lock);
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE, end);
}
