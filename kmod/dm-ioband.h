/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioband: proportional I/O bandwidth control for device-mapper.
 *
 * Objects:
 *  ioband_device  one bandwidth domain: every ioband target created with the
 *                 same device-group ID shares it (normally one physical disk).
 *  ioband_target  one ioband target (one dm table line).
 *  ioband_group   one job on a target: the default group (ID -1) or a group
 *                 attached by ID (uid, gid, pid, pgrp or cgroup ID).
 *
 * Files:
 *  ioband-target.c   the target type and the data path (map, end_io,
 *                    dispatch, anticipation)
 *  ioband-table.c    the table line, ctr and dtr
 *  ioband-domain.c   domains, groups, and targets joining and leaving them
 *  ioband-suspend.c  suspend and resume
 *  ioband-message.c  messages and status
 *  ioband-policy.c   the scheduling policies
 *  ioband-type.c     the group types: who issued a bio
 *  ioband-cgroup.c   the cgroup type's hierarchy: nearest attached ancestor
 *  ioband-cap.c      caps: a group's maximum rates
 *  compat.h          all that depends on the kernel version
 */
#ifndef DM_IOBAND_H
#define DM_IOBAND_H

#include <linux/bio.h>
#include <linux/bits.h>
#include <linux/device-mapper.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define IOBAND_VERSION_STR	"1.3.0"

#define IOBAND_DEFAULT_THROTTLE	4
/*
 * io_limit 128, the 2008 default, means "auto": follow the queue depth of
 * the device below.  So the seed's table line prints as it always did and
 * round-trips; any other value pins io_limit.
 */
#define IOBAND_DEFAULT_LIMIT	128
#define IOBAND_AUTO_LIMIT	IOBAND_DEFAULT_LIMIT
/* auto io_limit: how often map() looks at the depth below again */
#define IOBAND_DEPTH_RECHECK	HZ
#define IOBAND_DEFAULT_TOKEN	2048
#define IOBAND_DEFAULT_WEIGHT	100

/*
 * Upper bounds keep the u64 share arithmetic exact and memory bounded.
 * Plain numbers: the table's error messages spell them (__stringify).
 */
#define IOBAND_MAX_DEVGROUP	2147483647	/* INT_MAX */
#define IOBAND_MAX_THROTTLE	65535		/* below IOBAND_MAX_LIMIT */
#define IOBAND_MAX_LIMIT	65536
#define IOBAND_MAX_TOKEN	1073741824	/* 2^30 */
#define IOBAND_MAX_WEIGHT	1000000
#define IOBAND_MAX_GROUPS	4096
/* bios dispatched per run of the dispatch work, with interrupts off */
#define IOBAND_DISPATCH_BATCH	128
/* fair: a busy group keeps this many bios ready before its submitters sleep */
#define IOBAND_FAIR_MIN_HOLD	8
/* fair: the longest a free slot is kept for a group that just went idle */
#define IOBAND_ANTIC_MAX_NS	(8 * NSEC_PER_MSEC)
/* time policy, rotating disk: how long a group has the disk to itself */
#define IOBAND_SLICE_NS		(100 * NSEC_PER_MSEC)
/* time policy, other disks: bios in flight while groups compete */
#define IOBAND_TIME_DEPTH	8
/* charge multipliers (write weights): 1 is this much */
#define IOBAND_MULT_ONE		1024U
#define IOBAND_MULT_MAX		(64 * IOBAND_MULT_ONE)
#define IOBAND_MULT_MIN		(IOBAND_MULT_ONE / 64)
/* a hierarchical share of the whole domain, as the policies' weight */
#define IOBAND_SHARE_ONE	BIT(20)
/* attached cgroups nested deeper than this are refused (bounds the walks) */
#define IOBAND_MAX_NESTING	16
/* nested shares: a group idle this long stops counting in its parent's */
#define IOBAND_IDLE_MS		100
/* floors: the most a group waiting all along is owed (bounds the catch-up) */
#define IOBAND_FLOOR_WINDOW_NS	(1000 * NSEC_PER_MSEC)
/* caps: how far a group may run ahead of its rate (the burst it may send) */
#define IOBAND_CAP_BURST_NS	(50 * NSEC_PER_MSEC)
/*
 * idle class: how long the other groups must have been idle first; long
 * enough for a reader that thinks a few ms and is scheduled late (10 ms
 * let idle bios in beside a 2 ms-think reader on a loaded guest)
 */
