"""Differential tests: one model behaviour each, against the real function it follows.

Every test names the function (Linux 6.2-6.9, QEMU, KVM, VirtualBox) whose behaviour fixes
the expected value, and derives that value the way the function computes it. models/README.md
("Source map") lists each behaviour with its function and the test here (or the older test
file) that checks it. Simulator-free.
"""
from __future__ import annotations

import asyncio

import pytest

from models.apic import Accept, ApicBus, LocalApic
from models.errors import AllocationError, BusyError
from models.iommu import (FaultReason, FaultRecord, IrDeliver, IrFault, IrNotInterrupt, IrUnit,
                          RemappedIrte, unpack_irte)
from models.ims_device import ImsDevice
from models.linux.ir import IntelIrDomain
from models.linux.vector import VectorDomain, VectorMatrix
from models.memory import HostMemory
from models.msi import ims_slot_message
from models.platform import Platform

BASE = 0x200000
SID = 0x0300


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def unit():
    u = IrUnit(HostMemory())
    u.set_table(BASE, 7)            # 256 entries
    u.enable(cfi=True)              # CFI set so compatibility messages are not blocked here
    return u


def put(u, idx, value):
    u.memory.write128(BASE + 16 * idx, value)


def linux_irte(vector=0x30, dest=1, sid=SID, **kw):
    # prepare_irte() + set_msi_sid(): P, RH = 1, physical, edge, fixed, SVT = 1, SQ = 0.
    return RemappedIrte(present=1, redirection_hint=1, vector=vector, dest=dest, sid=sid,
                        sq=0, svt=1, **kw).pack()


# ====================================================================== IR unit: the request
def test_ir_address_high_is_fault_20_in_remappable_format(unit):
    # QEMU vtd_interrupt_remap_msi(): `origin->address & VTD_MSI_ADDR_HI_MASK` ->
    # vtd_report_ir_fault(.., VTD_FR_IR_REQ_RSVD, 0): reason 0x20, index 0, before the IRTE.
    put(unit, 5, linux_irte())
    r = unit.translate(1 << 32 | ims_slot_message(5)[0], 0, SID)
    assert r == IrFault(FaultReason.REQ_RESERVED, SID, 0, True)


def test_ir_address_high_is_fault_20_in_compatibility_format(unit):
    # Same check, made before the format bit is looked at (QEMU vtd_interrupt_remap_msi).
    r = unit.translate(1 << 32 | 0xFEE01000, 0x41, SID)
    assert (r.reason, r.index) == (FaultReason.REQ_RESERVED, 0)


def test_ir_address_outside_fee_window_is_fault_20(unit):
    # QEMU vtd_interrupt_remap_msi(): `addr.addr.__head != 0xfee` -> VTD_FR_IR_REQ_RSVD, index 0.
    r = unit.translate(0x12345678, 0, SID)
    assert unit.fault_log == [FaultRecord(FaultReason.REQ_RESERVED, SID, 0)]
    assert r.recorded


def test_ir_data_high_with_shv_is_fault_20_index_0(unit):
    # VirtualBox dmarIrRemapIntr(): reserved data bits -> VTDIRFAULT_REMAPPABLE_INTR_RSVD with
    # idxIntr 0 (the handle is not used for the record).
    r = unit.translate(ims_slot_message(7)[0], 0x1_0000, SID)
    assert (r.reason, r.index) == (FaultReason.REQ_RESERVED, 0)


def test_ir_disabled_write_outside_window_is_no_interrupt():
    # QEMU hw/intc/apic.c: the APIC MSI region is APIC_DEFAULT_ADDRESS (0xFEE00000) with
    # APIC_SPACE_SIZE 0x100000; anything else (or a non-zero high DWORD) is a memory write.
    u = IrUnit(HostMemory())
    assert u.translate(0xFED00000, 0x30, SID) == IrNotInterrupt(0xFED00000, 0x30)
    assert u.translate(1 << 32 | 0xFEE00000, 0x30, SID).kind == "not_interrupt"
    assert u.translate(0xFEE01000, 0x30, SID).kind == "deliver"


