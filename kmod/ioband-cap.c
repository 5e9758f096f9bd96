// SPDX-License-Identifier: GPL-2.0
/*
 * Caps, floors and the idle class: limits beside the weights.
 *
 * Caps: a group's maximum rates, in bytes/s and bios/s, for reads, writes
 * or both, whatever its weight and whatever the disk has free.
 *
 * Each rate is a virtual clock (GCRA, as in ATM traffic policing): a bio
 * moves it on by its cost at that rate, and may go while the clock is at
 * most CAP_LEAD ahead of real time.  So a rate holds over any stretch of
 * time, an idle group saves up no more than the burst, and a group at its
 * cap waits exactly as long as its rate needs.
 *
 * A group whose next bio would break a cap is parked: off the backlog, so
 * that the policies do not see it and the others have the disk, until the
 * earliest time its caps allow (cap_timer).  Its submitters stop when its
 * held bios reach its hold limit, as always, and only they.
 *
 * Floors: a group's minimum rates, the same keys.  Each is a clock too,
 * moved by every bio of the group; a backlogged group whose floor clock
 * has fallen behind real time goes first, whatever the policy says, and
 * such a bio is not charged to the policy: a group gets its floor or its
 * weight's share, whichever is more.  When floors
 * ask for more than the disk gives, the group furthest behind goes first,
 * so they share it in proportion to their floors.
 *
 * The idle class: a group parked while any other group has done I/O in
 * the last IOBAND_IDLE_GRACE_MS, so that a group that pauses briefly does
 * not find the disk busy with idle-class bios when it comes back.
 */
#include "dm-ioband.h"

#include <linux/math64.h>

#define DM_MSG_PREFIX "ioband"

/*
 * Each clock may lag real time by half the burst (a group idle longer
 * saves up no more) and lead it by the other half: together, a group
 * sends at most IOBAND_CAP_BURST_NS of its rate at once.  The lag is also
 * what the dispatcher may be late by without the group losing its rate.
 */
#define CAP_LEAD	(IOBAND_CAP_BURST_NS / 2)

static const char *const cap_keys[IOBAND_CAP_N] = {
	[IOBAND_CAP_READ_BPS] = "read_bps",
	[IOBAND_CAP_WRITE_BPS] = "write_bps",
	[IOBAND_CAP_BPS] = "bps",
	[IOBAND_CAP_READ_IOPS] = "read_iops",
	[IOBAND_CAP_WRITE_IOPS] = "write_iops",
	[IOBAND_CAP_IOPS] = "iops",
};

static bool cap_is_bps(int k)
{
	return k <= IOBAND_CAP_BPS;
}

/* Does cap @k count bios of direction @dir (READ or WRITE)? */
static bool cap_applies(int k, int dir)
{
	int scope = k % 3;	/* read, write, both: see enum ioband_cap_kind */

	return scope == 2 || scope == dir;
}

/*
 * What a bio costs against cap @k, in ns of its rate.  Bios without data
 * (discard, write zeroes) count as bios but move no bytes, as the
 * kernel's io.max counts them as next to nothing.
 */
static u64 cap_cost_ns(u64 rate, int k, struct bio *bio)
{
	u64 units = cap_is_bps(k) ?
		(bio_has_data(bio) ? bio->bi_iter.bi_size : 0) : 1;

	return mul_u64_u64_div_u64(units, NSEC_PER_SEC, rate);
}

/*
 * 0 if @bio may go now; else how long @gp should be parked.  Parked, it
 * waits until half its lead is free again, so that it sends a few bios
 * per wake-up rather than one: the rates stay exact, since each bio still
 * moves the clocks by its cost.
 */
u64 ioband_cap_delay(struct ioband_group *gp, struct bio *bio, u64 now)
{
	unsigned long kinds = gp->cap_kinds[bio_data_dir(bio)];
	u64 wait = 0, refill = now + CAP_LEAD / 2;
	bool over = false;
	int k;

	for_each_set_bit(k, &kinds, IOBAND_CAP_N) {
		if (gp->cap_tat[k] > now + CAP_LEAD)
			over = true;
		if (gp->cap_tat[k] > refill)
			wait = max(wait, gp->cap_tat[k] - refill);
	}
	return over ? wait : 0;
}

