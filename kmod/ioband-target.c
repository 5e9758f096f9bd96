// SPDX-License-Identifier: GPL-2.0
/*
 * ioband: a device-mapper target that shares a disk's bandwidth between
 * jobs in proportion to their weights.
 *
 * Table:  <dev> <device-group-id> [<io_throttle> [<io_limit>]]
 *   or    <dev> <device-group-id> <io_throttle> <io_limit> <type> <policy>
 *         <token> :<default-weight> [<id>:<weight>]...
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
#include <linux/slab.h>
#include <linux/sched.h>

#define DM_MSG_PREFIX "ioband"

/* Domains and targets, looked up by ctr/dtr/resume only. */
static DEFINE_MUTEX(ioband_mutex);
static LIST_HEAD(ioband_devices);
static LIST_HEAD(ioband_targets);

/* Where a bio is, kept in its per-bio data for end_io. */
enum ioband_bio_state {
	IOB_NONE,	/* not scheduled: empty flush, or pushed back */
	IOB_HELD,	/* on a group's held_bios */
	IOB_ISSUED,	/* counted in issued and the group's inflight */
};

struct ioband_bio {
	struct ioband_group *gp;
	enum ioband_bio_state state;
	u64 issued_ns;		/* policies that anticipate: when it went down */
};

