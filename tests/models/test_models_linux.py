"""Linux vector matrix, Intel IR domain, IMS domain (driving the device model)."""
import asyncio

import pytest

from models.errors import AllocationError, BusyError, ConfigError
from models.iommu import IrUnit, RemappedIrte, unpack_irte
from models.ims_device import ImsDevice
from models.linux.ims import (BusToken, IdxdImsChip, ImsDomain, ImsDomainTemplate, MsiFlag)
from models.linux.ir import IntelIrDomain
from models.linux.vector import VectorDomain, VectorMatrix
from models.memory import HostMemory
from models.platform import Platform


def run(coro):
    return asyncio.run(coro)


# ---------------------------------------------------------------- vector matrix
def test_vector_lowest_free_and_most_free_cpu():
    m = VectorMatrix(3)
    assert m.alloc() == (0, 0x20)        # all equal: lowest CPU, lowest vector
    assert m.alloc() == (1, 0x20)        # CPU 0 now has one fewer free
    assert m.alloc() == (2, 0x20)
    assert m.alloc({1, 2}) == (1, 0x21)
    m.free(0, 0x20)
    assert m.alloc({0}) == (0, 0x20)     # freed vector reused first


def test_vector_range_and_exhaustion():
    m = VectorMatrix(1)
    got = [m.alloc()[1] for _ in range(0xEC - 0x20)]
    assert got == list(range(0x20, 0xEC))
    with pytest.raises(AllocationError):
        m.alloc()


def test_vector_domain_move_keeps_old_mapping():
    vd = VectorDomain(2)
    vd.alloc(30)
    assert vd.activate(30, {0}) == (0, 0x20)
    assert vd.set_affinity(30, {1}) == (1, 0x20)
    assert vd.lookup(0, 0x20) == 30 and vd.lookup(1, 0x20) == 30
    with pytest.raises(BusyError):
        vd.set_affinity(30, {0})
    assert vd.on_interrupt(0, 0x20) == 30      # old vector: same irq, move not complete
    assert vd.chip_data(30).move_in_progress
    assert vd.on_interrupt(1, 0x20) == 30      # first interrupt on the new target
    assert not vd.chip_data(30).move_in_progress and vd.lookup(0, 0x20) is None
    assert not vd.matrix.is_used(0, 0x20)


# ---------------------------------------------------------------- IR domain
def make_ir(size_s=15, virtual=False):
    mem = HostMemory()
    unit = IrUnit(mem)
    vd = VectorDomain(4)
    return IntelIrDomain(unit, mem, vd, table_base=0x100000, size_s=size_s, virtual=virtual)


def test_irte_blocks_power_of_two_aligned():
    ir = make_ir()
    assert ir.alloc_irte_block(1) == 0
    assert ir.alloc_irte_block(3) == 4      # rounded to 4, aligned to 4: 1..3 unusable
    assert ir.alloc_irte_block(1) == 1      # lowest free
    assert ir.alloc_irte_block(2) == 2
    assert ir.alloc_irte_block(8) == 8
    ir.free_irte_block(4, 3)
    assert ir.alloc_irte_block(4) == 4


def test_irte_exhaustion():
    ir = make_ir(size_s=1)  # 4 entries
    for i in range(4):
        assert ir.alloc_irte_block() == i
    with pytest.raises(AllocationError):
        ir.alloc_irte_block()


def test_ir_activate_writes_linux_irte():
    ir = make_ir()
    base = ir.alloc(40, requester_id=0x0310)
    cpu, vector = ir.activate(40, {2})
    e = unpack_irte(ir.read_irte(base))
    assert e == RemappedIrte(present=1, redirection_hint=1, vector=vector, dest=2,
                             sid=0x0310, sq=0, svt=1)
    assert ir.compose_msg(40) == (0xFEE00018 | base << 5, 0, 0)
    ir.deactivate(40)
    assert ir.read_irte(base) == 0


