"""Each finished trial as an MLflow run nested under the study's stage run."""

from __future__ import annotations

import time


class TrialLogger:
    """Each finished trial as an MLflow run nested under the study's stage run.

    Written with the client API (not the fluent active-run stack), so it works the same in
    the stage process and in a worker process on another machine."""

    def __init__(self, uri: str, experiment_id: str, parent_run_id: str, tags: dict[str, str]):
        from mlflow import MlflowClient

        self.client = MlflowClient(uri)
        self.experiment_id = experiment_id
        self.parent = parent_run_id
        self.tags = tags

    def log(self, frozen, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric, Param

        tags = {
            **self.tags,
            "mlflow.parentRunId": self.parent,
            "trial_number": str(frozen.number),
            "trial_state": frozen.state.name,
        }
        run = self.client.create_run(
            self.experiment_id, run_name=f"trial-{frozen.number}", tags=tags
        )
        rid = run.info.run_id
        now = int(time.time() * 1000)
        values = [Metric(k, float(v), now, 0) for k, v in metrics.items() if _finite(v)]
        if frozen.value is not None:
            values.append(Metric("value", float(frozen.value), now, 0))
        values += [
            Metric("intermediate", float(v), now, int(step))
            for step, v in sorted(frozen.intermediate_values.items())
        ]
        params = [Param(k, str(v)) for k, v in frozen.params.items()]
        self.client.log_batch(rid, metrics=values, params=params)
        self.client.set_terminated(rid, "FINISHED" if frozen.state.name != "FAIL" else "FAILED")


def _finite(v) -> bool:
    import math

    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
