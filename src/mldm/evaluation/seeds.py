"""One number measured over several seeds: mean ± sd, and whether a gap clears the spread.

CPUs differ in the last bits of float kernels and training amplifies that, so an effect with a
small margin is stated over seeds (mean ± sample sd) and claimed only when it clears the
seeds' spread: what another machine's draws would still show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OverSeeds", "over_seeds", "separated_gap"]


@dataclass(frozen=True)
class OverSeeds:
    """Mean, sample standard deviation (ddof 1; 0 for one seed) and count of one metric."""

    mean: float
    sd: float
    n: int

    @property
    def se(self) -> float:
        """Standard error of the mean, sd / √n."""
        return self.sd / float(np.sqrt(self.n))

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "sd": self.sd, "n": self.n, "se": self.se}

    def metrics(self, name: str) -> dict[str, float]:
        """``{name_mean, name_sd}``, as metrics files and MLflow name them."""
        return {f"{name}_mean": self.mean, f"{name}_sd": self.sd}


def over_seeds(values) -> OverSeeds:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) == 0:
        raise ValueError(f"over_seeds needs a non-empty 1-D sequence, got shape {v.shape}")
    return OverSeeds(float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0, len(v))


def separated_gap(a: OverSeeds, b: OverSeeds) -> float:
    """How far mean(b) − mean(a) clears two standard errors of that difference,
    mean_b − mean_a − 2·sqrt(sd_a²/n_a + sd_b²/n_b): positive when the seeds' spread cannot
    explain the gap, so the ordering holds on another machine's draws too."""
    se = np.sqrt(a.sd**2 / a.n + b.sd**2 / b.n)
    return float(b.mean - a.mean - 2 * se)
