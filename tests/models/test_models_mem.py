"""Memory-resident IMS entries (contract revision 2, ims-block.md §6-§7) in the device model, and
the queue-memory IMS chip with the irq bus lock (platform-models.md §7) in the Linux model.

Expected values come from the contract text quoted above each check; register offsets and
fields from the description (models.regs, compiled from regs/ims.rdl with MEM_MAX_ENTRIES > 0).
"""
import asyncio
import copy

import pytest

from models.errors import AllocationError, BusError, ConfigError, ModelError
from models.ims_device import FETCH, EntryImage, Fetch, ImsDevice, Outcome
from models.linux.ims import QueueMemImsChip
from models.memory import HostMemory
from models.msi import ims_slot_message
from models.platform import Platform
from models.regs import load

N, MAX = 64, 32                     # NUM_SLOTS, MEM_MAX_ENTRIES of the device under test
R = load(num_slots=N, mem_max_entries=MAX)
OKAY, SLVERR = 0, 2
BASE = 0x2_0000_1000                # entry table: 64-byte aligned, above 4 GiB
ENABLE, FUNC_MASK = int(R.CTRL.ENABLE), int(R.CTRL.FUNC_MASK)
MASK, PASID_EN = int(R.slot.CTRL.MASK), int(R.slot.CTRL.PASID_EN)
FETCH_ERR = int(R.STATUS.FETCH_ERR)
INV_ALL, INV_CLEAR = int(R.MEM_INVAL.ALL), int(R.MEM_INVAL.CLEAR_PENDING)


def run(coro):
    return asyncio.run(coro)


def put_entry(mem, j, addr_lo=0xFEE00000, addr_hi=0, data=0x40, ctrl=0, base=BASE):
    """Entry j in host memory, §3 layout (ADDR_LO, ADDR_HI, DATA, CTRL)."""
    a = base + 16 * j
    for off, v in ((R.slot.ADDR_LO, addr_lo), (R.slot.ADDR_HI, addr_hi), (R.slot.DATA, data),
                   (R.slot.CTRL, ctrl)):
        mem.write32(a + int(off), v)


