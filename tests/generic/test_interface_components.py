"""Simulator-free tests of the shared interface components (tb/axi_message.py,
tb/trigger_stream.py, tb/lean_stream.py): every rule the one message monitor owns is shown to
fail on a wrong behaviour, the memory target gives the monitor and the slave the same BRESP,
and the trigger source/monitor keep the stream's handshake rules.

The DUT is a namespace of fake signals (each a `.value`), stepped edge by edge the way the
EdgeSampler steps the components in a simulation.
"""

from __future__ import annotations

import random
from types import SimpleNamespace

from tb.axi_message import OKAY, SLVERR, MemoryTarget, MessageMonitor
from tb.lean_stream import LeanStream
from tb.transactions import MessageTxn, Trigger, TriggerTxn
from tb.trigger_stream import TriggerBus, TriggerMonitor, TriggerPort, TriggerSource


class Sig:
    def __init__(self, value=0):
        self.value = value


def msg_port(**values):
    names = ("awvalid awready awaddr awid awlen awsize awburst wvalid wready wdata wstrb wlast "
             "bvalid bready bresp").split()
    base = dict.fromkeys(names, 0)
    base.update(awsize=2, awburst=1, wstrb=0xF, wlast=1, bready=1)
    base.update(values)
    return SimpleNamespace(**{f"m_axi_{k}": Sig(v) for k, v in base.items()})


def set_(dut, **values):
    for k, v in values.items():
        getattr(dut, f"m_axi_{k}").value = v


# ------------------------------------------------------------------ message monitor rules
def test_clean_message_passes_and_is_published_with_the_targets_bresp():
    dut = msg_port()
    target = MemoryTarget()
    target.respond(0x1000, SLVERR)
    got = []
    mon = MessageMonitor(dut, target=target, publish=got.append)
    set_(dut, awvalid=1, awready=1, awaddr=0x1000, wvalid=1, wready=1, wdata=0x55)
    mon.sample(5, False)
    set_(dut, awvalid=0, wvalid=0, bvalid=1, bresp=SLVERR)
    mon.sample(6, False)
    assert mon.violations == []
    assert got == [MessageTxn(5, 0x1000, 0x55, SLVERR, 5, 5, 6)]


def test_awvalid_dropped_before_awready_is_reported():
    dut = msg_port(awvalid=1, awready=0, awaddr=0x2000)
    mon = MessageMonitor(dut)
    mon.sample(3, False)                 # AW offered, stalled
    set_(dut, awvalid=0)                 # withdrawn without a handshake: AXI forbids it
    mon.sample(4, False)
    assert mon.violations == ["cycle 4: AWVALID dropped before its handshake"]


def test_w_payload_change_while_stalled_is_reported():
    dut = msg_port(wvalid=1, wready=0, wdata=0x11)
    mon = MessageMonitor(dut)
    mon.sample(8, False)
    set_(dut, wdata=0x12)
    mon.sample(9, False)
    assert len(mon.violations) == 1 and "cycle 9: W payload changed while stalled" in mon.violations[0]


def test_unknown_valid_outside_reset_is_reported_and_ignored_in_reset():
    class XSig:
        """int() of an X/Z value raises ValueError in cocotb."""
        @property
        def value(self):
            raise ValueError("X")
    dut = msg_port()
    dut.m_axi_awvalid = XSig()
    mon = MessageMonitor(dut)
    mon.sample(1, True)
    assert mon.violations == []
    mon.sample(2, False)
    assert mon.violations == ["cycle 2: m_axi_awvalid is X/Z outside reset"]


def test_bresp_on_the_wire_must_be_the_targets_choice():
    """A memory side answering something other than what the target chose (a TB bug, or a
    response the scoreboard was not told about) is reported, so the BRESP a scoreboard
    counts is the one the DUT saw."""
    dut = msg_port()
    target = MemoryTarget()
    target.respond(0x3000, SLVERR)
    mon = MessageMonitor(dut, target=target)
    set_(dut, awvalid=1, awready=1, awaddr=0x3000, wvalid=1, wready=1, wdata=1)
    mon.sample(1, False)
    set_(dut, awvalid=0, wvalid=0, bvalid=1, bresp=OKAY)
    mon.sample(2, False)
    assert mon.violations == ["cycle 2: BRESP 0 for message 0 (addr 0x3000), the memory target chose 2 (TB bug)"]


