"""cocotb/pyuvm register tests of the IMS block (run by tests/impl/test_regs.py on both simulators).

The register layer (tb/uvm/reg_model.py) is built from regs/ims.rdl; the sequences
(tb/uvm/reg_sequences.py) take every expected value from it. The scoreboard of the full pyuvm
environment watches the same run, so the model agrees with the RTL on every access too.

IMS_REGS_RDL=<path> makes the whole run (models, scoreboard, register layer) use another
description: tests/impl/test_regs.py uses it to show that a description with one field moved fails.
"""

from __future__ import annotations

import os
import time

import cocotb
import pyuvm
from cocotb.utils import get_sim_time
from pyuvm import ConfigDB, uvm_test

from models.regs import ENV_RDL, rdl_path
from tb.uvm.config import EnvConfig
from tb.uvm.reg_model import ImsRegEnv
from tb.uvm.reg_sequences import ALL_SEQUENCES, RegChecks
from tb.clock import start_clock

REGRESSION_SEED = int(cocotb.RANDOM_SEED)
MODULE = "tests.impl.hdl.reg_tests"


class ImsRegTest(uvm_test):
    """Reset, then every register test sequence; fails on any mismatch, with the repro line."""

    sequences = ALL_SEQUENCES

    def build_phase(self):
        dut = cocotb.top
        self.cfg = EnvConfig.from_dut(dut, type(self).__name__, REGRESSION_SEED)
        ConfigDB().set(None, "*", "cfg", self.cfg)
        ConfigDB().set(None, "*", "dut", dut)
        self.env = ImsRegEnv("env", self)

    def repro(self) -> str:
        cfg = self.cfg
        params = " ".join(f"--param {k}={v}" for k, v in sorted(cfg.params.items()))
        rdl = f"{ENV_RDL}={os.environ[ENV_RDL]} " if os.environ.get(ENV_RDL) else ""
        return (f"{rdl}.venv/bin/python -m imsflow.sim --module {MODULE} --testcase {cfg.test} "
                f"--sim {cfg.sim} {params} --seed {cfg.seed}")

    async def run_phase(self):
        self.raise_objection()
        env, cfg = self.env, self.cfg
        self.logger.info(f"{cfg.test}: seed {cfg.seed}, {cfg.sim}, NUM_SLOTS={cfg.num_slots}, "
                         f"description {rdl_path()}; reproduce: {self.repro()}")
        start_clock(cocotb.top.clk, 10)
        wall0 = time.perf_counter()
        await env.reset_dut()
        await env.wait_not_busy()
        self.checks = RegChecks(env)
        self.ran = []
        for seq_cls in self.sequences:
            t0 = time.perf_counter()
            before = self.checks.checks
            try:
                await seq_cls(seq_cls.__name__, self.checks).start(env.reg_seqr)
            except Exception as exc:   # a crash is one more finding; the other sequences still run
                self.checks.problem("SEQUENCE_ERROR", seq_cls.__name__, 0, f"{type(exc).__name__}: {exc}")
                self.logger.exception(f"{seq_cls.__name__} stopped")
            self.ran.append(f"{seq_cls.__name__} {self.checks.checks - before} checks "
                            f"{time.perf_counter() - t0:.1f} s")
        await env.final_check()
        self.wall = time.perf_counter() - wall0
        self.drop_objection()

    def check_phase(self):
        c = self.checks
        for note in c.notes:
            self.logger.info(f"{self.cfg.test}: {note}")
        self.logger.info(f"{self.cfg.test}: {'; '.join(self.ran)}; {self.env.reg_driver.accesses} AXI-Lite "
                         f"accesses, {get_sim_time('ns'):.0f} ns simulated, {self.wall:.1f} s wall")
        assert c.checks > 0, f"{self.cfg.test}: no register check ran"
        if c.problems:
            # Per rule: how many, and the first of each (a broken field shows in several rules).
            by_rule: dict[str, list] = {}
            for p in c.problems:
                by_rule.setdefault(p.rule, []).append(p)
            counts = ", ".join(f"{rule} {len(ps)}" for rule, ps in by_rule.items())
            firsts = [ps[0] for ps in by_rule.values()]
            rest = [p for p in c.problems if p not in firsts][:12]
            shown = "\n  ".join(str(p) for p in firsts + rest)
            more = len(c.problems) - len(firsts) - len(rest)
            raise AssertionError(f"{self.cfg.test} (seed {self.cfg.seed}, {self.cfg.sim}, NUM_SLOTS="
                                 f"{self.cfg.num_slots}, description {rdl_path()}): {len(c.problems)} register "
                                 f"mismatch(es) ({counts}):\n  {shown}"
                                 + (f"\n  ... and {more} more" if more > 0 else "")
                                 + f"\nreproduce: {self.repro()}")
        self.env.sb.raise_if_failed(f"{self.cfg.test} (seed {self.cfg.seed}, {self.cfg.sim}): scoreboard")


@pyuvm.test()
class UvmRegisters(ImsRegTest):
    pass
