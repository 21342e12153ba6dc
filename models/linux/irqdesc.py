"""Linux irq number space: lowest free number at or above the first dynamic irq."""
from __future__ import annotations

from ..errors import AllocationError, ModelError


class IrqNumbers:
    def __init__(self, first: int = 24, limit: int = 1 << 16) -> None:
        self.first = first
        self.limit = limit
        self._used: set[int] = set()
        self._next_hint = first

    def alloc(self) -> int:
        n = self._next_hint
        while n in self._used:
            n += 1
        if n >= self.limit:
            raise AllocationError("no free Linux irq number")
        self._used.add(n)
        self._next_hint = n + 1
        return n

    def free(self, irq: int) -> None:
        if irq not in self._used:
            raise ModelError(f"irq {irq} is not allocated")
        self._used.remove(irq)
        self._next_hint = min(self._next_hint, irq)

    def __contains__(self, irq: int) -> bool:
        return irq in self._used
