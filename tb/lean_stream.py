"""The lean high-rate path: a driver and a monitor for streaming traffic through the trigger
stream and the message port, one per-edge step each, no cocotbext-axi.

Why a separate pair: cocotbext-axi's AxiSlaveWrite tops out near 16k (Verilator) / 10k
(Icarus) messages per second, while a bare per-edge sampler reaches about 89k on Verilator.
The functional components (tb/axi_message.py MemoryTarget + MessageMonitor) stay the
reference; this pair trades their every-beat field checks for speed and is what `make bench`
measures.

* LeanStreamDriver: offers triggers from the shared TriggerSource (tb/trigger_stream.py),
  drives m_axi AWREADY/WREADY from the MemoryTarget's ready patterns and answers B in order
  with the BRESP the MemoryTarget chooses.
* LeanStreamMonitor: trigger handshakes and AW/W handshakes, paired in order into MessageTxn;
  the §1 field rules (tb/axi_message.py aw_beat_problems / w_beat_problems) are applied to the
  first 256 messages and then to every 16th (the fields are constants in any sane RTL, and
  reading them on every beat would cost a third of the loop). Transactions are handed over in
  batches (a list per analysis-port write) at least every BATCH_CYCLES edges and whenever the
  bench flushes (EdgeSampler.flush, before any other monitor publishes).

Speed: each side's per-edge step is a closure over its handles and state (`step`), built once:
local and cell lookups instead of attribute lookups, reads through `fast_reader` (plain ints,
no LogicArray objects), writes only when a value changes. The two share three small mutable
containers: the readies presented this edge, the BRESPs owed, the AWID to answer with.
"""

from __future__ import annotations

from typing import Callable

from tb.axi_message import MemoryTarget, aw_beat_problems, w_beat_problems
from tb.transactions import AwBeat, MessageTxn, TriggerTxn, WBeat
from tb.trigger_stream import TriggerSource, bit_or_minus1, fast_reader

BATCH_CYCLES = 256
FULL_CHECKS = 256        # messages checked field by field before sampling every 16th
WINDOW = 64              # edges per backpressure-coverage window (tb/uvm/coverage.py BACKPRESSURE_WINDOW)


class LeanStreamDriver:
    def __init__(self, dut, prefix: str, source: TriggerSource, target: MemoryTarget) -> None:
        self.source = source
        self.target = target
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        self._awready, self._wready, self._bvalid, self._bresp, self._bid = (
            m("awready"), m("wready"), m("bvalid"), m("bresp"), m("bid"))
        self._bready = fast_reader(m("bready"))
        self.ready = [0, 0]          # AWREADY, WREADY presented for the coming edge
        self.owed_b: list[int] = []  # BRESPs owed, in message order (the monitor appends)
        self.awid = [0]
        self._b = [0, 0]             # BVALID, BRESP driven
        self.step = self._make_step()
        self.reset()

    def reset(self) -> None:
        self.owed_b.clear()
        self._b[:] = [0, 0]
        self.ready[:] = [0, 0]
        self._awready.value = 0
        self._wready.value = 0
        self._bvalid.value = 0
        self._bresp.value = 0
        self._bid.value = 0

    def _make_step(self):
        drive_source = self.source.drive
        owed, ready, awid, b = self.owed_b, self.ready, self.awid, self._b
        h_awready, h_wready, h_bvalid, h_bresp, h_bid = (self._awready, self._wready, self._bvalid,
                                                         self._bresp, self._bid)
        r_bready = self._bready
        aw_pat, w_pat = self.target.aw_ready, self.target.w_ready
        aw_len, w_len = len(aw_pat), len(w_pat)

        def step(cycle: int, accepted: bool) -> None:
            drive_source(accepted, False)
            if b[0] and r_bready():
                owed.pop(0)
                if owed:
                    if owed[0] != b[1]:
                        h_bresp.value = b[1] = owed[0]
                else:
                    h_bvalid.value = b[0] = 0
            elif not b[0] and owed:
                h_bid.value = awid[0]
                if owed[0] != b[1]:
                    h_bresp.value = b[1] = owed[0]
                h_bvalid.value = b[0] = 1
            awr = aw_pat[cycle % aw_len]
            if awr != ready[0]:
                h_awready.value = ready[0] = awr
            wr = w_pat[cycle % w_len]
            if wr != ready[1]:
                h_wready.value = ready[1] = wr
        return step