def pend_bit(dev, index):
    """PENDING word k bit b for trigger index `index` (§2: bit j of word k = index 32 k + j)."""
    return dev.read(R.PENDING[index // 32])[0] >> (index % 32) & 1


@pytest.fixture
def dev():
    d = ImsDevice(num_slots=N, mem_max_entries=MAX)
    assert d.write(R.MEM_BASE_LO, BASE & 0xFFFFFFFF) == OKAY
    assert d.write(R.MEM_BASE_HI, BASE >> 32) == OKAY
    assert d.write(R.MEM_ENTRIES, 8) == OKAY
    return d


# ============================================================ §6: revision 1 unchanged / VERSION
def test_mem_max_zero_is_revision_1_exactly():
    # §6: "Built with MEM_MAX_ENTRIES = 0 the block is revision 1 exactly: VERSION 0x00010000,
    # no §7 registers (those offsets answer SLVERR)".
    d = ImsDevice(num_slots=N)
    assert d.read(R.VERSION) == (0x00010000, OKAY)
    for off in (0x038, 0x040, 0x044, 0x048, 0x04C):
        assert d.read(off) == (0, SLVERR)
        assert d.write(off, 1) == SLVERR
    assert d.trigger(N).outcome is Outcome.DROP_RANGE


def test_mem_version_and_reset_values():
    # §7: "VERSION reads 0x00020000 when MEM_MAX_ENTRIES > 0"; the new registers reset to 0,
    # MEM_INVAL is "WO, reads 0"; "0x03C stays unlisted".
    d = ImsDevice(num_slots=N, mem_max_entries=MAX)
    assert d.read(R.VERSION) == (0x00020000, OKAY)
    for reg in (R.CNT_FETCH_ERR, R.MEM_BASE_LO, R.MEM_BASE_HI, R.MEM_ENTRIES, R.MEM_INVAL):
        assert d.read(reg) == (0, OKAY)
    assert d.read(0x03C) == (0, SLVERR) and d.write(0x03C, 1) == SLVERR
    assert d.write(R.CNT_FETCH_ERR, 5) == OKAY and d.read(R.CNT_FETCH_ERR) == (0, OKAY)  # RO


def test_mem_entries_zero_behaves_as_revision_1():
    # §6: "Everything in §1-§5 holds unchanged while MEM_ENTRIES = 0"; §7: "with M = 0 exactly
    # the revision-1 words exist" -> ceil(64/32) = 2 PENDING words; index NUM_SLOTS is rule 1.
    d = ImsDevice(num_slots=N, mem_max_entries=MAX)
    d.write(R.CTRL, ENABLE)
    assert d.trigger(N).outcome is Outcome.DROP_RANGE
    assert d.read(R.PENDING[1]) == (0, OKAY)
    assert d.read(R.PENDING[2]) == (0, SLVERR) and d.write(R.PENDING[2], 0) == SLVERR


def test_mem_parameter_checks():
    # §7 Parameters: MEM_MAX_ENTRIES a power of two or 0; NUM_SLOTS + MEM_MAX_ENTRIES
    # <= 2^IRQ_INDEX_WIDTH and <= 32768.
    with pytest.raises(ConfigError):
        ImsDevice(num_slots=N, mem_max_entries=48)
    with pytest.raises(ConfigError):
        ImsDevice(num_slots=N, mem_max_entries=2, irq_index_width=6)    # 66 > 2^6
    with pytest.raises(ConfigError):
        ImsDevice(num_slots=32768, mem_max_entries=2)                    # 32770 > 32768
    ImsDevice(num_slots=N, mem_max_entries=64, irq_index_width=7)        # 128 <= 2^7: allowed


# ============================================================ §7 registers
def test_mem_base_lo_bits_5_0_read_zero_and_strobes():
    # §7: "MEM_BASE_LO ... table address bits 31:6 (bits 5:0 read 0, writes ignored)";
    # §2: "Byte strobes are honoured on every RW register".
    d = ImsDevice(num_slots=N, mem_max_entries=MAX)
    d.write(R.MEM_BASE_LO, 0xFFFFFFFF)
    assert d.read(R.MEM_BASE_LO)[0] == 0xFFFFFFC0
    d.write(R.MEM_BASE_LO, 0, strb=0b0001)
    assert d.read(R.MEM_BASE_LO)[0] == 0xFFFFFF00
    d.write(R.MEM_BASE_HI, 0x12345678, strb=0b1000)
    assert d.read(R.MEM_BASE_HI)[0] == 0x12000000


def test_mem_entries_above_max_is_slverr_and_changes_nothing(dev):
    # §7: "a value above MEM_MAX_ENTRIES is answered SLVERR and changes nothing".
    assert dev.write(R.MEM_ENTRIES, MAX + 1) == SLVERR
    assert dev.read(R.MEM_ENTRIES) == (8, OKAY)
    assert dev.write(R.MEM_ENTRIES, MAX) == OKAY and dev.read(R.MEM_ENTRIES) == (MAX, OKAY)


def test_mem_rule1_range_is_num_slots_plus_m(dev):
    # §7 rule 1: "Rule 1 becomes i >= NUM_SLOTS + M" (M = 8 here).
    put_entry(dev.memory, 7)
    dev.write(R.CTRL, ENABLE)
    assert dev.trigger(N + 7).outcome is Outcome.SENT
    assert dev.trigger(N + 8).outcome is Outcome.DROP_RANGE
    assert dev.read(R.CNT_DROP_RANGE)[0] == 1


def test_mem_pending_word_count_follows_m():
    # §7: "PENDING then has ceil((NUM_SLOTS + M) / 32) words; bits at or above NUM_SLOTS + M read
    # 0, and words beyond answer SLVERR as in §2". MEM_MAX_ENTRIES 64: the description holds
    # ceil(128/32) = 4 words, but only those for the current M exist.
    r64 = load(num_slots=N, mem_max_entries=64)
    d = ImsDevice(num_slots=N, mem_max_entries=64)
    assert r64.PENDING.count == 4
    d.write(r64.MEM_ENTRIES, 1)                       # ceil(65/32) = 3 words
    assert d.read(r64.PENDING[2]) == (0, OKAY)
    assert d.read(r64.PENDING[3]) == (0, SLVERR) and d.write(r64.PENDING[3], 0) == SLVERR
    d.write(r64.MEM_ENTRIES, 33)                      # ceil(97/32) = 4 words
    assert d.read(r64.PENDING[3]) == (0, OKAY) and d.write(r64.PENDING[3], 0) == OKAY  # RO
    d.write(r64.MEM_ENTRIES, 0)                       # revision-1 words only
    assert d.read(r64.PENDING[2]) == (0, SLVERR)


# ============================================================ §7 rules 2-5 for a memory index
def test_mem_trigger_sends_the_fetched_entry(dev):
    # §7 rule 2: "rules 2-5 use the entry's fields as fetched"; entry j "is 16 bytes at
    # MEM_BASE + 16 j with the §3 layout (ADDR_LO with bits 1:0 ignored ...)"; "Entry j is
    # fired by trigger index NUM_SLOTS + j".
    # "CTRL bit1 and the reserved bits in memory are ignored": bits 1, 2 and 11:4 set here.
    put_entry(dev.memory, 3, addr_lo=0xFEE0100F, addr_hi=0, data=0xBEEF, ctrl=0xFF6)
    dev.write(R.CTRL, ENABLE)
    r = dev.trigger(N + 3)
    assert r.outcome is Outcome.SENT
    assert (r.message.addr, r.message.data, r.message.slot) == (0xFEE0100C, 0xBEEF, N + 3)
    assert dev.read(R.CNT_SENT)[0] == 1
    assert dev.cached_copies(3) == (EntryImage(0xFEE0100C, 0, 0xBEEF, 0),)


def test_mem_disabled_trigger_fetches_nothing(dev):
    # §7 rule 2: "Rule 2 is checked before any fetch: a trigger while ENABLE = 0 fetches
    # nothing" - a failing entry therefore counts no fetch error.
    dev.memory.fail_reads(BASE + 16 * 2, 16)
    assert dev.trigger(N + 2).outcome is Outcome.DROP_DISABLED
    assert dev.read(R.CNT_FETCH_ERR)[0] == 0 and dev.cached_copies(2) == ()


def test_mem_fetch_error_drops_the_trigger(dev):
    # §7 rule 2: "A fetch answered RRESP != OKAY on any beat drops the trigger: STATUS.FETCH_ERR
    # set, CNT_FETCH_ERR + 1, nothing cached, nothing pended, no message."
    put_entry(dev.memory, 2, ctrl=MASK)
    dev.memory.fail_reads(BASE + 16 * 2 + 12, 4)     # the last beat fails
    dev.write(R.CTRL, ENABLE)
    r = dev.trigger(N + 2)
    assert (r.outcome, r.message) == (Outcome.DROP_FETCH, None)
    assert dev.read(R.STATUS)[0] & FETCH_ERR and dev.read(R.CNT_FETCH_ERR)[0] == 1
    assert dev.cached_copies(2) == () and not dev.is_pending(N + 2)
    assert [dev.read(c)[0] for c in (R.CNT_SENT, R.CNT_PENDED)] == [0, 0]


def test_mem_fetch_err_status_is_rw1c(dev):
    # §7: "STATUS gains bit4 FETCH_ERR (RW1C)".
    dev.memory.fail_reads(BASE, 16)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N)
    dev.write(R.STATUS, FETCH_ERR, strb=0b0010)       # byte 1 only: bit 4 not written
    assert dev.read(R.STATUS)[0] & FETCH_ERR
    dev.write(R.STATUS, FETCH_ERR)
    assert not dev.read(R.STATUS)[0] & FETCH_ERR and dev.read(R.CNT_FETCH_ERR)[0] == 1


def test_mem_pasid_rule_uses_the_fetched_entry(dev):
    # §4 rule 3 with §7 rule 2: the entry's PASID_EN and PASID, as fetched, decide.
    put_entry(dev.memory, 1, ctrl=9 << 12 | PASID_EN)
    dev.write(R.CTRL, ENABLE)
    assert dev.trigger(N + 1, pasid=8).outcome is Outcome.DROP_PASID
    assert dev.trigger(N + 1).outcome is Outcome.DROP_PASID
    assert dev.trigger(N + 1, pasid=9).outcome is Outcome.SENT


def test_mem_masked_entry_pends_at_pending_bit_num_slots_plus_j(dev):
    # §7: "Its pending bit lives on the device: PENDING bit NUM_SLOTS + j."
    put_entry(dev.memory, 5, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    assert dev.trigger(N + 5).outcome is Outcome.PENDED
    assert pend_bit(dev, N + 5) == 1 and dev.read(R.PENDING[2])[0] == 1 << 5
    assert dev.read(R.CNT_PENDED)[0] == 1


# ============================================================ §7 cache, invalidation, freshness
def test_mem_cached_copy_stays_valid_until_invalidated(dev):
    # §7 rule 2: "The block fetches the entry unless it holds a valid cached copy; cached copies
    # stay valid until invalidated". Memory rewritten without MEM_INVAL: a trigger may use the
    # old copy (a hit) or the new memory (a miss, the copy evicted) - both legal.
    put_entry(dev.memory, 0, data=0x41)
    dev.write(R.CTRL, ENABLE)
    assert dev.trigger(N).message.data == 0x41
    put_entry(dev.memory, 0, data=0x42)
    old = EntryImage(0xFEE00000, 0, 0x41, 0)
    assert dev.cached_copies(0) == (old,)
    assert dev.trigger(N).message.data == 0x41                    # default: a hit
    assert dev.trigger(N, use=FETCH).message.data == 0x42         # a miss
    assert dev.trigger(N, use=old).message.data == 0x41           # the old copy is still valid
    assert {c.data for c in dev.cached_copies(0)} == {0x41, 0x42}


def test_mem_legal_images_are_valid_copies_and_memory_now(dev):
    # §7 rule 2: a trigger uses its valid cached copy, else "memory as read at fetch time"
    # (the cache organisation is the implementation's, so both are legal while a copy is
    # valid); after MEM_INVAL only memory is (rule 3); a failing read is a possible outcome.
    put_entry(dev.memory, 1, data=0x41)
    dev.write(R.CTRL, ENABLE)
    old = EntryImage(0xFEE00000, 0, 0x41, 0)
    assert dev.legal_images(1) == (old,)              # nothing cached: memory only
    dev.trigger(N + 1)
    assert dev.legal_images(1) == (old,)              # copy == memory
    put_entry(dev.memory, 1, data=0x42)
    new = EntryImage(0xFEE00000, 0, 0x42, 0)
    assert dev.legal_images(1) == (old, new)
    dev.write(R.MEM_INVAL, 1)
    assert dev.legal_images(1) == (new,)
    dev.memory.fail_reads(BASE + 16, 4)
    assert dev.legal_images(1) == (None,)


def test_mem_freshness_refuses_a_copy_from_before_mem_inval(dev):
    # §7 rule 3: "a trigger accepted after the response of a MEM_INVAL that names its entry ...
    # uses values read from memory after that MEM_INVAL was accepted." The model refuses a
    # stale image (this is the check a scoreboard relies on, shown failing).
    put_entry(dev.memory, 4, data=0x41)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 4)
    (stale,) = dev.cached_copies(4)
    put_entry(dev.memory, 4, data=0x42)
    assert dev.write(R.MEM_INVAL, 4) == OKAY
    with pytest.raises(ModelError, match="rules 2-3"):
        dev.trigger(N + 4, use=stale)
    assert dev.trigger(N + 4).message.data == 0x42


def test_mem_inval_all_drops_every_copy(dev):
    # §7: "bit 31 ALL (every entry)".
    for j in (0, 7):
        put_entry(dev.memory, j)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N), dev.trigger(N + 7)
    dev.write(R.MEM_INVAL, INV_ALL | 3)       # ALL: the entry field does not matter
    assert dev.cached_copies(0) == () and dev.cached_copies(7) == ()


