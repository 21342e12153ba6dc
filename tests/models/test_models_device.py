"""IMS device model against ims-block.md §2-§4."""
import asyncio

import pytest

from models.errors import BusError, ConfigError, ModelError
from models.ims_device import ImsDevice, Outcome

TB = 0x8000
OKAY, SLVERR = 0, 2


def slot_off(i, field=0):
    return TB + 16 * i + field


@pytest.fixture
def dev():
    return ImsDevice(num_slots=64)


def program(dev, i, addr_lo=0xFEE00000, addr_hi=0, data=0x40, ctrl=0):
    dev.write(slot_off(i, 0), addr_lo)
    dev.write(slot_off(i, 4), addr_hi)
    dev.write(slot_off(i, 8), data)
    dev.write(slot_off(i, 0xC), ctrl)


def test_reset_values(dev):
    assert dev.read(0x000) == (0x494D5331, OKAY)
    assert dev.read(0x004) == (0x00010000, OKAY)
    assert dev.read(0x008) == (64, OKAY)
    for off in (0x010, 0x014, 0x020, 0x024, 0x028, 0x02C, 0x030, 0x034, 0x1000, 0x1004):
        assert dev.read(off) == (0, OKAY)
    assert dev.read(slot_off(63, 0xC)) == (1, OKAY)  # MASK resets to 1


def test_slverr_unlisted(dev):
    for off in (0x00C, 0x018, 0x038, 0x1008, 0x4000, slot_off(64)):
        assert dev.read(off) == (0, SLVERR)
        assert dev.write(off, 0xFFFFFFFF) == SLVERR
    assert dev.read(0x010) == (0, OKAY)


def test_ro_writes_ignored_okay(dev):
    assert dev.write(0x000, 0) == OKAY and dev.read(0x000)[0] == 0x494D5331
    assert dev.write(0x020, 5) == OKAY and dev.read(0x020)[0] == 0
    assert dev.write(0x1000, 5) == OKAY and dev.read(0x1000)[0] == 0
    assert dev.write(0x010, 0xFFFFFFFF) == OKAY and dev.read(0x010)[0] == 0x3


def test_slot_fields_and_strobes(dev):
    dev.write(slot_off(2, 0), 0xFEE0123F)
    assert dev.read(slot_off(2, 0))[0] == 0xFEE0123C        # bits 1:0 read 0
    dev.write(slot_off(2, 8), 0xAABBCCDD)
    dev.write(slot_off(2, 8), 0x11223344, strb=0b0101)     # bytes 0 and 2
    assert dev.read(slot_off(2, 8))[0] == 0xAA22CC44
    dev.write(slot_off(2, 0xC), 0xFFFFFFFF)
    # CTRL keeps MASK, PASID_EN, PASID; bits 2 and 11:4 read 0; pending 0
    assert dev.read(slot_off(2, 0xC))[0] == 0xFFFFF009
    dev.write(slot_off(2, 0xC), 0x00000000, strb=0b0001)   # byte 0 only
    assert dev.read(slot_off(2, 0xC))[0] == 0xFFFFF000
    dev.write(slot_off(2, 2), 0x12345678, strb=0b1000)      # low address bits ignored
    assert dev.read(slot_off(2, 0))[0] == 0x12E0123C  # only byte 3 replaced


def test_rule_order(dev):
    program(dev, 1, ctrl=5 << 12 | 0x8)   # PASID 5 enabled, unmasked
    assert dev.trigger(64).outcome is Outcome.DROP_RANGE   # rule 1 before ENABLE
    assert dev.trigger(1, pasid=5).outcome is Outcome.DROP_DISABLED
    dev.write(0x010, 1)
    assert dev.trigger(1).outcome is Outcome.DROP_PASID
    assert dev.trigger(1, pasid=6).outcome is Outcome.DROP_PASID
    dev.write(0x010, 3)  # FUNC_MASK: PASID check still comes first
    assert dev.trigger(1, pasid=6).outcome is Outcome.DROP_PASID
    assert dev.trigger(1, pasid=5).outcome is Outcome.PENDED
    assert dev.read(0x014)[0] == 0b1011   # RANGE, PASID, DISABLED sticky
    assert [dev.read(o)[0] for o in (0x024, 0x028, 0x02C, 0x030)] == [1, 1, 3, 1]


def test_pasid_allowed_on_slot_without_pasid_en(dev):
    program(dev, 0)
    dev.write(0x010, 1)
    r = dev.trigger(0, pasid=77)
    assert r.outcome is Outcome.SENT
    assert (r.message.addr, r.message.data) == (0xFEE00000, 0x40)