#define IOBAND_IDLE_GRACE_MS	20
/* caps: the largest rates; their cost arithmetic stays within u64 */
#define IOBAND_CAP_MAX_BPS	1125899906842624ULL	/* 2^50 */
#define IOBAND_CAP_MAX_IOPS	1000000000ULL
/* map(): cgroup ID to group, per target (2^bits entries) */
#define IOBAND_CG_CACHE_BITS	6

struct ioband_group;
struct ioband_device;
struct ioband_bio;

/*
 * Locking, outermost first:
 *
 *   ioband_mutex      the lists of domains and targets, and a domain's
 *                     reference count: ctr, dtr and resume.
 *   ioband_target.msg_lock
 *                     one target's groups and type as messages change them;
 *                     ctr takes a predecessor's to copy them.
 *   ioband_device.lock
 *                     all scheduling state of a domain, and the groups of
 *                     its targets.  Taken with interrupts off: end_io may run
 *                     in interrupt context.  Never held across a sleep.
 *
 * A lock may be taken while holding the ones above it, never the reverse.
 */
extern struct mutex ioband_mutex;

/*
 * A scheduling family: how groups take turns.  Every hook runs under
 * ioband_device.lock with interrupts off and must not sleep.  They are
 * called from map() (the submitter), end_io() (possibly in interrupt
 * context), the dispatch work, and message, resume and suspend handlers.
 * Optional hooks may be NULL: call them through the ioband_policy_*()
 * wrappers below, which supply the default.
 */
struct ioband_policy_ops {
	/* @gp joined the domain's accounting, or the domain changed policy */
	void (*group_init)(struct ioband_group *gp);
	/*
	 * optional: settle what @gp is owed since it was last looked at (the
	 * weight family: the tokens of an epoch it missed).  Called before
	 * pick() considers @gp, and before can_dispatch() is asked again
	 * after it said 0.  Must not change a group that can dispatch: the
	 * data path skips it for those.
	 */
	void (*refill)(struct ioband_group *gp);
	/* > 0: may dispatch now, larger is more urgent; 0: must wait.  Pure. */
	int (*can_dispatch)(struct ioband_group *gp);
	/*
	 * a bio that costs @cost is being dispatched for @gp: charge it.
	 * @mult: its direction's weight relative to the group's weight, in
	 * 1/IOBAND_MULT_ONE (see ioband_group.write_weight)
	 */
	void (*charge)(struct ioband_group *gp, u64 cost, u32 mult);
	/*
	 * optional: nothing can dispatch while the disk has room: start a new
	 * epoch.  False (the default): there are no epochs.
	 */
	bool (*new_epoch)(struct ioband_device *dp);
	/* the backlogged group to serve next, or NULL.  Pure. */
	struct ioband_group *(*pick)(struct ioband_device *dp);
	/*
	 * optional: @gp just went idle while others wait; nanoseconds to keep
	 * the disk's free room for its next bio, or 0 (the default) to hand it
	 * on at once
	 */
	u64 (*anticipate)(struct ioband_device *dp, struct ioband_group *gp);
	/*
	 * optional, policies that anticipate: a bio of @gp completed at @now
	 * (the time policy: charge the device time it took).  Also called for
	 * bios that were not charged (ib->charged_us 0).
	 */
	void (*complete)(struct ioband_group *gp, struct ioband_bio *ib, u64 now);
	/* held bios go as soon as the disk has room, not at an epoch's end */
	bool work_conserving;
};