def test_ir_remapped_request_asserts(unit):
    # VirtualBox dmarIrRemapFromIrte(): `pMsiOut->Data.n.u1Level = 1`; TM comes from the IRTE.
    put(unit, 3, linux_irte(vector=0x44, dest=2, trigger_mode=1))
    r = unit.translate(ims_slot_message(3)[0], 0, SID)
    assert (r.vector, r.dest, r.trigger_mode, r.level, r.redirection_hint) == (0x44, 2, 1, 1, 1)


def test_ir_present_checked_before_reserved(unit):
    # VirtualBox dmarIrRemapIntr(): "Check if the IRTE is present (this must be done -before-
    # checking reserved bits)" -> a non-present entry with reserved bits set is 0x22.
    put(unit, 9, 1 << 100)
    assert unit.translate(ims_slot_message(9)[0], 0, SID).reason == FaultReason.NOT_PRESENT


def test_ir_xapic_destination_reserved_bits(unit):
    # VirtualBox VTD_IRTE_0_XAPIC_VALID_MASK (EIME = 0): only dest bits 47:40 are valid, so a
    # bit in 39:32 is a reserved-field fault; with EIME = 1 the whole 63:32 is the destination.
    put(unit, 4, linux_irte() | 1 << 33)
    assert unit.translate(ims_slot_message(4)[0], 0, SID).reason == FaultReason.IRTE_RESERVED
    unit.set_table(BASE, 7, eime=True)
    r = unit.translate(ims_slot_message(4)[0], 0, SID)
    assert r.kind == "deliver" and r.dest == (linux_irte() | 1 << 33) >> 32 & 0xFFFFFFFF


@pytest.mark.parametrize("sq,mask", [(0, 0xFFFF), (1, 0xFFFB), (2, 0xFFF9), (3, 0xFFF8)])
def test_ir_sid_check_sq_masks(unit, sq, mask):
    # VirtualBox dmarIrRemapIntr(): s_afValidMasks[] = {0xffff, 0xfffb, 0xfff9, 0xfff8} for
    # SQ 0..3; a requester differing only in ignored bits passes, one differing elsewhere fails.
    put(unit, 2, RemappedIrte(vector=0x30, dest=0, sid=0x0310, sq=sq, svt=1).pack())
    ignored = ~mask & 0xFFFF
    ok = unit.translate(ims_slot_message(2)[0], 0, 0x0310 ^ ignored)
    bad = unit.translate(ims_slot_message(2)[0], 0, 0x0310 ^ 0x0100)
    assert ok.kind == "deliver" and bad.reason == FaultReason.SID_CHECK


def test_ir_svt3_fails_source_check_with_0x26(unit):
    # QEMU vtd_irte_get(): default (reserved SVT) "Take this as verification failure" ->
    # VTD_FR_IR_SID_ERR (0x26); spec section 2 follows QEMU, not VirtualBox's 0x24.
    put(unit, 6, RemappedIrte(vector=0x30, sid=SID, svt=3).pack())
    assert unit.translate(ims_slot_message(6)[0], 0, SID).reason == FaultReason.SID_CHECK


def test_ir_compat_blocked_when_cfi_clear_or_eime(unit):
    # VirtualBox iommuIntelMsiRemap(): EIME set or GSTS.CFIS clear -> VTDIRFAULT_CFI_BLOCKED
    # (0x25) with idxIntr 0; otherwise passed through unchanged.
    assert unit.translate(0xFEE01000, 0x41, SID).kind == "deliver"
    unit.enable(cfi=False)
    assert unit.translate(0xFEE01000, 0x41, SID) == IrFault(FaultReason.COMPAT_BLOCKED, SID, 0, True)


def test_ir_fpd_suppresses_only_qualified_records(unit):
    # VirtualBox dmarIrFaultRecordQualified() / QEMU vtd_is_qualified_fault(): FPD = 1 keeps a
    # qualified fault (0x22 here: P = 0 with FPD = 1) out of the log; the message is dropped.
    put(unit, 8, 1 << 1)
    r = unit.translate(ims_slot_message(8)[0], 0, SID)
    assert (r.reason, r.recorded, unit.fault_log) == (FaultReason.NOT_PRESENT, False, [])


# ====================================================================== local APIC (KVM/QEMU)
def flat_bus(n=4):
    return ApicBus([LocalApic(i) for i in range(n)])


