"""Time the pipeline and key operations; write benchmarks/results.json.

    python benchmarks/run.py                 # operations + smoke and default pipelines
    python benchmarks/run.py --skip-default  # without the default-profile pipeline
    python benchmarks/run.py --only nn       # only the neural-network section, merged in
    python benchmarks/run.py --only models   # only the L08/L09 model section, merged in
    python benchmarks/run.py --only smoke    # only the smoke pipeline (+ imports per stage kind)

Pipelines run with `dvc repro` in a fresh temporary copy of the repository (clean run, then
a no-op run). Timings are wall-clock seconds on this machine; they never appear in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"


def _best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def operations() -> dict[str, float]:
    """Key operations against their library references, on diabetes / digits."""
    from sklearn.datasets import load_diabetes, load_digits
    from sklearn.linear_model import LinearRegression as SkLinear
    from sklearn.linear_model import LogisticRegression as SkLogistic

    from mldm.models import LinearRegression, SoftmaxRegression
    from mldm.training import seed_everything

    seed_everything(0, num_threads=1)
    X, y = load_diabetes(return_X_y=True)
    Xd, yd = load_digits(return_X_y=True)
    Xd = (Xd - Xd.mean(0)) / (Xd.std(0) + 1e-9)
    out = {
        "l01_normal_equation_diabetes_s": _best_of(lambda: LinearRegression().fit(X, y)),
        "sklearn_linear_regression_diabetes_s": _best_of(lambda: SkLinear().fit(X, y)),
        "l01_gd_lightning_100_epochs_diabetes_s": _best_of(
            lambda: LinearRegression(solver="gd", lr=0.1, max_epochs=100).fit(X, y), 1
        ),
        "l02_softmax_lightning_100_epochs_digits_s": _best_of(
            lambda: SoftmaxRegression(lr=0.5, max_epochs=100).fit(Xd, yd), 1
        ),
        "sklearn_multinomial_logistic_digits_s": _best_of(
            lambda: SkLogistic(max_iter=1000).fit(Xd, yd), 1
        ),
    }
    out |= _l04_operations(X, y)
    out |= _l05_l08_operations()
    out |= _l09_l13_operations()
    return {k: round(v, 4) for k, v in out.items()}


def _l04_operations(X, y) -> dict[str, float]:
    """L04's solvers beside scikit-learn on standardized diabetes (alpha = 1% of alpha_max)."""
    from sklearn.linear_model import Lasso as SkLasso
    from sklearn.linear_model import Ridge as SkRidge

    from mldm.evaluation import kfold_splits, loo_mse
    from mldm.models import Lasso, Ridge
    from mldm.models.regularized import lasso_alpha_max

    Xs = (X - X.mean(0)) / X.std(0)
    alpha = 0.01 * lasso_alpha_max(Xs, y)
    return {
        "l04_lasso_cd_diabetes_s": _best_of(lambda: Lasso(alpha=alpha, tol=1e-8).fit(Xs, y)),
        "sklearn_lasso_diabetes_s": _best_of(lambda: SkLasso(alpha=alpha, tol=1e-8).fit(Xs, y)),
        "l04_ridge_closed_diabetes_s": _best_of(lambda: Ridge(alpha=1.0).fit(Xs, y)),
        "sklearn_ridge_diabetes_s": _best_of(lambda: SkRidge(alpha=1.0).fit(Xs, y)),
        "l04_loo_closed_form_diabetes_s": _best_of(lambda: loo_mse(Xs, y, alpha=1.0)),
        "l04_kfold_splits_diabetes_s": _best_of(lambda: kfold_splits(len(y), 10, seed=0)),
    }


