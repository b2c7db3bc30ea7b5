"""The three pages a user opens, in headless Chromium, the way the make targets serve them.

- ``make ui`` (:func:`mldm.ui.mlflow_command`) on a small store built here from two lectures'
  smoke stages and two smoke studies: the experiments list shows one experiment per lecture
  present, a lecture's runs table lists its models with their metrics, the compare page of two
  runs draws its charts.
- ``make studies`` (``python -m mldm.ui studies``) on the same studies' journal: every study
  listed, each with its trial count.
- the report opened from disk: every figure loads, the failing-claims filter and the links to
  the quoted lecture lines work, and no request leaves the machine.

No page may reach past 127.0.0.1: every request elsewhere is recorded, aborted and fails the
test. Screenshots go to ``reports/ui/`` (``$MLDM_SCREENSHOTS`` to change it); ``make
screenshots`` installs the ``ui`` extra and runs this file. Chromium: ``$MLDM_CHROMIUM``, else
the system's (``chromium``, ``chromium-browser``, ``google-chrome``), else Playwright's own;
without one, or without playwright, the tests skip with the reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from mldm import config, lectures

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed (make screenshots installs the 'ui' extra)",
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
LECTURES = ("l01_linear_regression", "l03_probabilistic_view")  # fast on smoke
STUDIES = ("l04_poly_ridge", "l05_svm_rbf")  # tune@ on smoke: seconds each
TIMEOUT_MS = 60_000  # the first page of a fresh server is slow on 2 busy cores
sync_api.expect.set_options(timeout=TIMEOUT_MS)


def shots_dir() -> Path:
    out = Path(os.environ.get("MLDM_SCREENSHOTS") or ROOT / "reports" / "ui")
    out.mkdir(parents=True, exist_ok=True)
    return out


# --- the browser ---------------------------------------------------------------------------


def _chromium() -> str | None:
    for c in (
        os.environ.get("MLDM_CHROMIUM"),
        *(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")),
    ):
        if c:
            return c
    return None  # Playwright's own browser, if `playwright install chromium` fetched it


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        except sync_api.Error as e:
            pytest.skip(f"no Chromium to drive: {str(e).strip().splitlines()[0]}")
        yield b
        b.close()


def _local(url: str) -> bool:
    u = urllib.parse.urlparse(url)
    return u.scheme in ("data", "blob", "file", "about") or u.hostname in ("127.0.0.1", "localhost")


@pytest.fixture
def page(browser):
    """A fresh page whose requests off the machine are recorded and aborted."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    outbound: list[str] = []

    def route(r):
        if _local(r.request.url):
            r.continue_()
        else:
            outbound.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.outbound = outbound
    yield pg
    context.close()
    assert not outbound, f"requests left the machine: {outbound[:5]}"


# --- a small store: two lectures' smoke stages and two smoke studies ------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from mldm.data import prepare
    from mldm.lectures.runner import run_stage
    from mldm.tuning.stage import run_stage as tune

    ws = tmp_path_factory.mktemp("ui")
    shutil.copyfile(ROOT / "params.yaml", ws / "params.yaml")
    config.set_profile("smoke", ws / "params.yaml")
    cfg = config.load(ws / "params.yaml")
    needed = {d for lid in LECTURES for d in lectures.datasets(lid, cfg.lecture(lid))}
    needed |= {
        d
        for s in STUDIES
        for d in lectures.datasets(cfg.studies[s].lecture, cfg.lecture(cfg.studies[s].lecture))
    }
    with pytest.MonkeyPatch.context() as mp:
        for var in ("MLFLOW_TRACKING_URI", "DVC_ROOT", "MLDM_OPTUNA_STORAGE"):
            mp.delenv(var, raising=False)
        mp.chdir(ws)
        for name in sorted(needed):
            prepare(name, ws / "data" / "prepared", seed=0, test_size=0.25)
        for lid in LECTURES:
            run_stage("train", lid, "params.yaml", ws)
            run_stage("evaluate", lid, "params.yaml", ws)
        for s in STUDIES:
            tune(s, "params.yaml", ws)
    return ws


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cmd: list[str], cwd: Path, ready: str, log: Path, seconds: float = 120):
    """Start ``cmd`` in its own process group; wait until ``ready`` answers 200."""
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "DVC_ROOT")}
    env.pop("MLDM_OPTUNA_STORAGE", None)
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    out = log.open("w")
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out.close()
            pytest.fail(f"{cmd[:3]} exited {proc.returncode}: {log.read_text()[-1000:]}")
        try:
            with urllib.request.urlopen(ready, timeout=2) as r:
                if r.status == 200:
                    return proc, out
        except OSError:
            time.sleep(0.5)
    _stop(proc, out)
    pytest.fail(f"{cmd[:3]} did not answer {ready} in {seconds:.0f} s: {log.read_text()[-1000:]}")


