"""The self-contained HTML report: plotly.js embedded once, every chart inline, no CDN."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import optuna
import plotly.graph_objects as go
import plotly.offline

from autotune.core import BatchAxes, write_atomic
from autotune.report._accuracy import AccuracyRow, accuracy_info
from autotune.report._compare import CompareRow, compare_info
from autotune.report._latency import latency_figure, latency_info
from autotune.report._load import load_curve_info
from autotune.report._pareto import pareto_info
from autotune.report._plots import (
    compare_figure,
    exploration_figures,
    history_figure,
    importance_figure,
    load_curve_figure,
    memory_figure,
    parallel_figure,
    pareto_figure,
)
from autotune.report._search import (
    exploration_info,
    history_info,
    importance_info,
    memory_info,
    parallel_info,
)
from autotune.report._shapes import shape_latency_figure, shape_latency_info
from autotune.report._summary import summary_info
from autotune.report._summary_section import summary_html
from autotune.report._tables import trials_table, unique_configs_table
from autotune.study import (
    ANALYSIS_ATTR,
    LOAD_CURVES_ATTR,
    ConfigResult,
    load_meta,
    study_decision_of,
)

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:1.6em;margin-bottom:0}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:4px}
.verdict{font-size:1.2em;background:#eef6ee;border-left:4px solid #2ca02c;padding:10px 14px;margin:16px 0}
.warn{background:#fff7e6;border-left:4px solid #ff9800;padding:8px 12px;margin:6px 0}
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}
th{background:#f6f6f6;cursor:pointer;position:sticky;top:0}td:first-child,th:first-child{text-align:left}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:8px}.muted{color:#777}td.against{background:#fdecea;font-weight:bold}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
"""

# Collects JavaScript errors into the page (the headless-browser test reads them back).
_ERRORS_JS = """
window.__autotuneErrors = [];
window.addEventListener('error', function (e) { window.__autotuneErrors.push(String(e.message)); });
"""
_DONE_JS = """
document.getElementById('autotune-js-errors').textContent = window.__autotuneErrors.join('\\n');
document.body.setAttribute('data-plots', document.querySelectorAll('.js-plotly-plot .main-svg').length);
"""

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var table = th.closest('table'), body = table.tBodies[0];
    var rows = Array.from(body.rows), asc = th.dataset.asc !== 'true';
    rows.sort(function(a, b){
      var x = a.cells[col].innerText, y = b.cells[col].innerText;
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? r : -r;
    });
    rows.forEach(function(r){ body.appendChild(r); });
    th.dataset.asc = asc;
  });
});
"""


# How the requests behind a latency distribution arrived, per scenario.
LOADS = {
    "single-stream": "Single-stream: each request sent when the previous answered.",
    "multi-stream": "Multi-stream: periodic sources at the study's count and frame rate; "
    "latency counts from each frame's due time.",
    "server": "Server: Poisson arrivals at the study's rate; latency counts from arrival.",
}


def _fig_html(fig: go.Figure | None) -> str:
    if fig is None:
        return ""
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))


def _accuracy_html(rows: list[AccuracyRow]) -> str:
    if not rows:
        return ""
    body = "".join(
        "<tr>"
        f"<td>{html.escape(r.role)}</td><td>{html.escape(r.label)}</td>"
        f"<td>{html.escape(r.output)}</td>"
        f"<td>{'–' if r.rel_l2 is None else f'{r.rel_l2:.3g}'}</td>"
        f"<td>{'–' if r.top1 is None else f'{r.top1:.3f}'}</td>"
        f"<td>{'–' if r.max_abs is None else f'{r.max_abs:.3g}'}</td>"
        f"<td>{html.escape(r.metric) or '–'}</td>"
        f"<td>{'yes' if r.feasible else '<b>no</b>'}</td></tr>"
        for r in rows
    )
    return (
        '<h2>Accuracy against f32</h2><p class="muted">Each output against the f32 reference '
        "on the same samples: relative L2 ‖y − ref‖₂ / ‖ref‖₂, top-1 agreement where the output "
        "is a score vector, the largest absolute difference, and your metric (--accuracy-fn)."
        "</p><table><thead><tr><th>role</th><th>configuration</th><th>output</th>"
        "<th>relative L2</th><th>top-1</th><th>max |Δ|</th><th>metric</th>"
        f"<th>meets limits</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _deploy_html(winner: ConfigResult | None, study_name: str) -> str:
    if winner is None:
        return "<p><b>Nothing to deploy:</b> no configuration meets the limits.</p>"
    cfg = winner.config
    properties = json.dumps({cfg.target_device: cfg.properties()}, indent=2)
    name = html.escape(study_name)
    return f"""
