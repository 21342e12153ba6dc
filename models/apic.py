"""Local APICs (IRR/ISR/TMR, TPR/PPR, acknowledge, EOI) and the interrupt delivery bus.

IRR/ISR/TMR are Python ints used as 256-bit bitmaps: highest-set-bit is `int.bit_length`,
which benchmarks faster than numpy for single-bit updates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum

from .errors import ConfigError, ModelError

ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6
ESR_ILLEGAL_DELIVERY_MODE = 1 << 7  # our bookkeeping for reserved delivery modes 3/6


class DeliveryMode(IntEnum):
    FIXED = 0
    LOWEST = 1
    SMI = 2
    NMI = 4
    INIT = 5
    EXTINT = 7


class Accept(Enum):
    ACCEPTED = "accepted"      # IRR bit newly set
    COALESCED = "coalesced"    # IRR bit already set: merged, counted per vector
    ILLEGAL = "illegal"        # vector 0-15 (or reserved delivery mode): refused, ESR noted
    DISABLED = "disabled"      # APIC software-disabled: refused
    OTHER = "other"            # SMI/NMI/INIT/ExtINT: counted, not an IRR vector
    DEASSERT = "deassert"      # level-triggered message with level 0: no effect (KVM)


class LocalApic:
    """One CPU's local APIC."""

    def __init__(self, apic_id: int, x2apic: bool = False, ldr: int | None = None,
                 cluster: bool = False) -> None:
        if apic_id < 0 or apic_id >> (32 if x2apic else 8) or (not x2apic and apic_id == 0xFF):
            raise ConfigError(f"bad APIC ID {apic_id:#x}")
        self.apic_id = apic_id
        self.x2apic = x2apic
        self.cluster = cluster  # xAPIC DFR model: False flat, True cluster
        if ldr is None:
            if x2apic:
                ldr = (apic_id >> 4) << 16 | 1 << (apic_id & 0xF)
            elif cluster:
                ldr = ((apic_id >> 2) << 4 | 1 << (apic_id & 3)) << 24
            else:
                ldr = (1 << apic_id) << 24 if apic_id < 8 else 0
        self.ldr = ldr
        self.tpr = 0
        self.enabled = True
        self.irr = 0
        self.isr = 0
        self.tmr = 0
        self.esr = 0
        self.coalesced = [0] * 256     # per-vector count of messages merged into a set IRR bit
        self.accepted = [0] * 256      # per-vector count of IRR bits newly set
        self.illegal_count = 0
        self.other_events: dict[int, int] = {}  # delivery mode -> count (SMI/NMI/INIT/ExtINT)

    # -- state queries
    def has_irr(self, v: int) -> bool: return bool(self.irr >> v & 1)
    def has_isr(self, v: int) -> bool: return bool(self.isr >> v & 1)
    def has_tmr(self, v: int) -> bool: return bool(self.tmr >> v & 1)

    @property
    def ppr(self) -> int:
        isrv = self.isr.bit_length() - 1 if self.isr else 0
        tpr = self.tpr
        return tpr if (tpr >> 4) >= (isrv >> 4) else isrv & 0xF0

    # -- message acceptance
    def accept(self, vector: int, trigger_mode: int = 0, level: int = 1) -> Accept:
        """A fixed/lowest-priority message chose this APIC: set IRR[v] (TMR[v] = TM).

        KVM __apic_accept_irq(): a level-triggered message with level 0 is ignored; TMR follows
        the message's trigger mode even when the IRR bit was already set (QEMU apic_set_irq()
        does the same)."""
        if not 0 <= vector <= 0xFF:
            raise ModelError(f"vector {vector} out of range")
        if trigger_mode and not level:
            return Accept.DEASSERT
        if not self.enabled:
            return Accept.DISABLED
        if vector < 16:
            self.esr |= ESR_RECEIVE_ILLEGAL_VECTOR
            self.illegal_count += 1
            return Accept.ILLEGAL
        bit = 1 << vector
        if trigger_mode:
            self.tmr |= bit
        else:
            self.tmr &= ~bit
        if self.irr & bit:
            self.coalesced[vector] += 1
            return Accept.COALESCED
        self.irr |= bit
        self.accepted[vector] += 1
        return Accept.ACCEPTED

    def acknowledge(self) -> int | None:
        """INTA: take the highest IRR vector if its class is above PPR's; IRR -> ISR."""
        irr = self.irr
        if not irr:
            return None
        v = irr.bit_length() - 1
        if (v & 0xF0) <= (self.ppr & 0xF0):
            return None
        bit = 1 << v
        self.irr = irr & ~bit
        self.isr |= bit
        return v

    def eoi(self) -> int | None:
        """EOI clears the highest ISR bit; returns that vector (None if ISR was empty)."""
        if not self.isr:
            return None
        v = self.isr.bit_length() - 1
        self.isr &= ~(1 << v)
        return v

    # -- destination matching
    def matches(self, dest: int, dest_mode: int) -> bool:
        if self.x2apic:
            if dest == 0xFFFFFFFF:
                return True
            if not dest_mode:
                return dest == self.apic_id
            return (dest >> 16) == (self.ldr >> 16) and bool(dest & self.ldr & 0xFFFF)
        dest &= 0xFF
        if dest == 0xFF:
            return True
        if not dest_mode:
            return dest == self.apic_id
        ldr = self.ldr >> 24
        if self.cluster:
            return (dest >> 4) == (ldr >> 4) and bool(dest & ldr & 0xF)
        return bool(ldr & dest)


