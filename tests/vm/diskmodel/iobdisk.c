// SPDX-License-Identifier: GPL-2.0
/*
 * iobdisk: test-only block devices whose service times follow simple,
 * deterministic models of real media, so that the test bed can show what
 * null_blk cannot (every null_blk I/O costs the same).  Not for use outside
 * the test bed: data is kept only in the first and last edge_kb KiB (where
 * partition tables live); elsewhere writes are dropped and reads leave the
 * buffer as it was, as null_blk's do.
 *
 * model=rot   one head: a request at the sector where the previous one
 *             ended costs cmd_us plus its transfer at rate_mbs; any other
 *             costs a seek (seek_min_us .. seek_max_us, linear in the
 *             distance over the whole disk) plus half a rotation at rpm.
 *             ncq=0 serves requests in arrival order; ncq=1 serves the
 *             nearest to the head first (a request that waited longer than
 *             ncq_age_ms goes first, so none starves).
 * model=flash channels requests at a time; a read costs read_us plus its
 *             transfer at read_mbs, a write write_us plus write_mbs.  Writes
 *             spend a pool of clean space (clean_mb MB) that garbage
 *             collection refills at gc_mbs; with the pool empty every write
 *             costs gc_factor times as much.
 *
 * Flushes cost nothing and keep their place in the queue.  Completions come
 * from one hrtimer per busy head or channel; d->lock protects the queue,
 * what each unit serves, the head's position and the clean pool.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/hrtimer.h>
#include <linux/version.h>
#include <linux/math64.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>

/* the kernel interfaces that changed between the lines the test bed boots */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void iobd_timer_setup(struct hrtimer *t, enum hrtimer_restart (*fn)(struct hrtimer *))
{
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	t->function = fn;
}
#else
static inline void iobd_timer_setup(struct hrtimer *t, enum hrtimer_restart (*fn)(struct hrtimer *))
{
	hrtimer_setup(t, fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
}
#endif

#define IOBD_MAX_UNITS	16

static char *model = "rot";
module_param(model, charp, 0444);
MODULE_PARM_DESC(model, "rot (a rotating disk) or flash");
static unsigned int nr_devices = 1;
module_param(nr_devices, uint, 0444);
static unsigned int size_mb = 8192;
module_param(size_mb, uint, 0444);
static unsigned int edge_kb = 2048;
module_param(edge_kb, uint, 0444);
MODULE_PARM_DESC(edge_kb, "KiB kept at each end of the disk (partition tables)");
static unsigned int depth = 32;
module_param(depth, uint, 0444);
MODULE_PARM_DESC(depth, "tags (the queue depth the block layer sees)");
static bool ncq;
module_param(ncq, bool, 0444);
static unsigned int ncq_age_ms = 200;
module_param(ncq_age_ms, uint, 0444);
static unsigned int cmd_us = 50;
module_param(cmd_us, uint, 0444);
static unsigned int seek_min_us = 1000;
module_param(seek_min_us, uint, 0444);
static unsigned int seek_max_us = 7000;
module_param(seek_max_us, uint, 0444);
static unsigned int rpm = 7200;
module_param(rpm, uint, 0444);
static unsigned int rate_mbs = 150;
module_param(rate_mbs, uint, 0444);
static unsigned int channels = 2;
module_param(channels, uint, 0444);
static unsigned int read_us = 100;
module_param(read_us, uint, 0444);
static unsigned int read_mbs = 100;
module_param(read_mbs, uint, 0444);
static unsigned int write_us = 300;
module_param(write_us, uint, 0444);
static unsigned int write_mbs = 30;
module_param(write_mbs, uint, 0444);
static unsigned int clean_mb = 64;
module_param(clean_mb, uint, 0444);
static unsigned int gc_mbs = 10;
module_param(gc_mbs, uint, 0444);
static unsigned int gc_factor = 4;
module_param(gc_factor, uint, 0444);

enum iobd_model { IOBD_ROT, IOBD_FLASH };

struct iobd_dev;

struct iobd_cmd {
	struct list_head node;
	struct request *rq;
	u64 queued_ns;
};

struct iobd_unit {
	struct hrtimer timer;
	struct iobd_dev *d;
	struct request *rq;	/* being served, or NULL when idle */
	u64 done_ns;		/* when the unit finishes (finished) its request */
};

struct iobd_dev {
	spinlock_t lock;	/* all of the below but set and disk */
	struct list_head queue;
	sector_t head;		/* rot: where the last request ended */
	u64 clean;		/* flash: bytes of the clean pool */
	u64 clean_ns;		/* flash: when the pool was last refilled */
	unsigned int nr_units;
	struct iobd_unit units[IOBD_MAX_UNITS];
	struct blk_mq_tag_set set;
	struct gendisk *disk;
	u8 *edge[2];		/* the data of the first and the last edge_kb */
};

static enum iobd_model iobd_model;
static int iobd_major;
static struct iobd_dev **iobd_devs;

static u64 xfer_ns(unsigned int bytes, unsigned int mbs)
{
	return div_u64((u64)bytes * NSEC_PER_SEC, mbs * 1000000ULL);
}

/* the cost of serving rq now; moves the head, spends the clean pool */
static u64 iobd_cost(struct iobd_dev *d, struct request *rq, u64 now)
{
	unsigned int bytes = blk_rq_bytes(rq);
	sector_t pos = blk_rq_pos(rq);
	u64 ns;

	if (req_op(rq) != REQ_OP_READ && req_op(rq) != REQ_OP_WRITE)
		return 0;
	if (iobd_model == IOBD_ROT) {
		ns = (u64)cmd_us * NSEC_PER_USEC + xfer_ns(bytes, rate_mbs);
		if (pos != d->head) {
			sector_t dist = pos > d->head ? pos - d->head : d->head - pos;
			u64 cap = get_capacity(d->disk) ?: 1;
			u64 span = (u64)(seek_max_us - seek_min_us) * NSEC_PER_USEC;

			ns += (u64)seek_min_us * NSEC_PER_USEC + div64_u64(span * dist, cap);
			ns += div_u64(30ULL * NSEC_PER_SEC, rpm);
		}
		d->head = pos + blk_rq_sectors(rq);
		return ns;
	}
	if (req_op(rq) == REQ_OP_READ)
		return (u64)read_us * NSEC_PER_USEC + xfer_ns(bytes, read_mbs);
	/* garbage collection refills the clean pool while time passes */
	/* (a rate of N MB/s is N bytes a microsecond; 10 s fill any pool) */
	d->clean = min_t(u64, (u64)clean_mb * 1000000,
			 d->clean + div_u64(min_t(u64, now - d->clean_ns, 10 * NSEC_PER_SEC),
					     NSEC_PER_USEC) * gc_mbs);
	d->clean_ns = now;
	ns = (u64)write_us * NSEC_PER_USEC + xfer_ns(bytes, write_mbs);
	if (d->clean >= bytes) {
		d->clean -= bytes;
		return ns;
	}
	d->clean = 0;
	return ns * gc_factor;
}

/* the next request to serve, taken off the queue; NULL if none */
static struct iobd_cmd *iobd_pick(struct iobd_dev *d, u64 now)
{
	struct iobd_cmd *c, *best;
	sector_t best_dist = 0;

	lockdep_assert_held(&d->lock);
	best = list_first_entry_or_null(&d->queue, struct iobd_cmd, node);
	if (!best)
		return NULL;
	if (iobd_model == IOBD_ROT && ncq &&
	    now - best->queued_ns < (u64)ncq_age_ms * NSEC_PER_MSEC) {
		best = NULL;
		list_for_each_entry(c, &d->queue, node) {
			sector_t pos = blk_rq_pos(c->rq);
			sector_t dist = pos > d->head ? pos - d->head : d->head - pos;

			if (!best || dist < best_dist) {
				best = c;
				best_dist = dist;
			}
		}
	}
	list_del_init(&best->node);
	return best;
}

/*
 * Start u on the next request, if any; returns whether it is busy.  A unit
 * that just finished one (@chained) starts the next when it finished, not
 * when its timer ran: a guest's timers run late, and the model's
 * throughput must not depend on by how much.
 */
static bool iobd_start(struct iobd_dev *d, struct iobd_unit *u, u64 now, bool chained)
{
	struct iobd_cmd *c = iobd_pick(d, now);

	if (!c) {
		u->rq = NULL;
		return false;
	}
	u->rq = c->rq;
	u->done_ns = (chained ? u->done_ns : now) + iobd_cost(d, c->rq, now);
	hrtimer_set_expires(&u->timer, ns_to_ktime(u->done_ns));
	return true;
}

static enum hrtimer_restart iobd_timer(struct hrtimer *t)
{
	struct iobd_unit *u = container_of(t, struct iobd_unit, timer);
	struct iobd_dev *d = u->d;
	struct request *rq;
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&d->lock, flags);
	rq = u->rq;
	busy = iobd_start(d, u, ktime_get_ns(), true);
	spin_unlock_irqrestore(&d->lock, flags);
	if (rq)
		blk_mq_end_request(rq, BLK_STS_OK);
	return busy ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/* keep or return the data of the segments that fall in the edges */
static void iobd_edges(struct iobd_dev *d, struct request *rq)
{
	u64 edge = (u64)edge_kb << 10, end = (u64)get_capacity(d->disk) << SECTOR_SHIFT;
	u64 pos = (u64)blk_rq_pos(rq) << SECTOR_SHIFT;
	bool write = req_op(rq) == REQ_OP_WRITE;
	struct req_iterator iter;
	struct bio_vec bv;

	rq_for_each_segment(bv, rq, iter) {
		u8 *mem = NULL;

		if (pos + bv.bv_len <= edge)
			mem = d->edge[0] + pos;
		else if (pos >= end - edge)
			mem = d->edge[1] + (pos - (end - edge));
		if (mem && write)
			memcpy_from_bvec(mem, &bv);
		else if (mem)
			memcpy_to_bvec(&bv, mem);
		pos += bv.bv_len;
	}
}

static blk_status_t iobd_queue_rq(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd)
{
	struct iobd_dev *d = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct iobd_cmd *c = blk_mq_rq_to_pdu(rq);
	unsigned long flags;
	unsigned int i;
	u64 now;

	blk_mq_start_request(rq);
	if (req_op(rq) == REQ_OP_READ || req_op(rq) == REQ_OP_WRITE)
		iobd_edges(d, rq);
	c->rq = rq;
	spin_lock_irqsave(&d->lock, flags);
	now = ktime_get_ns();
	c->queued_ns = now;
	list_add_tail(&c->node, &d->queue);
	for (i = 0; i < d->nr_units; i++) {
		struct iobd_unit *u = &d->units[i];

		if (!u->rq && iobd_start(d, u, now, false))
			hrtimer_start_expires(&u->timer, HRTIMER_MODE_ABS);
		if (list_empty(&d->queue))
			break;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	return BLK_STS_OK;
}

static const struct blk_mq_ops iobd_mq_ops = {
	.queue_rq = iobd_queue_rq,
};

static const struct block_device_operations iobd_fops = {
	.owner = THIS_MODULE,
};

static struct gendisk *iobd_alloc_disk(struct iobd_dev *d)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	struct gendisk *disk = blk_mq_alloc_disk(&d->set, d);

	if (IS_ERR(disk))
		return disk;
	if (iobd_model == IOBD_ROT)
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, disk->queue);
	else
		blk_queue_flag_set(QUEUE_FLAG_NONROT, disk->queue);
	blk_queue_logical_block_size(disk->queue, 512);
	blk_queue_max_hw_sectors(disk->queue, 1024);
	return disk;
#else
	struct queue_limits lim = {
		.logical_block_size = 512,
		.max_hw_sectors = 1024,
		.features = iobd_model == IOBD_ROT ? BLK_FEAT_ROTATIONAL : 0,
	};

	return blk_mq_alloc_disk(&d->set, &lim, d);
#endif
}

