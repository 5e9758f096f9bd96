// SPDX-License-Identifier: GPL-2.0
/*
 * ioband scheduling policies.
 *
 * "weight": each epoch the domain hands out token_base tokens, split between
 * its groups in proportion to their weights; one token per bio.  A group
 * without tokens waits until every group that has work has spent its tokens
 * and the disk has fewer than io_throttle bios in flight; then a new epoch
 * refills everybody.  Idle groups do not hold the disk back: their unused
 * tokens simply expire at the next epoch.
 *
 * "weight-iosize": the same, but a bio costs its size in sectors, so a share
 * means bytes rather than requests.
 *
 * "fair" and "fair-iosize": start-time fair queueing, no epochs (see below).
 */
#include "dm-ioband.h"
#include <linux/bits.h>
#include <linux/math64.h>

/*
 * Shares depend on every weight in the domain, so they are recomputed on
 * every change of weight, membership, token_base or io_limit.  u64 keeps
 * token_base * weight exact (both are bounded well below 2^32).
 */
void ioband_recalc_shares(struct ioband_device *dp)
{
	struct ioband_group *gp;

	lockdep_assert_held(&dp->lock);
	if (!dp->weight_total)
		return;
	list_for_each_entry(gp, &dp->groups, dom_entry) {
		u64 tokens = div64_u64((u64)dp->token_base * gp->weight,
				       dp->weight_total);
		u64 limit = div64_u64((u64)dp->io_limit * gp->weight,
				      dp->weight_total);

		gp->token_init = max_t(u64, tokens, 1);
		gp->token = gp->token_init;
		gp->hold_limit = limit + 1;
		/*
		 * fair dispatches the moment the disk has room: a group whose
		 * submitter is still waking up would lose its turn
		 */
		if (ioband_policy_work_conserving(dp))
			gp->hold_limit = max_t(u64, gp->hold_limit,
					       IOBAND_FAIR_MIN_HOLD);
	}
}

/* Every group with work gets the tokens of the epoch it missed. */
void ioband_policy_refill_backlog(struct ioband_device *dp)
{
	struct ioband_group *gp;

	lockdep_assert_held(&dp->lock);
	if (!dp->policy->ops->refill)
		return;
	list_for_each_entry(gp, &dp->backlog, backlog_entry)
		dp->policy->ops->refill(gp);
}

static void weight_group_init(struct ioband_group *gp)
{
	gp->epoch = gp->tgt->dp->epoch;
}

/* Larger when more of the group's tokens are left: interleaves groups. */
static int weight_priority(struct ioband_group *gp)
{
	s64 frac = div64_s64(gp->token * 1024, gp->token_init);

	return (int)clamp_t(s64, frac, 0, 1024) + 1;
}

static int weight_can_dispatch(struct ioband_group *gp)
{
	return gp->token > 0 ? weight_priority(gp) : 0;
}

/* The backlogged group with the most of its tokens left. */
static struct ioband_group *weight_pick(struct ioband_device *dp)
{
	struct ioband_group *gp, *best = NULL;
	int prio, best_prio = 0;

	list_for_each_entry(gp, &dp->backlog, backlog_entry) {
		prio = weight_can_dispatch(gp);
		if (prio > best_prio) {
			best = gp;
			best_prio = prio;
		}
	}
	return best;
}

/* Once an epoch, refill a group that ran out; debt (iosize) carries over. */
static void weight_refill(struct ioband_group *gp)
{
	struct ioband_device *dp = gp->tgt->dp;

	if (gp->token <= 0 && gp->epoch != dp->epoch) {
		gp->token = min(gp->token + gp->token_init, gp->token_init);
		gp->epoch = dp->epoch;
	}
}

/*
 * A group dispatches only with tokens left, so a cost of 1 never reaches
 * the bound; with iosize it keeps one huge discard from stalling a group
 * for long.
 */
static void weight_charge(struct ioband_group *gp, u64 cost)
{
	gp->token = max(gp->token - (s64)cost, -4 * gp->token_init);
}

static bool weight_new_epoch(struct ioband_device *dp)
{
	dp->epoch++;
	return true;
}