/* How long to keep @gp's next bio @bio back: caps and the idle class. */
u64 ioband_hold_back(struct ioband_device *dp, struct ioband_group *gp,
		     struct bio *bio, u64 now)
{
	u64 wait = gp->capped ? ioband_cap_delay(gp, bio, now) : 0;

	if (gp->idle_class && ioband_normal_busy(dp))
		wait = max_t(u64, wait, IOBAND_IDLE_GRACE_MS * NSEC_PER_MSEC);
	return wait;
}

void ioband_cap_charge(struct ioband_group *gp, struct bio *bio, u64 now)
{
	int dir = bio_data_dir(bio), k;
	unsigned long kinds;
	/*
	 * A floor owes what the group missed while its bios waited (at most
	 * IOBAND_FLOOR_WINDOW_NS of it), and no more than a burst after it was
	 * idle: waiting for a late dispatcher or a busy disk is owed, being
	 * idle is not.
	 */
	u64 since = now - min(now, IOBAND_CAP_BURST_NS);

	if (gp->floor_since)
		since = min(since, max(gp->floor_since,
				       now - min(now, IOBAND_FLOOR_WINDOW_NS)));
	/*
	 * Saved up while idle: at most CAP_LEAD.  A group that waited parked
	 * counts from when it was due back, not from when the dispatcher came.
	 */
	u64 ref = gp->cap_resume && gp->cap_resume < now ? gp->cap_resume : now;
	u64 lag = ref - min(ref, CAP_LEAD);

	kinds = gp->cap_kinds[dir];
	for_each_set_bit(k, &kinds, IOBAND_CAP_N)
		gp->cap_tat[k] = max(gp->cap_tat[k], lag) +
			cap_cost_ns(gp->caps.rate[k], k, bio);
	kinds = gp->floor_kinds[dir];
	for_each_set_bit(k, &kinds, IOBAND_CAP_N)
		gp->floor_tat[k] = max(gp->floor_tat[k], since) +
			cap_cost_ns(gp->floor.rate[k], k, bio);
}

/* The kinds of @caps that are set and count bios of direction @dir. */
static u8 cap_kinds(const struct ioband_caps *caps, int dir)
{
	u8 kinds = 0;
	int k;

	for (k = 0; k < IOBAND_CAP_N; k++)
		if (caps->rate[k] && cap_applies(k, dir))
			kinds |= BIT(k);
	return kinds;
}

/* After @gp's caps or floors changed: what the data path looks at. */
void ioband_cap_kinds_update(struct ioband_group *gp)
{
	int dir;

	for (dir = READ; dir <= WRITE; dir++) {
		gp->cap_kinds[dir] = cap_kinds(&gp->caps, dir);
		gp->floor_kinds[dir] = cap_kinds(&gp->floor, dir);
	}
	gp->capped = ioband_caps_any(&gp->caps);
	gp->floored = ioband_caps_any(&gp->floor);
}

/* How far (ns) @gp's floors for a bio of direction @dir are behind; 0: none. */
static u64 floor_lag(struct ioband_group *gp, int dir, u64 now)
{
	unsigned long kinds = gp->floor_kinds[dir];
	u64 lag = 0;
	int k;

	for_each_set_bit(k, &kinds, IOBAND_CAP_N)
		if (gp->floor_tat[k] < now)
			lag = max(lag, now - gp->floor_tat[k]);
	return lag;
}

struct ioband_group *ioband_floor_pick(struct ioband_device *dp, u64 now)
{
	struct ioband_group *gp, *best = NULL;
	u64 lag, best_lag = 0;

	lockdep_assert_held(&dp->lock);
	list_for_each_entry(gp, &dp->backlog, backlog_entry) {
		if (!gp->floored)
			continue;
		lag = floor_lag(gp, bio_data_dir(bio_list_peek(&gp->held_bios)),
				now);
		if (lag > best_lag) {
			best = gp;
			best_lag = lag;
		}
	}
	return best;
}

