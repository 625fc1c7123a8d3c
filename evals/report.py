"""Human outputs of a run: the terminal table, report.md, and (via report_html) report.html."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.execute import CaseResult
from evals.fixtures import Fixture
from evals.metrics import HEADLINE

LABELS = {
    "band_accuracy": "band acc",
    "overall_mae": "MAE",
    "spearman": "rho",
    "qwk": "QWK",
    "flag_micro_f1": "flag F1",
}
RUN_COLUMNS = (
    ("n", "n"), ("errors", "err"), ("schema_valid_rate", "valid"), ("grounding_rate", "grounded"),
    ("band_accuracy", "band acc"), ("overall_mae", "MAE"), ("spearman", "rho"), ("qwk", "QWK"),
    ("flag_micro_f1", "flag F1"), ("flag_macro_f1", "macro F1"), ("adversarial_inflation", "adv infl"),
    ("severe_misses", "severe"), ("latency_ms_p50", "p50 ms"), ("latency_ms_p95", "p95 ms"),
    ("cache_hits", "cached"),
)  # fmt: skip


def fmt(value: Any, digits: int = 3) -> str:
    """A metric for display: floats rounded, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_p(p: float | None) -> str:
    """A p-value: three decimals, or `<0.001`."""
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_ci(ci: Sequence[float | None] | None, signed: bool = False) -> str:
    """`[lo, hi]`."""
    if not ci or ci[0] is None or ci[1] is None:
        return "[-]"
    spec = "+.3f" if signed else ".3f"
    return f"[{ci[0]:{spec}}, {ci[1]:{spec}}]"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out


def _delta_cell(comp: dict[str, Any]) -> str:
    mark = {"significantly better": " +", "significantly worse": " !"}.get(comp["verdict"], "")
    delta = "-" if comp["delta"] is None else f"{comp['delta']:+.3f}"
    return f"{delta} {fmt_ci(comp['ci95'], signed=True)}{mark}"


PairKey = tuple[str, str, str, str]


def group_pairs(summary: dict[str, Any]) -> dict[PairKey, dict[str, dict[str, Any]]]:
    """Comparisons grouped by (kind, shared version or model, candidate, baseline), then by metric."""
    pairs: dict[PairKey, dict[str, dict[str, Any]]] = {}
    for comp in summary["comparisons"]:
        shared = comp.get("model") or comp.get("prompt_version") or ""
        pairs.setdefault((comp["kind"], shared, comp["candidate"], comp["baseline"]), {})[comp["metric"]] = (
            comp
        )
    return pairs


def comparison_rows(summary: dict[str, Any]) -> list[list[str]]:
    """One row per compared pair: the pair, each headline delta with its interval, McNemar."""
    rows: list[list[str]] = []
    for (kind, shared, cand, base), metrics in group_pairs(summary).items():
        test = metrics["band_accuracy"]["mcnemar"]
        rows.append(
            [f"{cand} vs {base}", f"{kind}: {shared}", str(metrics["band_accuracy"]["n"])]
            + [_delta_cell(metrics[name]) for name in HEADLINE]
            + [f"{test['fixed']}/{test['broken']} p={fmt_p(test['p_value'])}"]
        )
    return rows


def terminal_summary(summary: dict[str, Any]) -> str:
    """The compact tables printed at the end of a run."""
    lines = [
        f"eval {summary['run_id']}: {summary['n_cases']} cases (split {summary['split']}), "
        f"baseline {summary['baseline']}, {summary['resamples']} resamples",
        "",
    ]
    lines += _table(
        ["version", "model"] + [label for _, label in RUN_COLUMNS],
        [
            [r["prompt_version"], r["model"]] + [fmt(r["metrics"].get(k)) for k, _ in RUN_COLUMNS]
            for r in summary["runs"]
        ],
    )
    rows = comparison_rows(summary)
    if rows:
        lines += [
            "",
            "paired deltas, candidate - baseline, 95% bootstrap interval (+ better, ! worse: significant)",
        ]
        lines += _table(
            ["pair", "same", "n"] + [LABELS[n] for n in HEADLINE] + ["McNemar fixed/broken"], rows
        )
    gates = summary["gates"]
    failed = [g for g in gates["results"] if not g["passed"]]
    lines += [
        "",
        f"gates: {len(gates['results']) - len(failed)}/{len(gates['results'])} passed"
        + ("" if not failed else "; FAILED: " + "; ".join(g["message"] for g in failed)),
    ]
    return "\n".join(lines)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]


