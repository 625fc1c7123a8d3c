"""report.html: one self-contained file (inline CSS, inline SVG, no script, no network); all text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from evals.execute import CaseResult
from evals.fixtures import Fixture
from evals.metrics import HEADLINE
from evals.report import LABELS, RUN_COLUMNS, fmt, fmt_ci, fmt_p, group_pairs
from service.schemas import FLAG_CODES

PALETTE = ("#3b6ea8", "#d08c2e", "#4c9a5b", "#a4508b", "#6b6b6b", "#b5443b")
GOOD, BAD, NEUTRAL = "#2e7d32", "#c62828", "#777"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1180px;
color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}h3{margin-top:1.4rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 7px;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#2e7d32}.fail{color:#c62828;font-weight:600}.muted{color:#777}
.grid{display:flex;flex-wrap:wrap;gap:18px}.answer{white-space:pre-wrap;max-width:560px;font-size:12px}
svg text{font:11px system-ui,sans-serif}.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
"""


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def metric_panel(name: str, runs: Sequence[dict[str, Any]]) -> str:
    """Bars of one headline metric per run, with the run's 95% interval as a whisker."""
    values = [r["metrics"].get(name) for r in runs]
    cis = [r["metrics"].get("ci95", {}).get(name) or [None, None] for r in runs]
    highs: list[float] = [x for x in [*values, *(c[1] for c in cis)] if x is not None]
    lows: list[float] = [x for x in [*values, *(c[0] for c in cis)] if x is not None]
    top = max([*highs, 1.0 if name != "overall_mae" else 0.1]) * (1.08 if name == "overall_mae" else 1)
    bottom = min([0.0, *lows])
    w, h, left, row = 340, 34 + 22 * len(runs), 150, 22

    def x(v: float) -> float:
        return left + (v - bottom) / (top - bottom or 1) * (w - left - 38)

    body = [
        f'<text x="4" y="14" font-weight="600">{escape(LABELS[name])}'
        f"{' (lower is better)' if not HEADLINE[name] else ''}</text>",
        f'<line x1="{x(0):.1f}" y1="20" x2="{x(0):.1f}" y2="{h - 8}" stroke="#bbb"/>',
    ]
    for i, (run, value, ci) in enumerate(zip(runs, values, cis, strict=True)):
        y = 24 + i * row
        body.append(
            f'<text x="4" y="{y + 12}">{escape(run["prompt_version"] + " " + run["model"][:22])}</text>'
        )
        if value is None:
            body.append(f'<text x="{left}" y="{y + 12}" fill="#777">n/a</text>')
            continue
        x0, x1 = sorted((x(0), x(value)))
        body.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 1):.1f}" height="14" '
            f'fill="{_color(i)}" opacity=".8"/>'
        )
        if ci[0] is not None and ci[1] is not None:
            a, b = x(ci[0]), x(ci[1])
            body.append(
                f'<path d="M{a:.1f} {y + 9}H{b:.1f}M{a:.1f} {y + 4}V{y + 14}M{b:.1f} {y + 4}V{y + 14}" '
                'stroke="#222" fill="none"/>'
            )
        body.append(f'<text x="{x(max(value, ci[1] or value)) + 4:.1f}" y="{y + 13}">{value:.3f}</text>')
    return _svg(w, h, body, f"{LABELS[name]} per run")


def delta_panel(metrics: dict[str, dict[str, Any]]) -> str:
    """A forest plot: each headline delta with its paired 95% interval; colour marks a significant change."""
    points: list[float] = [v for c in metrics.values() for v in (c["delta"], *c["ci95"]) if v is not None]
    span = max([abs(v) for v in points] + [0.05]) * 1.1
    w, left, row = 460, 90, 24
    h = 30 + row * len(HEADLINE)

    def x(v: float) -> float:
        return left + (v + span) / (2 * span) * (w - left - 70)

    body = [
        f'<line x1="{x(0):.1f}" y1="6" x2="{x(0):.1f}" y2="{h - 16}" stroke="#999" stroke-dasharray="3 3"/>',
        f'<text x="{x(-span):.1f}" y="{h - 3}">{-span:+.2f}</text>',
        f'<text x="{x(0) - 4:.1f}" y="{h - 3}">0</text>',
        f'<text x="{x(span) - 30:.1f}" y="{h - 3}">{span:+.2f}</text>',
    ]
    for i, name in enumerate(HEADLINE):
        comp, y = metrics[name], 14 + i * row
        color = {"significantly better": GOOD, "significantly worse": BAD}.get(comp["verdict"], NEUTRAL)
        body.append(f'<text x="4" y="{y + 4}">{escape(LABELS[name])}</text>')
        lo, hi = comp["ci95"]
        if lo is not None and hi is not None:
            body.append(
                f'<path d="M{x(lo):.1f} {y}H{x(hi):.1f}M{x(lo):.1f} {y - 5}V{y + 5}M{x(hi):.1f} {y - 5}'
                f'V{y + 5}" stroke="{color}" stroke-width="2" fill="none"/>'
            )
        if comp["delta"] is not None:
            body.append(f'<circle cx="{x(comp["delta"]):.1f}" cy="{y}" r="4" fill="{color}"/>')
            body.append(f'<text x="{w - 64}" y="{y + 4}" fill="{color}">{comp["delta"]:+.3f}</text>')
    return _svg(w, h, body, "paired deltas with 95% intervals")