def test_mem_inval_of_entry_at_or_above_m_is_ignored(dev):
    # §7: "An entry j >= M is ignored (OKAY)." (M = 8)
    put_entry(dev.memory, 0)
    put_entry(dev.memory, 7, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N), dev.trigger(N + 7)
    assert dev.write(R.MEM_INVAL, 8 | INV_CLEAR) == OKAY
    assert dev.write(R.MEM_INVAL, 0xFFFF) == OKAY
    assert len(dev.cached_copies(0)) == 1 and len(dev.cached_copies(7)) == 1
    assert dev.is_pending(N + 7)


@pytest.mark.parametrize("reg", ["MEM_BASE_LO", "MEM_BASE_HI", "MEM_ENTRIES"])
def test_mem_base_and_size_writes_drop_every_copy(dev, reg):
    # §7: "A write to MEM_BASE_LO, MEM_BASE_HI or MEM_ENTRIES also drops every cached entry"
    # (even a write of the value already held).
    put_entry(dev.memory, 1)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 1)
    assert dev.cached_copies(1)
    off = getattr(R, reg)
    dev.write(off, dev.read(off)[0])
    assert dev.cached_copies(1) == ()


def test_mem_entries_write_clears_pending_bits_at_or_above_new_m(dev):
    # §7: "a write of MEM_ENTRIES clears the pending bits of entries at or above the new M".
    for j in (2, 6):
        put_entry(dev.memory, j, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 2), dev.trigger(N + 6)
    dev.write(R.MEM_ENTRIES, 4)
    assert dev.is_pending(N + 2) and not dev.is_pending(N + 6)
    assert dev.read(R.PENDING[2])[0] == 1 << 2      # "bits at or above NUM_SLOTS + M read 0"
    dev.write(R.MEM_ENTRIES, 8)                     # growing back does not restore it
    assert not dev.is_pending(N + 6)


