"""Hypothesis properties: format round trips and the device's message accounting."""
from hypothesis import given, settings, strategies as st

from models.ims_device import ImsDevice, Outcome
from models.iommu import PostedIrte, RemappedIrte, unpack_irte
from models.msi import CompatMsi, RemapMsi, decode_msi, encode_compat, encode_remap

bits = lambda n: st.integers(0, (1 << n) - 1)  # noqa: E731


@given(st.booleans(), st.data())
def test_remapped_irte_roundtrip(eime, data):
    e = RemappedIrte(present=data.draw(bits(1)), fpd=data.draw(bits(1)),
                     dest_mode=data.draw(bits(1)), redirection_hint=data.draw(bits(1)),
                     trigger_mode=data.draw(bits(1)), delivery_mode=data.draw(bits(3)),
                     avail=data.draw(bits(4)), vector=data.draw(bits(8)),
                     dest=data.draw(bits(32 if eime else 8)), sid=data.draw(bits(16)),
                     sq=data.draw(bits(2)), svt=data.draw(bits(2)))
    v = e.pack(eime)
    assert v >> 128 == 0 and not (v >> 15) & 1
    assert unpack_irte(v, eime) == e


@given(bits(1), bits(1), bits(1), bits(4), bits(8), bits(58), bits(16), bits(2), bits(2),
       st.booleans())
def test_posted_irte_roundtrip(p, fpd, urg, avail, vec, pda_hi, sid, sq, svt, eime):
    e = PostedIrte(present=p, fpd=fpd, urgent=urg, avail=avail, vector=vec, pda=pda_hi << 6,
                   sid=sid, sq=sq, svt=svt)
    v = e.pack(eime)
    assert (v >> 15) & 1 and unpack_irte(v, eime) == e


@given(bits(8), bits(8), bits(3), bits(1), bits(1), bits(1), bits(1), bits(7))
def test_compat_msi_roundtrip(dest, vec, dm, dmode, rh, tm, lvl, ext):
    m = CompatMsi(dest=dest, vector=vec, delivery_mode=dm, dest_mode=dmode, redirection_hint=rh,
                  trigger_mode=tm, level=lvl, ext_dest=ext)
    addr, data = encode_compat(m)
    assert not addr & 0x10 and (addr >> 20) == 0xFEE
    assert decode_msi(addr, data) == m


@given(bits(16), bits(1), bits(16), bits(32), bits(16))
def test_remap_msi_roundtrip(handle, shv, sub, addr_hi, data_hi):
    m = RemapMsi(handle=handle, shv=shv, subhandle=sub, addr_hi=addr_hi, data_hi=data_hi)
    addr, data = encode_remap(m)
    assert decode_msi(addr, data) == m


NUM = 8
op = st.one_of(
    st.tuples(st.just("trigger"), st.integers(0, NUM + 2), st.one_of(st.none(), st.integers(0, 3))),
    st.tuples(st.just("ctrl"), bits(2), st.just(0)),
    st.tuples(st.just("slot_ctrl"), st.integers(0, NUM - 1), st.sampled_from(
        [0, 1, 2, 3, 8 | 1 << 12, 9 | 2 << 12, 9 | 1 << 12, 0xB | 3 << 12])),
    st.tuples(st.just("data"), st.integers(0, NUM - 1), bits(32)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(op, max_size=60))
def test_every_message_explained_once(ops):
    dev = ImsDevice(num_slots=NUM, axil_addr_width=14)
    tb = dev.table_base
    # independent shadow of the architectural state
    enable = func_mask = 0
    mask = [1] * NUM
    pasid_en = [0] * NUM
    pasid = [0] * NUM
    data = [0] * NUM
    owed = [False] * NUM
    explained = []
    pended = 0

    def eligible(s):
        return enable and not func_mask and not mask[s]

    for kind, a, b in ops:
        if kind == "trigger":
            r = dev.trigger(a, pasid=b)
            if a >= NUM:
                exp = Outcome.DROP_RANGE
            elif not enable:
                exp = Outcome.DROP_DISABLED
            elif pasid_en[a] and b != pasid[a]:
                exp = Outcome.DROP_PASID
            elif mask[a] or func_mask:
                exp = Outcome.PENDED
            else:
                exp = Outcome.SENT
            assert r.outcome is exp
            if exp is Outcome.PENDED:
                owed[a] = True
                pended += 1
            if exp is Outcome.SENT:
                assert (r.message.slot, r.message.data, r.message.replay) == (a, data[a], False)
                explained.append(r.message)
            else:
                assert r.message is None
            continue
        if kind == "ctrl":
            dev.write(0x010, a)
            enable, func_mask = a & 1, a >> 1 & 1
            touched = range(NUM)
        elif kind == "slot_ctrl":
            dev.write(tb + 16 * a + 0xC, b)
            mask[a], pasid_en[a], pasid[a] = b & 1, b >> 3 & 1, b >> 12
            if b & 2:
                owed[a] = False
            touched = [a]
        else:
            dev.write(tb + 16 * a + 8, b)
            data[a] = b
            touched = []
        replays = dev.take_replays()
        expected = [s for s in touched if owed[s] and eligible(s)]
        assert sorted(m.slot for m in replays) == expected
        for m in replays:
            assert m.replay and m.data == data[m.slot]
            owed[m.slot] = False
        explained.extend(replays)
        assert all(dev.is_pending(s) == owed[s] for s in range(NUM))

    # every emitted message is exactly one trigger result or one replay, in emission order
    assert dev.emitted == explained
    assert len({m.seq for m in dev.emitted}) == len(dev.emitted)
    assert dev.read(0x020)[0] == len(explained)
    assert dev.read(0x024)[0] == pended
