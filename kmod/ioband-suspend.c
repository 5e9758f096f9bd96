// SPDX-License-Identifier: GPL-2.0
/*
 * ioband suspend and resume: a suspended target's groups stop counting in
 * the domain; resume brings them back and applies the table's settings.
 */
#include "dm-ioband.h"

/*
 * noflush suspend: hand held bios back to dm core, which queues them until
 * resume.  They will pass map() again, so they are uncounted here.
 */
static void requeue_held(struct ioband_device *dp, struct ioband_group *gp,
			 struct bio_list *requeue)
{
	struct bio *bio;

	lockdep_assert_held(&dp->lock);
	while ((bio = bio_list_pop(&gp->held_bios))) {
		struct ioband_bio *ib = ioband_per_bio(bio);
		struct ioband_stat *st = &gp->stat[bio_data_dir(bio)];

		st->reqs--;
		st->delayed--;
		st->sectors -= bio_sectors(bio);
		ib->state = IOB_NONE;
		bio_list_add(requeue, bio);
	}
	ioband_cap_forget(dp, gp);
	gp->floor_since = 0;
	if (gp->idle_class)
		dp->idle_held -= gp->held;
	dp->held -= gp->held;
	gp->held = 0;
	list_del_init(&gp->backlog_entry);
}

void ioband_presuspend(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct bio_list requeue = BIO_EMPTY_LIST;
	struct ioband_group *gp;
	struct bio *bio;

	spin_lock_irq(&dp->lock);
	t->suspending = true;
	t->noflush = dm_noflush_suspending(ti);
	if (t->noflush) {
		requeue_held(dp, &t->defgrp, &requeue);
		list_for_each_entry(gp, &t->groups, tgt_entry)
			requeue_held(dp, gp, &requeue);
	}
	spin_unlock_irq(&dp->lock);

	while ((bio = bio_list_pop(&requeue))) {
		bio->bi_status = BLK_STS_DM_REQUEUE;
		bio_endio(bio);
	}
	/*
	 * Wake sleeping submitters and push out what is held.  No waiting
	 * here: dm core waits for every bio after presuspend.  Until it
	 * blocks new I/O, bios that map() pushes back are resubmitted at once
	 * by dm's own work on this CPU's worker pool; waiting for the dispatch
	 * work, which needs that pool too, could wait forever (seen on 6.1).
	 */
	ioband_wake_and_dispatch(dp);
}

void ioband_presuspend_undo(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;

	spin_lock_irq(&dp->lock);
	t->suspending = false;
	t->noflush = false;
	ioband_recalc_shares(dp);
	spin_unlock_irq(&dp->lock);
	/* shares changed: every sleeper checks its group's room again */
	ioband_wake_and_dispatch(dp);
}

/* A suspended target sends no I/O: its weight stops counting. */
void ioband_postsuspend(struct dm_target *ti)
{
	ioband_target_leave_domain(ti->private);
}

/* First resume after a reload: the counters carry over. */
static void inherit_stats(struct ioband_target *t, struct ioband_target *old)
{
	struct ioband_group *gp, *ogp;

	lockdep_assert_held(&t->dp->lock);
	memcpy(t->defgrp.stat, old->defgrp.stat, sizeof(t->defgrp.stat));
	list_for_each_entry(gp, &t->groups, tgt_entry) {
		ogp = ioband_group_find(old, gp->id);
		if (ogp)
			memcpy(gp->stat, ogp->stat, sizeof(gp->stat));
	}
}

void ioband_resume(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_target *old;

	mutex_lock(&ioband_mutex);
	old = t->active ? NULL : ioband_find_predecessor(t);
	spin_lock_irq(&dp->lock);
	if (old && !old->active && old->dp == dp)
		inherit_stats(t, old);
	/* settings the table line asked for take effect when it goes live */
	ioband_apply_settings(t);
	ioband_target_join_domain(t);
	spin_unlock_irq(&dp->lock);
	mutex_unlock(&ioband_mutex);

	ioband_wake_and_dispatch(dp);
}
