// SPDX-License-Identifier: GPL-2.0
/*
 * ioband: a device-mapper target that shares a disk's bandwidth between
 * jobs in proportion to their weights.  This file: the target type and the
 * data path (map, end_io, dispatch).
 *
 * Every ioband target with the same device-group ID joins one bandwidth
 * domain (struct ioband_device).  A bio is mapped to a group of its target
 * by the target's type (none, user, uid, gid, pid, pgrp, cgroup).  While
 * fewer than io_throttle bios are in flight every bio passes at once; above
 * that, a group that has spent its share of the epoch's tokens holds its
 * bios until the policy lets them go.  io_limit caps the bios in flight and,
 * per group in proportion to weight, the bios held before submitters sleep.
 */
#include "dm-ioband.h"
#include "compat.h"

#include <linux/module.h>
#include <linux/sched.h>

#define DM_MSG_PREFIX "ioband"

/*
 * Account a bio as sent to the lower device.  @by_floor: it goes because
 * its group is behind its floor, which the policy does not charge.
 */
static void issue_bio(struct ioband_device *dp, struct ioband_group *gp,
		      struct bio *bio, struct ioband_bio *ib, bool by_floor,
		      u64 now)
{
	lockdep_assert_held(&dp->lock);
	/* draining bios are not the group's choice: they cost no tokens */
	if (!ioband_group_bypasses(gp) && !by_floor)
		ioband_policy_charge(dp, gp, bio, ib);
	/* @now: the caller's clock if it read one (0: none) */
	if (unlikely(gp->capped || gp->floored))
		ioband_cap_charge(gp, bio, now ?: ktime_get_ns());
	dp->issued++;
	gp->inflight++;
	if (unlikely(gp->idle_class))
		dp->idle_issued++;
	if (dp->issued >= dp->io_limit)
		dp->plugged = true;
	ib->state = IOB_ISSUED;
	/* service times matter only while some group waits: no clock else */
	if (ioband_policy_anticipates(dp))
		ib->issued_ns = ktime_get_ns();
}

/* May this group send a bio down right now? */
static bool may_issue(struct ioband_device *dp, struct ioband_group *gp)
{
	lockdep_assert_held(&dp->lock);
	if (ioband_group_bypasses(gp))
		return true;
	if (dp->plugged)
		return false;
	/* a group that may dispatch is owed nothing: settle only the others */
	if (ioband_policy_can_dispatch(dp, gp))
		return true;
	ioband_policy_refill(dp, gp);
	if (ioband_policy_can_dispatch(dp, gp))
		return true;
	/* control starts only once io_throttle bios are in flight */
	if (dp->issued >= dp->io_throttle || !ioband_policy_new_epoch(dp))
		return false;
	ioband_policy_refill(dp, gp);
	return ioband_policy_can_dispatch(dp, gp) > 0;
}

/*
 * While a slot is kept for a group that just went idle (dp->antic), is
 * there room beyond it for the others?
 */
static bool room_beside_antic(struct ioband_device *dp)
{
	lockdep_assert_held(&dp->lock);
	return dp->issued + 1 < dp->io_limit;
}

/* The backlogged group to serve next, or NULL.  *by_floor: see issue_bio(). */
static struct ioband_group *pick_group(struct ioband_device *dp, bool *by_floor)
{
	struct ioband_group *gp;

	lockdep_assert_held(&dp->lock);
	*by_floor = false;
	/* draining groups go first, whether the disk has room or not */
	list_for_each_entry(gp, &dp->backlog, backlog_entry)
		if (ioband_group_bypasses(gp))
			return gp;
	if (dp->plugged)
		return NULL;
	if (dp->antic) {
		/*
		 * One free slot is kept for the group we wait for; any other
		 * room is the others'.  antic_timer restarts us when the
		 * wait is over.
		 */
		if (ktime_get_ns() >= dp->antic_until) {
			dp->antic = NULL;
			dp->antic_expired++;
		} else if (!room_beside_antic(dp)) {
			return NULL;
		}
	}
	ioband_policy_refill_backlog(dp);
	if (unlikely(dp->any_floor)) {
		gp = ioband_floor_pick(dp, ktime_get_ns());
		if (gp) {
			*by_floor = true;
			return gp;
		}
	}
	return ioband_policy_pick(dp);
}

