"""MSI encodings; expected values derived by hand from the bit positions in the spec."""
import pytest

from models.errors import ModelError
from models.msi import CompatMsi, RemapMsi, decode_msi, encode_compat, encode_remap, ims_slot_message


def test_ims_slot_message_small_index():
    # idx 5: 0xFEE00000 | 5<<5 (0xA0) | 1<<4 (0x10) | 1<<3 (0x08) = 0xFEE000B8
    assert ims_slot_message(5) == (0xFEE000B8, 0, 0)


def test_ims_slot_message_index_bit15():
    # idx 0x8001: low 15 bits = 1 -> 1<<5 = 0x20; bit15 -> address bit 2 = 0x4
    # 0xFEE00000 | 0x20 | 0x10 | 0x08 | 0x04 = 0xFEE0003C
    assert ims_slot_message(0x8001) == (0xFEE0003C, 0, 0)


def test_ims_slot_message_max_index():
    # idx 0xFFFF: 0x7FFF<<5 = 0xFFFE0 ; | 0x1C -> 0xFEEFFFFC
    assert ims_slot_message(0xFFFF) == (0xFEEFFFFC, 0, 0)


def test_decode_remappable():
    m = decode_msi(0xFEE000B8, 0)
    assert isinstance(m, RemapMsi)
    assert (m.handle, m.shv, m.subhandle, m.index) == (5, 1, 0, 5)


def test_decode_remappable_subhandle_adds_when_shv():
    # handle 4 (4<<5 = 0x80), SHV: 0xFEE00000|0x80|0x10|0x08 = 0xFEE00098; subhandle 3
    assert decode_msi(0xFEE00098, 3).index == 7
    # SHV = 0: 0xFEE00090, subhandle ignored
    assert decode_msi(0xFEE00090, 3).index == 4


def test_decode_compat():
    # dest 0x12 at [19:12] -> 0x12000; RH [3] 0x8; DM [2] 0x4 -> 0xFEE1200C
    # data: vector 0x41, delivery mode 1 (<<8 = 0x100), level bit14 0x4000, TM bit15 0x8000
    m = decode_msi(0xFEE1200C, 0xC141)
    assert isinstance(m, CompatMsi)
    assert (m.dest, m.vector, m.delivery_mode, m.dest_mode, m.redirection_hint,
            m.trigger_mode, m.level) == (0x12, 0x41, 1, 1, 1, 1, 1)


def test_encode_compat_linux_default():
    # Linux writes edge, fixed, physical: dest 3 -> 0xFEE03000, data = vector 0x22
    assert encode_compat(CompatMsi(dest=3, vector=0x22)) == (0xFEE03000, 0x22)


def test_encode_remap_matches_slot():
    addr, data = encode_remap(RemapMsi(handle=5))
    assert (addr & 0xFFFFFFFF, addr >> 32, data) == ims_slot_message(5)


def test_bad_values():
    with pytest.raises(ModelError):
        decode_msi(1 << 64, 0)
    with pytest.raises(ModelError):
        ims_slot_message(0x10000)
    with pytest.raises(ModelError):
        encode_compat(CompatMsi(dest=0x100, vector=1))
