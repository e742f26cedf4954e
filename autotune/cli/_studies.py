"""``autotune report``, ``studies``, ``compare`` and ``dashboard``: reading what studies hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from autotune.cli._app import app, console, guard, out
from autotune.cli._options import StorageOpt, StudyOpt
from autotune.core import BadInputError
from autotune.study import DEFAULT_STORAGE


@app.command()
def report(
    study: StudyOpt = None,
    storage: StorageOpt = DEFAULT_STORAGE,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="HTML file to write (default: the study's report.html)."
        ),
    ] = None,
    png: Annotated[
        bool,
        typer.Option(help="Also write the Pareto chart as PNG (needs kaleido and a Chromium)."),
    ] = False,
) -> None:
    """(Re)write the self-contained HTML report of a study."""

    def body() -> None:
        from autotune.report import write_report
        from autotune.study import load_study, study_out_dir

        s = load_study(study, storage)
        path = Path(output) if output else study_out_dir(s) / "report.html"
        written = write_report(s, storage, path)
        console.print(f"report: {written}")
        if png:
            from autotune.report import write_pareto_png

            console.print(f"png: {write_pareto_png(s, written.with_suffix('.png'))}")

    guard(body)


@app.command()
def studies(storage: StorageOpt = DEFAULT_STORAGE) -> None:
    """List the studies in a storage: model, limit, trials, what ships and its throughput
    (confirmed where the confirmation measured it)."""

    def body() -> None:
        from rich.table import Table

        from autotune.study import list_studies

        rows = list_studies(storage)
        if not rows:
            console.print(f"no studies in {storage}")
            return
        table = Table(width=120)
        for column in ("study", "model", "limit", "trials", "ships", "FPS", "× hint"):
            table.add_column(column, overflow="fold")
        for r in rows:
            fps = f"{r['fps']:.1f} ({r['source']})" if r["fps"] is not None else "–"
            ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "–"
            table.add_row(
                r["name"],
                r["model"],
                r["limit"],
                str(r["trials"]),
                r["shipped"] or "nothing",
                fps,
                ratio,
            )
        out.print(table)

    guard(body)


@app.command()
def compare(
    names: Annotated[list[str], typer.Argument(help="Two or more study names in the storage.")],
    storage: StorageOpt = DEFAULT_STORAGE,
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

        if len(names) < 2:
            raise BadInputError(
                "compare needs at least two study names", "e.g. autotune compare a b"
            )
        written, rows = write_compare([load_study(n, storage) for n in names], output)
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
                f"{r.ratio:.2f}×",
            )
        out.print(table)
        console.print(f"compare: {written}")

    guard(body)


@app.command()
def dashboard(
    storage: StorageOpt = DEFAULT_STORAGE,
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
                "optuna-dashboard is not installed", "pip install 'autotune[dashboard]'"
            ) from None
        backend = open_storage(storage, heartbeat=False, must_exist=True)
        console.print(f"optuna-dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
        optuna_dashboard.run_server(backend, host=host, port=port)

    guard(body)
