"""12×12 patches of a photograph, compressed and denoised by PCA (lines 4006-4045).

Each patch is one 144-dimensional sample: rebuilt from more components the image's PSNR
never falls (lines 4006-4030), and projecting noisy patches on the top components raises the
PSNR against the clean image (lines 4032-4045).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

SHOWN = (16, 60)  # the reconstructions drawn, where the grid has them


@dataclass(frozen=True)
class PatchCompression:
    """The cropped photograph, its PSNR per number of components ``ks``, the reconstructions
    drawn (``shown``) and the top principal patches (``size``×``size``)."""

    image: np.ndarray
    size: int
    ks: tuple[int, ...]
    psnr_db: tuple[float, ...]
    shown: dict[int, np.ndarray]
    components: np.ndarray


@dataclass(frozen=True)
class Denoising:
    """The clean, noisy and denoised images and their PSNRs against the clean one."""

    clean: np.ndarray
    noisy: np.ndarray
    denoised: np.ndarray
    noise_sigma: float
    n_components: int
    psnr_noisy_db: float
    psnr_denoised_db: float


def camera(ctx: Context, size: int) -> np.ndarray:
    """The photograph cropped to whole patches."""
    image = ctx.data("camera").X_train
    h, w = (np.array(image.shape) // size) * size
    return image[:h, :w]


def noisy(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """The image plus Gaussian noise of standard deviation ``sigma`` (grey levels)."""
    return image + sigma * np.random.default_rng([seed, 9]).standard_normal(image.shape)


def train(ctx: Context) -> None:
    from mldm.models import PCA
    from mldm.models.pca import image_to_patches

    pt = ctx.params.patches
    image = camera(ctx, pt.size)
    with ctx.run("patches", size=pt.size):
        ctx.save_model("patches_pca", PCA().fit(image_to_patches(image, pt.size)))
        P_noisy = image_to_patches(noisy(image, pt.noise_sigma, ctx.seed), pt.size)
        ctx.save_model("noisy_patches_pca", PCA(pt.denoise_components).fit(P_noisy))


def evaluate(ctx: Context) -> tuple[PatchCompression, Denoising]:
    return compression(ctx), denoising(ctx)


def compression(ctx: Context) -> PatchCompression:
    from mldm.lectures.base import sweep_key
    from mldm.models.pca import image_to_patches, patches_to_image, psnr

    p = ctx.params.patches
    image = camera(ctx, p.size)
    P = image_to_patches(image, p.size)
    pca = ctx.load_model("patches_pca")
    ks = [k for k in p.components if k <= pca.n_components_]
    A = pca.transform(P)
    values, recs = [], {}
    for i, k in enumerate(ks):
        rec = patches_to_image(pca.mean_ + A[:, :k] @ pca.components_[:k], image.shape, p.size)
        recs[k] = rec
        values.append(psnr(image, rec, data_range=255.0))
        n, d = P.shape
        ctx.record(
            "camera_patch_compression",
            sweep_key("components", i, len(ks)),
            k=k,
            psnr_db=values[-1],
            compression_ratio=float(n * d / (n * k + k * d + d)),  # codes + basis + mean
        )
    ctx.measure("patch_psnr_grows", int(np.sum(np.diff(values) < 0)))
    shown = [k for k in SHOWN if k in recs] or ks[-2:]
    return PatchCompression(
        image=image,
        size=p.size,
        ks=tuple(ks),
        psnr_db=tuple(values),
        shown={k: recs[k] for k in shown},
        components=pca.components_,
    )


def denoising(ctx: Context) -> Denoising:
    from mldm.models.pca import image_to_patches, patches_to_image, psnr

    p = ctx.params.patches
    image = camera(ctx, p.size)
    noisy_image = noisy(image, p.noise_sigma, ctx.seed)
    den = ctx.load_model("noisy_patches_pca")
    Pn = image_to_patches(noisy_image, p.size)
    denoised = patches_to_image(den.inverse_transform(den.transform(Pn)), image.shape, p.size)
    before = psnr(image, noisy_image, data_range=255.0)
    after = psnr(image, denoised, data_range=255.0)
    ctx.record(
        "camera_denoising",
        "pca_denoised",
        n_components=int(den.n_components_),
        psnr_noisy_db=before,
        psnr_denoised_db=after,
    )
    ctx.measure("denoising_gains_psnr", float(after - before))
    return Denoising(
        clean=image,
        noisy=noisy_image,
        denoised=denoised,
        noise_sigma=p.noise_sigma,
        n_components=int(den.n_components_),
        psnr_noisy_db=before,
        psnr_denoised_db=after,
    )