@dataclass
class BusDelivery:
    """What one interrupt message did on the bus."""
    targets: list[int] = field(default_factory=list)          # APIC IDs chosen
    results: list[tuple[int, Accept]] = field(default_factory=list)

    @property
    def accepted(self) -> list[int]:
        return [a for a, r in self.results if r is Accept.ACCEPTED]

    @property
    def coalesced(self) -> list[int]:
        return [a for a, r in self.results if r is Accept.COALESCED]

    @property
    def illegal(self) -> list[int]:
        return [a for a, r in self.results if r is Accept.ILLEGAL]


class ApicBus:
    """Routes interrupt requests to the local APICs. All APICs share xAPIC/x2APIC mode."""

    def __init__(self, apics: list[LocalApic], x2apic: bool = False) -> None:
        if any(a.x2apic != x2apic for a in apics):
            raise ConfigError("all APICs must share the bus's xAPIC/x2APIC mode")
        ids = [a.apic_id for a in apics]
        if len(set(ids)) != len(ids):
            raise ConfigError("duplicate APIC IDs")
        self.apics = sorted(apics, key=lambda a: a.apic_id)
        self.x2apic = x2apic
        self.by_id = {a.apic_id: a for a in self.apics}
        self.broadcast = 0xFFFFFFFF if x2apic else 0xFF
        self.reserved_mode_count = 0

    def match(self, dest: int, dest_mode: int) -> list[LocalApic]:
        if not dest_mode and dest != self.broadcast:  # fast path: physical unicast
            a = self.by_id.get(dest if self.x2apic else dest & 0xFF)
            return [a] if a is not None else []
        return [a for a in self.apics if a.matches(dest, dest_mode)]

    @staticmethod
    def lowest_priority(candidates: list[LocalApic]) -> LocalApic:
        """Documented rule: lowest PPR among the enabled matches, ties to the lowest APIC ID."""
        pool = [a for a in candidates if a.enabled] or candidates
        return min(pool, key=lambda a: (a.ppr, a.apic_id))

    def deliver(self, dest: int, dest_mode: int, vector: int, delivery_mode: int = 0,
                trigger_mode: int = 0, redirection_hint: int = 0, level: int = 1) -> BusDelivery:
        """Deliver one request. Lowest-priority delivery, and any request with RH = 1, goes to
        exactly one of the matched APICs (KVM kvm_lowest_prio_delivery(): delivery mode
        lowest priority or msi_redir_hint; the SDM's RH = 1 rule); RH = 0 fixed reaches every
        matched APIC."""
        out = BusDelivery()
        matched = self.match(dest, dest_mode)
        if not matched:
            return out
        if delivery_mode in (3, 6):
            self.reserved_mode_count += 1
            for a in matched:
                a.esr |= ESR_ILLEGAL_DELIVERY_MODE
                out.targets.append(a.apic_id)
                out.results.append((a.apic_id, Accept.ILLEGAL))
            return out
        if (delivery_mode == DeliveryMode.LOWEST or redirection_hint) and len(matched) > 1:
            matched = [self.lowest_priority(matched)]
        for a in matched:
            out.targets.append(a.apic_id)
            if delivery_mode in (DeliveryMode.FIXED, DeliveryMode.LOWEST):
                out.results.append((a.apic_id, a.accept(vector, trigger_mode, level)))
            else:
                a.other_events[delivery_mode] = a.other_events.get(delivery_mode, 0) + 1
                out.results.append((a.apic_id, Accept.OTHER))
        return out
