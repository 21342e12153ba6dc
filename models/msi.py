"""MSI message formats: compatibility (APIC-decoded) and remappable (IR-decoded).

Addresses are 64-bit (addr_hi << 32 | addr_lo); data is the 32-bit data DWORD.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ModelError

MSI_BASE = 0xFEE00000
ADDR_REMAP_BIT = 1 << 4  # address bit 4 selects the remappable format


@dataclass(frozen=True, slots=True)
class CompatMsi:
    """Compatibility format: address[19:12] dest, [11:5] ext dest, [3] RH, [2] DM."""
    dest: int
    vector: int
    delivery_mode: int = 0
    dest_mode: int = 0
    redirection_hint: int = 0
    trigger_mode: int = 0
    level: int = 0
    ext_dest: int = 0  # address[11:5]: destination bits 14:8 (hypervisor extension only)
    addr_hi: int = 0   # must be 0; kept so decode/encode round-trips

    format = "compatibility"


@dataclass(frozen=True, slots=True)
class RemapMsi:
    """Remappable format: address[19:5] handle[14:0], [2] handle[15], [3] SHV."""
    handle: int
    shv: int = 1
    subhandle: int = 0
    addr_hi: int = 0   # must be 0 (else fault 0x20)
    data_hi: int = 0   # data[31:16]; must be 0 when SHV = 1 (else fault 0x20)

    format = "remappable"

    @property
    def index(self) -> int:
        """IRTE index = handle + (SHV ? subhandle : 0)."""
        return self.handle + (self.subhandle if self.shv else 0)


def _check(name: str, value: int, bits: int) -> None:
    if not isinstance(value, int) or value < 0 or value >> bits:
        raise ModelError(f"{name}={value!r} does not fit in {bits} bits")


def decode_msi(addr: int, data: int = 0) -> CompatMsi | RemapMsi:
    """Decode a 64-bit address and 32-bit data into the format selected by address bit 4."""
    _check("addr", addr, 64)
    _check("data", data, 32)
    lo = addr & 0xFFFFFFFF
    hi = addr >> 32
    if lo & ADDR_REMAP_BIT:
        handle = ((lo >> 5) & 0x7FFF) | (((lo >> 2) & 1) << 15)
        return RemapMsi(handle=handle, shv=(lo >> 3) & 1, subhandle=data & 0xFFFF,
                        addr_hi=hi, data_hi=data >> 16)
    return CompatMsi(
        dest=(lo >> 12) & 0xFF, vector=data & 0xFF, delivery_mode=(data >> 8) & 7,
        dest_mode=(lo >> 2) & 1, redirection_hint=(lo >> 3) & 1,
        trigger_mode=(data >> 15) & 1, level=(data >> 14) & 1,
        ext_dest=(lo >> 5) & 0x7F, addr_hi=hi)


def encode_compat(m: CompatMsi) -> tuple[int, int]:
    """Inverse of decode_msi for the compatibility format. Returns (addr64, data)."""
    _check("dest", m.dest, 8); _check("vector", m.vector, 8)
    _check("delivery_mode", m.delivery_mode, 3); _check("dest_mode", m.dest_mode, 1)
    _check("redirection_hint", m.redirection_hint, 1); _check("trigger_mode", m.trigger_mode, 1)
    _check("level", m.level, 1); _check("ext_dest", m.ext_dest, 7); _check("addr_hi", m.addr_hi, 32)
    lo = MSI_BASE | m.dest << 12 | m.ext_dest << 5 | m.redirection_hint << 3 | m.dest_mode << 2
    data = m.vector | m.delivery_mode << 8 | m.level << 14 | m.trigger_mode << 15
    return (m.addr_hi << 32 | lo, data)


def encode_remap(m: RemapMsi) -> tuple[int, int]:
    """Inverse of decode_msi for the remappable format. Returns (addr64, data)."""
    _check("handle", m.handle, 16); _check("shv", m.shv, 1); _check("subhandle", m.subhandle, 16)
    _check("addr_hi", m.addr_hi, 32); _check("data_hi", m.data_hi, 16)
    lo = (MSI_BASE | (m.handle & 0x7FFF) << 5 | ADDR_REMAP_BIT | m.shv << 3
          | ((m.handle >> 15) & 1) << 2)
    return (m.addr_hi << 32 | lo, m.data_hi << 16 | m.subhandle)


def ims_slot_message(irte_index: int) -> tuple[int, int, int]:
    """What Linux writes into an IMS slot under IR: (addr_lo, addr_hi, data); SHV=1, subhandle 0."""
    _check("irte_index", irte_index, 16)
    addr_lo = (MSI_BASE | (irte_index & 0x7FFF) << 5 | 1 << 4 | 1 << 3
               | ((irte_index >> 15) & 1) << 2)
    return (addr_lo, 0, 0)
