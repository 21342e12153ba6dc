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

Speed: the two halves own their handles and state, but their per-edge work runs as ONE
closure (LeanStream.edge), built once: every Python call on the per-edge path costs about 2 %
of the checked-message rate (profiled: the old single-loop environment was ~10 % faster than
a sampler -> stream -> monitor step -> driver step -> source chain). Inside it: local and cell
lookups instead of attribute lookups, reads through `fast_reader` (plain ints, no LogicArray
objects), writes only when a value changes, and the trigger source's common cases (the offer
still waiting, or taken and the next one ready to present) without a call; everything else
goes through TriggerSource.drive, the one definition of the stream's offering rules.
"""

from __future__ import annotations

from typing import Callable

from tb.axi_message import MemoryTarget, aw_beat_problems, w_beat_problems
from tb.transactions import AwBeat, MessageTxn, TriggerTxn, WBeat
from tb.trigger_stream import TriggerSource, bit_or_minus1, fast_reader, fast_writer

BATCH_CYCLES = 256
FULL_CHECKS = 256        # messages checked field by field before sampling every 16th
WINDOW = 64              # edges per backpressure-coverage window (tb/uvm/coverage.py BACKPRESSURE_WINDOW)


class LeanStreamDriver:
    """The active half: m_axi AWREADY/WREADY from the MemoryTarget's ready patterns, B answered
    in order with the BRESP the target chose, triggers offered from the TriggerSource. Owns the
    handles and the state its part of LeanStream.edge uses."""

    def __init__(self, dut, prefix: str, source: TriggerSource, target: MemoryTarget) -> None:
        self.source = source
        self.target = target
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        self.w_awready, self.w_wready, self.w_bvalid, self.w_bresp, self.w_bid = (
            fast_writer(m(n)) for n in ("awready", "wready", "bvalid", "bresp", "bid"))
        self.r_bready = fast_reader(m("bready"))
        self.ready = [0, 0]          # AWREADY, WREADY presented for the coming edge
        self.owed_b: list[int] = []  # BRESPs owed, in message order (the monitor appends)
        self.awid = [0]
        self.b = [0, 0]              # BVALID, BRESP driven
        self.reset()

    def reset(self) -> None:
        self.owed_b.clear()
        self.b[:] = [0, 0]
        self.ready[:] = [0, 0]
        for write in (self.w_awready, self.w_wready, self.w_bvalid, self.w_bresp, self.w_bid):
            write(0)


class LeanStreamMonitor:
    """The passive half: trigger handshakes and AW/W handshakes paired in order into
    MessageTxn, the sampled §1 field checks, the backpressure windows, batched publishing."""

    def __init__(self, dut, trigger_bus, prefix: str, target: MemoryTarget, driver: LeanStreamDriver,
                 publish: Callable[[list], None]) -> None:
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
        m = lambda n: getattr(dut, f"{prefix}_{n}")
        bus = trigger_bus
        self.r_iready = fast_reader(bus.ready)
        self.r_awvalid, self.r_awaddr, self.r_awid = fast_reader(m("awvalid")), fast_reader(m("awaddr")), fast_reader(m("awid"))
        self.r_wvalid, self.r_wdata = fast_reader(m("wvalid")), fast_reader(m("wdata"))
        self.fields = {n: m(n) for n in ("awlen", "awsize", "awburst", "wstrb", "wlast")}
        # Stall sampling for coverage reads valid while ready is low, also before the first
        # reset, where a 4-state simulator shows X: those reads treat X as 0.
        self.s_awvalid, self.s_wvalid = bit_or_minus1(m("awvalid")), bit_or_minus1(m("wvalid"))

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

    def check_aw(self, cycle: int, addr: int) -> None:
        """§1 field rules of one AW beat (and the AWID the B answers with)."""
        f = self.fields
        self.driver.awid[0] = a = self.r_awid()
        self.violations.extend(aw_beat_problems(AwBeat(cycle, addr, a, int(f["awlen"].value),
                                                       int(f["awsize"].value), int(f["awburst"].value))))

    def check_w(self, cycle: int, data: int) -> None:
        f = self.fields
        self.violations.extend(w_beat_problems(WBeat(cycle, data, int(f["wstrb"].value),
                                                     int(f["wlast"].value))))


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
        drv, mon = self.driver, self.monitor
        source = drv.source
        source_drive, present, queue = source.drive, source.present, source.queue
        # monitor side
        r_iready = mon.r_iready
        r_awvalid, r_awaddr, r_wvalid, r_wdata = mon.r_awvalid, mon.r_awaddr, mon.r_wvalid, mon.r_wdata
        s_awvalid, s_wvalid = mon.s_awvalid, mon.s_wvalid
        check_aw, check_w, flush = mon.check_aw, mon.check_w, mon.flush
        aw, w, bp, count = mon.aw, mon.w, mon.bp, mon.count
        choose_bresp = mon.target.choose_bresp
        # driver side
        owed, ready, awid, b = drv.owed_b, drv.ready, drv.awid, drv.b
        w_awready, w_wready, w_bvalid, w_bresp, w_bid = (drv.w_awready, drv.w_wready, drv.w_bvalid,
                                                         drv.w_bresp, drv.w_bid)
        r_bready = drv.r_bready
        aw_pat, w_pat = drv.target.aw_ready, drv.target.w_ready
        aw_len, w_len = len(aw_pat), len(w_pat)
        next_flush = [BATCH_CYCLES]

        def edge(cycle: int, in_reset: bool) -> None:
            if in_reset:
                source_drive(False, True)
                return
            # ---- monitor: what happened at this edge
            batch = mon.batch
            # VALID and the payload are the source's own (it drove them and holds them until the
            # handshake), so only READY is read: three to four handle reads fewer per trigger
            accepted = source.valid and r_iready()
            if accepted:
                t = source.presenting
                batch.append(TriggerTxn(cycle, t.index, t.pasid))
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
                if mon.on_backpressure is not None and (bp[1] or bp[3]):
                    mon.on_backpressure(*bp)
                bp[:] = [0, 0, 0, 0]
            # ---- driver: what to present for the next edge
            if accepted:
                # TriggerSource.drive's accepted case inline when the next item is a trigger
                # to present now; idle items, an idle generator, the end of the queue: drive()
                if (source.presenting is not None and queue and queue[0] is not None
                        and source.idle_generator is None):
                    source.offered += 1
                    present(queue.popleft())
                else:
                    source_drive(True, False)
            elif source.presenting is None:
                source_drive(False, False)      # nothing on offer: drive() takes the next item
            # (an offer still waiting for READY stays as it is: drive() would change nothing)
            if b[0] and r_bready():
                owed.pop(0)
                if owed:
                    if owed[0] != b[1]:
                        w_bresp(owed[0])
                        b[1] = owed[0]
                else:
                    w_bvalid(0)
                    b[0] = 0
            elif not b[0] and owed:
                w_bid(awid[0])
                if owed[0] != b[1]:
                    w_bresp(owed[0])
                    b[1] = owed[0]
                w_bvalid(1)
                b[0] = 1
            awr = aw_pat[cycle % aw_len]
            if awr != ready[0]:
                w_awready(awr)
                ready[0] = awr
            wr = w_pat[cycle % w_len]
            if wr != ready[1]:
                w_wready(wr)
                ready[1] = wr
            if cycle >= next_flush[0]:
                next_flush[0] = cycle + BATCH_CYCLES
                flush()
        return edge