static const struct ioband_policy_ops weight_ops = {
	.group_init = weight_group_init,
	.refill = weight_refill,
	.can_dispatch = weight_can_dispatch,
	.charge = weight_charge,
	.new_epoch = weight_new_epoch,
	.pick = weight_pick,
};

/*
 * "fair": every group has a virtual time that a dispatch advances by the
 * bio's cost over the group's weight.  Whenever the disk has room, the
 * backlogged group with the earliest virtual time sends its next bio.
 * There are no epochs: the split holds over any stretch of time in which
 * the groups are busy, and an idle group's share goes to the busy ones at
 * once.  A group starts no earlier than the domain's virtual time (the
 * start of the last dispatch), so being idle earns no credit.
 * Virtual times are compared modulo 2^64, like jiffies.
 */
#define IOBAND_VT_SCALE	BIT_ULL(20)	/* weight 10^6 still advances */

static bool vt_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static u64 fair_start(struct ioband_device *dp, struct ioband_group *gp)
{
	return vt_before(gp->vtag, dp->vtime) ? dp->vtime : gp->vtag;
}

static void fair_group_init(struct ioband_group *gp)
{
	gp->vtag = gp->tgt->dp->vtime;
}

/* A group may go past the queue only when nobody else is waiting in it. */
static int fair_can_dispatch(struct ioband_group *gp)
{
	return list_empty(&gp->tgt->dp->backlog) ||
	       !list_empty(&gp->backlog_entry);
}

static struct ioband_group *fair_pick(struct ioband_device *dp)
{
	struct ioband_group *gp, *best = NULL;
	u64 tag, best_tag = 0;

	list_for_each_entry(gp, &dp->backlog, backlog_entry) {
		tag = fair_start(dp, gp);
		if (!best || vt_before(tag, best_tag)) {
			best = gp;
			best_tag = tag;
		}
	}
	return best;
}

/*
 * A group that reads one bio at a time is idle between its bios for as long
 * as its process needs to send the next one.  Handing the free room to the
 * other groups then would leave it behind them at every bio, so keep the
 * room for it, for about twice its usual think time, if it is the group
 * that should go next anyway (BFQ idles for the same reason).
 */
static u64 fair_anticipate(struct ioband_device *dp, struct ioband_group *gp)
{
	struct ioband_group *other;
	u64 start = fair_start(dp, gp);

	/*
	 * Keeping the room pays only if the group comes back well within
	 * the time the disk takes for a bio; on a fast disk it would idle.
	 */
	if (!gp->think_ns || gp->think_ns > IOBAND_ANTIC_MAX_NS / 2 ||
	    2 * gp->think_ns > dp->service_ns)
		return 0;
	list_for_each_entry(other, &dp->backlog, backlog_entry)
		if (vt_before(fair_start(dp, other), start))
			return 0;
	return 2 * gp->think_ns + 100 * NSEC_PER_USEC;
}

static void fair_charge(struct ioband_group *gp, u64 cost)
{
	struct ioband_device *dp = gp->tgt->dp;
	u64 start = fair_start(dp, gp);

	dp->vtime = start;
	gp->vtag = start + div_u64(cost * IOBAND_VT_SCALE, gp->weight);
}

static const struct ioband_policy_ops fair_ops = {
	.group_init = fair_group_init,
	.can_dispatch = fair_can_dispatch,
	.charge = fair_charge,
	.pick = fair_pick,
	.anticipate = fair_anticipate,
	.work_conserving = true,
};

static const struct ioband_policy ioband_policies[] = {
	{ "weight",		&weight_ops,	false },
	{ "weight-iosize",	&weight_ops,	true },
	{ "fair",		&fair_ops,	false },
	{ "fair-iosize",	&fair_ops,	true },
};

/* what a new domain uses, and the seed's alias "default" */
const struct ioband_policy *const ioband_policy_default = &ioband_policies[0];

const struct ioband_policy *ioband_policy_find(const char *name)
{
	int i;

	/* "default" was the seed's alias for the weight policy */
	if (!strcmp(name, "default"))
		return ioband_policy_default;
	for (i = 0; i < ARRAY_SIZE(ioband_policies); i++)
		if (!strcmp(name, ioband_policies[i].name))
			return &ioband_policies[i];
	return NULL;
}