def test_apic_rh1_logical_goes_to_one_cpu():
    # KVM kvm_irq_delivery_to_apic(): kvm_lowest_prio_delivery(irq) is true for
    # msi_redir_hint, so exactly one matched APIC gets the fixed interrupt.
    bus = flat_bus()
    res = bus.deliver(0b1110, 1, 0x40, delivery_mode=0, redirection_hint=1)
    assert res.targets == [1]       # spec section 3 rule: equal PPR -> lowest APIC ID


def test_apic_rh1_physical_broadcast_goes_to_one_cpu():
    # KVM kvm_irq_delivery_to_apic(): a broadcast takes the slow path, where
    # kvm_lowest_prio_delivery() (msi_redir_hint) again picks a single APIC; the destination
    # mode is not looked at.
    assert flat_bus().deliver(0xFF, 0, 0x40, redirection_hint=1).targets == [0]
    assert flat_bus().deliver(0xFF, 0, 0x40, redirection_hint=0).targets == [0, 1, 2, 3]


def test_apic_rh0_logical_goes_to_every_match():
    # KVM kvm_irq_delivery_to_apic(): !kvm_lowest_prio_delivery -> kvm_apic_set_irq() on each.
    res = flat_bus().deliver(0b1110, 1, 0x40, delivery_mode=0, redirection_hint=0)
    assert res.targets == [1, 2, 3]


def test_apic_rh1_picks_lowest_ppr():
    # Lowest priority among the matched: CPU 1 busy at TPR 0x50, so CPU 2 takes it.
    bus = flat_bus()
    bus.apics[1].tpr = 0x50
    assert bus.deliver(0b0110, 1, 0x40, redirection_hint=1).targets == [2]


def test_apic_tmr_follows_a_coalesced_message():
    # KVM __apic_accept_irq(): TMR is set/cleared from trig_mode before the IRR bit is set,
    # also when it was already set (QEMU apic_set_irq() likewise).
    a = LocalApic(0)
    assert a.accept(0x50, trigger_mode=1) is Accept.ACCEPTED and a.has_tmr(0x50)
    assert a.accept(0x50, trigger_mode=0) is Accept.COALESCED and not a.has_tmr(0x50)


def test_apic_level_deassert_is_ignored():
    # KVM __apic_accept_irq(): `if (unlikely(trig_mode && !level)) break;`
    a = LocalApic(0)
    assert a.accept(0x50, trigger_mode=1, level=0) is Accept.DEASSERT and not a.irr


def test_apic_disabled_refuses_fixed():
    # KVM __apic_accept_irq(): `if (unlikely(!apic_enabled(apic))) break;`
    a = LocalApic(0)
    a.enabled = False
    assert a.accept(0x50) is Accept.DISABLED and not a.irr


def test_apic_ppr_and_dispatch_threshold():
    # KVM __apic_update_ppr(): PPR = TPR if TPR[7:4] >= ISRV[7:4] else ISRV & 0xF0;
    # apic_has_interrupt_for_ppr(): highest IRR taken only if (irr & 0xF0) > PPR.
    a = LocalApic(0)
    a.tpr = 0x45
    a.accept(0x4F)
    assert a.ppr == 0x45 and a.acknowledge() is None
    a.accept(0x51)
    assert a.acknowledge() == 0x51 and a.ppr == 0x50


# ====================================================================== matrix.c
def test_matrix_reserve_never_fails_and_warns():
    # irq_matrix_reserve(): `if (m->global_reserved == m->global_available) pr_warn(...)`,
    # then global_reserved++ regardless.
    m = VectorMatrix(1)
    avail = 0xEC - 0x20
    for _ in range(avail + 3):
        m.reserve()
    assert m.reserved == avail + 3
    assert m.warnings == ["Interrupt reservation exceeds available resources"]


def test_matrix_alloc_consumes_reservation():
    # irq_matrix_alloc(): `if (reserved) m->global_reserved--;`
    m = VectorMatrix(2)
    m.reserve()
    assert m.alloc(reserved=True) == (0, 0x20) and m.reserved == 0


def test_matrix_best_cpu_most_available_ties_low():
    # matrix_find_best_cpu(): `cm->available <= maxavl` skips, so the first CPU with the
    # strictly largest count wins.
    m = VectorMatrix(3)
    m.alloc_on(0)
    assert m.best_cpu({0, 1, 2}) == 1


