"""The generic suite: contract rules checked on any IMS design through its DUT profile.

Everything design-specific comes from the profile (tb/dut_profile.py) and its SystemRDL
description: port names, clock and reset, register and slot-field positions, the slot count.
No test here names a signal or register of the bundled RTL; registers are reached through the
profile's keys ("ctrl_enable", "pending", "cnt_sent", ...) and the slot layout
(tb/generic.py). A check that needs a feature the design lacks is recorded as not applicable
(logged, and written to not_applicable.jsonl for the summaries), never passed silently.

Every failure starts with the rule it checks in brackets and names slot, cycle, seed and the
command that reruns it with waves (`make waves TEST=... DUT=... [DEFINES=...] SEED=...`).
This file must not be named test_*.py: it runs inside the simulator, not under pytest.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import cocotb
from cocotb.triggers import FallingEdge

from tb import dut_profile
from tb.generic import NotApplicable, SlotLayout, register
from tb.ims_tb import OKAY, SLVERR, TRAFFIC_PATTERNS, ImsTB, Trigger

MODULE = "tests.generic.hdl.generic_suite"
traffic_cross = cocotb.parametrize(traffic=TRAFFIC_PATTERNS)
PROFILE = dut_profile.selected()


def lacks(feature: str, test: str, check: str) -> bool:
    """True (the whole test is skipped, and recorded not applicable) if the design lacks
    `feature`. Evaluated when cocotb imports this module, in the run directory."""
    if PROFILE.has(feature):
        return False
    NotApplicable(PROFILE, test).skip(check, feature)
    return True


class Generic:
    """The bench plus the profile's view of the design (registers by key, slot layout)."""

    def __init__(self, tb: ImsTB) -> None:
        self.tb, self.p, self.map = tb, tb.profile, tb.map
        self.layout = SlotLayout(self.p, self.map)
        self.na = NotApplicable(self.p, tb.test_name, tb.log)
        self.rng = random.Random(f"{tb.seed}-{tb.test_name}")
        self.who: dict[tuple[int, int], int] = {}      # (addr, data) -> slot, for reports

    # -- failure reports ----------------------------------------------------------------------

    def fail(self, rule: str, what: str, slot: int | None = None):
        self.tb.fail(f"[{rule}] {what}", slot)

    def check_eq(self, rule: str, got: int, exp: int, what: str, slot: int | None = None) -> None:
        if got != exp:
            self.fail(rule, f"{what}: expected 0x{exp:x}, got 0x{got:x}", slot)

    # -- registers by profile key -------------------------------------------------------------

    def words_now(self, array) -> int:
        """Words of a register array that exist now: the PENDING array follows MEM_ENTRIES in a
        §7 memory build (ceil((NUM_SLOTS + M) / 32), M = 0 after reset); any other array is
        the description's count."""
        if "pending" in self.p.registers and array.name == self._reg_name("pending"):
            return self.tb.pending_words
        return array.count

    def value_limited(self, reg, check: str) -> bool:
        """True (and recorded as not applicable) for a register whose writes are refused above
        a value (the bench's `value_limited`: §7 MEM_ENTRIES in a memory build)."""
        limit = self.tb.value_limited.get(reg.name)
        if limit is None:
            return False
        self.na.skip(f"{check} of {reg.name}", feature="memory_entries",
                     reason=f"writes above {limit} answer SLVERR (contract §7), which arbitrary patterns "
                            "would hit; tests/impl/hdl/mem_directed.py mem_registers checks the register")
        return True

    def _reg_name(self, key: str) -> str:
        return self.p.registers[key].partition(".")[0]

    async def read_key(self, key: str) -> int:
        return await self.tb.read(self._reg_name(key))

    async def set_field(self, key: str, value: int) -> None:
        """Read-modify-write one field of a top-level register (ENABLE, FUNC_MASK)."""
        fld = register(self.p, self.map, key)
        reg = getattr(self.map, self._reg_name(key))
        word = await self.tb.read(reg.name)
        word = (word & ~int(fld) & reg.rw_mask) | fld.put(value)
        await self.tb.write(reg.name, word)

    async def set_enable(self, on: bool) -> None:
        if self.p.has("enable"):
            await self.set_field("ctrl_enable", 1 if on else 0)

    async def counters(self) -> dict[str, int]:
        if not self.p.has("counters"):
            return {}
        keys = [k for k in self.p.registers if k.startswith("cnt_")]
        return {k: await self.read_key(k) for k in keys}

    async def check_counters(self, rule: str, before: dict, slot: int | None = None, **deltas: int) -> None:
        """Counters moved by the given deltas (0 for the others); n/a without counters."""
        if not self.na.when("counters", f"{rule}: counter deltas {deltas}"):
            return
        after = await self.counters()
        for k, v in after.items():
            exp = (before[k] + deltas.get(k, 0)) & 0xFFFFFFFF
            if v != exp:
                self.fail(rule, f"{self._reg_name(k)} expected {exp} (delta {deltas.get(k, 0)}), got {v}", slot)

    async def check_status_flag(self, rule: str, key: str, slot: int | None = None) -> None:
        """The sticky flag is set; then clear it (write 1) and see it clear."""
        if not self.na.when("status", f"{rule}: STATUS flag ({key})"):
            return
        fld = register(self.p, self.map, key)
        word = await self.read_key(key)
        if not word & fld:
            self.fail(rule, f"{self.p.registers[key]} not set (STATUS 0x{word:x})", slot)
        await self.tb.write(self._reg_name(key), int(fld))
        if await self.read_key(key) & fld:
            self.fail(rule, f"{self.p.registers[key]} still set after writing 1 to clear it", slot)

    # -- slots ---------------------------------------------------------------------------------

    async def program(self, slot: int, mask: bool, pasid_en: bool = False, pasid: int = 0,
                      salt: int = 0) -> tuple[int, int]:
        """Address and data written while masked, then the control word; returns the message."""
        addr, data = self.tb.message_for(slot, salt)
        ctrl = self.layout.control_register()
        masked = self.layout.words(addr, data, True, pasid_en, pasid)
        final = self.layout.words(addr, data, mask, pasid_en, pasid)
        await self.tb.write(self.tb.slot_addr(slot, ctrl), masked[ctrl], slot=slot)
        for name, word in final.items():
            if name != ctrl:
                await self.tb.write(self.tb.slot_addr(slot, name), word, slot=slot)
        await self.tb.write(self.tb.slot_addr(slot, ctrl), final[ctrl], slot=slot)
        msg = self.layout.message(addr, data)
        self.who[msg] = slot
        return msg

    async def set_mask(self, slot: int, masked: bool) -> None:
        """Read-modify-write of MASK; the pending bit read is written back as 0 (a write-1-clear
        bit must not be cleared by accident; a read-only one ignores it)."""
        f = self.layout["mask"]
        addr = self.tb.slot_addr(slot, f.register)
        word = await self.tb.read(addr, slot=slot)
        if "pending" in self.layout.fields and self.layout["pending"].register == f.register:
            word &= ~self.layout["pending"].mask
        await self.tb.write(addr, (word & ~f.mask) | f.put(1 if masked else 0), slot=slot)

    async def pending(self, slot: int, rule: str) -> int | None:
        """The slot's pending bit from the PENDING words and from the slot itself (they must
        agree); None (recorded n/a) when the design reads back neither."""
        bits = []
        if self.p.has("pending_readback"):
            word = await self.tb.read(self.tb.pending_addr(slot // 32))
            bits.append(("PENDING word", word >> (slot % 32) & 1))
        if "pending" in self.layout.fields:
            f = self.layout["pending"]
            bits.append(("slot pending field", f.get(await self.tb.read(self.tb.slot_addr(slot, f.register), slot=slot))))
        if not bits:
            self.na.skip(f"{rule}: pending bit readback", "pending_readback")
            return None
        if len({b for _, b in bits}) != 1:
            self.fail(rule, f"pending bit disagrees: {bits}", slot)
        return bits[0][1]

    async def expect_pending(self, slot: int, exp: int, rule: str) -> None:
        got = await self.pending(slot, rule)
        if got is not None and got != exp:
            self.fail(rule, f"pending bit is {got}, expected {exp}", slot)

    # -- the opening and the firing most tests share ------------------------------------------------

    async def arm(self, slots: list[int], masked=(), enable: bool = True) -> tuple[dict, dict]:
        """Program `slots` (those in `masked` masked, the others not), set ENABLE (if `enable`
        and the design has it) and read the counters: ({slot: its message}, counters before)."""
        msgs = {s: await self.program(s, mask=s in masked) for s in slots}
        if enable:
            await self.set_enable(True)
        return msgs, await self.counters()

    async def fire(self, indices: list[int]) -> int:
        """Trigger each index in order and wait until the message port is quiet; returns the
        index of the first message this produced (for check_in_order / expect_no_message)."""
        first = len(self.tb.monitor.messages)
        for idx in indices:
            self.tb.trigger(idx)
        await self.tb.settle()
        return first

    async def fire_expect(self, rule: str, seq: list[int], msgs: dict) -> None:
        """fire(seq), then exactly the messages of `seq`'s slots, in trigger order."""
        first = await self.fire(seq)
        self.check_in_order(rule, [msgs[s] for s in seq], list(seq), first)

    # -- messages --------------------------------------------------------------------------------

    def messages_since(self, start: int) -> list[tuple[int, int]]:
        return [(m.addr, m.data) for m in self.tb.monitor.messages[start:]]

    def expect_no_message(self, rule: str, start: int, why: str) -> None:
        msgs = self.tb.monitor.messages[start:]
        if msgs:
            m = msgs[0]
            slot = self.who.get((m.addr, m.data))
            self.fail(rule, f"{why}, but {len(msgs)} message(s) were written, first addr 0x{m.addr:x} "
                      f"data 0x{m.data:x} (AW at cycle {m.aw_cycle})", slot)

    def check_in_order(self, rule: str, expected: list[tuple[int, int]], slots: list[int], start: int) -> None:
        """Messages from `start` on are exactly `expected`, in order. An extra message is
        reported with the slot whose address and data it carries."""
        got = self.tb.monitor.messages[start:]
        if len(got) > len(expected) and [(m.addr, m.data) for m in got[:len(expected)]] == expected:
            m = got[len(expected)]
            slot = self.who.get((m.addr, m.data))
            self.fail(rule, f"{len(got) - len(expected)} unexpected extra message(s), first addr 0x{m.addr:x} "
                      f"data 0x{m.data:x} (slot {slot if slot is not None else 'unknown'}'s message) "
                      f"with AW at cycle {m.aw_cycle}", slot)
        self.tb.check_messages(expected, f"[{rule}]", start=start, slots=slots)

    def distinct_slots(self, k: int) -> list[int]:
        """k distinct slots: boundary slots first (0, the last, the upper half), then random."""
        n = self.tb.num_slots
        pool = [n - 1, 0, n // 2, n - 2, 1] + self.rng.sample(range(n), n)
        out: list[int] = []
        for s in pool:
            if 0 <= s < n and s not in out:
                out.append(s)
            if len(out) == min(k, n):
                break
        return out


async def start(dut, name: str, traffic: str | None = None) -> Generic:
    """traffic None: a test not crossed with traffic patterns (its name has no suffix); it
    runs with free traffic."""
    tb = ImsTB(dut, name if traffic is None else f"{name}/traffic={traffic}", module=MODULE)
    tb.apply_traffic(traffic or "free")
    await tb.reset()
    tb.log.info("%s: %s slots, table at 0x%x, traffic=%s, seed %d", tb.profile.name, tb.num_slots,
                tb.table_base, traffic, tb.seed)
    return Generic(tb)


async def finish(g: Generic) -> None:
    g.tb.check_protocol()


# =============================================================================================
# Registers and slot fields (from the description)
# =============================================================================================

@cocotb.test()
async def generic_registers(dut):
    """§2/§3 as the description states them: every register, array word and (sampled) slot
    register reads its reset value; plain RW fields store what is written, other bits keep
    their read value; unlisted addresses answer SLVERR (if the design says so)."""
    g = await start(dut, "generic_registers")
    tb, m, rule = g.tb, g.map, "registers"
    for r in m.registers.values():
        if r.readable_mask:
            g.check_eq(rule, await tb.read(int(r)) & r.readable_mask, r.reset, f"{r.name} after reset")
    for a in m.arrays.values():
        for k in range(g.words_now(a)):
            g.check_eq(rule, await tb.read(a[k]), a.reset, f"{a.name}[{k}] after reset")
    for r in m.registers.values():
        if not r.rw_mask or g.value_limited(r, "registers: RW walk"):
            continue
        for pattern in (0xFFFFFFFF, 0x00000000, g.rng.getrandbits(32)):
            await tb.write(int(r), pattern & r.rw_mask)
            exp = (pattern & r.rw_mask) | (r.reset & r.readable_mask & ~r.rw_mask)
            g.check_eq(rule, await tb.read(int(r)), exp, f"{r.name} after writing 0x{pattern & r.rw_mask:x}")
        await tb.write(int(r), r.reset & r.rw_mask)
    slots = g.distinct_slots(4)
    for s in slots:
        for name, r in g.layout.registers.items():
            addr = tb.slot_addr(s, name)
            g.check_eq(rule, await tb.read(addr, slot=s), r.reset, f"slot {name} after reset", s)
        for name, r in g.layout.registers.items():
            if not r.rw_mask:
                continue
            addr = tb.slot_addr(s, name)
            for pattern in (0xFFFFFFFF, 0x00000000, g.rng.getrandbits(32)):
                word = pattern & r.rw_mask
                await tb.write(addr, word, slot=s)
                exp = word | (r.reset & r.readable_mask & ~r.rw_mask)
                g.check_eq(rule, await tb.read(addr, slot=s), exp, f"slot {name} after writing 0x{word:x}", s)
            await tb.write(addr, r.reset & r.rw_mask, slot=s)
    if g.na.when("slverr_unlisted", "registers: SLVERR on unlisted addresses"):
        limit = 1 << tb.axil_addr_width
        candidates = [a for a in range(0, 0x100, 4) if not m.is_listed(a)][:2]
        if m.slot.end < limit:
            candidates.append(m.slot.end)
        if not candidates:
            g.na.skip("registers: SLVERR on unlisted addresses", reason="every probed address is listed")
        for a in candidates:
            data, resp = await tb.read_resp(a)
            g.check_eq(rule, resp, SLVERR, f"RRESP of read at unlisted 0x{a:x}")
            g.check_eq(rule, data, 0, f"data of read at unlisted 0x{a:x}")
            g.check_eq(rule, await tb.write_resp(a, 0xFFFFFFFF), SLVERR, f"BRESP of write at unlisted 0x{a:x}")
    g.expect_no_message(rule, 0, "no slot was fired")
    await finish(g)


# =============================================================================================
# §4 outcomes
# =============================================================================================

@cocotb.test()
@traffic_cross
async def generic_send_in_order(dut, traffic):
    """Rule 5 and ordering: triggers to unmasked slots send their slot's address and data, in
    the order the triggers were accepted."""
    g = await start(dut, "generic_send_in_order", traffic)
    tb, rule = g.tb, "rule 5 send / ordering"
    slots = g.distinct_slots(5)
    msgs, before = await g.arm(slots)
    seq = [g.rng.choice(slots) for _ in range(4 * len(slots))]
    await g.fire_expect(rule, seq, msgs)
    await g.check_counters(rule, before, cnt_sent=len(seq))
    await finish(g)


@cocotb.test()
async def generic_range_drop(dut):
    """Rule 1: an index at or beyond the slot count is dropped (flag and counter if present)."""
    g = await start(dut, "generic_range_drop")
    tb, rule = g.tb, "rule 1 range"
    n, width = tb.num_slots, tb.irq_index_width
    if (1 << width) <= n:
        g.na.skip(f"{rule}: out-of-range trigger", reason=f"index width {width} reaches no index >= {n}")
        return
    s = g.distinct_slots(1)[0]
    msgs, before = await g.arm([s])
    first = await g.fire([n, (1 << width) - 1, s])
    g.check_in_order(rule, [msgs[s]], [s], first)
    await g.check_status_flag(rule, "status_range_err")
    await g.check_counters(rule, before, cnt_drop_range=2, cnt_sent=1)
    await finish(g)


@cocotb.skipif(lacks("enable", "generic_disabled_drop", "rule 2 disabled: triggers dropped while ENABLE = 0"))
@cocotb.test()
async def generic_disabled_drop(dut):
    """Rule 2: with ENABLE = 0 every trigger is dropped, not pended; setting ENABLE later
    sends nothing for them."""
    g = await start(dut, "generic_disabled_drop")
    tb, rule = g.tb, "rule 2 disabled"
    s, m = g.distinct_slots(2)
    _, before = await g.arm([s, m], masked={m}, enable=False)
    await g.set_enable(False)
    await g.fire([s, m])
    g.expect_no_message(rule, 0, "ENABLE = 0")
    await g.expect_pending(m, 0, rule)
    await g.check_status_flag(rule, "status_disabled_drop")
    await g.check_counters(rule, before, cnt_drop_disabled=2)
    await g.set_enable(True)
    await g.set_mask(m, False)
    await tb.settle()
    g.expect_no_message(rule, 0, "the dropped triggers left nothing to replay")
    await finish(g)


@cocotb.test()
@traffic_cross
async def generic_pasid_isolation(dut, traffic):
    """Rule 3: a slot with PASID_EN fires only for a trigger carrying exactly its PASID: each
    of the PASID bits flipped is refused, as is a trigger without PASID (even with the right
    bits on the wire); a slot without PASID_EN takes any trigger."""
    g = await start(dut, "generic_pasid_isolation", traffic)
    tb, rule = g.tb, "rule 3 PASID"
    width = g.layout.pasid_width
    s_iso, s_open = g.distinct_slots(2)
    pasid = g.rng.getrandbits(width) | 1 << (width - 1) | 1
    m_iso = await g.program(s_iso, mask=False, pasid_en=True, pasid=pasid)
    m_open = await g.program(s_open, mask=False)
    await g.set_enable(True)
    before = await g.counters()
    refused = [Trigger(s_iso, pasid ^ (1 << b)) for b in range(width)] + [Trigger(s_iso, None, pasid_bits=pasid)]
    for t in refused:
        tb.triggers.send(t)
    await tb.settle()
    msgs = tb.monitor.messages
    if msgs:
        # The trigger that got through: the last one accepted before the message's AW.
        m = msgs[0]
        k = max((i for i, a in enumerate(tb.triggers.accepted) if a.cycle < m.aw_cycle), default=0)
        what = (f"PASID 0x{refused[k].pasid:x} (bit {k} flipped)" if k < width
                else f"no PASID (pasid bits 0x{pasid:x} on the wire)")
        g.fail(rule, f"slot with PASID_EN and PASID 0x{pasid:x} fired for a trigger it must refuse: "
               f"{len(msgs)} message(s) for {len(refused)} refused triggers, first AW at cycle {m.aw_cycle}, "
               f"most likely for the trigger with {what} accepted at cycle {tb.triggers.accepted[k].cycle}", s_iso)
    await g.check_status_flag(rule, "status_pasid_err", s_iso)
    await g.check_counters(rule, before, s_iso, cnt_drop_pasid=len(refused))
    tb.trigger(s_iso, pasid)
    tb.trigger(s_open, g.rng.getrandbits(width))
    tb.trigger(s_open)
    await tb.settle()
    g.check_in_order(rule, [m_iso, m_open, m_open], [s_iso, s_open, s_open], 0)
    await finish(g)


@cocotb.test()
@traffic_cross
async def generic_mask_pending_replay(dut, traffic):
    """Rule 4 and replay by unmasking: triggers to masked slots send nothing and set one
    pending bit; unmasking sends exactly one message and clears the bit."""
    g = await start(dut, "generic_mask_pending_replay", traffic)
    tb, rule = g.tb, "rule 4 mask / replay on unmask"
    slots = g.distinct_slots(4)
    msgs, before = await g.arm(slots, masked=slots)
    await g.fire([s for s in slots for _ in range(2)])
    g.expect_no_message(rule, 0, "every triggered slot is masked")
    for s in slots:
        await g.expect_pending(s, 1, rule)
    await g.check_counters(rule, before, cnt_pended=2 * len(slots))
    for s in slots:
        first = len(tb.monitor.messages)
        await g.set_mask(s, False)
        await tb.settle()
        g.check_in_order("replay on unmask", [msgs[s]], [s], first)
        await g.expect_pending(s, 0, "replay on unmask")
    await finish(g)


@cocotb.skipif(lacks("enable", "generic_replay_by_enable", "replay on ENABLE: pending kept while ENABLE = 0, replayed when set"))
@cocotb.test()
async def generic_replay_by_enable(dut):
    """Replay by setting ENABLE: ENABLE = 0 keeps a pending bit (unmasking then sends nothing);
    setting ENABLE sends it once."""
    g = await start(dut, "generic_replay_by_enable")
    tb, rule = g.tb, "replay on ENABLE"
    s = g.distinct_slots(1)[0]
    msgs, _ = await g.arm([s], masked={s})
    msg = msgs[s]
    await g.fire([s])
    await g.set_enable(False)
    await g.set_mask(s, False)
    await tb.settle()
    g.expect_no_message(rule, 0, "ENABLE = 0 keeps pending bits")
    await g.expect_pending(s, 1, rule)
    await g.set_enable(True)
    await tb.settle()
    g.check_in_order(rule, [msg], [s], 0)
    await g.expect_pending(s, 0, rule)
    await finish(g)


@cocotb.skipif(lacks("func_mask", "generic_replay_by_func_mask", "rule 4 FUNC_MASK / replay: function mask pends, clearing it replays"))
@cocotb.test()
async def generic_replay_by_func_mask(dut):
    """Rule 4 by FUNC_MASK and replay by clearing it."""
    g = await start(dut, "generic_replay_by_func_mask")
    tb, rule = g.tb, "rule 4 FUNC_MASK / replay"
    s = g.distinct_slots(1)[0]
    msgs, _ = await g.arm([s])
    msg = msgs[s]
    await g.set_field("ctrl_func_mask", 1)
    await g.fire([s])
    g.expect_no_message(rule, 0, "FUNC_MASK = 1")
    await g.expect_pending(s, 1, rule)
    await g.set_field("ctrl_func_mask", 0)
    await tb.settle()
    g.check_in_order(rule, [msg], [s], 0)
    await finish(g)


@cocotb.skipif(lacks("pending_clear", "generic_pending_clear", "pending clear: a cleared pending bit is not replayed"))
@cocotb.test()
async def generic_pending_clear(dut):
    """Software clears a pending bit (write 1): unmasking afterwards sends nothing."""
    g = await start(dut, "generic_pending_clear")
    tb, rule = g.tb, "pending clear"
    s = g.distinct_slots(1)[0]
    await g.arm([s], masked={s})
    await g.fire([s])
    await g.expect_pending(s, 1, rule)
    f = g.layout["pending"]
    addr = tb.slot_addr(s, f.register)
    await tb.write(addr, (await tb.read(addr, slot=s)) | f.put(1), slot=s)
    await g.expect_pending(s, 0, rule)
    await g.set_mask(s, False)
    await tb.settle()
    g.expect_no_message(rule, 0, "the pending bit was cleared before unmasking")
    await finish(g)


@cocotb.test()
@traffic_cross
async def generic_replay_under_traffic(dut, traffic):
    """Replays while triggers keep arriving: direct messages stay in trigger order, every
    owed replay is sent exactly once (none lost, none doubled), no pending bit is left."""
    g = await start(dut, "generic_replay_under_traffic", traffic)
    tb, rule = g.tb, "replay under traffic"
    slots = g.distinct_slots(7)
    owed, direct = slots[:4], slots[4:]
    msgs, _ = await g.arm(slots, masked=owed)
    await g.fire(owed)
    g.expect_no_message(rule, 0, "the owed slots are masked")
    seq = [g.rng.choice(direct) for _ in range(200)]
    for s in seq:
        tb.trigger(s)
    await tb.cycles(5)
    for s in owed:
        await g.set_mask(s, False)
    await tb.settle()
    got = g.messages_since(0)
    direct_msgs = {msgs[s] for s in direct}
    got_direct = [m for m in got if m in direct_msgs]
    if got_direct != [msgs[s] for s in seq]:
        k = next((i for i, (a, b) in enumerate(zip(got_direct, [msgs[s] for s in seq])) if a != b),
                 min(len(got_direct), len(seq)))
        g.fail(rule, f"direct message {k} of {len(seq)} differs or is missing "
               f"({len(got_direct)} direct messages seen)", seq[k] if k < len(seq) else None)
    for s in owed:
        n = got.count(msgs[s])
        if n != 1:
            g.fail(rule, f"owed replay sent {n} times, expected once (pended, then unmasked while "
                   f"{len(seq)} triggers to other slots were arriving)", s)
        await g.expect_pending(s, 0, rule)
    extra = [m for m in got if m not in direct_msgs and m not in {msgs[s] for s in owed}]
    if extra:
        g.fail(rule, f"{len(extra)} message(s) no trigger or replay explains, first {extra[0]}")
    await finish(g)


@cocotb.test()
async def generic_backpressure(dut):
    """No loss under backpressure: with the write channel stalled most of the time the
    trigger stream must stall too (ready low), and every accepted trigger sends, in order."""
    g = await start(dut, "generic_backpressure")
    g.tb.apply_traffic("throttled")
    tb, rule = g.tb, "no loss under backpressure"
    stall = ("0111111", "1111110", "0", "0", "0")
    tb.set_backpressure_generator(lambda k: itertools.cycle(int(c) for c in stall[k]))
    slots = g.distinct_slots(6)
    msgs, _ = await g.arm(slots)
    seq = [g.rng.choice(slots) for _ in range(120)]
    await g.fire_expect(rule, seq, msgs)
    if tb.triggers.stall_cycles == 0:
        g.fail(rule, "the trigger stream never stalled although the write channel was held off: "
               "the test did not reach backpressure (raise its trigger count)")
    await finish(g)


@cocotb.skipif(lacks("write_error", "generic_write_error", "write response error: BRESP != OKAY flagged and counted"))
@cocotb.test()
async def generic_write_error(dut):
    """A write answered BRESP != OKAY is not retried and shows in STATUS / the counter."""
    g = await start(dut, "generic_write_error")
    tb, rule = g.tb, "write response error"
    s = g.distinct_slots(1)[0]
    msgs, before = await g.arm([s])
    msg = msgs[s]
    tb.sink.respond(msg[0], SLVERR)
    await g.fire([s])
    tb.sink.respond(msg[0], OKAY)
    g.check_in_order(rule, [msg], [s], 0)
    if "status_write_err" in g.p.registers:
        await g.check_status_flag(rule, "status_write_err", s)
    if "cnt_wr_err" in g.p.registers:
        await g.check_counters(rule, before, s, cnt_wr_err=1, cnt_sent=1)
    await finish(g)


# =============================================================================================
# §5 performance, as the profile declares it
# =============================================================================================

LATENCY_SAMPLES = 8
THROUGHPUT_MESSAGES = 256
PERFORMANCE_FILE = "generic_performance.json"   # the measured figures, for make bench DUT=...


@cocotb.test()
async def generic_performance(dut):
    """§5 as the DUT profile's [performance] table declares it: latency_cycles = the most edges
    from a trigger's accept edge to the first edge with AWVALID high, nothing queued ahead (the
    worst of LATENCY_SAMPLES isolated triggers); msg_per_clk = the least sustained rate with a
    trigger offered every cycle (AW handshakes over the cycles from the first to the last).
    An undeclared figure is listed as not applicable."""
    g = await start(dut, "generic_performance")
    tb, perf = g.tb, g.p.performance
    slots = g.distinct_slots(8)
    msgs, _ = await g.arm(slots)
    measured = {"declared": dict(perf)}
    if "latency_cycles" not in perf:
        g.na.skip("§5 latency", reason=f"{g.p.name}'s profile declares no performance.latency_cycles")
    else:
        rule, goal, worst = "§5 latency", perf["latency_cycles"], None
        for k in range(LATENCY_SAMPLES):
            s = slots[k % len(slots)]
            n_acc, n_aw = len(tb.triggers.accepted), len(tb.monitor.aw_present_cycles)
            await g.fire_expect(rule, [s], msgs)
            acc, aw = tb.triggers.accepted[n_acc].cycle, tb.monitor.aw_present_cycles[n_aw]
            if worst is None or aw - acc > worst[0]:
                worst = (aw - acc, acc, aw, s)
        lat, acc, aw, s = worst
        measured["latency_cycles"] = lat
        Path(PERFORMANCE_FILE).write_text(json.dumps(measured))
        tb.log.info("§5 latency: worst %d cycles over %d isolated triggers (declared <= %d)", lat, LATENCY_SAMPLES, goal)
        if lat > goal:
            g.fail(rule, f"trigger accepted at edge {acc} has AWVALID first high at edge {aw}: {lat} cycles, "
                   f"the profile declares at most {goal}", s)
    if "msg_per_clk" not in perf:
        g.na.skip("§5 throughput", reason=f"{g.p.name}'s profile declares no performance.msg_per_clk")
    else:
        rule, goal = "§5 throughput", perf["msg_per_clk"]
        seq = [slots[k % len(slots)] for k in range(THROUGHPUT_MESSAGES)]
        first = len(tb.monitor.messages)
        await g.fire_expect(rule, seq, msgs)
        aws = [m.aw_cycle for m in tb.monitor.messages[first:]]
        rate = (len(aws) - 1) / max(1, aws[-1] - aws[0])
        measured.update(msg_per_clk=rate, messages=len(aws), cycles=aws[-1] - aws[0])
        Path(PERFORMANCE_FILE).write_text(json.dumps(measured))
        tb.log.info("§5 throughput: %.3f messages per clock over %d messages (declared >= %.3f)", rate, len(aws), goal)
        if rate < goal - 1e-9:
            g.fail(rule, f"{len(aws)} messages, triggers offered every cycle, took {aws[-1] - aws[0]} cycles "
                   f"from AW at cycle {aws[0]} to AW at cycle {aws[-1]}: {rate:.3f} messages per clock, the profile "
                   f"declares at least {goal:.3f}", seq[0])
    await finish(g)


# =============================================================================================
# Reset in the middle of traffic
# =============================================================================================

@cocotb.test()
async def generic_reset_mid_traffic(dut):
    """§4 reset while messages are queued and triggers keep arriving: afterwards every register
    and slot reads its reset value, no pending bit is set, nothing is sent until software
    programs, unmasks and enables again, and then the block sends as before."""
    g = await start(dut, "generic_reset_mid_traffic")
    tb, rule = g.tb, "reset mid-traffic"
    slots = g.distinct_slots(6)
    owed, direct = slots[:2], slots[2:]
    await g.arm(slots, masked=owed)
    await g.fire(owed)
    for s in owed:
        await g.expect_pending(s, 1, rule)
    # The write channel mostly stalled for a while (messages queue up inside the design), then
    # free for good: a generator that runs out, since clearing one can leave a channel paused.
    stall = ("0111", "1110", "0110", "011", "00101")
    tb.set_backpressure_generator(lambda k: itertools.chain(
        itertools.islice(itertools.cycle(int(c) for c in stall[k]), 300), itertools.repeat(0)))
    for _ in range(100):
        tb.trigger(g.rng.choice(direct))
    await tb.cycles(40)
    in_flight = len(tb.monitor.messages)
    await tb.reset()
    await tb.cycles(300)
    tb.log.info("reset at cycle %d after %d messages, triggers still queued", tb.reset_cycles[-1], in_flight)
    await tb.settle()
    g.expect_no_message(rule, 0, f"a reset at cycle {tb.reset_cycles[-1]} ends all traffic and nothing is "
                        "programmed since")
    for s in slots:                            # the pended slots first: a survivor names its slot
        await g.expect_pending(s, 0, rule)
        for name, r in g.layout.registers.items():
            g.check_eq(rule, await tb.read(tb.slot_addr(s, name), slot=s), r.reset, f"slot {name} after the reset", s)
    m = g.map
    for r in m.registers.values():
        if r.readable_mask:
            g.check_eq(rule, await tb.read(int(r)) & r.readable_mask, r.reset, f"{r.name} after the reset")
    for a in m.arrays.values():
        for k in range(g.words_now(a)):
            g.check_eq(rule, await tb.read(a[k]), a.reset, f"{a.name}[{k}] after the reset")
    msgs, _ = await g.arm(slots)               # unmasked: a pending bit that survived would replay now
    await tb.settle()
    g.expect_no_message(rule, 0, "the pending bits set before the reset were cleared by it")
    await g.fire_expect(rule, slots, msgs)
    await finish(g)


# =============================================================================================
# Write visibility at the exact BVALID edge
# =============================================================================================

@cocotb.test()
async def generic_write_visible_at_bvalid(dut):
    """§4 ordering: a register or slot write takes effect for every trigger accepted after its
    BVALID. The trigger is accepted at the first edge after BVALID: after a MASK write it must
    pend and send nothing; after a DATA rewrite of an unmasked slot it must carry the new
    data (every instant between that trigger and its AW holds the new value)."""
    g = await start(dut, "generic_write_visible_at_bvalid")
    tb, rule = g.tb, "write visible at BVALID"
    s = g.distinct_slots(1)[0]
    msgs, _ = await g.arm([s])
    f = g.layout["mask"]
    ctrl_addr = tb.slot_addr(s, f.register)

    async def write_at_bvalid(addr: int, word: int, what: str) -> tuple[int, int, int]:
        """Write `word`; present a trigger to `s` so that it is accepted at the first edge after
        the write's BVALID. Returns (BVALID edge, accept edge, first message index)."""
        first = len(tb.monitor.messages)
        n_acc = len(tb.triggers.accepted)
        wr = cocotb.start_soon(tb.write(addr, word, slot=s))
        issued = await tb.trigger_when_axil_bvalid(Trigger(s))
        await wr
        await tb.settle()
        acc = tb.triggers.accepted[n_acc].cycle
        if acc != issued + 1:
            g.fail(rule, f"{what}: the trigger was accepted at edge {acc}, not at edge {issued + 1} right after "
                   f"BVALID (edge {issued}); the check did not hit its edge", s)
        return issued, acc, first

    word = await tb.read(ctrl_addr, slot=s)
    if "pending" in g.layout.fields and g.layout["pending"].register == f.register:
        word &= ~g.layout["pending"].mask          # never clear a write-1-clear pending bit by accident
    issued, acc, first = await write_at_bvalid(ctrl_addr, (word & ~f.mask) | f.put(1), "MASK = 1")
    g.expect_no_message(rule, first, f"MASK was written with BVALID at edge {issued} and the trigger was "
                        f"accepted at edge {acc}")
    await g.expect_pending(s, 1, rule)
    first = len(tb.monitor.messages)
    await g.set_mask(s, False)                     # the owed replay, then a clean slot again
    await tb.settle()
    g.check_in_order(rule, [msgs[s]], [s], first)
    fd = g.layout["data"]
    data_name = fd.register
    new_data = (msgs[s][1] ^ 0x5A5A_A5A5) & (fd.mask >> fd.lsb)
    data_word = await tb.read(tb.slot_addr(s, data_name), slot=s)
    # Unmasked slot, DATA rewritten with a trigger at its BVALID: every instant between that
    # trigger and its AW holds the new value, so the message must carry it.
    issued, acc, first = await write_at_bvalid(tb.slot_addr(s, data_name), (data_word & ~fd.mask) | fd.put(new_data),
                                               "DATA rewrite")
    got = g.messages_since(first)
    if got != [(msgs[s][0], new_data)]:
        g.fail(rule, f"DATA was rewritten to 0x{new_data:x} with BVALID at edge {issued}; the trigger accepted at "
               f"edge {acc} sent {[(hex(a), hex(d)) for a, d in got]}, expected one message with the new data", s)
    await finish(g)


# =============================================================================================
# Byte strobes
# =============================================================================================

STROBES = (0x1, 0x2, 0x4, 0x8, 0x3, 0xC, 0x6)


def lanes_of(strb: int) -> int:
    return sum(0xFF << 8 * k for k in range(4) if strb >> k & 1)


@cocotb.test()
async def generic_byte_strobes(dut):
    """§2: byte strobes are honoured on every RW register and slot dword: a write changes the
    strobed lanes only. A slot whose address and data words were written one byte lane at a
    time sends exactly that address and data; a control-register write whose strobes leave
    out MASK's lane leaves the slot masked."""
    g = await start(dut, "generic_byte_strobes")
    tb, rule = g.tb, "byte strobes"
    s, t = g.distinct_slots(2)

    async def lane_walk(addr: int, r, what: str, slot: int | None) -> None:
        cur = g.rng.getrandbits(32) & r.rw_mask
        await tb.write(addr, cur, slot=slot)
        for strb in STROBES:
            val = g.rng.getrandbits(32)
            await tb.write(addr, val, strb=strb, slot=slot)
            cur = (cur & ~lanes_of(strb) | val & lanes_of(strb)) & r.rw_mask
            exp = cur | (r.reset & r.readable_mask & ~r.rw_mask)
            g.check_eq(rule, await tb.read(addr, slot=slot), exp,
                       f"{what} after writing 0x{val:08x} with WSTRB 0x{strb:x}", slot)
        await tb.write(addr, r.reset & r.rw_mask, slot=slot)

    ctrl = g.layout.control_register()
    for name, r in g.layout.registers.items():
        if r.rw_mask and name != ctrl:
            await lane_walk(tb.slot_addr(s, name), r, f"slot {name}", s)
    for r in g.map.registers.values():
        if r.rw_mask and not g.value_limited(r, "byte strobes: lane walk"):
            await lane_walk(int(r), r, r.name, None)
    # A message assembled lane by lane.
    addr, data = tb.message_for(t, salt=7)
    words = g.layout.words(addr, data, False, False, 0)
    for name, word in words.items():
        if name == ctrl:
            continue
        a = tb.slot_addr(t, name)
        await tb.write(a, ~word & 0xFFFFFFFF, slot=t)          # every lane wrong first
        for k in range(4):
            await tb.write(a, word, strb=1 << k, slot=t)
    mf = g.layout["mask"]
    mask_lanes = sum(1 << k for k in range(4) if lanes_of(1 << k) & mf.mask)
    other = 0xF & ~mask_lanes
    await g.set_enable(True)
    msg = g.layout.message(addr, data)
    g.who[msg] = t
    if other:
        # MASK stays 1 when its lane is not strobed, whatever the data says for it.
        lo = min(k for k in range(4) if other >> k & 1)
        hi = max(k for k in range(4) if other >> k & 1)
        contiguous = sum(1 << k for k in range(lo, hi + 1))
        if contiguous & mask_lanes:
            contiguous = 1 << lo
        await tb.write(tb.slot_addr(t, ctrl), words[ctrl] & ~mf.mask, strb=contiguous, slot=t)
        first = await g.fire([t])
        g.expect_no_message(rule, first, f"MASK's byte lane was not strobed (WSTRB 0x{contiguous:x}), so the "
                            f"slot stays masked")
        await g.expect_pending(t, 1, rule)
    else:
        g.na.skip(f"{rule}: a control write without MASK's lane", reason="every lane of the control register holds MASK")
    first = len(tb.monitor.messages)
    await g.set_mask(t, False)
    if other:                                                  # the owed replay
        await tb.settle()
        g.check_in_order(rule, [msg], [t], first)
        first = len(tb.monitor.messages)
    await g.fire_expect(rule, [t], {t: msg})
    await finish(g)


# =============================================================================================
# Pending clear racing a trigger
# =============================================================================================

# Cycles from starting the clear's write to offering the trigger: from CLEAR_SWEEP_FIRST on,
# until CLEAR_AFTER_BVALID triggers were accepted after the BVALID (at most CLEAR_SWEEP_LAST).
CLEAR_SWEEP_FIRST, CLEAR_SWEEP_LAST, CLEAR_AFTER_BVALID = -4, 40, 3


async def next_write_response_edge(tb) -> int:
    """The edge at which the next register-write response is registered (BVALID high)."""
    bvalid = getattr(tb.dut, f"{tb.profile.regs_prefix}_bvalid")
    while True:
        await FallingEdge(tb.clk)
        if bvalid.value.is_resolvable and int(bvalid.value) == 1:
            return tb.cycle


@cocotb.skipif(lacks("pending_clear", "generic_clear_vs_trigger",
                     "pending clear vs trigger: a trigger after the clear's BVALID keeps its bit; every trigger counted"))
@cocotb.test()
async def generic_clear_vs_trigger(dut):
    """§4 same-cycle collisions, as far as the ports show them: a masked slot's pending bit is
    cleared (write 1) while a trigger to it arrives, the trigger offered from 4 cycles before the
    write starts to as late as it takes to be accepted 3 times after the write's BVALID. A trigger
    accepted after the BVALID must leave the bit set (the clear took effect before it); for
    any offset the bit read back must be what unmasking replays (one message if set, none if
    clear); every trigger is counted in CNT_PENDED (if present), also when the clear won.
    Which of clear and set wins inside the block in one cycle is not visible at the ports."""
    g = await start(dut, "generic_clear_vs_trigger")
    tb, rule = g.tb, "pending clear vs trigger"
    s = g.distinct_slots(1)[0]
    msgs, before = await g.arm([s], masked={s})
    f = g.layout["pending"]
    addr = tb.slot_addr(s, f.register)
    triggers = replays = 0
    seen = []
    delay = CLEAR_SWEEP_FIRST - 1
    while sum(d > 0 for d, _ in seen) < CLEAR_AFTER_BVALID and delay < CLEAR_SWEEP_LAST:
        delay += 1
        await g.fire([s])                       # the bit is set before the clear
        triggers += 1
        word = (await tb.read(addr, slot=s)) | f.put(1)
        n_acc = len(tb.triggers.accepted)
        response = cocotb.start_soon(next_write_response_edge(tb))
        if delay < 0:                           # the trigger first, the write -delay cycles later
            tb.trigger(s)
            await tb.cycles(-delay)
        wr = cocotb.start_soon(tb.write(addr, word, slot=s))
        if delay >= 0:
            await tb.cycles(delay)
            tb.trigger(s)
        triggers += 1
        await wr
        b_edge = await response
        await tb.settle()
        acc = tb.triggers.accepted[n_acc].cycle
        bit = await g.pending(s, rule)
        if bit is None:
            return                              # recorded n/a by pending()
        seen.append((acc - b_edge, bit))
        if acc > b_edge and bit != 1:
            g.fail(rule, f"trigger accepted at edge {acc}, after the clear's BVALID at edge {b_edge}, left the "
                   f"pending bit clear: the clear took effect after a trigger accepted after its response "
                   f"(offered {delay} cycles after the write started)", s)
        first = len(tb.monitor.messages)
        await g.set_mask(s, False)
        await tb.settle()
        sent = len(tb.monitor.messages) - first
        if sent != bit:
            g.fail(rule, f"pending bit read {bit} after the clear/trigger race (trigger at edge {acc}, BVALID at edge "
                   f"{b_edge}), but unmasking sent {sent} message(s)", s)
        g.check_in_order(rule, [msgs[s]] * sent, [s] * sent, first)
        replays += sent
        await g.set_mask(s, True)
    tb.log.info("clear vs trigger: (trigger accept edge - BVALID edge, pending bit) over the sweep: %s", seen)
    if not any(d > 0 for d, _ in seen) or not any(d <= 0 for d, _ in seen):
        g.fail(rule, f"the sweep did not put triggers on both sides of the clear's BVALID: {seen}", s)
    await g.check_counters(rule, before, s, cnt_pended=triggers, cnt_sent=replays)
    await finish(g)
