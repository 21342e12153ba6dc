"""CLI: `python -m models decode-msi ADDR [DATA]` / `python -m models decode-irte HEX128 [--eime]`.

ADDR is the 64-bit message address (address high DWORD << 32 | address low DWORD) and DATA the
32-bit data DWORD, each 0x-prefixed hex or decimal. HEX128 is always hexadecimal: exactly 32
hex digits, with or without 0x. Prints one JSON object; bad input prints one line on stderr
and exits 2, and so does an address outside the interrupt window 0xFEE00000-0xFEEFFFFF
("not an interrupt address").
"""
from __future__ import annotations

import json
import re
import sys

from .iommu import INTERRUPT_WINDOW, PostedIrte, unpack_irte
from .msi import RemapMsi, decode_msi

USAGE = "usage: python -m models {decode-msi ADDR [DATA] | decode-irte HEX128 [--eime]}"
_HEX128 = re.compile(r"(?:0[xX])?([0-9a-fA-F]{32})")


class UsageError(Exception):
    pass


class NotInterruptError(Exception):
    """Well-formed input that is no interrupt message (exit 2, no usage line)."""


def _int(text: str, name: str, bits: int) -> int:
    try:
        t = text.strip().replace("_", "")
        value = int(t, 16) if t.lower().startswith("0x") else int(t, 10)
    except ValueError:
        raise UsageError(f"{name}: not a number: {text!r} (use 0x-prefixed hex or decimal)")
    if value < 0 or value >> bits:
        raise UsageError(f"{name}: {text} does not fit in {bits} bits")
    return value


def _irte_int(text: str) -> int:
    """HEX128 is hex whether or not it starts with 0x, and has exactly 32 digits (an IRTE is
    128 bits): a shorter string is more likely a truncated paste than a small entry."""
    m = _HEX128.fullmatch(text.strip())
    if m is None:
        raise UsageError(f"HEX128: {text!r} is not exactly 32 hex digits (an IRTE is 128 bits; "
                         f"0x prefix optional)")
    return int(m.group(1), 16)


def decode_msi_json(args: list[str]) -> dict:
    if not 1 <= len(args) <= 2:
        raise UsageError("decode-msi takes ADDR [DATA]")
    addr = _int(args[0], "ADDR", 64)
    data = _int(args[1], "DATA", 32) if len(args) == 2 else 0
    lo, hi = addr & 0xFFFFFFFF, addr >> 32
    if lo >> 20 != INTERRUPT_WINDOW:
        raise NotInterruptError(f"ADDR {addr:#x}: not an interrupt address (address low DWORD outside "
                         f"0xFEE00000-0xFEEFFFFF)")
    m = decode_msi(addr, data)
    problems = []
    if hi:
        problems.append(f"address high DWORD {hi:#x} is not 0: IR fault 0x20 while IR is "
                        f"enabled; not an interrupt with IR disabled")
    if isinstance(m, RemapMsi):
        out = {"format": "remappable", "handle": m.handle, "shv": m.shv,
               "subhandle": m.subhandle, "index": m.index, "addr_hi": hi, "data_hi": m.data_hi}
        if m.shv and m.data_hi:
            problems.append(f"data[31:16] = {m.data_hi:#x} with SHV = 1: IR fault 0x20")
    else:
        out = {"format": "compatibility", "dest": m.dest, "vector": m.vector,
               "delivery_mode": m.delivery_mode, "dest_mode": m.dest_mode,
               "redirection_hint": m.redirection_hint, "trigger_mode": m.trigger_mode,
               "level": m.level, "ext_dest": m.ext_dest, "addr_hi": hi}
    if problems:
        out["problems"] = problems
    return out


def decode_irte_json(args: list[str]) -> dict:
    eime = "--eime" in args
    rest = [a for a in args if a != "--eime"]
    if len(rest) != 1 or any(a.startswith("--") for a in rest):
        raise UsageError("decode-irte takes HEX128 [--eime]")
    e = unpack_irte(_irte_int(rest[0]), eime=eime)
    out = {"present": e.present, "fpd": e.fpd, "mode": e.mode, "vector": e.vector,
           "sid": e.sid, "sq": e.sq, "svt": e.svt}
    if isinstance(e, PostedIrte):
        out.update(urgent=e.urgent, pda=e.pda)
    else:
        out.update(dest=e.dest, dest_mode=e.dest_mode, redirection_hint=e.redirection_hint,
                   trigger_mode=e.trigger_mode, delivery_mode=e.delivery_mode)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv:
            raise UsageError("missing command")
        cmd, args = argv[0], argv[1:]
        if cmd == "decode-msi":
            out = decode_msi_json(args)
        elif cmd == "decode-irte":
            out = decode_irte_json(args)
        elif cmd in ("-h", "--help"):
            print(USAGE)
            return 0
        else:
            raise UsageError(f"unknown command {cmd!r}")
    except UsageError as e:
        print(f"error: {e}; {USAGE}", file=sys.stderr)
        return 2
    except NotInterruptError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # never a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