# ====================================================================== vector.c
def test_activation_falls_back_to_online_cpus_and_warns():
    # activate_reserved() -> assign_irq_vector_any_locked(): the affinity mask, then every
    # online CPU; then "irq %u: Affinity broken due to vector space exhaustion."
    vd = VectorDomain(2)
    for _ in range(0xEC - 0x20):
        vd.matrix.alloc_on(0)
    vd.alloc(40)
    assert vd.activate(40, {0}) == (1, 0x20)
    assert vd.warnings[-1] == "irq 40: Affinity broken due to vector space exhaustion."


def test_set_affinity_has_no_fallback():
    # apic_set_affinity() -> assign_vector_locked(mask & online) -> irq_matrix_alloc() -ENOSPC.
    vd = VectorDomain(2)
    vd.alloc(40)
    vd.activate(40, {1})
    for _ in range(0xEC - 0x20):
        vd.matrix.alloc_on(0)
    with pytest.raises(AllocationError):
        vd.set_affinity(40, {0})
    assert vd.chip_data(40).affinity == frozenset({1})   # mask unchanged on failure


def test_set_affinity_keeps_vector_when_cpu_in_mask_even_during_move():
    # assign_vector_locked(): the "current CPU online and in the mask" return comes before
    # the move_in_progress/-EBUSY check.
    vd = VectorDomain(3)
    vd.alloc(40)
    vd.activate(40, {0})
    vd.set_affinity(40, {1})                                   # move open (no IR: no cleanup yet)
    assert vd.set_affinity(40, {1, 2}) == (1, 0x20)            # kept, no -EBUSY
    with pytest.raises(BusyError):
        vd.set_affinity(40, {2})


def test_busy_while_cleanup_queued():
    # assign_vector_locked(): `!hlist_unhashed(&apicd->clist)` -> -EBUSY: the cleanup of the
    # old vector is queued because its IRR bit is still set.
    vd = VectorDomain(3)
    vd.irr_pending = lambda cpu, v: (cpu, v) == (0, 0x20)
    vd.alloc(40)
    vd.activate(40, {0})
    vd.set_affinity(40, {1})
    vd.schedule_cleanup(40)
    cd = vd.chip_data(40)
    assert not cd.move_in_progress and cd.cleanup_pending and cd.prev_vector == 0x20
    with pytest.raises(BusyError):
        vd.set_affinity(40, {2})


def test_ir_move_complete_at_once_old_vector_freed_when_irr_clear():
    # intel_ir_set_affinity(): IRTE rewritten, then send_cleanup_vector()/
    # vector_schedule_cleanup(); the cleanup (IRQ_MOVE_CLEANUP_VECTOR handler, __vector_cleanup
    # in 6.6+) frees the old vector unless `irr & (1U << (vector % 32))`.
    plat = Platform(num_cpus=2, auto_ack=False)
    vd, ir = plat.vector_domain, plat.ir_domain
    ir.alloc(40, SID)
    ir.activate(40, {0})
    plat.apics[0].accept(0x20)                      # an interrupt waiting on the old vector
    ir.set_affinity(40, {1})
    cd = vd.chip_data(40)
    assert not cd.move_in_progress and (cd.prev_cpu, cd.prev_vector) == (0, 0x20)
    assert unpack_irte(ir.read_irte(ir.data(40).irte_index)).dest == 1
    assert plat.dispatch(0) == [(0x20, 40)]         # old vector still runs irq 40
    assert cd.prev_vector is None and vd.lookup(0, 0x20) is None
    assert not vd.matrix.is_used(0, 0x20)


def test_ir_move_without_pending_interrupt_frees_old_vector_immediately():
    # Same path with the old IRR bit clear: nothing waits for an interrupt on the new target.
    plat = Platform(num_cpus=2)
    ir = plat.ir_domain
    ir.alloc(40, SID)
    ir.activate(40, {0})
    ir.set_affinity(40, {1})
    assert plat.vector_domain.chip_data(40).prev_vector is None


def test_move_without_ir_completes_on_first_interrupt_on_new_target():
    # irq_complete_move() / __irq_complete_move(): only an interrupt on the new CPU (and new
    # vector) schedules the cleanup; one on the old vector leaves the move open.
    vd = VectorDomain(2)
    vd.alloc(40)
    vd.activate(40, {0})
    vd.set_affinity(40, {1})
    assert vd.on_interrupt(0, 0x20) == 40 and vd.chip_data(40).move_in_progress
    assert vd.on_interrupt(1, 0x20) == 40 and vd.chip_data(40).prev_vector is None


