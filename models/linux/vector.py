"""x86 vector domain: per-CPU vector matrix and per-CPU vector_irq tables.

Follows Linux 6.2-6.9 `kernel/irq/matrix.c` (irq_matrix_*) and `arch/x86/kernel/apic/vector.c`
(x86_vector_alloc_irqs/activate/deactivate/free_irqs, assign_vector_locked, apic_update_vector,
vector_schedule_cleanup, irq_complete_move, the per-CPU cleanup); models/README.md maps each
method to its function.

Per-CPU bitmaps are Python ints (bit v = vector v in use); over 256 bits they are faster than
numpy for the find-lowest-zero / set / clear operations done here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import AllocationError, BusyError, ConfigError, ModelError

FIRST_EXTERNAL_VECTOR = 0x20
FIRST_SYSTEM_VECTOR = 0xEC
_RANGE_MASK = ((1 << FIRST_SYSTEM_VECTOR) - 1) & ~((1 << FIRST_EXTERNAL_VECTOR) - 1)


class VectorMatrix:
    """irq_matrix: which vectors in [0x20, 0xEC) are used on each CPU, plus the global count
    of non-managed reservations (global_reserved)."""

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
        self.reserved = 0  # global_reserved: reservations not yet backed by a vector
        self.warnings: list[str] = []  # what Linux would pr_warn

    def free_count(self, cpu: int) -> int:
        return (~self._used[cpu] & _RANGE_MASK).bit_count()

    def is_used(self, cpu: int, vector: int) -> bool:
        return bool(self._used[cpu] >> vector & 1)

    def total_free(self) -> int:
        """global_available: free vectors over the online CPUs."""
        return sum(self.free_count(c) for c in self.online)

    def reserve(self) -> None:
        """irq_matrix_reserve(): never fails; warns when reservations reach what is available."""
        if self.reserved == self.total_free():
            self.warnings.append("Interrupt reservation exceeds available resources")
        self.reserved += 1

    def remove_reserved(self) -> None:
        """irq_matrix_remove_reserved()."""
        if self.reserved <= 0:
            raise ModelError("remove_reserved without reservation")
        self.reserved -= 1

    def best_cpu(self, cpus: frozenset[int] | set[int] | None) -> int:
        """matrix_find_best_cpu(): the online CPU in the mask with the most free vectors;
        ties to the lowest CPU (strictly-greater comparison over an ascending walk)."""
        pool = self.online if cpus is None else (set(cpus) & self.online)
        best, best_free = -1, 0
        for cpu in sorted(pool):
            f = self.free_count(cpu)
            if f > best_free:
                best, best_free = cpu, f
        if best < 0:
            raise AllocationError(f"no free vector on CPUs {sorted(pool)}")
        return best

    def alloc(self, cpus=None, reserved: bool = False) -> tuple[int, int]:
        """irq_matrix_alloc(): best CPU, lowest free vector; consumes a reservation if the
        caller held one."""
        cpu = self.best_cpu(cpus)
        vector = self.alloc_on(cpu)
        if reserved:
            self.remove_reserved()
        return cpu, vector

    def alloc_on(self, cpu: int) -> int:
        """matrix_alloc_area() for one vector: the lowest free one."""
        free = ~self._used[cpu] & _RANGE_MASK
        if not free:
            raise AllocationError(f"no free vector on CPU {cpu}")
        vector = (free & -free).bit_length() - 1  # lowest free vector
        self._used[cpu] |= 1 << vector
        return vector

    def free(self, cpu: int, vector: int) -> None:
        """irq_matrix_free()."""
        if not (_RANGE_MASK >> vector & 1) or not self.is_used(cpu, vector):
            raise ModelError(f"vector {vector:#x} on CPU {cpu} is not allocated")
        self._used[cpu] &= ~(1 << vector)


@dataclass
class ApicChipData:
    """Linux's struct apic_chip_data for one irq (plus the irq_data flags the model needs)."""
    irq: int
    affinity: frozenset[int] | None = None
    cpu: int | None = None
    vector: int | None = None
    prev_cpu: int | None = None
    prev_vector: int | None = None
    move_in_progress: bool = False
    cleanup_pending: bool = False   # on the prev CPU's cleanup list (Linux: !hlist_unhashed(clist))
    activated: bool = False         # irqd_is_activated
    has_reserved: bool = False      # holds a global reservation instead of a vector
    can_reserve: bool = False       # apicd->can_reserve
    reservation_mode: bool = True   # irqd_can_reserve: the MSI core's msi_check_reservation_mode()
    history: list[tuple[int, int]] = field(default_factory=list)


