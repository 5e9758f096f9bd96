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
#include <linux/jiffies.h>
#include <linux/math64.h>

/*
 * Shares.  Flat, as dm-ioband always was: a group's share is its weight
 * over the domain's total, and the policies give an idle group's share to
 * the busy ones in proportion.
 *
 * Nested (type cgroup, a group attached below another): like io.weight's
 * hweight, a group's share is split by weight between its own bios and the
 * subtrees of its children, level by level, and only among the active, so
 * that a slice with no processes of its own leaves its whole share to its
 * services.  The policies then weigh each group by its own share of the
 * domain (eweight).  A group is active from its first bio until it has
 * been idle for IOBAND_IDLE_MS; each change re-weighs the domain, which
 * walks every group up to the top (at most IOBAND_MAX_NESTING levels).
 */

/* Sum at each group the weights its share is split by; returns the top's. */
static u64 share_sums(struct ioband_device *dp, bool all)
{
	struct ioband_group *gp, *x;
	u64 top = 0;

	list_for_each_entry(gp, &dp->groups, dom_entry) {
		gp->hsum = 0;
		gp->hon = false;
	}
	list_for_each_entry(gp, &dp->groups, dom_entry) {
		if (!all && !gp->active)
			continue;
		gp->hsum += gp->weight;
		/* each subtree counts once in its parent's sum */
		for (x = gp; x && !x->hon; x = x->parent) {
			x->hon = true;
			if (x->parent)
				x->parent->hsum += x->weight;
			else
				top += x->weight;
		}
	}
	return top;
}

/* The share of @gp's own bios, in IOBAND_SHARE_ONE, after share_sums(). */
static u64 group_share(struct ioband_group *gp, u64 top)
{
	u64 share;
	struct ioband_group *x;

	if (!gp->hsum)
		return 0;
	/* u64 is exact: share <= 2^20 and weights < 2^20 */
	share = div64_u64((u64)IOBAND_SHARE_ONE * gp->weight, gp->hsum);
	for (x = gp; x; x = x->parent)
		share = div64_u64(share * x->weight,
				  x->parent ? x->parent->hsum : top);
	return share;
}

static void set_eweights(struct ioband_device *dp)
{
	struct ioband_group *gp;
	bool nested = false;
	u64 top;

	list_for_each_entry(gp, &dp->groups, dom_entry)
		nested |= !!gp->parent;
	/* shares start nesting: count everyone until proven idle */
	if (nested && !dp->nested)
		list_for_each_entry(gp, &dp->groups, dom_entry) {
			gp->active = true;
			gp->busy_at = jiffies;
		}
	dp->nested = nested;
	dp->weight_total = 0;
	if (!nested) {
		list_for_each_entry(gp, &dp->groups, dom_entry) {
			gp->eweight = gp->weight;
			dp->weight_total += gp->eweight;
		}
		return;
	}
	top = share_sums(dp, false);
	list_for_each_entry(gp, &dp->groups, dom_entry) {
		gp->eweight = gp->active ? max(group_share(gp, top), 1ULL) : 1;
		if (gp->active)
			dp->weight_total += gp->eweight;
	}
}

/*
 * Tokens and held-bio limits follow the shares.  @reset: every group
 * starts a fresh epoch (a setting changed); otherwise no group gains
 * tokens it did not earn (only who is active changed).
 */
