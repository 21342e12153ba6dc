"""Platform facade end to end, and the CLI via subprocess."""
import asyncio
import json
import subprocess
import sys
from pathlib import Path

from models.ims_device import ImsDevice, Outcome
from models.iommu import PostedDescriptor, PostedIrte, write_descriptor
from models.platform import Platform

ROOT = Path(__file__).resolve().parents[2]


def cli(*args):
    p = subprocess.run([sys.executable, "-m", "models", *args], cwd=ROOT, capture_output=True,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def test_readme_example_flow():
    async def go():
        plat = Platform(num_cpus=4)
        dev = ImsDevice(num_slots=64)
        ims = plat.create_ims_domain(dev, hwsize=64, requester_id=0x0300)
        a = await ims.alloc(cookie=5)
        b = await ims.alloc(cookie=6)
        await ims.request(a.irq)
        await ims.request(b.irq)
        dev.write(0x010, 1)
        for x, pasid in ((a, 5), (b, 6)):
            r = dev.trigger(x.index, pasid=pasid)
            assert r.outcome is Outcome.SENT
            d = plat.receive_write(r.message.addr, r.message.data, sid=0x0300)
            info = plat.irq_info(x.irq)
            assert (d.outcome, d.linux_irq, d.cpu, d.vector) == \
                ("delivered", x.irq, info.cpu, info.vector)
            assert plat.irq_for(info.cpu, info.vector) == x.irq
        # two irqs on an idle 4-CPU machine land on different CPUs (most free vectors)
        assert plat.irq_info(a.irq).cpu != plat.irq_info(b.irq).cpu
        # wrong requester id -> IR fault 0x26
        r = dev.trigger(a.index, pasid=5)
        d = plat.receive_write(r.message.addr, r.message.data, sid=0x0301)
        assert (d.outcome, d.reason) == ("faulted", 0x26)
        # freed irq: zero IRTE -> 0x22 for a stale message
        await ims.free(a.irq)
        d = plat.receive_write(r.message.addr, r.message.data, sid=0x0300)
        assert (d.outcome, d.reason) == ("faulted", 0x22)
    asyncio.run(go())


def test_coalesced_and_held():
    async def go():
        plat = Platform(num_cpus=1, auto_ack=False)
        dev = ImsDevice(num_slots=8)
        ims = plat.create_ims_domain(dev, hwsize=8, requester_id=0x0300)
        a = await ims.alloc()
        await ims.request(a.irq)
        dev.write(0x010, 1)
        m = dev.trigger(a.index).message
        assert plat.receive_write(m.addr, m.data, 0x0300).outcome == "accepted"
        assert plat.receive_write(m.addr, m.data, 0x0300).outcome == "coalesced"
        assert plat.apics[0].coalesced[0x20] == 1
        plat.auto_ack = True
        plat.apics[0].tpr = 0x20   # blocks class 2
        assert plat.dispatch(0) == []
        plat.apics[0].tpr = 0
        assert plat.dispatch(0) == [(0x20, a.irq)]
    asyncio.run(go())


def test_posted_through_platform():
    plat = Platform(num_cpus=2, posted_supported=True)
    write_descriptor(plat.memory, 0x5000, PostedDescriptor(nv=0xF2, ndst=1 << 8))
    idx = plat.ir_domain.alloc_irte_block()
    plat.memory.write128(plat.ir_domain.table_base + 16 * idx,
                         PostedIrte(vector=0x61, pda=0x5000, sid=0x300, svt=1).pack())
    d = plat.receive_write(0xFEE00018 | idx << 5, 0, 0x300)
    assert (d.outcome, d.vector, d.notified) == ("posted", 0x61, True)
    assert d.handled == [(1, 0xF2, None)]


def test_cli_decode_msi_remappable():
    # 0xFEE000B8: bits 19:5 = 5, bit4 remap, bit3 SHV
    rc, out, err = cli("decode-msi", "0xFEE000B8", "0")
    assert rc == 0 and json.loads(out) == {"format": "remappable", "handle": 5, "shv": 1,
                                           "subhandle": 0, "index": 5, "addr_hi": 0,
                                           "data_hi": 0}


def test_cli_decode_msi_compat_decimal():
    # 4276105216 = 0xFEE00000 (4276092928) + 0x3000 (12288) = 0xFEE03000 -> dest 3; data 0x4122 = level + DM 1 + vector 0x22
    rc, out, _ = cli("decode-msi", "4276105216", "0x4122")
    assert rc == 0 and json.loads(out) == {
        "format": "compatibility", "dest": 3, "vector": 0x22, "delivery_mode": 1,
        "dest_mode": 0, "redirection_hint": 0, "trigger_mode": 0, "level": 1, "ext_dest": 0,
        "addr_hi": 0}


def test_cli_decode_irte():
    # P, RH (0x9), vector 0x31 (<<16), dest 2 at bits 47:40, SID 0x300, SVT 1 (bit 82)
    v = 0x9 | 0x31 << 16 | 2 << 40 | (0x0300 | 1 << 18) << 64
    rc, out, _ = cli("decode-irte", f"0x{v:032x}")
    assert rc == 0 and json.loads(out) == {
        "present": 1, "fpd": 0, "mode": "remapped", "vector": 0x31, "sid": 0x300, "sq": 0,
        "svt": 1, "dest": 2, "dest_mode": 0, "redirection_hint": 1, "trigger_mode": 0,
        "delivery_mode": 0}
    rc, out, _ = cli("decode-irte", f"{v:032x}", "--eime")
    assert json.loads(out)["dest"] == 0x200


def test_cli_decode_irte_posted():
    v = 1 | 1 << 14 | 1 << 15 | 0x50 << 16 | (0x4000 >> 6) << 38
    rc, out, _ = cli("decode-irte", f"0x{v:032x}")
    o = json.loads(out)
    assert rc == 0 and (o["mode"], o["urgent"], o["pda"], o["vector"]) == \
        ("posted", 1, 0x4000, 0x50)
    assert "dest" not in o


def test_cli_errors():
    for args in (("decode-msi",), ("decode-msi", "zz"), ("decode-msi", "0x1" + "0" * 17),
                 ("decode-irte", "0x" + "f" * 33), ("bogus",), ()):
        rc, out, err = cli(*args)
        assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert "Traceback" not in err


def test_bench_runs():
    rc = subprocess.run([sys.executable, "-m", "models.bench", "--messages", "2000"], cwd=ROOT,
                        capture_output=True, text=True)
    assert rc.returncode == 0 and rc.stdout.startswith("model bench: 2000 messages")


# ------------------------------------------------------------- decoder CLI (issue 15 point 5)
def test_cli_decode_irte_bare_hex_is_hex():
    # The example: read as hex, not decimal. Low qword 0x410001 = P (bit 0) and
    # vector 0x41 (bits 23:16).
    rc, out, _ = cli("decode-irte", "00000000000000000000000000410001")
    o = json.loads(out)
    assert rc == 0 and (o["present"], o["vector"], o["mode"]) == (1, 0x41, "remapped")
    rc2, out2, _ = cli("decode-irte", "0x00000000000000000000000000410001")
    assert rc2 == 0 and json.loads(out2) == o


def test_cli_decode_irte_needs_exactly_32_hex_digits():
    for bad in ("410001", "0x410001", "0" * 31, "0" * 33, "g" + "0" * 31, "0x" + "0" * 31,
                "1_" + "0" * 31):
        rc, out, err = cli("decode-irte", bad)
        assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1, bad
        assert "32 hex digits" in err


def test_cli_decode_msi_outside_window_is_not_an_interrupt():
    for addr in ("0x12345678", "0xFED00000", "0xFEF00000"):
        rc, out, err = cli("decode-msi", addr, "0")
        assert rc == 2 and out == "" and err.strip().count("\n") == 0
        assert "not an interrupt address" in err


def test_cli_decode_msi_upper_address_reported():
    # 0x1_FEE000B8: the low DWORD is a remappable handle-5 message, the high DWORD is 1.
    rc, out, _ = cli("decode-msi", "0x1FEE000B8", "0")
    o = json.loads(out)
    assert rc == 0 and o["addr_hi"] == 1 and o["handle"] == 5
    assert any("0x1" in p and "0x20" in p for p in o["problems"])
    rc, out, _ = cli("decode-msi", str(1 << 32 | 0xFEE03000), "0x41")
    o = json.loads(out)
    assert o["format"] == "compatibility" and o["addr_hi"] == 1 and o["problems"]


def test_cli_decode_msi_data_high_with_shv_reported():
    rc, out, _ = cli("decode-msi", "0xFEE000B8", "0x10000")
    o = json.loads(out)
    assert rc == 0 and o["data_hi"] == 1 and "problems" in o
    rc, out, _ = cli("decode-msi", "0xFEE000B8", "0")
    assert "problems" not in json.loads(out)