def _stop(proc, out) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the workers it started
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    out.close()


@contextlib.contextmanager
def _serving(command, cwd: Path, ready: str, name: str):
    """``command(port)`` served on a free port until the block ends; yields its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc, out = _serve(command(port), cwd, url + ready, cwd / f"{name}.log")
    try:
        yield url
    finally:
        _stop(proc, out)


@pytest.fixture(scope="module")
def mlflow_ui(workspace):
    """``make ui``'s command on the workspace's store, on a free port."""
    from mldm.ui import mlflow_command

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        mp.delenv("DVC_ROOT", raising=False)
        with _serving(
            lambda port: mlflow_command(workspace, port=port), workspace, "/health", "mlflow-ui"
        ) as url:
            yield url


@pytest.fixture(scope="module")
def dashboard(workspace):
    """``make studies``' command on the workspace's studies, on a free port."""
    cmd = [sys.executable, "-m", "mldm.ui", "studies", "--port"]
    with _serving(lambda port: [*cmd, str(port)], workspace, "/api/meta", "dashboard") as url:
        yield url


@pytest.fixture(scope="module")
def client(workspace):
    import mlflow

    return mlflow.tracking.MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")


# --- MLflow ---------------------------------------------------------------------------------


def _close_assistant(page) -> None:
    """MLflow 3 opens its assistant panel beside the page; it hides the table's columns."""
    close = page.get_by_role("button", name="Close", exact=True)
    if close.count():
        close.first.click()


def test_mlflow_experiments_list_one_per_lecture(page, mlflow_ui, client):
    names = {e.name for e in client.search_experiments()} - {"Default"}
    studied = {config.load(ROOT / "params.yaml").studies[s].lecture for s in STUDIES}
    assert names == set(LECTURES) | studied  # a study's trials go to its lecture's experiment
    page.goto(f"{mlflow_ui}/#/experiments")
    for name in names:
        sync_api.expect(page.get_by_role("link", name=name, exact=True)).to_have_count(1)
    _close_assistant(page)
    page.screenshot(path=shots_dir() / "mlflow-experiments.png", full_page=True)


def _evaluate_children(client, lecture: str):
    exp = client.get_experiment_by_name(lecture)
    runs = client.search_runs([exp.experiment_id])
    parent = next(r for r in runs if r.info.run_name == f"evaluate@{lecture}")
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    return exp, parent, children


def test_mlflow_runs_table_lists_models_with_metrics(page, mlflow_ui, client):
    lecture = LECTURES[0]
    exp, parent, children = _evaluate_children(client, lecture)
    assert len(children) >= 3 and all("test_mse" in r.data.metrics for r in children)
    query = urllib.parse.urlencode(
        {
            "workflowType": "machine_learning",
            "searchFilter": f"tags.dvc_stage = 'evaluate@{lecture}'",
        }
    )
    page.set_viewport_size({"width": 2000, "height": 900})
    page.goto(f"{mlflow_ui}/#/experiments/{exp.experiment_id}/runs?{query}")
    sync_api.expect(page.get_by_role("link", name=f"evaluate@{lecture}")).to_be_visible()
    _close_assistant(page)
    # the stage's run is collapsed over its models: expand it, then add every metric column
    expanders = page.locator("[role=row] button:not([aria-label])")
    for i in range(expanders.count()):
        expanders.nth(i).click()
    page.get_by_role("button", name="Columns", exact=True).click()
    page.get_by_text(re.compile(r"^Metrics \(\d+\)$")).click()
    page.keyboard.press("Escape")
    for run in children:
        sync_api.expect(
            page.get_by_role("link", name=run.info.run_name, exact=True)
        ).to_be_visible()
    sync_api.expect(page.get_by_role("columnheader", name="test_mse").first).to_be_visible()
    numbers = page.get_by_role("gridcell").filter(has_text=re.compile(r"^-?\d[\d.,e+-]*$"))
    assert numbers.count() >= 2 * len(children)  # each model's row carries its metrics
    page.screenshot(path=shots_dir() / "mlflow-runs.png", full_page=True)


