"""Lecture 2 (linear classifiers, course notes lines 298-602) against autograd and sklearn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn import datasets
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models.linear_classifiers import (
    LogisticRegression,
    OneVsAllClassifier,
    SoftmaxRegression,
    add_bias,
    cross_entropy,
    cross_entropy_gradient,
    cross_entropy_hessian,
    sigmoid,
    softmax,
    softmax_cross_entropy_gradient,
    squared_loss,
)


def _random_problem(seed=0, N=40, d=4, scale=1.0):
    rng = np.random.default_rng(seed)
    Xb = add_bias(rng.normal(size=(N, d)))
    y = (rng.random(N) < 0.5).astype(float)
    w = scale * rng.normal(size=d + 1)
    return Xb, y, w


# Reference losses written independently in torch (differentiated by autograd).
def _t_ce(Xb, y, w):
    s = torch.sigmoid(Xb @ w)
    return torch.mean(-y * torch.log(s) - (1 - y) * torch.log(1 - s))


def _t_sq(Xb, y, w):
    return torch.mean((torch.sigmoid(Xb @ w) - y) ** 2)


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def _split(name, test_size=0.25):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


# ---------------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------------


def test_sigmoid_and_softmax_are_stable_and_correct():
    z = np.array([-800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings
        s = sigmoid(z)
        P = softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(s, torch.sigmoid(_t(z)).numpy(), rtol=1e-15, atol=0)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    np.testing.assert_allclose(P[1], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-15)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)  # line 539
    assert P[0, 0] == 1.0


@pytest.mark.parametrize("seed", range(4))
def test_loss_values_gradient_and_hessian_equal_autograd(seed):
    Xb, y, w = _random_problem(seed, scale=1.5)
    wt = _t(w).requires_grad_(True)
    L = _t_ce(_t(Xb), _t(y), wt)
    (g,) = torch.autograd.grad(L, wt)
    H = torch.autograd.functional.hessian(lambda v: _t_ce(_t(Xb), _t(y), v), _t(w))
    assert abs(cross_entropy(Xb, y, w) - L.item()) < 1e-12
    np.testing.assert_allclose(cross_entropy_gradient(Xb, y, w), g.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(cross_entropy_hessian(Xb, w), H.numpy(), rtol=0, atol=1e-10)
    assert abs(squared_loss(Xb, y, w) - _t_sq(_t(Xb), _t(y), _t(w)).item()) < 1e-12


def test_cross_entropy_is_finite_when_saturated():
    Xb, y, w = _random_problem(1, scale=500.0)  # |xw| in the hundreds: sigma is 0 or 1
    ref = torch.nn.functional.binary_cross_entropy_with_logits(_t(Xb @ w), _t(y)).item()
    assert np.isfinite(cross_entropy(Xb, y, w))
    assert abs(cross_entropy(Xb, y, w) - ref) < 1e-9 * ref


def test_cross_entropy_convex_squared_loss_not():
    """Slide lines 365-390: H of the cross-entropy is PSD everywhere; the squared loss is not
    convex (its second derivative along some line is negative somewhere)."""
    rng = np.random.default_rng(0)
    min_eig, min_sq_curv = np.inf, np.inf
    h = 1e-3
    for trial in range(60):
        Xb, y, w = _random_problem(trial, N=30, d=3, scale=rng.choice([0.1, 1.0, 5.0]))
        H = cross_entropy_hessian(Xb, w)
        min_eig = min(min_eig, np.linalg.eigvalsh(H).min())
        v = rng.normal(size=w.size)
        v /= np.linalg.norm(v)
        # 1-D second derivative of t -> L(w + t v), central finite difference

        def curv(loss, Xb=Xb, y=y, w=w, v=v):
            return (loss(Xb, y, w + h * v) - 2 * loss(Xb, y, w) + loss(Xb, y, w - h * v)) / h**2

        min_sq_curv = min(min_sq_curv, curv(squared_loss))
        assert curv(cross_entropy) > -1e-6  # v^T H v >= 0 along the same line
        np.testing.assert_allclose(curv(cross_entropy), v @ H @ v, rtol=1e-4, atol=1e-7)
    assert min_eig >= -1e-12
    assert min_sq_curv < -1e-3


@pytest.mark.parametrize("seed", range(3))
def test_softmax_gradient_equals_autograd(seed):
    rng = np.random.default_rng(seed)
    N, d, K = 50, 4, 3
    Xb = add_bias(rng.normal(size=(N, d)))
    Y = np.eye(K)[rng.integers(0, K, size=N)]
    W = rng.normal(size=(d + 1, K))
    Wt = _t(W).requires_grad_(True)
    L = -torch.mean(torch.sum(_t(Y) * torch.log(torch.softmax(_t(Xb) @ Wt, dim=1)), dim=1))
    (G,) = torch.autograd.grad(L, Wt)
    np.testing.assert_allclose(
        softmax_cross_entropy_gradient(Xb, Y, W), G.numpy(), rtol=0, atol=1e-10
    )


def test_softmax_with_two_classes_is_sigmoid_of_difference():
    """Lines 553-568: softmax_1(xW) = sigma(x(w1 - w2)), softmax_2 = 1 - sigma(x(w1 - w2))."""
    rng = np.random.default_rng(0)
    Xb = add_bias(rng.normal(size=(100, 3)))
    W = 3 * rng.normal(size=(4, 2))
    P = softmax(Xb @ W)
    np.testing.assert_allclose(P[:, 0], sigmoid(Xb @ (W[:, 0] - W[:, 1])), rtol=0, atol=1e-12)
    np.testing.assert_allclose(P[:, 1], 1 - sigmoid(Xb @ (W[:, 0] - W[:, 1])), atol=1e-12)
    # and for a trained W
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:, :5])
    sm = SoftmaxRegression(lr=1.0, max_epochs=20).fit(X, y)
    w1, w2 = sm.W_[:, 1], sm.W_[:, 0]  # column of class 1, column of class 0
    np.testing.assert_allclose(
        sm.predict_proba(X)[:, 1], sigmoid(add_bias(X) @ (w1 - w2)), rtol=0, atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# Binary logistic regression
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_feature_cancer():
    """Breast cancer on features 0 and 1 only: not linearly separable, a finite optimum."""
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X[:, :2]), y


def test_newton_matches_unpenalized_sklearn(two_feature_cancer):
    X, y = two_feature_cancer
    ours = LogisticRegression().fit(X, y)  # solver="newton"
    # C=inf is "no penalty" in sklearn 1.9 (penalty=None is deprecated since 1.8)
    sk = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    sk.fit(X, y)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    assert ours.coef_.shape == (1, 2) and ours.intercept_.shape == (1,)
    # Newton converges quadratically: few steps, loss never increases, gradient ~ 0
    assert ours.n_iter_ <= 10
    assert len(ours.loss_curve_) == ours.n_iter_ + 1
    assert ours.loss_curve_[0] == pytest.approx(np.log(2))  # w_0 = 0: sigma = 1/2
    assert np.all(np.diff(ours.loss_curve_) <= 1e-15)
    assert np.linalg.norm(cross_entropy_gradient(add_bias(X), y, ours.w_)) < 1e-10


def test_predict_is_xw_nonnegative_rule_and_labels_map(two_feature_cancer):
    X, y = two_feature_cancer
    labels = np.array(["benign?", "malignant?"])[1 - y]  # sorted: classes_[1] = "malignant?"
    m = LogisticRegression().fit(X, labels)
    np.testing.assert_array_equal(m.classes_, ["benign?", "malignant?"])
    z = m.decision_function(X)
    np.testing.assert_array_equal(m.predict(X), m.classes_[(z >= 0).astype(int)])
    np.testing.assert_array_equal(m.predict(X) == "malignant?", sigmoid(z) >= 0.5)
    # the threshold is exactly xw = 0: points a hair either side of the boundary hyperplane
    w0, w = m.w_[0], m.w_[1:]
    on_boundary = -w0 * w / (w @ w)  # x with x w = 0 (x without its leading 1)
    near = on_boundary + np.array([[1e-9], [-1e-9]]) * w  # x w = +-1e-9 ||w||^2
    assert np.all(np.abs(m.decision_function(near)) < 1e-7)
    np.testing.assert_array_equal(m.predict(near), ["malignant?", "benign?"])
    # same problem with 0/1 labels (flipped): same boundary, opposite sign
    np.testing.assert_allclose(m.w_, -LogisticRegression().fit(X, y).w_, atol=1e-10)


def test_gd_through_lightning_is_the_lecture_update(two_feature_cancer):
    """Full-batch GD via mldm.training equals w <- w - r dL/dw with the slide's gradient."""
    X, y = two_feature_cancer
    Xb = add_bias(X)
    r, epochs = 0.7, 15
    w = np.zeros(3)
    curve = []
    for _ in range(epochs):
        w = w - r * cross_entropy_gradient(Xb, y, w)
        curve.append(cross_entropy(Xb, y, w))
    m = LogisticRegression(solver="gd", lr=r, max_epochs=epochs).fit(X, y)
    np.testing.assert_allclose(m.w_, w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.loss_curve_, curve, rtol=0, atol=1e-12)
    assert m.n_iter_ == epochs and m.w_.dtype == np.float64


