"""L08's block in params.yaml (``lectures.l08_trees``); the defaults are the default profile's."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mldm.config import LectureParams, Strict


class Pruning(Strict):
    label_noise: float = Field(
        0.15, ge=0, lt=0.5, description="share of breast_cancer training labels flipped"
    )
    val_fraction: float = Field(0.3, gt=0, lt=1, description="validation share for pruning")


class Forest(Strict):
    n_estimators: int = Field(100, ge=2, description="trees in bagging and the random forest")
    max_features: Literal["sqrt", "log2"] | float = "sqrt"
    curve: list[int] = Field([1, 5, 25, 100], min_length=2, description="trees, as the slides")

    @model_validator(mode="after")
    def _curve_within_the_forest(self):
        # the vote curve reads the first k members' votes: k must be one of the forest's
        bad = [k for k in self.curve if not 1 <= k <= self.n_estimators]
        if bad:
            raise ValueError(f"curve points {bad} must lie in 1..n_estimators={self.n_estimators}")
        return self


class Boosting(Strict):
    n_estimators: int = Field(200, ge=2, description="AdaBoost rounds (stumps)")


class Params(LectureParams):
    criterion: Literal["entropy", "gini"] = "entropy"
    max_depth: int = Field(12, ge=1, description="depths 1..max_depth in the overfitting sweep")
    pruning: Pruning = Pruning()
    forest: Forest = Forest()
    boosting: Boosting = Boosting()
    oracle_seeds: int = Field(3, ge=1, description="seeds averaged in the ensemble oracle check")