/* ------------------------------------------------------------------ */
/* parsing                                                              */

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned int v;

	if (kstrtouint(s, 10, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_id(const struct ioband_type *type, const char *s, u64 *out)
{
	u64 v;

	if (kstrtou64(s, 10, &v) || v > type->max_id)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "ID:VAL" (the seed also took '=' and ','); *idstr is NULL for "VAL" */
static void split_id_value(char *s, char **idstr, char **valstr)
{
	char *sep = strpbrk(s, ":=,");

	if (!sep) {
		*idstr = NULL;
		*valstr = s;
		return;
	}
	*sep = '\0';
	*idstr = s;
	*valstr = sep + 1;
}

/* ------------------------------------------------------------------ */
/* groups                                                               */

static struct ioband_group *group_find(struct ioband_target *t, u64 id)
{
	struct rb_node *n = t->tree.rb_node;

	while (n) {
		struct ioband_group *gp = rb_entry(n, struct ioband_group, node);

		if (id < gp->id)
			n = n->rb_left;
		else if (id > gp->id)
			n = n->rb_right;
		else
			return gp;
	}
	return NULL;
}

static void group_insert(struct ioband_target *t, struct ioband_group *gp)
{
	struct rb_node **link = &t->tree.rb_node, *parent = NULL;

	while (*link) {
		struct ioband_group *p = rb_entry(*link, struct ioband_group, node);

		parent = *link;
		link = gp->id < p->id ? &(*link)->rb_left : &(*link)->rb_right;
	}
	rb_link_node(&gp->node, parent, link);
	rb_insert_color(&gp->node, &t->tree);
	list_add_tail(&gp->tgt_entry, &t->groups);
	t->ngroups++;
}

static void group_init(struct ioband_group *gp, struct ioband_target *t,
		       u64 id, unsigned int weight)
{
	gp->tgt = t;
	gp->id = id;
	gp->weight = weight;
	RB_CLEAR_NODE(&gp->node);
	INIT_LIST_HEAD(&gp->tgt_entry);
	INIT_LIST_HEAD(&gp->dom_entry);
	INIT_LIST_HEAD(&gp->backlog_entry);
	bio_list_init(&gp->held_bios);
	gp->hold_limit = 1;
	gp->token_init = 1;
}

/* Count the group's weight in the domain (dp->lock held). */
static void group_join_domain(struct ioband_device *dp, struct ioband_group *gp)
{
	if (gp->in_domain)
		return;
	gp->in_domain = true;
	list_add_tail(&gp->dom_entry, &dp->groups);
	dp->weight_total += gp->weight;
	dp->policy->group_init(gp);
}

static void group_leave_domain(struct ioband_device *dp, struct ioband_group *gp)
{
	if (!gp->in_domain)
		return;
	gp->in_domain = false;
	list_del_init(&gp->dom_entry);
	dp->weight_total -= gp->weight;
	/* a group that left sends nothing: keep no room for it */
	if (dp->antic == gp)
		dp->antic = NULL;
}

static void group_set_weight(struct ioband_device *dp, struct ioband_group *gp,
			     unsigned int weight)
{
	if (gp->in_domain)
		dp->weight_total += (u64)weight - gp->weight;
	gp->weight = weight;
}

/* ------------------------------------------------------------------ */
/* domains                                                              */

static struct ioband_device *ioband_device_get(unsigned int id)
{
	struct ioband_device *dp;

	lockdep_assert_held(&ioband_mutex);
	list_for_each_entry(dp, &ioband_devices, entry) {
		if (dp->id == id) {
			dp->refs++;
			return dp;
		}
	}
	return NULL;
}

static void ioband_dispatch_work(struct work_struct *work);

/* The room kept for an idle group was not used in time: hand it on. */
static enum hrtimer_restart ioband_antic_expired(struct hrtimer *timer)
{
	struct ioband_device *dp = container_of(timer, struct ioband_device,
						antic_timer);

	queue_work(dp->wq, &dp->dispatch_work);
	return HRTIMER_NORESTART;
}

static struct ioband_device *ioband_device_new(unsigned int id)
{
	struct ioband_device *dp;

	dp = kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		return NULL;
	/*
	 * Its own rescuer-backed queue: dispatching may sleep in the lower
	 * device, and the disk may be needed to reclaim memory.
	 */
	dp->wq = alloc_workqueue("kioband/%u",
				 WQ_MEM_RECLAIM | WQ_HIGHPRI | IOBAND_WQ_PERCPU, 0, id);
	if (!dp->wq) {
		kfree(dp);
		return NULL;
	}
	dp->id = id;
	dp->refs = 1;
	spin_lock_init(&dp->lock);
	INIT_LIST_HEAD(&dp->groups);
	INIT_LIST_HEAD(&dp->backlog);
	dp->io_throttle = IOBAND_DEFAULT_THROTTLE;
	dp->io_limit = IOBAND_DEFAULT_LIMIT;
	dp->token_base = IOBAND_DEFAULT_TOKEN;
	dp->policy = &ioband_policy_weight;
	init_waitqueue_head(&dp->waitq);
	INIT_WORK(&dp->dispatch_work, ioband_dispatch_work);
	hrtimer_setup(&dp->antic_timer, ioband_antic_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	list_add_tail(&dp->entry, &ioband_devices);
	return dp;
}

static void ioband_device_put(struct ioband_device *dp)
{
	lockdep_assert_held(&ioband_mutex);
	if (--dp->refs)
		return;
	list_del(&dp->entry);
	/* no target is left to arm it again; the timer queues work */
	hrtimer_cancel(&dp->antic_timer);
	destroy_workqueue(dp->wq);
	kfree(dp);
}

/* ------------------------------------------------------------------ */
/* the data path                                                        */

static bool group_bypasses(struct ioband_group *gp)
{
	/* draining for suspend or detach: nothing may wait any more */
	return gp->dying || gp->tgt->suspending;
}

/* Account a bio as sent to the lower device (dp->lock held). */
static void issue_bio(struct ioband_device *dp, struct ioband_group *gp,
		      struct bio *bio)
{
	struct ioband_bio *ib = dm_per_bio_data(bio, sizeof(*ib));

	/* draining bios are not the group's choice: they cost no tokens */
	if (!group_bypasses(gp))
		dp->policy->charge(gp, bio);
	dp->issued++;
	gp->inflight++;
	if (dp->issued >= dp->io_limit)
		dp->plugged = true;
	ib->state = IOB_ISSUED;
	if (dp->policy->anticipate)
		ib->issued_ns = ktime_get_ns();
}

/* May this group send a bio down right now? (dp->lock held) */
static bool may_issue(struct ioband_device *dp, struct ioband_group *gp)
{
	if (group_bypasses(gp))
		return true;
	if (dp->plugged)
		return false;
	if (dp->policy->can_dispatch(gp))
		return true;
	/* control starts only once io_throttle bios are in flight */
	if (dp->issued >= dp->io_throttle || !dp->policy->new_epoch(dp))
		return false;
	return dp->policy->can_dispatch(gp) > 0;
}

/*
 * While a slot is kept for a group that just went idle (dp->antic), is
 * there room beyond it for the others?  (dp->lock held)
 */
static bool room_beside_antic(struct ioband_device *dp)
{
	return dp->issued + 1 < dp->io_limit;
}

/* The backlogged group that should go next, or NULL. (dp->lock held) */
static struct ioband_group *pick_group(struct ioband_device *dp)
{
	struct ioband_group *gp;

	/* draining groups go first, whether the disk has room or not */
	list_for_each_entry(gp, &dp->backlog, backlog_entry)
		if (group_bypasses(gp))
			return gp;
	if (dp->plugged)
		return NULL;
	if (dp->antic) {
		/*
		 * One free slot is kept for the group we wait for; any other
		 * room is the others'.  antic_timer restarts us when the
		 * wait is over.
		 */
		if (ktime_get_ns() >= dp->antic_until)
			dp->antic = NULL;
		else if (!room_beside_antic(dp))
			return NULL;
	}
	return dp->policy->pick(dp);
}

/*
 * A submitter asleep until its group may hold another bio.  Each bio the
 * dispatcher takes from a group wakes one sleeper of that group rather
 * than every sleeper of the domain, who would mostly go back to sleep.
 * Wake-ups without a key (suspend, messages, detach) still wake everyone.
 */
struct ioband_waiter {
	struct wait_queue_entry wq;
	struct ioband_group *gp;	/* compared only; NULL: any dispatch */
};

static int ioband_wake(struct wait_queue_entry *wq, unsigned int mode,
		       int sync, void *key)
{
	struct ioband_waiter *w = container_of(wq, struct ioband_waiter, wq);

	if (key && w->gp && key != w->gp)
		return 0;
	return autoremove_wake_function(wq, mode, sync, key);
}

/*
 * @gp has room for another bio: wake one of its sleepers (and any kernel
 * thread).  Called for each bio the dispatcher takes from @gp, and by a
 * submitter leaving room behind it: a woken sleeper that sends its bio at
 * once, rather than holding it, must pass the wake-up on.  (dp->lock held,
 * as by every sleeper that queues itself.)
 */
static void wake_one(struct ioband_device *dp, struct ioband_group *gp)
{
	if (waitqueue_active(&dp->waitq))
		__wake_up(&dp->waitq, TASK_NORMAL, 1, gp);
}

static void ioband_dispatch_work(struct work_struct *work)
{
	struct ioband_device *dp = container_of(work, struct ioband_device,
						dispatch_work);
	struct bio_list issue = BIO_EMPTY_LIST;
	struct ioband_group *gp;
	struct bio *bio;
	unsigned int batch = 0;
	bool again = false;
	int epochs = 0;

	spin_lock_irq(&dp->lock);
	while (dp->held) {
		/* bounded work with interrupts off; the rest in a new run */
		if (++batch > IOBAND_DISPATCH_BATCH) {
			again = true;
			break;
		}
		gp = pick_group(dp);
		if (!gp) {
			/*
			 * Everyone with work is out of tokens.  Refill once
			 * the disk has room; a few epochs pay off the debt
			 * of large bios (weight-iosize).
			 */
			if (dp->plugged || dp->issued >= dp->io_throttle ||
			    !dp->policy->new_epoch(dp))
				break;
			/* nothing in flight will call us again: keep going */
			if (++epochs > 64) {
				again = !dp->issued;
				break;
			}
			continue;
		}
		epochs = 0;
		bio = bio_list_pop(&gp->held_bios);
		gp->held--;
		dp->held--;
		if (!gp->held)
			list_del_init(&gp->backlog_entry);
		issue_bio(dp, gp, bio);
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

/* Should the submitter sleep before adding to this group? (dp->lock held) */
static bool must_wait(struct ioband_group *gp)
{
	struct ioband_device *dp = gp->tgt->dp;

	if (group_bypasses(gp))
		return false;
	/*
	 * Kernel threads (writeback, other dm targets) work for many groups
	 * at once; only stop them when the whole domain is full.
	 */
	if (current->flags & PF_KTHREAD)
		return dp->held >= dp->io_limit;
	return gp->held >= gp->hold_limit;
}

static struct ioband_group *bio_group(struct ioband_target *t, bool has_id,
				      u64 id)
{
	struct ioband_group *gp = has_id ? group_find(t, id) : NULL;

	return gp ? gp : &t->defgrp;
}

static int ioband_map(struct dm_target *ti, struct bio *bio)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_bio *ib = dm_per_bio_data(bio, sizeof(*ib));
	const struct ioband_type *type = READ_ONCE(t->type);
	struct ioband_group *gp;
	struct ioband_stat *st;
	bool kick = false, antic;
	u64 id = 0;
	struct ioband_waiter wait = {
		.wq.private = current,
		.wq.func = ioband_wake,
		.wq.entry = LIST_HEAD_INIT(wait.wq.entry),
	};

	/*
	 * Who issued it, before bio_set_dev() gives the clone the blkcg of
	 * current (a flusher thread for writeback).
	 */
	if (type->getid)
		id = type->getid(bio);

	bio_set_dev(bio, t->dev->bdev);
	if (bio_sectors(bio))
		bio->bi_iter.bi_sector = dm_target_offset(ti, bio->bi_iter.bi_sector);
	ib->gp = NULL;
	ib->state = IOB_NONE;
	ib->issued_ns = 0;

	/* An empty flush orders nothing we hold: held writes are not done. */
	if (op_is_flush(bio->bi_opf) && !bio_sectors(bio))
		return DM_MAPIO_REMAPPED;

	spin_lock_irq(&dp->lock);
	for (;;) {
		/* looked up again after sleeping: the group may be gone */
		gp = bio_group(t, type->getid, id);
		/*
		 * Pushed back only while dm core holds a noflush suspend; an
		 * interrupted one clears that before presuspend_undo.
		 */
		if (t->suspending && t->noflush && dm_noflush_suspending(ti)) {
			spin_unlock_irq(&dp->lock);
			finish_wait(&dp->waitq, &wait.wq);
			return DM_MAPIO_REQUEUE;
		}
		if (!must_wait(gp))
			break;
		/* kernel threads wait for room in the domain, not the group */
		if (current->flags & PF_KTHREAD) {
			wait.gp = NULL;
			prepare_to_wait(&dp->waitq, &wait.wq, TASK_UNINTERRUPTIBLE);
		} else {
			wait.gp = gp;
			prepare_to_wait_exclusive(&dp->waitq, &wait.wq,
						  TASK_UNINTERRUPTIBLE);
		}
		spin_unlock_irq(&dp->lock);
		io_schedule();
		spin_lock_irq(&dp->lock);
	}

	if (dp->policy->anticipate && gp->idle_since) {
		/* long idle periods are not think time: cap what one counts */
		u64 think = min(ktime_get_ns() - gp->idle_since,
				2 * IOBAND_ANTIC_MAX_NS);

		gp->think_ns = gp->think_ns ? (7 * gp->think_ns + think) / 8 : think;
		gp->idle_since = 0;
	}
	/* the room kept for this group: take it */
	antic = dp->antic == gp;
	if (antic)
		dp->antic = NULL;

	st = &gp->stat[bio_data_dir(bio)];
	st->reqs++;
	st->sectors += bio_sectors(bio);
	ib->gp = gp;
	if (!gp->held && ((antic && !dp->plugged) || may_issue(dp, gp))) {
		issue_bio(dp, gp, bio);
		/* a new epoch may have freed other groups' held bios */
		kick = dp->held && !dp->plugged;
		wake_one(dp, gp);
		spin_unlock_irq(&dp->lock);
		finish_wait(&dp->waitq, &wait.wq);
		if (kick)
			queue_work(dp->wq, &dp->dispatch_work);
		return DM_MAPIO_REMAPPED;
	}

	st->delayed++;
	bio_list_add(&gp->held_bios, bio);
	ib->state = IOB_HELD;
	if (!gp->held++)
		list_add_tail(&gp->backlog_entry, &dp->backlog);
	dp->held++;
	kick = !dp->plugged &&
	       (dp->issued < dp->io_throttle || dp->policy->work_conserving);
	if (gp->held < gp->hold_limit)
		wake_one(dp, gp);
	spin_unlock_irq(&dp->lock);
	finish_wait(&dp->waitq, &wait.wq);
	/* nothing in flight will complete to restart the queue: do it now */
	if (kick)
		queue_work(dp->wq, &dp->dispatch_work);
	return DM_MAPIO_SUBMITTED;
}

/*
 * A bio of @gp completed (dp->lock held).  Learn how long bios take below
 * us, and when @gp has just gone idle while others wait, maybe keep the
 * free slot for its next bio.  True if a slot is kept.
 */
static bool anticipate(struct ioband_device *dp, struct ioband_group *gp,
		       struct ioband_bio *ib, bool others_wait)
{
	u64 now = ktime_get_ns(), wait = 0;

	/* a bio issued under another policy has no start time */
	if (ib->issued_ns && now > ib->issued_ns)
		dp->service_ns = dp->service_ns ?
			(7 * dp->service_ns + now - ib->issued_ns) / 8 :
			now - ib->issued_ns;
	if (gp->inflight || gp->held)
		return false;
	gp->idle_since = now;
	if (others_wait && !group_bypasses(gp))
		wait = dp->policy->anticipate(dp, gp);
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
	struct ioband_bio *ib = dm_per_bio_data(bio, sizeof(*ib));
	struct ioband_group *gp = ib->gp;
	bool kick, wake;
	unsigned long flags;

	if (ib->state != IOB_ISSUED)
		return DM_ENDIO_DONE;
	ib->state = IOB_NONE;

	spin_lock_irqsave(&dp->lock, flags);
	dp->issued--;
	gp->inflight--;
	/* the epoch policies let the disk drain to io_throttle first */
	if (dp->plugged && (dp->issued <= dp->io_throttle ||
			    dp->policy->work_conserving))
		dp->plugged = false;
	kick = dp->held && !dp->plugged;
	/* a slot is now kept for @gp: dispatch only into room beyond it */
	if (dp->policy->anticipate && anticipate(dp, gp, ib, kick))
		kick = room_beside_antic(dp);
	wake = gp->dying && !gp->inflight && !gp->held;
	spin_unlock_irqrestore(&dp->lock, flags);

	if (kick)
		queue_work(dp->wq, &dp->dispatch_work);
	if (wake)
		wake_up_all(&dp->waitq);
	return DM_ENDIO_DONE;
}

/* ------------------------------------------------------------------ */
/* suspend and resume                                                   */

/*
 * noflush suspend: hand held bios back to dm core, which queues them until
 * resume.  They will pass map() again, so they are uncounted here.
 */
static void requeue_held(struct ioband_device *dp, struct ioband_group *gp,
			 struct bio_list *requeue)
{
	struct bio *bio;

	while ((bio = bio_list_pop(&gp->held_bios))) {
		struct ioband_bio *ib = dm_per_bio_data(bio, sizeof(*ib));
		struct ioband_stat *st = &gp->stat[bio_data_dir(bio)];

		st->reqs--;
		st->delayed--;
		st->sectors -= bio_sectors(bio);
		ib->state = IOB_NONE;
		bio_list_add(requeue, bio);
	}
	dp->held -= gp->held;
	gp->held = 0;
	list_del_init(&gp->backlog_entry);
}

static void ioband_presuspend(struct dm_target *ti)
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
	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
}

static void ioband_presuspend_undo(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;

	spin_lock_irq(&t->dp->lock);
	t->suspending = false;
	t->noflush = false;
	t->dp->policy->recalc(t->dp);
	spin_unlock_irq(&t->dp->lock);
	/* shares changed: every sleeper checks its group's room again */
	wake_up_all(&t->dp->waitq);
	queue_work(t->dp->wq, &t->dp->dispatch_work);
}

static void target_leave_domain(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;

	spin_lock_irq(&dp->lock);
	group_leave_domain(dp, &t->defgrp);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		group_leave_domain(dp, gp);
	t->active = false;
	dp->policy->recalc(dp);
	spin_unlock_irq(&dp->lock);
	wake_up_all(&dp->waitq);
}

/* A suspended target sends no I/O: its weight stops counting. */
static void ioband_postsuspend(struct dm_target *ti)
{
	target_leave_domain(ti->private);
}

/* The live target this one replaces on a table reload, if any. */
static struct ioband_target *find_predecessor(struct ioband_target *t)
{
	struct mapped_device *md = dm_table_get_md(t->ti->table);
	struct ioband_target *o;

	lockdep_assert_held(&ioband_mutex);
	list_for_each_entry(o, &ioband_targets, entry)
		if (o != t && dm_table_get_md(o->ti->table) == md &&
		    o->ti->begin == t->ti->begin)
			return o;
	return NULL;
}

static void ioband_resume(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp, *ogp;
	struct ioband_target *old;

	mutex_lock(&ioband_mutex);
	/* first resume after a reload: the counters carry over */
	old = t->active ? NULL : find_predecessor(t);
	spin_lock_irq(&dp->lock);
	if (old && !old->active && old->dp == dp) {
		memcpy(t->defgrp.stat, old->defgrp.stat, sizeof(t->defgrp.stat));
		list_for_each_entry(gp, &t->groups, tgt_entry) {
			ogp = group_find(old, gp->id);
			if (ogp)
				memcpy(gp->stat, ogp->stat, sizeof(gp->stat));
		}
	}
	/* settings the table line asked for take effect when it goes live */
	if (t->want_throttle || t->want_limit) {
		unsigned int thr = t->want_throttle ?: dp->io_throttle;
		unsigned int lim = t->want_limit ?: dp->io_limit;

		if (thr < lim) {
			dp->io_throttle = thr;
			dp->io_limit = lim;
		} else {
			DMWARN("%s: table asks io_throttle %u io_limit %u, device group %u keeps %u %u",
			       dm_table_device_name(ti->table), thr, lim,
			       dp->id, dp->io_throttle, dp->io_limit);
		}
		dp->plugged = dp->issued >= dp->io_limit;
	}
	if (t->want_token)
		dp->token_base = t->want_token;
	if (t->want_policy)
		dp->policy = t->want_policy;
	t->want_throttle = t->want_limit = t->want_token = 0;
	t->want_policy = NULL;

	t->suspending = false;
	t->noflush = false;
	group_join_domain(dp, &t->defgrp);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		group_join_domain(dp, gp);
	t->active = true;
	dp->policy->recalc(dp);
	spin_unlock_irq(&dp->lock);
	mutex_unlock(&ioband_mutex);

	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
}

/* ------------------------------------------------------------------ */
/* constructor and destructor                                           */

struct ioband_args {
	unsigned int devgroup;
	unsigned int throttle, limit, token;	/* 0: not given */
	const struct ioband_policy_ops *policy;	/* NULL: not given */
	const struct ioband_type *type;		/* NULL: not given */
	unsigned int default_weight;
	unsigned int ngroups;
	u64 *ids;
	unsigned int *weights;
};

static int parse_table(struct dm_target *ti, unsigned int argc, char **argv,
		       struct ioband_args *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->default_weight = IOBAND_DEFAULT_WEIGHT;
	if (argc < 2 || (argc > 4 && argc < 8)) {
		ti->error = "Expected <dev> <device-group-id> [<io_throttle> [<io_limit>]] or <dev> <device-group-id> <io_throttle> <io_limit> <type> <policy> <token> :<weight> [<id>:<weight>]...";
		return -EINVAL;
	}
	if (parse_uint(argv[1], 0, INT_MAX, &a->devgroup)) {
		ti->error = "Invalid device-group ID (expected 0 to 2147483647)";
		return -EINVAL;
	}
	/* 0 means "default" here, as in dm-ioband 1.x table lines */
	if (argc > 2 && parse_uint(argv[2], 0, IOBAND_MAX_LIMIT - 1, &a->throttle)) {
		ti->error = "Invalid io_throttle (expected 1 to 65535, 0 for the default)";
		return -EINVAL;
	}
	if (argc > 3 && parse_uint(argv[3], 0, IOBAND_MAX_LIMIT, &a->limit)) {
		ti->error = "Invalid io_limit (expected 2 to 65536, 0 for the default)";
		return -EINVAL;
	}
	if (argc == 3 && a->throttle >= IOBAND_DEFAULT_LIMIT) {
		ti->error = "io_throttle must be below io_limit (default 128): give a larger io_limit";
		return -EINVAL;
	}
	if (a->throttle && a->limit && a->limit <= a->throttle) {
		ti->error = "io_limit must be greater than io_throttle";
		return -EINVAL;
	}
	if (argc < 8)
		return 0;

	a->type = ioband_type_find(argv[4]);
	if (!a->type) {
		ti->error = "Unknown group type (expected none, user, uid, gid, pid, pgrp or cgroup)";
		return -EINVAL;
	}
	a->policy = ioband_policy_find(argv[5]);
	if (!a->policy) {
		ti->error = "Unknown policy (expected weight, weight-iosize, fair or fair-iosize)";
		return -EINVAL;
	}
	if (parse_uint(argv[6], 0, IOBAND_MAX_TOKEN, &a->token)) {
		ti->error = "Invalid token (expected 1 to 1073741824, 0 for the default)";
		return -EINVAL;
	}
	if (argv[7][0] != ':' ||
	    parse_uint(argv[7] + 1, 1, IOBAND_MAX_WEIGHT, &a->default_weight)) {
		ti->error = "Invalid default weight (expected :<weight>, weight 1 to 1000000)";
		return -EINVAL;
	}
	a->ngroups = argc - 8;
	if (!a->ngroups)
		return 0;
	if (!a->type->getid) {
		ti->error = "Groups need a group type other than none";
		return -EINVAL;
	}
	if (a->ngroups > IOBAND_MAX_GROUPS) {
		ti->error = "Too many groups";
		return -EINVAL;
	}
	a->ids = kcalloc(a->ngroups, sizeof(*a->ids), GFP_KERNEL);
	a->weights = kcalloc(a->ngroups, sizeof(*a->weights), GFP_KERNEL);
	if (!a->ids || !a->weights) {
		ti->error = "Cannot allocate memory for groups";
		return -ENOMEM;
	}
	for (i = 0; i < a->ngroups; i++) {
		char *idstr, *valstr, *arg = argv[8 + i];
		unsigned int j;

		split_id_value(arg, &idstr, &valstr);
		if (!idstr || parse_id(a->type, idstr, &a->ids[i]) ||
		    parse_uint(valstr, 1, IOBAND_MAX_WEIGHT, &a->weights[i])) {
			ti->error = "Invalid group (expected <id>:<weight>, id valid for the type, weight 1 to 1000000)";
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (a->ids[j] == a->ids[i]) {
				ti->error = "Duplicate group ID";
				return -EINVAL;
			}
		}
	}
	return 0;
}

static void free_groups(struct ioband_target *t)
{
	struct ioband_group *gp, *tmp;

	list_for_each_entry_safe(gp, tmp, &t->groups, tgt_entry) {
		list_del(&gp->tgt_entry);
		kfree(gp);
	}
	t->tree = RB_ROOT;
	t->ngroups = 0;
}

static int add_group(struct ioband_target *t, u64 id, unsigned int weight)
{
	struct ioband_group *gp = kzalloc(sizeof(*gp), GFP_KERNEL);

	if (!gp)
		return -ENOMEM;
	group_init(gp, t, id, weight);
	group_insert(t, gp);
	return 0;
}

/*
 * A plain table line on a device that already has an ioband target here
 * keeps that target's type and groups: LVM and dmsetup reload tables
 * without knowing what was configured by messages.
 */
static int inherit_config(struct ioband_target *t, struct ioband_target *old)
{
	struct ioband_group *gp;
	int r = 0;

	mutex_lock(&old->msg_lock);
	t->type = old->type;
	t->defgrp.weight = old->defgrp.weight;
	list_for_each_entry(gp, &old->groups, tgt_entry) {
		if (gp->dying)
			continue;
		r = add_group(t, gp->id, gp->weight);
		if (r)
			break;
	}
	mutex_unlock(&old->msg_lock);
	return r;
}

static int ioband_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct ioband_target *t;
	struct ioband_device *dp;
	struct ioband_target *old;
	struct ioband_args a;
	unsigned int i, thr, lim;
	int r;

	r = parse_table(ti, argc, argv, &a);
	if (r)
		goto out_args;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		ti->error = "Cannot allocate memory for ioband target";
		r = -ENOMEM;
		goto out_args;
	}
	t->ti = ti;
	mutex_init(&t->msg_lock);
	t->tree = RB_ROOT;
	INIT_LIST_HEAD(&t->groups);
	INIT_LIST_HEAD(&t->entry);
	t->type = a.type ?: &ioband_type_none;
	group_init(&t->defgrp, t, 0, a.default_weight);
	t->defgrp.is_default = true;

	r = dm_get_device(ti, argv[0], dm_table_get_mode(ti->table), &t->dev);
	if (r) {
		ti->error = "Device lookup failed";
		goto out_free;
	}

	mutex_lock(&ioband_mutex);
	dp = ioband_device_get(a.devgroup);
	if (!dp) {
		dp = ioband_device_new(a.devgroup);
		if (!dp) {
			mutex_unlock(&ioband_mutex);
			ti->error = "Cannot allocate memory for device group";
			r = -ENOMEM;
			goto out_put_dev;
		}
		/* a new domain starts with what its first line says */
		if (a.throttle)
			dp->io_throttle = a.throttle;
		if (a.limit)
			dp->io_limit = a.limit;
		if (a.token)
			dp->token_base = a.token;
		if (a.policy)
			dp->policy = a.policy;
	} else {
		/* an existing domain changes only when this table goes live */
		t->want_throttle = a.throttle;
		t->want_limit = a.limit;
		t->want_token = a.token;
		t->want_policy = a.policy;
	}
	t->dp = dp;

	thr = a.throttle ?: dp->io_throttle;
	lim = a.limit ?: dp->io_limit;
	if (lim <= thr) {
		ti->error = "io_limit must be greater than io_throttle of the device group";
		r = -EINVAL;
		goto out_put_domain;
	}

	old = argc < 8 ? find_predecessor(t) : NULL;
	if (old) {
		r = inherit_config(t, old);
	} else {
		for (i = 0, r = 0; i < a.ngroups && !r; i++)
			r = add_group(t, a.ids[i], a.weights[i]);
	}
	if (r) {
		ti->error = "Cannot allocate memory for groups";
		goto out_free_groups;
	}
	list_add_tail(&t->entry, &ioband_targets);
	mutex_unlock(&ioband_mutex);

	ti->private = t;
	ti->num_flush_bios = 1;
	ti->num_discard_bios = 1;
	ti->num_secure_erase_bios = 1;
	ti->num_write_zeroes_bios = 1;
	ti->per_io_data_size = sizeof(struct ioband_bio);
	ti->accounts_remapped_io = true;
	kfree(a.ids);
	kfree(a.weights);
	return 0;

out_free_groups:
	free_groups(t);
out_put_domain:
	ioband_device_put(dp);
	mutex_unlock(&ioband_mutex);
out_put_dev:
	dm_put_device(ti, t->dev);
out_free:
	kfree(t);
out_args:
	kfree(a.ids);
	kfree(a.weights);
	return r;
}

static void ioband_dtr(struct dm_target *ti)
{
	struct ioband_target *t = ti->private;

	/* dm suspended us first: nothing is held or in flight */
	target_leave_domain(t);
	mutex_lock(&ioband_mutex);
	list_del(&t->entry);
	free_groups(t);
	dm_put_device(ti, t->dev);
	ioband_device_put(t->dp);
	mutex_unlock(&ioband_mutex);
	kfree(t);
}

/* ------------------------------------------------------------------ */
/* status                                                               */

static bool target_has_defaults(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;

	return t->type == &ioband_type_none && !t->ngroups &&
	       dp->policy == &ioband_policy_weight &&
	       dp->token_base == IOBAND_DEFAULT_TOKEN &&
	       t->defgrp.weight == IOBAND_DEFAULT_WEIGHT;
}

static void emit_stats(struct ioband_group *gp, char *result,
		       unsigned int maxlen, unsigned int *szp)
{
	unsigned int sz = *szp;
	int i;

	for (i = 0; i < 2; i++)
		DMEMIT(" %llu %llu %llu", gp->stat[i].reqs, gp->stat[i].delayed,
		       gp->stat[i].sectors);
	*szp = sz;
}

static void ioband_status(struct dm_target *ti, status_type_t type,
			  unsigned int status_flags, char *result,
			  unsigned int maxlen)
{
	struct ioband_target *t = ti->private;
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	unsigned int sz = 0;

	spin_lock_irq(&dp->lock);
	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("%u -1", dp->id);
		emit_stats(&t->defgrp, result, maxlen, &sz);
		list_for_each_entry(gp, &t->groups, tgt_entry) {
			DMEMIT(" %llu", gp->id);
			emit_stats(gp, result, maxlen, &sz);
		}
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %u %u %u", t->dev->name, dp->id, dp->io_throttle,
		       dp->io_limit);
		if (target_has_defaults(t))
			break;
		DMEMIT(" %s %s %u :%u", t->type->name, dp->policy->name,
		       dp->token_base, t->defgrp.weight);
		list_for_each_entry(gp, &t->groups, tgt_entry)
			DMEMIT(" %llu:%u", gp->id, gp->weight);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",device_name=%s,device_group=%u,io_throttle=%u,io_limit=%u,type=%s,policy=%s;",
		       t->dev->name, dp->id, dp->io_throttle, dp->io_limit,
		       t->type->name, dp->policy->name);
		break;
	}
	spin_unlock_irq(&dp->lock);
}