def test_squared_loss_gets_stuck_from_a_far_start(two_feature_cancer):
    """Lines 376-394: from w_0 = -5 w* every sigma saturates on the wrong side, so the squared
    loss's gradient 2(sigma-y)sigma(1-sigma)x vanishes; the cross-entropy's (sigma-y)x does not."""
    X, y = two_feature_cancer
    w_star = LogisticRegression().fit(X, y).w_
    kw = dict(solver="gd", lr=1.0, max_epochs=60, w_init=-5 * w_star)
    sq = LogisticRegression(loss="squared", **kw).fit(X, y)
    ce = LogisticRegression(loss="cross_entropy", **kw).fit(X, y)
    best = LogisticRegression().fit(X, y).score(X, y)
    assert sq.loss_curve_[0] - sq.loss_curve_[-1] < 0.01  # barely moves
    assert sq.score(X, y) < 0.5  # still predicting the wrong way round
    assert ce.score(X, y) > best - 0.01
    # the squared loss itself is fine from w_0 = 0 (it is the start that is bad)
    sq0 = LogisticRegression(loss="squared", solver="gd", lr=1.0, max_epochs=60).fit(X, y)
    assert sq0.score(X, y) > best - 0.02


def test_gd_on_breast_cancer_close_to_sklearn():
    Xtr, Xte, ytr, yte = _split("breast_cancer")
    sk = SkLogisticRegression().fit(Xtr, ytr).score(Xte, yte)
    m = LogisticRegression(solver="gd", lr=1.0, max_epochs=100).fit(Xtr, ytr)
    assert m.score(Xte, yte) >= sk - 0.03
    assert len(m.loss_curve_) == 100
    assert np.all(np.diff(m.loss_curve_) < 0)
    # mini-batch SGD also trains (the loss after the last epoch is far below log 2)
    sgd = LogisticRegression(solver="gd", lr=0.1, max_epochs=10, batch_size=32).fit(Xtr, ytr)
    assert sgd.loss_curve_[-1] < 0.15 and sgd.score(Xte, yte) >= sk - 0.03


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(loss="squared"), "newton"),  # Newton needs the convex loss
        (dict(loss="hinge"), "loss"),
        (dict(solver="lbfgs"), "solver"),
        (dict(solver="gd", lr=0.0), "lr"),
        (dict(w_init=[0.0, 1.0]), "w_init"),
    ],
)
def test_invalid_parameters_raise(two_feature_cancer, params, match):
    X, y = two_feature_cancer
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_binary_estimator_rejects_multiclass():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        LogisticRegression().fit(X, y)