static void set_shares(struct ioband_device *dp, bool reset)
{
	struct ioband_group *gp;

	lockdep_assert_held(&dp->lock);
	set_eweights(dp);
	if (!dp->weight_total)
		return;
	list_for_each_entry(gp, &dp->groups, dom_entry) {
		/* u64 is exact: token_base, io_limit and eweight < 2^32 */
		u64 tokens = div64_u64((u64)dp->token_base * gp->eweight,
				       dp->weight_total);
		u64 limit = div64_u64((u64)dp->io_limit * gp->eweight,
				      dp->weight_total);

		gp->token_init = max_t(u64, tokens, 1);
		gp->token = reset ? gp->token_init :
			min(gp->token, gp->token_init);
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

/*
 * Shares depend on every weight in the domain, so they are recomputed on
 * every change of weight, membership, nesting, token_base or io_limit.
 */
void ioband_recalc_shares(struct ioband_device *dp)
{
	set_shares(dp, true);
}

/* Nested shares lose groups idle for IOBAND_IDLE_MS.  True if any did. */
static bool sweep_idle(struct ioband_device *dp)
{
	unsigned long idle = msecs_to_jiffies(IOBAND_IDLE_MS);
	struct ioband_group *gp;
	bool changed = false;

	dp->sweep_at = jiffies + idle;
	list_for_each_entry(gp, &dp->groups, dom_entry)
		if (gp->active && !gp->held && !gp->inflight &&
		    time_after(jiffies, gp->busy_at + idle)) {
			gp->active = false;
			changed = true;
		}
	return changed;
}

/* A bio of @gp arrived while shares nest: keep who is active up to date. */
void ioband_note_busy(struct ioband_device *dp, struct ioband_group *gp)
{
	bool woke = !gp->active, changed = woke;

	lockdep_assert_held(&dp->lock);
	gp->busy_at = jiffies;
	gp->active = true;
	if (time_after_eq(jiffies, dp->sweep_at))
		changed |= sweep_idle(dp);
	if (!changed)
		return;
	set_shares(dp, false);
	/* back from idle: a full share, as a group that joins gets */
	if (woke)
		gp->token = gp->token_init;
}

/*
 * A group's share of the domain when every group is busy, in millionths:
 * what its weights configure.  ioband_configured_top() first, under the
 * same hold of dp->lock.  0 for a group that counts nothing (its target
 * is suspended, or it is being detached).
 */
u64 ioband_configured_top(struct ioband_device *dp)
{
	lockdep_assert_held(&dp->lock);
	return share_sums(dp, true);
}

u64 ioband_configured_share(struct ioband_group *gp, u64 top)
{
	lockdep_assert_held(&gp->tgt->dp->lock);
	if (!gp->in_domain)
		return 0;
	return div64_u64(group_share(gp, top) * 1000000, IOBAND_SHARE_ONE);
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
/* tokens are whole: a bio costs at least one, whatever its multiplier */
static void weight_charge(struct ioband_group *gp, u64 cost, u32 mult)
{
	cost = max_t(u64, DIV_ROUND_UP(cost * mult, IOBAND_MULT_ONE), 1);
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
/*
 * Room for a weight of 10^6 and for nested shares (eweight up to 2^20) to
 * advance distinctly; a bio's cost (at most 2^23 sectors) times its
 * multiplier (at most 2^16, in 1/2^10) times it stays below 2^63, where
 * comparing modulo 2^64 would break.
 */
#define IOBAND_VT_SCALE	BIT_ULL(30)

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

static void fair_charge(struct ioband_group *gp, u64 cost, u32 mult)
{
	struct ioband_device *dp = gp->tgt->dp;
	u64 start = fair_start(dp, gp);

	dp->vtime = start;
	gp->vtag = start + div64_u64(cost * mult * (IOBAND_VT_SCALE / IOBAND_MULT_ONE),
				     gp->eweight);
}

static const struct ioband_policy_ops fair_ops = {
	.group_init = fair_group_init,
	.can_dispatch = fair_can_dispatch,
	.charge = fair_charge,
	.pick = fair_pick,
	.anticipate = fair_anticipate,
	.work_conserving = true,
};

/*
 * "time": fair queueing in device time rather than in bios or sectors.  A
 * bio is charged its group's mean device time when it goes down and the
 * difference when it completes.  On a rotating disk, which serves one bio
 * at a time, that is the time from when it went down, or from the
 * previous completion if that came later; on other disks an equal part of
 * every moment among the bios in flight with it (time_ps_advance()).  A
 * random read that seeks thus costs a dozen sequential ones, and a flash
 * write several reads.
 *
 * Charging alone does not help a sequential reader on a rotating disk:
 * interleaved with another group's bios each of its reads seeks.  There
 * groups take turns: the group that goes next by virtual time has the disk
 * to itself for IOBAND_SLICE_NS, the others wait until its bios are done,
 * and when it goes idle within its turn the disk waits for it for about
 * twice its think time (CFQ's slices, BFQ's idling); it is charged the
 * whole turn, waits included.  Elsewhere the groups
 * share the disk, at most IOBAND_TIME_DEPTH bios in flight while they
 * compete, so that the choice stays ours rather than the disk's queue's.
 */
/* a group's turn still runs: before its end, and the group busy or awaited */
static bool time_slice_live(struct ioband_device *dp, u64 now)
{
	struct ioband_group *gp;

	if (!dp->slice || now >= dp->slice_until)
		return false;
	if (dp->issued || dp->antic == dp->slice)
		return true;
	list_for_each_entry(gp, &dp->backlog, backlog_entry)
		if (gp == dp->slice)
			return true;
	return false;
}

/*
 * On a disk that serves several bios at once, the time it gave one bio is
 * an equal part of every moment it had that bio in flight among others
 * (processor sharing): the clock advances by the time passed over the
 * bios in flight, and a bio costs how far it advanced while it was down.
 */
static void time_ps_advance(struct ioband_device *dp, u64 now, unsigned int n)
{
	if (n && now > dp->ps_at)
		dp->ps_clock += div_u64((now - dp->ps_at) << 10, n);
	dp->ps_at = now;
}

static void time_group_init(struct ioband_group *gp)
{
	fair_group_init(gp);
	gp->time_est_us = 0;
	gp->tgt->dp->slice = NULL;
}

static int time_can_dispatch(struct ioband_group *gp)
{
	struct ioband_device *dp = gp->tgt->dp;

	if (dp->rotational) {
		if (time_slice_live(dp, ktime_get_ns()))
			return dp->slice == gp;
		/* a new turn once the disk holds no one else's bios */
		return list_empty(&dp->backlog) && dp->issued == gp->inflight;
	}
	return fair_can_dispatch(gp) &&
	       (dp->issued < IOBAND_TIME_DEPTH || dp->issued == gp->inflight);
}

static struct ioband_group *time_pick(struct ioband_device *dp)
{
	struct ioband_group *gp;

	if (dp->rotational && time_slice_live(dp, ktime_get_ns())) {
		list_for_each_entry(gp, &dp->backlog, backlog_entry)
			if (gp == dp->slice)
				return gp;
		return NULL;
	}
	gp = fair_pick(dp);
	if (!gp || dp->issued == gp->inflight)
		return gp;
	/* rotating: the last turn's bios complete first */
	if (dp->rotational || dp->issued >= IOBAND_TIME_DEPTH)
		return NULL;
	return gp;
}

static void time_charge(struct ioband_group *gp, u64 cost, u32 mult)
{
	struct ioband_device *dp = gp->tgt->dp;
	u64 now;

	if (!dp->rotational) {
		time_ps_advance(dp, ktime_get_ns(), dp->issued);
		fair_charge(gp, cost, mult);
		return;
	}
	/*
	 * The domain's virtual time moves when a turn starts, not with every
	 * bio of the turn: a group held meanwhile keeps the place its virtual
	 * time gives it, rather than being moved up to the owner's.
	 */
	now = ktime_get_ns();
	if (dp->slice != gp || now >= dp->slice_until) {
		dp->slice = gp;
		dp->slice_until = now + IOBAND_SLICE_NS;
		dp->turn_start_ns = now;
		dp->vtime = fair_start(dp, gp);
		dp->turns++;
		/* a wait kept for the last owner ends with its turn */
		if (dp->antic != gp)
			dp->antic = NULL;
	}
	gp->vtag = fair_start(dp, gp) +
		   div64_u64(cost * mult * (IOBAND_VT_SCALE / IOBAND_MULT_ONE),
			     gp->eweight);
}

static void time_complete(struct ioband_group *gp, struct ioband_bio *ib, u64 now)
{
	struct ioband_device *dp = gp->tgt->dp;
	u64 from = max(ib->issued_ns, dp->last_done_ns), ns;
	s64 delta;
	u32 us;

	if (dp->rotational) {
		/*
		 * One group's bios at a time: the time since the last
		 * completion is this bio's, and while the disk waits for the
		 * turn's owner its next bio, the owner pays for the wait too
		 */
		if (gp == dp->slice)
			from = max(dp->last_done_ns, dp->turn_start_ns);
		ns = now > from ? now - from : 0;
	} else {
		/* dp->issued no longer counts this bio */
		time_ps_advance(dp, now, dp->issued + 1);
		ns = (dp->ps_clock - ib->ps_start) >> 10;
	}
	dp->last_done_ns = now;
	if (!ib->charged_us)
		return;
	/* a second at most: a bio stuck below is not a cost to carry forever */
	us = div_u64(min_t(u64, ns, NSEC_PER_SEC), NSEC_PER_USEC);
	gp->time_est_us = gp->time_est_us ?
		(7 * gp->time_est_us + us) / 8 : max(us, 1U);
	delta = ((s64)us - ib->charged_us) * ib->charged_mult;
	gp->vtag += div64_s64(delta * (s64)(IOBAND_VT_SCALE / IOBAND_MULT_ONE),
			      (s64)gp->eweight);
}

static u64 time_anticipate(struct ioband_device *dp, struct ioband_group *gp)
{
	struct ioband_group *other;
	u64 now, start;

	if (!dp->rotational)
		return fair_anticipate(dp, gp);
	/*
	 * Waiting pays for a group that comes back well within a seek: at
	 * least half of IOBAND_ANTIC_MAX_NS, since a reader that misses the
	 * wait once (a late wake-up) loses its turn, and what is lost when
	 * it does not come back is less than one seek.
	 */
	if (gp != dp->slice || gp->think_ns > IOBAND_ANTIC_MAX_NS / 2) {
		if (gp == dp->slice)
			dp->slice = NULL;
		return 0;
	}
	now = ktime_get_ns();
	if (now >= dp->slice_until) {
		/*
		 * Its turn is over.  A reader of one bio at a time is never
		 * waiting when that happens, so the others would always get
		 * the next turn: it gets another if it still goes first.
		 */
		start = fair_start(dp, gp);
		list_for_each_entry(other, &dp->backlog, backlog_entry) {
			if (vt_before(fair_start(dp, other), start)) {
				dp->slice = NULL;
				return 0;
			}
		}
		dp->slice_until = now + IOBAND_SLICE_NS;
		dp->vtime = start;
		dp->turns++;
	}
	return clamp_t(u64, 2 * gp->think_ns + 100 * NSEC_PER_USEC,
		       IOBAND_ANTIC_MAX_NS / 2, IOBAND_ANTIC_MAX_NS);
}

static const struct ioband_policy_ops time_ops = {
	.group_init = time_group_init,
	.can_dispatch = time_can_dispatch,
	.charge = time_charge,
	.pick = time_pick,
	.anticipate = time_anticipate,
	.complete = time_complete,
	.work_conserving = true,
};

static const struct ioband_policy ioband_policies[] = {
	{ "weight",		&weight_ops,	false },
	{ "weight-iosize",	&weight_ops,	true },
	{ "fair",		&fair_ops,	false },
	{ "fair-iosize",	&fair_ops,	true },
	{ "time",		&time_ops,	false },
};

/*
 * What a new domain uses: fair, which holds the weights on any disk without
 * tuning.  The 2008 weight policy stays one message away.
 */
const struct ioband_policy *const ioband_policy_default = &ioband_policies[2];

const struct ioband_policy *ioband_policy_find(const char *name)
{
	int i;

	/* "default" was the seed's name for its weight policy: keep its meaning */
	if (!strcmp(name, "default"))
		return &ioband_policies[0];
	for (i = 0; i < ARRAY_SIZE(ioband_policies); i++)
		if (!strcmp(name, ioband_policies[i].name))
			return &ioband_policies[i];
	return NULL;
}
