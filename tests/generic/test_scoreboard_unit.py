"""Unit tests of the end-to-end scoreboard (tb/uvm/scoreboard.py) without a simulator.

A second ImsDevice plays the RTL ("dut"); a small harness turns its behaviour into the typed
transactions the monitors publish (tb/transactions.py), fed through ImsScoreboard.observe as
the pyuvm ScoreboardComponent does. Clean histories must pass; each injected wrong behaviour must be
reported with its specific mismatch kind (a checker that cannot fail is a defect).
"""

from __future__ import annotations

import asyncio

import pytest

from models.ims_device import ImsDevice, Outcome
from models.iommu import FaultReason
from models.platform import Platform
from models.regmap import REG_CNT_PENDED
from tb.transactions import MessageTxn, RegReadTxn, RegWriteRespTxn, RegWriteTxn, ResetTxn, TriggerTxn
from tb.uvm.scoreboard import ImsScoreboard, ScoreboardError

SID = 0x0300
N = 64


class Harness:
    """Drives a model 'DUT' and reports what it does to the scoreboard, cycle by cycle."""

    def __init__(self, num_slots: int = N, auto_ack: bool = True) -> None:
        self.cycle = 0
        self.plat = Platform(num_cpus=4, auto_ack=auto_ack)
        self.dut = ImsDevice(num_slots=num_slots)
        self.sb = ImsScoreboard(num_slots, self.plat, sid=SID, repro="unit")
        self.ims = self.plat.create_ims_domain(self, hwsize=num_slots, requester_id=SID)
        self.drop_next_message = False
        self.corrupt_next_message = False

    # RegisterAccess used by the Linux model: every access goes "through the DUT".
    async def write32(self, offset: int, value: int) -> None:
        self.cycle += 1
        self.sb.observe(RegWriteTxn(self.cycle, offset, value, 0xF))
        resp = self.dut.write(offset, value)
        self.cycle += 1
        self.sb.observe(RegWriteRespTxn(self.cycle, resp))
        for m in self.dut.take_replays():
            self.emit(m.addr, m.data)

    async def read32(self, offset: int) -> int:
        self.cycle += 2
        data, resp = self.dut.read(offset)
        self.sb.observe(RegReadTxn(self.cycle, offset, data, resp))
        return data

    def emit(self, addr: int, data: int) -> None:
        self.cycle += 1
        if self.drop_next_message:
            self.drop_next_message = False
            return
        if self.corrupt_next_message:
            self.corrupt_next_message = False
            data ^= 0x1
        self.sb.observe(MessageTxn(self.cycle, addr, data, bresp=0))
        self.dut.write_response(0)

    def fire(self, index: int, pasid: int | None = None) -> Outcome:
        self.cycle += 1
        self.sb.observe(TriggerTxn(self.cycle, index, pasid))
        r = self.dut.trigger(index, pasid)
        if r.message is not None:
            self.emit(r.message.addr, r.message.data)
        return r.outcome

    async def setup(self, count: int, pasids: bool = True) -> list:
        irqs = []
        for k in range(count):
            a = await self.ims.alloc(cookie=(0x100 + k) if pasids else None)
            await self.ims.request(a.irq)
            self.sb.bind(a.index, a.irq)
            irqs.append(a)
        await self.write32(0x010, 1)
        return irqs

    def finish(self) -> None:
        counters = {name: self.dut.read(off)[0] for name, off in
                    {"CNT_SENT": 0x20, "CNT_PENDED": 0x24, "CNT_DROP_RANGE": 0x28,
                     "CNT_DROP_PASID": 0x2C, "CNT_DROP_DISABLED": 0x30, "CNT_WR_ERR": 0x34}.items()}
        pending = [self.dut.read(0x1000 + 4 * k)[0] for k in range((self.dut.num_slots + 31) // 32)]
        self.sb.final_check(self.cycle, counters, pending)
        self.sb.raise_if_failed()


def run(coro):
    return asyncio.run(coro)


def test_clean_history_passes():
    async def body():
        h = Harness()
        irqs = await h.setup(8)
        for k in range(200):
            a = irqs[k % 8]
            h.fire(a.index, 0x100 + (k % 8))
        await h.ims.mask(irqs[3].irq)
        assert h.fire(irqs[3].index, 0x103) is Outcome.PENDED
        await h.ims.unmask(irqs[3].irq)             # replay
        assert h.fire(irqs[2].index, 0x999) is Outcome.DROP_PASID
        assert h.fire(N + 5) is Outcome.DROP_RANGE
        h.finish()
        s = h.sb.stats
        assert s.delivered == 201 and s.replays == 1 and not h.sb.mismatches
    run(body())


def expect_kind(kind: str, fn) -> ScoreboardError:
    with pytest.raises(ScoreboardError) as info:
        fn()
    assert kind in info.value.kinds(), str(info.value)
    return info.value


def test_dropped_write_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        h.fire(irqs[0].index, 0x100)
        h.drop_next_message = True
        h.fire(irqs[1].index, 0x101)
        h.finish()
    err = expect_kind("LOST_MESSAGE", lambda: run(body()))
    assert "trigger #1" in str(err) and "slot 1" in str(err)


def test_dropped_write_in_the_middle_is_reported_as_missing():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        h.drop_next_message = True
        h.fire(irqs[1].index, 0x101)
        for _ in range(12):
            h.fire(irqs[2].index, 0x102)
        h.finish()
    expect_kind("MISSING_MESSAGE", lambda: run(body()))


def test_corrupted_data_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        h.corrupt_next_message = True
        h.fire(irqs[2].index, 0x102)
        h.finish()
    expect_kind("CORRUPTED_MESSAGE", lambda: run(body()))


def test_one_corruption_in_a_stream_is_one_report():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        for k in range(40):
            if k == 10:
                h.corrupt_next_message = True
            if k == 25:
                h.drop_next_message = True
            h.fire(irqs[k % 4].index, 0x100 + k % 4)
        h.finish()
    err = expect_kind("CORRUPTED_MESSAGE", lambda: run(body()))
    assert [m.kind for m in err.mismatches] == ["CORRUPTED_MESSAGE", "MISSING_MESSAGE"], str(err)
    assert "trigger #10 " in str(err) and "trigger #25 " in str(err)


def test_swapped_messages_are_reported_once_as_missing_then_out_of_order():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        lo1, hi1, d1, _ = h.dut.slot(irqs[1].index)
        lo2, hi2, d2, _ = h.dut.slot(irqs[2].index)
        h.cycle += 1
        h.sb.observe(TriggerTxn(h.cycle, irqs[1].index, 0x101))
        h.dut.trigger(irqs[1].index, 0x101)
        h.sb.observe(TriggerTxn(h.cycle + 1, irqs[2].index, 0x102))
        h.dut.trigger(irqs[2].index, 0x102)
        h.cycle += 4
        h.emit(hi2 << 32 | lo2, d2)      # the second trigger's message first
        h.emit(hi1 << 32 | lo1, d1)
        h.fire(irqs[3].index, 0x103)
        h.finish()
    err = expect_kind("OUT_OF_ORDER", lambda: run(body()))
    assert [m.kind for m in err.mismatches] == ["MISSING_MESSAGE", "OUT_OF_ORDER"], str(err)


def test_write_for_masked_slot_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        await h.ims.mask(irqs[1].irq)
        # The DUT ignores the mask: it sends where the model pends.
        h.cycle += 1
        h.sb.observe(TriggerTxn(h.cycle, irqs[1].index, 0x101))
        lo, hi, data, _ = h.dut.slot(irqs[1].index)
        h.emit(hi << 32 | lo, data)
        h.finish()
    err = expect_kind("UNEXPLAINED_WRITE", lambda: run(body()))
    assert "masked" in str(err)


def test_wrong_vector_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(4)
        # Corrupt the vector in slot 1's IRTE behind Linux's back: the message now lands on a
        # vector no Linux irq (or another irq) owns.
        h.plat.ir_domain.patch_irte(h.plat.irq_info(irqs[1].irq).irte_index, lambda raw: raw ^ 0x7F << 16)
        h.fire(irqs[1].index, 0x101)
        h.finish()
    expect_kind("WRONG_DELIVERY", lambda: run(body()))


def test_counter_mismatch_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        h.fire(irqs[0].index, 0x100)
        h.dut.counters[REG_CNT_PENDED] += 1  # the "RTL" counts a pend that never happened
        h.finish()
    expect_kind("COUNTER_MISMATCH", lambda: run(body()))


def test_pending_mismatch_is_reported():
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        h.dut.pending |= 1 << 7
        h.finish()
    err = expect_kind("PENDING_MISMATCH", lambda: run(body()))
    assert "slot 7" in str(err)


def test_expected_fault_and_fpd():
    async def body():
        h = Harness()
        irqs = await h.setup(3)
        ir = h.plat.ir_domain
        idx = h.plat.irq_info(irqs[0].irq).irte_index
        ir.patch_irte(idx, lambda raw: raw & ~1)                  # P = 0
        h.sb.expect_fault(irqs[0].index, FaultReason(0x22), recorded=True)
        h.fire(irqs[0].index, 0x100)
        ir.patch_irte(idx, lambda raw: raw | 2)                   # P still 0, FPD = 1
        h.sb.expect_fault(irqs[0].index, 0x22, recorded=False)
        h.fire(irqs[0].index, 0x100)
        h.finish()
        assert h.sb.stats.faulted == 2
    run(body())

    async def wrong():
        h = Harness()
        irqs = await h.setup(2)
        h.sb.expect_fault(irqs[0].index, 0x22, recorded=True)   # but the IRTE is fine
        h.fire(irqs[0].index, 0x100)
        h.finish()
    expect_kind("WRONG_FAULT", lambda: run(wrong()))


def test_window_tolerates_old_or_new_value_but_not_outside():
    """A trigger between a mask write's request and response may pend or send."""
    for dut_sees_new in (False, True):
        h = Harness()
        irqs = run(h.setup(2))
        slot = irqs[0].index
        ctrl_off = 0x8000 + 16 * slot + 0xC
        image = h.dut.slot(slot)[3]
        h.cycle += 1
        h.sb.observe(RegWriteTxn(h.cycle, ctrl_off, image | 1, 0xF))
        if dut_sees_new:
            h.dut.write(ctrl_off, image | 1)
            h.fire(slot, 0x100)                       # pends in the DUT
        else:
            h.fire(slot, 0x100)                       # sends in the DUT
            h.dut.write(ctrl_off, image | 1)
        h.cycle += 1
        h.sb.observe(RegWriteRespTxn(h.cycle, 0))
        h.fire(slot, 0x100)                           # after the response: must pend
        h.finish()
        assert h.sb.stats.windowed == 1

    # Outside the window (after the response) a send is an error.
    h = Harness()
    irqs = run(h.setup(2))
    slot = irqs[0].index
    ctrl_off = 0x8000 + 16 * slot + 0xC
    image = h.dut.slot(slot)[3]
    h.cycle += 1
    h.sb.observe(RegWriteTxn(h.cycle, ctrl_off, image | 1, 0xF))
    h.cycle += 1
    h.sb.observe(RegWriteRespTxn(h.cycle, 0))
    h.fire(slot, 0x100)                               # DUT still unmasked: sends
    h.dut.write(ctrl_off, image | 1)
    expect_kind("UNEXPLAINED_WRITE", h.finish)


def test_replay_before_response_is_explained():
    """An unmask's replay may leave before the unmask's BVALID is seen."""
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        await h.ims.mask(irqs[1].irq)
        h.fire(irqs[1].index, 0x101)
        ctrl_off = 0x8000 + 16 * irqs[1].index + 0xC
        value = h.dut.slot(irqs[1].index)[3] & ~3
        h.cycle += 1
        h.sb.observe(RegWriteTxn(h.cycle, ctrl_off, value, 0xF))
        h.dut.write(ctrl_off, value)
        for m in h.dut.take_replays():
            h.emit(m.addr, m.data)                    # the replay, seen first
        h.cycle += 1
        h.sb.observe(RegWriteRespTxn(h.cycle, 0))
        h.finish()
        assert h.sb.stats.replays == 1
    run(body())


def test_reset_drops_owed_and_rejects_stale():
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        lo, hi, data, _ = h.dut.slot(irqs[0].index)
        h.cycle += 1
        h.sb.observe(TriggerTxn(h.cycle, irqs[0].index, 0x100))   # accepted, message lost by reset: allowed
        h.sb.observe(ResetTxn(h.cycle + 1))
        h.dut.reset()
        h.emit(hi << 32 | lo, data)                   # ...but a stale message after reset is not
        h.finish()
    expect_kind("UNEXPLAINED_WRITE", lambda: run(body()))


# ----------------------------------------------------------- interrupts held in IRR (auto_ack=False)
def test_old_vector_during_move_is_delivered_and_covered():
    """An interrupt in IRR on the old vector when the affinity changes still runs its irq."""
    from tb.uvm.coverage import ImsCoverage

    async def body():
        h = Harness(auto_ack=False)
        h.sb.coverage = cov = ImsCoverage(N)
        irqs = await h.setup(2)
        a = irqs[0]
        info = h.plat.irq_info(a.irq)
        h.fire(a.index, 0x100)
        h.fire(a.index, 0x100)              # same vector still in IRR: coalesced
        assert h.sb.in_irr == {(info.cpu, info.vector): a.irq}
        new_cpu = (info.cpu + 1) % 4
        await h.ims.set_affinity(a.irq, {new_cpu})
        # Under IR the move is complete at once (intel_ir_set_affinity schedules the cleanup)
        # but the old vector stays until its IRR bit is clear (platform-models.md section 6).
        h.fire(a.index, 0x100)              # now on the new vector, old one still in IRR
        new = h.plat.irq_info(a.irq)
        assert new.prev_vector == info.vector
        assert h.sb.dispatch(h.cycle, new_cpu) == [(new.vector, a.irq)]
        assert h.plat.irq_info(a.irq).prev_vector == info.vector
        assert h.sb.dispatch(h.cycle, info.cpu) == [(info.vector, a.irq)]
        assert h.plat.irq_info(a.irq).prev_vector is None   # released once IRR is clear
        h.finish()
        assert h.sb.stats.coalesced == 1 and not h.sb.mismatches
        bins = cov.report()["coverpoints"]["affinity_move"]["bins"]
        assert bins == {"old_vector_during_move": 1, "new_vector_during_move": 1}
    run(body())


def test_dispatch_of_a_vector_no_message_put_in_irr_is_reported():
    async def body():
        h = Harness(auto_ack=False)
        irqs = await h.setup(2)
        info = h.plat.irq_info(irqs[1].irq)
        h.plat.apics[info.cpu].accept(info.vector)     # behind the scoreboard's back
        h.sb.dispatch(h.cycle, info.cpu)
        h.finish()
    expect_kind("SPURIOUS_DISPATCH", lambda: run(body()))


def test_interrupt_left_in_irr_is_reported():
    async def body():
        h = Harness(auto_ack=False)
        irqs = await h.setup(2)
        h.fire(irqs[0].index, 0x100)
        h.finish()                                     # the CPU never ran
    expect_kind("UNDISPATCHED", lambda: run(body()))


def test_irr_vector_of_another_irq_is_reported():
    async def body():
        h = Harness(auto_ack=False)
        irqs = await h.setup(2)
        a, b = (h.plat.irq_info(x.irq) for x in irqs)
        ir = h.plat.ir_domain
        # a's IRTE gets b's vector and CPU: the APIC takes a vector that belongs to irq b.
        ir.patch_irte(a.irte_index, lambda raw: (raw & ~(0xFF << 16) & ~(0xFF << 40))
                      | b.vector << 16 | h.plat.apics[b.cpu].apic_id << 40)
        h.fire(irqs[0].index, 0x100)
        h.finish()
    expect_kind("WRONG_DELIVERY", lambda: run(body()))


# ------------------------------------------------ platform-models.md section 6 (issue 15)
def _rh_logical(h: Harness, irq: int, dest_mask: int) -> None:
    """Rewrite an irq's IRTE to logical destination mode, RH = 1, xAPIC flat destination."""
    idx = h.plat.irq_info(irq).irte_index
    h.plat.ir_domain.patch_irte(idx, lambda raw: (raw & ~(0xFF << 40)) | dest_mask << 40
                                | 1 << 2 | 1 << 3)


def test_rh1_logical_message_runs_one_handler():
    """RH = 1, logical destination CPUs 0-3: one CPU (lowest priority, ties to the lowest APIC
    ID: CPU 0, where the irq's vector is) takes it; KVM kvm_lowest_prio_delivery()."""
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        assert h.plat.irq_info(irqs[0].irq).cpu == 0
        _rh_logical(h, irqs[0].irq, 0b1111)
        for _ in range(3):
            h.fire(irqs[0].index, 0x100)
        h.finish()
        assert h.sb.stats.delivered == 3
    run(body())


def test_rh_ignored_by_the_platform_is_reported():
    """A platform that ignores RH sends the message to every matched CPU; CPU 1 runs another
    irq on the same vector number: the scoreboard must say so."""
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        deliver = h.plat.bus.deliver
        h.plat.bus.deliver = lambda *a, **kw: deliver(*a[:5])     # drop redirection_hint
        _rh_logical(h, irqs[0].irq, 0b1111)
        h.fire(irqs[0].index, 0x100)
        h.finish()
    err = expect_kind("MULTIPLE_DELIVERY", lambda: run(body()))
    assert "CPUs [0, 1, 2, 3]" in str(err)


def test_kept_vector_across_free_irq_request_irq_delivers_replay():
    """free_irq() (release) keeps an IMS irq's vector (x86_vector_deactivate returns early for
    a non-reservation-mode irq); triggers while released pend and replay after request_irq()
    to the same Linux irq on the same (CPU, vector)."""
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        a = irqs[1]
        before = h.plat.irq_info(a.irq)
        await h.ims.release(a.irq)
        assert h.fire(a.index, 0x101) is Outcome.PENDED
        await h.ims.request(a.irq)
        after = h.plat.irq_info(a.irq)
        assert (after.cpu, after.vector) == (before.cpu, before.vector)
        h.finish()
        assert h.sb.stats.replays == 1 and h.sb.stats.delivered == 1
    run(body())


def test_unknown_transaction_type_is_refused():
    """observe() must not drop what it has no rule for: a new monitor type would go unchecked."""
    h = Harness()
    with pytest.raises(TypeError, match="no rule for"):
        h.sb.observe(("M", 1, 0x1000, 0x1))


def test_message_bresp_error_is_counted_by_the_model():
    """A MessageTxn with an error BRESP moves the model's CNT_WR_ERR, so an RTL that does not
    count it is reported at the end (COUNTER_MISMATCH)."""
    async def body():
        h = Harness()
        irqs = await h.setup(2)
        h.fire(irqs[0].index, 0x100)          # OKAY message
        h.cycle += 1
        # One more message whose BRESP the memory target made SLVERR: the harness "DUT" is
        # not told (an RTL that ignores BRESP), so its CNT_WR_ERR stays 0.
        r = h.dut.trigger(irqs[1].index, 0x101)
        h.sb.observe(TriggerTxn(h.cycle, irqs[1].index, 0x101))
        h.cycle += 1
        h.sb.observe(MessageTxn(h.cycle, r.message.addr, r.message.data, bresp=2))
        h.finish()
    err = expect_kind("COUNTER_MISMATCH", lambda: run(body()))
    assert "CNT_WR_ERR" in str(err)
