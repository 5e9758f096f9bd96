// SPDX-License-Identifier: GPL-2.0
/*
 * ioband domains (device groups) and the groups of their targets: lookup,
 * lifetime, and who counts in a domain's shares.
 */
#include "dm-ioband.h"
#include "compat.h"

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/slab.h>

#define DM_MSG_PREFIX "ioband"

/* Domains and targets, looked up by ctr/dtr/resume only. */
DEFINE_MUTEX(ioband_mutex);
static LIST_HEAD(ioband_devices);
static LIST_HEAD(ioband_targets);

void ioband_group_insert(struct ioband_target *t, struct ioband_group *gp)
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

void ioband_group_init(struct ioband_group *gp, struct ioband_target *t,
		       u64 id, unsigned int weight)
{
	gp->tgt = t;
	gp->id = id;
	gp->weight = weight;
	gp->eweight = weight;
	RB_CLEAR_NODE(&gp->node);
	INIT_LIST_HEAD(&gp->tgt_entry);
	INIT_LIST_HEAD(&gp->dom_entry);
	INIT_LIST_HEAD(&gp->backlog_entry);
	bio_list_init(&gp->held_bios);
	gp->hold_limit = 1;
	gp->token_init = 1;
}

/* Count the group's weight in the domain. */
void ioband_group_join_domain(struct ioband_device *dp, struct ioband_group *gp)
{
	lockdep_assert_held(&dp->lock);
	if (gp->in_domain)
		return;
	gp->in_domain = true;
	list_add_tail(&gp->dom_entry, &dp->groups);
	if (gp->floored)
		dp->any_floor = true;
	ioband_policy_group_init(dp, gp);
}

void ioband_group_leave_domain(struct ioband_device *dp,
			       struct ioband_group *gp)
{
	lockdep_assert_held(&dp->lock);
	if (!gp->in_domain)
		return;
	gp->in_domain = false;
	list_del_init(&gp->dom_entry);
	/* a group that left sends nothing: keep no room for it */
	if (dp->antic == gp)
		dp->antic = NULL;
}

void ioband_group_set_weight(struct ioband_device *dp, struct ioband_group *gp,
			     unsigned int weight)
{
	lockdep_assert_held(&dp->lock);
	/* the caller recalculates the shares */
	gp->weight = weight;
}

/* A group the data path does not see yet: no lock needed. */
void ioband_group_set_limits(struct ioband_group *gp,
			     const struct ioband_limits *l)
{
	gp->caps = l->caps;
	gp->floor = l->floor;
	ioband_cap_kinds_update(gp);
	gp->idle_class = l->idle_class;
	gp->write_weight = l->write_weight;
}

int ioband_target_add_group(struct ioband_target *t, u64 id,
			    unsigned int weight, const struct ioband_limits *l)
{
	struct ioband_group *gp = kzalloc(sizeof(*gp), GFP_KERNEL);

	if (!gp)
		return -ENOMEM;
	ioband_group_init(gp, t, id, weight);
	ioband_group_set_limits(gp, l);
	ioband_group_insert(t, gp);
	return 0;
}

void ioband_target_free_groups(struct ioband_target *t)
{
	struct ioband_group *gp, *tmp;

	list_for_each_entry_safe(gp, tmp, &t->groups, tgt_entry) {
		list_del(&gp->tgt_entry);
		kfree(gp);
	}
	t->tree = RB_ROOT;
	t->ngroups = 0;
}

/*
 * Something changed that a sleeping submitter or held bios wait for: every
 * sleeper checks its group's room again, and the dispatcher runs.
 */
