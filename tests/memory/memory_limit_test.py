#!/usr/bin/env python3
"""The memory limit holds for a whole process: `tessera bench memory` (persist, group-by with
split_out, a hash join, set_index + persist) under /usr/bin/time, on generated taxi files about
twice the limit. Asserts the process's peak resident memory stays within the limit plus the
documented overhead (docs/architecture.md, "Memory"), that every step gives the same result as
without a limit, that spill files are gone afterwards, and that a killed process's spill
directory is removed by the next start.

usage: memory_limit_test.py PATH/TO/tessera"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

TESSERA = None
LIMIT = 96 * 10**6
# What a process holds beyond the scheduler's memory: the program and its libraries, thread
# stacks, allocator slack, and the working memory of a task admitted while no other could
# finish (one partition's worth per thread at this block size).
OVERHEAD = 64 * 2**20
BLOCKSIZE = "8MB"


def run_bench(glob, env, compare):
    command = ["/usr/bin/time", "-f", "max_rss_kb=%M", TESSERA, "bench", "memory", glob,
               "--memory-limit", str(LIMIT), "--blocksize", BLOCKSIZE]
    if not compare:
        command.append("--no-comparison")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    max_rss = int(done.stderr.strip().splitlines()[-1].split("=")[1]) * 1024
    return figures, max_rss, done.stdout


class MemoryLimitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="tessera-memory-test-")
        cls.data = os.path.join(cls.directory.name, "taxi")
        subprocess.run([TESSERA, "datasets", "taxi", cls.data, "--files", "4", "--rows", "300000"],
                       check=True, capture_output=True, timeout=300)
        cls.glob = os.path.join(cls.data, "*.csv")
        cls.spill_base = os.path.join(cls.directory.name, "spill")
        os.makedirs(cls.spill_base)
        cls.env = dict(os.environ, TMPDIR=cls.spill_base)

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def spill_directories(self):
        return [name for name in os.listdir(self.spill_base) if name.startswith("tessera-spill-")]

    def test_peak_resident_memory_stays_within_the_limit(self):
        figures, max_rss, log = run_bench(self.glob, self.env, compare=False)
        self.assertLessEqual(max_rss, LIMIT + OVERHEAD, f"whole process peaked at {max_rss >> 20} MiB\n{log}")
        steps = {step["step"]: step for step in figures["limited"]}
        self.assertEqual(set(steps), {"read_csv+persist", "groupby.split_out", "hash_join", "set_index+persist"})
        for name, step in steps.items():
            self.assertLessEqual(step["peak_rss_bytes"], LIMIT + OVERHEAD, f"{name}\n{log}")
            self.assertGreater(step["spilled_bytes"], 0, f"{name} did not spill under the limit\n{log}")
        self.assertEqual(self.spill_directories(), [], "spill directories left behind")

    def test_results_equal_those_without_a_limit(self):
        figures, _, log = run_bench(self.glob, self.env, compare=True)
        limited = {step["step"]: step["result"] for step in figures["limited"]}
        unlimited = {step["step"]: step["result"] for step in figures["unlimited"]}
        self.assertEqual(limited, unlimited, log)
        self.assertEqual(self.spill_directories(), [])

    def test_the_next_start_removes_a_killed_process_spill_directory(self):
        command = [TESSERA, "bench", "memory", self.glob, "--memory-limit", str(LIMIT), "--blocksize", BLOCKSIZE,
                   "--no-comparison"]
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not self.spill_directories() and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            left = self.spill_directories()
            self.assertTrue(left, "the run never spilled")
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait()
        self.assertEqual(self.spill_directories(), left, "SIGKILL cleaned up, so nothing is tested")
        # Any scheduler start under the same TMPDIR cleans up, the next run of one file too.
        run_bench(os.path.join(self.data, "*01.csv"), self.env, compare=False)
        self.assertEqual(self.spill_directories(), [], "the killed process's spill directory survived")


if __name__ == "__main__":
    TESSERA = sys.argv.pop(1)
    unittest.main(verbosity=2)