/* ------------------------------------------------------------------ */
/* messages                                                             */

static int msg_attach(struct ioband_target *t, const char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	u64 id;

	if (!t->type->getid) {
		DMWARN_LIMIT("attach: group type is none: set one with \"type\" first");
		return -EINVAL;
	}
	if (parse_id(t->type, arg, &id)) {
		DMWARN_LIMIT("attach: invalid %s ID \"%s\"", t->type->name, arg);
		return -EINVAL;
	}
	if (t->ngroups >= IOBAND_MAX_GROUPS) {
		DMWARN_LIMIT("attach: too many groups (%u)", IOBAND_MAX_GROUPS);
		return -ENOSPC;
	}
	gp = kzalloc(sizeof(*gp), GFP_KERNEL);
	if (!gp)
		return -ENOMEM;
	group_init(gp, t, id, IOBAND_DEFAULT_WEIGHT);

	spin_lock_irq(&dp->lock);
	if (group_find(t, id)) {
		spin_unlock_irq(&dp->lock);
		kfree(gp);
		DMWARN_LIMIT("attach: group %llu is already attached", id);
		return -EEXIST;
	}
	group_insert(t, gp);
	if (t->active) {
		group_join_domain(dp, gp);
		dp->policy->recalc(dp);
	}
	spin_unlock_irq(&dp->lock);
	/* sleepers whose bios now belong to the new group look again */
	wake_up_all(&dp->waitq);
	return 0;
}