/* A policy as a table line or message names it: a family and a cost. */
struct ioband_policy {
	const char *name;
	const struct ioband_policy_ops *ops;
	bool iosize;		/* a bio costs its sectors rather than 1 */
};

extern const struct ioband_policy *const ioband_policy_default;
const struct ioband_policy *ioband_policy_find(const char *name);
void ioband_recalc_shares(struct ioband_device *dp);
void ioband_note_busy(struct ioband_device *dp, struct ioband_group *gp);
u64 ioband_configured_top(struct ioband_device *dp);
u64 ioband_configured_share(struct ioband_group *gp, u64 top);
void ioband_policy_refill_backlog(struct ioband_device *dp);

/* Who issued a bio: maps it to a group ID. */
struct ioband_type {
	const char *name;
	u64 max_id;		/* largest ID that can be attached */
	/* NULL: every bio is the default group's, unless @hierarchical */
	u64 (*getid)(struct bio *bio);
	/* cgroup: a bio belongs to its cgroup's nearest attached ancestor */
	bool hierarchical;
};

const struct ioband_type *ioband_type_find(const char *name);
extern const struct ioband_type ioband_type_none;

struct ioband_stat {
	u64 reqs;
	u64 delayed;
	u64 sectors;
};

/* Domain settings of a table line; 0 or NULL: not given, keep the domain's. */
struct ioband_settings {
	unsigned int throttle;
	unsigned int limit;
	unsigned int token;
	const struct ioband_policy *policy;
};

/* A group's caps, in the order the table and "limits" print them. */
enum ioband_cap_kind {
	IOBAND_CAP_READ_BPS,
	IOBAND_CAP_WRITE_BPS,
	IOBAND_CAP_BPS,
	IOBAND_CAP_READ_IOPS,
	IOBAND_CAP_WRITE_IOPS,
	IOBAND_CAP_IOPS,
	IOBAND_CAP_N
};

#define IOBAND_CAP_KEYS "read_bps, write_bps, bps, read_iops, write_iops, iops"

struct ioband_caps {
	u64 rate[IOBAND_CAP_N];		/* bytes/s or bios/s; 0: no cap */
};

struct ioband_group {
	struct ioband_target *tgt;
	u64 id;
	bool is_default;
	bool dying;		/* being detached: drain, do not throttle */
	bool in_domain;		/* counted in ioband_device.groups */
	unsigned int weight;
	/*
	 * Weight of its writes, 0: @weight.  A write is charged as if it cost
	 * weight / write_weight times what it does (at most 64 times, at
	 * least 1/64): "writes count double" is write_weight = weight / 2.
	 */
	unsigned int write_weight;
	/*
	 * What the policies weigh: @weight, or while the domain has nested
	 * groups, the group's share of the domain in IOBAND_SHARE_ONE units.
	 */
	u64 eweight;
	/* cgroup type: the nearest attached ancestor's group, NULL at the top */
	struct ioband_group *parent;
	struct ioband_group *link;	/* next @parent, under msg_lock */
	/* nested shares: only active groups (I/O in the last IOBAND_IDLE_MS) count */
	bool active;
	bool hon;			/* scratch: an active group at or below */
	unsigned long busy_at;		/* jiffies: last bio admitted */
	u64 hsum;			/* scratch: weights sharing this one's share */

	struct rb_node node;		/* ioband_target.tree, by id */
	struct list_head tgt_entry;	/* ioband_target.groups, attach order */
	struct list_head dom_entry;	/* ioband_device.groups */
	struct list_head backlog_entry;	/* ioband_device.backlog while held */

	struct bio_list held_bios;
	unsigned int held;		/* bios in held_bios */
	unsigned int inflight;		/* dispatched, not yet completed */
	unsigned int hold_limit;	/* submitters block when held reaches it */

