"""The lean high-rate path: a driver and a monitor for streaming traffic through the trigger
stream and the message port, one per-edge step each, no cocotbext-axi.

Why a separate pair: cocotbext-axi's AxiSlaveWrite tops out near 16k (Verilator) / 10k
(Icarus) messages per second, while a bare per-edge sampler reaches about 89k on Verilator.
The functional agents (tb/axi_message.py MemoryTarget + MessageMonitor) stay the reference;
this pair trades their every-beat field checks for speed and is what `make bench` measures.

* LeanStreamDriver: offers triggers from the shared TriggerSource (tb/trigger_stream.py),
  drives m_axi AWREADY/WREADY from the MemoryTarget's ready patterns and answers B in order
  with the BRESP the MemoryTarget chooses.
* LeanStreamMonitor: trigger handshakes and AW/W handshakes, paired in order into MessageTxn;
  the §1 field rules (tb/axi_message.py aw_beat_problems / w_beat_problems) are applied to the
  first 256 messages and then to every 16th (the fields are constants in any sane RTL, and
  reading them on every beat would cost a third of the loop). Transactions are handed over in
  batches (a list per analysis-port write) at least every BATCH_CYCLES edges and whenever the
  bench flushes (EdgeSampler.flush, before any other monitor publishes).

Reads go through `fast_reader` (plain ints, no LogicArray objects); writes happen only when a
value changes.
"""

from __future__ import annotations

from typing import Callable

from tb.axi_message import MemoryTarget, aw_beat_problems, w_beat_problems
from tb.transactions import AwBeat, MessageTxn, TriggerTxn, WBeat
from tb.trigger_stream import TriggerSource, bit_or_minus1, fast_reader

BATCH_CYCLES = 256


class LeanStreamDriver:
    def __init__(self, dut, prefix: str, source: TriggerSource, target: MemoryTarget) -> None:
        self.source = source
        self.target = target
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        self._awready, self._wready, self._bvalid, self._bresp_h, self._bid = (
            m("awready"), m("wready"), m("bvalid"), m("bresp"), m("bid"))
        self._bready = fast_reader(m("bready"))
        self.awid = 0
        self.reset()

    def reset(self) -> None:
        self.owed_b: list[int] = []     # BRESPs owed, in message order
        self._bv = 0
        self._br = 0
        self.awr = self.wr = 0
        self.idle_outputs()

    def idle_outputs(self) -> None:
        self._awready.value = 0
        self._wready.value = 0
        self._bvalid.value = 0
        self._bresp_h.value = 0
        self._bid.value = 0

    def drive(self, cycle: int, accepted: bool) -> None:
        self.source.drive(accepted, False)
        owed = self.owed_b
        if self._bv and self._bready():
            owed.pop(0)
            if owed:
                if owed[0] != self._br:
                    self._bresp_h.value = self._br = owed[0]
            else:
                self._bvalid.value = self._bv = 0
        elif not self._bv and owed:
            self._bid.value = self.awid
            if owed[0] != self._br:
                self._bresp_h.value = self._br = owed[0]
            self._bvalid.value = self._bv = 1
        t = self.target
        awr = t.aw_ready[cycle % len(t.aw_ready)]
        if awr != self.awr:
            self._awready.value = self.awr = awr
        wr = t.w_ready[cycle % len(t.w_ready)]
        if wr != self.wr:
            self._wready.value = self.wr = wr