static bool group_drained(struct ioband_device *dp, struct ioband_group *gp)
{
	bool done;

	spin_lock_irq(&dp->lock);
	done = !gp->held && !gp->inflight;
	spin_unlock_irq(&dp->lock);
	return done;
}

/* Unlinks the group; the caller waits for its bios without msg_lock. */
static int msg_detach(struct ioband_target *t, const char *arg,
		      struct ioband_group **dying)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;
	u64 id;

	if (!strcmp(arg, "-1")) {
		DMWARN_LIMIT("detach: the default group cannot be detached");
		return -EINVAL;
	}
	if (kstrtou64(arg, 10, &id)) {
		DMWARN_LIMIT("detach: invalid group ID \"%s\"", arg);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	gp = group_find(t, id);
	if (!gp) {
		spin_unlock_irq(&dp->lock);
		DMWARN_LIMIT("detach: group %llu is not attached", id);
		return -EINVAL;
	}
	/* new bios go to the default group; held ones drain unthrottled */
	rb_erase(&gp->node, &t->tree);
	list_del_init(&gp->tgt_entry);
	t->ngroups--;
	gp->dying = true;
	group_leave_domain(dp, gp);
	dp->policy->recalc(dp);
	spin_unlock_irq(&dp->lock);

	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
	*dying = gp;
	return 0;
}