def test_sent_message_uses_64bit_address(dev):
    program(dev, 3, addr_lo=0x1000, addr_hi=0x2, data=0xDEAD)
    dev.write(0x010, 1)
    m = dev.trigger(3).message
    assert (m.addr, m.data, m.slot, m.replay) == (0x2_0000_1000, 0xDEAD, 3, False)
    assert dev.read(0x020)[0] == 1


def test_pending_and_replay_on_unmask_with_current_values(dev):
    program(dev, 4, ctrl=1)  # masked
    dev.write(0x010, 1)
    assert dev.trigger(4).outcome is Outcome.PENDED
    assert dev.trigger(4).outcome is Outcome.PENDED   # one bit, two counts
    assert dev.read(0x1000)[0] == 1 << 4 and dev.read(slot_off(4, 0xC))[0] == 0x3
    dev.write(slot_off(4, 8), 0x99)                   # rewrite while masked
    assert dev.take_replays() == []
    dev.write(slot_off(4, 0xC), 0)                    # unmask -> replay
    (m,) = dev.take_replays()
    assert (m.data, m.slot, m.replay) == (0x99, 4, True)
    assert dev.read(0x1000)[0] == 0 and dev.read(0x024)[0] == 2 and dev.read(0x020)[0] == 1


def test_replay_on_func_mask_clear_and_enable(dev):
    program(dev, 0)
    program(dev, 33)
    dev.write(0x010, 3)  # ENABLE | FUNC_MASK
    dev.trigger(33); dev.trigger(0)
    assert dev.read(0x1004)[0] == 1 << 1
    dev.write(0x010, 0)              # ENABLE=0 keeps pending
    assert dev.take_replays() == [] and dev.pending == (1 << 33 | 1)
    dev.write(0x010, 1)              # ENABLE, FUNC_MASK clear -> both replay
    assert sorted(m.slot for m in dev.take_replays()) == [0, 33]


def test_pending_clear_by_write_one(dev):
    program(dev, 5, ctrl=1)
    dev.write(0x010, 1)
    dev.trigger(5)
    dev.write(slot_off(5, 0xC), 0x3)     # write 1 to PENDING, stay masked
    assert not dev.is_pending(5)
    dev.write(slot_off(5, 0xC), 0x0)
    assert dev.take_replays() == []
    dev.trigger(5)                        # now unmasked: sent
    dev.write(slot_off(5, 0xC), 0x1)
    dev.trigger(5)
    dev.write(slot_off(5, 0xC), 0x2)     # clear and unmask in one write: no replay
    assert dev.take_replays() == []


def test_write_pending_zero_no_effect(dev):
    program(dev, 6, ctrl=1)
    dev.write(0x010, 1)
    dev.trigger(6)
    dev.write(slot_off(6, 0xC), 0x1)
    assert dev.is_pending(6)


def test_status_w1c_and_busy_zero(dev):
    dev.trigger(100)
    dev.trigger(0)
    dev.write_response(2)
    assert dev.read(0x014)[0] == 0b1101
    dev.write(0x014, 0b0001)
    assert dev.read(0x014)[0] == 0b1100
    dev.write(0x014, 0xFFFFFFFF, strb=0b1110)  # byte 0 not written: nothing cleared
    assert dev.read(0x014)[0] == 0b1100
    assert dev.read(0x034)[0] == 1
    dev.write_response(0)
    assert dev.read(0x034)[0] == 1


def test_counter_wrap(dev):
    dev.counters[0x028] = 0xFFFFFFFF
    dev.trigger(64)
    assert dev.read(0x028)[0] == 0


def test_pending_words_beyond_num_slots():
    d = ImsDevice(num_slots=16, axil_addr_width=14)
    assert d.table_base == 0x2000
    assert d.read(0x1000) == (0, OKAY) and d.read(0x1004) == (0, SLVERR)


def test_parameter_checks():
    with pytest.raises(ConfigError):
        ImsDevice(num_slots=48)
    with pytest.raises(ConfigError):
        ImsDevice(num_slots=2048, axil_addr_width=15)  # needs 11 + 5 = 16
    d = ImsDevice(num_slots=4, irq_index_width=3)
    with pytest.raises(ModelError):
        d.trigger(8)
    assert d.trigger(7).outcome is Outcome.DROP_RANGE


def test_register_access_async(dev):
    async def go():
        await dev.write32(slot_off(0, 8), 0x1234)
        assert await dev.read32(slot_off(0, 8)) == 0x1234
        with pytest.raises(BusError):
            await dev.read32(0x00C)
    asyncio.run(go())
