"""Per-device IMS irq domain (kernel/irq/msi.c + drivers/pci/msi, Linux 6.2-6.9), an
IDXD-style IMS irq chip talking to the device through an async RegisterAccess, and the
queue-memory IMS chip (platform-models.md §7) whose entries live in host memory and which
uses the irq bus lock (kernel/irq/manage.c chip_bus_lock()/chip_bus_sync_unlock())."""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum, IntFlag
from typing import Protocol, runtime_checkable

from ..errors import AllocationError, ConfigError, ModelError
from ..msi import MSI_BASE
from .irqdesc import IrqNumbers
from .ir import IntelIrDomain
from .vector import VectorDomain

from ..regs import load as load_regs, regs as _regs  # slot layout from regs/ims.rdl (contract §3)

SLOT_SIZE = _regs.slot.stride
SLOT_ADDR_LO, SLOT_ADDR_HI, SLOT_DATA, SLOT_CTRL = (int(_regs.slot.ADDR_LO), int(_regs.slot.ADDR_HI),
                                                    int(_regs.slot.DATA), int(_regs.slot.CTRL))
CTRL_MASK = int(_regs.slot.CTRL.MASK)
CTRL_PENDING = int(_regs.slot.CTRL.PENDING)
CTRL_PASID_EN = int(_regs.slot.CTRL.PASID_EN)
CTRL_PASID_SHIFT = _regs.slot.CTRL.PASID.lsb
DEFAULT_TABLE_BASE = _regs.table_base  # TABLE_BASE of the default build (AXIL_ADDR_WIDTH 16)

# §7 registers: their offsets do not depend on the parameters (present when MEM_MAX_ENTRIES > 0).
_regs_mem = load_regs(mem_max_entries=2)
REG_NUM_SLOTS = int(_regs_mem.NUM_SLOTS)
REG_MEM_BASE_LO, REG_MEM_BASE_HI = int(_regs_mem.MEM_BASE_LO), int(_regs_mem.MEM_BASE_HI)
REG_MEM_ENTRIES, REG_MEM_INVAL = int(_regs_mem.MEM_ENTRIES), int(_regs_mem.MEM_INVAL)
MEM_BASE_ALIGN = 1 << _regs_mem.MEM_BASE_LO.ADDR.lsb     # MEM_BASE_LO bits 5:0 read 0
MEM_INVAL_ENTRY = _regs_mem.MEM_INVAL.ENTRY
DEFAULT_QUEUE_TABLE = 0x1_0000_0000   # host address of the entry table (above 4 GiB: MEM_BASE_HI used)


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
    depth: int = 1             # irq_desc depth: 1 until started (request_irq), +1 per disable_irq


class IdxdImsChip:
    """IDXD-style IMS chip: slot i at table_base + 16*i = addr_lo, addr_hi, data, ctrl."""

    has_set_affinity = False

    def __init__(self, regs: RegisterAccess, table_base: int = DEFAULT_TABLE_BASE) -> None:
        self.regs = regs
        self.table_base = table_base

    def slot(self, index: int) -> int:
        return self.table_base + SLOT_SIZE * index

    def trigger_index(self, index: int) -> int:
        """The device's trigger index of slot `index` (on-device slots: the same number)."""
        return index

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