static int msg_type(struct ioband_target *t, const char *arg)
{
	const struct ioband_type *type = ioband_type_find(arg);

	if (!type) {
		DMWARN_LIMIT("type: unknown type \"%s\" (none, user, uid, gid, pid, pgrp, cgroup)", arg);
		return -EINVAL;
	}
	if (type == t->type)
		return 0;
	if (t->ngroups) {
		DMWARN_LIMIT("type: %u groups are attached: detach them first", t->ngroups);
		return -EBUSY;
	}
	WRITE_ONCE(t->type, type);
	return 0;
}

static int msg_weight(struct ioband_target *t, char *arg)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp = &t->defgrp;
	char *idstr, *valstr;
	unsigned int w;
	u64 id;

	split_id_value(arg, &idstr, &valstr);
	if (parse_uint(valstr, 1, IOBAND_MAX_WEIGHT, &w)) {
		DMWARN_LIMIT("weight: invalid weight \"%s\" (1 to %u)", valstr, IOBAND_MAX_WEIGHT);
		return -EINVAL;
	}
	if (idstr && strcmp(idstr, "-1") && kstrtou64(idstr, 10, &id)) {
		DMWARN_LIMIT("weight: invalid group ID \"%s\"", idstr);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	if (idstr && strcmp(idstr, "-1")) {
		gp = group_find(t, id);
		if (!gp) {
			spin_unlock_irq(&dp->lock);
			DMWARN_LIMIT("weight: group %llu is not attached", id);
			return -EINVAL;
		}
	}
	group_set_weight(dp, gp, w);
	dp->policy->recalc(dp);
	spin_unlock_irq(&dp->lock);
	wake_up_all(&dp->waitq);
	return 0;
}