def confusion_svg(run: dict[str, Any]) -> str:
    """The 3x3 band confusion matrix as a heat map (rows expert, columns model)."""
    conf = run["metrics"]["band_confusion"]
    labels, matrix = conf["labels"], conf["matrix"]
    peak = max(max(r) for r in matrix) or 1
    cell, left, top = 64, 78, 36
    body = [
        f'<text x="4" y="13" font-weight="600">{escape(run["prompt_version"] + " x " + run["model"])}</text>',
        f'<text x="{left}" y="{top - 8}" fill="#555">model →</text>',
    ]
    for j, label in enumerate(labels):
        body.append(f'<text x="{left + j * cell + 6}" y="{top + 3 * cell + 14}">{escape(label)}</text>')
    for i, label in enumerate(labels):
        body.append(f'<text x="4" y="{top + i * cell + 36}">{escape(label)}</text>')
        for j, count in enumerate(matrix[i]):
            shade = 0.08 + 0.85 * count / peak
            color = "#2e7d32" if i == j else "#c62828"
            body.append(
                f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{color}" opacity="{shade:.2f}"/>'
            )
            body.append(f'<text x="{left + j * cell + 24}" y="{top + i * cell + 36}">{count}</text>')
    return _svg(left + 3 * cell + 10, top + 3 * cell + 22, body, "band confusion matrix")