class QueueMemImsChip:
    """IMS chip whose slots are 16-byte entries in host memory (platform-models.md §7; contract
    §7): entry j at table_addr + 16 j = addr_lo, addr_hi, data, ctrl (the §4 chip layout).

    mask, unmask, write-message and shutdown only update the entry in memory and mark it
    changed; the device keeps cached copies until told, and telling it (MEM_INVAL) waits for a
    register response, which may sleep. So the chip uses the irq bus lock:
    irq_bus_sync_unlock() writes MEM_INVAL(j) for each changed entry (ascending) and awaits
    each write's response. The bus lock is per chip (per device), as a slow-bus chip's mutex
    is; a second chip_bus_lock() while it is held raises ModelError (Linux: a mutex, the
    caller would sleep or deadlock). Linux slot index j is device trigger index NUM_SLOTS + j."""

    has_set_affinity = False

    def __init__(self, regs: RegisterAccess, memory, table_addr: int = DEFAULT_QUEUE_TABLE,
                 num_slots: int | None = None) -> None:
        if table_addr < 0 or table_addr % MEM_BASE_ALIGN or table_addr >> 64:
            raise ConfigError(f"entry table address {table_addr:#x} must be {MEM_BASE_ALIGN}-byte "
                              f"aligned (MEM_BASE_LO bits 5:0 read 0) and 64-bit")
        self.regs = regs
        self.memory = memory
        self.table_addr = table_addr
        self.num_slots = num_slots     # read from the device by program_device() when None
        self.entries = 0
        self.changed: set[int] = set()
        self.bus_locked = False
        self.invalidations: list[int] = []   # every MEM_INVAL entry written, in order

    def entry_addr(self, index: int) -> int:
        return self.table_addr + SLOT_SIZE * index

    def trigger_index(self, index: int) -> int:
        if self.num_slots is None:
            raise ModelError("trigger index unknown: program_device() has not read NUM_SLOTS")
        return self.num_slots + index

    async def program_device(self, entries: int) -> None:
        """The driver's set-up (not an irq-chip op): MEM_BASE_LO/HI and MEM_ENTRIES; a device
        that refuses the size answers SLVERR (BusError)."""
        if self.num_slots is None:
            self.num_slots = await self.regs.read32(REG_NUM_SLOTS)
        await self.regs.write32(REG_MEM_BASE_LO, self.table_addr & 0xFFFFFFFF)
        await self.regs.write32(REG_MEM_BASE_HI, self.table_addr >> 32)
        await self.regs.write32(REG_MEM_ENTRIES, entries)
        self.entries = entries

    def _write_entry(self, desc: ImsDesc, field: int, value: int) -> None:
        self.memory.write32(self.entry_addr(desc.index) + field, value)
        self.changed.add(desc.index)

    # -- irq bus lock (kernel/irq/internals.h chip_bus_lock()/chip_bus_sync_unlock() call these)
    async def irq_bus_lock(self, desc: ImsDesc) -> None:
        if self.bus_locked:
            raise ModelError("chip_bus_lock() while the bus lock is held (Linux: a mutex; "
                             "this caller would sleep/deadlock)")
        self.bus_locked = True

    async def irq_bus_sync_unlock(self, desc: ImsDesc) -> None:
        try:
            # One entry at a time, taken out before its MEM_INVAL: a change made while the write
            # is outstanding (another coroutine) marks it again and is flushed by this loop.
            while self.changed:
                j = min(self.changed)
                self.changed.discard(j)
                try:
                    await self.regs.write32(REG_MEM_INVAL, MEM_INVAL_ENTRY.put(j))  # awaits BVALID
                except BaseException:
                    self.changed.add(j)
                    raise
                self.invalidations.append(j)
        finally:
            self.bus_locked = False

    # -- chip ops: memory only, flushed at the next irq_bus_sync_unlock()
    async def prepare_desc(self, desc: ImsDesc) -> None:
        """msi_domain_ops.prepare_desc, called by __msi_domain_alloc_irqs() outside any bus-lock
        section: mask the entry in memory and record the PASID image."""
        desc.ctrl_image = (0 if desc.cookie is None
                           else (desc.cookie << CTRL_PASID_SHIFT) | CTRL_PASID_EN)
        await self.irq_mask(desc)

    async def irq_mask(self, desc: ImsDesc) -> None:
        self._write_entry(desc, SLOT_CTRL, desc.ctrl_image | CTRL_MASK)
        desc.masked = True

    async def irq_unmask(self, desc: ImsDesc) -> None:
        self._write_entry(desc, SLOT_CTRL, desc.ctrl_image)
        desc.masked = False

    async def irq_write_msi_msg(self, desc: ImsDesc, msg: tuple[int, int, int]) -> None:
        addr_lo, addr_hi, data = msg
        self._write_entry(desc, SLOT_ADDR_LO, addr_lo)
        self._write_entry(desc, SLOT_ADDR_HI, addr_hi)
        self._write_entry(desc, SLOT_DATA, data)
        desc.msg = msg

    async def irq_shutdown(self, desc: ImsDesc) -> None:
        for field in (SLOT_ADDR_LO, SLOT_ADDR_HI, SLOT_DATA):
            self._write_entry(desc, field, 0)
        self._write_entry(desc, SLOT_CTRL, CTRL_MASK)    # PASID cleared too, as the §4 chip
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
    trigger_index: int | None = None   # the device's trigger index (memory entry j: NUM_SLOTS + j)


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
        self._bus_held = False   # a bus_lock() section is open (operations join it)

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

    # -- the irq bus lock (kernel/irq/manage.c)
    @asynccontextmanager
    async def bus_lock(self, irq: int):
        """chip_bus_lock(desc) ... chip_bus_sync_unlock(desc) around the body. Operations called
        inside run in this one section (as the core calls chip ops with the lock held, e.g.
        __setup_irq() runs irq_activate() and irq_startup() in one section). A chip without
        bus-lock callbacks (the on-device chip) makes this a no-op."""
        d = self.desc(irq)
        if self._bus_held:
            raise ModelError("bus_lock() while a bus-lock section is open (Linux: a mutex)")
        lock = getattr(self.chip, "irq_bus_lock", None)
        unlock = getattr(self.chip, "irq_bus_sync_unlock", None)
        if lock is not None:
            await lock(d)
        self._bus_held = True
        try:
            yield d
        finally:
            # Held until the unlock's MEM_INVAL writes are answered: an operation another
            # coroutine starts meanwhile joins this section and is flushed by the same unlock
            # (the model does not block; Linux would wait on the mutex).
            try:
                if unlock is not None:
                    await unlock(d)
            finally:
                self._bus_held = False

    @asynccontextmanager
    async def _section(self, irq: int):
        """A bus-lock section of its own, or join the one the caller holds."""
        if self._bus_held:
            yield self.desc(irq)
        else:
            async with self.bus_lock(irq) as d:
                yield d

    async def _activate(self, d: ImsDesc, affinity) -> None:
        if d.active:
            raise ModelError(f"irq {d.irq} already active")
        if self.compat:
            cpu, vector = self.vector_domain.activate(d.irq, affinity)
            msg = self._compat_msg(cpu, vector)
        else:
            self.parent.activate(d.irq, affinity)
            msg = self.parent.compose_msg(d.irq)
        await self.chip.irq_write_msi_msg(d, msg)
        d.active = True

    async def _deactivate(self, d: ImsDesc) -> None:
        if not d.active:
            return
        await self.chip.irq_write_msi_msg(d, (0, 0, 0))
        if self.compat:
            self.vector_domain.deactivate(d.irq)
        else:
            self.parent.deactivate(d.irq)
        d.active = False

    async def activate(self, irq: int, affinity=None) -> None:
        """Parents first: vector, IRTE; then compose and write the message (irq_activate(),
        in a bus-lock section as __setup_irq() runs it)."""
        async with self._section(irq) as d:
            await self._activate(d, affinity)

    async def request(self, irq: int, affinity=None) -> None:
        """request_irq() -> __setup_irq(): chip_bus_lock(); irq_activate(); irq_startup()
        (unmask); chip_bus_sync_unlock() - one section, so one invalidation per entry."""
        async with self._section(irq) as d:
            await self._activate(d, affinity)
            await self.chip.irq_unmask(d)
            d.depth = 0

    async def deactivate(self, irq: int) -> None:
        """Write an all-zero message, then the parents: zero IRTE, release the vector."""
        async with self._section(irq) as d:
            await self._deactivate(d)

    async def release(self, irq: int) -> None:
        """free_irq() -> __free_irq(): one bus-lock section for irq_shutdown() (shutdown, or
        mask), a second one for irq_domain_deactivate_irq()."""
        async with self._section(irq) as d:
            if getattr(self.chip, "irq_shutdown", None) is not None:
                await self.chip.irq_shutdown(d)
            else:
                await self.chip.irq_mask(d)
            d.depth = 1
        async with self._section(irq) as d:
            await self._deactivate(d)

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
        """The chip's irq_mask, in a bus-lock section of its own unless the caller holds one."""
        async with self._section(irq) as d:
            await self.chip.irq_mask(d)

    async def unmask(self, irq: int) -> None:
        """The chip's irq_unmask, in a bus-lock section of its own unless the caller holds one."""
        async with self._section(irq) as d:
            await self.chip.irq_unmask(d)

    async def disable(self, irq: int) -> None:
        """disable_irq(): irq_get_desc_buslock(); __disable_irq(): depth + 1; at 0 -> 1
        irq_disable(), which is lazy for this chip (no irq_disable callback, no
        IRQ_DISABLE_UNLAZY): nothing is written to the device."""
        async with self._section(irq) as d:
            d.depth += 1

    async def enable(self, irq: int) -> None:
        """enable_irq(): irq_get_desc_buslock(); __enable_irq(): depth 1 -> 0 runs
        irq_startup(IRQ_START_FORCE): activate if needed, then unmask if masked
        (irq_enable() -> unmask_irq() only when IRQD_IRQ_MASKED); depth 0 is "Unbalanced
        enable" (Linux WARNs; the model raises)."""
        async with self._section(irq) as d:
            if d.depth == 0:
                raise ModelError(f"Unbalanced enable for IRQ {irq}")
            d.depth -= 1
            if d.depth == 0:
                if not d.active:
                    await self._activate(d, None)
                if d.masked:
                    await self.chip.irq_unmask(d)

    async def set_affinity(self, irq: int, cpus) -> tuple[int, int]:
        """Under IR: rewrite only the IRTE. Without IR: recompose and rewrite while masked.
        (Linux's irq_set_affinity() takes only desc->lock, no bus lock; IMS always has IR, so
        the device is not touched. The compatibility mode, not Linux, runs its rewrite in one
        bus-lock section so that a memory entry is invalidated.)"""
        d = self.desc(irq)
        if not self.compat:
            return self.parent.set_affinity(irq, cpus)
        cpu, vector = self.vector_domain.set_affinity(irq, cpus)
        if d.active:
            msg = self._compat_msg(cpu, vector)
            if msg != d.msg:
                async with self._section(irq):
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
        ti = getattr(self.chip, "trigger_index", None)
        return ImsIrqInfo(irq=irq, slot_index=d.index, irte_index=irte, cpu=cd.cpu,
                          vector=cd.vector, cookie=d.cookie, active=d.active, masked=d.masked,
                          prev_cpu=cd.prev_cpu, prev_vector=cd.prev_vector,
                          trigger_index=ti(d.index) if ti is not None else d.index)