# ---------------------------------------------------------------------------------------------
# Softmax regression and one-vs-all
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 64])
def test_two_class_softmax_trajectory_is_logistic_gd_with_double_lr(two_feature_cancer, batch_size):
    """For K = 2 the columns' gradients are negatives of each other:
    dL/dw_1 = 1/N sum (s_1 - y_1) x^T and dL/dw_2 = 1/N sum (s_2 - y_2) x^T with s_2 = 1 - s_1,
    y_2 = 1 - y_1, so dL/dw_2 = -dL/dw_1. Hence d = w_1 - w_2 moves by -r (g_1 - g_2) = -2r g_1,
    and g_1 is exactly the logistic gradient at d, since s_1 = sigma(x d) (lines 553-568).
    From W_0 = 0 (d_0 = 0), softmax GD with rate r traces logistic GD with rate 2r, while
    w_1 + w_2 stays 0."""
    X, y = two_feature_cancer
    r, epochs = 0.3, 25
    sm = SoftmaxRegression(lr=r, max_epochs=epochs, batch_size=batch_size).fit(X, y)
    lr = LogisticRegression(solver="gd", lr=2 * r, max_epochs=epochs, batch_size=batch_size)
    lr.fit(X, y)
    w1, w2 = sm.W_[:, 1], sm.W_[:, 0]  # w_1: class y = 1 (classes_[1]); w_2: class y = 0
    np.testing.assert_allclose(w1 - w2, lr.w_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(w1 + w2, 0.0, atol=1e-12)
    np.testing.assert_allclose(sm.loss_curve_, lr.loss_curve_, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", ["iris", "wine", "digits"])
def test_softmax_regression_close_to_sklearn_multinomial(name):
    Xtr, Xte, ytr, yte = _split(name)
    sk = SkLogisticRegression(max_iter=2000).fit(Xtr, ytr).score(Xte, yte)  # multinomial
    m = SoftmaxRegression(lr=1.0, max_epochs=100).fit(Xtr, ytr)
    K, d = len(np.unique(ytr)), Xtr.shape[1]
    assert m.W_.shape == (d + 1, K) and m.coef_.shape == (K, d) and m.intercept_.shape == (K,)
    assert m.score(Xte, yte) >= sk - 0.03
    assert np.all(np.diff(m.loss_curve_) < 0)
    np.testing.assert_allclose(m.predict_proba(Xte).sum(axis=1), 1.0, rtol=1e-14)


@pytest.mark.parametrize(
    "name, estimator",
    [
        ("iris", None),
        ("wine", None),
        # Unpenalized Newton separates each digit from the rest on the training set and
        # drives ||w|| up (test accuracy 0.92); a fixed GD budget stops early (0.96).
        ("digits", LogisticRegression(solver="gd", lr=1.0, max_epochs=100)),
    ],
)
def test_one_vs_all_close_to_sklearn_multinomial(name, estimator):
    Xtr, Xte, ytr, yte = _split(name)
    sk = SkLogisticRegression(max_iter=2000).fit(Xtr, ytr).score(Xte, yte)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separable one-vs-rest problems: Newton warns
        ova = OneVsAllClassifier(estimator).fit(Xtr, ytr)
    K = len(ova.classes_)
    assert len(ova.estimators_) == K
    F_ = ova.decision_function(Xte)
    assert F_.shape == (len(Xte), K) and np.all((F_ >= 0) & (F_ <= 1))
    # f_i(x) = sigma(x w_i) of the i-th binary classifier, and k = argmax_i f_i(x)
    np.testing.assert_allclose(
        F_[:, 1], sigmoid(ova.estimators_[1].decision_function(Xte)), rtol=1e-15
    )
    np.testing.assert_array_equal(ova.predict(Xte), ova.classes_[F_.argmax(axis=1)])
    assert ova.score(Xte, yte) >= sk - 0.03


# ---------------------------------------------------------------------------------------------
# sklearn API conformance
# ---------------------------------------------------------------------------------------------


_OVA_BINARY_SCORE = (
    "decision_function is the lecture's (N, K) matrix [f_1(x), ..., f_K(x)] also for K = 2; "
    "sklearn wants a 1-D score for binary targets (with a 1-D score patched in, the rest of "
    "this check passes)"
)


def _expected_failures(estimator):
    if isinstance(estimator, OneVsAllClassifier):
        return {
            "check_classifiers_train": _OVA_BINARY_SCORE,
            "check_classifiers_classes": _OVA_BINARY_SCORE,
        }
    return {}


@parametrize_with_checks(
    [
        LogisticRegression(),
        LogisticRegression(solver="gd", lr=1.0, max_epochs=20),
        SoftmaxRegression(lr=1.0, max_epochs=20),
        OneVsAllClassifier(),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
