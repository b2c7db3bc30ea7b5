"""The two web UIs, served the way ``make ui`` and ``make studies`` serve them.

- ``python -m mldm.ui mlflow``: the MLflow UI on the runs' store
  (:func:`mldm.tracking.tracking_uri`: ``$MLFLOW_TRACKING_URI``, else the embedded
  ``sqlite:///mlflow.db``). A tracking *server*
  (``http(s)://``) already has its UI: the command names it and exits.
- ``python -m mldm.ui studies``: optuna-dashboard on the studies' storage, picked as
  :mod:`mldm.tuning.storage` picks it (``$MLDM_OPTUNA_STORAGE``, else ``studies.<name>.storage``,
  else the embedded ``optuna.journal``) and opened by the same code, so a ``postgresql://`` URL
  gets the psycopg2 driver the workers use. optuna-dashboard is the ``ui`` extra, not a core
  dependency (``make studies`` installs it).

The browser test (``tests/test_browser.py``) starts both through :func:`mlflow_command` and
:func:`serve_studies`, so what it checks is what the make targets run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mldm.errors import MldmError, run_cli

HOST = "127.0.0.1"
MLFLOW_PORT = 5000
STUDIES_PORT = 8080


def mlflow_command(
    root: str | os.PathLike = ".", host: str = HOST, port: int = MLFLOW_PORT
) -> list[str] | None:
    """The ``mlflow ui`` command line for the runs' store; None for a tracking server."""
    from mldm import tracking

    uri = tracking.tracking_uri(root)
    if uri.startswith(("http://", "https://")):
        return None
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_file():
        raise MldmError(
            f"no MLflow runs in '{uri}' yet (run: make repro, or dvc repro train@<lecture>)"
        )
    mlflow = Path(sys.executable).with_name("mlflow")
    return [
        str(mlflow) if mlflow.is_file() else "mlflow",
        "ui",
        "--backend-store-uri",
        uri,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        "1",
    ]


def studies_storage(params: str | os.PathLike = "params.yaml", root=".") -> str:
    """The one storage URL of the studies in ``params`` (as ``tune@<name>`` resolves it)."""
    from mldm import config
    from mldm.tuning.storage import storage_url

    cfg = config.load(params)
    urls = sorted({storage_url(spec, root) for spec in cfg.studies.values()})
    if not urls:
        raise MldmError(f"no studies in '{params}' (declare them under `studies:`)")
    if len(urls) > 1:
        raise MldmError(
            f"the studies use {len(urls)} storages ({', '.join(urls)}): pass one with --storage"
        )
    return urls[0]


def serve_studies(url: str, host: str = HOST, port: int = STUDIES_PORT) -> None:
    """optuna-dashboard on ``url`` until interrupted; one-line errors if it cannot start."""
    try:
        import optuna_dashboard
    except ImportError:
        raise MldmError(
            "optuna-dashboard is not installed (it is the 'ui' extra: make studies, "
            "or pip install -e '.[ui]')"
        ) from None
    from mldm.tuning.storage import RDB_PREFIXES, open_storage

    if "://" not in url and not url.startswith(RDB_PREFIXES) and not Path(url).is_file():
        raise MldmError(f"no studies in '{url}' yet (run: dvc repro tune@<study>)")
    storage = open_storage(url)
    print(f"optuna-dashboard on {url}: http://{host}:{port}/dashboard/", flush=True)
    optuna_dashboard.run_server(storage, host=host, port=port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mldm.ui", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ml = sub.add_parser("mlflow", help="the MLflow UI on the runs' store (make ui)")
    st = sub.add_parser("studies", help="optuna-dashboard on the studies' storage (make studies)")
    for p, port in ((ml, MLFLOW_PORT), (st, STUDIES_PORT)):
        p.add_argument("--host", default=HOST)
        p.add_argument("--port", type=int, default=port)
    st.add_argument("--params", default="params.yaml")
    st.add_argument("--storage", help="a storage URL or journal file (default: the studies')")
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "mlflow":
            cmd = mlflow_command(".", args.host, args.port)
            if cmd is None:
                from mldm import tracking

                print(f"the runs are on the tracking server {tracking.tracking_uri()}: open it")
                return
            print(f"MLflow UI: http://{args.host}:{args.port}", flush=True)
            os.execvp(cmd[0], cmd)
        serve_studies(args.storage or studies_storage(args.params), args.host, args.port)

    run_cli(run)


if __name__ == "__main__":
    main()
