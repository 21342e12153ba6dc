"""Platform facade for the scoreboard: MSI write -> IR unit -> APIC -> Linux irq."""
from __future__ import annotations

from dataclasses import dataclass, field

from .apic import Accept, ApicBus, LocalApic
from .errors import ModelError
from .iommu import IrDeliver, IrUnit
from .linux.ims import (DEFAULT_QUEUE_TABLE, DEFAULT_TABLE_BASE, ImsDomain, ImsDomainTemplate,
                         ImsIrqInfo, QueueMemImsChip, RegisterAccess)
from .linux.irqdesc import IrqNumbers
from .linux.ir import IntelIrDomain
from .linux.vector import VectorDomain
from .memory import HostMemory

IrqInfo = ImsIrqInfo


@dataclass
class Delivery:
    """What one interrupt write did. `outcome`: delivered, faulted, posted, coalesced, illegal,
    spurious, held, no_target, not_interrupt (IR disabled and the address is no interrupt
    address: a memory write)."""
    outcome: str
    linux_irq: int | None = None
    cpu: int | None = None
    vector: int | None = None
    reason: int | None = None          # IR fault reason (faulted)
    recorded: bool | None = None       # fault logged (False: FPD suppressed)
    irte_index: int | None = None
    notified: bool | None = None       # posted: notification sent
    descriptor_addr: int | None = None
    handled: list[tuple[int, int, int | None]] = field(default_factory=list)  # (cpu, vec, irq)
    cpus: list[int] = field(default_factory=list)  # every CPU whose APIC took the vector