	/* weight policy */
	s64 token;
	s64 token_init;
	unsigned int epoch;

	/* fair policies: virtual finish time of the last bio dispatched */
	u64 vtag;
	u64 idle_since;		/* ns: last bio completed, none held */
	u64 think_ns;		/* mean time from idle to the next bio */
	/* time policy: mean device time of a bio (us), charged at dispatch */
	u32 time_est_us;

	/* caps, floors and the idle class (ioband-cap.c) */
	struct ioband_caps caps;
	bool capped;			/* a rate of @caps is set */
	/*
	 * per direction (READ, WRITE), the kinds of @caps and @floor that
	 * are set and count its bios: the bits the data path looks at
	 */
	u8 cap_kinds[2];
	u8 floor_kinds[2];
	bool parked;			/* on ioband_device.parked, not backlog */
	u64 cap_tat[IOBAND_CAP_N];	/* ns: each rate's virtual clock */
	u64 park_until;			/* ns: when it may go on */
	/*
	 * ns: when it was due back from its last park, while it has bios
	 * waiting since (0: none): a late dispatcher costs it no rate
	 */
	u64 cap_resume;
	u64 parked_at;			/* ns: when it was parked */
	u64 cap_waits;			/* times parked */
	u64 cap_wait_ns;		/* time spent parked */
	struct ioband_caps floor;
	bool floored;			/* a rate of @floor is set */
	/* ns: since when its bios have waited without a break (0: none) */
	u64 floor_since;
	u64 floor_tat[IOBAND_CAP_N];	/* ns: each floor's virtual clock */
	bool idle_class;		/* served only while the others are idle */

	struct ioband_stat stat[2];	/* READ, WRITE */
};

struct ioband_target {
	struct dm_target *ti;
	struct dm_dev *dev;
	struct ioband_device *dp;
	struct list_head entry;		/* ioband_targets (global) */
	struct mutex msg_lock;		/* serialises messages */

	const struct ioband_type *type;
	struct ioband_group defgrp;
	struct rb_root tree;
	struct list_head groups;	/* attached groups in attach order */
	unsigned int ngroups;
	/* cgroup type: a cgroup's group, as last looked up; cleared on change */
	struct {
		u64 id;
		struct ioband_group *gp;	/* NULL: empty */
	} cg_cache[1 << IOBAND_CG_CACHE_BITS];

	bool active;		/* resumed: groups count in the domain */
	bool suspending;	/* presuspend ran: drain, do not throttle */
	bool noflush;		/* ... and push held bios back to dm core */

	/* domain settings the table line asked for, applied at resume */
	struct ioband_settings want;

	/* queue depth of the device below (0: not blk-mq), under dp->lock */
	unsigned int depth;
	unsigned long depth_at;		/* jiffies: look at it again */
	u64 nowait_again;		/* REQ_NOWAIT bios failed with AGAIN */
	bool rotational;	/* the device below seeks, under dp->lock */
};

struct ioband_device {
	struct list_head entry;		/* ioband_devices (global) */
	unsigned int id;		/* device-group ID */
	unsigned int refs;		/* targets using this domain */