def test_patch_irte_rewrites_memory_and_invalidates_the_unit_cache():
    ir = make_ir()
    base = ir.alloc(40, requester_id=0x0310)
    ir.activate(40, {2})
    before = ir.iommu.translate(*_msg64(ir.compose_msg(40)), sid=0x0310)
    # Clear P (bit 0) behind Linux's back: the next translation must fault "not present" (0x22),
    # so the decoded-IRTE cache cannot still hold the old entry.
    new = ir.patch_irte(base, lambda raw: raw & ~1)
    assert new == ir.read_irte(base) and new & 1 == 0
    after = ir.iommu.translate(*_msg64(ir.compose_msg(40)), sid=0x0310)
    assert getattr(before, "vector", None) is not None and getattr(after, "reason", None) == 0x22
    assert ir.irte_in_use[base]                     # allocation state untouched


def _msg64(msg):
    lo, hi, data = msg
    return hi << 32 | lo, data


# ---------------------------------------------------------------- IMS domain
def setup(num_slots=8, **kw):
    plat = Platform(num_cpus=4, **kw)
    dev = ImsDevice(num_slots=num_slots)
    ims = plat.create_ims_domain(dev, hwsize=num_slots, requester_id=0x0300)
    return plat, dev, ims


def test_alloc_lowest_slot_prepare_masks_and_records_pasid():
    plat, dev, ims = setup()
    dev.write(0x8000 + 0xC, 0)  # unmask slot 0 by hand, prepare_desc must mask it again
    a = run(ims.alloc(cookie=0x12345))
    assert (a.index, a.irq) == (0, 24)
    # ctrl = (0x12345 << 12) | PASID_EN 0x8 | MASK 1 = 0x12345009
    assert dev.slot(0) == (0, 0, 0, 0x12345009)
    b = run(ims.alloc())
    assert b.index == 1 and dev.slot(1)[3] == 0x1
    assert ims.info(a.irq).cookie == 0x12345


def test_request_writes_message_and_unmasks():
    plat, dev, ims = setup()
    a = run(ims.alloc(cookie=7))
    run(ims.request(a.irq))
    info = ims.info(a.irq)
    lo = 0xFEE00018 | info.irte_index << 5
    assert dev.slot(a.index) == (lo, 0, 0, 7 << 12 | 0x8)


def test_free_and_reallocation_lowest():
    plat, dev, ims = setup()
    irqs = [run(ims.alloc(cookie=i)) for i in range(3)]
    for x in irqs:
        run(ims.request(x.irq))
    run(ims.free(irqs[1].irq))
    assert dev.slot(1) == (0, 0, 0, 0x1)   # shutdown: zero message, ctrl = MASK
    again = run(ims.alloc(cookie=9))
    assert again.index == 1 and again.irq == irqs[1].irq  # lowest free slot and irq number


def test_deactivate_zero_message_and_irte():
    plat, dev, ims = setup()
    a = run(ims.alloc(cookie=1))
    run(ims.request(a.irq))
    idx = ims.info(a.irq).irte_index
    run(ims.deactivate(a.irq))
    assert dev.slot(0)[:3] == (0, 0, 0)
    assert plat.ir_domain.read_irte(idx) == 0


def test_slot_exhaustion_raises_allocation_error():
    plat, dev, ims = setup(num_slots=2)
    run(ims.alloc()); run(ims.alloc())
    with pytest.raises(AllocationError):
        run(ims.alloc())


def test_irte_exhaustion_through_ims():
    plat, dev, ims = setup(num_slots=8, size_s=1)  # 4 IRTEs
    for _ in range(4):
        run(ims.alloc())
    with pytest.raises(AllocationError):
        run(ims.alloc())
    assert 28 not in plat.irq_numbers  # number rolled back


