"""``autotune report``, ``studies``, ``compare`` and ``dashboard``: reading what studies hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from autotune.cli._app import app, console, guard, out
from autotune.cli._options import JsonOpt, StorageOpt, StudyOpt
from autotune.core import BadInputError


def _storage(given: str | None) -> str:
    from autotune.study import absolute_storage, default_storage

    return absolute_storage(given or default_storage())


@app.command(short_help="(Re)write a study's HTML report.")
def report(
    study: StudyOpt = None,
    storage: StorageOpt = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="HTML file to write (default: the study's report.html)."
        ),
    ] = None,
    png: Annotated[
        bool,
        typer.Option(
            "--png", help="Also write the Pareto chart as PNG (needs kaleido and a Chromium)."
        ),
    ] = False,
) -> None:
    """(Re)write the self-contained HTML report of a study."""

    def body() -> None:
        from autotune.report import write_report
        from autotune.study import load_study, study_out_dir

        url = _storage(storage)
        s = load_study(study, url)
        path = Path(output) if output else study_out_dir(s) / "report.html"
        written = write_report(s, url, path)
        console.print(f"report: {written}")
        if png:
            from autotune.report import write_pareto_png

            console.print(f"png: {write_pareto_png(s, written.with_suffix('.png'))}")

    guard(body)


@app.command(short_help="List the studies in a storage (--json for numbers).")
def studies(storage: StorageOpt = None, json_output: JsonOpt = False) -> None:
    """List the studies in a storage: model, limit, trials, what ships and its throughput
    (confirmed where the confirmation measured it)."""

    def body() -> None:
        import json

        from rich.table import Table

        from autotune.study import list_studies

        url = _storage(storage)
        rows = list_studies(url)
        if json_output:
            out.print_json(json.dumps({"storage": url, "studies": rows}))
            return
        if not rows:
            out.print(f"no studies in {url}", highlight=False)
            return
        table = Table()
        for column in ("study", "limit", "trials", "ships", "FPS", "× hint"):
            table.add_column(column, overflow="fold")
        for r in rows:
            fps = r["throughput_fps"]
            ratio = r["ratio"]
            table.add_row(
                f"{r['name']}\n({r['model']})",
                r["limit"],
                str(r["trials"]),
                r["ships"] or "nothing",
                f"{fps['estimate']:.1f} ({r['source']})" if fps else "–",
                f"{ratio['estimate']:.2f}× {r['vs_hint']}"
                + (" (search)" if ratio["source"] == "search figures" else "")
                if ratio
                else "–",
            )
        out.print(table)

    guard(body)


@app.command(short_help="Compare studies in one table and one Pareto chart.")
def compare(
    names: Annotated[list[str], typer.Argument(help="Two or more study names in the storage.")],
    storage: StorageOpt = None,
    output: Annotated[
        str, typer.Option("-o", "--output", help="HTML file with the table and one Pareto chart.")
    ] = "compare.html",
) -> None:
    """Compare studies (e.g. one model on two machines or two OpenVINO versions): one table and
    one Pareto chart."""

    def body() -> None:
        from rich.table import Table

        from autotune.report import write_compare
        from autotune.study import load_study

        url = _storage(storage)
        written, rows = write_compare([load_study(n, url) for n in names], output)
        table = Table(width=100)
        for column in ("study", "CPU", "OpenVINO", "winner", "FPS", "latency", "× hint"):
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(
                r.study,
                r.cpu,
                r.openvino,
                r.winner,
                f"{r.throughput_fps:.1f}",
                f"{r.latency_ms:.2f} ms",
                f"{r.ratio:.2f}×" if r.ratio == r.ratio else "–",  # NaN: no reference hint
            )
        out.print(table)
        console.print(f"compare: {written}")

    guard(body)


@app.command(short_help="Serve optuna-dashboard on the study storage.")
def dashboard(
    storage: StorageOpt = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8080,
    host: Annotated[
        str, typer.Option(help="Interface to bind (default loopback; 0.0.0.0 exposes it).")
    ] = "127.0.0.1",
) -> None:
    """Serve optuna-dashboard on the study storage (Ctrl-C to stop)."""

    def body() -> None:
        from autotune.study import open_storage

        try:
            import optuna_dashboard
        except ImportError:
            raise BadInputError(
                "optuna-dashboard is not installed",
                "pip install 'openvino-autotune[dashboard]', or pip install -e '.[dashboard]' "
                "in a checkout",
            ) from None
        backend = open_storage(_storage(storage), heartbeat=False, read_only=True)
        console.print(f"optuna-dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
        optuna_dashboard.run_server(backend, host=host, port=port)

    guard(body)