/*
 * A submitter asleep until its group may hold another bio.  Each bio the
 * dispatcher takes from a group wakes one sleeper of that group rather
 * than every sleeper of the domain, who would mostly go back to sleep.
 * Wake-ups without a key (suspend, messages, detach) still wake everyone.
 */
struct ioband_waiter {
	struct wait_queue_entry wq;
	struct ioband_group *gp;	/* compared only */
};

static int ioband_wake(struct wait_queue_entry *wq, unsigned int mode,
		       int sync, void *key)
{
	struct ioband_waiter *w = container_of(wq, struct ioband_waiter, wq);

	if (key && key != w->gp)
		return 0;
	return autoremove_wake_function(wq, mode, sync, key);
}

/*
 * @gp has room for another bio: wake one of its sleepers.  Called for each
 * bio the dispatcher takes from @gp, and by a submitter leaving room behind
 * it: a woken sleeper that sends its bio at once, rather than holding it,
 * must pass the wake-up on.
 */
static void wake_one(struct ioband_device *dp, struct ioband_group *gp)
{
	lockdep_assert_held(&dp->lock);
	/* every sleeper queues itself under dp->lock: none is missed */
	if (waitqueue_active(&dp->waitq))
		__wake_up(&dp->waitq, TASK_NORMAL, 1, gp);
}

/*
 * Park @gp if its caps or class hold back its next bio.  True if parked;
 * *now: the clock read, 0 if none.
 */
static bool park_if_held_back(struct ioband_device *dp, struct ioband_group *gp,
			      u64 *now)
{
	u64 wait;

	lockdep_assert_held(&dp->lock);
	if (ioband_group_bypasses(gp))
		return false;
	*now = ktime_get_ns();
	wait = ioband_hold_back(dp, gp, bio_list_peek(&gp->held_bios), *now);
	if (!wait)
		return false;
	ioband_cap_park(dp, gp, *now + wait, *now);
	return true;
}

void ioband_dispatch_work(struct work_struct *work)
{
	struct ioband_device *dp = container_of(work, struct ioband_device,
						dispatch_work);
	struct bio_list issue = BIO_EMPTY_LIST;
	struct ioband_group *gp;
	struct bio *bio;
	unsigned int batch = 0;
	bool again = false, by_floor = false;
	u64 now;
	int epochs = 0;

	spin_lock_irq(&dp->lock);
	if (unlikely(!list_empty(&dp->parked)))
		ioband_cap_unpark_due(dp, ktime_get_ns());
	while (ioband_ready(dp)) {
		/* bounded work with interrupts off; the rest in a new run */
		if (++batch > IOBAND_DISPATCH_BATCH) {
			again = true;
			break;
		}
		gp = pick_group(dp, &by_floor);
		if (!gp) {
			/*
			 * Everyone with work is out of tokens.  Refill once
			 * the disk has room; a few epochs pay off the debt
			 * of large bios (weight-iosize).
			 */
			if (dp->plugged || dp->issued >= dp->io_throttle ||
			    !ioband_policy_new_epoch(dp))
				break;
			/* nothing in flight will call us again: keep going */
			if (++epochs > 64) {
				again = !dp->issued;
				break;
			}
			continue;
		}
		epochs = 0;
		now = 0;
		if (unlikely(gp->capped || gp->idle_class) &&
		    park_if_held_back(dp, gp, &now))
			continue;
		bio = bio_list_pop(&gp->held_bios);
		gp->held--;
		dp->held--;
		if (unlikely(gp->idle_class))
			dp->idle_held--;
		issue_bio(dp, gp, bio, ioband_per_bio(bio), by_floor, now);
		if (!gp->held) {
			list_del_init(&gp->backlog_entry);
			/* nothing waits: idle time from now on is the group's */
			gp->cap_resume = 0;
			gp->floor_since = 0;
		}
		/*
		 * Its submitter has long returned: the disk may make us wait
		 * for a tag now.  Failed with EAGAIN here, in our worker,
		 * io_uring would not retry it.
		 */
		bio->bi_opf &= ~REQ_NOWAIT;
		bio_list_add(&issue, bio);
		wake_one(dp, gp);
	}
	spin_unlock_irq(&dp->lock);
	while ((bio = bio_list_pop(&issue))) {
		dm_submit_bio_remap(bio, NULL);
		cond_resched();
	}
	if (again)
		queue_work(dp->wq, &dp->dispatch_work);
}