def test_mem_inval_clear_pending_clears_without_replay(dev):
    # §7: "bit 30 CLEAR_PENDING (also clear the pending bits of the entries named)". The clear
    # applies before the re-examination, so an entry unmasked in memory emits nothing.
    put_entry(dev.memory, 3, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 3)
    put_entry(dev.memory, 3, ctrl=0)
    dev.write(R.MEM_INVAL, INV_CLEAR | 3)
    assert not dev.is_pending(N + 3) and dev.take_replays() == []


# ============================================================ §7 rule 4: re-examination
def test_mem_replay_after_unmask_in_memory_and_mem_inval(dev):
    # §7 rule 4: "Unmasking a memory entry is therefore: software writes MASK = 0 in memory,
    # then writes MEM_INVAL(j)"; the fresh entry's address and data are sent, the bit cleared.
    put_entry(dev.memory, 2, data=0x41, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 2)
    put_entry(dev.memory, 2, data=0x55, ctrl=0)
    assert dev.take_replays() == []                 # memory alone changes nothing
    dev.write(R.MEM_INVAL, 2)
    (m,) = dev.take_replays()
    assert (m.slot, m.data, m.replay) == (N + 2, 0x55, True) and not dev.is_pending(N + 2)


def test_mem_inval_all_reexamines_every_pending_entry(dev):
    # §7 rule 4 "after a MEM_INVAL that names it (or ALL)"; several replays from one write are
    # emitted lowest entry first (models/README.md), each from its fresh entry.
    for j in (5, 1, 3):
        put_entry(dev.memory, j, data=0x50 + j, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    for j in (5, 1, 3):
        dev.trigger(N + j)
    for j in (5, 1):
        put_entry(dev.memory, j, data=0x60 + j, ctrl=0)   # 3 stays masked
    dev.write(R.MEM_INVAL, INV_ALL)
    assert [(m.slot, m.data) for m in dev.take_replays()] == [(N + 1, 0x61), (N + 5, 0x65)]
    assert dev.is_pending(N + 3) and not dev.is_pending(N + 1) and not dev.is_pending(N + 5)
    dev.write(R.MEM_INVAL, INV_ALL | INV_CLEAR)              # ALL + CLEAR_PENDING
    assert dev.read(R.PENDING[2])[0] == 0 and dev.take_replays() == []


def test_mem_no_reexamination_at_other_times(dev):
    # §7 rule 4: re-examined after MEM_INVAL naming it (or ALL), CTRL FUNC_MASK 1 -> 0, CTRL
    # ENABLE 0 -> 1; "at no other time".
    put_entry(dev.memory, 2, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 2)
    put_entry(dev.memory, 2, ctrl=0)
    dev.write(R.CTRL, ENABLE)                        # CTRL written, nothing changes 0 -> 1
    dev.write(R.MEM_INVAL, 1)                        # another entry
    dev.write(R.MEM_BASE_LO, dev.read(R.MEM_BASE_LO)[0])
    dev.write(R.MEM_ENTRIES, 8)
    dev.write(R.STATUS, 0xFFFFFFFF)
    dev.write(R.slot[0].CTRL, 0)                     # a slot unmask replays slots only
    assert dev.take_replays() == [] and dev.is_pending(N + 2)


def test_mem_replay_on_func_mask_clear(dev):
    # §7 rule 4: "after a CTRL write that changes FUNC_MASK from 1 to 0".
    put_entry(dev.memory, 6, data=0x66)
    dev.write(R.CTRL, ENABLE | FUNC_MASK)
    assert dev.trigger(N + 6).outcome is Outcome.PENDED
    dev.write(R.CTRL, ENABLE)
    (m,) = dev.take_replays()
    assert (m.slot, m.data) == (N + 6, 0x66)


def test_mem_replay_on_enable(dev):
    # §7 rule 4: "after a CTRL write that changes ENABLE from 0 to 1"; §4 "ENABLE = 0 keeps
    # pending bits".
    put_entry(dev.memory, 6, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 6)
    dev.write(R.CTRL, 0)
    put_entry(dev.memory, 6, data=0x77, ctrl=0)
    assert dev.take_replays() == [] and dev.is_pending(N + 6)
    dev.write(R.CTRL, ENABLE)
    (m,) = dev.take_replays()
    assert (m.slot, m.data) == (N + 6, 0x77)


def test_mem_reexamination_of_a_masked_entry_keeps_the_bit(dev):
    # §7 rule 4: "otherwise the bit stays" - the fresh fetch still finds MASK = 1.
    put_entry(dev.memory, 1, ctrl=MASK)
    dev.write(R.CTRL, ENABLE)
    dev.trigger(N + 1)
    dev.write(R.MEM_INVAL, 1)
    assert dev.take_replays() == [] and dev.is_pending(N + 1)
    assert dev.cached_copies(1) == (EntryImage(0xFEE00000, 0, 0x40, MASK),)   # it was fetched


def test_mem_reexamination_fetch_error_keeps_bit_and_counts(dev):
    # §7 rule 4: "A re-examination fetch answered with an error counts as a fetch error
    # (FETCH_ERR, CNT_FETCH_ERR) and leaves the bit set."
    put_entry(dev.memory, 1, ctrl=MASK)
    dev.write(R.CTRL, ENABLE | FUNC_MASK)
    dev.trigger(N + 1)
    put_entry(dev.memory, 1, ctrl=0)
    dev.memory.fail_reads(BASE + 16, 16)
    dev.write(R.CTRL, ENABLE)
    assert dev.take_replays() == [] and dev.is_pending(N + 1)
    assert dev.read(R.CNT_FETCH_ERR)[0] == 1 and dev.read(R.STATUS)[0] & FETCH_ERR


def test_mem_reexamination_fetches_afresh_not_from_the_cache(dev):
    # §7 rule 4: "re-examined - fetched afresh": a valid cached copy is not used.
    put_entry(dev.memory, 0, data=0x41)
    dev.write(R.CTRL, ENABLE | FUNC_MASK)
    dev.trigger(N)                                  # pends, caches data 0x41
    put_entry(dev.memory, 0, data=0x99)             # no MEM_INVAL: the copy stays valid
    dev.write(R.CTRL, ENABLE)
    (m,) = dev.take_replays()
    assert m.data == 0x99


def test_mem_reexamination_also_while_disabled_fetches(dev):
    # §7 rule 4 read literally: a pending entry named by MEM_INVAL is "re-examined - fetched
    # afresh" whatever CTRL holds; only a send needs ENABLE = 1, FUNC_MASK = 0. (Reading kept
    # by the model; the RTL must match it - see models/README.md.)
    put_entry(dev.memory, 3)
    dev.write(R.CTRL, ENABLE | FUNC_MASK)
    dev.trigger(N + 3)
    dev.write(R.CTRL, FUNC_MASK)                    # ENABLE 1 -> 0: nothing re-examined
    dev.memory.fail_reads(BASE + 48, 16)
    dev.write(R.MEM_INVAL, 3)
    assert dev.read(R.CNT_FETCH_ERR)[0] == 1 and dev.is_pending(N + 3)


def test_mem_fetch_with_observed_data_is_cached_and_used(dev):
    # API for a testbench that saw the fetch's R beats: the image it returned decides (rule 2)
    # and becomes a copy the block may hold; an observed RRESP error is a fetch error.
    put_entry(dev.memory, 2, data=0x41)
    dev.write(R.CTRL, ENABLE)
    seen = EntryImage(0xFEE00000, 0, 0x44, 0)          # memory changed before the R beats
    assert dev.trigger(N + 2, use=Fetch(seen)).message.data == 0x44
    assert dev.cached_copies(2) == (seen,)
    assert dev.trigger(N + 2, use=Fetch(error=True)).outcome is Outcome.DROP_FETCH
    assert dev.read(R.CNT_FETCH_ERR)[0] == 1


def test_mem_use_applies_to_memory_entries_only(dev):
    dev.write(R.CTRL, ENABLE)
    with pytest.raises(ModelError):
        dev.trigger(0, use=FETCH)


def test_mem_model_copy_shares_host_memory(dev):
    # A scoreboard world is a deep copy of the model: memory is outside the device, shared.
    twin = copy.deepcopy(dev)
    assert twin.memory is dev.memory
    put_entry(dev.memory, 0, data=0x31)
    dev.write(R.CTRL, ENABLE), twin.write(R.CTRL, ENABLE)
    assert twin.trigger(N).message.data == 0x31 and dev.cached_copies(0) == ()


# ============================================================ Linux: queue-memory chip, bus lock
class Recorder:
    """RegisterAccess in front of the device model that logs every register write."""

    def __init__(self, dev):
        self.dev, self.writes = dev, []

    async def read32(self, off):
        return await self.dev.read32(off)

    async def write32(self, off, value):
        self.writes.append((off, value))
        await self.dev.write32(off, value)

    def invals(self):
        return [v for off, v in self.writes if off == int(R.MEM_INVAL)]


def mem_setup(entries=8, num_cpus=4):
    plat = Platform(num_cpus=num_cpus)
    dev = ImsDevice(num_slots=N, mem_max_entries=MAX, memory=plat.memory)
    rec = Recorder(dev)
    dom = run(plat.create_ims_mem_domain(rec, entries=entries, requester_id=0x0300))
    dev.write(R.CTRL, ENABLE)
    return plat, dev, rec, dom


def entry_ctrl(plat, dom, j):
    return plat.memory.read32(dom.chip.entry_addr(j) + int(R.slot.CTRL))


def test_memchip_programs_the_device_and_hwsize_is_mem_entries():
    # platform-models.md §7: "The domain's hwsize is MEM_ENTRIES".
    plat, dev, rec, dom = mem_setup(entries=2)
    table = dom.chip.table_addr
    assert (dev.read(R.MEM_BASE_LO)[0], dev.read(R.MEM_BASE_HI)[0]) == (table & 0xFFFFFFFF, table >> 32)
    assert dev.read(R.MEM_ENTRIES)[0] == dom.hwsize == 2
    run(dom.alloc()), run(dom.alloc())
    with pytest.raises(AllocationError):
        run(dom.alloc())
    with pytest.raises(BusError):                    # the device refuses M > MEM_MAX_ENTRIES
        run(plat.create_ims_mem_domain(dev, entries=MAX + 1, requester_id=0x0300))


def test_memchip_prepare_desc_masks_in_memory_and_records_pasid():
    # §7: "prepare_desc masks the entry in memory and records the PASID image"; it runs in
    # __msi_domain_alloc_irqs() outside any bus-lock section, so nothing is invalidated yet.
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc(cookie=0x123))
    assert entry_ctrl(plat, dom, a.index) == 0x123 << 12 | PASID_EN | MASK
    assert rec.invals() == [] and dom.chip.changed == {a.index}