def test_b_before_its_message_is_reported():
    dut = msg_port(bvalid=1, bready=1)
    mon = MessageMonitor(dut)
    mon.sample(1, False)
    assert any("B handshake without a completed message" in v for v in mon.violations)


def test_wrong_beat_fields_are_reported_by_the_monitor():
    dut = msg_port(awvalid=1, awready=1, awaddr=0x4002, awlen=1, wvalid=1, wready=1, wstrb=0x3, wlast=0)
    mon = MessageMonitor(dut)
    mon.sample(7, False)
    text = " | ".join(mon.violations)
    for needle in ("awlen=1", "not dword aligned", "wstrb=0x3", "wlast=0"):
        assert needle in text, text
    assert all(v.startswith("cycle 7:") for v in mon.violations)


def test_backpressure_windows_are_counted():
    dut = msg_port(awvalid=1, awready=0, wvalid=1, wready=1)
    mon = MessageMonitor(dut)
    seen = []
    mon.on_backpressure = lambda *bp: seen.append(bp)
    mon.window = 4
    for c in range(1, 5):
        mon.sample(c, False)
        set_(dut, wvalid=0)
    assert seen == [(4, 4, 0, 1)]


# ------------------------------------------------------------------------ memory target
def test_memory_target_gives_both_sides_the_same_answer_whoever_asks_first():
    t = MemoryTarget(error_rate=0.5, rng=random.Random(3))
    monitor_first = [t.bresp_for(0, 0x10 * k) for k in range(20)]
    slave_after = [t.bresp_for(1, 0x10 * k) for k in range(20)]
    assert monitor_first == slave_after and SLVERR in monitor_first and OKAY in monitor_first
    slave_first = [t.bresp_for(1, 0x10 * k) for k in range(20)]
    monitor_after = [t.bresp_for(0, 0x10 * k) for k in range(20)]
    assert slave_first == monitor_after


def test_memory_target_error_rate_is_seeded_and_per_address_rules_win():
    a = MemoryTarget(error_rate=0.3, rng=random.Random(9))
    b = MemoryTarget(error_rate=0.3, rng=random.Random(9))
    assert [a.choose_bresp(k) for k in range(50)] == [b.choose_bresp(k) for k in range(50)]
    c = MemoryTarget()
    c.respond(0x40, 3)
    assert (c.choose_bresp(0x40), c.choose_bresp(0x44)) == (3, OKAY)
    c.respond(0x40, OKAY)
    assert c.choose_bresp(0x40) == OKAY


# ------------------------------------------------------------------------ trigger stream
def trig_dut():
    return SimpleNamespace(**{f"s_irq_{k}": Sig(0) for k in ("valid", "ready", "index", "pasid_valid", "pasid")})


def test_trigger_source_holds_valid_until_ready_and_honours_gaps():
    dut = trig_dut()
    port = TriggerPort(TriggerBus(dut))
    port.source.send_burst([Trigger(5, 0x10), Trigger(6)], [0, 2])
    dut.s_irq_ready.value = 0
    trace = []
    for cycle in range(1, 10):
        port.edge(cycle, False)
        trace.append((dut.s_irq_valid.value, dut.s_irq_index.value))
        if cycle == 3:
            dut.s_irq_ready.value = 1       # ready from edge 4 on
    # offered after edge 1, held through the stall, accepted at edge 4, two idle cycles, next
    assert trace[:3] == [(1, 5), (1, 5), (1, 5)]
    assert [a.index for a in port.accepted] == [5, 6]
    assert port.accepted[0] == TriggerTxn(4, 5, 0x10)
    assert port.accepted[1].cycle == 7 and port.accepted[1].pasid is None
    assert port.stall_cycles == 2 and port.idle()


def test_trigger_monitor_ignores_handshakes_in_reset():
    dut = trig_dut()
    got = []
    mon = TriggerMonitor(TriggerBus(dut), got.append)
    dut.s_irq_valid.value = dut.s_irq_ready.value = 1
    assert mon.sample(1, True) is False and got == []
    assert mon.sample(2, False) is True and got == [TriggerTxn(2, 0, None)]