static void iobd_free(struct iobd_dev *d)
{
	unsigned int i;

	del_gendisk(d->disk);
	for (i = 0; i < d->nr_units; i++)
		hrtimer_cancel(&d->units[i].timer);
	put_disk(d->disk);
	blk_mq_free_tag_set(&d->set);
	vfree(d->edge[0]);
	vfree(d->edge[1]);
	kfree(d);
}

static int iobd_add(int idx)
{
	struct iobd_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);
	struct gendisk *disk;
	unsigned int i;
	int ret;

	if (!d)
		return -ENOMEM;
	spin_lock_init(&d->lock);
	INIT_LIST_HEAD(&d->queue);
	d->nr_units = iobd_model == IOBD_ROT ? 1 : channels;
	d->clean = (u64)clean_mb * 1000000;
	d->clean_ns = ktime_get_ns();
	for (i = 0; i < d->nr_units; i++) {
		d->units[i].d = d;
		iobd_timer_setup(&d->units[i].timer, iobd_timer);
	}
	d->edge[0] = vzalloc((size_t)edge_kb << 10);
	d->edge[1] = vzalloc((size_t)edge_kb << 10);
	if (!d->edge[0] || !d->edge[1]) {
		ret = -ENOMEM;
		goto free_edges;
	}
	d->set.ops = &iobd_mq_ops;
	d->set.nr_hw_queues = 1;
	d->set.queue_depth = depth;
	d->set.numa_node = NUMA_NO_NODE;
	d->set.cmd_size = sizeof(struct iobd_cmd);
	ret = blk_mq_alloc_tag_set(&d->set);
	if (ret)
		goto free_edges;
	disk = iobd_alloc_disk(d);
	if (IS_ERR(disk)) {
		ret = PTR_ERR(disk);
		goto free_set;
	}
	disk->major = iobd_major;
	disk->first_minor = idx * 16;
	disk->minors = 16;
	disk->fops = &iobd_fops;
	disk->private_data = d;
	snprintf(disk->disk_name, DISK_NAME_LEN, "iobdisk%d", idx);
	set_capacity(disk, (sector_t)size_mb << 11);
	/* add_disk reads the partition table: the model needs the disk by then */
	d->disk = disk;
	ret = add_disk(disk);
	if (ret) {
		put_disk(disk);
		goto free_set;
	}
	iobd_devs[idx] = d;
	return 0;
