"""DUT profiles (tb/dut_profile.py) without a simulator: the bundled and the example profile
load and match their register descriptions; every kind of bad profile is one line naming the
key, and the command-line check exits non-zero."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tb import dut_profile
from tb.dut_profile import BUNDLED, ProfileError, load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dsa_ims" / "dsa_ims.toml"


def test_bundled_profile_matches_the_contract_build():
    p = load(BUNDLED)
    p.validate_rdl()
    assert p.top == "ims_top" and p.is_bundled
    assert p.sources == sorted((ROOT / "rtl").glob("*.v"))
    m = p.register_map({"NUM_SLOTS": 64})
    assert m.num_slots == 64 and p.num_slots({"NUM_SLOTS": 64}) == 64
    # Every feature of the bundled block is on, except §7 (not built).
    assert p.missing_features == ["memory_entries"]
    assert p.reg("ctrl_enable") == m.CTRL.ENABLE and p.reg("pending") == m.PENDING


def test_example_profile_loads_and_differs():
    p = load(EXAMPLE)
    p.validate_rdl()
    assert not p.is_bundled and p.reset_active_low
    m = p.register_map()
    assert m.slot.count == p.num_slots() and m.slot.base != load(BUNDLED).register_map().slot.base
    assert {"status", "counters", "func_mask", "write_error"} <= set(p.missing_features)


def _variant(tmp_path: Path, edit) -> Path:
    """The bundled profile with absolute paths, edited by `edit(text) -> text`."""
    text = BUNDLED.read_text()
    text = text.replace('"../rtl/*.v"', f'"{ROOT}/rtl/*.v"').replace('"../regs/ims.rdl"', f'"{ROOT}/regs/ims.rdl"')
    text = text.replace('include_dirs = ["../rtl"]', f'include_dirs = ["{ROOT}/rtl"]')   # ims_defs.vh
    out = tmp_path / "p.toml"
    out.write_text(edit(text))
    return out


def _sub(pattern, repl):
    return lambda t: re.sub(pattern, repl, t, count=1, flags=re.M)


def test_variant_with_absolute_paths_loads(tmp_path):
    load(_variant(tmp_path, lambda t: t)).validate_rdl()


@pytest.mark.parametrize("edit, key", [
    (_sub(r'^top = "ims_top"', ''), "design.top"),
    (_sub(r'^sources = .*$', 'sources = ["nothing/*.v"]'), "design.sources"),
    (_sub(r'^rdl = ".*ims.rdl"', 'rdl = "missing.rdl"'), "design.rdl"),
    (_sub(r'^NUM_SLOTS = 2048$', 'NUM_SLOTS = "many"'), "parameters"),
    (_sub(r'^slot_count = .*$', 'slot_count = "SLOTS"'), "parameters.slot_count"),
    (_sub(r'^NUM_SLOTS = 2048$', 'NUM_SLOTS = 100'), "NUM_SLOTS=100"),
    (_sub(r'^n64 = .*$', 'n64 = { NUM_SLOTS = 65536 }'), "parameters.sweep.n64"),
    (_sub(r'^AXIL_ADDR_WIDTH = \{ min = .*$', 'AXIL_ADDR_WIDTH = { min = "import(os)" }'),
     "parameters.limits.AXIL_ADDR_WIDTH"),
    (_sub(r'^name = "rst"$', ''), "reset.name"),
    (_sub(r'^active_low = false$', 'active_low = "no"'), "reset.active_low"),
    (_sub(r'^valid = "s_irq_valid"$', ''), "interfaces.trigger.valid"),
    (_sub(r'^prefix = "m_axi"$', ''), "interfaces.msg.prefix"),
    (_sub(r'^counters = true', 'countrs = true'), "features.countrs"),
    (_sub(r'^cnt_sent = .*$', ''), "registers.cnt_sent"),
    (_sub(r'^mask = "CTRL.MASK"$', ''), "slot.mask"),
    (_sub(r'^pending = "CTRL.PENDING".*$', ''), "slot.pending"),
    (_sub(r'^memory_entries = false', 'memory_entries = true'), "interfaces.fetch"),
    (_sub(r'^msg_per_clk = 1.0 ', 'msg_per_clk = 2.0 '), "performance.msg_per_clk"),
    (_sub(r'^latency_cycles = 3 ', 'latency_cycles = 2.5 '), "performance.latency_cycles"),
    (_sub(r'^latency_cycles = 3 ', 'latency = 3 '), "performance.latency"),
    (lambda t: t + "\n[extras]\nx = 1\n", "extras"),
    (lambda t: t.replace("[clock]", "[clock"), "not valid TOML"),
])
def test_bad_profile_is_one_line_naming_the_key(tmp_path, edit, key):
    path = _variant(tmp_path, edit)
    with pytest.raises(ProfileError) as err:
        load(path)
    msg = str(err.value)
    assert key in msg and "\n" not in msg and str(path) in msg


@pytest.mark.parametrize("edit, key", [
    (_sub(r'^ctrl_enable = "CTRL.ENABLE"', 'ctrl_enable = "CTRL.ENABLED"'), "registers.ctrl_enable"),
    (_sub(r'^cnt_pended = "CNT_PENDED"', 'cnt_pended = "CNT_PEND"'), "registers.cnt_pended"),
    (_sub(r'^pasid = "CTRL.PASID"', 'pasid = "CTRL.PASSID"'), "slot.pasid"),
    (_sub(r'^table = "slot"', 'table = "entries"'), "slot.table"),
])
def test_profile_names_checked_against_the_rdl(tmp_path, edit, key):
    with pytest.raises(ProfileError, match=re.escape(key)):
        load(_variant(tmp_path, edit)).validate_rdl()


def test_parameter_overrides_checked_against_the_profile_limits():
    p = load(EXAMPLE)
    p.check_parameters(dict(p.sweep[next(iter(p.sweep))]))
    with pytest.raises(ProfileError, match="unknown parameter"):
        p.check_parameters({"NUM_SLOTS": 64})      # the example calls its slot count otherwise
    with pytest.raises(ProfileError, match="power of two"):
        p.check_parameters({p.slot_count_param: 24})


def test_command_line_check_exits_non_zero_with_one_line(tmp_path):
    bad = _variant(tmp_path, _sub(r'^ctrl_enable = "CTRL.ENABLE"', 'ctrl_enable = "CTRL.ON"'))
    r = subprocess.run([sys.executable, "-m", "tb.dut_profile", str(bad)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "registers.ctrl_enable" in r.stderr
    ok = subprocess.run([sys.executable, "-m", "tb.dut_profile", str(EXAMPLE)], capture_output=True, text=True,
                        cwd=ROOT)
    assert ok.returncode == 0 and "absent (checks not applicable)" in ok.stdout, ok.stderr


def test_selected_profile_follows_the_environment(monkeypatch):
    monkeypatch.setenv(dut_profile.ENV_DUT, str(EXAMPLE))
    assert dut_profile.selected().path == EXAMPLE.resolve()
    monkeypatch.setenv(dut_profile.ENV_DUT, "")
    assert dut_profile.selected().is_bundled
    monkeypatch.setenv(dut_profile.ENV_DEFINES, "PLANT_BUG_A, B=3")
    assert dut_profile.extra_defines() == {"PLANT_BUG_A": 1, "B": "3"}


def test_example_is_lint_clean_and_make_lint_follows_the_profile():
    """`make lint DUT=...`: the example lints clean with verilator -Wall and Icarus at its sets."""
    env = dict(__import__("os").environ, IMS_DUT=str(EXAMPLE), IMS_DEFINES="")
    r = subprocess.run([sys.executable, "-m", "imsflow.lint"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(": clean") == 2 * (1 + len(load(EXAMPLE).sweep)), r.stdout
