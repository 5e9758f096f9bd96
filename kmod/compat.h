/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel versions and configurations.
 * Supported: Linux 6.1 and later (tested on Debian's 6.1, 6.12 and 7.x,
 * generic and PREEMPT_RT, and on a lockdep/KASAN build of 6.12).
 * Each shim is keyed on the release that changed the interface.
 */
#ifndef DM_IOBAND_COMPAT_H
#define DM_IOBAND_COMPAT_H

#include <linux/version.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/blk-cgroup.h>
#include <linux/cgroup.h>
#include <linux/hrtimer.h>
#include <linux/memcontrol.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

/* Built for a kernel older than release a.b.c? */
#define IOBAND_KERNEL_BEFORE(a, b, c)	(KERNEL_VERSION(a, b, c) > LINUX_VERSION_CODE)

#if IOBAND_KERNEL_BEFORE(6, 1, 0)
#error "ioband needs Linux 6.1 or later (dm_submit_bio_remap, bio_blkcg_css)"
#endif

/*
 * hrtimer_setup() (6.13) sets the callback with the timer; hrtimer_init()
 * was removed in 6.15.
 */
#if IOBAND_KERNEL_BEFORE(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * Since 6.17 a workqueue says whether it is per-CPU (WQ_PERCPU) or unbound;
 * 7.x warns at alloc_workqueue() when it says neither.  Before 6.17 per-CPU
 * was what no flag meant (some stable 6.12 releases have the flag too, and
 * do not need it).
 */
#if !IOBAND_KERNEL_BEFORE(6, 17, 0)
#define IOBAND_WQ_PERCPU	WQ_PERCPU
#else
#define IOBAND_WQ_PERCPU	0
#endif

/*
 * Does the device below seek?  bdev_nonrot() turned into bdev_rot() with
 * the queue test blk_queue_nonrot() into blk_queue_rot() (between 6.12 and
 * 7.3).  Both tests are macros, so look for the new one rather than guess
 * the release.
 */
#ifdef blk_queue_rot
static inline bool ioband_bdev_rot(struct block_device *bdev)
{
	return bdev_rot(bdev);
}
#else
static inline bool ioband_bdev_rot(struct block_device *bdev)
{
	return !bdev_nonrot(bdev);
}
#endif

#ifdef CONFIG_MEMCG
/*
 * The memory cgroup of a folio that is not a slab page, under
 * rcu_read_lock().  folio_memcg_rcu() was removed in 6.13, when
 * folio_memcg() became safe under RCU.
 */
static inline struct mem_cgroup *ioband_folio_memcg(struct folio *folio)
{
#if IOBAND_KERNEL_BEFORE(6, 13, 0)
	return folio_memcg_rcu(folio);
#else
	return folio_memcg(folio);
#endif
}
#endif

/*
 * The cgroup a bio is charged to, with a reference the caller puts, or
 * NULL when that cgroup is on its way out.  Its ID (cgroup_id()) is what
 * user space sees: the inode number of its directory under /sys/fs/cgroup.
 *
 * dm core clones bios without a bdev, so on 6.1-6.12 the clone a target
 * sees carries no blkcg association of its own.  Use it when a kernel
 * provides one; otherwise writeback from kernel threads is charged to the
 * memory cgroup that owns the page (the cgroup that dirtied it: the same
 * cgroup on the v2 hierarchy), and everything else to the submitter.
 * Call it before bio_set_dev(), which gives the clone current's blkcg.
 */
static inline struct cgroup *ioband_bio_cgroup_get(struct bio *bio)
{
	struct cgroup *cg = NULL;

#ifdef CONFIG_BLK_CGROUP
	struct cgroup_subsys_state *css = bio_blkcg_css(bio);

	if (css) {
		/* the bio's blkg pins its css, and a css its cgroup */
		cgroup_get(css->cgroup);
		return css->cgroup;
	}
#endif
	rcu_read_lock();
#ifdef CONFIG_MEMCG
	if ((current->flags & PF_KTHREAD) && bio_has_data(bio)) {
		struct folio *folio = page_folio(bio_page(bio));
		struct mem_cgroup *memcg = NULL;

		/* slab buffers (fs metadata) have no page owner to charge */
		if (!folio_test_slab(folio))
			memcg = ioband_folio_memcg(folio);
		if (memcg)
			cg = memcg->css.cgroup;
	}
#endif
	if (!cg)
		cg = task_dfl_cgroup(current);
	if (!cgroup_tryget(cg))
		cg = NULL;
	rcu_read_unlock();
	return cg;
}

#endif /* DM_IOBAND_COMPAT_H */