/* Should the submitter sleep before adding to this group? */
static bool must_wait(struct ioband_group *gp)
{
	struct ioband_device *dp = gp->tgt->dp;

	lockdep_assert_held(&dp->lock);
	if (ioband_group_bypasses(gp))
		return false;
	/*
	 * Kernel threads too: cgroup writeback runs a flusher work per
	 * cgroup, so a full group stops its own flusher only.  Stopped only
	 * when the whole domain was full, one group's held writeback filled
	 * it and stalled every other group's flusher behind it.
	 */
	return gp->held >= gp->hold_limit;
}

/* Who issued a bio: an ID, or for the cgroup type a referenced cgroup. */
struct ioband_who {
	u64 id;
	struct cgroup *cg;
};

static struct ioband_group *bio_group(struct ioband_target *t,
				      const struct ioband_type *type,
				      const struct ioband_who *who)
{
	struct ioband_group *gp = NULL;

	if (type->hierarchical && who->cg)
		gp = ioband_cgroup_group(t, who->cg);
	else if (type->getid)
		gp = ioband_group_find(t, who->id);
	return gp ? gp : &t->defgrp;
}

/*
 * Point @bio at the lower device.  Who issued it is read first, before
 * bio_set_dev() gives the clone the blkcg of current (a flusher thread for
 * writeback).
 */
static void remap_bio(struct dm_target *ti, struct bio *bio,
		      struct ioband_bio *ib, const struct ioband_type *type,
		      struct ioband_who *who)
{
	struct ioband_target *t = ti->private;

	who->id = 0;
	who->cg = NULL;
	if (type->hierarchical)
		who->cg = ioband_bio_cgroup_get(bio);
	else if (type->getid)
		who->id = type->getid(bio);
	bio_set_dev(bio, t->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = dm_target_offset(ti, bio->bi_iter.bi_sector);
	ib->gp = NULL;
	ib->state = IOB_NONE;
	ib->issued_ns = 0;
	ib->charged_us = 0;
}

/* Sleep until @gp may hold another bio; drops dp->lock meanwhile. */
static void wait_for_room(struct ioband_device *dp, struct ioband_group *gp,
			  struct ioband_waiter *w)
{
	lockdep_assert_held(&dp->lock);
	w->gp = gp;
	prepare_to_wait_exclusive(&dp->waitq, &w->wq, TASK_UNINTERRUPTIBLE);
	spin_unlock_irq(&dp->lock);
	io_schedule();
	spin_lock_irq(&dp->lock);
}

/* @gp sends again after being idle: learn how long its process thinks. */
static void note_think_time(struct ioband_device *dp, struct ioband_group *gp)
{
	u64 think;

	lockdep_assert_held(&dp->lock);
	if (!ioband_policy_anticipates(dp) || !gp->idle_since)
		return;
	/* long idle periods are not think time: cap what one counts */
	think = min(ktime_get_ns() - gp->idle_since, 2 * IOBAND_ANTIC_MAX_NS);
	gp->think_ns = gp->think_ns ? (7 * gp->think_ns + think) / 8 : think;
	gp->idle_since = 0;
}

/*
 * Count @bio for @gp, then send it down at once or hold it for the
 * dispatcher.  True if sent.  *kick: the dispatcher must run.
 */
static bool admit_bio(struct ioband_device *dp, struct ioband_group *gp,
		      struct bio *bio, struct ioband_bio *ib, bool *kick)
{
	struct ioband_stat *st = &gp->stat[bio_data_dir(bio)];
	u64 now = 0, cap_wait = 0;
	bool antic;

	lockdep_assert_held(&dp->lock);
	note_think_time(dp, gp);
	if (unlikely(dp->nested) && !ioband_group_bypasses(gp))
		ioband_note_busy(dp, gp);
	/* the room kept for this group: take it */
	antic = dp->antic == gp;
	if (antic) {
		dp->antic = NULL;
		dp->antic_kept++;
		/* its expiry would only wake the dispatcher for nothing */
		hrtimer_try_to_cancel(&dp->antic_timer);
	}