/* Domain-wide numbers: token, io_throttle, io_limit. */
static int msg_domain(struct ioband_target *t, const char *cmd, const char *arg)
{
	struct ioband_device *dp = t->dp;
	unsigned int v;
	int r = 0;

	if (!strcmp(cmd, "token")) {
		if (parse_uint(arg, 1, IOBAND_MAX_TOKEN, &v)) {
			DMWARN_LIMIT("token: invalid value \"%s\" (1 to %u)", arg, IOBAND_MAX_TOKEN);
			return -EINVAL;
		}
	} else if (parse_uint(arg, 1, IOBAND_MAX_LIMIT, &v)) {
		DMWARN_LIMIT("%s: invalid value \"%s\" (1 to %u)", cmd, arg, IOBAND_MAX_LIMIT);
		return -EINVAL;
	}

	spin_lock_irq(&dp->lock);
	if (!strcmp(cmd, "token")) {
		dp->token_base = v;
	} else if (!strcmp(cmd, "io_throttle")) {
		if (v >= dp->io_limit)
			r = -EINVAL;
		else
			dp->io_throttle = v;
	} else {
		if (v <= dp->io_throttle) {
			r = -EINVAL;
		} else {
			dp->io_limit = v;
			dp->plugged = dp->issued >= v;
		}
	}
	if (!r)
		dp->policy->recalc(dp);
	spin_unlock_irq(&dp->lock);
	if (r) {
		DMWARN_LIMIT("%s: %u must be %s than io_%s", cmd, v,
			     strcmp(cmd, "io_limit") ? "less" : "greater",
			     strcmp(cmd, "io_limit") ? "limit" : "throttle");
		return r;
	}
	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
	return 0;
}

