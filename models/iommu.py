"""VT-d interrupt-remapping unit: IRTE formats, posted descriptors, translation and faults."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .errors import ConfigError, ModelError
from .memory import HostMemory, MemoryReadError

IRTE_SIZE = 16
M32 = 0xFFFFFFFF


class FaultReason(IntEnum):
    """VT-d interrupt-remapping fault reasons."""
    REQ_RESERVED = 0x20      # remappable request with reserved fields set (addr_hi, data[31:16])
    INDEX_OVERFLOW = 0x21    # index >= table size
    NOT_PRESENT = 0x22       # IRTE.P = 0 (qualified)
    IRTE_READ = 0x23         # reading the IRTE failed
    IRTE_RESERVED = 0x24     # reserved IRTE field set, or posted form unsupported (qualified)
    COMPAT_BLOCKED = 0x25    # compatibility-format request blocked (EIME=1 or CFI=0)
    SID_CHECK = 0x26         # source-ID validation failed (qualified)
    PD_READ = 0x27           # posted descriptor read failed (qualified)
    PD_RESERVED = 0x28       # posted descriptor reserved field set (qualified)


# Faults that an IRTE with FPD = 1 keeps out of the fault log.
QUALIFIED = frozenset({FaultReason.NOT_PRESENT, FaultReason.IRTE_RESERVED, FaultReason.SID_CHECK,
                       FaultReason.PD_READ, FaultReason.PD_RESERVED})


def _fits(name: str, value: int, bits: int) -> None:
    if not isinstance(value, int) or value < 0 or value >> bits:
        raise ModelError(f"{name}={value!r} does not fit in {bits} bits")


def _mask(hi: int, lo: int) -> int:
    return ((1 << (hi - lo + 1)) - 1) << lo


# Reserved bits of the remapped form (IM = 0), independent of EIME.
REMAPPED_RESERVED = _mask(14, 12) | _mask(31, 24) | _mask(127, 84)
# With EIME = 0 only dest bits 47:40 of the 63:32 field are meaningful.
REMAPPED_RESERVED_XAPIC = _mask(39, 32) | _mask(63, 48)
# Posted form (IM = 1): our reading of VT-d; 11:8 stay available to software.
POSTED_RESERVED = _mask(7, 2) | _mask(13, 12) | _mask(37, 24) | _mask(95, 84)
RESERVED_DELIVERY_MODES = (3, 6)


@dataclass(frozen=True, slots=True)
class RemappedIrte:
    """Remapped-form IRTE (IM = 0). `dest` is 32-bit with EIME=1, an 8-bit APIC ID with EIME=0."""
    present: int = 1
    fpd: int = 0
    dest_mode: int = 0
    redirection_hint: int = 1
    trigger_mode: int = 0
    delivery_mode: int = 0
    avail: int = 0
    vector: int = 0
    dest: int = 0
    sid: int = 0
    sq: int = 0
    svt: int = 0

    mode = "remapped"

    def pack(self, eime: bool = False) -> int:
        for name, bits in (("present", 1), ("fpd", 1), ("dest_mode", 1), ("redirection_hint", 1),
                           ("trigger_mode", 1), ("delivery_mode", 3), ("avail", 4), ("vector", 8),
                           ("dest", 32 if eime else 8), ("sid", 16), ("sq", 2), ("svt", 2)):
            _fits(name, getattr(self, name), bits)
        dest_field = self.dest if eime else self.dest << 8
        return (self.present | self.fpd << 1 | self.dest_mode << 2 | self.redirection_hint << 3
                | self.trigger_mode << 4 | self.delivery_mode << 5 | self.avail << 8
                | self.vector << 16 | dest_field << 32 | self.sid << 64 | self.sq << 80
                | self.svt << 82)


@dataclass(frozen=True, slots=True)
class PostedIrte:
    """Posted-form IRTE (IM = 1). `pda` is the 64-byte aligned descriptor address."""
    present: int = 1
    fpd: int = 0
    urgent: int = 0
    avail: int = 0
    vector: int = 0
    pda: int = 0
    sid: int = 0
    sq: int = 0
    svt: int = 0

    mode = "posted"

    def pack(self, eime: bool = False) -> int:  # eime unused: same layout either way
        for name, bits in (("present", 1), ("fpd", 1), ("urgent", 1), ("avail", 4),
                           ("vector", 8), ("pda", 64), ("sid", 16), ("sq", 2), ("svt", 2)):
            _fits(name, getattr(self, name), bits)
        if self.pda & 0x3F:
            raise ModelError(f"posted descriptor address {self.pda:#x} not 64-byte aligned")
        return (self.present | self.fpd << 1 | self.avail << 8 | self.urgent << 14 | 1 << 15
                | self.vector << 16 | ((self.pda >> 6) & 0x3FFFFFF) << 38 | self.sid << 64
                | self.sq << 80 | self.svt << 82 | (self.pda >> 32) << 96)


def unpack_irte(value: int, eime: bool = False) -> RemappedIrte | PostedIrte:
    """Decode the defined fields of a 128-bit IRTE (reserved bits are ignored here)."""
    _fits("irte", value, 128)
    common = dict(present=value & 1, fpd=(value >> 1) & 1, avail=(value >> 8) & 0xF,
                  vector=(value >> 16) & 0xFF, sid=(value >> 64) & 0xFFFF,
                  sq=(value >> 80) & 3, svt=(value >> 82) & 3)
    if (value >> 15) & 1:
        pda = ((value >> 38) & 0x3FFFFFF) << 6 | ((value >> 96) & M32) << 32
        return PostedIrte(urgent=(value >> 14) & 1, pda=pda, **common)
    dest = (value >> 32) & M32 if eime else (value >> 40) & 0xFF
    return RemappedIrte(dest_mode=(value >> 2) & 1, redirection_hint=(value >> 3) & 1,
                        trigger_mode=(value >> 4) & 1, delivery_mode=(value >> 5) & 7,
                        dest=dest, **common)


def irte_reserved_violation(value: int, eime: bool, posted_supported: bool) -> bool:
    """True when the IRTE would take fault 0x24 (reserved field, or unsupported posted form)."""
    if (value >> 15) & 1:
        return (not posted_supported) or bool(value & POSTED_RESERVED)
    if value & REMAPPED_RESERVED:
        return True
    if not eime and value & REMAPPED_RESERVED_XAPIC:
        return True
    return ((value >> 5) & 7) in RESERVED_DELIVERY_MODES


def sid_check(irte_sid: int, sq: int, svt: int, sid: int) -> bool:
    """Source-ID validation (SVT/SQ). SVT=3 is reserved and always fails (QEMU)."""
    if svt == 0:
        return True
    if svt == 1:
        ignore = (0, 0b100, 0b110, 0b111)[sq]
        return (irte_sid & ~ignore) == (sid & ~ignore)
    if svt == 2:
        bus = sid >> 8
        return (irte_sid >> 8) <= bus <= (irte_sid & 0xFF)
    return False


# ----------------------------------------------------------------------------- posted descriptor
PD_SIZE = 64
PD_RESERVED = _mask(271, 258) | _mask(287, 280) | _mask(511, 320)


@dataclass(slots=True)
class PostedDescriptor:
    """Posted-interrupt descriptor: PIR[255:0], ON 256, SN 257, NV 279:272, NDST 319:288."""
    pir: int = 0
    on: int = 0
    sn: int = 0
    nv: int = 0
    ndst: int = 0
    reserved: int = 0  # the raw reserved bits, kept so a read/write round trip is exact

    def pack(self) -> int:
        return (self.pir | self.on << 256 | self.sn << 257 | self.nv << 272 | self.ndst << 288
                | self.reserved)

    @classmethod
    def unpack(cls, value: int) -> "PostedDescriptor":
        return cls(pir=value & ((1 << 256) - 1), on=(value >> 256) & 1, sn=(value >> 257) & 1,
                   nv=(value >> 272) & 0xFF, ndst=(value >> 288) & M32,
                   reserved=value & PD_RESERVED)


def read_descriptor(mem: HostMemory, addr: int) -> PostedDescriptor:
    return PostedDescriptor.unpack(int.from_bytes(mem.read_bytes(addr, PD_SIZE), "little"))


def write_descriptor(mem: HostMemory, addr: int, pd: PostedDescriptor) -> None:
    mem.write_bytes(addr, pd.pack().to_bytes(PD_SIZE, "little"))


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class IrDeliver:
    """Interrupt request to the APICs (after remapping, or a passed compatibility message)."""
    dest: int
    dest_mode: int
    vector: int
    delivery_mode: int
    trigger_mode: int
    redirection_hint: int
    level: int = 0
    index: int | None = None  # IRTE index; None for a compatibility pass-through

    kind = "deliver"


@dataclass(frozen=True, slots=True)
class IrPosted:
    descriptor_addr: int
    vector: int
    notified: bool
    notification: IrDeliver | None
    index: int

    kind = "posted"


@dataclass(frozen=True, slots=True)
class IrFault:
    reason: FaultReason
    sid: int
    index: int
    recorded: bool  # False when suppressed by FPD

    kind = "fault"


@dataclass(frozen=True, slots=True)
class IrNotInterrupt:
    """With IR disabled, a write outside 0xFEE00000-0xFEEFFFFF (or with a non-zero address high
    DWORD) is an ordinary memory write, not an interrupt request."""
    addr: int
    data: int

    kind = "not_interrupt"


IrResult = IrDeliver | IrPosted | IrFault | IrNotInterrupt

INTERRUPT_WINDOW = 0xFEE  # address[31:20] of every interrupt request


@dataclass(frozen=True, slots=True)
class FaultRecord:
    reason: FaultReason
    sid: int
    index: int


class IrUnit:
    """The remapping hardware of one IOMMU.

    The table lives in `memory`; decoded entries are cached per index and the whole cache is
    dropped whenever `memory.generation` changes, so results always follow memory contents.
    """

    def __init__(self, memory: HostMemory, posted_supported: bool = False) -> None:
        self.memory = memory
        self.posted_supported = posted_supported
        self.table_base = 0
        self.size_s = 0
        self.eime = False
        self.table_entries = 2
        self.enabled = False
        self.cfi = True
        self.fault_log: list[FaultRecord] = []
        self._cache: dict[int, tuple] = {}
        self._cache_gen = -1

    # -- registers
    def set_table(self, base: int, size_s: int, eime: bool = False) -> None:
        """Interrupt Remapping Table Address register: base (4 KiB aligned), EIME, S."""
        if base & 0xFFF or base < 0 or base >> 64:
            raise ConfigError(f"IR table base {base:#x} must be 4 KiB aligned")
        if not 0 <= size_s <= 15:
            raise ConfigError(f"IR table size S={size_s} out of range 0..15")
        self.table_base, self.size_s, self.eime = base, size_s, bool(eime)
        self.table_entries = 1 << (size_s + 1)
        self.invalidate_all()

    def enable(self, cfi: bool = False) -> None:
        """Enable IR; Linux clears CFI right after enabling."""
        self.enabled = True
        self.cfi = cfi

    def disable(self) -> None:
        self.enabled = False

    def invalidate_entry(self, index: int) -> None:
        """Interrupt entry cache invalidation for one index."""
        self._cache.pop(index, None)

    def invalidate_all(self) -> None:
        self._cache.clear()

    # -- translation
    def _fault(self, reason: FaultReason, sid: int, index: int, fpd: int = 0) -> IrFault:
        recorded = not (fpd and reason in QUALIFIED)
        if recorded:
            self.fault_log.append(FaultRecord(reason, sid, index))
        return IrFault(reason, sid, index, recorded)

    def _decode_entry(self, index: int, raw: int) -> tuple:
        """Precompute what translate needs from one IRTE: (fault_or_None, fpd, entry, result)."""
        fpd = (raw >> 1) & 1
        if not raw & 1:
            return (FaultReason.NOT_PRESENT, fpd, None, None)
        if irte_reserved_violation(raw, self.eime, self.posted_supported):
            return (FaultReason.IRTE_RESERVED, fpd, None, None)
        entry = unpack_irte(raw, self.eime)
        if isinstance(entry, RemappedIrte):
            # A remapped request is an assertion (VirtualBox dmarIrRemapFromIrte: level 1).
            result = IrDeliver(dest=entry.dest, dest_mode=entry.dest_mode, vector=entry.vector,
                               delivery_mode=entry.delivery_mode, trigger_mode=entry.trigger_mode,
                               redirection_hint=entry.redirection_hint, level=1, index=index)
            return (None, fpd, entry, result)
        return (None, fpd, entry, None)

    def translate(self, addr: int, data: int, sid: int) -> IrResult:
        """Translate one interrupt write (64-bit address, data, requester ID)."""
        lo = addr & M32
        hi = addr >> 32
        outside = hi or (lo >> 20) != INTERRUPT_WINDOW
        if not self.enabled:
            if outside:
                return IrNotInterrupt(addr, data)
        elif outside:
            # QEMU vtd_interrupt_remap_msi(): address high != 0 or address[31:20] != 0xFEE is
            # VTD_FR_IR_REQ_RSVD in either format, checked first, recorded with index 0.
            return self._fault(FaultReason.REQ_RESERVED, sid, 0)
        if not self.enabled or not lo & 0x10:
            if self.enabled and (self.eime or not self.cfi):
                return self._fault(FaultReason.COMPAT_BLOCKED, sid, 0)
            return IrDeliver(dest=(lo >> 12) & 0xFF, dest_mode=(lo >> 2) & 1, vector=data & 0xFF,
                             delivery_mode=(data >> 8) & 7, trigger_mode=(data >> 15) & 1,
                             redirection_hint=(lo >> 3) & 1, level=(data >> 14) & 1)
        shv = lo & 0x8
        index = ((lo >> 5) & 0x7FFF) | ((lo >> 2) & 1) << 15
        if shv:
            index += data & 0xFFFF
        # 1. reserved request fields (address high was checked above); recorded with index 0
        #    like every 0x20 (VirtualBox dmarIrRemapIntr, QEMU vtd_interrupt_remap_msi)
        if shv and data >> 16:
            return self._fault(FaultReason.REQ_RESERVED, sid, 0)
        # 2. table bounds
        if index >= self.table_entries:
            return self._fault(FaultReason.INDEX_OVERFLOW, sid, index)
        mem = self.memory
        if self._cache_gen != mem.generation:
            self._cache.clear()
            self._cache_gen = mem.generation
        cached = self._cache.get(index)
        if cached is None:
            # 3. IRTE fetch
            try:
                raw = mem.read128(self.table_base + index * IRTE_SIZE)
            except MemoryReadError:
                return self._fault(FaultReason.IRTE_READ, sid, index)
            cached = self._decode_entry(index, raw)
            self._cache[index] = cached
        fault, fpd, entry, result = cached
        # 4./5. present, reserved fields
        if fault is not None:
            return self._fault(fault, sid, index, fpd)
        # 6. source-ID validation
        if entry.svt and not sid_check(entry.sid, entry.sq, entry.svt, sid):
            return self._fault(FaultReason.SID_CHECK, sid, index, fpd)
        if result is not None:
            return result
        return self._post(entry, sid, index, fpd)

    def _post(self, entry: PostedIrte, sid: int, index: int, fpd: int) -> IrResult:
        # 7. posted descriptor fetch and checks
        try:
            pd = read_descriptor(self.memory, entry.pda)
        except MemoryReadError:
            return self._fault(FaultReason.PD_READ, sid, index, fpd)
        if pd.reserved:
            return self._fault(FaultReason.PD_RESERVED, sid, index, fpd)
        pd.pir |= 1 << entry.vector
        notification = None
        if not pd.on and (not pd.sn or entry.urgent):
            pd.on = 1
            dest = pd.ndst if self.eime else (pd.ndst >> 8) & 0xFF
            notification = IrDeliver(dest=dest, dest_mode=0, vector=pd.nv, delivery_mode=0,
                                     trigger_mode=0, redirection_hint=0, index=index)
        write_descriptor(self.memory, entry.pda, pd)
        return IrPosted(descriptor_addr=entry.pda, vector=entry.vector,
                        notified=notification is not None, notification=notification, index=index)
