"""Intel interrupt-remapping irq domain (drivers/iommu/intel/irq_remapping.c, 6.2-6.9)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import AllocationError, ConfigError, ModelError
from ..iommu import IRTE_SIZE, IrUnit, RemappedIrte
from ..memory import HostMemory
from ..msi import MSI_BASE
from .vector import VectorDomain


@dataclass
class IrIrqData:
    """Per-irq IR data (Linux's struct intel_ir_data / irq_2_iommu)."""
    irq: int
    irte_base: int        # first index of the allocated block (message handle)
    sub_handle: int       # position inside the block (message subhandle)
    block_count: int      # size of the block (power of two)
    requester_id: int
    irte: int = 0         # last value written to the table

    @property
    def irte_index(self) -> int:
        return self.irte_base + self.sub_handle


class IntelIrDomain:
    """One IOMMU's IR domain above the x86 vector domain.

    `virtual=True` models a virtual IOMMU (no IMS support). Creating the domain programs the
    table register and enables IR with CFI cleared, like Linux.
    """

    def __init__(self, iommu: IrUnit, memory: HostMemory, vector_domain: VectorDomain,
                 table_base: int = 0x100000, size_s: int = 15, eime: bool = False,
                 virtual: bool = False, apic_id_of: Callable[[int], int] | None = None,
                 enable: bool = True) -> None:
        self.iommu = iommu
        self.memory = memory
        self.vector_domain = vector_domain
        self.table_base = table_base
        self.eime = eime
        self.virtual = virtual
        self.apic_id_of = apic_id_of or (lambda cpu: cpu)
        self.table_entries = 1 << (size_s + 1)
        self.irte_in_use = np.zeros(self.table_entries, dtype=bool)
        self._data: dict[int, IrIrqData] = {}
        iommu.set_table(table_base, size_s, eime)
        if enable:
            iommu.enable(cfi=False)

    @property
    def supports_ims(self) -> bool:
        return not self.virtual

    # -- IRTE index allocation: lowest free block of a power-of-two size aligned to its size
    def alloc_irte_block(self, count: int = 1) -> int:
        if count < 1:
            raise ModelError("IRTE block count must be >= 1")
        size = 1 << (count - 1).bit_length()
        if size > self.table_entries:
            raise AllocationError(f"IRTE block of {size} larger than the table")
        blocks = self.irte_in_use.reshape(-1, size).any(axis=1)
        free = np.flatnonzero(~blocks)
        if free.size == 0:
            raise AllocationError(f"no free aligned block of {size} IRTEs")
        base = int(free[0]) * size
        self.irte_in_use[base:base + size] = True
        return base

    def free_irte_block(self, base: int, count: int = 1) -> None:
        size = 1 << (count - 1).bit_length()
        if base % size or not self.irte_in_use[base:base + size].all():
            raise ModelError(f"IRTE block {base}+{size} not allocated")
        self.irte_in_use[base:base + size] = False
        for i in range(base, base + size):
            self._write_irte(i, 0)

    def _write_irte(self, index: int, value: int) -> None:
        self.memory.write128(self.table_base + index * IRTE_SIZE, value)
        self.iommu.invalidate_entry(index)  # qi_flush_iec

    def read_irte(self, index: int) -> int:
        return self.memory.read128(self.table_base + index * IRTE_SIZE)

    def patch_irte(self, index: int, transform) -> int:
        """Rewrite IRTE `index` in host memory behind Linux's back (a hypervisor, a buggy
        driver, an injected fault): `transform(raw128) -> raw128`, then invalidate the unit's
        cache as Linux would. Allocation state is untouched. Returns the new value."""
        value = transform(self.read_irte(index)) & ((1 << 128) - 1)
        self._write_irte(index, value)
        return value

    # -- irq domain operations
    def data(self, irq: int) -> IrIrqData:
        try:
            return self._data[irq]
        except KeyError:
            raise ModelError(f"irq {irq} not allocated in the IR domain") from None

    def alloc(self, irqs: int | list[int], requester_id: int, affinity=None,
              reservation_mode: bool = True) -> int:
        """intel_irq_remapping_alloc(): vector reservations (parent) and one IRTE block for the
        irqs (alloc_irte: one entry each, rounded up to a power of two). Returns the block base
        index. `reservation_mode` goes to the vector domain (msi_check_reservation_mode()).
        Linux allocates the parent first; on failure both are rolled back either way."""
        irq_list = [irqs] if isinstance(irqs, int) else list(irqs)
        if not 0 <= requester_id <= 0xFFFF:
            raise ConfigError(f"bad requester id {requester_id:#x}")
        base = self.alloc_irte_block(len(irq_list))
        done: list[int] = []
        try:
            for sub, irq in enumerate(irq_list):
                self.vector_domain.alloc(irq, affinity, reservation_mode)
                done.append(irq)
                self._data[irq] = IrIrqData(irq, base, sub, len(irq_list), requester_id)
        except Exception:
            for irq in done:
                self.vector_domain.free(irq)
                self._data.pop(irq, None)
            self.free_irte_block(base, len(irq_list))
            raise
        return base

    def _irte_for(self, d: IrIrqData, cpu: int, vector: int) -> int:
        # Linux prepare_irte + set_msi_sid: P=1, RH=1, fixed, edge, physical, SVT=1, SQ=0.
        return RemappedIrte(present=1, fpd=0, dest_mode=0, redirection_hint=1, trigger_mode=0,
                            delivery_mode=0, vector=vector, dest=self.apic_id_of(cpu),
                            sid=d.requester_id, sq=0, svt=1).pack(self.eime)

    def activate(self, irq: int, affinity=None) -> tuple[int, int]:
        """intel_irq_remapping_activate(): parent first, then intel_ir_reconfigure_irte(force)."""
        d = self.data(irq)
        cpu, vector = self.vector_domain.activate(irq, affinity)
        d.irte = self._irte_for(d, cpu, vector)
        self._write_irte(d.irte_index, d.irte)
        return cpu, vector

    def deactivate(self, irq: int) -> None:
        """intel_irq_remapping_deactivate(): zero IRTE; then the parent (x86_vector_deactivate,
        which keeps the vector unless the irq is in reservation mode)."""
        d = self.data(irq)
        d.irte = 0
        self._write_irte(d.irte_index, 0)
        self.vector_domain.deactivate(irq)

    def set_affinity(self, irq: int, cpus) -> tuple[int, int]:
        """intel_ir_set_affinity(): parent first; then only the IRTE changes (new vector and
        destination, modify_irte + IEC flush) and the old vector is scheduled for cleanup at
        once (send_cleanup_vector / vector_schedule_cleanup): no interrupt on the new target is
        awaited. The device message stays (IRQ_SET_MASK_OK_DONE)."""
        d = self.data(irq)
        vd = self.vector_domain
        cpu, vector = vd.set_affinity(irq, cpus)
        if vd.chip_data(irq).activated:
            d.irte = self._irte_for(d, cpu, vector)
            self._write_irte(d.irte_index, d.irte)
            vd.schedule_cleanup(irq)
        return cpu, vector

    def free(self, irq: int) -> None:
        d = self.data(irq)
        self.vector_domain.free(irq)
        del self._data[irq]
        # the block goes back when its last member is freed
        if not any(o.irte_base == d.irte_base for o in self._data.values()):
            self.free_irte_block(d.irte_base, d.block_count)

    def compose_msg(self, irq: int) -> tuple[int, int, int]:
        """Remappable message: handle = block base, SHV = 1, subhandle = position in block."""
        d = self.data(irq)
        h = d.irte_base
        addr_lo = MSI_BASE | (h & 0x7FFF) << 5 | 1 << 4 | 1 << 3 | ((h >> 15) & 1) << 2
        return (addr_lo, 0, d.sub_handle)