	spinlock_t lock;		/* see "Locking" above */
	struct list_head groups;	/* groups of active targets */
	struct list_head backlog;	/* groups holding bios */
	/* groups holding bios that their caps keep back, and their bios */
	struct list_head parked;
	unsigned int parked_bios;
	struct hrtimer cap_timer;	/* unparks at cap_timer_at (ns) */
	u64 cap_timer_at;		/* 0: not armed */
	bool any_floor;			/* a group has had a floor: look for them */
	/* idle class: its bios held and in flight, and the others' last bio */
	unsigned int idle_held;
	unsigned int idle_issued;
	unsigned long normal_at;	/* jiffies */
	u64 weight_total;		/* sum of eweights in groups */
	bool nested;			/* a group has a parent: shares nest */
	unsigned long sweep_at;		/* jiffies: next look for idle groups */
	/*
	 * io_throttle and io_limit as set by the table or messages (printed),
	 * and as the data path uses them: with set_limit IOBAND_AUTO_LIMIT,
	 * io_limit is the depth below, io_throttle at most one less.
	 */
	unsigned int set_throttle;
	unsigned int set_limit;
	unsigned int io_throttle;
	unsigned int io_limit;
	unsigned int token_base;
	const struct ioband_policy *policy;
	unsigned int epoch;
	u64 vtime;			/* fair: start tag of the last dispatch */
	unsigned int issued;		/* dispatched and not completed */
	unsigned int held;		/* held in all groups, parked too */
	bool plugged;			/* issued hit io_limit, reopen at io_throttle */
	/*
	 * fair: room kept for this group's next bio until antic_until (ns).
	 * Only compared, never dereferenced: a stale pointer just expires.
	 */
	struct ioband_group *antic;
	u64 antic_until;
	u64 service_ns;			/* mean time a bio spends below us */
	struct hrtimer antic_timer;	/* restarts dispatch when it expires */
	/*
	 * time policy: a target's device below rotates (then groups take
	 * turns: this group has the disk to itself until slice_until; only
	 * compared, like antic), and when the last bio completed
	 */
	bool rotational;
	struct ioband_group *slice;
	u64 slice_until;
	u64 turn_start_ns;
	u64 last_done_ns;
	/*
	 * time policy, other disks: a clock (ns << 10) that advances by the
	 * time passed over the number of bios in flight, and when it did last
	 */
	u64 ps_clock;
	u64 ps_at;
	/* for "settings": turns taken, waits for an idle group kept, expired */
	u64 turns;
	u64 antic_kept;
	u64 antic_expired;

	wait_queue_head_t waitq;	/* blocked submitters, draining detach */
	struct work_struct dispatch_work;
	struct workqueue_struct *wq;
};

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
	u32 charged_us;		/* time policy: the estimate charged, 0: none */
	u32 charged_mult;	/* time policy: the multiplier it was charged at */
	u64 ps_start;		/* time policy: dp->ps_clock when it went down */
};

static inline struct ioband_bio *ioband_per_bio(struct bio *bio)
{
	return dm_per_bio_data(bio, sizeof(struct ioband_bio));
}

/* The policy hooks, with the defaults of the optional ones. */
static inline void ioband_policy_group_init(struct ioband_device *dp,
					    struct ioband_group *gp)
{
	dp->policy->ops->group_init(gp);
}

static inline void ioband_policy_refill(struct ioband_device *dp,
					struct ioband_group *gp)
{
	if (dp->policy->ops->refill)
		dp->policy->ops->refill(gp);
}

static inline int ioband_policy_can_dispatch(struct ioband_device *dp,
					     struct ioband_group *gp)
{
	return dp->policy->ops->can_dispatch(gp);
}

/* A write of @gp costs this much more (or less) than a read. */
static inline u32 ioband_write_mult(struct ioband_group *gp)
{
	u64 m = div_u64((u64)gp->weight * IOBAND_MULT_ONE, gp->write_weight);

	return clamp_t(u64, m, IOBAND_MULT_MIN, IOBAND_MULT_MAX);
}

static inline void ioband_policy_charge(struct ioband_device *dp,
					struct ioband_group *gp, struct bio *bio,
					struct ioband_bio *ib)
{
	u64 cost = dp->policy->iosize ? max(bio_sectors(bio), 1U) : 1;
	u32 mult = IOBAND_MULT_ONE;

	if (unlikely(gp->write_weight) && op_is_write(bio_op(bio)))
		mult = ioband_write_mult(gp);
	/*
	 * In device time: the group's mean now, corrected at completion by
	 * the time the bio took, at the same multiplier (a write weight set
	 * meanwhile applies from the next bio on).
	 */
	if (dp->policy->ops->complete) {
		cost = max(gp->time_est_us, 1U);
		ib->charged_us = cost;
		ib->charged_mult = mult;
		dp->policy->ops->charge(gp, cost, mult);
		ib->ps_start = dp->ps_clock;
		return;
	}
	dp->policy->ops->charge(gp, cost, mult);
}