def test_memchip_request_irq_is_one_section_one_invalidation():
    # __setup_irq(): chip_bus_lock(); irq_activate() (write-message: three DWORDs) and
    # irq_startup() (unmask); chip_bus_sync_unlock() -> MEM_INVAL(j) once.
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc(cookie=5))
    run(dom.request(a.irq))
    assert rec.invals() == [a.index]
    assert entry_ctrl(plat, dom, a.index) == 5 << 12 | PASID_EN     # unmasked in memory
    assert dom.chip.changed == set() and not dom.chip.bus_locked


def test_memchip_bus_lock_batches_one_invalidation_per_changed_entry():
    # §7: mask/unmask "update the entry in host memory and mark it changed;
    # irq_bus_sync_unlock then writes MEM_INVAL(j) for each changed entry".
    plat, dev, rec, dom = mem_setup()
    a, b, c = (run(dom.alloc()) for _ in range(3))
    run(dom.request(a.irq)), run(dom.request(b.irq)), run(dom.request(c.irq))
    rec.writes.clear()

    async def section():
        async with dom.bus_lock(a.irq):
            await dom.mask(a.irq)
            await dom.unmask(a.irq)
            await dom.mask(b.irq)
            await dom.mask(a.irq)
            assert rec.writes == []                  # nothing reaches the device inside
    run(section())
    assert rec.invals() == sorted([a.index, b.index])
    assert entry_ctrl(plat, dom, a.index) & MASK and entry_ctrl(plat, dom, b.index) & MASK
    assert not entry_ctrl(plat, dom, c.index) & MASK