def test_non_reservation_mode_keeps_vector_across_deactivate():
    # x86_vector_deactivate(): "Regular fixed assigned interrupt" (!can_reserve) returns
    # early; x86_vector_activate(): "Nothing to do for fixed assigned vectors".
    vd = VectorDomain(2)
    vd.alloc(40, reservation_mode=False)
    first = vd.activate(40, {1})
    vd.deactivate(40)
    assert vd.matrix.is_used(*first) and vd.lookup(*first) == 40
    assert vd.activate(40) == first


def test_reservation_mode_gives_vector_back_at_deactivate():
    # x86_vector_deactivate(): can_reserve -> clear_irq_vector() + reserve_irq_vector_locked()
    # (MSI-X bus token: msi_check_reservation_mode() is true).
    vd = VectorDomain(2)
    vd.alloc(40, reservation_mode=True)
    cpu, vec = vd.activate(40, {1})
    assert vd.matrix.reserved == 0
    vd.deactivate(40)
    assert not vd.matrix.is_used(cpu, vec) and vd.matrix.reserved == 1


def test_free_removes_reservation():
    # x86_vector_free_irqs() -> vector_free_reserved_and_managed(): irq_matrix_remove_reserved()
    # for an irq that never got a vector.
    vd = VectorDomain(1)
    vd.alloc(40)
    vd.free(40)
    assert vd.matrix.reserved == 0


def test_set_affinity_of_deactivated_irq_only_records_mask():
    # irq_set_affinity_deactivated(): IRQD_AFFINITY_ON_ACTIVATE, the mask is stored and used at
    # activation; no vector is allocated.
    vd = VectorDomain(4)
    vd.alloc(40)
    assert vd.set_affinity(40, {3}) == (None, None)
    assert vd.activate(40) == (3, 0x20)


# ====================================================================== irq_remapping.c
def test_irte_block_lowest_aligned_power_of_two():
    # alloc_irte(): count rounded up to a power of two, bitmap_find_free_region() -> lowest
    # free region aligned to its size.
    mem = HostMemory()
    ir = IntelIrDomain(IrUnit(mem), mem, VectorDomain(1))
    assert [ir.alloc_irte_block(1), ir.alloc_irte_block(5), ir.alloc_irte_block(2)] == [0, 8, 2]


def test_ims_irte_content():
    # intel_irq_remapping_prepare_irte(): prepare_irte() (P, RH = 1, dest_mode physical,
    # TM 0, fixed) and set_msi_sid() (SVT_VERIFY_SID_SQ, SQ_ALL_16, requester ID).
    plat = Platform(num_cpus=4)
    dev = ImsDevice(num_slots=4)
    ims = plat.create_ims_domain(dev, hwsize=4, requester_id=0x0310)
    a = run(ims.alloc())
    run(ims.request(a.irq, affinity={2}))
    info = plat.irq_info(a.irq)
    e = unpack_irte(plat.ir_domain.read_irte(info.irte_index))
    assert e == RemappedIrte(present=1, redirection_hint=1, dest_mode=0, trigger_mode=0,
                             delivery_mode=0, vector=info.vector, dest=2, sid=0x0310, sq=0,
                             svt=1)


# ====================================================================== IMS domain (msi.c)
def test_ims_free_irq_request_irq_keeps_cpu_and_vector():
    # msi_check_reservation_mode(): only DOMAIN_BUS_PCI_MSI/PCI_DEVICE_MSI/PCI_DEVICE_MSIX/
    # VMD_MSI reserve; an IMS irq is fixed-assigned, so free_irq() (irq_shutdown_and_deactivate)
    # zeroes the slot message and the IRTE but keeps (CPU, vector) for the next request_irq().
    plat = Platform(num_cpus=4)
    dev = ImsDevice(num_slots=4)
    ims = plat.create_ims_domain(dev, hwsize=4, requester_id=SID)
    run(ims.alloc())
    b = run(ims.alloc())
    run(ims.request(b.irq, affinity={3}))
    before = plat.irq_info(b.irq)
    run(ims.release(b.irq))
    assert dev.slot(b.index)[:3] == (0, 0, 0)
    assert plat.ir_domain.read_irte(before.irte_index) == 0
    assert plat.irq_for(before.cpu, before.vector) == b.irq
    run(ims.request(b.irq))
    after = plat.irq_info(b.irq)
    assert (after.cpu, after.vector) == (before.cpu, before.vector) == (3, 0x20)