def test_trigger_source_drops_the_offer_in_reset_and_keeps_the_queue():
    dut = trig_dut()
    src = TriggerSource(TriggerBus(dut))
    src.send([Trigger(1), Trigger(2)])
    src.drive(False, False)
    assert dut.s_irq_valid.value == 1 and src.presenting == Trigger(1)
    src.drive(False, True)
    assert dut.s_irq_valid.value == 0 and src.presenting is None and len(src.queue) == 1


# ---------------------------------------------------------------------- lean stream pair
def test_lean_monitor_applies_the_message_monitors_beat_rules():
    dut = msg_port(bid=0)
    dut.__dict__.update({f"s_irq_{k}": Sig(0) for k in ("valid", "ready", "index", "pasid_valid", "pasid")})
    bus = TriggerBus(dut)
    batches = []
    lean = LeanStream(dut, bus, "m_axi", TriggerSource(bus), MemoryTarget(), batches.append)
    lean.edge(1, False)                      # the driver raises the readies for edge 2
    set_(dut, awvalid=1, awaddr=0x1000, awlen=3, wvalid=1, wdata=0x9)
    lean.edge(2, False)
    lean.flush()
    assert lean.monitor.violations == ["cycle 2: AW awlen=3, contract says 0"]
    assert batches == [[MessageTxn(2, 0x1000, 0x9, OKAY)]]


def _trigger_run(lean: bool, items, readies, idle_gen=None):
    """Drive `items` through a trigger source edge by edge with the READY pattern `readies`,
    stepped by the lean edge (lean) or by the reference TriggerPort (source.drive + the
    pin-reading TriggerMonitor); returns (accepted triggers, what was offered after each edge)."""
    dut = msg_port(bid=0)
    dut.__dict__.update({f"s_irq_{k}": Sig(0) for k in ("valid", "ready", "index", "pasid_valid", "pasid")})
    bus = TriggerBus(dut)
    batches = []
    if lean:
        src = TriggerSource(bus)
        stream = LeanStream(dut, bus, "m_axi", src, MemoryTarget(), batches.append)
        step = stream.edge
    else:
        port = TriggerPort(bus)
        src, step = port.source, port.edge
    src.idle_generator = idle_gen
    src.send(items)
    offered = []
    for cycle, ready in enumerate(readies, start=1):
        dut.s_irq_ready.value = ready
        step(cycle, False)
        offered.append(dut.s_irq_index.value if dut.s_irq_valid.value else None)
    if lean:
        stream.flush()
        got = [t for b in batches for t in b if isinstance(t, TriggerTxn)]
    else:
        got = port.accepted
    return got, offered, src.offered


def test_lean_stream_offers_and_publishes_what_the_reference_port_does():
    """The lean edge takes VALID and the payload of an accepted trigger from the source (it
    does not read them back) and runs the source's common cases inline; the accepted triggers,
    the offers edge by edge (idle items, an idle generator, READY held low) must be those of
    the reference path, TriggerSource.drive with the pin-reading TriggerMonitor."""
    items = [Trigger(3, 0x55), None, Trigger(4), Trigger(5, 0x7), Trigger(6), None, None, Trigger(7, 0)]
    readies = [1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1]
    lean = _trigger_run(True, items, readies)
    assert lean == _trigger_run(False, items, readies)
    got, offered, n = lean
    # edge 1 nothing on offer; 2 takes 3 (the idle item follows); 4 takes 4; 5-6 READY low
    assert got[:3] == [TriggerTxn(2, 3, 0x55), TriggerTxn(4, 4, None), TriggerTxn(7, 5, 0x7)]
    assert offered[:7] == [3, None, 4, 5, 5, 5, 6] and n == 5
    gaps = [1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert (_trigger_run(True, items, readies, iter(gaps))
            == _trigger_run(False, items, readies, iter(gaps)))


def test_lean_window_matches_the_coverage_window():
    """The lean monitor's backpressure windows are the coverage model's (one definition)."""
    from tb.lean_stream import WINDOW
    from tb.uvm.coverage import BACKPRESSURE_WINDOW
    assert WINDOW == BACKPRESSURE_WINDOW
