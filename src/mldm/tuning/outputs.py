"""A study's outputs: ``best.json``, ``trials.csv`` and Optuna's standard plots."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mldm.tuning.queue import RETRY_OF

if TYPE_CHECKING:
    from mldm.tuning.spec import Study


def summary(study: Study, ostudy) -> dict[str, Any]:
    """best.json: the best and the default trial, counts, and how to apply the best."""
    from optuna.trial import TrialState

    trials = ostudy.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    default = next((t for t in trials if t.user_attrs.get("default")), None)
    if default is not None and default.state == TrialState.FAIL:
        default = next((t for t in trials if t.user_attrs.get(RETRY_OF) == default.number), None)
    out: dict[str, Any] = {
        "study": study.name,
        "target": study.target,
        "metric": study.spec.metric,
        "direction": study.spec.direction,
        "n_trials": study.spec.n_trials,
        "trials": counts,
    }
    if complete:
        best = ostudy.best_trial
        out["best"] = {"trial": best.number, "value": best.value, "params": best.params}
        out["apply"] = "dvc exp run " + " ".join(
            f"-S {study.target}.{k}={v}" for k, v in best.params.items()
        )
    if default is not None:
        out["default"] = {
            "trial": default.number,
            "value": default.value,
            "params": default.params,
            "state": default.state.name.lower(),
        }
    return out


def trials_table(ostudy):
    import pandas as pd

    rows = []
    for t in sorted(ostudy.get_trials(deepcopy=False), key=lambda t: t.number):
        rows.append(
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "value": t.value,
                **{f"params_{k}": v for k, v in t.params.items()},
                "steps_reported": len(t.intermediate_values),
                "retry_of": t.user_attrs.get(RETRY_OF),
                "default": bool(t.user_attrs.get("default", False)),
            }
        )
    return pd.DataFrame(rows)


def write_outputs(study: Study, ostudy, out_dir: Path) -> dict[str, Any]:
    from mldm.io import atomic_dir, atomic_path, write_json

    table = trials_table(ostudy)
    with atomic_path(out_dir / "trials.csv") as tmp:
        table.to_csv(tmp, index=False)
    with atomic_dir(out_dir / "figures") as tmp:
        _plots(study, ostudy, Path(tmp))
    best = summary(study, ostudy)
    write_json(out_dir / "best.json", best)
    return best


def _plots(study: Study, ostudy, out: Path) -> None:
    """Optuna's standard plots (matplotlib backend: offline, no plotly)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm
    from optuna.importance import FanovaImportanceEvaluator
    from optuna.trial import TrialState

    complete = [t for t in ostudy.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    names = list(study.spec.space)
    plots: dict[str, Callable[[], Any]] = {"history": lambda: ovm.plot_optimization_history(ostudy)}
    if len(complete) >= 2:
        plots["slice"] = lambda: ovm.plot_slice(ostudy, params=names)
        plots["param_importances"] = lambda: ovm.plot_param_importances(
            ostudy, evaluator=FanovaImportanceEvaluator(seed=study.spec.sampler.seed)
        )
        if len(names) >= 2:
            plots["contour"] = lambda: ovm.plot_contour(ostudy, params=names[:2])
    if any(t.intermediate_values for t in ostudy.get_trials(deepcopy=False)):
        plots["intermediate_values"] = lambda: ovm.plot_intermediate_values(ostudy)
    for name, draw in plots.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental API, tight_layout on colorbars
            ax = draw()
            fig = (ax.flat[0] if hasattr(ax, "flat") else ax).get_figure()
            if name != "slice":  # slice sizes itself by the number of parameters
                fig.set_size_inches(7, 4.5)
            fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=100, metadata={"Software": None})
        plt.close(fig)