<h3>Deploy it</h3>
<p>Device <code>{html.escape(cfg.target_device)}</code>, batch {cfg.batch},
{winner.effective.infer_requests} infer requests, properties (the <code>benchmark_app -load_config</code> format):</p>
<pre>{html.escape(properties)}</pre>
<p><code>autotune export --study {name} --format json -o best_config.json</code>, then
<code>compiled, n = autotune.compile_model("best_config.json")</code> — or <code>--format benchmark_app|python|ovms</code>;
<code>--max-latency X</code> or <code>--trial N</code> export another operating point from this study.</p>"""


def _analysis_html(analysis: dict[str, Any]) -> str:
    """Start-up times, per-layer profile and efficiency of the winner (autotune.tuning)."""
    if not analysis:
        return "<p class='muted'>No analysis of the winner in this study.</p>"
    if "error" in analysis:
        return f"<p class='warn'>The analysis of the winner failed: {html.escape(analysis['error'])}</p>"
    parts = []
    load = analysis.get("load") or {}
    if load:
        rows = "".join(
            f"<tr><td>{html.escape(label)}</td><td>{load[key]['compile_ms']:.1f}</td>"
            f"<td>{load[key]['first_inference_ms']:.2f}</td><td>{load[key]['to_first_result_ms']:.1f}</td></tr>"
            for key, label in (
                ("cold", "no cache"),
                ("cache_fill", "first start with CACHE_DIR (fills it)"),
                ("cached", "later starts (from CACHE_DIR)"),
            )
            if key in load
        )
        parts.append(
            "<h3>Start-up</h3><table><thead><tr><th>start</th><th>compile ms</th><th>first inference ms</th>"
            f"<th>to first result ms</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    profile = analysis.get("profile") or {}
    if profile:
        top = "".join(
            f"<tr><td>{html.escape(str(layer['name']))}</td><td>{html.escape(str(layer['type']))}</td>"
            f"<td>{html.escape(str(layer['exec_type']))}</td><td>{layer['real_ms']:.3f}</td><td>{layer['share']:.1%}</td></tr>"
            for layer in profile.get("top", [])[:12]
        )
        r = profile.get("reorders", {})
        parts.append(
            f"<h3>Where the time goes (PERF_COUNT)</h3><p>{profile['total_ms']:.3f} ms per inference over "
            f"{profile['executed']} executed layers; {profile['not_run']} layers not run (fused into others), "
            f"{profile['optimized_out']} optimized out; {r.get('count', 0)} Reorders take {r.get('ms', 0):.3f} ms "
            f"({r.get('share', 0):.1%}).</p><table><thead><tr><th>layer</th><th>type</th><th>exec type</th>"
            f"<th>ms</th><th>share</th></tr></thead><tbody>{top}</tbody></table>"
        )
    eff = analysis.get("efficiency") or {}
    if eff.get("available"):
        parts.append(
            f"<h3>Distance to the machine's limit</h3><p>The winner does {eff['achieved_gflops']:.1f} GFLOP/s "
            f"({eff['gflop_per_frame']:.3f} GFLOP per frame) against {eff['peak_gflops']:.1f} GFLOP/s that a large "
            f"{html.escape(str(eff.get('precision')))} MatMul reaches here: <b>{eff['share']:.0%}</b> of the machine's "
            "achievable rate. FLOPs count convolutions and matrix products only, so this is a lower bound; "
            "a figure far below 100 % means the model, not the runtime configuration, limits further gains.</p>"
        )
    return "".join(parts)


def render_report(study: optuna.Study, storage_url: str) -> str:
    """The whole report page for a study, as one HTML string."""
    meta = load_meta(study)
    limits, trials, configs, _, decision = study_decision_of(study)
    summary = summary_info(trials, configs, limits, decision, meta.get("environment", {}))
    pareto = pareto_figure(pareto_info(configs, limits, decision))
    exploration = exploration_figures(exploration_info(trials, configs))
    history = history_figure(history_info(trials, configs))
    importance = importance_figure(importance_info(study))
    parallel = parallel_figure(parallel_info(trials, configs))
    memory = memory_figure(memory_info(configs))
    analysis = _analysis_html(study.user_attrs.get(ANALYSIS_ATTR) or {})
    win_key = decision.winner.key if decision.winner else None
    curves = load_curve_info(study.user_attrs.get(LOAD_CURVES_ATTR) or {}, win_key)
    load_html = (
        '<h2>Latency against offered load</h2><p class="muted">Poisson arrivals at fixed '
        "rates; latency counts from arrival, so waiting for a free infer request is included. "
        "A closed-loop benchmark reports the ceiling on the right, where the queue has already "
        "taken the latency past the limit.</p>" + _fig_html(load_curve_figure(curves))
        if curves
        else ""
    )
    distribution = latency_info(trials, decision, limits.percentile, limits.max_latency_ms)
    latency_html = (
        '<h2>Latency distribution</h2><p class="muted">'
        + html.escape(LOADS.get(limits.scenario, ""))
        + " The winner with the hints beside it (the search's measurement of each).</p>"
        + _fig_html(latency_figure(distribution))
        if distribution
        else ""
    )
    shape_info = shape_latency_info(trials, configs, decision)
    shapes_html = (
        '<h2>Latency per request shape</h2><p class="muted">Requests drew their shapes from '
        f"{html.escape(str((meta['model'].get('mix') or {}).get('source', 'the mix')))}; "
        "every config was measured on the same seeded sequence.</p>"
        + _fig_html(shape_latency_figure(shape_info))
        if shape_info
        else ""
    )
    table = trials_table(trials, configs)
    table_html = table.to_html(index=False, classes="sortable", border=0, na_rep="–", escape=True)
    win = decision.winner.key if decision.winner else None
    chosen = next((c for c in configs if c.key == win), None)
    unique_html = unique_configs_table(configs, win).to_html(
        index=False, classes="sortable", border=0, na_rep="–", escape=True
    )
    deploy = _deploy_html(chosen, study.study_name)
    model = meta["model"]
    plotly_js = plotly.offline.get_plotlyjs()
    body = f"""
