"""L10's encoder and autoencoders: shapes, the linear autoencoder's optimum spans PCA's top-k
subspace (principal angles, ours against scipy's), the conv autoencoder's reconstruction."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch

from mldm.evaluation import principal_angles
from mldm.models import PCA, ConvAutoencoder, ConvEncoder, LinearAutoencoder
from mldm.models.autoencoder import classifier


def test_principal_angles_match_scipy():
    rng = np.random.default_rng(0)
    for d, k, l in [(10, 3, 3), (20, 5, 2), (6, 2, 4)]:
        A, B = rng.normal(size=(d, k)), rng.normal(size=(d, l))
        ours = principal_angles(A, B)
        np.testing.assert_allclose(ours, np.sort(scipy.linalg.subspace_angles(A, B)), atol=1e-12)
    A = rng.normal(size=(8, 3))
    B = A @ rng.normal(size=(3, 3)) + 1e-9 * rng.normal(size=(8, 3))  # same span, new basis
    assert principal_angles(A, B).max() < 1e-7  # arccos alone would give ~1e-5 here
    assert principal_angles(np.eye(4)[:, :2], np.eye(4)[:, 2:]) == pytest.approx([np.pi / 2] * 2)


def test_linear_autoencoder_spans_pca_subspace():
    rng = np.random.default_rng(1)
    scales = np.array([5.0, 4.0, 3.0, 0.5, 0.4, 0.3, 0.2, 0.1])
    X = rng.normal(size=(400, 8)) * scales @ np.linalg.qr(rng.normal(size=(8, 8)))[0] + 2.0
    x = torch.as_tensor(X)
    torch.manual_seed(0)
    ae = LinearAutoencoder(8, 3).double()
    opt = torch.optim.LBFGS(
        ae.parameters(),
        max_iter=500,
        tolerance_grad=1e-12,
        tolerance_change=0,
        history_size=50,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = ae(x).mean()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    pca = PCA(n_components=3).fit(X)
    angles = principal_angles(ae.decoder.weight.detach().numpy(), pca.components_.T)
    assert angles.max() < 1e-4
    # it is a subspace, not PCA's basis: the decoder's columns are not the components
    assert (
        np.abs(np.abs(ae.decoder.weight.detach().numpy().T @ pca.components_.T) - np.eye(3)).max()
        > 1e-3
    )
    assert ae.encode(x).shape == (400, 3) and ae(x).shape == (400,)


def test_conv_encoder_and_autoencoder_shapes():
    torch.manual_seed(0)
    f = ConvEncoder(12, (16, 32), 64)
    x = torch.rand(5, 1, 12, 12)
    assert f(x).shape == (5, 64) and f.conv_features(x).shape == (5, 32 * 3 * 3)
    assert f(x.flatten(1)).shape == (5, 64) and (f(x) >= 0).all()
    assert classifier(f)(x).shape == (5, 10)
    ae = ConvAutoencoder(ConvEncoder(12, (16, 32), 64))
    r = ae.reconstruct(x).detach()
    assert r.shape == x.shape and 0 <= float(r.min()) and float(r.max()) <= 1
    torch.testing.assert_close(ae(x), (r - x).pow(2).flatten(1).mean(1))
    assert ConvAutoencoder(ConvEncoder(14, (8, 8), 16)).reconstruct(
        torch.rand(2, 1, 14, 14)
    ).shape == (2, 1, 14, 14)
    with pytest.raises(ValueError, match="pooling"):
        ConvEncoder(3, (8, 8), 4)