static int msg_policy(struct ioband_target *t, const char *arg)
{
	const struct ioband_policy_ops *p = ioband_policy_find(arg);
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;

	if (!p) {
		DMWARN_LIMIT("policy: unknown policy \"%s\" (weight, weight-iosize, fair, fair-iosize)",
			     arg);
		return -EINVAL;
	}
	spin_lock_irq(&dp->lock);
	dp->policy = p;
	list_for_each_entry(gp, &dp->groups, dom_entry)
		p->group_init(gp);
	p->recalc(dp);
	spin_unlock_irq(&dp->lock);
	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
	return 0;
}

static void msg_reset(struct ioband_target *t)
{
	struct ioband_group *gp;

	spin_lock_irq(&t->dp->lock);
	memset(t->defgrp.stat, 0, sizeof(t->defgrp.stat));
	list_for_each_entry(gp, &t->groups, tgt_entry)
		memset(gp->stat, 0, sizeof(gp->stat));
	spin_unlock_irq(&t->dp->lock);
}

static int ioband_message(struct dm_target *ti, unsigned int argc, char **argv,
			  char *result, unsigned int maxlen)
{
	struct ioband_target *t = ti->private;
	const char *cmd = argc ? argv[0] : "";
	struct ioband_group *dying = NULL;
	int r;

	if (argc == 1 && !strcmp(cmd, "reset")) {
		msg_reset(t);
		return 0;
	}
	if (argc != 2) {
		DMWARN_LIMIT("%s: message must be \"reset\" or \"<command> <value>\"",
			     dm_table_device_name(ti->table));
		return -EINVAL;
	}

	mutex_lock(&t->msg_lock);
	if (!strcmp(cmd, "type"))
		r = msg_type(t, argv[1]);
	else if (!strcmp(cmd, "attach"))
		r = msg_attach(t, argv[1]);
	else if (!strcmp(cmd, "detach"))
		r = msg_detach(t, argv[1], &dying);
	else if (!strcmp(cmd, "weight"))
		r = msg_weight(t, argv[1]);
	else if (!strcmp(cmd, "token") || !strcmp(cmd, "io_throttle") ||
		 !strcmp(cmd, "io_limit"))
		r = msg_domain(t, cmd, argv[1]);
	else if (!strcmp(cmd, "policy"))
		r = msg_policy(t, argv[1]);
	else {
		DMWARN_LIMIT("%s: unknown message \"%s\"",
			     dm_table_device_name(ti->table), cmd);
		r = -EINVAL;
	}
	mutex_unlock(&t->msg_lock);

	/*
	 * detach returns once the group's bios are done.  The table cannot
	 * go away meanwhile: the message ioctl holds a reference to it.
	 */
	if (dying) {
		wait_event(t->dp->waitq, group_drained(t->dp, dying));
		kfree(dying);
	}
	return r;
}

static int ioband_iterate_devices(struct dm_target *ti,
				  iterate_devices_callout_fn fn, void *data)
{
	struct ioband_target *t = ti->private;

	return fn(ti, t->dev, 0, ti->len, data);
}

static struct target_type ioband_target = {
	.name = "ioband",
	.version = {1, 0, 0},
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
