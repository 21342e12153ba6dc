"""Unit tests of the scoreboard's §7 rules (memory-resident entries; tb/uvm/scoreboard.py)
without a simulator.

A harness plays the RTL: it writes registers, edits host memory, accepts triggers, shows the
fetches the block makes (tb.transactions.FetchTxn, as the pyuvm FetchMonitor publishes them)
and the messages it emits, each at a chosen cycle, to ImsScoreboard.observe. The RTL's
end-of-test counters and pending words come from a second ImsDevice driven with the same
operations (the contract's reference), never from literals. Legal histories (a stale copy
used inside a MEM_INVAL's request-response window, a miss that read the new image) must pass;
each wrong behaviour must be reported with its specific mismatch kind.
"""

from __future__ import annotations

import pytest

from models.ims_device import ImsDevice
from models.memory import HostMemory, MemoryReadError
from models.regmap import CTRL_ENABLE, CTRL_FUNC_MASK, REG_CTRL, REG_PENDING, PENDING_STRIDE
from tb.transactions import FetchTxn, MessageTxn, RegWriteRespTxn, RegWriteTxn, TriggerTxn
from tb.uvm.scoreboard import ImsScoreboard, ScoreboardError

N, M = 64, 64
BASE = 0x1_0000_0000
SLVERR = 2


class MemHarness:
    def __init__(self) -> None:
        self.memory = HostMemory()
        self.sb = ImsScoreboard(N, None, repro="unit", mem_max_entries=M)
        self.sb.attach_memory(self.memory)
        # the contract's reference for the RTL's counters and pending words at the end
        self.ref = ImsDevice(num_slots=N, mem_max_entries=M, memory=self.memory)
        self.cycle = -100        # set-up before the tests' own cycles
        d = self.ref
        self.reg_inval = d.reg_mem_inval
        for off, val in ((d.reg_mem_base_lo, BASE & 0xFFFFFFFF), (d.reg_mem_base_hi, BASE >> 32),
                         (d.reg_mem_entries, M), (REG_CTRL, CTRL_ENABLE)):
            self.write(off, val)

    def at(self, cycle: int) -> int:
        assert cycle > self.cycle, "harness events go forward in time"
        self.cycle = cycle
        return cycle

    # -- what the RTL does, one observation at a time
    def request(self, cycle: int, off: int, value: int) -> None:
        self.sb.observe(RegWriteTxn(self.at(cycle), off, value, 0xF))

    def respond(self, cycle: int, off: int, value: int) -> None:
        self.ref.write(off, value)
        self.sb.observe(RegWriteRespTxn(self.at(cycle), 0))

    def write(self, off: int, value: int) -> None:
        self.request(self.cycle + 1, off, value)
        self.respond(self.cycle + 2, off, value)

    def trigger(self, cycle: int, j: int, use=None) -> None:
        self.ref.trigger(N + j, None, use=use)
        self.sb.observe(TriggerTxn(self.at(cycle), N + j, None))

    def fetch(self, ar_cycle: int, j: int, fail_beat: int | None = None) -> FetchTxn:
        """The block's fetch of entry j: AR at ar_cycle, data as memory holds it now, the last
        beat four cycles later."""
        addr = BASE + 16 * j
        words, resps = [], []
        for k in range(4):      # as tb/mem_read_target.py answers: a failing beat is SLVERR, data 0
            try:
                words.append(self.memory.read32(addr + 4 * k))
                resps.append(0)
            except MemoryReadError:
                words.append(0)
                resps.append(SLVERR)
        if fail_beat is not None:
            words[fail_beat], resps[fail_beat] = 0, SLVERR
        t = FetchTxn(self.at(ar_cycle + 4), ar_cycle, addr, tuple(words), tuple(resps))
        self.sb.observe(t)
        return t

    def message(self, cycle: int, addr: int, data: int) -> None:
        self.sb.observe(MessageTxn(self.at(cycle), addr, data, bresp=0))

    # -- software
    def put_entry(self, j: int, addr: int, data: int, masked: bool = False) -> None:
        a = BASE + 16 * j
        self.memory.write32(a, addr & 0xFFFFFFFF)
        self.memory.write32(a + 4, addr >> 32)
        self.memory.write32(a + 8, data)
        self.memory.write32(a + 12, int(masked))

    def finish(self, **rtl_counter_changes) -> None:
        ref = self.ref
        counters = {name: ref.read(off)[0] for name, off in self.sb.counter_map().items()}
        for name, delta in rtl_counter_changes.items():
            counters[name] += delta
        pending = [ref.read(REG_PENDING + PENDING_STRIDE * k)[0] for k in range(ref.pending_words)]
        self.sb.final_check(self.cycle + 100, counters, pending)

    def kinds(self) -> set[str]:
        return {m.kind for m in self.sb.mismatches}


