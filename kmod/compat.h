/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel versions and configurations.
 * Supported: Linux 6.1 and later (tested on Debian's 6.1 and 6.12).
 */
#ifndef DM_IOBAND_COMPAT_H
#define DM_IOBAND_COMPAT_H

#include <linux/version.h>
#include <linux/bio.h>
#include <linux/blk-cgroup.h>
#include <linux/cgroup.h>
#include <linux/memcontrol.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ioband needs Linux 6.1 or later (dm_submit_bio_remap, bio_blkcg_css)"
#endif

/*
 * The cgroup a bio is charged to, as the ID user space sees (the inode
 * number of its directory under /sys/fs/cgroup).
 *
 * dm core clones bios without a bdev, so on 6.1-6.12 the clone a target
 * sees carries no blkcg association of its own.  Use it when a kernel
 * provides one; otherwise writeback from kernel threads is charged to the
 * memory cgroup that owns the page (the cgroup that dirtied it: the same
 * cgroup on the v2 hierarchy), and everything else to the submitter.
 */
static inline u64 ioband_bio_cgroup_id(struct bio *bio)
{
	u64 id = 0;

#ifdef CONFIG_BLK_CGROUP
	struct cgroup_subsys_state *css = bio_blkcg_css(bio);

	if (css)
		return cgroup_id(css->cgroup);
#endif
	rcu_read_lock();
#ifdef CONFIG_MEMCG
	if ((current->flags & PF_KTHREAD) && bio_has_data(bio)) {
		struct folio *folio = page_folio(bio_page(bio));
		struct mem_cgroup *memcg = NULL;

		/* slab buffers (fs metadata) have no page owner to charge */
		if (!folio_test_slab(folio))
			memcg = folio_memcg_rcu(folio);
		if (memcg)
			id = cgroup_id(memcg->css.cgroup);
	}
#endif
	if (!id)
		id = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
	return id;
}

#endif /* DM_IOBAND_COMPAT_H */
