"""The regression's results file, its HTML report, and the merge of CI shards.

* results.json: what `make regress` established (defaults, where it ran, every run once, whether
  it was interrupted and which runs did not finish).
* report.html: one self-contained page (inline CSS, JS and SVG, nothing fetched): the results
  table (sortable, failures first), messages checked and throughput per test, for every
  failure its first mismatches (rule, slot, cycle, Linux irq), seed, repro command and a
  WaveDrom drawing of the signals around the failing cycle; functional coverage per
  coverpoint with the bins never hit; code coverage per RTL file.
* `python -m imsflow.regress_report merge [SHARD_DIR ...] [--out DIR]` (make regress-merge):
  merges shard directories (default sim_build/regress/shard-*/) into one: JUnit, functional
  coverage, code coverage, results.json and report.html. A missing shard is named and makes
  the merge exit 1 (the report is still written, saying which).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import Path

from imsflow import coverage_report

ROOT = Path(__file__).resolve().parent.parent
REGRESS_DIR = ROOT / "sim_build" / "regress"
RESULTS = "results.json"
REPORT = "report.html"


# ----------------------------------------------------------------------------- results.json
def write_results(out_dir: Path, meta: dict, outcomes) -> Path:
    from imsflow.regress import outcome_to_dict
    doc = dict(meta)
    doc["outcomes"] = [outcome_to_dict(o) for o in outcomes]
    path = Path(out_dir) / RESULTS
    path.write_text(json.dumps(doc, indent=1))
    return path


def load_results(out_dir: Path) -> dict:
    path = Path(out_dir) / RESULTS
    if not path.exists():
        raise SystemExit(f"regress-report: no {RESULTS} in {out_dir} (did a regression run there?)")
    return json.loads(path.read_text())


# ----------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,sans-serif;margin:1.2em;color:#222}
h1{font-size:1.4em} h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td:first-child,th:first-child{text-align:left} th{background:#eee;cursor:pointer}
tr.FAIL td,tr.TIMEOUT td,tr.ERROR td{background:#fdd} .verdict-PASS{color:#070}
.summary{font-size:1.05em;padding:.4em;background:#f4f4f4}
.bad{color:#b00;font-weight:bold} code,pre{background:#f6f6f6;padding:1px 3px}
.failure{border:2px solid #d88;padding:.6em;margin:1em 0} .waves{overflow-x:auto;background:#fff}
.holes{font-size:.85em;color:#555;text-align:left}
"""

JS = """
function sortTable(th){const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th);
const rows=[...t.tBodies[0].rows];const asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
rows.sort((a,b)=>{const x=a.cells[i].dataset.v??a.cells[i].textContent,y=b.cells[i].dataset.v??b.cells[i].textContent;
const nx=parseFloat(x),ny=parseFloat(y);const c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
rows.forEach(r=>t.tBodies[0].appendChild(r))}
document.querySelectorAll('th').forEach(th=>th.addEventListener('click',()=>sortTable(th)));
"""

_RANK = {"FAIL": 0, "TIMEOUT": 0, "ERROR": 0, "PASS": 1}


def _e(x) -> str:
    return html.escape(str(x))


def _verdict(o: dict) -> str:
    return "PASS" if o.get("passed") and o.get("status") == "pass" else (o.get("status") or "fail").upper()


def _repro(o: dict, sim_name: str, mutant: str | None = None) -> list[str]:
    from imsflow.regress import case_from_dict, repro, DIRECTED_MODULE
    case = case_from_dict(o["case"])
    names = o.get("failed_tests") if case.module == DIRECTED_MODULE and o.get("failed_tests") else [case.test]
    return [repro(case, sim_name, t, mutant) for t in names[:5]]


def _counts_messages(o: dict) -> bool:
    """The pyuvm runs count the messages their scoreboard checked; the directed module does
    not count them (its tests check each message, but report pass/fail per test)."""
    from imsflow.regress import UVM_MODULE
    return o["case"]["module"] == UVM_MODULE


def per_test(outcomes: list[dict]) -> "OrderedDict[str, dict]":
    agg: OrderedDict[str, dict] = OrderedDict()
    for o in outcomes:
        a = agg.setdefault(o["case"]["test"], {"runs": 0, "failed": 0, "messages": 0, "wall": 0.0, "sim_ns": 0.0})
        a["runs"] += 1
        a["failed"] += 0 if _verdict(o) == "PASS" else 1
        a["messages"] += int(o.get("messages", 0))
        a["wall"] += float(o.get("wall_s", 0.0))
        a["sim_ns"] += float(o.get("sim_time_ns", 0.0))
    return agg


