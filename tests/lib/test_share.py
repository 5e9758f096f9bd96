"""Host-side tests of share.py (run by tests/run-all.sh): the common window
must cancel start stagger, and real misses must still fail."""
import os
import subprocess
import sys
import tempfile
import unittest

SHARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "share.py")
T0 = 1_795_000_000_000  # a wall-clock stamp in ms, as --log_unix_epoch writes


def write_log(path, samples):
    with open(path, "w") as f:
        for t, bw in samples:
            f.write(f"{T0 + t}, {bw}, 0, 0, 0\n")


def run_share(tol, jobs):
    """jobs: [(weight, name, [(ms, KiB/s), ...])], logged to a fresh
    directory; returns (rc, stdout + stderr) of share.py."""
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for n, (w, name, samples) in enumerate(jobs, 1):
            if samples is not None:
                write_log(os.path.join(tmp, f"{name}_bw.{n}.log"), samples)
            args.append(f"{w}:{os.path.join(tmp, name)}")
        p = subprocess.run([sys.executable, SHARE, str(tol), *args], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def every(start_ms, end_ms, bw):
    return [(t, bw) for t in range(start_ms, end_ms + 1, 500)]


class ShareTest(unittest.TestCase):
    def test_stagger_is_cut_off(self):
        # the heavy job runs 3 s alone at the full 800 KiB/s; then 2:1.
        # Whole runs would give 70/30; the window gives 2:1 exactly.
        a = every(500, 3000, 800) + every(3500, 20000, 533.33)
        b = every(3500, 20000, 266.67)
        rc, out = run_share(0.01, [(80, "a", a), (40, "b", b)])
        self.assertEqual(rc, 0, out)
        self.assertIn("share  66.7%", out)

    def test_partial_last_interval_is_cut_off(self):
        # the light job stops 100 ms into its last interval: fio logs that
        # interval with a fifth of the bytes.  Counted, it would give 67.1%.
        a = every(500, 20000, 533.33)
        b = every(500, 19500, 266.67) + [(20000, 53.33)]
        rc, out = run_share(0.001, [(80, "a", a), (40, "b", b)])
        self.assertEqual(rc, 0, out)
        self.assertIn("share  66.7%", out)

    def test_missing_intervals_count_as_zero(self):
        # fio logs nothing for an interval without completions
        a = every(500, 20000, 600)
        b = [s for s in every(500, 20000, 400) if s[0] % 1000]
        rc, out = run_share(0.05, [(60, "a", a), (40, "b", b)])
        self.assertEqual(rc, 1, out)

    def test_a_late_sampling_covers_its_gap(self):
        # fio's helper ran late at 10 s (a busy guest): no job logged then,
        # and the entries at 10.5 s are rates over the whole second.  Over
        # the window, a moved 600 * 17.5 + 200 * 1 KiB, b 400 * 17.5 + 800:
        # 57.8%.  Counted as one interval, that entry would give 58.9%.
        def late(bw, late_bw):
            return [(t, late_bw if t == 10500 else v) for t, v in every(500, 20000, bw) if t != 10000]
        rc, out = run_share(0.001, [(60, "a", late(600, 200)), (40, "b", late(400, 800))])
        self.assertIn("share  57.8%", out)

    def test_equal_split_fails_weights_2_to_1(self):
        rc, out = run_share(0.10, [(80, "a", every(500, 20000, 400)),
                                    (40, "b", every(500, 20000, 400))])
        self.assertEqual(rc, 1, out)

    def test_small_share_within_2pp_passes(self):
        # 11.5% for a configured 10% is 15% off but 1.5 pp: allowed
        rc, out = run_share(0.10, [(10, "a", every(500, 20000, 115)),
                                    (90, "b", every(500, 20000, 885))])
        self.assertEqual(rc, 0, out)

    def test_short_overlap_is_not_a_measurement(self):
        rc, out = run_share(0.10, [(80, "a", every(500, 20000, 533)),
                                    (40, "b", every(15000, 30000, 267))])
        self.assertEqual(rc, 1, out)
        self.assertIn("not a measurement", out)

    def test_no_log_is_an_error(self):
        rc, out = run_share(0.10, [(1, "none", None), (1, "none2", None)])
        self.assertNotEqual(rc, 0)
        self.assertIn("no bandwidth log", out)


if __name__ == "__main__":
    unittest.main()
