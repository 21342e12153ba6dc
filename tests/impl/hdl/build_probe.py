"""cocotb module for the runner's build-cache test (tests/tooling/test_sim_tools.py): the probe design
drives a constant, and the test expects the value the current source says (PROBE_EXPECT)."""

import os

import cocotb
from cocotb.triggers import Timer


@cocotb.test()
async def probe_value_is_current_source(dut):
    await Timer(1, "ns")
    want = int(os.environ["PROBE_EXPECT"])
    got = int(dut.value.value)
    assert got == want, f"probe drives {got}, its current source says {want}: a stale build was reused"