def _results_table(outcomes: list[dict]) -> str:
    rows = sorted(outcomes, key=lambda o: (_RANK.get(_verdict(o), 0), o["case"]["test"], o["case"]["seed"]))
    out = ["<table id='results'><thead><tr><th>test</th><th>seed</th><th>parameters</th><th>result</th>"
           "<th>messages checked</th><th>checked msg/s</th><th>sim time (us)</th><th>wall (s)</th>"
           "<th>worker</th></tr></thead><tbody>"]
    for o in rows:
        v = _verdict(o)
        wall = float(o.get("wall_s", 0.0))
        rate = o["messages"] / wall if wall and o.get("messages") else 0
        params = ",".join(f"{k}={val}" for k, val in sorted(o["case"]["params"].items()))
        counted = _counts_messages(o)
        name = (f"<a href='#f-{_e(o['run_id'])}'>{_e(o['case']['test'])}</a>" if v != "PASS"
                else _e(o["case"]["test"]))
        out.append(f"<tr class='{v}'><td>{name}</td>"
                   f"<td>{o['case']['seed']}</td><td>{_e(params)}</td>"
                   f"<td class='verdict-{v}' data-v='{_RANK.get(v, 0)}{v}'>{v}</td>"
                   + (f"<td>{o.get('messages', 0)}</td><td>{rate:.0f}</td>" if counted
                      else "<td data-v='-1'>&ndash;</td><td data-v='-1'>&ndash;</td>")
                   + f"<td>{float(o.get('sim_time_ns', 0)) / 1000:.1f}</td><td>{wall:.1f}</td>"
                   f"<td>{_e(o.get('worker', ''))}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _per_test_table(outcomes: list[dict]) -> str:
    out = ["<table><thead><tr><th>test</th><th>runs</th><th>failed</th><th>messages checked</th>"
           "<th>checked msg/s (wall)</th><th>sim time (us)</th><th>wall (s)</th></tr></thead><tbody>"]
    counted = {o["case"]["test"] for o in outcomes if _counts_messages(o)}
    for name, a in per_test(outcomes).items():
        rate = a["messages"] / a["wall"] if a["wall"] else 0
        msgs, r = (a["messages"], f"{rate:.0f}") if name in counted else ("&ndash;", "&ndash;")
        out.append(f"<tr><td>{_e(name)}</td><td>{a['runs']}</td><td>{a['failed']}</td><td>{msgs}</td>"
                   f"<td>{r}</td><td>{a['sim_ns'] / 1000:.1f}</td><td>{a['wall']:.1f}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _failure_block(o: dict, sim_name: str, mutant: str | None = None) -> str:
    from imsflow.regress import format_mismatch
    v = _verdict(o)
    parts = [f"<div class='failure' id='f-{_e(o['run_id'])}'><h3>{v}: {_e(o['case']['test'])} seed "
             f"{o['case']['seed']} ({_e(','.join(f'{k}={x}' for k, x in sorted(o['case']['params'].items())))})</h3>",
             f"<p><b>message:</b> {_e(o.get('detail') or 'failed')}</p>"]
    mm = o.get("mismatches") or []
    if mm:
        parts.append("<table class='mismatches'><thead><tr><th>rule</th><th>slot</th><th>cycle</th>"
                     "<th>Linux irq</th><th>what</th></tr></thead><tbody>")
        for m in mm:
            parts.append(f"<tr><td>{_e(m['rule'])}</td><td>{_e(m.get('slot') if m.get('slot') is not None else '-')}</td>"
                         f"<td>{m['cycle']}</td><td>{_e(m.get('irq') if m.get('irq') is not None else '-')}</td>"
                         f"<td style='text-align:left'>{_e(m['text'])}</td></tr>")
        parts.append("</tbody></table>")
        first = mm[0]
        parts.append(f"<p>first failure: <code>{_e(format_mismatch(first))}</code></p>")
    else:
        parts.append("<p>no scoreboard or testbench failure line with a cycle was found in the log</p>")
    parts.append(f"<p><b>seed</b> {o['case']['seed']}; <b>reproduce with waves:</b></p><pre>"
                 + "\n".join(_e(r) for r in _repro(o, sim_name, mutant)) + "</pre>")
    if o.get("run_dir"):
        parts.append(f"<p>log: <code>{_e(Path(o['run_dir']) / 'sim.log')}</code></p>")
    d = o.get("drawing") or {}
    if d.get("svg"):
        again = ("that failed again" if d.get("rerun_failed") else
                 "<span class='bad'>that PASSED: the failure did not reproduce with waves on</span>")
        parts.append(f"<p>signals around cycle {d['cycle']} (column marked <code>cycle {d['cycle']}</code>), "
                     f"from a rerun with waves {again}: "
                     f"<code>{_e(d.get('file', ''))}</code></p><div class='waves'>{d['svg']}</div>")
    elif d:
        parts.append(f"<p class='bad'>no waveform drawing: {_e(d.get('error', ''))}</p>")
    elif v == "TIMEOUT":
        parts.append("<p>no waveform drawing: the run was killed, there is no failing cycle</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _functional(out_dir: Path) -> str:
    p = out_dir / "functional_coverage.json"
    if not p.exists():
        return "<p>no functional coverage (no pyuvm run wrote a coverage file)</p>"
    rep = json.loads(p.read_text())
    o = rep.get("overall", {})
    out = [f"<p>{rep.get('runs', '?')} runs merged (injected-fault tests left out): "
           f"{o.get('hit')}/{o.get('total')} bins ({o.get('percent', 0):.1f}%)</p>",
           "<table><thead><tr><th>coverpoint</th><th>bins hit</th><th>bins</th><th>%</th>"
           "<th>bins never hit</th></tr></thead><tbody>"]
    for name, cp in rep["coverpoints"].items():
        holes = [b for b, v in cp["bins"].items() if v == 0]
        pct = 100.0 * cp["hit"] / cp["total"] if cp["total"] else 0.0
        out.append(f"<tr><td>{_e(name)}</td><td>{cp['hit']}</td><td>{cp['total']}</td><td>{pct:.1f}</td>"
                   f"<td class='holes'>{_e(', '.join(holes)) or '&mdash;'}</td></tr>".replace("&amp;mdash;", "&mdash;"))
    out.append("</tbody></table>")
    return "\n".join(out)


def _code(out_dir: Path) -> str:
    p = out_dir / "coverage.dat"
    if not p.exists():
        return "<p>no code coverage (Verilator coverage builds only)</p>"
    cov = coverage_report.summarise(coverage_report.read_dat(p))
    out = [f"<p>Verilator, rtl/: line {cov.line}, toggle {cov.toggle}; every point never hit: "
           f"<code>{_e(out_dir / 'code_coverage.txt')}</code></p>",
           "<table><thead><tr><th>RTL file</th><th>line</th><th>line %</th><th>toggle</th><th>toggle %</th>"
           "<th>points never hit</th></tr></thead><tbody>"]
    for name, t in sorted(cov.files.items()):
        out.append(f"<tr><td>{_e(name)}</td><td>{t['line']}</td><td>{t['line'].percent:.1f}</td>"
                   f"<td>{t['toggle']}</td><td>{t['toggle'].percent:.1f}</td>"
                   f"<td>{len(cov.missed.get(name, []))}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render(out_dir: Path, doc: dict) -> str:
    outcomes = doc["outcomes"]
    sim_name = doc.get("sim", "")
    n_fail = sum(1 for o in outcomes if _verdict(o) != "PASS")
    n_pass = len(outcomes) - n_fail
    msgs = sum(int(o.get("messages", 0)) for o in outcomes)
    head = [f"<h1>IMS regression: {n_pass} passed, {n_fail} failed, {msgs} messages checked</h1>",
            f"<p class='summary'>{_e(doc.get('defaults', ''))}<br>ran on {_e(doc.get('where', ''))}; "
            f"wall {doc.get('wall_s', '?')} s; {len(outcomes)} of {doc.get('planned', len(outcomes))} planned "
            f"runs reported, each once (duplicates dropped: {doc.get('duplicates', 0)})</p>"]
    if doc.get("interrupted"):
        head.append(f"<p class='bad'>PARTIAL: the regression was interrupted; {len(doc.get('not_run', []))} "
                    f"runs did not finish: {_e(', '.join(doc.get('not_run', [])[:50]))}</p>")
    for note in doc.get("notes", []):
        head.append(f"<p class='bad'>{_e(note)}</p>")
    fails = [o for o in outcomes if _verdict(o) != "PASS"]
    body = head + ["<h2>Results</h2>", "<p>click a column to sort; failures first</p>", _results_table(outcomes),
                   "<h2>Messages checked and throughput per test</h2>", _per_test_table(outcomes),
                   f"<h2>Failures ({len(fails)})</h2>"]
    body += [_failure_block(o, sim_name, doc.get("mutant")) for o in fails] or ["<p>none</p>"]
    body += ["<h2>Functional coverage</h2>", _functional(out_dir), "<h2>Code coverage</h2>", _code(out_dir)]
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>IMS regression report</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body)
            + f"\n<script>{JS}</script></body></html>\n")


def write_report(out_dir: Path | str) -> Path:
    out_dir = Path(out_dir)
    path = out_dir / REPORT
    path.write_text(render(out_dir, load_results(out_dir)))
    return path


# ----------------------------------------------------------------------------- merge
def merge(shard_dirs: list[Path], out_dir: Path) -> tuple[Path, list[str]]:
    """Merge shard results into out_dir. Returns (report path, problems)."""
    from tb.uvm import coverage as fcov
    problems: list[str] = []
    docs = [(d, load_results(d)) for d in shard_dirs]
    if not docs:
        raise SystemExit("regress-merge: no shard directories (sim_build/regress/shard-*/)")
    totals = {tuple(doc["shard"])[1] for _, doc in docs if doc.get("shard")}
    if len(totals) > 1:
        problems.append(f"shards of different splits: N = {sorted(totals)}")
    if totals:
        n = max(totals)
        have = {doc["shard"][0] for _, doc in docs if doc.get("shard")}
        missing = [i for i in range(1, n + 1) if i not in have]
        if missing:
            problems.append(f"missing shard(s) {', '.join(f'{i}/{n}' for i in missing)}: the merge is incomplete")
    sims = {doc.get("sim") for _, doc in docs}
    if len(sims) > 1:
        problems.append(f"shards ran on different simulators: {sorted(sims)}")
    outcomes: OrderedDict[str, dict] = OrderedDict()
    dup = 0
    for _, doc in docs:
        for o in doc["outcomes"]:
            if o["run_id"] in outcomes:
                dup += 1
                continue
            outcomes[o["run_id"]] = o
    if dup:
        problems.append(f"{dup} runs appear in more than one shard (kept once)")
    out_dir.mkdir(parents=True, exist_ok=True)
    # JUnit: every shard's testsuite(s) under one <testsuites>
    top = ET.Element("testsuites")
    for d, _ in docs:
        j = d / "junit.xml"
        if j.exists():
            for suite in ET.parse(j).getroot().iter("testsuite"):
                suite.set("name", f"{suite.get('name')}-{d.name}")
                top.append(suite)
    ET.ElementTree(top).write(out_dir / "junit.xml", encoding="utf-8", xml_declaration=True)
    # functional coverage: bins summed (each shard's file is already a merge of its runs)
    fc = [json.loads((d / "functional_coverage.json").read_text()) for d, _ in docs
          if (d / "functional_coverage.json").exists()]
    if fc:
        merged = fcov.merge_reports(fc)
        merged["runs"] = sum(int(r.get("runs", 1)) for r in fc)
        (out_dir / "functional_coverage.json").write_text(json.dumps(merged, indent=1))
    dats = [d / "coverage.dat" for d, _ in docs if (d / "coverage.dat").exists()]
    if dats:
        counts = coverage_report.merge(dats)
        coverage_report.write_dat(counts, out_dir / "coverage.dat")
        coverage_report.write_annotation(coverage_report.summarise(counts), out_dir / "code_coverage.txt")
    first = docs[0][1]
    meta = {k: first.get(k) for k in ("sim", "seeds", "seed_base", "mutant")}
    meta.update({
        "defaults": f"merge of {len(docs)} shard(s): " + " | ".join(doc.get("defaults", "") for _, doc in docs),
        "where": ", ".join(sorted({doc.get("where", "") for _, doc in docs})),
        "shard": None, "planned": sum(int(doc.get("planned", 0)) for _, doc in docs),
        "interrupted": any(doc.get("interrupted") for _, doc in docs),
        "not_run": [r for _, doc in docs for r in doc.get("not_run", [])],
        "duplicates": sum(int(doc.get("duplicates", 0)) for _, doc in docs) + dup,
        "wall_s": max(float(doc.get("wall_s", 0)) for _, doc in docs), "notes": problems,
        "outcomes": list(outcomes.values())})
    (out_dir / RESULTS).write_text(json.dumps(meta, indent=1))
    return write_report(out_dir), problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("merge", help="merge shard directories")
    m.add_argument("dirs", nargs="*", help="shard result directories (default sim_build/regress/shard-*/)")
    m.add_argument("--out", default=str(REGRESS_DIR))
    r = sub.add_parser("render", help="rewrite report.html from a results directory")
    r.add_argument("dir", nargs="?", default=str(REGRESS_DIR))
    args = ap.parse_args(argv)
    if args.cmd == "render":
        print(f"report: {write_report(Path(args.dir))}")
        return 0
    dirs = [Path(d) for d in args.dirs] or sorted(p for p in REGRESS_DIR.glob("shard-*") if p.is_dir())
    report, problems = merge(dirs, Path(args.out))
    doc = load_results(Path(args.out))
    n_fail = sum(1 for o in doc["outcomes"] if _verdict(o) != "PASS")
    msgs = sum(int(o.get("messages", 0)) for o in doc["outcomes"])
    for p in problems:
        print(f"regress-merge: {p}")
    print(f"regress-merge: {len(dirs)} shards, {len(doc['outcomes'])} runs; JUnit {Path(args.out) / 'junit.xml'}; "
          f"report {report}")
    print(f"regress: {len(doc['outcomes']) - n_fail} passed, {n_fail} failed, {msgs} messages checked")
    return 1 if problems or n_fail or not doc["outcomes"] else 0


if __name__ == "__main__":
    sys.exit(main())