ADDR_A = 0xFEE0_1000
D1, D2 = 0x4001, 0x4002


def warmed(j: int = 3) -> MemHarness:
    """Entry j unmasked with (ADDR_A, D1), fetched once by a trigger (a miss) and sent."""
    h = MemHarness()
    h.put_entry(j, ADDR_A, D1)
    h.trigger(10, j)
    h.fetch(12, j)
    h.message(20, ADDR_A, D1)
    assert h.sb.mismatches == []
    return h


def test_miss_then_hit_is_explained():
    h = warmed()
    h.trigger(30, 3)            # a hit: the copy fetched at 12
    h.message(34, ADDR_A, D1)
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.stats.explained["entry"] == 2 and h.sb.stats.fetches == 1
    assert h.sb.outcome_count("SENT") == 2


@pytest.mark.parametrize("rtl_used", ["old copy", "fresh fetch"])
def test_trigger_inside_the_inval_window_may_use_either_image(rtl_used):
    """Software rewrites entry 3 (D1 -> D2) and writes MEM_INVAL(3); a trigger accepted
    between the write's request and its response may use the old cached copy or a fetch of
    the new image: both histories are legal and must pass."""
    h = warmed()
    h.put_entry(3, ADDR_A, D2)
    h.request(40, h.reg_inval, 3)
    if rtl_used == "old copy":
        h.trigger(42, 3, use=h.ref.cached_copies(3)[-1])
        h.message(45, ADDR_A, D1)
        h.respond(48, h.reg_inval, 3)
    else:
        h.ref.write(h.reg_inval, 3)          # the reference takes the new image
        h.trigger(42, 3)
        h.fetch(43, 3)
        h.message(49, ADDR_A, D2)
        h.sb.observe(RegWriteRespTxn(h.at(50), 0))
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.stats.explained["entry"] == 2


def test_stale_copy_after_the_response_is_caught():
    """MEM_INVAL(3) answered at 48; a trigger at 50 must use values read after the MEM_INVAL
    was accepted. An RTL that did not drop its line sends the old D1 without a fetch."""
    h = warmed()
    h.put_entry(3, ADDR_A, D2)
    h.request(40, h.reg_inval, 3)
    h.respond(48, h.reg_inval, 3)
    h.sb.observe(TriggerTxn(h.at(50), N + 3, None))
    h.message(54, ADDR_A, D1)
    assert "STALE_ENTRY" in h.kinds(), h.sb.mismatches
    m = next(m for m in h.sb.mismatches if m.kind == "STALE_ENTRY")
    assert m.slot == N + 3 and m.cycle == 54 and "reproduce: unit" in m.format()


def test_fresh_value_after_the_response_passes():
    """The same history done right: the trigger after the response waits for a fetch."""
    h = warmed()
    h.put_entry(3, ADDR_A, D2)
    h.request(40, h.reg_inval, 3)
    h.respond(48, h.reg_inval, 3)
    h.trigger(50, 3)
    h.fetch(51, 3)
    h.message(57, ADDR_A, D2)
    h.finish()
    h.sb.raise_if_failed()


def test_fetch_before_the_inval_was_accepted_cannot_serve_a_later_trigger():
    """A fetch whose AR came before the MEM_INVAL's acceptance read the old image: a trigger
    after the response cannot have been served by it."""
    h = warmed()
    h.put_entry(3, ADDR_A, D2)
    h.trigger(30, 3, use=h.ref.cached_copies(3)[-1])
    h.message(33, ADDR_A, D1)
    h.request(40, h.reg_inval, 3)
    h.respond(48, h.reg_inval, 3)
    h.sb.observe(TriggerTxn(h.at(50), N + 3, None))
    h.message(52, ADDR_A, D1)               # no fetch after 40: stale
    assert "STALE_ENTRY" in h.kinds()


@pytest.mark.parametrize("injection", ["memory read fails", "one fetch answered SLVERR"])
def test_fetch_error_is_the_triggers_outcome(injection):
    """A fetch answered RRESP != OKAY drops its trigger: no message, CNT_FETCH_ERR + 1 (per
    entry: memory reads fail; per fetch: memory is fine but the bus answered an error)."""
    from models.ims_device import Fetch
    h = MemHarness()
    h.put_entry(5, ADDR_A, D1)
    if injection == "memory read fails":
        h.memory.fail_reads(BASE + 16 * 5 + 8, 4)
        h.trigger(10, 5)
        h.fetch(11, 5, fail_beat=2)
    else:
        h.trigger(10, 5, use=Fetch(error=True))
        h.fetch(11, 5, fail_beat=0)
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.outcome_count("DROP_FETCH") == 1 and h.sb.stats.fetch_errors == 1
    assert h.ref.counter("fetch_err") == 1


