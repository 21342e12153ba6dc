"""Run configuration of the pyuvm environment: seed, simulator, parameters, knobs.

One object, put in the ConfigDB by the test and read by every component, so the reproduce
command printed in a failure report is built from exactly what the run used.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import cocotb


RESULTS_FILE = "uvm_results.jsonl"   # one JSON line per test, in the simulator's run directory


def read_results(run_dir: Path) -> list[dict]:
    """Every result line the tests of one simulator run wrote (EnvConfig.write_result)."""
    path = Path(run_dir) / RESULTS_FILE
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def last_result(run_dir: Path) -> dict | None:
    results = read_results(run_dir)
    return results[-1] if results else None


def _params_from_env() -> dict[str, int]:
    text = os.environ.get("IMS_PARAMS", "")
    out = {}
    for item in filter(None, text.split(",")):
        k, _, v = item.partition("=")
        out[k] = int(v, 0)
    return out


@dataclass
class EnvConfig:
    test: str
    seed: int
    sim: str
    params: dict[str, int]
    num_slots: int
    irq_index_width: int
    axil_addr_width: int
    # memory agent
    lean: bool = False                  # bare per-edge sampler instead of cocotbext-axi's slave
    aw_ready_pattern: list[int] = field(default_factory=lambda: [1])
    w_ready_pattern: list[int] = field(default_factory=lambda: [1])
    bresp_error_rate: float = 0.0       # fraction of messages answered with an error BRESP
    # entry fetches (contract §7; only with a build of MEM_MAX_ENTRIES > 0)
    mem_max_entries: int = 0            # the build's MEM_MAX_ENTRIES (from the run's parameters)
    fetch_latency: int = 4              # cycles from the AR handshake to the first R beat
    ar_pause: list[int] | None = None   # per-cycle pattern, 1 = arready low (repeats)
    r_pause: list[int] | None = None    # per-cycle pattern, 1 = no R beat offered (repeats)
    fetch_error_rate: float = 0.0       # per-fetch injection: share of fetches with one SLVERR beat
    # platform
    num_cpus: int = 4
    posted_supported: bool = False
    auto_ack: bool = True               # False: CPUs run only when a sequence dispatches them
    requester_id: int = 0x0300
    rng: random.Random = field(default=None, repr=False)
    test_seed: int = 0

    @classmethod
    def from_dut(cls, dut, test: str, regression_seed: int, **knobs) -> "EnvConfig":
        """`regression_seed` is COCOTB_RANDOM_SEED (what reproduces the run); cocotb derives
        each test's own seed (cocotb.RANDOM_SEED inside the test) from it and the test name."""
        params = _params_from_env()
        # The runner passes the parameters in IMS_PARAMS; the default is the contract's. The
        # base sequence checks this against the NUM_SLOTS register after reset.
        num_slots = params.get("NUM_SLOTS", 2048)
        knobs.setdefault("mem_max_entries", params.get("MEM_MAX_ENTRIES", 0))
        cfg = cls(test=test, seed=int(regression_seed), sim=os.environ.get("IMS_SIM", "icarus"),
                  params=params, num_slots=num_slots,
                  irq_index_width=len(dut.s_irq_index),
                  axil_addr_width=len(dut.s_axil_awaddr), **knobs)
        # One generator per run, derived from cocotb's seed: every choice is reproducible.
        cfg.test_seed = int(cocotb.RANDOM_SEED)
        cfg.rng = random.Random(cfg.test_seed)
        return cfg

    def repro(self) -> str:
        param_args = " ".join(f"--param {k}={v}" for k, v in sorted(self.params.items()))
        make_params = " ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return (f"make waves TEST={self.test} SEED={self.seed} SIM={self.sim} {make_params}  |  "
                f".venv/bin/python -m imsflow.sim --module tests.impl.hdl.uvm_tests --testcase {self.test} "
                f"--sim {self.sim} {param_args} --seed {self.seed} --waves")

    def write_result(self, result: str, messages: int, sim_time_ns: float, wall_s: float,
                     extra: dict | None = None) -> None:
        """One JSON line per test in the run directory, for `make regress` to tabulate."""
        line = {"test": self.test, "seed": self.seed, "sim": self.sim, "params": self.params,
                "result": result, "messages_checked": messages, "sim_time_ns": sim_time_ns,
                "wall_s": round(wall_s, 3),
                "msgs_per_s": round(messages / wall_s, 1) if wall_s > 0 else None}
        line.update(extra or {})
        with open(Path.cwd() / RESULTS_FILE, "a") as f:
            f.write(json.dumps(line) + "\n")