def test_affinity_set_while_released_applies_at_request():
    # irq_set_affinity_deactivated() records the mask of a deactivated irq; request_irq()'s
    # irq_setup_affinity() (IRQCHIP_AFFINITY_PRE_STARTUP) then moves the kept vector, whose
    # old (CPU, vector) goes to the cleanup (vector_schedule_cleanup()) and is freed at once.
    plat = Platform(num_cpus=4)
    ims = plat.create_ims_domain(ImsDevice(num_slots=4), hwsize=4, requester_id=SID)
    a = run(ims.alloc())
    run(ims.request(a.irq, affinity={1}))
    old = plat.irq_info(a.irq)
    run(ims.release(a.irq))
    run(ims.set_affinity(a.irq, {2}))
    assert (plat.irq_info(a.irq).cpu, plat.irq_info(a.irq).vector) == (old.cpu, old.vector)
    run(ims.request(a.irq))
    new = plat.irq_info(a.irq)
    assert new.cpu == 2 and new.prev_vector is None
    assert plat.irq_for(old.cpu, old.vector) is None
    assert unpack_irte(plat.ir_domain.read_irte(new.irte_index)).dest == 2


def test_ims_alloc_reserves_no_vector_then_activation_assigns():
    # x86_vector_alloc_irqs() -> assign_irq_vector_policy() without info->mask ->
    # reserve_irq_vector(): only a global reservation until request_irq() activates it.
    plat = Platform(num_cpus=2)
    ims = plat.create_ims_domain(ImsDevice(num_slots=4), hwsize=4, requester_id=SID)
    a = run(ims.alloc())
    assert plat.vector_domain.matrix.reserved == 1 and plat.irq_info(a.irq).vector is None
    run(ims.request(a.irq))
    assert plat.vector_domain.matrix.reserved == 0 and plat.irq_info(a.irq).vector == 0x20


def test_platform_rh1_logical_irte_runs_one_handler():
    # End to end: an IRTE with DM = 1, RH = 1 naming CPUs 0-3 (xAPIC flat LDR 1 << id) runs
    # the irq once, on the lowest-priority CPU (all PPR 0 -> APIC 0).
    plat = Platform(num_cpus=4)
    ims = plat.create_ims_domain(ImsDevice(num_slots=4), hwsize=4, requester_id=SID)
    a = run(ims.alloc())
    run(ims.request(a.irq, affinity={0}))
    idx = plat.irq_info(a.irq).irte_index
    plat.ir_domain.patch_irte(idx, lambda raw: (raw & ~(0xFF << 40)) | 0xF << 40 | 1 << 2)
    d = plat.receive_write(ims_slot_message(idx)[0], 0, SID)
    assert (d.outcome, d.linux_irq, d.cpu, d.cpus) == ("delivered", a.irq, 0, [0])


# ====================================================================== the source map itself
def test_every_source_map_row_names_an_existing_test():
    # models/README.md "Source map": each behaviour row must name at least one test, and every
    # named test must exist (a renamed or deleted test would leave a behaviour unchecked).
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    files = {"F": "tests/models/test_models_fidelity.py", "I": "tests/models/test_models_iommu.py",
             "A": "tests/models/test_models_apic.py", "L": "tests/models/test_models_linux.py",
             "M": "tests/models/test_models_msi.py", "P": "tests/models/test_models_platform_cli.py",
             "S": "tests/generic/test_scoreboard_unit.py", "Q": "tests/models/test_models_mem.py"}
    text = (root / "models/README.md").read_text()
    table = text.split("## Source map")[1].split("\n## ")[0]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| behaviour")]
    assert len(rows) >= 30
    for row in rows:
        refs = re.findall(r"\b([FIALMPSQ])::(test_\w+)", row.split("|")[-2])
        assert refs, f"source-map row without a test: {row[:80]}"
        for key, name in refs:
            src = (root / files[key]).read_text()
            assert re.search(rf"^def {name}\(", src, re.M), f"{files[key]} has no {name}"