class VectorDomain:
    """x86 vector domain: reservation at alloc, real (CPU, vector) at activation.

    `irr_pending(cpu, vector)` tells the cleanup whether the old vector is still set in that
    CPU's IRR (the Platform wires it to its local APICs); without APICs it is never set."""

    def __init__(self, num_cpus: int, system_vectors: tuple[int, ...] = ()) -> None:
        self.num_cpus = num_cpus
        self.matrix = VectorMatrix(num_cpus, system_vectors)
        # vector_irq[cpu][vector] -> Linux irq (None = VECTOR_UNUSED / VECTOR_SHUTDOWN)
        self.vector_irq: list[list[int | None]] = [[None] * 256 for _ in range(num_cpus)]
        self._chip: dict[int, ApicChipData] = {}
        self._cleanup: list[list[int]] = [[] for _ in range(num_cpus)]  # per-CPU vector_cleanup
        self.irr_pending: Callable[[int, int], bool] = lambda cpu, vector: False

    @property
    def warnings(self) -> list[str]:
        return self.matrix.warnings

    def chip_data(self, irq: int) -> ApicChipData:
        try:
            return self._chip[irq]
        except KeyError:
            raise ModelError(f"irq {irq} not allocated in the vector domain") from None

    def lookup(self, cpu: int, vector: int) -> int | None:
        return self.vector_irq[cpu][vector]

    def _check_mask(self, cpus) -> frozenset[int] | None:
        if cpus is None:
            return None
        cpus = frozenset(cpus)
        if not cpus or any(not 0 <= c < self.num_cpus for c in cpus):
            raise ConfigError(f"bad CPU mask {sorted(cpus)}")
        return cpus

    # ---------------------------------------------------------------- allocation
    def alloc(self, irq: int, affinity=None, reservation_mode: bool = True) -> ApicChipData:
        """x86_vector_alloc_irqs() without info->mask: reserve_irq_vector() only (a global
        reservation, no vector). `reservation_mode` is what msi_check_reservation_mode() says
        for the MSI domain on top (True for PCI MSI/MSI-X, False for IMS); msi_init_virq()
        clears irqd_can_reserve when it is False."""
        if irq in self._chip:
            raise ModelError(f"irq {irq} already allocated")
        cd = ApicChipData(irq, self._check_mask(affinity) if affinity else None,
                          reservation_mode=reservation_mode)
        self.matrix.reserve()
        cd.has_reserved = cd.can_reserve = True
        self._chip[irq] = cd
        return cd

    def _update_vector(self, cd: ApicChipData, cpu: int, vector: int) -> None:
        """apic_update_vector(): the old (online) vector becomes prev and a move starts."""
        if cd.vector is not None:
            cd.move_in_progress = True
            cd.prev_cpu, cd.prev_vector = cd.cpu, cd.vector
        cd.cpu, cd.vector = cpu, vector
        cd.history.append((cpu, vector))
        self.vector_irq[cpu][vector] = cd.irq

    def _assign(self, cd: ApicChipData, mask: frozenset[int] | None) -> None:
        """assign_vector_locked(): keep the vector when its CPU is in the mask; -EBUSY while a
        move is open or its cleanup is queued; else a new vector (-ENOSPC if none)."""
        pool = self.matrix.online if mask is None else (mask & self.matrix.online)
        if cd.vector is not None and cd.cpu in pool:
            return
        if cd.move_in_progress or cd.cleanup_pending:
            raise BusyError(f"irq {cd.irq}: previous vector move not complete")
        cpu, vector = self.matrix.alloc(pool, reserved=cd.has_reserved)
        self._update_vector(cd, cpu, vector)

    def _assign_any(self, cd: ApicChipData) -> None:
        """assign_irq_vector_any_locked(): the affinity mask, then every online CPU (the model
        has no NUMA nodes, so the node-mask attempts are skipped)."""
        try:
            self._assign(cd, cd.affinity)
        except AllocationError:
            if cd.affinity is None:
                raise
            self._assign(cd, None)

    def activate(self, irq: int, affinity=None) -> tuple[int, int]:
        """x86_vector_activate() (non-managed): a fixed-assigned irq (not in reservation mode,
        already activated once) keeps its vector if its CPU is still in the mask; a reserved
        one gets a vector via activate_reserved()."""
        cd = self.chip_data(irq)
        if cd.activated:
            raise ModelError(f"irq {irq} already active")
        if affinity is not None:
            cd.affinity = self._check_mask(affinity)
        if not cd.can_reserve:
            # "Nothing to do for fixed assigned vectors". request_irq() then applies the
            # affinity before startup (irq_setup_affinity, IRQCHIP_AFFINITY_PRE_STARTUP): the
            # vector stays unless its CPU left the mask; then it moves like set_affinity and
            # the old one is queued for cleanup (its IRTE was zero while deactivated).
            pool = self.matrix.online if cd.affinity is None else (cd.affinity & self.matrix.online)
            if cd.cpu not in pool:
                try:
                    self._assign(cd, pool)
                    self.schedule_cleanup(irq)
                except (AllocationError, BusyError):
                    pass    # irq_setup_affinity() ignores the error: the irq stays where it was
        elif cd.has_reserved:
            # activate_reserved()
            self._assign_any(cd)
            cd.has_reserved = False
            if not cd.reservation_mode:
                cd.can_reserve = False
            if cd.affinity is not None and cd.cpu not in cd.affinity:
                self.matrix.warnings.append(
                    f"irq {irq}: Affinity broken due to vector space exhaustion.")
        cd.activated = True
        return cd.cpu, cd.vector  # type: ignore[return-value]

    def set_affinity(self, irq: int, cpus) -> tuple[int, int]:
        """apic_set_affinity() -> assign_vector_locked() on mask & online (no fallback). The old
        (cpu, vector) stays mapped to the irq until its cleanup. A deactivated irq only records
        the mask (irq_set_affinity_deactivated)."""
        cd = self.chip_data(irq)
        mask = self._check_mask(cpus)
        if not cd.activated:
            cd.affinity = mask
            return (cd.cpu, cd.vector)  # type: ignore[return-value]
        self._assign(cd, mask)
        cd.affinity = mask
        return cd.cpu, cd.vector  # type: ignore[return-value]

    # ------------------------------------------------------------------ cleanup
    def schedule_cleanup(self, irq: int) -> None:
        """vector_schedule_cleanup() / __vector_schedule_cleanup(): the move is over
        (move_in_progress = 0) and the old vector is queued on the old CPU's cleanup list;
        the cleanup runs at once here (the IPI / timer) and retries while IRR holds it."""
        cd = self.chip_data(irq)
        if not cd.move_in_progress:
            return
        cd.move_in_progress = False
        cd.cleanup_pending = True
        self._cleanup[cd.prev_cpu].append(irq)  # type: ignore[index]
        self.run_cleanup(cd.prev_cpu)  # type: ignore[arg-type]

    def run_cleanup(self, cpu: int) -> None:
        """__vector_cleanup(cpu) (6.6+) / the IRQ_MOVE_CLEANUP_VECTOR handler (6.2-6.5): free each
        queued old vector unless it is still set in this CPU's IRR (then it stays queued and
        mapped: 'Moved interrupt pending in old target APIC')."""
        if not self._cleanup[cpu]:
            return      # nothing queued: the common case, on every dispatch
        keep = []
        for irq in self._cleanup[cpu]:
            cd = self._chip[irq]
            if self.irr_pending(cpu, cd.prev_vector):  # type: ignore[arg-type]
                keep.append(irq)
                continue
            self._free_moved_vector(cd)
        self._cleanup[cpu] = keep

    def _free_moved_vector(self, cd: ApicChipData) -> None:
        """free_moved_vector()."""
        self.matrix.free(cd.prev_cpu, cd.prev_vector)  # type: ignore[arg-type]
        self.vector_irq[cd.prev_cpu][cd.prev_vector] = None  # type: ignore[index]
        cd.prev_cpu = cd.prev_vector = None
        cd.move_in_progress = cd.cleanup_pending = False

    def complete_move(self, irq: int) -> None:
        """irq_complete_move() on the new target: schedule the old vector's cleanup."""
        self.schedule_cleanup(irq)

    def on_interrupt(self, cpu: int, vector: int) -> int | None:
        """An APIC dispatched `vector` on `cpu`: return the irq (None: no handler, spurious).
        irq_complete_move(): an interrupt on the new target CPU ends an open move."""
        irq = self.vector_irq[cpu][vector]
        if irq is not None:
            cd = self._chip[irq]
            if cd.move_in_progress and cd.cpu == cpu:
                self.schedule_cleanup(irq)
        return irq

    # ------------------------------------------------------------- teardown
    def _clear_vector(self, cd: ApicChipData) -> None:
        """clear_irq_vector(): free the current and any previous vector."""
        if cd.vector is None:
            return
        self.vector_irq[cd.cpu][cd.vector] = None  # type: ignore[index]
        self.matrix.free(cd.cpu, cd.vector)  # type: ignore[arg-type]
        cd.cpu = cd.vector = None
        if cd.prev_vector is not None:
            self.vector_irq[cd.prev_cpu][cd.prev_vector] = None  # type: ignore[index]
            self.matrix.free(cd.prev_cpu, cd.prev_vector)  # type: ignore[arg-type]
            if cd.cleanup_pending:
                self._cleanup[cd.prev_cpu].remove(cd.irq)  # type: ignore[index]
            cd.prev_cpu = cd.prev_vector = None
        cd.move_in_progress = cd.cleanup_pending = False

    def deactivate(self, irq: int) -> None:
        """x86_vector_deactivate(): a regular fixed-assigned irq (not reservation mode) keeps
        its vector; a reservation-mode irq gives it back for a global reservation."""
        cd = self.chip_data(irq)
        if not cd.activated:
            return
        cd.activated = False
        if not cd.can_reserve or cd.has_reserved:
            return
        self._clear_vector(cd)
        self.matrix.reserve()   # reserve_irq_vector_locked()
        cd.has_reserved = True

    def free(self, irq: int) -> None:
        """x86_vector_free_irqs(): clear_irq_vector() + vector_free_reserved_and_managed()."""
        cd = self.chip_data(irq)
        cd.activated = False
        self._clear_vector(cd)
        if cd.has_reserved:
            self.matrix.remove_reserved()
        del self._chip[irq]
