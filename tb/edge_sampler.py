"""One clock-edge loop per bench: counts rising edges and calls the interface components'
per-edge functions in a fixed order.

Why one loop instead of one coroutine per monitor: every timestamp of a run comes from the
same counter, and the order in which interfaces are sampled within one edge is defined (a
register write completing at edge c is reported before a trigger accepted at edge c, because
the RTL may already apply it). A coroutine wake-up is also the dominant cost per edge; the
hooks are plain function calls.

Hooks are `fn(cycle, in_reset)`; `in_reset` comes from the bench (the directed bench reads
the reset pin, the pyuvm environment marks reset itself, see ImsEnv.reset_dut).
"""

from __future__ import annotations

from typing import Callable

import cocotb
from cocotb.triggers import RisingEdge

Hook = Callable[[int, bool], None]


class EdgeSampler:
    def __init__(self, clk, in_reset: Callable[[], bool]) -> None:
        self.clk = clk
        self.in_reset = in_reset
        self.cycle = 0
        self.hooks: list[Hook] = []          # registration order = call order
        self._off: set[int] = set()          # indices of hooks switched off
        self._active: tuple[Hook, ...] = ()
        self._batchers: list = []
        self._task = None

    def add(self, hook: Hook, enabled: bool = True) -> None:
        self.hooks.append(hook)
        if not enabled:
            self._off.add(len(self.hooks) - 1)
        self._rebuild()

    def enable(self, hook: Hook, on: bool = True) -> None:
        """Switch a hook on or off, keeping its place in the order (a monitor that only has
        work while its driver is busy costs nothing per edge otherwise)."""
        k = self.hooks.index(hook)
        if on:
            self._off.discard(k)
        else:
            self._off.add(k)
        self._rebuild()

    def _rebuild(self) -> None:
        self._active = tuple(h for k, h in enumerate(self.hooks) if k not in self._off)

    def add_batcher(self, component) -> None:
        """A component that holds transactions back (component.flush() publishes them);
        `flush()` below publishes them first, so transactions reach subscribers in edge order."""
        self._batchers.append(component)

    def flush(self) -> None:
        for b in self._batchers:
            b.flush()

    def start(self) -> None:
        if self._task is None:
            self._task = cocotb.start_soon(self._run())

    async def _run(self) -> None:
        edge = RisingEdge(self.clk)
        in_reset = self.in_reset
        while True:
            await edge
            self.cycle = cycle = self.cycle + 1
            r = in_reset()
            for hook in self._active:      # a snapshot: a hook may switch hooks off
                hook(cycle, r)