def test_message_from_an_entry_whose_fetch_failed_is_caught():
    """RRESP ignored: the RTL sends the entry's message although its fetch failed."""
    h = MemHarness()
    h.put_entry(5, ADDR_A, D1)
    h.memory.fail_reads(BASE + 16 * 5 + 8, 4)
    h.trigger(10, 5)
    h.fetch(11, 5, fail_beat=2)
    h.message(20, ADDR_A, 0)                # the failed beat's data
    assert "FETCH_ERROR_SENT" in h.kinds(), h.sb.mismatches


def test_fetch_error_not_counted_is_caught():
    h = MemHarness()
    h.put_entry(5, ADDR_A, D1)
    h.memory.fail_reads(BASE + 16 * 5, 16)
    h.trigger(10, 5)
    h.fetch(11, 5, fail_beat=0)
    h.finish(CNT_FETCH_ERR=-1)
    assert "COUNTER_MISMATCH" in h.kinds()


def reexam_setup() -> MemHarness:
    """Entry 7 masked in memory: a trigger pends; software unmasks it and writes MEM_INVAL(7)."""
    h = MemHarness()
    h.put_entry(7, ADDR_A, D1, masked=True)
    h.trigger(10, 7)
    h.fetch(11, 7)
    h.put_entry(7, ADDR_A, D1, masked=False)
    h.request(30, h.reg_inval, 7)
    h.respond(34, h.reg_inval, 7)          # the reference re-examines (reads memory: unmasked)
    return h


def test_reexamination_is_judged_by_its_fetch():
    h = reexam_setup()
    h.fetch(36, 7)
    h.message(44, ADDR_A, D1)
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.stats.explained["entry_replay"] == 1


def test_skipped_reexamination_is_caught():
    h = reexam_setup()
    h.finish(CNT_SENT=-1)       # the RTL neither fetched nor sent; its pending bit stays
    ref_pending = h.ref.is_pending(N + 7)
    assert not ref_pending
    assert {"REEXAMINATION_MISSING"} <= h.kinds(), h.sb.mismatches


