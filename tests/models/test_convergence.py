"""Iterative estimators warn (sklearn's ConvergenceWarning, naming the gap and what to raise)
when they stop before their convergence criterion, and stay silent when they meet it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from mldm.models import LinearRegression
from mldm.models.convergence import gradient_norm, relative_gradient
from mldm.models.linear_classifiers import (
    LogisticRegression,
    SoftmaxRegression,
    cross_entropy_gradient,
)
from mldm.models.linear_regression import add_bias, mse_gradient
from mldm.models.probabilistic import GaussianLinearRegression
from mldm.models.regularized import Lasso, Ridge, regularization_path
from mldm.models.svm import SVC


def _reg():
    X, y = make_regression(300, 8, noise=5.0, random_state=0)
    return X, y


# well-conditioned, noisy (not separable) problems: GD meets its criterion in a few dozen epochs
def _bin():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    return X, (X @ [1.0, -1.0] + rng.normal(size=200) > 0).astype(int)


def _multi():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    return X, np.argmax(X @ [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]] + rng.normal(size=(200, 3)), 1)


def _svm():
    return make_classification(300, 5, n_informative=3, flip_y=0.2, random_state=0)


# (short run that must warn, the same model run to its criterion, data, text the warning names)
CASES = {
    "linreg_gd": (
        LinearRegression(solver="gd"),
        LinearRegression(solver="gd", lr=0.5, max_epochs=60),
        _reg,
        "max_epochs",
    ),
    "linreg_sgd": (
        LinearRegression(solver="sgd", max_epochs=1, lr=1e-3),
        LinearRegression(solver="sgd", max_epochs=300, batch_size=100),
        _reg,
        "max_epochs",
    ),
    "logistic_gd": (
        LogisticRegression(solver="gd", max_epochs=5),
        LogisticRegression(solver="gd", lr=4.0, max_epochs=40),
        _bin,
        "max_epochs",
    ),
    "logistic_newton": (LogisticRegression(max_iter=1), LogisticRegression(), _bin, "max_iter"),
    "softmax": (
        SoftmaxRegression(max_epochs=5),
        SoftmaxRegression(lr=4.0, max_epochs=60),
        _multi,
        "max_epochs",
    ),
    "ridge_gd": (
        Ridge(solver="gd", max_epochs=5),
        Ridge(solver="gd", lr=0.5, max_epochs=60),
        _reg,
        "max_epochs",
    ),
    "lasso_cd": (Lasso(alpha=1.0, max_iter=1), Lasso(alpha=1.0), _reg, "max_iter"),
    "lasso_ista": (
        Lasso(alpha=1.0, solver="ista", max_iter=2),
        Lasso(alpha=1.0, solver="ista", max_iter=5000),
        _reg,
        "max_iter",
    ),
    "smo": (SVC(max_iter=3), SVC(), _svm, "max_iter"),
    "gaussian_mle": (
        GaussianLinearRegression(max_epochs=1),
        GaussianLinearRegression(),
        _reg,
        "max_epochs",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_short_run_warns_converged_run_is_silent(case):
    short, long, data, budget = CASES[case]
    X, y = data()
    with pytest.warns(ConvergenceWarning, match=budget) as record:
        short.fit(X, y)
    assert any(c in str(record[0].message) for c in ("rtol", "gap", "||dL/dw||"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        long.fit(X, y)


def test_issue_example_gd_defaults_stop_short_and_say_so():
    """LinearRegression(solver="gd") with lr 0.01 and 100 epochs on a plain 300 x 8 problem
    ends far from the least-squares w; it used to do so silently."""
    X, y = _reg()
    with pytest.warns(ConvergenceWarning, match=r"solver='gd'.*raise max_epochs") as rec:
        gd = LinearRegression(solver="gd").fit(X, y)
    ref = LinearRegression().fit(X, y)
    assert np.linalg.norm(gd.coef_ - ref.coef_) / np.linalg.norm(ref.coef_) > 0.1
    assert "e-01 x its start" in str(rec[0].message)  # the gap, ~0.16 of the start


def test_diverging_gd_says_lower_lr():
    X, y = _reg()
    with pytest.warns(ConvergenceWarning, match="lower lr"):
        LinearRegression(solver="gd", lr=5.0, max_epochs=20).fit(X, y)


def test_regularization_path_warns_for_unconverged_alphas():
    X, y = _reg()
    with pytest.warns(ConvergenceWarning, match="did not converge for .* alphas.*max_iter"):
        regularization_path(X, y, [10.0, 1.0, 0.1], penalty="l1", max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        regularization_path(X, y, [10.0, 1.0, 0.1], penalty="l1")


def test_gradient_norm_is_the_lectures_gradient():
    """Autograd of the objective = the closed-form gradients (L01 line 145, L02 line 370)."""
    X, y = _reg()
    Xb, w = add_bias(X), np.random.default_rng(0).normal(size=X.shape[1] + 1)
    Xt, yt = torch.as_tensor(Xb), torch.as_tensor(y)
    got = gradient_norm(lambda wt: ((Xt @ wt - yt) ** 2).mean(), [w])
    np.testing.assert_allclose(got, np.linalg.norm(mse_gradient(Xb, y, w)), rtol=1e-12)
    Xc, yc = _bin()
    Xcb, yt = add_bias(Xc), torch.as_tensor(yc, dtype=torch.float64)
    Xct = torch.as_tensor(Xcb)

    def ce(wt):
        return torch.nn.functional.binary_cross_entropy_with_logits(Xct @ wt, yt)

    got = gradient_norm(ce, [w[:3]])
    want = np.linalg.norm(cross_entropy_gradient(Xcb, yc.astype(float), w[:3]))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert relative_gradient(ce, [w[:3]], [w[:3]]) == pytest.approx(1.0)


def test_rtol_is_validated_and_the_fit_is_unchanged_by_it():
    X, y = _reg()
    with pytest.raises(ValueError, match="rtol"):
        LinearRegression(solver="gd", rtol=-1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = LinearRegression(solver="gd", max_epochs=5).fit(X, y)
        b = LinearRegression(solver="gd", max_epochs=5, rtol=np.inf).fit(X, y)
    np.testing.assert_array_equal(a.w_, b.w_)  # a rerun: the check only reads w


def test_summarized_gives_one_line_per_estimator_and_passes_others_through():
    from mldm.models.convergence import summarized

    X, y = _reg()
    with warnings.catch_warnings(record=True) as outer:
        warnings.simplefilter("always")
        with summarized() as lines:
            for epochs in (1, 2, 3):
                LinearRegression(solver="gd", max_epochs=epochs).fit(X, y)
            Lasso(alpha=1.0, max_iter=1).fit(X, y)  # its own message, passed through
            warnings.warn("unrelated", UserWarning, stacklevel=1)
    conv = [str(w.message) for w in outer if issubclass(w.category, ConvergenceWarning)]
    assert lines == [c for c in conv if c.startswith("LinearRegression")]
    assert len(lines) == 1 and lines[0].startswith("LinearRegression(solver='gd'): 3 fits")
    assert "raise max_epochs" in lines[0] and "x its start" in lines[0]
    assert any(c.startswith("Lasso") for c in conv)
    assert any(str(w.message) == "unrelated" for w in outer)