	st->reqs++;
	st->sectors += bio_sectors(bio);
	ib->gp = gp;
	/* caps and class first: they hold whatever the weights would allow */
	if (unlikely(gp->capped || gp->idle_class) && !gp->held &&
	    !ioband_group_bypasses(gp)) {
		now = ktime_get_ns();
		cap_wait = ioband_hold_back(dp, gp, bio, now);
	}
	if (!gp->idle_class)
		dp->normal_at = jiffies;
	if (!gp->held && !cap_wait &&
	    ((antic && !dp->plugged) || may_issue(dp, gp))) {
		issue_bio(dp, gp, bio, ib, false, now);
		/*
		 * A new epoch may have freed other groups' held bios.  (The
		 * work-conserving policies have no epochs: a kick would find
		 * nothing to do, at every bio of a group whose turn it is.)
		 */
		*kick = ioband_ready(dp) && !dp->plugged &&
			!ioband_policy_work_conserving(dp);
		wake_one(dp, gp);
		return true;
	}

	st->delayed++;
	bio_list_add(&gp->held_bios, bio);
	ib->state = IOB_HELD;
	dp->held++;
	if (unlikely(gp->idle_class))
		dp->idle_held++;
	/* a floor is owed from when the group's bios start to wait */
	if (unlikely(gp->floored) && !gp->held)
		gp->floor_since = now ?: ktime_get_ns();
	if (!gp->held++) {
		if (cap_wait)
			ioband_cap_park(dp, gp, now + cap_wait, now);
		else
			list_add_tail(&gp->backlog_entry, &dp->backlog);
	} else if (gp->parked) {
		dp->parked_bios++;
	}
	/* nothing in flight may complete to restart the queue: do it now */
	*kick = ioband_ready(dp) && !dp->plugged &&
		(dp->issued < dp->io_throttle || ioband_policy_work_conserving(dp));
	if (gp->held < gp->hold_limit)
		wake_one(dp, gp);
	return false;
}

static int ioband_map(struct dm_target *ti, struct bio *bio)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_bio *ib = ioband_per_bio(bio);
	const struct ioband_type *type = READ_ONCE(t->type);
	struct ioband_group *gp;
	bool kick = false, issued;
	struct ioband_who who;
	struct ioband_waiter wait = {
		.wq.private = current,
		.wq.func = ioband_wake,
		.wq.entry = LIST_HEAD_INIT(wait.wq.entry),
	};

	remap_bio(ti, bio, ib, type, &who);
	/* An empty flush orders nothing we hold: held writes are not done. */
	if (op_is_flush(bio->bi_opf) && !bio_sectors(bio)) {
		issued = true;
		goto out;
	}

	spin_lock_irq(&dp->lock);
	if (unlikely(time_after_eq(jiffies, t->depth_at)))
		ioband_recheck_depth(t);
	for (;;) {
		/* looked up again after sleeping: the group may be gone */
		gp = bio_group(t, type, &who);
		/*
		 * Pushed back only while dm core holds a noflush suspend; an
		 * interrupted one clears that before presuspend_undo.
		 */
		if (t->suspending && t->noflush && dm_noflush_suspending(ti)) {
			spin_unlock_irq(&dp->lock);
			finish_wait(&dp->waitq, &wait.wq);
			if (who.cg)
				cgroup_put(who.cg);
			return DM_MAPIO_REQUEUE;
		}
		if (!must_wait(gp))
			break;
		/* io_uring and AIO ask not to block: they retry from a worker */
		if (bio->bi_opf & REQ_NOWAIT) {
			t->nowait_again++;
			spin_unlock_irq(&dp->lock);
			finish_wait(&dp->waitq, &wait.wq);
			if (who.cg)
				cgroup_put(who.cg);
			bio->bi_status = BLK_STS_AGAIN;
			bio_endio(bio);
			return DM_MAPIO_SUBMITTED;
		}
		wait_for_room(dp, gp, &wait);
	}
	issued = admit_bio(dp, gp, bio, ib, &kick);
	spin_unlock_irq(&dp->lock);
	finish_wait(&dp->waitq, &wait.wq);
	if (kick)
		queue_work(dp->wq, &dp->dispatch_work);
out:
	if (who.cg)
		cgroup_put(who.cg);
	/* ib is the dispatcher's once unlocked: @issued says what happened */
	return issued ? DM_MAPIO_REMAPPED : DM_MAPIO_SUBMITTED;
}

/*
 * A bio of @gp completed.  Learn how long bios take below us, and when @gp
 * has just gone idle while others wait, maybe keep the free slot for its
 * next bio.  True if a slot is kept.
 */