def flag_svg(runs: Sequence[dict[str, Any]]) -> str:
    """Per-flag F1, one bar per run for each code, plus the micro and macro averages."""
    codes = [*FLAG_CODES, "micro", "macro"]
    bar, gap, left, w = 12, 8, 140, 520
    h = 10 + len(codes) * (bar * len(runs) + gap)
    body = []
    for ci, code in enumerate(codes):
        y0 = 6 + ci * (bar * len(runs) + gap)
        body.append(f'<text x="4" y="{y0 + bar * len(runs) / 2 + 4:.0f}">{escape(code)}</text>')
        for ri, run in enumerate(runs):
            f1 = run["metrics"]["flags"][code]["f1"]
            y = y0 + ri * bar
            if f1 is None:
                body.append(f'<text x="{left}" y="{y + 8}" fill="#777">n/a</text>')
                continue
            body.append(
                f'<rect x="{left}" y="{y}" width="{f1 * (w - left - 50):.1f}" height="{bar - 1}" '
                f'fill="{_color(ri)}"/>'
            )
            body.append(f'<text x="{left + f1 * (w - left - 50) + 4:.1f}" y="{y + 10}">{f1:.2f}</text>')
    return _svg(w, h, body, "per-flag F1")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 99) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i >= numeric_from else ''}>{escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _flips(summary: dict[str, Any], results: Sequence[CaseResult], fixtures: Sequence[Fixture]) -> list[str]:
    answers = {f.id: f.request.answer for f in fixtures}
    index = {(r.prompt_version, r.model, r.id): r for r in results}
    parts: list[str] = []
    for (kind, shared, cand, base), metrics in group_pairs(summary).items():
        test = metrics["band_accuracy"]["mcnemar"]
        parts.append(
            f"<h3>{escape(f'{cand} vs {base} ({kind}: {shared})')}: fixed {test['fixed']}, broken "
            f"{test['broken']}, McNemar p = {fmt_p(test['p_value'])}</h3>"
        )
        rows = []
        for direction, ids in (("fixed", test["fixed_ids"]), ("broken", test["broken_ids"])):
            for cid in ids:
                if kind == "version":
                    b, c = index.get((base, shared, cid)), index.get((cand, shared, cid))
                else:
                    b, c = index.get((shared, base, cid)), index.get((shared, cand, cid))
                if b is None or c is None or b.predicted is None or c.predicted is None:
                    continue
                cls = "pass" if direction == "fixed" else "fail"
                rows.append(
                    f"<tr><td class={cls}>{direction}</td><td>{escape(cid)}</td>"
                    f"<td>{escape(b.expert.band)} {b.expert.overall:g}</td>"
                    f"<td>{escape(b.predicted.band)} {b.predicted.overall:g}</td>"
                    f"<td>{escape(c.predicted.band)} {c.predicted.overall:g}</td>"
                    f"<td class=answer>{escape(answers.get(cid, ''))}</td></tr>"
                )
        if rows:
            parts.append(
                "<table><tr><th>flip</th><th>case</th><th>expert</th><th>"
                + escape(base)
                + "</th><th>"
                + escape(cand)
                + "</th><th>answer</th></tr>"
                + "".join(rows)
                + "</table>"
            )
        else:
            parts.append("<p class=muted>No case changed band correctness.</p>")
    return parts


def html_report(summary: dict[str, Any], results: Sequence[CaseResult], fixtures: Sequence[Fixture]) -> str:
    """The whole report.html."""
    runs = summary["runs"]
    legend = "".join(
        f'<span><i class=sw style="background:{_color(i)}"></i>'
        f"{escape(r['prompt_version'] + ' x ' + r['model'])}</span>"
        for i, r in enumerate(runs)
    )
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>Eval {escape(summary['run_id'])}</title><style>{CSS}</style></head><body>",
        f"<h1>Eval {escape(summary['run_id'])}</h1>",
        f"<p>{summary['n_cases']} cases (split <code>{escape(summary['split'])}</code>), versions "
        f"{escape(', '.join(summary['versions']))}, models {escape(', '.join(summary['models']))}; baseline "
        f"<code>{escape(summary['baseline'])}</code>. {summary['calls']} calls in {summary['wall_s']} s at "
        f"concurrency {summary['concurrency']}; {summary['cache_hits']} cache hits; "
        f"{summary['errors']} errors. "
        f"Intervals: percentile bootstrap, {summary['resamples']} resamples, seed {summary['seed']}. "
        "QWK on the overall score's half-point grid (9 classes).</p>",
        "<h2>Gates</h2><ul>"
        + "".join(
            f"<li class={'pass' if g['passed'] else 'fail'}>{'pass' if g['passed'] else 'FAIL'}: "
            f"{escape(g['message'])}</li>"
            for g in summary["gates"]["results"]
        )
        + "</ul>",
        "<h2>Headline metrics (95% bootstrap interval)</h2>",
        f"<p class=legend>{legend}</p><div class=grid>"
        + "".join(metric_panel(n, runs) for n in HEADLINE)
        + "</div>",
        _table(
            ["version", "model"] + [label for _, label in RUN_COLUMNS],
            [
                [r["prompt_version"], r["model"]] + [fmt(r["metrics"].get(k)) for k, _ in RUN_COLUMNS]
                for r in runs
            ],
            numeric_from=2,
        ),
    ]
    pairs = group_pairs(summary)
    if pairs:
        parts.append("<h2>Paired comparisons (candidate − baseline)</h2>")
        for (kind, shared, cand, base), metrics in pairs.items():
            parts.append(
                f"<h3>{escape(f'{cand} vs {base} ({kind}: {shared})')}, n = "
                f"{metrics['band_accuracy']['n']}</h3><div class=grid>{delta_panel(metrics)}</div>"
            )
            rows = []
            for field in ("level", "variant"):
                for value, entry in metrics["band_accuracy"]["slices"].get(field, {}).items():
                    cells = []
                    for name in HEADLINE:
                        part = metrics[name]["slices"][field][value]
                        cells.append(f"{fmt(part['delta'])} {fmt_ci(part['ci95'], signed=True)}")
                    rows.append(
                        [f"{field}={value}", str(entry["n"]), *cells, fmt_p(entry["mcnemar"]["p_value"])]
                    )
            parts.append(_table(["slice", "n"] + [LABELS[n] for n in HEADLINE] + ["McNemar p"], rows, 1))
    parts.append(
        "<h2>Band confusion (rows expert, columns model)</h2><div class=grid>"
        + "".join(confusion_svg(r) for r in runs)
        + "</div>"
    )
    parts.append(f"<h2>Red flags: F1 per code</h2><p class=legend>{legend}</p>{flag_svg(runs)}")
    for r in runs:
        m = r["metrics"]
        parts.append(f"<h3>{escape(r['prompt_version'] + ' x ' + r['model'])}</h3>")
        parts.append(
            _table(
                ["flag", "precision", "recall", "F1", "expert", "model"],
                [
                    [
                        code,
                        fmt(row["precision"]),
                        fmt(row["recall"]),
                        fmt(row["f1"]),
                        str(row.get("support", "")),
                        str(row.get("predicted", "")),
                    ]
                    for code, row in m["flags"].items()
                    if code != "macro"
                ],
                1,
            )
        )
        parts.append(
            _table(
                ["criterion", "n", "exact", "within 1", "MAE"],
                [
                    [c, str(v["n"]), fmt(v["exact"]), fmt(v["within_1"]), fmt(v["mae"])]
                    for c, v in m["criteria"].items()
                ],
                1,
            )
        )
        if m["severe_miss_ids"]:
            parts.append(f"<p>Severe misses (weak ↔ strong): {escape(', '.join(m['severe_miss_ids']))}</p>")
    if pairs:
        parts.append("<h2>Flipped cases</h2>")
        parts += _flips(summary, results, fixtures)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