class LeanStreamMonitor:
    def __init__(self, dut, trigger_bus, prefix: str, target: MemoryTarget,
                 publish: Callable[[list], None]) -> None:
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        self.target = target
        self.publish = publish
        self._ivalid, self._iready = fast_reader(trigger_bus.valid), fast_reader(trigger_bus.ready)
        self._index, self._pv, self._pasid = (fast_reader(trigger_bus.index), fast_reader(trigger_bus.pasid_valid),
                                              fast_reader(trigger_bus.pasid))
        self._awvalid, self._awaddr = fast_reader(m("awvalid")), fast_reader(m("awaddr"))
        self._awid = fast_reader(m("awid"))
        self._fields = {n: m(n) for n in ("awlen", "awsize", "awburst", "wstrb", "wlast")}
        self._wvalid, self._wdata = fast_reader(m("wvalid")), fast_reader(m("wdata"))
        # Stall sampling for coverage reads valid while ready is low, also before the first
        # reset, where a 4-state simulator shows X: those reads treat X as 0.
        self._s_awvalid, self._s_wvalid = bit_or_minus1(m("awvalid")), bit_or_minus1(m("wvalid"))
        self.batch: list = []
        self.violations: list[str] = []
        self.on_backpressure: Callable[[int, int, int, int], None] | None = None
        self.window = 256
        self.bp = [0, 0, 0, 0]
        self.messages = 0
        self.last_message_cycle = 0
        self.reset()

    def reset(self) -> None:
        self.aw: list[int] = []
        self.w: list[int] = []

    def flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            self.publish(batch)

    def sample_trigger(self, cycle: int) -> bool:
        if self._ivalid() and self._iready():
            self.batch.append(TriggerTxn(cycle, self._index(), self._pasid() if self._pv() else None))
            return True
        return False

    def sample_message(self, cycle: int, driver: LeanStreamDriver) -> None:
        """AW/W with the readies the driver presented for this edge."""
        bp = self.bp
        check = self.messages < 256 or not self.messages & 15
        if driver.awr:
            if self._awvalid():
                bp[1] += 1
                addr = self._awaddr()
                if check:
                    driver.awid = awid = self._awid()
                    f = self._fields
                    self.violations += aw_beat_problems(AwBeat(cycle, addr, awid, int(f["awlen"].value),
                                                               int(f["awsize"].value), int(f["awburst"].value)))
                self.aw.append(addr)
        elif self._s_awvalid() == 1:
            bp[0] += 1      # stalled: counted as a valid cycle too
            bp[1] += 1
        if not driver.wr:
            if self._s_wvalid() == 1:
                bp[2] += 1
                bp[3] += 1
        elif self._wvalid():
            bp[3] += 1
            data = self._wdata()
            if check:
                f = self._fields
                self.violations += w_beat_problems(WBeat(cycle, data, int(f["wstrb"].value), int(f["wlast"].value)))
            self.w.append(data)
        if self.aw and self.w:
            addr = self.aw.pop(0)
            bresp = self.target.choose_bresp(addr)
            self.batch.append(MessageTxn(cycle, addr, self.w.pop(0), bresp))
            driver.owed_b.append(bresp)
            self.last_message_cycle = cycle
            self.messages += 1
        if not cycle % self.window:
            if self.on_backpressure is not None and (bp[1] or bp[3]):
                self.on_backpressure(*bp)
            bp[:] = [0, 0, 0, 0]


class LeanStream:
    """The pair, stepped once per edge by the EdgeSampler (hook `edge`)."""

    def __init__(self, dut, trigger_bus, prefix: str, source: TriggerSource, target: MemoryTarget,
                 publish: Callable[[list], None]) -> None:
        self.driver = LeanStreamDriver(dut, prefix, source, target)
        self.monitor = LeanStreamMonitor(dut, trigger_bus, prefix, target, publish)
        self._next_flush = BATCH_CYCLES

    def reset(self) -> None:
        """Reset asserted: owed responses and half-paired beats are gone; queued triggers
        stay queued (the one on offer is dropped by the source's reset handling)."""
        self.driver.reset()
        self.monitor.reset()

    def flush(self) -> None:
        self.monitor.flush()

    def edge(self, cycle: int, in_reset: bool) -> None:
        if in_reset:
            self.driver.source.drive(False, True)
            return
        mon = self.monitor
        accepted = mon.sample_trigger(cycle)
        mon.sample_message(cycle, self.driver)
        self.driver.drive(cycle, accepted)
        if cycle >= self._next_flush:
            self._next_flush = cycle + BATCH_CYCLES
            mon.flush()
