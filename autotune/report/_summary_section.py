"""The report's first section in HTML: the verdict, the findings, each config at its one
figure, how the confirmation rounds went (the winner ÷ each hint, round by round), the
environment and the failed trials."""

from __future__ import annotations

import html
import math

from autotune.measure import STABILITY_REMEDY
from autotune.report._summary import SummaryInfo


def fmt(value: float, digits: int = 2) -> str:
    return (
        f"{value:.{digits}f}" if isinstance(value, (int, float)) and math.isfinite(value) else "–"
    )


def _round_ratios_html(info: SummaryInfo) -> str:
    """The winner ÷ each hint in every confirmation round; rounds against the estimate are
    marked, so the one bad round that widened an interval is in plain sight."""
    rows = [
        f"<tr><td>÷ {html.escape(r.label)} ({fmt(r.estimate)}×)</td>"
        + "".join(
            f"<td{' class=against' if i in r.against else ''}>{fmt(v) if v else '–'}</td>"
            for i, v in enumerate(r.ratios)
        )
        + "</tr>"
        for r in info.round_ratios
    ]
    head = "".join(
        f"<th>{i + 1}</th>" for i in range(max(len(r.ratios) for r in info.round_ratios))
    )
    return (
        f"<h3>Paired ratios, round by round</h3><table><thead><tr><th>winner</th>{head}</tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table><p class='muted'>The winner's figure ÷ "
        "each hint's in each interleaved round; a round on the other side of 1 from the "
        "estimate is marked.</p>"
    )


def summary_html(info: SummaryInfo) -> str:
    ratios = any(r.gain is not None for r in info.rows)  # else no column: nothing to say
    rows = []
    for r in info.rows:
        interval = f" [{fmt(r.interval[0], 1)}, {fmt(r.interval[1], 1)}]" if r.interval else ""
        rows.append(
            "<tr>"
            f"<td>{html.escape(r.role)}</td><td>{html.escape(r.label)}</td>"
            f"<td>{fmt(r.throughput_fps, 1)}{interval}</td><td>{html.escape(r.source)}</td>"
            + "".join(
                f"<td>{fmt(r.latency_ms.get(k, math.nan))}</td>" for k in ("p50", "p90", "p99")
            )
            + f"<td>{'yes' if r.feasible else '<b>no</b>'}</td>"
            + (f"<td>{html.escape(r.ratio_text or '–')}</td>" if ratios else "")
            + "</tr>"
        )
    ratio_head = f"<th>× the {html.escape(info.reference)}</th>" if ratios else ""
    warnings = "".join(
        f'<div class="warn">⚠ {html.escape(w)} — the result may be unstable: {html.escape(STABILITY_REMEDY)}.</div>'
        for w in info.warnings
    )
    failed = ""
    if info.failed:
        items = "".join(f"<li>trial #{n}: {html.escape(reason)}</li>" for n, reason in info.failed)
        failed = f"<h3>Failed trials ({len(info.failed)})</h3><ul>{items}</ul>"
    env = {k: v for k, v in info.environment.items() if v is not None}
    if "memory_bytes" in env:
        env["memory_bytes"] = f"{env['memory_bytes'] / 2**30:.1f} GiB"
    env_rows = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td style='text-align:left'>{html.escape(str(env[k]))}</td></tr>"
        for k in (
            "cpu",
            "logical_cpus",
            "available_cpus",
            "memory_bytes",
            "openvino",
            "optuna",
            "python",
            "kernel",
            "governor",
            "host",
            "recorded_at",
        )
        if k in env
    )
    findings = "".join(f"<li>{html.escape(f)}</li>" for f in info.findings)
    claims = "".join(f"<li>{html.escape(c)}</li>" for c in info.claims)
    notes = "".join(f'<div class="warn">{html.escape(n)}</div>' for n in info.notes)
    duplicates = (
        f" {info.duplicates} more trials asked for a configuration already measured (read back after compile) and were not measured again."
        if info.duplicates
        else ""
    )
    return f"""
<div class="verdict">{html.escape(info.verdict)}</div>
<p>Constraint: <b>{html.escape(info.limits)}</b>. {info.complete_trials} measured trials, {info.unique_configs} unique effective configurations.{duplicates}</p>
{f"<ul>{findings}</ul>" if findings else ""}{notes}
{f"<p><b>INT8 model</b>: {html.escape(info.variant_gain)}</p>" if info.variant_gain else ""}
<table><thead><tr><th>role</th><th>configuration</th><th>{html.escape(info.unit)} [interval]</th><th>figure from</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>meets limits</th>{ratio_head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p class="muted">{html.escape(info.confirmation)}.</p>
{f"<h3>What the stated rates rest on</h3><ul>{claims}</ul>" if claims else ""}
{_round_ratios_html(info) if info.round_ratios else ""}
{warnings}
<h3>Environment</h3><table>{env_rows}</table>
{failed}
"""
