"""Sparse, byte-addressed host memory (little endian) with injectable read faults."""
from __future__ import annotations

from .errors import ModelError

PAGE = 4096


class MemoryReadError(ModelError):
    """A read touched a range configured to fail (models an aborted DMA read)."""


class HostMemory:
    """Sparse memory in 4 KiB bytearray pages; unwritten bytes read as 0.

    `generation` increases on every write and on every fault-range change so that caches
    (the IR unit's decoded-IRTE cache) can tell whether memory changed.
    """

    def __init__(self, addr_bits: int = 64) -> None:
        self._pages: dict[int, bytearray] = {}
        self._fail: list[tuple[int, int]] = []  # [start, end) ranges whose reads fail
        self.addr_limit = 1 << addr_bits
        self.generation = 0

    def _check(self, addr: int, length: int) -> None:
        if addr < 0 or addr + length > self.addr_limit:
            raise ModelError(f"address {addr:#x}+{length} outside memory")

    def fail_reads(self, addr: int, length: int) -> None:
        """Make every read overlapping [addr, addr+length) raise MemoryReadError."""
        self._check(addr, length)
        self._fail.append((addr, addr + length))
        self.generation += 1

    def clear_read_faults(self) -> None:
        self._fail.clear()
        self.generation += 1

    def read_bytes(self, addr: int, length: int) -> bytes:
        self._check(addr, length)
        for start, end in self._fail:
            if addr < end and start < addr + length:
                raise MemoryReadError(f"read of {length} bytes at {addr:#x} failed")
        out = bytearray()
        while length:
            page, off = divmod(addr, PAGE)
            n = min(length, PAGE - off)
            p = self._pages.get(page)
            out += p[off:off + n] if p is not None else bytes(n)
            addr += n
            length -= n
        return bytes(out)

    def write_bytes(self, addr: int, data: bytes) -> None:
        self._check(addr, len(data))
        self.generation += 1
        pos = 0
        while pos < len(data):
            page, off = divmod(addr + pos, PAGE)
            n = min(len(data) - pos, PAGE - off)
            p = self._pages.get(page)
            if p is None:
                p = self._pages[page] = bytearray(PAGE)
            p[off:off + n] = data[pos:pos + n]
            pos += n

    def _read(self, addr: int, size: int) -> int:
        return int.from_bytes(self.read_bytes(addr, size), "little")

    def _write(self, addr: int, size: int, value: int) -> None:
        if value < 0 or value >> (8 * size):
            raise ModelError(f"value {value:#x} does not fit in {8 * size} bits")
        self.write_bytes(addr, value.to_bytes(size, "little"))

    def read32(self, addr: int) -> int: return self._read(addr, 4)
    def read64(self, addr: int) -> int: return self._read(addr, 8)
    def read128(self, addr: int) -> int: return self._read(addr, 16)
    def write32(self, addr: int, value: int) -> None: self._write(addr, 4, value)
    def write64(self, addr: int, value: int) -> None: self._write(addr, 8, value)
    def write128(self, addr: int, value: int) -> None: self._write(addr, 16, value)
