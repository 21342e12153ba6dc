"""Per-device IMS irq domain (kernel/irq/msi.c + drivers/pci/msi, Linux 6.2-6.9) and an
IDXD-style IMS irq chip talking to the device through an async RegisterAccess."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntFlag
from typing import Protocol, runtime_checkable

from ..errors import AllocationError, ConfigError, ModelError
from ..msi import MSI_BASE
from .irqdesc import IrqNumbers
from .ir import IntelIrDomain
from .vector import VectorDomain

from ..regs import regs as _regs  # slot layout from regs/ims.rdl (contract §3)

SLOT_SIZE = _regs.slot.stride
SLOT_ADDR_LO, SLOT_ADDR_HI, SLOT_DATA, SLOT_CTRL = (int(_regs.slot.ADDR_LO), int(_regs.slot.ADDR_HI),
                                                    int(_regs.slot.DATA), int(_regs.slot.CTRL))
CTRL_MASK = int(_regs.slot.CTRL.MASK)
CTRL_PENDING = int(_regs.slot.CTRL.PENDING)
CTRL_PASID_EN = int(_regs.slot.CTRL.PASID_EN)
CTRL_PASID_SHIFT = _regs.slot.CTRL.PASID.lsb
DEFAULT_TABLE_BASE = _regs.table_base  # TABLE_BASE of the default build (AXIL_ADDR_WIDTH 16)


@runtime_checkable
class RegisterAccess(Protocol):
    """32-bit register access to a device: RTL over AXI-Lite, or the Python device model."""

    async def read32(self, offset: int) -> int: ...

    async def write32(self, offset: int, value: int) -> None: ...


class BusToken(Enum):
    DOMAIN_BUS_PCI_DEVICE_MSI = "pci-device-msi"
    DOMAIN_BUS_PCI_DEVICE_MSIX = "pci-device-msix"
    DOMAIN_BUS_PCI_DEVICE_IMS = "pci-device-ims"


class MsiFlag(IntFlag):
    ALLOC_SIMPLE_MSI_DESCS = 1 << 0
    FREE_MSI_DESCS = 1 << 1


@dataclass
class ImsDesc:
    """msi_desc of one IMS interrupt."""
    index: int                 # slot index
    irq: int                   # Linux irq number
    cookie: int | None         # instance cookie (PASID for DSA)
    ctrl_image: int = 0        # (pasid << 12) | PASID_EN, or 0
    active: bool = False
    masked: bool = True
    msg: tuple[int, int, int] = (0, 0, 0)


class IdxdImsChip:
    """IDXD-style IMS chip: slot i at table_base + 16*i = addr_lo, addr_hi, data, ctrl."""

    has_set_affinity = False

    def __init__(self, regs: RegisterAccess, table_base: int = DEFAULT_TABLE_BASE) -> None:
        self.regs = regs
        self.table_base = table_base

    def slot(self, index: int) -> int:
        return self.table_base + SLOT_SIZE * index

    async def prepare_desc(self, desc: ImsDesc) -> None:
        desc.ctrl_image = (0 if desc.cookie is None
                           else (desc.cookie << CTRL_PASID_SHIFT) | CTRL_PASID_EN)
        await self.irq_mask(desc)

    async def irq_mask(self, desc: ImsDesc) -> None:
        ctrl = self.slot(desc.index) + SLOT_CTRL
        await self.regs.write32(ctrl, desc.ctrl_image | CTRL_MASK)
        await self.regs.read32(ctrl)  # flush the posted write
        desc.masked = True

    async def irq_unmask(self, desc: ImsDesc) -> None:
        ctrl = self.slot(desc.index) + SLOT_CTRL
        await self.regs.write32(ctrl, desc.ctrl_image)
        await self.regs.read32(ctrl)
        desc.masked = False

    async def irq_write_msi_msg(self, desc: ImsDesc, msg: tuple[int, int, int]) -> None:
        base = self.slot(desc.index)
        addr_lo, addr_hi, data = msg
        await self.regs.write32(base + SLOT_ADDR_LO, addr_lo)
        await self.regs.write32(base + SLOT_ADDR_HI, addr_hi)
        await self.regs.write32(base + SLOT_DATA, data)
        await self.regs.read32(base + SLOT_DATA)  # flush
        desc.msg = msg

    async def irq_shutdown(self, desc: ImsDesc) -> None:
        base = self.slot(desc.index)
        await self.regs.write32(base + SLOT_ADDR_LO, 0)
        await self.regs.write32(base + SLOT_ADDR_HI, 0)
        await self.regs.write32(base + SLOT_DATA, 0)
        await self.regs.write32(base + SLOT_CTRL, CTRL_MASK)  # PASID cleared too
        desc.msg = (0, 0, 0)
        desc.masked = True


@dataclass
class ImsDomainTemplate:
    """msi_domain_template: bus token, flags and the chip."""
    chip: object
    bus_token: BusToken = BusToken.DOMAIN_BUS_PCI_DEVICE_IMS
    flags: MsiFlag = MsiFlag.ALLOC_SIMPLE_MSI_DESCS | MsiFlag.FREE_MSI_DESCS


@dataclass(frozen=True)
class ImsIrq:
    """Result of pci_ims_alloc_irq(): slot index and Linux irq (also unpacks as a tuple)."""
    index: int
    irq: int

    def __iter__(self):
        return iter((self.index, self.irq))


@dataclass(frozen=True)
class ImsIrqInfo:
    irq: int
    slot_index: int
    irte_index: int | None
    cpu: int | None
    vector: int | None
    cookie: int | None
    active: bool
    masked: bool
    prev_cpu: int | None = None
    prev_vector: int | None = None


class ImsDomain:
    """Per-device IMS domain. Use `ImsDomain.create(...)`."""

    def __init__(self, parent, chip, hwsize: int, requester_id: int, irq_numbers: IrqNumbers,
                 compat: bool) -> None:
        self.parent = parent
        self.chip = chip
        self.hwsize = hwsize
        self.requester_id = requester_id
        self.irq_numbers = irq_numbers
        self.compat = compat  # True: no IR, compatibility messages (comparison mode)
        self.vector_domain: VectorDomain = parent if compat else parent.vector_domain
        self.apic_id_of = (lambda cpu: cpu)
        self.descs: dict[int, ImsDesc] = {}       # irq -> desc
        self._slot_used: list[bool] = [False] * hwsize

    @classmethod
    def create(cls, parent, regs: RegisterAccess | None, hwsize: int, requester_id: int,
               template: ImsDomainTemplate | None = None, irq_numbers: IrqNumbers | None = None,
               table_base: int = DEFAULT_TABLE_BASE, allow_without_ir: bool = False) -> "ImsDomain":
        """pci_create_ims_domain(): refuses (ConfigError) what Linux refuses.

        allow_without_ir=True is NOT Linux: it admits a vector-domain parent for the
        compatibility-format comparison runs."""
        if template is None:
            if regs is None:
                raise ConfigError("need a RegisterAccess or a template with a chip")
            template = ImsDomainTemplate(chip=IdxdImsChip(regs, table_base))
        if template.bus_token is not BusToken.DOMAIN_BUS_PCI_DEVICE_IMS:
            raise ConfigError(f"IMS domain needs bus token DOMAIN_BUS_PCI_DEVICE_IMS, "
                              f"got {template.bus_token}")
        need = MsiFlag.ALLOC_SIMPLE_MSI_DESCS | MsiFlag.FREE_MSI_DESCS
        if (template.flags & need) != need:
            raise ConfigError("IMS domain needs MSI_FLAG_ALLOC_SIMPLE_MSI_DESCS and "
                              "MSI_FLAG_FREE_MSI_DESCS")
        chip = template.chip
        for op in ("irq_mask", "irq_unmask", "irq_write_msi_msg"):
            if getattr(chip, op, None) is None:
                raise ConfigError(f"IMS chip lacks {op}")
        if getattr(chip, "irq_set_affinity", None) is not None or \
                getattr(chip, "has_set_affinity", False):
            raise ConfigError("IMS chip must not provide irq_set_affinity")
        if not isinstance(hwsize, int) or hwsize < 1:
            raise ConfigError(f"bad hwsize {hwsize!r}")
        compat = False
        if isinstance(parent, VectorDomain):
            if not allow_without_ir:
                raise ConfigError("IMS requires an interrupt-remapping parent, "
                                  "not the vector domain")
            compat = True
        elif isinstance(parent, IntelIrDomain):
            if not parent.supports_ims:
                raise ConfigError("IMS is not supported under a virtual IOMMU")
            if not parent.iommu.enabled:
                raise ConfigError("interrupt remapping is not enabled")
        else:
            raise ConfigError(f"unsupported parent domain {type(parent).__name__}")
        return cls(parent, chip, hwsize, requester_id, irq_numbers or IrqNumbers(), compat)

    # -- helpers
    def desc(self, irq: int) -> ImsDesc:
        try:
            return self.descs[irq]
        except KeyError:
            raise ModelError(f"irq {irq} does not belong to this IMS domain") from None

    def _compat_msg(self, cpu: int, vector: int) -> tuple[int, int, int]:
        return (MSI_BASE | (self.apic_id_of(cpu) & 0xFF) << 12, 0, vector)

    # -- operations
    async def alloc(self, cookie: int | None = None, affinity=None) -> ImsIrq:
        """pci_ims_alloc_irq(): one irq at the lowest free slot."""
        if cookie is not None and not 0 <= cookie < (1 << 20):
            raise ModelError(f"cookie/PASID {cookie!r} does not fit in 20 bits")
        try:
            index = self._slot_used.index(False)
        except ValueError:
            raise AllocationError(f"all {self.hwsize} IMS slots in use") from None
        irq = self.irq_numbers.alloc()
        try:
            # msi_check_reservation_mode(): only PCI MSI/MSI-X bus tokens use reservation mode,
            # so an IMS irq keeps its vector across free_irq()/request_irq().
            if self.compat:
                self.vector_domain.alloc(irq, affinity, reservation_mode=False)
            else:
                self.parent.alloc(irq, self.requester_id, affinity, reservation_mode=False)
        except Exception:
            self.irq_numbers.free(irq)
            raise
        self._slot_used[index] = True
        desc = self.descs[irq] = ImsDesc(index, irq, cookie)
        if hasattr(self.chip, "prepare_desc"):
            await self.chip.prepare_desc(desc)
        return ImsIrq(index, irq)

    async def activate(self, irq: int, affinity=None) -> None:
        """Parents first: vector, IRTE; then compose and write the message."""
        d = self.desc(irq)
        if d.active:
            raise ModelError(f"irq {irq} already active")
        if self.compat:
            cpu, vector = self.vector_domain.activate(irq, affinity)
            msg = self._compat_msg(cpu, vector)
        else:
            self.parent.activate(irq, affinity)
            msg = self.parent.compose_msg(irq)
        await self.chip.irq_write_msi_msg(d, msg)
        d.active = True

    async def request(self, irq: int, affinity=None) -> None:
        """request_irq(): activate, then startup (unmask)."""
        await self.activate(irq, affinity)
        await self.unmask(irq)

    async def deactivate(self, irq: int) -> None:
        """Write an all-zero message, then the parents: zero IRTE, release the vector."""
        d = self.desc(irq)
        if not d.active:
            return
        await self.chip.irq_write_msi_msg(d, (0, 0, 0))
        if self.compat:
            self.vector_domain.deactivate(irq)
        else:
            self.parent.deactivate(irq)
        d.active = False

    async def release(self, irq: int) -> None:
        """free_irq(): shutdown (or mask), then deactivate."""
        d = self.desc(irq)
        if getattr(self.chip, "irq_shutdown", None) is not None:
            await self.chip.irq_shutdown(d)
        else:
            await self.chip.irq_mask(d)
        await self.deactivate(irq)

    async def free(self, irq: int) -> None:
        """Release if still requested, then free vector reservation, IRTE, irq number, slot."""
        d = self.desc(irq)
        if d.active:
            await self.release(irq)
        if self.compat:
            self.vector_domain.free(irq)
        else:
            self.parent.free(irq)
        self.irq_numbers.free(irq)
        self._slot_used[d.index] = False
        del self.descs[irq]

    async def mask(self, irq: int) -> None:
        await self.chip.irq_mask(self.desc(irq))

    async def unmask(self, irq: int) -> None:
        await self.chip.irq_unmask(self.desc(irq))

    async def set_affinity(self, irq: int, cpus) -> tuple[int, int]:
        """Under IR: rewrite only the IRTE. Without IR: recompose and rewrite while masked."""
        d = self.desc(irq)
        if not self.compat:
            return self.parent.set_affinity(irq, cpus)
        cpu, vector = self.vector_domain.set_affinity(irq, cpus)
        if d.active:
            msg = self._compat_msg(cpu, vector)
            if msg != d.msg:
                was_masked = d.masked
                if not was_masked:
                    await self.chip.irq_mask(d)
                await self.chip.irq_write_msi_msg(d, msg)
                if not was_masked:
                    await self.chip.irq_unmask(d)
        return cpu, vector

    def info(self, irq: int) -> ImsIrqInfo:
        d = self.desc(irq)
        cd = self.vector_domain.chip_data(irq)
        irte = None if self.compat else self.parent.data(irq).irte_index
        return ImsIrqInfo(irq=irq, slot_index=d.index, irte_index=irte, cpu=cd.cpu,
                          vector=cd.vector, cookie=d.cookie, active=d.active, masked=d.masked,
                          prev_cpu=cd.prev_cpu, prev_vector=cd.prev_vector)