def test_memchip_free_irq_has_two_sections():
    # __free_irq(): irq_shutdown() in one bus-lock section, irq_domain_deactivate_irq() in a
    # second one (re-acquired for irq_release_resources()) -> two MEM_INVAL(j).
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())
    run(dom.request(a.irq))
    rec.writes.clear()
    run(dom.release(a.irq))
    assert rec.invals() == [a.index, a.index]
    assert entry_ctrl(plat, dom, a.index) == MASK    # shutdown: masked, PASID cleared


def test_memchip_nested_bus_lock_is_refused():
    # The bus lock is a mutex: a second chip_bus_lock() while held would sleep/deadlock.
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())

    async def nested():
        async with dom.bus_lock(a.irq):
            async with dom.bus_lock(a.irq):
                pass
    with pytest.raises(ModelError):
        run(nested())
    assert not dom.chip.bus_locked


def test_memchip_disable_irq_is_lazy_enable_irq_unmasks_only_if_masked():
    # disable_irq() -> __disable_irq() -> irq_disable(): no irq_disable callback, not unlazy:
    # nothing written. enable_irq() -> irq_startup(FORCE) -> irq_enable() -> unmask_irq() only
    # when masked. Each is its own bus-lock section (irq_get_desc_buslock()).
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())
    run(dom.request(a.irq))
    rec.writes.clear()
    run(dom.disable(a.irq)), run(dom.enable(a.irq))
    assert rec.writes == []
    run(dom.disable(a.irq)), run(dom.mask(a.irq))
    run(dom.enable(a.irq))
    assert rec.invals() == [a.index, a.index] and not entry_ctrl(plat, dom, a.index) & MASK
    with pytest.raises(ModelError, match="Unbalanced"):
        run(dom.enable(a.irq))