static inline void ioband_policy_complete(struct ioband_device *dp,
					  struct ioband_group *gp,
					  struct ioband_bio *ib, u64 now)
{
	if (dp->policy->ops->complete)
		dp->policy->ops->complete(gp, ib, now);
}

static inline bool ioband_policy_new_epoch(struct ioband_device *dp)
{
	return dp->policy->ops->new_epoch && dp->policy->ops->new_epoch(dp);
}

static inline struct ioband_group *ioband_policy_pick(struct ioband_device *dp)
{
	return dp->policy->ops->pick(dp);
}

static inline bool ioband_policy_anticipates(struct ioband_device *dp)
{
	return dp->policy->ops->anticipate;
}

static inline u64 ioband_policy_anticipate(struct ioband_device *dp,
					   struct ioband_group *gp)
{
	if (!dp->policy->ops->anticipate)
		return 0;
	return dp->policy->ops->anticipate(dp, gp);
}

static inline bool ioband_policy_work_conserving(struct ioband_device *dp)
{
	return dp->policy->ops->work_conserving;
}

/* Draining for suspend or detach: nothing of @gp may wait any more. */
static inline bool ioband_group_bypasses(struct ioband_group *gp)
{
	return gp->dying || gp->tgt->suspending;
}

/* Has a group not of the idle class done I/O within the grace period? */
static inline bool ioband_normal_busy(struct ioband_device *dp)
{
	return dp->issued > dp->idle_issued || dp->held > dp->idle_held ||
	       time_before(jiffies, dp->normal_at +
			   msecs_to_jiffies(IOBAND_IDLE_GRACE_MS));
}

/* Are bios held that the dispatcher may send (not parked by caps)? */
static inline bool ioband_ready(struct ioband_device *dp)
{
	return dp->held > dp->parked_bios;
}

/* io_throttle must stay below io_limit: the one statement of the rule */
static inline bool ioband_throttle_below_limit(unsigned int throttle,
					       unsigned int limit)
{
	return throttle < limit;
}

/* ioband-domain.c: domains, their groups, and targets joining them */
struct ioband_device *ioband_device_get(unsigned int id, bool *created);
void ioband_device_put(struct ioband_device *dp);
void ioband_wake_and_dispatch(struct ioband_device *dp);
void ioband_group_init(struct ioband_group *gp, struct ioband_target *t,
		       u64 id, unsigned int weight);

/* The attached group @id of @t, or NULL.  Inline: map() looks up every bio. */
static inline struct ioband_group *ioband_group_find(struct ioband_target *t,
						     u64 id)
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

void ioband_group_insert(struct ioband_target *t, struct ioband_group *gp);
void ioband_group_join_domain(struct ioband_device *dp,
			      struct ioband_group *gp);
void ioband_group_leave_domain(struct ioband_device *dp,
			       struct ioband_group *gp);
void ioband_group_set_weight(struct ioband_device *dp, struct ioband_group *gp,
			     unsigned int weight);
/* What a table line or a predecessor sets beside a group's weight. */
struct ioband_limits {
	struct ioband_caps caps;
	struct ioband_caps floor;
	bool idle_class;
	unsigned int write_weight;	/* 0: the weight */
};

int ioband_target_add_group(struct ioband_target *t, u64 id,
			    unsigned int weight, const struct ioband_limits *l);
void ioband_group_set_limits(struct ioband_group *gp,
			     const struct ioband_limits *l);