<h1>autotune report — {html.escape(study.study_name)}</h1>
<p class="muted">model <code>{html.escape(model["path"])}</code> {html.escape(str(model.get("shape") or ""))} ·
devices {html.escape(", ".join(meta["devices"]))} · storage <code>{html.escape(storage_url)}</code><br>
{html.escape(BatchAxes.from_dict(model.get("batch_axes")).summary())}</p>
<h2>Which config to ship</h2>
{summary_html(summary)}
{deploy}
{_accuracy_html(accuracy_info(decision))}
{load_html}
{latency_html}
{shapes_html}
<h2>Pareto front</h2>
{_fig_html(pareto)}
<h2>Batch and infer requests</h2>
<div class="grid">{"".join(_fig_html(f) for f in exploration)}</div>
<h2>Memory</h2>
{_fig_html(memory)}
<h2>The winner up close</h2>
{analysis}
<h2>Search</h2>
{_fig_html(history)}
{_fig_html(importance)}
{_fig_html(parallel)}
<h2>Unique effective configurations</h2>
<p class="muted">OpenVINO clamps what it is asked for; trials that ran the same effective configuration are one row, their windows pooled.</p>
{unique_html}
<h2>All trials</h2>
<p class="muted">Click a column to sort. Latency per request (a batched request counts once); constrained = the limit's percentile, upper quartile over windows.</p>
{table_html}
"""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>autotune — {html.escape(study.study_name)}</title>
<style>{_CSS}</style><script>{_ERRORS_JS}</script><script type="text/javascript">{plotly_js}</script></head>
<body>{body}<pre id="autotune-js-errors" hidden></pre><script>{_SORT_JS}</script><script>{_DONE_JS}</script></body></html>
"""


def write_report(study: optuna.Study, storage_url: str, path: str | Path) -> Path:
    return write_atomic(path, render_report(study, storage_url))


def write_pareto_png(study: optuna.Study, path: str | Path) -> Path:
    """The Pareto chart as a PNG (kaleido, which drives a local Chromium)."""
    from autotune.core import BadInputError

    limits, _, configs, _, decision = study_decision_of(study)
    figure = pareto_figure(pareto_info(configs, limits, decision))
    try:
        image = figure.to_image(format="png", width=1100, height=560)
    except Exception as exc:  # kaleido missing, or no Chromium it can drive
        raise BadInputError(
            f"cannot render PNG ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})",
            "pip install 'openvino-autotune[png]' (kaleido) and install a Chromium "
            "(apt-get install chromium)",
        ) from None
    return write_atomic(path, image)


def write_compare(studies: list[optuna.Study], path: str | Path) -> tuple[Path, list[CompareRow]]:
    rows = compare_info(studies)
    head = [
        "study",
        "model",
        "CPU",
        "OpenVINO",
        "limit",
        "winner",
        "FPS",
        "latency ms",
        "best hint",
        "× hint",
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                r.study,
                r.model,
                r.cpu,
                r.openvino,
                r.limit,
                r.winner,
                f"{r.throughput_fps:.1f}",
                f"{r.latency_ms:.2f}",
                r.best_hint,
                f"{r.ratio:.2f}×",
            )
        )
        + "</tr>"
        for r in rows
    )
    figure = compare_figure(rows).to_html(full_html=False, include_plotlyjs=False)
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>autotune compare</title>
<script>{plotly.offline.get_plotlyjs()}</script>
<style>body{{font-family:system-ui,sans-serif;margin:24px}}td,th{{padding:4px 8px;border-bottom:1px solid #eee}}</style>
</head><body><h1>autotune compare</h1>
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr></thead><tbody>{body}</tbody></table>
{figure}</body></html>"""
    return write_atomic(path, page), rows
