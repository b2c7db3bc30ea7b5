"""L09's block in params.yaml (``lectures.l09_kmeans_pca``); defaults are the default profile's."""

from __future__ import annotations

from pydantic import Field, field_validator

from mldm.config import LectureParams, Strict


class Blobs(Strict):
    """Synthetic 2-D clusters with a known K (the elbow and soft K-means pictures)."""

    n: int = Field(600, ge=20)
    k: int = Field(4, ge=2, le=10, description="the true number of clusters")
    std: float = Field(0.6, gt=0)


class KMeansParams(Strict):
    k_max: int = Field(10, ge=3, description="elbow: K = 1..k_max")
    seeds: int = Field(10, ge=1, description="runs per initialization (J monotone, init effect)")
    quality_runs: int = Field(30, ge=1, description="seeded runs each, ours vs sklearn (ARI)")
    betas: list[float] = Field([0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0], min_length=2)

    @field_validator("betas")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(b <= 0 for b in v) or any(b2 <= b1 for b1, b2 in zip(v, v[1:], strict=False)):
            raise ValueError("betas must be positive and strictly increasing")
        return v


class Faces(Strict):
    components: list[int] = Field([1, 3, 7, 15, 30, 60], min_length=2)
    eigenfaces_shown: int = Field(25, ge=1, le=60, description="the slide shows the top 25")


class Patches(Strict):
    size: int = Field(12, ge=2, description="the slide's 12×12 patches")
    components: list[int] = Field([1, 2, 4, 8, 16, 32, 60, 100], min_length=2)
    noise_sigma: float = Field(25.0, gt=0, description="Gaussian noise on 0-255 grey levels")
    denoise_components: int = Field(15, ge=1, description="the slide keeps 15")


class Params(LectureParams):
    blobs: Blobs = Blobs()
    kmeans: KMeansParams = KMeansParams()
    digits_k: int = Field(10, ge=2)
    faces: Faces = Faces()
    patches: Patches = Patches()
