"""RTL benchmark: sustained messages per clock, trigger-to-AWVALID latency, wall-clock speed.

    python imsflow/bench_rtl.py --sim icarus|verilator [--param NUM_SLOTS=64] [--messages 4096]

Runs the cocotb module tests.impl.hdl.ims_bench (which writes its figures as JSON into its run
directory) and prints one line per run, e.g.
    bench rtl icarus NUM_SLOTS=2048: 1.00 msg/clk sustained over 4096 msgs, latency 2 cycles
    (trigger accept -> AWVALID), 31.2k msg/s wall
Exit status 1 when a contract §5 goal is missed (1 message per clock, latency <= 3 edges).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imsflow import sim as sim_mod  # noqa: E402

GOAL_MSG_PER_CLK = 1.0      # §5 throughput: one message per clock
GOAL_LATENCY = 3            # §5 latency: AWVALID at edge N+3 or earlier


def run_bench(sim: str, parameters: dict, messages: int = 4096, seed: int | None = 1) -> dict:
    """Run the bench and return its figures (raises AssertionError if the run failed)."""
    res = sim_mod.run("tests.impl.hdl.ims_bench", sim=sim, parameters=parameters, seed=seed,
                      extra_env={"IMS_BENCH_MESSAGES": str(messages)},
                      run_tag=f"bench-{messages}")
    return json.loads((res.test_dir / "bench_rtl.json").read_text())


def goal_problems(fig: dict) -> list[str]:
    problems = []
    if fig["msg_per_clk"] < GOAL_MSG_PER_CLK:
        problems.append(f"throughput {fig['msg_per_clk']:.3f} msg/clk < {GOAL_MSG_PER_CLK}")
    if fig["latency_max"] > GOAL_LATENCY:
        problems.append(f"latency {fig['latency_max']} cycles > {GOAL_LATENCY}")
    return problems


def format_line(fig: dict) -> str:
    params = fig["params"].replace(",", " ") or "defaults"
    lat = (f"{fig['latency_max']} cycles" if fig["latency_min"] == fig["latency_max"]
           else f"{fig['latency_min']}-{fig['latency_max']} cycles")
    return (f"bench rtl {fig['sim']} {params}: {fig['msg_per_clk']:.2f} msg/clk sustained over "
            f"{fig['messages']} msgs (CNT_SENT {fig['cnt_sent_per_clk']:.3f}/clk, triggers "
            f"{fig['triggers_per_clk']:.2f}/clk), latency {lat} (trigger accept -> AWVALID), "
            f"{fig['wall_msg_per_s'] / 1000:.1f}k msg/s wall")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="icarus", choices=sim_mod.SIMULATORS)
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE, repeatable")
    ap.add_argument("--messages", type=int, default=4096, help="messages in the throughput phase (>= 2000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    params = sim_mod.parse_params(args.param) or {"NUM_SLOTS": 2048}
    try:
        fig = run_bench(args.sim, params, args.messages, args.seed)
    except AssertionError as exc:
        print(f"bench rtl {args.sim}: FAILED\n{exc}")
        return 1
    print(format_line(fig))
    problems = goal_problems(fig)
    for p in problems:
        print(f"bench rtl {args.sim}: GOAL MISSED: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