def _l05_l08_operations() -> dict[str, float]:
    """SMO vs libsvm at n = 2000 (rbf, C = 1); trees and ensembles vs scikit-learn at
    n = 5000 (entropy, one thread each), on make_classification data."""
    from sklearn.datasets import make_classification
    from sklearn.ensemble import AdaBoostClassifier as SkAdaBoost
    from sklearn.ensemble import RandomForestClassifier as SkForest
    from sklearn.svm import SVC as SkSVC  # noqa: N811
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from mldm.models import SVC, AdaBoostClassifier, DecisionTreeClassifier, RandomForestClassifier

    X, y = make_classification(2000, 20, n_informative=10, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    out = {
        "l05_svc_smo_rbf_n2000_s": _best_of(lambda: SVC(C=1.0).fit(X, y)),
        "sklearn_svc_libsvm_rbf_n2000_s": _best_of(lambda: SkSVC(C=1.0).fit(X, y)),
    }
    X, y = make_classification(5000, 20, n_informative=10, random_state=0)
    pairs = {
        "tree_n5000": (DecisionTreeClassifier(), SkTree(criterion="entropy"), 3),
        "random_forest_100_n5000": (
            RandomForestClassifier(100, random_state=0),
            SkForest(100, criterion="entropy", random_state=0, n_jobs=1),
            1,
        ),
        "adaboost_100_stumps_n5000": (
            AdaBoostClassifier(n_estimators=100, random_state=0),
            SkAdaBoost(SkTree(criterion="entropy", max_depth=1), n_estimators=100),
            1,
        ),
    }
    for name, (ours, theirs, repeat) in pairs.items():
        out[f"l08_{name}_s"] = _best_of(lambda m=ours: m.fit(X, y), repeat)
        out[f"sklearn_{name}_s"] = _best_of(lambda m=theirs: m.fit(X, y), repeat)
    return out


def _l09_l13_operations() -> dict[str, float]:
    """K-means, PCA and EM beside scikit-learn from the same start (one thread)."""
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.datasets import make_blobs
    from sklearn.decomposition import PCA as SkPCA  # noqa: N811
    from sklearn.mixture import GaussianMixture as SkMixture

    from mldm.models import PCA, GaussianMixture, KMeans
    from mldm.models.clustering import init_centres

    X, _ = make_blobs(20_000, 16, centers=10, random_state=0)
    start = init_centres(X, 10, "random_distance", 0)
    out = {
        "l09_kmeans_lloyd_n20000_s": _best_of(lambda: KMeans(10, init=start).fit(X)),
        "sklearn_kmeans_lloyd_n20000_s": _best_of(
            lambda: SkKMeans(10, init=start, n_init=1, algorithm="lloyd", tol=0.0).fit(X)
        ),
    }
    Xp = np.random.default_rng(0).normal(size=(5000, 200))
    out["l09_pca_eig_5000x200_s"] = _best_of(lambda: PCA(20).fit(Xp))
    out["l09_pca_svd_5000x200_s"] = _best_of(lambda: PCA(20, solver="svd").fit(Xp))
    out["sklearn_pca_full_5000x200_s"] = _best_of(lambda: SkPCA(20, svd_solver="full").fit(Xp))
    Xg, _ = make_blobs(5000, 10, centers=5, random_state=0)
    init = {"means_init": Xg[:5], "weights_init": np.full(5, 0.2)}
    out["l13_gmm_em_full_5000x10_k5_s"] = _best_of(
        lambda: GaussianMixture(5, max_iter=50, tol=0.0, **init).fit(Xg)
    )
    out["sklearn_gmm_em_full_5000x10_k5_s"] = _best_of(
        lambda: SkMixture(5, max_iter=50, tol=0.0, **init).fit(Xg)
    )
    return out


def _copy_repo(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in files:
        if (
            (ROOT / rel).is_file()
            and not rel.startswith(("metrics/", "tuning/", "benchmarks/results"))
            and rel != "dvc.lock"
        ):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)


def pipeline(profile: str) -> dict[str, float]:
    """Clean `dvc repro` (warm, as `make repro`), a no-op one and, on smoke, every stage
    forced warm and cold, in a temp copy; then some stages alone, each forced."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "PYTHONPATH": str(work / "src"),
            "DVC_NO_ANALYTICS": "1",
        }
        env.pop("MLFLOW_TRACKING_URI", None)
        _copy_repo(work)
        subprocess.run(
            [sys.executable, "-m", "mldm.config", "set-profile", profile],
            cwd=work,
            env=env,
            check=True,
        )
        out: dict[str, float] = {}
        dvc = [str(bin_dir / "dvc"), "repro"]
        warm = [sys.executable, "-m", "mldm.warm"]  # as `make repro` runs it
        # clean and no-op as `make repro` runs them; on smoke, where imports are most of a
        # stage, every stage again (-f) in the warm server's children and each in its own
        # process (cold): on default that would be two more full runs of the course
        runs = [("clean", warm + dvc), ("noop", dvc)]
        if profile == "smoke":
            runs += [("forced_warm", warm + dvc + ["-f"]), ("forced_cold", dvc + ["-f"])]
        for run, cmd in runs:
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
            if proc.returncode:
                raise SystemExit(proc.stdout[-2000:] + proc.stderr[-2000:])
            out[f"dvc_repro_{run}_s"] = round(time.perf_counter() - t, 2)
            if run == "clean":
                ran = re.findall(r"Running stage '([^']+)'", proc.stdout)
                out["stages"] = len(ran)
        # one lecture and its studies, each stage forced alone; studies from an empty storage
        (work / "optuna.journal").unlink(missing_ok=True)
        for stage in TIMED_STAGES:
            t = time.perf_counter()
            proc = subprocess.run(
                [str(bin_dir / "dvc"), "repro", "-f", "-s", stage],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                raise SystemExit(proc.stdout[-2000:] + proc.stderr[-2000:])
            out[f"{stage}_s"] = round(time.perf_counter() - t, 2)
        if profile == "smoke":
            out["imports"] = {"@".join(c): import_times(work, env, c) for c in IMPORT_STAGES}
        return out


# one stage of each kind, rerun under `python -X importtime` (smoke, in the temp copy)
IMPORT_STAGES = (
    ("resolve",),
    ("prepare", "iris"),
    ("train", "l07_training"),  # trains with Lightning
    ("evaluate", "l01_linear_regression"),  # numpy estimators, sklearn metrics and oracles
    ("evaluate", "l09_kmeans_pca"),  # no torch at all
    ("tune", "l04_poly_ridge"),
    ("report",),
)
HEAVY = ("torch", "lightning", "mlflow", "sklearn", "torchmetrics", "matplotlib", "optuna", "scipy")


def import_times(work: Path, env: dict, cmd: tuple[str, ...]) -> dict:
    """Wall seconds of one stage command, seconds spent importing, and the part of it spent in
    each heavy package's own modules (``python -X importtime`` self times)."""
    script = work / "pipelines" / f"{cmd[0]}.py"
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(script), *cmd[1:]],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    top: dict[str, float] = {}
    total = 0.0
    for m in re.finditer(r"import time:\s+(\d+) \|\s+\d+ \| +(\S+)", proc.stderr):
        seconds = int(m[1]) / 1e6  # self time: this module's own import, not its imports
        total += seconds
        package = m[2].split(".")[0]
        if package in HEAVY:
            top[package] = top.get(package, 0.0) + seconds
    top = {k: round(v, 2) for k, v in sorted(top.items())}
    return {"wall_s": round(wall, 2), "import_s": round(total, 2), "heavy": top}