/*
 * For "limits": how far (ns) a group with bios waiting is behind its
 * floors.  Near 0 while they hold; growing towards IOBAND_FLOOR_WINDOW_NS,
 * the most a floor clock falls behind, the floors ask more than the disk
 * gives.
 */
u64 ioband_floor_lag(struct ioband_group *gp, u64 now)
{
	if (!gp->floored || !gp->held)
		return 0;
	return min(max(floor_lag(gp, READ, now), floor_lag(gp, WRITE, now)),
		   IOBAND_FLOOR_WINDOW_NS);
}

bool ioband_cap_spent(struct ioband_group *gp, u64 now)
{
	int k;

	for (k = 0; k < IOBAND_CAP_N; k++)
		if (gp->caps.rate[k] && gp->cap_tat[k] > now + CAP_LEAD)
			return true;
	return false;
}

static void cap_arm(struct ioband_device *dp, u64 at)
{
	lockdep_assert_held(&dp->lock);
	dp->cap_timer_at = at;
	hrtimer_start(&dp->cap_timer, ns_to_ktime(at), HRTIMER_MODE_ABS);
}

void ioband_cap_park(struct ioband_device *dp, struct ioband_group *gp,
		     u64 until, u64 now)
{
	lockdep_assert_held(&dp->lock);
	/* held and not parked: on the backlog, or about to be */
	list_move_tail(&gp->backlog_entry, &dp->parked);
	gp->parked = true;
	gp->park_until = until;
	gp->parked_at = now;
	gp->cap_waits++;
	dp->parked_bios += gp->held;
	if (!dp->cap_timer_at || until < dp->cap_timer_at)
		cap_arm(dp, until);
}

static void cap_unpark(struct ioband_device *dp, struct ioband_group *gp,
		       u64 now)
{
	lockdep_assert_held(&dp->lock);
	gp->parked = false;
	gp->cap_wait_ns += now - gp->parked_at;
	gp->cap_resume = gp->park_until;
	dp->parked_bios -= gp->held;
}

void ioband_cap_unpark_due(struct ioband_device *dp, u64 now)
{
	struct ioband_group *gp, *tmp;
	u64 next = 0;

	lockdep_assert_held(&dp->lock);
	list_for_each_entry_safe(gp, tmp, &dp->parked, backlog_entry) {
		/* draining groups, and groups no longer held back, go on */
		if (!ioband_group_bypasses(gp) && (gp->capped || gp->idle_class)) {
			if (now >= gp->park_until && gp->idle_class &&
			    ioband_normal_busy(dp))
				gp->park_until = now + IOBAND_IDLE_GRACE_MS *
							NSEC_PER_MSEC;
			if (now < gp->park_until) {
				if (!next || gp->park_until < next)
					next = gp->park_until;
				continue;
			}
		}
		cap_unpark(dp, gp, now);
		list_move_tail(&gp->backlog_entry, &dp->backlog);
	}
	if (next)
		cap_arm(dp, next);
	else
		dp->cap_timer_at = 0;
}

void ioband_cap_forget(struct ioband_device *dp, struct ioband_group *gp)
{
	lockdep_assert_held(&dp->lock);
	if (gp->parked)
		cap_unpark(dp, gp, ktime_get_ns());
	gp->cap_resume = 0;
}

enum hrtimer_restart ioband_cap_expired(struct hrtimer *timer)
{
	struct ioband_device *dp = container_of(timer, struct ioband_device,
						cap_timer);

	queue_work(dp->wq, &dp->dispatch_work);
	return HRTIMER_NORESTART;
}

/* "max": no cap; else 1 to the kind's maximum */
static int cap_parse_value(int k, const char *s, u64 *v)
{
	u64 max = cap_is_bps(k) ? IOBAND_CAP_MAX_BPS : IOBAND_CAP_MAX_IOPS;

	if (!strcmp(s, "max")) {
		*v = 0;
		return 0;
	}
	if (kstrtou64(s, 10, v) || !*v || *v > max)
		return -EINVAL;
	return 0;
}

