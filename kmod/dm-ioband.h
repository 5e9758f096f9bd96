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
 * All scheduling state of a domain is protected by ioband_device.lock.
 */
#ifndef DM_IOBAND_H
#define DM_IOBAND_H

#include <linux/bio.h>
#include <linux/device-mapper.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#define IOBAND_VERSION_STR	"1.0.0"

#define IOBAND_DEFAULT_THROTTLE	4
#define IOBAND_DEFAULT_LIMIT	128
#define IOBAND_DEFAULT_TOKEN	2048
#define IOBAND_DEFAULT_WEIGHT	100

/* Upper bounds keep the u64 share arithmetic exact and memory bounded. */
#define IOBAND_MAX_LIMIT	65536
#define IOBAND_MAX_TOKEN	(1U << 30)
#define IOBAND_MAX_WEIGHT	1000000
#define IOBAND_MAX_GROUPS	4096
/* bios dispatched per run of the dispatch work, with interrupts off */
#define IOBAND_DISPATCH_BATCH	128
/* fair: a busy group keeps this many bios ready before its submitters sleep */
#define IOBAND_FAIR_MIN_HOLD	8
/* fair: the longest a free slot is kept for a group that just went idle */
#define IOBAND_ANTIC_MAX_NS	(8 * NSEC_PER_MSEC)

struct ioband_group;
struct ioband_device;

/*
 * A scheduling policy decides which held bio goes next.  Every hook runs
 * under ioband_device.lock.
 */
struct ioband_policy_ops {
	const char *name;
	/* weights, token_base or io_limit changed: recompute per-group shares */
	void (*recalc)(struct ioband_device *dp);
	/* group joined the domain's accounting */
	void (*group_init)(struct ioband_group *gp);
	/* > 0: may dispatch now, larger is more urgent; 0: must wait */
	int (*can_dispatch)(struct ioband_group *gp);
	/* bio is being dispatched: charge it */
	void (*charge)(struct ioband_group *gp, struct bio *bio);
	/* nothing can dispatch while the disk has room: start a new epoch */
	bool (*new_epoch)(struct ioband_device *dp);
	/* the backlogged group to serve next */
	struct ioband_group *(*pick)(struct ioband_device *dp);
	/*
	 * optional: @gp just went idle while others wait; nanoseconds to keep
	 * the disk's free room for its next bio, or 0 to hand it on at once
	 */
	u64 (*anticipate)(struct ioband_device *dp, struct ioband_group *gp);
	/* held bios go as soon as the disk has room, not at an epoch's end */
	bool work_conserving;
};

extern const struct ioband_policy_ops ioband_policy_weight;
extern const struct ioband_policy_ops ioband_policy_weight_iosize;
extern const struct ioband_policy_ops ioband_policy_fair;
extern const struct ioband_policy_ops ioband_policy_fair_iosize;
const struct ioband_policy_ops *ioband_policy_find(const char *name);

/* Who issued a bio: maps it to a group ID. */
struct ioband_type {
	const char *name;
	u64 max_id;		/* largest ID that can be attached */
	u64 (*getid)(struct bio *bio);	/* NULL: every bio is the default group's */
};

const struct ioband_type *ioband_type_find(const char *name);
extern const struct ioband_type ioband_type_none;

struct ioband_stat {
	u64 reqs;
	u64 delayed;
	u64 sectors;
};

struct ioband_group {
	struct ioband_target *tgt;
	u64 id;
	bool is_default;
	bool dying;		/* being detached: drain, do not throttle */
	bool in_domain;		/* counted in ioband_device.groups */
	unsigned int weight;

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

	bool active;		/* resumed: groups count in the domain */
	bool suspending;	/* presuspend ran: drain, do not throttle */
	bool noflush;		/* ... and push held bios back to dm core */

	/* domain settings the table line asked for, applied at resume */
	unsigned int want_throttle, want_limit, want_token;
	const struct ioband_policy_ops *want_policy;
};

struct ioband_device {
	struct list_head entry;		/* ioband_devices (global) */
	unsigned int id;		/* device-group ID */
	unsigned int refs;		/* targets using this domain */

	spinlock_t lock;
	struct list_head groups;	/* groups of active targets */
	struct list_head backlog;	/* groups holding bios */
	u64 weight_total;		/* sum of weights in groups */
	unsigned int io_throttle;
	unsigned int io_limit;
	unsigned int token_base;
	const struct ioband_policy_ops *policy;
	unsigned int epoch;
	u64 vtime;			/* fair: start tag of the last dispatch */
	unsigned int issued;		/* dispatched and not completed */
	unsigned int held;		/* held in all groups */
	bool plugged;			/* issued hit io_limit, reopen at io_throttle */
	/*
	 * fair: room kept for this group's next bio until antic_until (ns).
	 * Only compared, never dereferenced: a stale pointer just expires.
	 */
	struct ioband_group *antic;
	u64 antic_until;
	u64 service_ns;			/* mean time a bio spends below us */
	struct hrtimer antic_timer;	/* restarts dispatch when it expires */

	wait_queue_head_t waitq;	/* blocked submitters, draining detach */
	struct work_struct dispatch_work;
	struct workqueue_struct *wq;
};

/* ioband-policy.c helpers shared by the policies */
void ioband_recalc_shares(struct ioband_device *dp);

#endif /* DM_IOBAND_H */