class LeanStreamMonitor:
    def __init__(self, dut, trigger_bus, prefix: str, target: MemoryTarget, driver: LeanStreamDriver,
                 publish: Callable[[list], None]) -> None:
        self.dut, self.trigger_bus, self.prefix = dut, trigger_bus, prefix
        self.target = target
        self.driver = driver
        self.publish = publish
        self.batch: list = []
        self.violations: list[str] = []
        self.on_backpressure: Callable[[int, int, int, int], None] | None = None
        self.bp = [0, 0, 0, 0]       # AW stalled, AW valid, W stalled, W valid cycles of the window
        self.aw: list[int] = []
        self.w: list[int] = []
        self.count = [0, 0]          # messages, last message cycle
        self.step = self._make_step()

    @property
    def messages(self) -> int:
        return self.count[0]

    @property
    def last_message_cycle(self) -> int:
        return self.count[1]

    def reset(self) -> None:
        self.aw.clear()
        self.w.clear()

    def flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            self.publish(batch)

    def _make_step(self):
        dut, bus, prefix = self.dut, self.trigger_bus, self.prefix
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        r_ivalid, r_iready = fast_reader(bus.valid), fast_reader(bus.ready)
        r_index, r_pv, r_pasid = fast_reader(bus.index), fast_reader(bus.pasid_valid), fast_reader(bus.pasid)
        r_awvalid, r_awaddr, r_awid = fast_reader(m("awvalid")), fast_reader(m("awaddr")), fast_reader(m("awid"))
        r_wvalid, r_wdata = fast_reader(m("wvalid")), fast_reader(m("wdata"))
        fields = {n: m(n) for n in ("awlen", "awsize", "awburst", "wstrb", "wlast")}
        # Stall sampling for coverage reads valid while ready is low, also before the first
        # reset, where a 4-state simulator shows X: those reads treat X as 0.
        s_awvalid, s_wvalid = bit_or_minus1(m("awvalid")), bit_or_minus1(m("wvalid"))
        ready, owed, awid = self.driver.ready, self.driver.owed_b, self.driver.awid
        aw, w, bp, count, violations = self.aw, self.w, self.bp, self.count, self.violations
        choose_bresp = self.target.choose_bresp
        monitor = self

        def check_aw(cycle: int, addr: int) -> None:
            awid[0] = a = r_awid()
            violations.extend(aw_beat_problems(AwBeat(cycle, addr, a, int(fields["awlen"].value),
                                                      int(fields["awsize"].value), int(fields["awburst"].value))))

        def check_w(cycle: int, data: int) -> None:
            violations.extend(w_beat_problems(WBeat(cycle, data, int(fields["wstrb"].value),
                                                    int(fields["wlast"].value))))

        def step(cycle: int) -> bool:
            """Sample this edge; True if a trigger was accepted."""
            batch = monitor.batch
            accepted = r_ivalid() and r_iready()
            if accepted:
                batch.append(TriggerTxn(cycle, r_index(), r_pasid() if r_pv() else None))
            n = count[0]
            check = n < FULL_CHECKS or not n & 15
            if ready[0]:
                if r_awvalid():
                    bp[1] += 1
                    addr = r_awaddr()
                    if check:
                        check_aw(cycle, addr)
                    aw.append(addr)
            elif s_awvalid() == 1:
                bp[0] += 1      # stalled: counted as a valid cycle too
                bp[1] += 1
            if not ready[1]:
                if s_wvalid() == 1:
                    bp[2] += 1
                    bp[3] += 1
            elif r_wvalid():
                bp[3] += 1
                data = r_wdata()
                if check:
                    check_w(cycle, data)
                w.append(data)
            if aw and w:
                addr = aw.pop(0)
                bresp = choose_bresp(addr)
                batch.append(MessageTxn(cycle, addr, w.pop(0), bresp))
                owed.append(bresp)
                count[0] = n + 1
                count[1] = cycle
            if not cycle % WINDOW:
                if monitor.on_backpressure is not None and (bp[1] or bp[3]):
                    monitor.on_backpressure(*bp)
                bp[:] = [0, 0, 0, 0]
            return accepted
        return step


class LeanStream:
    """The pair, stepped once per edge by the EdgeSampler (hook `edge`)."""

    def __init__(self, dut, trigger_bus, prefix: str, source: TriggerSource, target: MemoryTarget,
                 publish: Callable[[list], None]) -> None:
        self.driver = LeanStreamDriver(dut, prefix, source, target)
        self.monitor = LeanStreamMonitor(dut, trigger_bus, prefix, target, self.driver, publish)
        self.edge = self._make_edge()

    def reset(self) -> None:
        """Reset asserted: owed responses and half-paired beats are gone; queued triggers
        stay queued (the one on offer is dropped by the source's reset handling)."""
        self.driver.reset()
        self.monitor.reset()

    def flush(self) -> None:
        self.monitor.flush()

    def _make_edge(self):
        sample, drive = self.monitor.step, self.driver.step
        source_drive = self.driver.source.drive
        flush = self.monitor.flush
        next_flush = [BATCH_CYCLES]

        def edge(cycle: int, in_reset: bool) -> None:
            if in_reset:
                source_drive(False, True)
                return
            drive(cycle, sample(cycle))
            if cycle >= next_flush[0]:
                next_flush[0] = cycle + BATCH_CYCLES
                flush()
        return edge
