"""Unit tests of the test bed's runner (tests/vm/run.py): which build
warnings fail a build, how kernel lines are named and picked."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vm"))
import run  # noqa: E402

OWN = ["ioband-target.c", "compat.h", "dm-ioband.h"]


class OwnWarnings(unittest.TestCase):
    def test_the_modules_warnings_count(self):
        log = ("/x/ioband-target.c:12:3: warning: unused variable 'a'\n"
               "compat.h:49:33: warning: cast\n")
        self.assertEqual(len(run.own_warnings(log, OWN)), 2)

    def test_the_kernels_header_warnings_do_not(self):
        log = ("./include/linux/compat.h:5:1: warning: in the kernel's header\n"
               "/usr/src/linux-headers-7.3.4+deb13-common/include/linux/bio.h:9: warning: x\n"
               "arch/x86/include/asm/foo.h:1:1: warning: y\n")
        self.assertEqual(run.own_warnings(log, OWN), [])

    def test_modpost_warnings_count(self):
        log = "WARNING: modpost: missing MODULE_DESCRIPTION() in dm-ioband.o\n"
        self.assertEqual(len(run.own_warnings(log, OWN)), 1)


class Lines(unittest.TestCase):
    KNOWN = {"6.1": (), "6.12": (), "6.12-rt": (), "7.2": (), "7.3": (), "7.3-rt": (),
             "debug": ()}

    def test_order(self):
        self.assertEqual(sorted(self.KNOWN, key=run.line_order),
                         ["6.1", "6.12", "6.12-rt", "7.2", "7.3", "7.3-rt", "debug"])

    def test_newest_seven(self):
        self.assertEqual(run.pick_lines("7.x", self.KNOWN), ["7.3"])
        self.assertEqual(run.pick_lines("7.x-rt", self.KNOWN), ["7.3-rt"])

    def test_a_label_is_itself(self):
        self.assertEqual(run.pick_lines("6.12-rt", self.KNOWN), ["6.12-rt"])


class Plans(unittest.TestCase):
    def plan(self, name):
        return {k: [os.path.basename(p)[:-3] for p in ss]
                for k, ss in run.read_plan(os.path.join(run.REPO, "tests", "kernels", name))}

    def test_ci_plan_runs_the_core_four_everywhere(self):
        for line, suites in self.plan("ci.plan").items():
            for core in ("smoke", "seed-doc", "integrity", "faults"):
                self.assertIn(core, suites, line)

    def test_ci_plan_runs_every_suite_somewhere(self):
        plan = self.plan("ci.plan")
        every = self.plan("full.plan")["6.1"]
        # every suite but the slow-disk writeback, the fstests-based ones
        # and the device-time suite on 7.x; those on 6.12
        on612 = ("writeback", "fstests", "logwrites", "devtime")
        # the limits' timing suites: in the full plan only, for now
        full_only = ("caps", "floors", "directions")
        but = [s for s in every if s not in on612 + full_only]
        self.assertEqual(plan["7.x"], but)
        for s in on612 + ("exporter",):
            self.assertIn(s, plan["6.12"])
        # the debug kernel: all but those, the slowest there, and the
        # timing suites, each of which runs on 7.x
        off_debug = ("stacking", "apply", "cli-e2e", "defaults", "diskmodel", "fairness",
                     "exporter")
        self.assertEqual(plan["debug"], [s for s in but if s not in off_debug])
        for s in off_debug:
            self.assertIn(s, plan["7.x"])
        ran = set().union(*plan.values())
        self.assertEqual(ran, set(every) - set(full_only))

    def test_all_but(self):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False) as f:
            f.write("debug all -apply\n")
        self.addCleanup(os.unlink, f.name)
        got = {k: [os.path.basename(p)[:-3] for p in ss] for k, ss in run.read_plan(f.name)}
        self.assertNotIn("apply", got["debug"])
        self.assertIn("smoke", got["debug"])

    def test_full_plan_runs_every_suite_everywhere(self):
        plan = self.plan("full.plan")
        self.assertEqual(set(plan), {"6.1", "6.12", "6.12-rt", "7.x", "7.x-rt", "debug"})
        self.assertIn("attribution", plan["debug"])


class BootLog(unittest.TestCase):
    def write(self, text):
        import tempfile
        f = tempfile.NamedTemporaryFile("w", suffix=".dmesg", delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_a_kasan_report_while_booting_is_seen(self):
        path = self.write("[    0.000000] Linux version 6.12\n"
                          "[    0.005820] BUG: KASAN: wild-memory-access in do_raw_spin_lock\n")
        self.assertEqual(len(run.boot_log_bad(path)), 1)

    def test_a_clean_boot_is_clean(self):
        path = self.write("[    0.000000] Linux version 6.12\n"
                          "[    2.1] lockdep: fast, dynamic, and accurate\n")
        self.assertEqual(run.boot_log_bad(path), [])

    def test_no_boot_log_is_no_evidence(self):
        self.assertEqual(run.boot_log_bad("/nonexistent/boot-dmesg"), [])


class LostPatch(unittest.TestCase):
    def test_an_int3_oops_in_an_untainted_kernel_is_the_test_beds(self):
        text = ("[ 22.5] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
                "[ 22.5] CPU: 0 UID: 0 PID: 292 Comm: mkdir Not tainted 6.12.118 #1\n")
        self.assertEqual(len(run.lost_patch_oops(text)), 1)

    def test_with_our_module_loaded_it_is_a_failure(self):
        text = ("[ 22.5] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
                "[ 22.5] CPU: 0 UID: 0 PID: 292 Comm: fio Tainted: G OE 6.12.118 #1\n")
        self.assertEqual(run.lost_patch_oops(text), [])

    def test_other_oopses_are_failures(self):
        text = ("[ 22.5] BUG: kernel NULL pointer dereference, address: 0000000000000040\n"
                "[ 22.5] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
                "[ 22.5] CPU: 0 UID: 0 PID: 292 Comm: mkdir Not tainted 6.12.118 #1\n")
        self.assertEqual(run.lost_patch_oops(text), [])



if __name__ == "__main__":
    unittest.main()