def test_reexamination_fetch_error_keeps_the_bit():
    """A re-examination fetch answered with an error counts and leaves the bit (rule 4)."""
    h = reexam_setup()
    h.fetch(36, 7, fail_beat=3)
    # the reference read memory (fine) at the response; the RTL's fetch failed: its counters
    # are the reference's minus that replay, plus the error, and the bit stays set
    ref = h.ref
    counters = {name: ref.read(off)[0] for name, off in h.sb.counter_map().items()}
    counters["CNT_SENT"] -= 1
    counters["CNT_FETCH_ERR"] += 1
    pending = [ref.read(REG_PENDING + PENDING_STRIDE * k)[0] for k in range(ref.pending_words)]
    pending[(N + 7) // 32] |= 1 << ((N + 7) % 32)
    h.sb.final_check(200, counters, pending)
    h.sb.raise_if_failed()


def test_func_mask_clear_reexamines_by_fetch():
    """Pended under FUNC_MASK; clearing it re-examines the entry with a fresh fetch (rule 4)."""
    h = MemHarness()
    h.put_entry(9, ADDR_A, D1)
    h.write(REG_CTRL, CTRL_ENABLE | CTRL_FUNC_MASK)
    h.trigger(20, 9)
    h.fetch(21, 9)
    h.request(40, REG_CTRL, CTRL_ENABLE)
    h.respond(43, REG_CTRL, CTRL_ENABLE)
    h.fetch(45, 9)
    h.message(53, ADDR_A, D1)
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.stats.explained["entry_replay"] == 1


def test_slot_trigger_behind_a_miss_keeps_its_order():
    """Direct messages leave in acceptance order across both kinds (rule 5): a slot trigger
    accepted after an entry miss must not be sent before the entry's message."""
    h = MemHarness()
    h.put_entry(2, ADDR_A, D1)
    slot = 4
    base = h.ref.table_base + 16 * slot
    for off, val in ((base, 0xFEE0_2000), (base + 8, 0x77), (base + 12, 0)):
        h.write(off, val)
    h.trigger(30, 2)
    h.ref.trigger(slot)
    h.sb.observe(TriggerTxn(h.at(31), slot, None))
    h.fetch(32, 2)
    h.message(40, 0xFEE0_2000, 0x77)         # overtook the entry's message
    h.message(41, ADDR_A, D1)
    assert h.kinds() & {"MISSING_MESSAGE", "OUT_OF_ORDER"}, h.sb.mismatches


def test_clean_mixed_order_passes():
    h = MemHarness()
    h.put_entry(2, ADDR_A, D1)
    slot = 4
    base = h.ref.table_base + 16 * slot
    for off, val in ((base, 0xFEE0_2000), (base + 8, 0x77), (base + 12, 0)):
        h.write(off, val)
    h.trigger(30, 2)
    h.ref.trigger(slot)
    h.sb.observe(TriggerTxn(h.at(31), slot, None))
    h.fetch(32, 2)
    h.message(40, ADDR_A, D1)
    h.message(41, 0xFEE0_2000, 0x77)
    h.finish()
    h.sb.raise_if_failed()
    assert h.sb.stats.explained == {"slot": 1, "slot_replay": 0, "entry": 1, "entry_replay": 0}


def test_error_names_rule_index_cycle_and_repro():
    h = warmed()
    h.put_entry(3, ADDR_A, D2)
    h.request(40, h.reg_inval, 3)
    h.respond(48, h.reg_inval, 3)
    h.sb.observe(TriggerTxn(h.at(50), N + 3, None))
    h.message(54, ADDR_A, D1)
    with pytest.raises(ScoreboardError) as e:
        h.sb.raise_if_failed("unit")
    text = str(e.value)
    assert "STALE_ENTRY" in text and "cycle 54" in text and f"slot {N + 3}" in text and "§7 rule 3" in text


def _slot_with_message(h: MemHarness, slot: int, addr: int, data: int) -> None:
    base = h.ref.table_base + 16 * slot
    for off, val in ((base, addr), (base + 8, data), (base + 12, 0)):
        h.write(off, val)


def _slot_trigger(h: MemHarness, cycle: int, slot: int) -> None:
    h.ref.trigger(slot)
    h.sb.observe(TriggerTxn(h.at(cycle), slot, None))


@pytest.mark.parametrize("slot_msg_first", [False, True], ids=["entry-then-replay", "replay-then-entry"])
def test_write_may_fall_between_a_parked_hit_and_the_trigger_behind_it(slot_msg_first):
    """(UvmMemFuncMaskStorm seed 2.) An entry hit accepted before a FUNC_MASK set is decided
    under the old CTRL (sent), the slot trigger accepted behind it inside the write's window
    under the new one (pended); after FUNC_MASK clears, a later entry hit's direct message may
    leave before the slot's replay. That history is legal and must pass. The wrong variant
    (the slot's message leaves before the entry's message of a trigger accepted earlier,
    while the slot trigger also is owed nothing direct) is an overtaking direct message."""
    h = warmed(3)
    slot = 4
    _slot_with_message(h, slot, 0xFEE0_2000, 0x77)
    h.trigger(30, 3)                             # a hit, decided before the write: sent
    h.request(31, REG_CTRL, CTRL_ENABLE | CTRL_FUNC_MASK)
    h.ref.write(REG_CTRL, CTRL_ENABLE | CTRL_FUNC_MASK)   # in effect for the next trigger
    _slot_trigger(h, 32, slot)                   # pended by FUNC_MASK
    h.message(34, ADDR_A, D1)
    h.sb.observe(RegWriteRespTxn(h.at(36), 0))
    h.request(40, REG_CTRL, CTRL_ENABLE)
    h.respond(43, REG_CTRL, CTRL_ENABLE)         # the ref replays slot 4 here
    h.trigger(44, 3)                             # a hit with the function open: sent
    if slot_msg_first:
        h.message(46, 0xFEE0_2000, 0x77)
        h.message(47, ADDR_A, D1)
    else:
        h.message(46, ADDR_A, D1)
        h.message(47, 0xFEE0_2000, 0x77)        # the replay, after a later direct message
    h.finish()
    h.sb.raise_if_failed()
    ex = h.sb.stats.explained
    assert ex["entry"] == 3 and ex["slot"] + ex["slot_replay"] == 1, ex


def test_slot_message_before_an_earlier_entry_hit_is_still_caught():
    """The prefix histories above must not excuse a real overtake: the entry hit accepted
    before the write and the slot trigger behind it both sent, the slot's message first."""
    h = warmed(3)
    slot = 4
    _slot_with_message(h, slot, 0xFEE0_2000, 0x77)
    h.trigger(30, 3)
    h.request(31, REG_CTRL, CTRL_ENABLE | CTRL_FUNC_MASK)
    _slot_trigger(h, 32, slot)                   # decided with the old CTRL: sent
    h.respond(33, REG_CTRL, CTRL_ENABLE | CTRL_FUNC_MASK)
    h.message(34, 0xFEE0_2000, 0x77)             # overtook the entry's message
    h.message(35, ADDR_A, D1)
    h.finish()
    assert h.kinds() & {"MISSING_MESSAGE", "OUT_OF_ORDER", "UNEXPLAINED_WRITE"}, h.sb.mismatches
