"""L10's contrastive pieces: the lecture's loss over 2N views against a cross-entropy
formulation and a hand-computed case, the mutual-information bound, SimCLR's views, and MoCo's
momentum key encoder (no gradient, the EMA of the query encoder step by step) and its queue."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from mldm.models import MoCo, SimCLR, info_nce, mi_lower_bound, momentum_update
from mldm.models.contrastive import augmentation, projection_head


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def _nt_xent_reference(z_a, z_b, tau):
    """The plain formulation (lightly's NTXentLoss): logits z zᵀ/τ over the 2N normalized
    views with the diagonal removed, cross-entropy with target i <-> i + N, mean over 2N."""
    n = len(z_a)
    z = F.normalize(torch.cat([z_a, z_b]), dim=1)
    logits = z @ z.T / tau
    logits = logits[~torch.eye(2 * n, dtype=torch.bool)].view(2 * n, 2 * n - 1)
    # after dropping the diagonal, partner i + N of row i < N sits at column i + N - 1
    target = torch.cat([torch.arange(n, 2 * n) - 1, torch.arange(n)])
    return F.cross_entropy(logits, target)


@pytest.mark.parametrize("n, tau", [(2, 1.0), (7, 0.5), (32, 0.1)])
def test_info_nce_is_cross_entropy_over_2n_views(n, tau):
    z_a = torch.randn(n, 5, generator=_g(n), dtype=torch.float64)
    z_b = torch.randn(n, 5, generator=_g(n + 1), dtype=torch.float64)
    ours = info_nce(z_a, z_b, tau)
    torch.testing.assert_close(ours, _nt_xent_reference(z_a, z_b, tau), rtol=1e-12, atol=1e-12)
    per_anchor = info_nce(z_a, z_b, tau, reduction="none")
    assert per_anchor.shape == (2 * n,)
    torch.testing.assert_close(per_anchor.mean(), ours, rtol=1e-14, atol=0)


def test_info_nce_hand_computed():
    # z_1 = z_1^+ = e_1, z_2 = z_2^+ = e_2, τ = 1: every anchor has sim 1 with its positive,
    # 0 with its two negatives: Loss = -log(e / (e + 2)) = log(1 + 2/e)
    e = torch.eye(2, dtype=torch.float64)
    assert float(info_nce(e, e, 1.0)) == pytest.approx(math.log(1 + 2 / math.e), abs=1e-15)
    # the lecture's formula term by term, anchor z_1 of scaled random vectors
    z_a = torch.tensor([[3.0, 4.0], [1.0, 0.0], [0.0, -2.0]], dtype=torch.float64)
    z_b = torch.tensor([[1.0, 1.0], [-1.0, 2.0], [2.0, 1.0]], dtype=torch.float64)
    tau = 0.5

    def sim(u, v):
        return float(u @ v / (u.norm() * v.norm())) / tau

    num = math.exp(sim(z_a[0], z_b[0]))
    den = num + sum(math.exp(sim(z_a[0], z_a[j])) + math.exp(sim(z_a[0], z_b[j])) for j in (1, 2))
    ours = info_nce(z_a, z_b, tau, reduction="none")[0]
    assert float(ours) == pytest.approx(-math.log(num / den), rel=1e-13)
    # the loss does not change when a view is rescaled (sim is a cosine)
    torch.testing.assert_close(info_nce(5 * z_a, z_b, tau), info_nce(z_a, z_b, tau))


def test_mi_bound_never_above_log_2n_minus_1():
    for n in (2, 8, 64):
        z_a = torch.randn(n, 4, generator=_g(n))
        for z_b in (z_a, torch.randn(n, 4, generator=_g(n + 1))):
            for tau in (0.05, 1.0):
                b = mi_lower_bound(float(info_nce(z_a, z_b, tau)), n)
                assert b <= math.log(2 * n - 1)
    # identical views far apart at a small τ: the bound approaches log(2N - 1)
    z = 10 * torch.eye(4)
    assert mi_lower_bound(float(info_nce(z, z, 0.01)), 4) == pytest.approx(math.log(7), abs=1e-6)


def test_augmentation_views_differ_and_stay_in_shape():
    torch.manual_seed(0)
    x = torch.rand(16, 1, 12, 12)
    for strength in ("crop", "strong", "strong_blur"):
        a = augmentation(12, strength)
        v1, v2 = a(x), a(x)
        assert v1.shape == x.shape and not torch.equal(v1, v2)
    with pytest.raises(ValueError, match="strength"):
        augmentation(12, "medium")


def _encoder():
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU())


def test_simclr_loss_is_info_nce_of_its_views():
    torch.manual_seed(0)
    model = SimCLR(_encoder(), projection_head(8, 4), nn.Identity(), temperature=0.3)
    x = torch.rand(6, 1, 4, 4)
    per_image = model(x)
    z = model.project(x)
    assert per_image.shape == (6,)
    torch.testing.assert_close(per_image.mean(), info_nce(z, z, 0.3))
    assert model.representation(x).shape == (6, 8) and z.shape == (6, 4)


def test_moco_key_encoder_is_ema_of_query_and_gets_no_gradient():
    torch.manual_seed(0)
    m = 0.9
    model = MoCo(_encoder(), projection_head(8, 4), nn.Identity(), dim=4, queue_size=12, momentum=m)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    query = [*model.f.parameters(), *model.g.parameters()]
    key = [*model.key_f.parameters(), *model.key_g.parameters()]
    expected = [p.detach().clone() for p in key]
    assert all(torch.equal(a, b) for a, b in zip(expected, query, strict=True))  # θ_k = θ_q at 0
    x = torch.rand(5, 1, 4, 4, generator=_g())
    for step in range(6):
        before = [p.detach().clone() for p in query]
        opt.zero_grad()
        model(x).mean().backward()
        # the forward moved θ_k <- m θ_k + (1 - m) θ_q (θ_q as the previous step left it)
        expected = [m * e + (1 - m) * q for e, q in zip(expected, before, strict=True)]
        for p, e in zip(key, expected, strict=True):
            torch.testing.assert_close(p.detach(), e, rtol=1e-6, atol=1e-7)
        assert all(p.grad is None for p in key)  # no gradient reaches the key encoder
        assert all(p.grad is not None for p in query)
        opt.step()
        assert any(not torch.equal(b, p) for b, p in zip(before, query, strict=True))
        if step == 0:
            assert not all(torch.equal(k, q) for k, q in zip(key, query, strict=True))


def test_momentum_update_is_the_formula():
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    wa, wb = a.weight.detach().clone(), b.weight.detach().clone()
    momentum_update(a, b, 0.75)
    torch.testing.assert_close(a.weight.detach(), 0.75 * wa + 0.25 * wb)


def test_moco_queue_is_first_in_first_out_and_loss_is_its_cross_entropy():
    torch.manual_seed(0)
    model = MoCo(_encoder(), projection_head(8, 4, hidden=0), nn.Identity(), dim=4, queue_size=7)
    x1, x2 = torch.rand(4, 1, 4, 4, generator=_g(1)), torch.rand(4, 1, 4, 4, generator=_g(2))
    queue0 = model.queue.clone()
    loss = model(x1)
    # the loss used the queue as it was before this batch's keys went in
    q = F.normalize(model.project(x1), dim=1)
    k = F.normalize(model.key_g(model.key_f(x1)), dim=1)
    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue0.T], 1) / model.temperature
    target = torch.zeros(4, dtype=torch.long)
    torch.testing.assert_close(loss, F.cross_entropy(logits, target, reduction="none"))
    torch.testing.assert_close(model.queue[:4], k)
    torch.testing.assert_close(model.queue[4:], queue0[4:])
    model(x2)  # wraps around: slots 4, 5, 6, 0
    k2 = F.normalize(model.key_g(model.key_f(x2)), dim=1)
    torch.testing.assert_close(model.queue[[4, 5, 6, 0]], k2, rtol=1e-5, atol=1e-6)
    assert int(model.ptr) == 1
    model.eval()
    before = copy.deepcopy(model.state_dict())
    model(x1)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    assert np.isfinite(float(loss.detach().mean()))