def test_memchip_affinity_under_ir_leaves_the_entry_alone():
    # irq_set_affinity() takes no bus lock; under IR only the IRTE changes
    # (intel_ir_set_affinity() -> IRQ_SET_MASK_OK_DONE): no memory write, no MEM_INVAL.
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())
    run(dom.request(a.irq, affinity={0}))
    before = plat.memory.read128(dom.chip.entry_addr(a.index))
    rec.writes.clear()
    run(dom.set_affinity(a.irq, {2}))
    assert rec.writes == [] and plat.memory.read128(dom.chip.entry_addr(a.index)) == before


def test_memchip_table_address_must_be_64_byte_aligned():
    # §7: MEM_BASE_LO holds bits 31:6 only.
    with pytest.raises(ConfigError):
        QueueMemImsChip(None, HostMemory(), table_addr=0x1020)


def test_memchip_mask_reaches_the_device_only_through_mem_inval():
    # Why the chip needs the bus lock: a chip that skipped MEM_INVAL leaves the device firing
    # from its stale unmasked copy (rule 2: copies stay valid until invalidated); with the
    # invalidation the trigger pends (rule 3 freshness).
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())
    run(dom.request(a.irq))
    idx = plat.irq_info(a.irq).trigger_index
    assert dev.trigger(idx).outcome is Outcome.SENT            # fetched and cached: unmasked
    dom.chip.irq_bus_sync_unlock = lambda d: _forget(dom.chip)  # a broken chip: no MEM_INVAL
    run(dom.mask(a.irq))
    assert dev.trigger(idx).outcome is Outcome.SENT            # stale copy: still fires
    del dom.chip.irq_bus_sync_unlock                            # the real chip
    run(dom.mask(a.irq))
    assert dev.trigger(idx).outcome is Outcome.PENDED


async def _forget(chip):
    chip.changed.clear()
    chip.bus_locked = False


# ============================================================ both domains, end to end
def deliver(plat, dev, trigger_index, pasid=None):
    r = dev.trigger(trigger_index, pasid=pasid)
    assert r.outcome is Outcome.SENT, r
    return plat.receive_write(r.message.addr, r.message.data, sid=0x0300)


def test_memory_entry_fires_the_right_linux_irq_end_to_end():
    # Memory entry fired -> device message (fetched from the entry Linux wrote) -> IR -> APIC
    # -> the Linux irq bound to that entry (platform-models.md §5).
    plat, dev, rec, dom = mem_setup()
    a, b = run(dom.alloc(cookie=3)), run(dom.alloc(cookie=4))
    run(dom.request(a.irq)), run(dom.request(b.irq))
    ib = plat.irq_info(b.irq)
    assert ib.trigger_index == N + b.index
    lo, hi, data = ims_slot_message(ib.irte_index)
    r = dev.trigger(ib.trigger_index, pasid=4)
    assert (r.message.addr, r.message.data) == (hi << 32 | lo, data)
    d = plat.receive_write(r.message.addr, r.message.data, sid=0x0300)
    assert (d.outcome, d.linux_irq, d.cpu) == ("delivered", b.irq, ib.cpu)


def test_both_domains_on_one_device_have_their_own_allocation_space():
    # §7: "A device may carry both domains (on-device slots and memory entries), each with its
    # own allocation space and irq numbers."
    plat = Platform(num_cpus=4)
    dev = ImsDevice(num_slots=N, mem_max_entries=MAX, memory=plat.memory)
    slots = plat.create_ims_domain(dev, hwsize=N, requester_id=0x0300)
    mem = run(plat.create_ims_mem_domain(dev, entries=8, requester_id=0x0300))
    s, m = run(slots.alloc()), run(mem.alloc())
    assert (s.index, m.index) == (0, 0) and s.irq != m.irq       # both lowest free, own spaces
    run(slots.request(s.irq)), run(mem.request(m.irq))
    dev.write(R.CTRL, ENABLE)
    assert plat.irq_info(s.irq).trigger_index == 0
    assert plat.irq_info(m.irq).trigger_index == N
    assert deliver(plat, dev, 0).linux_irq == s.irq
    assert deliver(plat, dev, N).linux_irq == m.irq
    run(slots.free(s.irq))                                        # freeing one leaves the other
    assert run(mem.alloc()).index == 1 and run(slots.alloc()).index == 0