int ioband_cap_parse(char *spec, struct ioband_caps *caps, char *why,
		     size_t len)
{
	struct ioband_caps c = *caps;
	char *item, *val;
	int k;

	if (!strcmp(spec, "none")) {
		memset(caps, 0, sizeof(*caps));
		return 0;
	}
	if (!*spec) {
		snprintf(why, len, "no caps given (KEY=VALUE,... or none)");
		return -EINVAL;
	}
	while ((item = strsep(&spec, ","))) {
		val = strchr(item, '=');
		if (val)
			*val++ = '\0';
		for (k = 0; k < IOBAND_CAP_N; k++)
			if (!strcmp(item, cap_keys[k]))
				break;
		if (k == IOBAND_CAP_N) {
			snprintf(why, len, "unknown cap \"%s\" (%s)", item,
				 IOBAND_CAP_KEYS);
			return -EINVAL;
		}
		if (!val || cap_parse_value(k, val, &c.rate[k])) {
			snprintf(why, len, "invalid %s \"%s\" (1 to %llu, or max)",
				 item, val ?: "",
				 cap_is_bps(k) ? IOBAND_CAP_MAX_BPS :
						 IOBAND_CAP_MAX_IOPS);
			return -EINVAL;
		}
	}
	*caps = c;
	return 0;
}

bool ioband_caps_any(const struct ioband_caps *caps)
{
	int k;

	for (k = 0; k < IOBAND_CAP_N; k++)
		if (caps->rate[k])
			return true;
	return false;
}

void ioband_cap_set(struct ioband_device *dp, struct ioband_group *gp,
		    const struct ioband_caps *caps)
{
	lockdep_assert_held(&dp->lock);
	gp->caps = *caps;
	ioband_cap_kinds_update(gp);
	/* a new rate starts afresh, and a parked group looks again now */
	memset(gp->cap_tat, 0, sizeof(gp->cap_tat));
	if (gp->parked)
		gp->park_until = 0;
}

bool ioband_floor_above_cap(const struct ioband_caps *floor,
			    const struct ioband_caps *caps)
{
	int k;

	for (k = 0; k < IOBAND_CAP_N; k++)
		if (floor->rate[k] && caps->rate[k] &&
		    floor->rate[k] > caps->rate[k])
			return true;
	return false;
}

void ioband_floor_set(struct ioband_device *dp, struct ioband_group *gp,
		      const struct ioband_caps *floor)
{
	lockdep_assert_held(&dp->lock);
	gp->floor = *floor;
	ioband_cap_kinds_update(gp);
	memset(gp->floor_tat, 0, sizeof(gp->floor_tat));
	if (gp->floored)
		dp->any_floor = true;
}

/* The counts of idle-class bios follow a group that changes class. */
void ioband_class_set(struct ioband_device *dp, struct ioband_group *gp,
		      bool idle)
{
	lockdep_assert_held(&dp->lock);
	if (gp->idle_class == idle)
		return;
	if (idle) {
		dp->idle_held += gp->held;
		dp->idle_issued += gp->inflight;
	} else {
		dp->idle_held -= gp->held;
		dp->idle_issued -= gp->inflight;
		if (gp->parked)
			gp->park_until = 0;
	}
	gp->idle_class = idle;
}

/* "none", or the caps set as KEY=VALUE,... in a fixed order */
unsigned int ioband_cap_emit(const struct ioband_caps *caps, char *result,
			     unsigned int maxlen, unsigned int sz)
{
	const char *sep = "";
	int k;

	if (!ioband_caps_any(caps)) {
		DMEMIT("none");
		return sz;
	}
	for (k = 0; k < IOBAND_CAP_N; k++) {
		if (!caps->rate[k])
			continue;
		DMEMIT("%s%s=%llu", sep, cap_keys[k], caps->rate[k]);
		sep = ",";
	}
	return sz;
}
