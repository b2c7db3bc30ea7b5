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
# # L04 Basis functions, overfitting, model selection and regularization
#
# Lecture 4; course notes `course/course-notes.zh.txt` lines 896-1334: polynomial basis
# functions Φ = [x, x², …, x^M] with the normal equation, overfitting as M grows, and choosing
# M by K-fold cross-validation (with AIC/BIC and L2/L1 penalties, lines 1222-1262).
# The stage swept the degree on mcycle; this notebook reads the sweep from
# `metrics/l04_model_selection.json` and refits one degree chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold, cross_val_score

from mldm.lectures.l04_model_selection.common import ls, mcycle, phi
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l04_model_selection")
print(lecture.summary())
data = mcycle(lecture.context)
sweep = lecture.metrics["mcycle_by_degree"]
rows = [sweep[k] for k in sorted(sweep)]
print("k-fold pick:", lecture.metrics["mcycle_models"]["polynomial_kfold_pick"])

# %% [markdown]
# The lecture's figure: training, cross-validation and test error against the degree.

# %%
deg = [r["degree"] for r in rows]
fig, ax = plt.subplots(figsize=(6, 3.6))
for key in ("train_mse", "cv_mse", "test_mse"):
    ax.plot(deg, [r[key] for r in rows], "o-", label=key)
ax.set(xlabel="degree M", ylabel="MSE", yscale="log", title="mcycle")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the degree M.** The fit and its K-fold CV error, refitted here.


# %%
def fit_degree(degree):
    X, y = phi(degree, data.X), data.y
    model = ls().fit(X, y)
    cv = -cross_val_score(ls(), X, y, cv=KFold(5), scoring="neg_mean_squared_error").mean()
    grid = np.linspace(data.X.min(), data.X.max(), 200)[:, None]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.scatter(data.X[:, 0], y, s=8, color="gray", label="train")
    ax.plot(grid[:, 0], model.predict(phi(degree, grid)), "r", label=f"degree {degree}")
    ax.set(xlabel="time (standardized)", ylabel="acceleration", ylim=(y.min() - 30, y.max() + 30))
    ax.set_title(
        f"M = {degree}: train MSE {np.mean((model.predict(X) - y) ** 2):.0f}, "
        f"5-fold CV MSE {cv:.0f}"
    )
    ax.legend()
    plt.show()


slider(fit_degree, "degree", deg, value=deg[len(deg) // 2])