free_set:
	blk_mq_free_tag_set(&d->set);
free_edges:
	vfree(d->edge[0]);
	vfree(d->edge[1]);
	kfree(d);
	return ret;
}

static int __init iobd_init(void)
{
	unsigned int i;
	int ret;

	if (!strcmp(model, "rot"))
		iobd_model = IOBD_ROT;
	else if (!strcmp(model, "flash"))
		iobd_model = IOBD_FLASH;
	else
		return -EINVAL;
	if (!nr_devices || nr_devices > 16 || !depth || !size_mb ||
	    !edge_kb || edge_kb % 4 || (u64)edge_kb * 2 > (u64)size_mb << 10 ||
	    !channels || channels > IOBD_MAX_UNITS || !rpm || !rate_mbs ||
	    !read_mbs || !write_mbs || !gc_factor || seek_max_us < seek_min_us)
		return -EINVAL;
	iobd_devs = kcalloc(nr_devices, sizeof(*iobd_devs), GFP_KERNEL);
	if (!iobd_devs)
		return -ENOMEM;
	iobd_major = register_blkdev(0, "iobdisk");
	if (iobd_major < 0) {
		kfree(iobd_devs);
		return iobd_major;
	}
	for (i = 0; i < nr_devices; i++) {
		ret = iobd_add(i);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	while (i--)
		iobd_free(iobd_devs[i]);
	unregister_blkdev(iobd_major, "iobdisk");
	kfree(iobd_devs);
	return ret;
}

static void __exit iobd_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_devices; i++)
		iobd_free(iobd_devs[i]);
	unregister_blkdev(iobd_major, "iobdisk");
	kfree(iobd_devs);
}

module_init(iobd_init);
module_exit(iobd_exit);
MODULE_DESCRIPTION("ioband test bed: block devices that model rotating and flash media");
MODULE_LICENSE("GPL");
