"""x86 vector domain: per-CPU vector matrix and per-CPU vector_irq tables (arch/x86/kernel/apic).

Per-CPU bitmaps are Python ints (bit v = vector v in use); over 256 bits they are faster than
numpy for the find-lowest-zero / set / clear operations done here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import AllocationError, BusyError, ConfigError, ModelError

FIRST_EXTERNAL_VECTOR = 0x20
FIRST_SYSTEM_VECTOR = 0xEC
_RANGE_MASK = ((1 << FIRST_SYSTEM_VECTOR) - 1) & ~((1 << FIRST_EXTERNAL_VECTOR) - 1)


class VectorMatrix:
    """irq_matrix: which vectors in [0x20, 0xEC) are used on each CPU."""

    def __init__(self, num_cpus: int, system_vectors: tuple[int, ...] = ()) -> None:
        if num_cpus < 1:
            raise ConfigError("need at least one CPU")
        self.num_cpus = num_cpus
        self.online = set(range(num_cpus))
        # Bits outside the allocatable range are pre-set so they are never chosen.
        base = ~_RANGE_MASK
        for v in system_vectors:
            base |= 1 << v
        self._used = [base for _ in range(num_cpus)]
        self.reserved = 0  # non-managed reservations not yet backed by a vector (Linux: reserve)

    def free_count(self, cpu: int) -> int:
        return (~self._used[cpu] & _RANGE_MASK).bit_count()

    def is_used(self, cpu: int, vector: int) -> bool:
        return bool(self._used[cpu] >> vector & 1)

    def total_free(self) -> int:
        return sum(self.free_count(c) for c in self.online)

    def reserve(self) -> None:
        """Non-managed reservation at irq allocation time (-ENOSPC when overcommitted)."""
        if self.reserved + 1 > self.total_free():
            raise AllocationError("vector matrix: no vector left to reserve")
        self.reserved += 1

    def unreserve(self) -> None:
        if self.reserved <= 0:
            raise ModelError("unreserve without reservation")
        self.reserved -= 1

    def best_cpu(self, cpus: frozenset[int] | set[int] | None) -> int:
        """The online CPU in the mask with the most free vectors; ties to the lowest CPU."""
        pool = self.online if cpus is None else (set(cpus) & self.online)
        best, best_free = -1, 0
        for cpu in sorted(pool):
            f = self.free_count(cpu)
            if f > best_free:
                best, best_free = cpu, f
        if best < 0:
            raise AllocationError(f"no free vector on CPUs {sorted(pool)}")
        return best

    def alloc(self, cpus=None) -> tuple[int, int]:
        cpu = self.best_cpu(cpus)
        return cpu, self.alloc_on(cpu)

    def alloc_on(self, cpu: int) -> int:
        free = ~self._used[cpu] & _RANGE_MASK
        if not free:
            raise AllocationError(f"no free vector on CPU {cpu}")
        vector = (free & -free).bit_length() - 1  # lowest free vector
        self._used[cpu] |= 1 << vector
        return vector

    def free(self, cpu: int, vector: int) -> None:
        if not (_RANGE_MASK >> vector & 1) or not self.is_used(cpu, vector):
            raise ModelError(f"vector {vector:#x} on CPU {cpu} is not allocated")
        self._used[cpu] &= ~(1 << vector)


@dataclass
class ApicChipData:
    """Linux's struct apic_chip_data for one irq."""
    irq: int
    affinity: frozenset[int] | None = None
    cpu: int | None = None
    vector: int | None = None
    prev_cpu: int | None = None
    prev_vector: int | None = None
    move_in_progress: bool = False
    activated: bool = False
    history: list[tuple[int, int]] = field(default_factory=list)


