"""Throughput benchmark: decode -> IR -> APIC (ack + EOI) -> Linux irq lookup.

`python -m models.bench [--messages N] [--irqs 64] [--cpus 4]`
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time

from .ims_device import ImsDevice, Outcome
from .platform import Platform
from .regmap import CTRL_ENABLE, REG_CTRL

REQUESTER_ID = 0x0300


async def _setup(num_irqs: int, num_cpus: int) -> tuple[Platform, list[tuple[int, int, int]]]:
    plat = Platform(num_cpus=num_cpus)
    dev = ImsDevice(num_slots=max(2, 1 << (num_irqs - 1).bit_length()))
    ims = plat.create_ims_domain(dev, hwsize=dev.num_slots, requester_id=REQUESTER_ID)
    irqs = []
    for i in range(num_irqs):
        a = await ims.alloc(cookie=i + 1)
        await ims.request(a.irq)
        irqs.append(a)
    dev.write(REG_CTRL, CTRL_ENABLE)
    msgs = []
    for a in irqs:
        r = dev.trigger(a.index, pasid=a.index + 1)
        assert r.outcome is Outcome.SENT and r.message is not None
        msgs.append((r.message.addr, r.message.data, a.irq))
    return plat, msgs


def run(messages: int, num_irqs: int = 64, num_cpus: int = 4) -> float:
    plat, msgs = asyncio.run(_setup(num_irqs, num_cpus))
    receive = plat.receive_write
    n = len(msgs)
    t0 = time.perf_counter()
    for i in range(messages):
        addr, data, irq = msgs[i % n]
        d = receive(addr, data, REQUESTER_ID)
        if d.linux_irq != irq:
            raise AssertionError(f"message {i}: expected irq {irq}, got {d}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m models.bench")
    p.add_argument("--messages", type=int, default=200000)
    p.add_argument("--irqs", type=int, default=64)
    p.add_argument("--cpus", type=int, default=4)
    a = p.parse_args(argv)
    dt = run(a.messages, a.irqs, a.cpus)
    rate = a.messages / dt
    print(f"model bench: {a.messages} messages in {dt:.2f} s = {rate / 1000:.0f}k msg/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