static bool anticipate(struct ioband_device *dp, struct ioband_group *gp,
		       struct ioband_bio *ib, bool others_wait)
{
	u64 now, wait = 0;

	lockdep_assert_held(&dp->lock);
	/* nothing to learn and nobody to keep room from: read no clock */
	now = ktime_get_ns();
	/* a bio issued under another policy has no start time */
	if (ib->issued_ns && now > ib->issued_ns)
		dp->service_ns = dp->service_ns ?
			(7 * dp->service_ns + now - ib->issued_ns) / 8 :
			now - ib->issued_ns;
	ioband_policy_complete(dp, gp, ib, now);
	if (gp->inflight || gp->held)
		return false;
	gp->idle_since = now;
	/* a group at its cap, or of the idle class, would not use the room */
	if (others_wait && !ioband_group_bypasses(gp) && !gp->idle_class &&
	    !(gp->capped && ioband_cap_spent(gp, now)))
		wait = ioband_policy_anticipate(dp, gp);
	if (!wait)
		return false;
	/* armed under the lock: it never fires before antic_until */
	dp->antic = gp;
	dp->antic_until = now + wait;
	hrtimer_start(&dp->antic_timer, ns_to_ktime(wait), HRTIMER_MODE_REL);
	return true;
}

static int ioband_end_io(struct dm_target *ti, struct bio *bio,
			 blk_status_t *error)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_bio *ib = ioband_per_bio(bio);
	struct ioband_group *gp = ib->gp;
	bool kick, wake;
	unsigned long flags;

	if (ib->state != IOB_ISSUED)
		return DM_ENDIO_DONE;
	ib->state = IOB_NONE;

	spin_lock_irqsave(&dp->lock, flags);
	dp->issued--;
	gp->inflight--;
	if (unlikely(gp->idle_class))
		dp->idle_issued--;
	else
		dp->normal_at = jiffies;
	/* the epoch policies let the disk drain to io_throttle first */
	if (dp->plugged && (dp->issued <= dp->io_throttle ||
			    ioband_policy_work_conserving(dp)))
		dp->plugged = false;
	kick = ioband_ready(dp) && !dp->plugged;
	/*
	 * A slot is now kept for @gp: dispatch only into room beyond it, and
	 * only if the policy lets someone else use it meanwhile.
	 */
	if (ioband_policy_anticipates(dp) && anticipate(dp, gp, ib, kick))
		kick = room_beside_antic(dp) && ioband_policy_pick(dp);
	wake = gp->dying && !gp->inflight && !gp->held;
	spin_unlock_irqrestore(&dp->lock, flags);

	if (kick)
		queue_work(dp->wq, &dp->dispatch_work);
	if (wake)
		wake_up_all(&dp->waitq);
	return DM_ENDIO_DONE;
}

static int ioband_iterate_devices(struct dm_target *ti,
				  iterate_devices_callout_fn fn, void *data)
{
	struct ioband_target *t = ti->private;

	return fn(ti, t->dev, 0, ti->len, data);
}

/*
 * What dm core may pass through us: bios keep their data, integrity payload
 * and crypt context, only their sector moves.  Not zoned: see ioband_ctr().
 */
static struct target_type ioband_target = {
	.name = "ioband",
	.version = {1, 3, 0},
	.features = DM_TARGET_NOWAIT | DM_TARGET_PASSES_INTEGRITY |
		    DM_TARGET_PASSES_CRYPTO,
	.module = THIS_MODULE,
	.ctr = ioband_ctr,
	.dtr = ioband_dtr,
	.map = ioband_map,
	.end_io = ioband_end_io,
	.presuspend = ioband_presuspend,
	.presuspend_undo = ioband_presuspend_undo,
	.postsuspend = ioband_postsuspend,
	.resume = ioband_resume,
	.status = ioband_status,
	.message = ioband_message,
	.iterate_devices = ioband_iterate_devices,
};

static int __init dm_ioband_init(void)
{
	int r = dm_register_target(&ioband_target);

	if (r < 0)
		DMERR("register failed %d", r);
	return r;
}

static void __exit dm_ioband_exit(void)
{
	dm_unregister_target(&ioband_target);
}

module_init(dm_ioband_init);
module_exit(dm_ioband_exit);

MODULE_DESCRIPTION(DM_NAME " target for proportional I/O bandwidth control");
MODULE_LICENSE("GPL");
MODULE_VERSION(IOBAND_VERSION_STR);
