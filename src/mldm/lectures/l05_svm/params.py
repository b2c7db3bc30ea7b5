"""L05's block in params.yaml (``lectures.l05_svm``)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from mldm.config import LectureParams, Strict


class Toy(Strict):
    """Two Gaussian blobs in 2-D, centred at ±``centre``·(1, 1): the slides' pictures."""

    n_train: int = Field(60, ge=6, description="training points (both classes)")
    n_test: int = Field(2000, ge=10, description="fresh test points")
    centre: float = Field(1.5, gt=0)
    separable_std: float = Field(0.45, gt=0, description="small: linearly separable")
    overlap_std: float = Field(1.4, gt=0, description="large: the classes overlap")


class Moons(Strict):
    n_train: int = Field(200, ge=20)
    n_test: int = Field(2000, ge=10)
    noise: float = Field(0.25, ge=0)


class DigitsRBF(Strict):
    """The final digits model: Gaussian-kernel SVC on standardized pixels (tune@l05_svm_rbf)."""

    C: float = Field(1.0, gt=0)
    gamma: float = Field(1 / 64, gt=0, description="γ = 1/(2σ²); 1/64 = 1/d is sklearn's 'auto'")


class Params(LectureParams):
    toy: Toy = Toy()
    moons: Moons = Moons()
    C: float = Field(1.0, gt=0, description="C of the kernel and real-set comparisons")
    C_grid: list[float] = Field([0.01, 0.1, 1.0, 10.0, 100.0], min_length=3)
    gamma_grid: tuple[float, float, int] = Field(
        (0.01, 1000.0, 11), description="rbf γ sweep on moons: from, to, points (log)"
    )
    poly_degree: int = Field(3, ge=2, le=6)
    tol: float = Field(1e-3, gt=0, lt=1, description="SMO stopping gap, as libsvm's tol")
    k: int = Field(5, ge=2, description="K of the K-fold objective of the study")
    digits_rbf: DigitsRBF = DigitsRBF()

    @field_validator("C_grid")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(c <= 0 for c in v) or any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("C_grid must be positive and strictly increasing")
        return v

    @model_validator(mode="after")
    def _check(self) -> Params:
        lo, hi, n = self.gamma_grid
        if not 0 < lo < hi or n < 3:
            raise ValueError("gamma_grid must be (low > 0, high > low, points >= 3)")
        return self