def test_mlflow_compare_page_draws_charts(page, mlflow_ui, client):
    exp, _, children = _evaluate_children(client, LECTURES[0])
    a, b = children[:2]
    ids = json.dumps([a.info.run_id, b.info.run_id])
    q = urllib.parse.urlencode({"runs": ids, "experiments": json.dumps([exp.experiment_id])})
    page.goto(f"{mlflow_ui}/#/compare-runs?{q}")
    sync_api.expect(page.get_by_text("Comparing 2 Runs")).to_be_visible()
    sync_api.expect(page.locator(".js-plotly-plot").first).to_be_visible()  # parallel coordinates
    assert page.locator(".js-plotly-plot svg.main-svg").count() >= 1
    for run in (a, b):
        sync_api.expect(page.get_by_text(run.info.run_name, exact=True).first).to_be_visible()
    sync_api.expect(page.get_by_text("test_mse").first).to_be_visible()  # shared metric names
    _close_assistant(page)
    page.screenshot(path=shots_dir() / "mlflow-compare.png", full_page=True)
    page.get_by_text("Scatter Plot", exact=True).click()  # the two runs as points
    sync_api.expect(page.get_by_text("X-axis:")).to_be_visible()
    sync_api.expect(page.locator(".js-plotly-plot").first).to_be_visible()
    page.screenshot(path=shots_dir() / "mlflow-compare-scatter.png", full_page=True)


# --- optuna-dashboard -----------------------------------------------------------------------


def test_dashboard_lists_every_study_with_its_trial_count(page, dashboard, workspace):
    import optuna

    from mldm.tuning.storage import open_storage

    summaries = optuna.get_all_study_summaries(open_storage(str(workspace / "optuna.journal")))
    assert sorted(s.study_name.rsplit("-", 1)[0] for s in summaries) == sorted(STUDIES)
    page.goto(f"{dashboard}/dashboard/")
    for s in summaries:
        sync_api.expect(page.get_by_text(s.study_name)).to_be_visible()
    page.screenshot(path=shots_dir() / "optuna-dashboard.png", full_page=True)
    for s in summaries:
        page.goto(f"{dashboard}/dashboard/studies/{s._study_id}/trials")
        sync_api.expect(page.get_by_text(f"{s.n_trials} Trials", exact=True)).to_be_visible()
    page.screenshot(path=shots_dir() / "optuna-dashboard-trials.png", full_page=True)


# --- the report, from disk ------------------------------------------------------------------


def _fake_report(tmp_path) -> Path:
    from test_report import _fake_outputs, _notes, _report

    _fake_outputs(tmp_path)
    return _report(tmp_path, ROOT, notes=_notes(tmp_path))


def _broken_images(page) -> tuple[int, list[str]]:
    n = page.locator("img").count()
    broken = page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)"
    )
    return n, broken


def test_report_from_disk_figures_filter_and_lines(page, tmp_path):
    index = _fake_report(tmp_path)
    page.goto(index.as_uri())
    page.wait_for_load_state("load")
    n, broken = _broken_images(page)
    assert n == len(lectures.IDS) + len(config.load(ROOT / "params.yaml").studies) and not broken
    rows = page.locator("tr.claim")
    assert rows.count() == 2 * len(lectures.IDS)
    page.check("#failing-only")  # the fake outputs fail one claim
    sync_api.expect(page.locator("tr.claim:visible")).to_have_count(1)
    sync_api.expect(page.locator("#shown-count")).to_have_text(
        f"1 of {2 * len(lectures.IDS)} claims shown"
    )
    page.uncheck("#failing-only")
    page.select_option("#kind-filter", "oracle")
    sync_api.expect(page.locator("tr.claim:visible")).to_have_count(len(lectures.IDS))
    page.select_option("#kind-filter", "")
    # a claim's lines link opens the quoted lines (inside a closed <details>)
    lid = lectures.IDS[0]
    quote = page.locator(f"#{lid}--lines-1290-1300")
    sync_api.expect(quote).to_be_hidden()
    page.locator(f"tr#{lid}--c1 a[href='#{lid}--lines-1290-1300']").click()
    sync_api.expect(quote).to_be_visible()
    sync_api.expect(quote).to_contain_text("note line 1290")
    page.screenshot(path=shots_dir() / "report-fixture.png")


def test_real_report_opens_offline(page):
    """The report ``dvc repro`` built in this checkout, if there is one."""
    index = ROOT / "reports" / "index.html"
    if not index.is_file():
        pytest.skip("no reports/index.html in this checkout (make repro builds it)")
    page.goto(index.as_uri())
    page.wait_for_load_state("load")
    n, broken = _broken_images(page)
    assert n > 0 and not broken, broken
    page.screenshot(path=shots_dir() / "report.png")
    page.check("#failing-only")
    page.screenshot(path=shots_dir() / "report-failing-only.png")
