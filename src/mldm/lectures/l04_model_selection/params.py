"""L04's block in params.yaml (``lectures.l04_model_selection``).

λ is always the lecture's, in L̃(w) = (1/N)||Φw − y||² + λ||w|| (lines 1247-1255, 1312); the
estimators take scikit-learn's scaling, Ridge α = Nλ and Lasso α = λ/2.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from mldm.config import LectureParams, Strict


class Synthetic(Strict):
    coef: list[float] = Field(
        [0.5, -2.0, 0.5, 3.0],
        min_length=2,
        description="true curve c0 + c1 x + c2 x² + ...; a cubic, so the true degree is 3",
    )
    noise: float = Field(0.3, ge=0, description="std of the Gaussian noise on y")
    n_train: int = Field(20, ge=8, description="training points: few, so high degrees overfit")
    n_test: int = Field(1000, ge=10, description="fresh test points from the same curve")
    x_range: tuple[float, float] = (-1.0, 1.0)
    replicates: int = Field(100, ge=1, description="fresh training sets for selection rates")


class Holdout(Strict):
    val_fraction: float = Field(0.3, gt=0, lt=1, description="validation share (20%-30%)")
    small_val_fraction: float = Field(0.05, gt=0, lt=1, description="a too-small one")
    repeats: int = Field(200, ge=2, description="random splits for the spread of the estimate")


class WeightDecay(Strict):
    lam: float = Field(0.1, gt=0, description="λ of L + λ||w||² on standardized diabetes")
    lr: float = Field(0.2, gt=0, description="GD rate r; r < 2/(λmax(2XᵀX/N) + 2λ)")
    max_epochs: int = Field(400, ge=1)


class PolyRidge(Strict):
    """The final mcycle model: standardized x -> polynomial basis -> Ridge (tuned by K-fold)."""

    degree: int = Field(8, ge=1, le=30, description="polynomial degree")
    alpha: float = Field(0.01, ge=0, description="Ridge α (scikit-learn scale, = Nλ)")


class Params(LectureParams):
    synthetic: Synthetic = Synthetic()
    max_degree: int = Field(12, ge=4, le=30, description="synthetic degrees 1..max_degree")
    mcycle_max_degree: int = Field(20, ge=4, le=30, description="mcycle degrees 1..this")
    k: int = Field(5, ge=2, description="K of K-fold cross validation")
    holdout: Holdout = Holdout()
    hard_sigmoid_pieces: int = Field(10, ge=1, description="hard sigmoids B for mcycle")
    l2_degree: int = Field(12, ge=1, description="the high degree L2 regularizes")
    l2_lambda: float = Field(0.01, gt=0, description="λ of the regularization picture")
    weight_decay: WeightDecay = WeightDecay()
    sparsity_lambda: float = Field(2.0, gt=0, description="λ of the L1-vs-L2 comparison")
    path_lambdas: tuple[float, float, int] = Field(
        (1e-3, 1e3, 40), description="regularization paths: λ from, to, points (log)"
    )
    poly_ridge: PolyRidge = PolyRidge()

    @model_validator(mode="after")
    def _check(self) -> Params:
        if self.l2_degree > self.max_degree:
            raise ValueError(f"l2_degree ({self.l2_degree}) must be <= max_degree")
        if self.max_degree >= self.synthetic.n_train:
            raise ValueError("max_degree must be < synthetic.n_train")
        lo, hi, n = self.path_lambdas
        if not 0 < lo < hi or n < 2:
            raise ValueError("path_lambdas must be (low > 0, high > low, points >= 2)")
        return self