def markdown(summary: dict[str, Any], fixtures: Sequence[Fixture]) -> str:
    """report.md: runs, comparisons with slices, flips, gates."""
    answers = {f.id: f.request.answer for f in fixtures}
    out = [
        f"# Eval {summary['run_id']}",
        "",
        f"{summary['n_cases']} cases (split `{summary['split']}`, fixtures digest "
        f"`{summary['fixtures']['digest']}`), versions {', '.join(summary['versions'])}, models "
        f"{', '.join(summary['models'])}; baseline `{summary['baseline']}`. {summary['calls']} calls in "
        f"{summary['wall_s']} s at concurrency {summary['concurrency']}, {summary['cache_hits']} cache hits, "
        f"{summary['errors']} errors. Intervals: paired percentile bootstrap, {summary['resamples']} "
        f"resamples, seed {summary['seed']}. QWK on the overall score's half-point grid (9 classes).",
        "",
        "## Runs",
        "",
    ]
    out += _md_table(
        ["version", "model"] + [label for _, label in RUN_COLUMNS],
        [
            [r["prompt_version"], r["model"]] + [fmt(r["metrics"].get(k)) for k, _ in RUN_COLUMNS]
            for r in summary["runs"]
        ],
    )
    out += ["", "Headline metrics with a 95% bootstrap interval:", ""]
    out += _md_table(
        ["version", "model"] + [LABELS[n] for n in HEADLINE],
        [
            [r["prompt_version"], r["model"]]
            + [f"{fmt(r['metrics'].get(n))} {fmt_ci(r['metrics'].get('ci95', {}).get(n))}" for n in HEADLINE]
            for r in summary["runs"]
        ],
    )
    for run in summary["runs"]:
        m = run["metrics"]
        out += ["", f"### {run['prompt_version']} x {run['model']}", ""]
        flags = [
            [
                code,
                fmt(row["precision"]),
                fmt(row["recall"]),
                fmt(row["f1"]),
                str(row["support"]),
                str(row["predicted"]),
            ]
            for code, row in m["flags"].items()
            if code not in ("micro", "macro")
        ]
        flags.append(
            [
                "micro",
                fmt(m["flags"]["micro"]["precision"]),
                fmt(m["flags"]["micro"]["recall"]),
                fmt(m["flags"]["micro"]["f1"]),
                "",
                "",
            ]
        )
        flags.append(
            [
                "macro",
                fmt(m["flags"]["macro"]["precision"]),
                fmt(m["flags"]["macro"]["recall"]),
                fmt(m["flags"]["macro"]["f1"]),
                "",
                "",
            ]
        )
        out += _md_table(["flag", "precision", "recall", "F1", "expert", "model"], flags)
        out += [
            "",
            *_md_table(
                ["criterion", "n", "exact", "within 1", "MAE"],
                [
                    [c, str(v["n"]), fmt(v["exact"]), fmt(v["within_1"]), fmt(v["mae"])]
                    for c, v in m["criteria"].items()
                ],
            ),
        ]
        matrix = m["band_confusion"]["matrix"]
        out += ["", "Band confusion (rows expert, columns model):", ""]
        out += _md_table(
            ["expert \\ model", *m["band_confusion"]["labels"]],
            [
                [label] + [str(x) for x in row]
                for label, row in zip(m["band_confusion"]["labels"], matrix, strict=True)
            ],
        )
        if m["severe_miss_ids"]:
            out += ["", "Severe misses (weak <-> strong): " + ", ".join(m["severe_miss_ids"])]
        if m["error_codes"]:
            out += ["", "Errors: " + ", ".join(f"{k} x{v}" for k, v in m["error_codes"].items())]
    rows = comparison_rows(summary)
    if rows:
        out += [
            "",
            "## Paired comparisons",
            "",
            "Candidate minus baseline on the cases both scored; `+`/`!` mark an interval clear of zero "
            "(better/worse). McNemar: exact two-sided test on band correctness (fixed/broken).",
            "",
        ]
        out += _md_table(["pair", "same", "n"] + [LABELS[n] for n in HEADLINE] + ["McNemar"], rows)
        for (kind, shared, cand, base), metrics in group_pairs(summary).items():
            out += ["", f"### {cand} vs {base} ({kind}: {shared}): slices", ""]
            slice_rows = []
            for field, values in metrics["band_accuracy"]["slices"].items():
                for value, entry in values.items():
                    cells = []
                    for name in HEADLINE:
                        part = metrics[name]["slices"][field][value]
                        d = "-" if part["delta"] is None else f"{part['delta']:+.3f}"
                        cells.append(f"{d} {fmt_ci(part['ci95'], signed=True)}")
                    slice_rows.append(
                        [
                            f"{field}={value}",
                            str(entry["n"]),
                            *cells,
                            f"p={fmt_p(entry['mcnemar']['p_value'])}",
                        ]
                    )
            out += _md_table(["slice", "n"] + [LABELS[n] for n in HEADLINE] + ["McNemar"], slice_rows)
            test = metrics["band_accuracy"]["mcnemar"]
            for label, ids in (
                ("Fixed (baseline wrong, candidate right)", test["fixed_ids"]),
                ("Broken (baseline right, candidate wrong)", test["broken_ids"]),
            ):
                out += ["", f"{label}: {len(ids)}"]
                out += [f"- `{i}`: {answers.get(i, '')[:160]!r}" for i in ids]
    gates = summary["gates"]
    out += [
        "",
        "## Gates",
        "",
        f"File `{gates['file']}`: " + ("all passed." if gates["passed"] else "FAILED."),
        "",
    ]
    out += [f"- {'pass' if g['passed'] else '**FAIL**'}: {g['message']}" for g in gates["results"]]
    return "\n".join(out) + "\n"


def write_reports(
    out: Path, summary: dict[str, Any], results: Sequence[CaseResult], fixtures: Sequence[Fixture]
) -> None:
    """report.md and report.html beside summary.json."""
    from evals.report_html import html_report

    (out / "report.md").write_text(markdown(summary, fixtures), encoding="utf-8")
    (out / "report.html").write_text(html_report(summary, results, fixtures), encoding="utf-8")