TIMED_STAGES = (
    "train@l04_model_selection",
    "evaluate@l04_model_selection",
    "tune@l04_poly_ridge",
    "tune@l02_softmax_lr",
    "train@l05_svm",
    "evaluate@l05_svm",
    "tune@l05_svm_rbf",
    "train@l08_trees",
    "evaluate@l08_trees",
    "train@l09_kmeans_pca",
    "evaluate@l09_kmeans_pca",
    "train@l13_gmm_em",
    "evaluate@l13_gmm_em",
)


def neural_networks() -> dict:
    """Lightning's overhead over a plain loop, and training throughput (benchmarks/nn.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from nn import neural_networks as measure

    return measure()


def models() -> dict:
    """Tree and K-means beside scikit-learn, one thread (benchmarks/models.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from models import models as measure

    return measure()


def notebooks() -> dict:
    """Every notebooks/<lecture>.py executed headless (nbclient, a fresh kernel each; each
    slider runs its default) on the outputs in this checkout, on its active profile (run
    `make repro` first); merged by profile into what results.json has."""
    import yaml

    from mldm.io import read_json
    from mldm.notebook import execute
    from mldm.notebook import notebooks as found

    profile = yaml.safe_load((ROOT / "params.yaml").read_text())["profile"]
    wall = {}
    for lid, path in found(ROOT).items():
        start = time.perf_counter()
        execute(path)
        wall[lid] = round(time.perf_counter() - start, 1)
    previous = read_json(RESULTS).get("notebooks", {}) if RESULTS.is_file() else {}
    return {**previous, profile: {"total_wall_s": round(sum(wall.values()), 1), "wall_s": wall}}


SECTIONS = {
    "notebooks": ("notebooks", notebooks),
    "nn": ("neural_networks", neural_networks),
    "models": ("models", models),
    "smoke": ("pipeline_smoke", lambda: pipeline("smoke")),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        help="run only this section and merge it into the existing results.json",
    )
    args = parser.parse_args()
    from mldm.io import read_json, write_json

    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if args.only:
        key, measure = SECTIONS[args.only]
        results = read_json(RESULTS) if RESULTS.is_file() else {"machine": machine}
        results[key] = measure()
        write_json(RESULTS, results)
        print(json.dumps(results[key], indent=2))
        return
    results = {
        "machine": machine,
        "operations": operations(),
        "neural_networks": neural_networks(),
        "models": models(),
        "pipeline_smoke": pipeline("smoke"),
    }
    if not args.skip_default:
        results["pipeline_default"] = pipeline("default")
    write_json(RESULTS, results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
