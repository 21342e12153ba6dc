"""The testbenches' clock: one definition of how every bench drives `clk`.

The clock runs inside the simulator (cocotb's `impl="gpi"`): no Python coroutine wakes up and no
write is scheduled per half period. Under Icarus that is about a third of the per-edge cost of
a streaming test (the Python clock's two scheduled writes per cycle each register a ReadWrite
callback), so every bench gains from it.

It starts LOW: the first rising edge comes half a period after start, so a reset value written
just before (a scheduled write, applied in the current time step's ReadWrite phase) has settled
when the DUT sees its first edge, and every coroutine registered right after start sees that
edge. (A simulator clock started high would rise synchronously inside `start()`, before the
reset write landed and before the benches' samplers were waiting.)
"""

from __future__ import annotations

from cocotb.clock import Clock


def start_clock(signal, period_ns: float) -> Clock:
    clock = Clock(signal, period_ns, unit="ns", impl="gpi")
    clock.start(start_high=False)
    return clock
