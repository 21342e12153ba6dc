"""CLI: `python -m models decode-msi ADDR [DATA]` / `python -m models decode-irte HEX128 [--eime]`.

Prints one JSON object; bad input prints one line on stderr and exits 2.
"""
from __future__ import annotations

import json
import sys

from .iommu import PostedIrte, unpack_irte
from .msi import RemapMsi, decode_msi

USAGE = "usage: python -m models {decode-msi ADDR [DATA] | decode-irte HEX128 [--eime]}"


class UsageError(Exception):
    pass


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
    t = text.strip().replace("_", "")
    if t.lower().startswith("0x"):
        return _int(t, "HEX128", 128)
    # bare hex digits are accepted for a 128-bit entry if they are not plain decimal
    if t and all(c in "0123456789abcdefABCDEF" for c in t) and not t.isdigit():
        return _int("0x" + t, "HEX128", 128)
    return _int(t, "HEX128", 128)


def decode_msi_json(args: list[str]) -> dict:
    if not 1 <= len(args) <= 2:
        raise UsageError("decode-msi takes ADDR [DATA]")
    addr = _int(args[0], "ADDR", 64)
    data = _int(args[1], "DATA", 32) if len(args) == 2 else 0
    m = decode_msi(addr, data)
    if isinstance(m, RemapMsi):
        return {"format": "remappable", "handle": m.handle, "shv": m.shv,
                "subhandle": m.subhandle, "index": m.index}
    return {"format": "compatibility", "dest": m.dest, "vector": m.vector,
            "delivery_mode": m.delivery_mode, "dest_mode": m.dest_mode,
            "redirection_hint": m.redirection_hint, "trigger_mode": m.trigger_mode,
            "level": m.level}


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
    except Exception as e:  # never a traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