class VectorDomain:
    """x86 vector domain: reservation at alloc, real (CPU, vector) at activation."""

    def __init__(self, num_cpus: int, system_vectors: tuple[int, ...] = ()) -> None:
        self.num_cpus = num_cpus
        self.matrix = VectorMatrix(num_cpus, system_vectors)
        # vector_irq[cpu][vector] -> Linux irq (None = VECTOR_UNUSED)
        self.vector_irq: list[list[int | None]] = [[None] * 256 for _ in range(num_cpus)]
        self._chip: dict[int, ApicChipData] = {}

    def chip_data(self, irq: int) -> ApicChipData:
        try:
            return self._chip[irq]
        except KeyError:
            raise ModelError(f"irq {irq} not allocated in the vector domain") from None

    def lookup(self, cpu: int, vector: int) -> int | None:
        return self.vector_irq[cpu][vector]

    def alloc(self, irq: int, affinity=None) -> ApicChipData:
        if irq in self._chip:
            raise ModelError(f"irq {irq} already allocated")
        self.matrix.reserve()
        cd = self._chip[irq] = ApicChipData(irq, frozenset(affinity) if affinity else None)
        return cd

    def _check_mask(self, cpus) -> frozenset[int] | None:
        if cpus is None:
            return None
        cpus = frozenset(cpus)
        if not cpus or any(not 0 <= c < self.num_cpus for c in cpus):
            raise ConfigError(f"bad CPU mask {sorted(cpus)}")
        return cpus

    def activate(self, irq: int, affinity=None) -> tuple[int, int]:
        cd = self.chip_data(irq)
        if cd.activated:
            raise ModelError(f"irq {irq} already active")
        if affinity is not None:
            cd.affinity = self._check_mask(affinity)
        cpu, vector = self.matrix.alloc(cd.affinity)
        self.matrix.unreserve()  # the reservation is now backed by a real vector
        cd.cpu, cd.vector, cd.activated = cpu, vector, True
        cd.history.append((cpu, vector))
        self.vector_irq[cpu][vector] = irq
        return cpu, vector

    def set_affinity(self, irq: int, cpus) -> tuple[int, int]:
        """Move to a vector on the new mask; the old (cpu, vector) stays mapped to the irq until
        complete_move (first interrupt on the new target). Keeps the vector if its CPU is in the
        new mask (Linux assign_vector_locked)."""
        cd = self.chip_data(irq)
        mask = self._check_mask(cpus)
        cd.affinity = mask
        if not cd.activated:
            return (cd.cpu, cd.vector)  # type: ignore[return-value]
        if mask is None or cd.cpu in mask:
            return (cd.cpu, cd.vector)  # type: ignore[return-value]
        if cd.move_in_progress:
            raise BusyError(f"irq {irq}: previous vector move not complete")
        cpu, vector = self.matrix.alloc(mask)
        cd.prev_cpu, cd.prev_vector = cd.cpu, cd.vector
        cd.cpu, cd.vector = cpu, vector
        cd.move_in_progress = True
        cd.history.append((cpu, vector))
        self.vector_irq[cpu][vector] = irq
        return cpu, vector

    def complete_move(self, irq: int) -> None:
        """Free the previous vector (Linux's cleanup after the first interrupt on the target)."""
        cd = self.chip_data(irq)
        if not cd.move_in_progress:
            return
        self.matrix.free(cd.prev_cpu, cd.prev_vector)  # type: ignore[arg-type]
        self.vector_irq[cd.prev_cpu][cd.prev_vector] = None  # type: ignore[index]
        cd.prev_cpu = cd.prev_vector = None
        cd.move_in_progress = False

    def on_interrupt(self, cpu: int, vector: int) -> int | None:
        """An APIC dispatched `vector` on `cpu`: return the irq (None: no handler, spurious);
        an interrupt on the new target completes a pending move."""
        irq = self.vector_irq[cpu][vector]
        if irq is not None:
            cd = self._chip[irq]
            if cd.move_in_progress and cd.cpu == cpu and cd.vector == vector:
                self.complete_move(irq)
        return irq

    def deactivate(self, irq: int) -> None:
        cd = self.chip_data(irq)
        if not cd.activated:
            return
        self.complete_move(irq)
        self.matrix.free(cd.cpu, cd.vector)  # type: ignore[arg-type]
        self.vector_irq[cd.cpu][cd.vector] = None  # type: ignore[index]
        self.matrix.reserved += 1  # back to a plain reservation, as Linux does
        cd.cpu = cd.vector = None
        cd.activated = False

    def free(self, irq: int) -> None:
        self.deactivate(irq)
        self.matrix.unreserve()
        del self._chip[irq]
