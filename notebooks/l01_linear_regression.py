# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # L01 Linear regression
#
# Lecture 1 of the course; course notes `course/course-notes.zh.txt` lines 1-297: the least-squares
# loss and the normal equation (lines 147-153), gradient descent with learning rate r
# (lines 206-220), mini-batch SGD (lines 224-267) and Newton's method (lines 273-284).
# The stage `train@l01_linear_regression` fitted each solver on standardized diabetes; this
# notebook reads its saved models and loss curves, then refits gradient descent with another r.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.models import LinearRegression
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l01_linear_regression")
print(lecture.summary())
diabetes = lecture.data("diabetes").standardized()

# %% [markdown]
# The saved models agree: every solver lands on the normal equation's weights.

# %%
solvers = ["normal_equation", "gd", "newton", "sgd_shuffle"]
w = {name: lecture.model(name).w_ for name in solvers}
for name in solvers:
    print(f"{name:16s} max |w - w_normal| = {np.abs(w[name] - w['normal_equation']).max():.2e}")

# %% [markdown]
# The lecture's figure: training MSE per epoch of each solver.

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for name in ["gd", "sgd_shuffle", "sgd_segment", "newton"]:
    c = lecture.curve(f"loss_{name}")
    ax.semilogy(c["epoch"], c["train_mse"], label=name)
optimum = lecture.curve("loss_normal_equation")["train_mse"].iloc[-1]
ax.axhline(optimum, color="k", ls=":", label="normal equation")
ax.set(xlabel="epoch", ylabel="training MSE", title="L01 solvers on diabetes")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the learning rate r.** Gradient descent converges iff
# r < 2/λ_max(H), H = (2/n)XᵀX (≈ 0.2485 here); above it the loss grows without bound.

# %%
H = 2 / len(diabetes.y_train) * diabetes.X_train.T @ diabetes.X_train
r_max = 2 / np.linalg.eigvalsh(H).max()
print(f"2/lambda_max = {r_max:.4f}")


def gd_with(r):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            model = LinearRegression(solver="gd", lr=r, max_epochs=100).fit(
                diabetes.X_train, diabetes.y_train
            )
    loss = model.loss_curve_
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.semilogy(np.arange(len(loss)), loss, label=f"r = {r}")
    ax.axhline(optimum, color="k", ls=":", label="optimum")
    ax.set(xlabel="epoch", ylabel="training MSE", ylim=(optimum * 0.9, max(loss[0], optimum) * 10))
    ax.legend()
    plt.show()
    print(f"r = {r}: {'converges' if r < r_max else 'diverges'}; final MSE {loss[-1]:.4g}")


slider(gd_with, "r", [0.01, 0.05, 0.1, 0.2, 0.24, 0.26, 0.3], value=0.24)