def test_affinity_under_ir_leaves_slot_and_old_vector_reaches_same_irq():
    plat, dev, ims = setup()
    a = run(ims.alloc(cookie=3))
    run(ims.request(a.irq, affinity={0}))
    dev.write(0x010, 1)
    before = dev.slot(a.index)
    old = ims.info(a.irq)
    # a message in flight: already accepted into CPU 0's IRR on the old vector
    plat.auto_ack = False
    msg = dev.trigger(a.index, pasid=3).message
    assert plat.receive_write(msg.addr, msg.data, 0x0300).outcome == "accepted"
    new_cpu, new_vec = run(ims.set_affinity(a.irq, {2}))
    assert dev.slot(a.index) == before            # device untouched
    assert new_cpu == 2
    e = unpack_irte(plat.ir_domain.read_irte(old.irte_index))
    assert (e.dest, e.vector) == (2, new_vec)
    plat.auto_ack = True
    assert plat.dispatch(0) == [(old.vector, a.irq)]   # old vector still runs the same irq
    d = plat.receive_write(msg.addr, msg.data, 0x0300)
    assert (d.outcome, d.linux_irq, d.cpu) == ("delivered", a.irq, 2)
    assert plat.irq_for(0, old.vector) is None           # move completed, old vector freed


def test_affinity_without_ir_rewrites_masked():
    plat, dev, ims = setup(ir_enabled=False)
    a = run(ims.alloc())
    run(ims.request(a.irq, affinity={0}))
    assert dev.slot(0)[:3] == (0xFEE00000, 0, 0x20)
    run(ims.set_affinity(a.irq, {3}))
    assert dev.slot(0) == (0xFEE03000, 0, 0x20, 0)  # dest 3 << 12, still unmasked after
    dev.write(0x010, 1)
    m = dev.trigger(0).message
    d = plat.receive_write(m.addr, m.data, 0x0300)
    assert (d.outcome, d.linux_irq, d.cpu) == ("delivered", a.irq, 3)


class NoAffinityChip(IdxdImsChip):
    async def irq_set_affinity(self, *a):
        pass


def test_domain_creation_refusals():
    plat = Platform()
    dev = ImsDevice(num_slots=8)
    chip = IdxdImsChip(dev)
    with pytest.raises(ConfigError):
        ImsDomain.create(plat.vector_domain, dev, 8, 0x300)
    with pytest.raises(ConfigError):
        ImsDomain.create(make_ir(virtual=True), dev, 8, 0x300)
    with pytest.raises(ConfigError):
        ImsDomain.create(plat.ir_domain, dev, 8, 0x300, ImsDomainTemplate(
            chip=chip, bus_token=BusToken.DOMAIN_BUS_PCI_DEVICE_MSIX))
    with pytest.raises(ConfigError):
        ImsDomain.create(plat.ir_domain, dev, 8, 0x300, ImsDomainTemplate(
            chip=chip, flags=MsiFlag.ALLOC_SIMPLE_MSI_DESCS))
    with pytest.raises(ConfigError):
        ImsDomain.create(plat.ir_domain, dev, 8, 0x300,
                         ImsDomainTemplate(chip=NoAffinityChip(dev)))

    class NoMask:
        async def irq_unmask(self, d): ...
        async def irq_write_msi_msg(self, d, m): ...
    with pytest.raises(ConfigError):
        ImsDomain.create(plat.ir_domain, dev, 8, 0x300, ImsDomainTemplate(chip=NoMask()))
    assert ImsDomain.create(plat.ir_domain, dev, 8, 0x300) is not None


def test_vector_exhaustion_through_ims():
    plat = Platform(num_cpus=1)
    dev = ImsDevice(num_slots=256)
    ims = plat.create_ims_domain(dev, hwsize=256, requester_id=0x300)
    irqs = [run(ims.alloc()).irq for _ in range(0xEC - 0x20 + 1)]
    # irq_matrix_reserve() never fails, it warns once reservations reach what is available;
    # the shortage shows at activation (irq_matrix_alloc() -ENOSPC).
    assert plat.vector_domain.warnings == ["Interrupt reservation exceeds available resources"]
    for irq in irqs[:-1]:
        run(ims.request(irq))
    with pytest.raises(AllocationError):
        run(ims.request(irqs[-1]))


def test_system_vectors_excluded():
    plat = Platform(num_cpus=1, system_vectors=(0x20,))
    dev = ImsDevice(num_slots=8)
    ims = plat.create_ims_domain(dev, hwsize=8, requester_id=0x300)
    a = run(ims.alloc())
    run(ims.request(a.irq))
    assert ims.info(a.irq).vector == 0x21
