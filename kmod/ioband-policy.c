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
 */
#include "dm-ioband.h"
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
	}
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
	struct ioband_device *dp = gp->tgt->dp;

	if (gp->token <= 0 && gp->epoch != dp->epoch) {
		/* refill; debt from large bios (iosize) carries over */
		gp->token = min(gp->token + gp->token_init, gp->token_init);
		gp->epoch = dp->epoch;
	}
	return gp->token > 0 ? weight_priority(gp) : 0;
}

static void weight_charge(struct ioband_group *gp, struct bio *bio)
{
	gp->token--;
}

static void iosize_charge(struct ioband_group *gp, struct bio *bio)
{
	s64 cost = max_t(s64, bio_sectors(bio), 1);

	/* bound the debt so one huge discard cannot stall a group for long */
	gp->token = max(gp->token - cost, -4 * gp->token_init);
}

static bool weight_new_epoch(struct ioband_device *dp)
{
	dp->epoch++;
	return true;
}

const struct ioband_policy_ops ioband_policy_weight = {
	.name = "weight",
	.recalc = ioband_recalc_shares,
	.group_init = weight_group_init,
	.can_dispatch = weight_can_dispatch,
	.charge = weight_charge,
	.new_epoch = weight_new_epoch,
};

const struct ioband_policy_ops ioband_policy_weight_iosize = {
	.name = "weight-iosize",
	.recalc = ioband_recalc_shares,
	.group_init = weight_group_init,
	.can_dispatch = weight_can_dispatch,
	.charge = iosize_charge,
	.new_epoch = weight_new_epoch,
};

static const struct ioband_policy_ops *const ioband_policies[] = {
	&ioband_policy_weight,
	&ioband_policy_weight_iosize,
};

const struct ioband_policy_ops *ioband_policy_find(const char *name)
{
	int i;

	/* "default" was the seed's alias for the weight policy */
	if (!strcmp(name, "default"))
		return &ioband_policy_weight;
	for (i = 0; i < ARRAY_SIZE(ioband_policies); i++)
		if (!strcmp(name, ioband_policies[i]->name))
			return ioband_policies[i];
	return NULL;
}
