"""report.html as a user sees it: a deliberately failing regression, opened in headless Chromium.

The regression is real and small: `imsflow.regress` on Verilator (no coverage build) runs
UvmFuncMaskStorm and UvmSmoke, seed 1, NUM_SLOTS=64, on the RTL mutant `func_mask_ignored`
(rule 4 of the contract broken: CTRL.FUNC_MASK no longer pends a trigger; tests/impl/test_mutants.py);
UvmSmoke does not use FUNC_MASK and passes, UvmFuncMaskStorm fails. The
scoreboard reports the writes the model says must not happen; the regression reruns the failure
with waves (VCD) and draws the signals around the first mismatch's cycle.

Chromium (Debian package; `make test` installs it when missing and root) then loads the file:
`--dump-dom` gives the DOM after the page's script ran, `--screenshot` what it draws. The test
checks the failing run is the first row of the results table (a click on a header re-sorts
it), its failure block names the
rule, slot, cycle, Linux irq, seed and repro command that results.json holds, and that an SVG
WaveDrom drawing with the memory-write signals and the failing cycle's marker is in the page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from imsflow import regress, sim

OUT = sim.BUILD_ROOT / "regress-e2e"
MUTANT = "func_mask_ignored"
TEST = "UvmFuncMaskStorm"
PASSING = "UvmSmoke"        # passes on this mutant (no FUNC_MASK in its traffic)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Dom(HTMLParser):
    """The rows of table#results and the text of every element, from Chromium's DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.in_results = False
        self.cell: list[str] | None = None
        self.row: tuple[str, list[str]] | None = None
        self.svgs: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "results":
            self.in_results = True
        elif tag == "tr" and self.in_results:
            self.row = (a.get("class", ""), [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "svg" and "WaveDrom" in (a.get("class") or ""):
            self.svgs.append(a)

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_results = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        self.text.append(data)


@pytest.fixture(scope="module")
def failing_report():
    if chromium() is None:
        pytest.skip("chromium is not installed (make test installs the Debian package when run as root)")
    rc = regress.main(["--seeds", "1", "--tests", f"{PASSING},{TEST}", "--no-directed", "--sim", "verilator", "--no-coverage",
                       "-j", "2", "--mutant", MUTANT, "--timeout", "600", "--out", str(OUT)])
    assert rc == 1, "the mutant regression must fail"
    return json.loads((OUT / "results.json").read_text())


def test_report_shows_the_failure_in_chromium(failing_report):
    by = {o["case"]["test"]: o for o in failing_report["outcomes"]}
    assert by[PASSING]["status"] == "pass", by[PASSING]
    o = by[TEST]
    assert o["status"] == "fail" and o["mismatches"], o
    first = o["mismatches"][0]
    assert o["drawing"] and o["drawing"].get("svg"), f"no drawing: {o['drawing']}"
    url = (OUT / "report.html").resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([chromium(), *flags, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120).stdout
    png = OUT / "report.png"
    png.unlink(missing_ok=True)
    subprocess.run([chromium(), *flags, "--window-size=1400,2200", f"--screenshot={png}", url],
                   capture_output=True, timeout=120)
    d = Dom()
    d.feed(dom)
    assert d.rows, f"no results table in Chromium's DOM ({len(dom)} bytes)"
    header, body = d.rows[0], d.rows[1:]
    assert header[1][:4] == ["test", "seed", "parameters", "result"]
    cls, cells = body[0]
    assert cls == "FAIL" and cells[0] == TEST and cells[1] == "1" and cells[3] == "FAIL", body[0]
    assert [r[1][0] for r in body] == [TEST, PASSING] and body[1][0] == "PASS"      # failures first
    text = " ".join(" ".join(d.text).split())
    assert f"FAIL: {TEST} seed 1" in text
    assert first["rule"] in text and f"cycle {first['cycle']}" in text
    assert f"slot {first['slot']}" in text and f"Linux irq {first['irq']}" in text
    assert f"make waves TEST={TEST} SEED=1 SIM=verilator NUM_SLOTS=64 MUTANT={MUTANT}" in text
    assert f"RTL mutant {MUTANT}" in text
    # the drawing: an inline WaveDrom SVG with the memory-write signals and the cycle marker
    assert d.svgs, "no WaveDrom SVG in the page"
    for name in ("s_irq_valid", "s_axil_awvalid", "m_axi_awvalid", "m_axi_awaddr", f"cycle {first['cycle']}"):
        assert name in text, f"{name} not drawn"
    assert png.exists() and png.stat().st_size > 50_000, "Chromium drew (almost) nothing"
    # sortable: a copy of the page clicks the 'test' header twice (descending by name) and
    # puts the order it then shows into the page title
    probe = OUT / "sort-probe.html"
    probe.write_text((OUT / "report.html").read_text().replace(
        "</body>", "<script>const h=document.querySelectorAll('#results th')[0];h.click();h.click();"
        "document.title='order:'+[...document.querySelectorAll('#results tbody tr')]"
        ".map(r=>r.cells[0].textContent).join(',');</script></body>"))
    dom2 = subprocess.run([chromium(), *flags, "--dump-dom", probe.resolve().as_uri()], capture_output=True,
                          text=True, timeout=120).stdout
    assert f"<title>order:{PASSING},{TEST}</title>" in dom2, dom2[:300]
