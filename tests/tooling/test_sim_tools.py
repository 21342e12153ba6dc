"""The runner's own checks: parameter rules of contract §1, result parsing (no simulator), and
builds keyed on content (one tiny Icarus build of a probe design)."""

from __future__ import annotations

import pytest

from imsflow import sim


@pytest.mark.parametrize("params", [
    {}, {"NUM_SLOTS": 2}, {"NUM_SLOTS": 64}, {"NUM_SLOTS": 2048},
    {"NUM_SLOTS": 32768, "AXIL_ADDR_WIDTH": 20}, {"NUM_SLOTS": 512, "AXIL_ADDR_WIDTH": 14},
    {"IRQ_INDEX_WIDTH": 4, "NUM_SLOTS": 64}, {"AXI_ID_WIDTH": 1},
])
def test_contract_parameters_accepted(params):
    sim.check_parameters(params)


@pytest.mark.parametrize("params, words", [
    ({"NUM_SLOTS": 100}, "power of two"),
    ({"NUM_SLOTS": 1}, "power of two"),
    ({"NUM_SLOTS": 65536, "AXIL_ADDR_WIDTH": 21}, "power of two"),
    # log2(32768) + 5 = 20 > 16: the table would not fit the aperture.
    ({"NUM_SLOTS": 32768}, "AXIL_ADDR_WIDTH=16"),
    # max(14, log2(64) + 5 = 11) = 14.
    ({"NUM_SLOTS": 64, "AXIL_ADDR_WIDTH": 13}, "needs 14"),
    ({"IRQ_INDEX_WIDTH": 0}, "IRQ_INDEX_WIDTH"),
    ({"AXI_ID_WIDTH": 0}, "AXI_ID_WIDTH"),
    ({"NUM_SLOT": 64}, "unknown parameter"),
])
def test_contract_parameters_refused(params, words):
    with pytest.raises(sim.ParameterError, match=words):
        sim.check_parameters(params)


def test_parse_params_exits_with_one_line():
    assert sim.parse_params(["NUM_SLOTS=0x40"]) == {"NUM_SLOTS": 64}
    with pytest.raises(SystemExit, match="not NAME=<integer>"):
        sim.parse_params(["NUM_SLOTS=abc"])
    with pytest.raises(SystemExit, match="power of two"):
        sim.parse_params(["NUM_SLOTS=96"])


def test_results_parsing_reports_failures_and_missing_file(tmp_path):
    xml = tmp_path / "results.xml"
    xml.write_text(
        '<testsuites><testsuite name="x">'
        '<testcase name="good" classname="m"/>'
        '<testcase name="bad" classname="m"><failure message="slot 3: expected 1 got 0"/></testcase>'
        '<testcase name="skip" classname="m"><skipped/></testcase>'
        '</testsuite></testsuites>')
    res = sim.parse_results(xml, "icarus", tmp_path)
    assert res.passed == ["good"] and res.skipped == ["skip"]
    assert res.failed == [("bad", "slot 3: expected 1 got 0")] and not res.ok
    missing = sim.parse_results(tmp_path / "nope.xml", "icarus", tmp_path)
    assert not missing.ok and "crashed" in missing.failed[0][1]
    empty = tmp_path / "empty.xml"
    empty.write_text("<testsuites/>")
    assert not sim.parse_results(empty, "icarus", tmp_path).ok   # no test ran: not a pass


# --- builds keyed on content -------------------------------------------------------------

PROBE_V = "module probe(output wire [7:0] value);\n  assign value = 8'd{value};\nendmodule\n"


def _key(tmp_path, **over):
    src = tmp_path / "k.v"
    if not src.exists():
        src.write_text(PROBE_V.format(value=1))
    args = dict(sim="icarus", toplevel="probe", sources=[src], parameters={"N": 1}, defines={},
                build_args=[], waves=False)
    args.update(over)
    return sim.build_key(**args)


def test_build_key_follows_content_not_timestamps(tmp_path):
    import os

    src = tmp_path / "k.v"
    src.write_text(PROBE_V.format(value=1))
    first = _key(tmp_path)
    os.utime(src, (1, 1))                     # touched or restored: same content, same build
    assert _key(tmp_path) == first
    src.write_text(PROBE_V.format(value=2))
    os.utime(src, (1, 1))                     # older than any build, but not the same design
    assert _key(tmp_path) != first
    src.write_text(PROBE_V.format(value=1))
    assert _key(tmp_path) == first
    # Every other input of a build is part of the key too.
    for change in ({"parameters": {"N": 2}}, {"defines": {"X": 1}}, {"build_args": ["-g2012"]},
                   {"waves": True}, {"toplevel": "other"}, {"sim": "verilator"}):
        assert _key(tmp_path, **change) != first, change
    header = tmp_path / "defs.vh"
    header.write_text("`define W 8\n")
    with_header = _key(tmp_path)
    assert with_header != first
    header.write_text("`define W 9\n")
    assert _key(tmp_path) != with_header


def test_restored_older_source_is_rebuilt(tmp_path):
    """The case that bit us: a source copied in with its old timestamp (cp -p, rsync -a, tar x)
    must not reuse the build of the previous content."""
    import os

    src = tmp_path / "probe.v"
    for value in (3, 4):
        src.write_text(PROBE_V.format(value=value))
        os.utime(src, (1, 1))                 # older than the build made in the first round
        sim.run("tests.impl.hdl.build_probe", sim="icarus", toplevel="probe", sources=[src],
                variant="buildkey-test", extra_env={"PROBE_EXPECT": str(value)},
                run_tag=f"probe-{value}")