void ioband_target_free_groups(struct ioband_target *t);
void ioband_target_join_domain(struct ioband_target *t);
void ioband_target_leave_domain(struct ioband_target *t);
void ioband_target_publish(struct ioband_target *t);
void ioband_target_unpublish(struct ioband_target *t);
struct ioband_target *ioband_find_predecessor(struct ioband_target *t);
void ioband_apply_settings(struct ioband_target *t);
unsigned int ioband_read_depth(struct ioband_target *t);
void ioband_update_limits(struct ioband_device *dp);
void ioband_recheck_depth(struct ioband_target *t);
void ioband_set_throttle_limit(struct ioband_device *dp, unsigned int thr,
			       unsigned int lim);

/* ioband-cgroup.c: the cgroup type's hierarchy */
struct cgroup;
struct ioband_group *ioband_cgroup_group(struct ioband_target *t,
					 struct cgroup *cg);
void ioband_cgroup_cache_clear(struct ioband_target *t);
int ioband_cgroup_link_new(struct ioband_target *t, struct ioband_group *gp);
int ioband_cgroup_link_all(struct ioband_target *t);
void ioband_cgroup_commit_links(struct ioband_target *t);
void ioband_cgroup_unlink(struct ioband_target *t, struct ioband_group *gp);

/* ioband-cap.c: caps.  All under dp->lock but parsing and printing. */
u64 ioband_cap_delay(struct ioband_group *gp, struct bio *bio, u64 now);
u64 ioband_hold_back(struct ioband_device *dp, struct ioband_group *gp,
		     struct bio *bio, u64 now);
void ioband_cap_charge(struct ioband_group *gp, struct bio *bio, u64 now);
void ioband_cap_kinds_update(struct ioband_group *gp);
struct ioband_group *ioband_floor_pick(struct ioband_device *dp, u64 now);
u64 ioband_floor_lag(struct ioband_group *gp, u64 now);
void ioband_floor_set(struct ioband_device *dp, struct ioband_group *gp,
		      const struct ioband_caps *floor);
bool ioband_floor_above_cap(const struct ioband_caps *floor,
			    const struct ioband_caps *caps);
void ioband_class_set(struct ioband_device *dp, struct ioband_group *gp,
		      bool idle);
bool ioband_cap_spent(struct ioband_group *gp, u64 now);
void ioband_cap_park(struct ioband_device *dp, struct ioband_group *gp,
		     u64 until, u64 now);
void ioband_cap_unpark_due(struct ioband_device *dp, u64 now);
void ioband_cap_forget(struct ioband_device *dp, struct ioband_group *gp);
enum hrtimer_restart ioband_cap_expired(struct hrtimer *timer);
int ioband_cap_parse(char *spec, struct ioband_caps *caps, char *why,
		     size_t len);
bool ioband_caps_any(const struct ioband_caps *caps);
void ioband_cap_set(struct ioband_device *dp, struct ioband_group *gp,
		    const struct ioband_caps *caps);
unsigned int ioband_cap_emit(const struct ioband_caps *caps, char *result,
			     unsigned int maxlen, unsigned int sz);

/* ioband-table.c: the table line, constructor and destructor */
int ioband_parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out);
int ioband_parse_id(const struct ioband_type *type, const char *s, u64 *out);
void ioband_split_id_value(char *s, char **idstr, char **valstr);
int ioband_ctr(struct dm_target *ti, unsigned int argc, char **argv);
void ioband_dtr(struct dm_target *ti);

/* ioband-target.c: the data path */
void ioband_dispatch_work(struct work_struct *work);

/* ioband-suspend.c */
void ioband_presuspend(struct dm_target *ti);
void ioband_presuspend_undo(struct dm_target *ti);
void ioband_postsuspend(struct dm_target *ti);
void ioband_resume(struct dm_target *ti);

/* ioband-message.c: messages and status */
int ioband_message(struct dm_target *ti, unsigned int argc, char **argv,
		   char *result, unsigned int maxlen);
void ioband_status(struct dm_target *ti, status_type_t type,
		   unsigned int status_flags, char *result, unsigned int maxlen);
#endif /* DM_IOBAND_H */