void ioband_wake_and_dispatch(struct ioband_device *dp)
{
	wake_up_all(&dp->waitq);
	queue_work(dp->wq, &dp->dispatch_work);
}

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
	INIT_LIST_HEAD(&dp->parked);
	dp->set_throttle = IOBAND_DEFAULT_THROTTLE;
	dp->set_limit = IOBAND_AUTO_LIMIT;
	/* no target is live yet: the depth below is unknown */
	dp->io_limit = IOBAND_AUTO_LIMIT;
	dp->io_throttle = IOBAND_DEFAULT_THROTTLE;
	dp->token_base = IOBAND_DEFAULT_TOKEN;
	dp->policy = ioband_policy_default;
	init_waitqueue_head(&dp->waitq);
	INIT_WORK(&dp->dispatch_work, ioband_dispatch_work);
	hrtimer_setup(&dp->antic_timer, ioband_antic_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	hrtimer_setup(&dp->cap_timer, ioband_cap_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
	list_add_tail(&dp->entry, &ioband_devices);
	return dp;
}

/* The domain @id, made if there is none (*@created); NULL: out of memory. */
struct ioband_device *ioband_device_get(unsigned int id, bool *created)
{
	struct ioband_device *dp;

	lockdep_assert_held(&ioband_mutex);
	*created = false;
	list_for_each_entry(dp, &ioband_devices, entry) {
		if (dp->id == id) {
			dp->refs++;
			return dp;
		}
	}
	*created = true;
	return ioband_device_new(id);
}

void ioband_device_put(struct ioband_device *dp)
{
	lockdep_assert_held(&ioband_mutex);
	if (--dp->refs)
		return;
	list_del(&dp->entry);
	/* no target is left to arm it again; the timer queues work */
	hrtimer_cancel(&dp->antic_timer);
	hrtimer_cancel(&dp->cap_timer);
	destroy_workqueue(dp->wq);
	kfree(dp);
}

/* The target can be found by a later table line's ctr and resume. */
void ioband_target_publish(struct ioband_target *t)
{
	lockdep_assert_held(&ioband_mutex);
	list_add_tail(&t->entry, &ioband_targets);
}

void ioband_target_unpublish(struct ioband_target *t)
{
	lockdep_assert_held(&ioband_mutex);
	list_del(&t->entry);
}

/* The live target this one replaces on a table reload, if any. */
struct ioband_target *ioband_find_predecessor(struct ioband_target *t)
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

/*
 * The queue depth of @t's device: the tags of one hardware queue, or fewer
 * if nr_requests was lowered.  0 for a bio-based device (device-mapper,
 * md): its depth is that of devices it does not name.
 */
unsigned int ioband_read_depth(struct ioband_target *t)
{
	struct request_queue *q = bdev_get_queue(t->dev->bdev);
	unsigned long depth;

	if (!queue_is_mq(q) || !q->tag_set)
		return 0;
	depth = READ_ONCE(q->tag_set->queue_depth);
	/* with a scheduler, nr_requests counts its requests, not tags */
	depth = min_t(unsigned long, depth, READ_ONCE(q->nr_requests));
	return min_t(unsigned long, depth, IOBAND_MAX_LIMIT);
}

/*
 * io_limit and io_throttle as the data path uses them.  An auto io_limit
 * is the deepest device of the domain's live targets, or 128 while none
 * is known; io_throttle stays below it.
 */
void ioband_update_limits(struct ioband_device *dp)
{
	unsigned int lim = dp->set_limit, depth = 0;
	struct ioband_group *gp;
	bool rot = false;

	lockdep_assert_held(&dp->lock);
	/* the time policy takes turns on a disk that seeks */
	list_for_each_entry(gp, &dp->groups, dom_entry)
		if (gp->is_default && gp->tgt->rotational)
			rot = true;
	dp->rotational = rot;
	if (lim == IOBAND_AUTO_LIMIT) {
		list_for_each_entry(gp, &dp->groups, dom_entry)
			if (gp->is_default)
				depth = max(depth, gp->tgt->depth);
		lim = depth ?: IOBAND_AUTO_LIMIT;
	}
	/* io_throttle is at least 1: a limit of 2 is the least that works */
	lim = max(lim, 2U);
	if (lim == dp->io_limit && dp->io_throttle == min(dp->set_throttle, lim - 1))
		return;
	dp->io_limit = lim;
	dp->io_throttle = min(dp->set_throttle, lim - 1);
	dp->plugged = dp->issued >= dp->io_limit;
	ioband_recalc_shares(dp);
}

/* map(), once a second: has the depth below changed (nr_requests)? */
void ioband_recheck_depth(struct ioband_target *t)
{
	unsigned int depth = ioband_read_depth(t);
	bool rot = ioband_bdev_rot(t->dev->bdev);

	lockdep_assert_held(&t->dp->lock);
	t->depth_at = jiffies + IOBAND_DEPTH_RECHECK;
	if (depth == t->depth && rot == t->rotational)
		return;
	t->depth = depth;
	t->rotational = rot;
	if (t->active)
		ioband_update_limits(t->dp);
}

/* The target's groups count in the domain's shares from now on. */
void ioband_target_join_domain(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;

	lockdep_assert_held(&dp->lock);
	t->suspending = false;
	t->noflush = false;
	ioband_group_join_domain(dp, &t->defgrp);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		ioband_group_join_domain(dp, gp);
	t->active = true;
	/* the device below may have changed while we were suspended */
	t->depth = ioband_read_depth(t);
	t->rotational = ioband_bdev_rot(t->dev->bdev);
	t->depth_at = jiffies + IOBAND_DEPTH_RECHECK;
	ioband_recalc_shares(dp);
	ioband_update_limits(dp);
}

void ioband_target_leave_domain(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;
	struct ioband_group *gp;

	spin_lock_irq(&dp->lock);
	ioband_group_leave_domain(dp, &t->defgrp);
	list_for_each_entry(gp, &t->groups, tgt_entry)
		ioband_group_leave_domain(dp, gp);
	t->active = false;
	ioband_recalc_shares(dp);
	ioband_update_limits(dp);
	spin_unlock_irq(&dp->lock);
	wake_up_all(&dp->waitq);
}

/*
 * io_throttle and io_limit as set (the table prints them); the data path's
 * follow.  Checked by the caller: ctr for the line, msg_domain for messages.
 */
void ioband_set_throttle_limit(struct ioband_device *dp, unsigned int thr,
			       unsigned int lim)
{
	lockdep_assert_held(&dp->lock);
	dp->set_throttle = thr;
	dp->set_limit = lim;
	/* force the recomputation: ioband_update_limits() skips no change */
	dp->io_limit = 0;
	ioband_update_limits(dp);
}

static void apply_throttle_limit(struct ioband_target *t, unsigned int thr,
				 unsigned int lim)
{
	struct ioband_device *dp = t->dp;

	if (!ioband_throttle_below_limit(thr, lim)) {
		DMWARN("%s: table asks io_throttle %u io_limit %u, device group %u keeps %u %u",
		       dm_table_device_name(t->ti->table), thr, lim,
		       dp->id, dp->set_throttle, dp->set_limit);
		return;
	}
	ioband_set_throttle_limit(dp, thr, lim);
}

/*
 * The domain settings the table line asked for (t->want) take effect: at
 * ctr for the domain it creates, otherwise when the table goes live.  A
 * domain whose io_throttle or io_limit changed since ctr checked them may
 * no longer fit the pair: it keeps its own.
 */
void ioband_apply_settings(struct ioband_target *t)
{
	struct ioband_device *dp = t->dp;
	struct ioband_settings *s = &t->want;

	lockdep_assert_held(&dp->lock);
	if (s->throttle || s->limit)
		apply_throttle_limit(t, s->throttle ?: dp->set_throttle,
				     s->limit ?: dp->set_limit);
	if (s->token)
		dp->token_base = s->token;
	if (s->policy)
		dp->policy = s->policy;
	memset(s, 0, sizeof(*s));
}