class Platform:
    def __init__(self, num_cpus: int = 4, x2apic: bool = False, posted_supported: bool = False,
                 ir_enabled: bool = True, first_irq: int = 24, table_base: int = 0x100000,
                 size_s: int = 15, auto_ack: bool = True,
                 system_vectors: tuple[int, ...] = ()) -> None:
        self.num_cpus = num_cpus
        self.memory = HostMemory()
        self.iommu = IrUnit(self.memory, posted_supported=posted_supported)
        self.apics = [LocalApic(cpu, x2apic=x2apic) for cpu in range(num_cpus)]
        self.bus = ApicBus(self.apics, x2apic=x2apic)
        self.cpu_of_apic = {a.apic_id: cpu for cpu, a in enumerate(self.apics)}
        # system_vectors: e.g. (0x20,) for IRQ_MOVE_CLEANUP_VECTOR on 6.2-6.5, 0x80 with IA32 emu
        self.vector_domain = VectorDomain(num_cpus, system_vectors)
        # The old vector of a move is released only once it is clear in that CPU's IRR.
        self.vector_domain.irr_pending = lambda cpu, vector: self.apics[cpu].has_irr(vector)
        self.irq_numbers = IrqNumbers(first_irq)
        self.auto_ack = auto_ack
        self.ir_domain: IntelIrDomain | None = None
        if ir_enabled:
            self.ir_domain = IntelIrDomain(self.iommu, self.memory, self.vector_domain,
                                           table_base=table_base, size_s=size_s, eime=x2apic,
                                           apic_id_of=lambda cpu: self.apics[cpu].apic_id)
        self.domains: list[ImsDomain] = []

    def create_ims_domain(self, regs: RegisterAccess | None, hwsize: int, requester_id: int,
                          template: ImsDomainTemplate | None = None,
                          table_base: int = DEFAULT_TABLE_BASE) -> ImsDomain:
        parent = self.ir_domain if self.ir_domain is not None else self.vector_domain
        dom = ImsDomain.create(parent, regs, hwsize, requester_id, template,
                               irq_numbers=self.irq_numbers, table_base=table_base,
                               allow_without_ir=self.ir_domain is None)
        dom.apic_id_of = lambda cpu: self.apics[cpu].apic_id
        self.domains.append(dom)
        return dom

    async def create_ims_mem_domain(self, regs: RegisterAccess, entries: int, requester_id: int,
                                    table_addr: int = DEFAULT_QUEUE_TABLE,
                                    num_slots: int | None = None) -> ImsDomain:
        """The queue-memory IMS domain (platform-models.md §7): the driver programs the device
        (MEM_BASE_LO/HI = table_addr, MEM_ENTRIES = entries; NUM_SLOTS read unless given),
        then the domain is created with hwsize = MEM_ENTRIES over a QueueMemImsChip whose
        entries live in this platform's memory (give the device model the same memory:
        ImsDevice(..., memory=platform.memory)). Its irq numbers come from the platform's
        pool, its slot indices from its own allocation space."""
        chip = QueueMemImsChip(regs, self.memory, table_addr, num_slots)
        await chip.program_device(entries)
        return self.create_ims_domain(None, hwsize=entries, requester_id=requester_id,
                                      template=ImsDomainTemplate(chip=chip))

    # -- lookups for the scoreboard
    def irq_for(self, cpu: int, vector: int) -> int | None:
        return self.vector_domain.vector_irq[cpu][vector]

    def irq_info(self, irq: int) -> IrqInfo:
        for d in self.domains:
            if irq in d.descs:
                return d.info(irq)
        raise ModelError(f"irq {irq} is not an IMS irq of this platform")

    # -- message path
    def dispatch(self, cpu: int) -> list[tuple[int, int | None]]:
        """Run the CPU: acknowledge + EOI every dispatchable vector, highest first."""
        apic = self.apics[cpu]
        out = []
        while True:
            v = apic.acknowledge()
            if v is None:
                break
            irq = self.vector_domain.on_interrupt(cpu, v)
            apic.eoi()
            out.append((v, irq))
        # A moved-away vector whose IRR bit was set when its cleanup ran is freed now.
        self.vector_domain.run_cleanup(cpu)
        return out

    def receive_write(self, addr: int, data: int, sid: int) -> Delivery:
        r = self.iommu.translate(addr, data, sid)
        if r.__class__ is not IrDeliver:
            if r.kind == "not_interrupt":
                return Delivery("not_interrupt")
            if r.kind == "fault":
                return Delivery("faulted", reason=r.reason, recorded=r.recorded,
                                irte_index=r.index)
            d = Delivery("posted", vector=r.vector, notified=r.notified,
                         descriptor_addr=r.descriptor_addr, irte_index=r.index)
            n = r.notification
            if n is not None:
                res = self.bus.deliver(n.dest, 0, n.vector, 0, 0)
                for apic_id in res.accepted:
                    cpu = self.cpu_of_apic[apic_id]
                    if self.auto_ack:
                        d.handled += [(cpu, v, irq) for v, irq in self.dispatch(cpu)]
            return d
        vector = r.vector
        if r.dest_mode == 0 and r.delivery_mode == 0 and r.dest != self.bus.broadcast:
            # fast path: fixed, physical unicast
            apic = self.bus.by_id.get(r.dest)
            if apic is None:
                return Delivery("no_target", vector=vector, irte_index=r.index)
            results = [(apic.apic_id, apic.accept(vector, r.trigger_mode, r.level))]
        else:
            results = self.bus.deliver(r.dest, r.dest_mode, vector, r.delivery_mode,
                                       r.trigger_mode, r.redirection_hint, r.level).results
            if not results:
                return Delivery("no_target", vector=vector, irte_index=r.index)
        primary: Delivery | None = None
        handled: list[tuple[int, int, int | None]] = []
        for apic_id, acc in results:
            cpu = self.cpu_of_apic[apic_id]
            if acc is Accept.ACCEPTED:
                if not self.auto_ack:
                    d = Delivery("accepted", cpu=cpu, vector=vector)
                else:
                    ran = self.dispatch(cpu)
                    handled += [(cpu, v, irq) for v, irq in ran]
                    mine = [irq for v, irq in ran if v == vector]
                    if mine:
                        irq = mine[0]
                        d = Delivery("delivered" if irq is not None else "spurious",
                                     linux_irq=irq, cpu=cpu, vector=vector)
                    else:
                        d = Delivery("held", cpu=cpu, vector=vector)
            elif acc is Accept.COALESCED:
                d = Delivery("coalesced", cpu=cpu, vector=vector)
            elif acc is Accept.ILLEGAL:
                d = Delivery("illegal", cpu=cpu, vector=vector)
            else:
                d = Delivery(acc.value, cpu=cpu, vector=vector)
            if primary is None:
                primary = d
        assert primary is not None
        primary.irte_index = r.index
        primary.handled = handled
        if len(results) == 1:
            # unicast (the fast path above and most bus deliveries): no list to filter
            acc = results[0][1]
            primary.cpus = [primary.cpu] if acc is Accept.ACCEPTED or acc is Accept.COALESCED else []
        else:
            primary.cpus = [self.cpu_of_apic[a] for a, acc in results
                            if acc is Accept.ACCEPTED or acc is Accept.COALESCED]
        return primary