def test_unmask_of_a_pending_memory_entry_replays_to_the_right_irq():
    # §7 rule 4 through Linux: a trigger while masked pends; enable path unmasks in memory and
    # the bus unlock's MEM_INVAL(j) re-examines it -> one replay -> the entry's Linux irq.
    plat, dev, rec, dom = mem_setup()
    a = run(dom.alloc())
    run(dom.request(a.irq))
    idx = plat.irq_info(a.irq).trigger_index
    run(dom.mask(a.irq))
    assert dev.trigger(idx).outcome is Outcome.PENDED
    run(dom.unmask(a.irq))
    (m,) = dev.take_replays()
    d = plat.receive_write(m.addr, m.data, sid=0x0300)
    assert (m.slot, d.outcome, d.linux_irq) == (idx, "delivered", a.irq)


def test_memchip_compat_affinity_rewrite_is_one_section():
    # Not Linux (compatibility mode, models/README.md "Deliberate differences"): without IR the
    # message is recomposed and rewritten while masked; for a memory entry that runs in one
    # bus-lock section, so the device is told once and fires the new message.
    plat = Platform(num_cpus=4, ir_enabled=False)
    dev = ImsDevice(num_slots=N, mem_max_entries=MAX, memory=plat.memory)
    rec = Recorder(dev)
    dom = run(plat.create_ims_mem_domain(rec, entries=8, requester_id=0x0300))
    dev.write(R.CTRL, ENABLE)
    a = run(dom.alloc())
    run(dom.request(a.irq, affinity={0}))
    idx = plat.irq_info(a.irq).trigger_index
    assert dev.trigger(idx).outcome is Outcome.SENT           # cached: the CPU 0 message
    rec.writes.clear()
    cpu, vector = run(dom.set_affinity(a.irq, {3}))
    assert rec.invals() == [a.index]
    r = dev.trigger(idx)
    assert plat.receive_write(r.message.addr, r.message.data, sid=0x0300).linux_irq == a.irq
    assert (r.message.addr >> 12 & 0xFF, r.message.data & 0xFF) == (plat.apics[cpu].apic_id, vector)


@pytest.mark.parametrize("seed", range(8))
def test_mem_built_with_m_zero_matches_revision_1_step_by_step(seed):
    # §6 / issue 12 "Done when": "Everything in §1-§5 holds unchanged while MEM_ENTRIES = 0".
    # The same random register writes and triggers go to a revision-1 model and to a model
    # built with memory mode (M = 0); every trigger outcome, message, replay and every §2/§3
    # read must agree (VERSION and the §7 offsets are the only allowed differences).
    import random
    rnd = random.Random(seed)
    rev1, rev2 = ImsDevice(num_slots=N), ImsDevice(num_slots=N, mem_max_entries=MAX)
    rev2_only = {int(R.VERSION), 0x038, 0x040, 0x044, 0x048, 0x04C}
    offsets = [int(R.CTRL), int(R.STATUS)] + [R.slot[i].registers[f] for i in (0, 1, 33, 63)
                                               for f in ("ADDR_LO", "ADDR_HI", "DATA", "CTRL")]
    reads = sorted({a & ~3 for a in range(0, 0x60, 4)} | {int(R.PENDING[k]) for k in range(3)}
                   | set(offsets))
    for step in range(300):
        where = f"seed {seed} step {step} (pytest tests/models/test_models_mem.py -k 'm_zero and {seed}')"
        if rnd.random() < 0.5:
            off, val, strb = rnd.choice(offsets), rnd.getrandbits(32), rnd.choice((0xF, 0xF, 0x1, 0x8))
            if off == int(R.CTRL):
                val &= 3
            assert rev1.write(off, val, strb) == rev2.write(off, val, strb), where
        else:
            idx = rnd.choice((0, 1, 33, 63, N, N + 1, 200))
            pasid = rnd.choice((None, 0, 5))
            a, b = rev1.trigger(idx, pasid), rev2.trigger(idx, pasid)
            assert (a.outcome, a.message) == (b.outcome, b.message), where
        assert rev1.take_replays() == rev2.take_replays(), where
        for off in reads:
            if off not in rev2_only:
                assert rev1.read(off) == rev2.read(off), f"{where}: read {off:#x}"


def test_memchip_change_made_during_the_unlock_is_flushed_by_it():
    # A mask from another coroutine while chip_bus_sync_unlock() waits for a MEM_INVAL response
    # must still reach the device (the entry is invalidated again before the unlock returns).
    plat, dev, rec, dom = mem_setup()
    a, b = run(dom.alloc()), run(dom.alloc())
    run(dom.request(a.irq)), run(dom.request(b.irq))
    rec.writes.clear()

    class Slow(Recorder):
        async def write32(self, off, value):
            for _ in range(3):                        # the response takes a while
                await asyncio.sleep(0)
            await super().write32(off, value)

    slow = Slow(dev)
    dom.chip.regs = slow

    async def both():
        async def other():
            await asyncio.sleep(0)
            await dom.mask(b.irq)                     # lands while a's MEM_INVAL is outstanding
        task = asyncio.ensure_future(other())
        await dom.mask(a.irq)
        await task
    run(both())
    assert sorted(slow.invals()) == sorted([a.index, b.index])
    assert dom.chip.changed == set() and not dom.chip.bus_locked
    idx = plat.irq_info(b.irq).trigger_index
    assert dev.trigger(idx).outcome is Outcome.PENDED
