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
# # L03 Probabilistic view of regression and classification
#
# Lecture 3; course notes `course/course-notes.zh.txt` lines 603-895: the Gaussian likelihood of
# linear regression (lines 739, 767-771), maximum likelihood, and MAP with a Gaussian prior
# w ~ N(0, τ²I) (line 674), which is ridge with λ = σ²/τ² (L04 lines 1248-1262).
# The stage fitted MAP along a grid of prior variances τ²; this notebook reads those models
# and refits MAP for one τ² chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.models import MAPLinearRegression
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l03_probabilistic_view")
print(lecture.summary())
p = lecture.params
d = lecture.data("diabetes").standardized()
mle = lecture.model("gaussian_mle")
print("MLE noise variance σ² =", getattr(mle, "sigma2_", None))

# %% [markdown]
# The lecture's figure: the MAP weights along τ² (saved models), shrinking to 0 as the prior
# tightens and reaching the MLE as it flattens.

# %%
taus = np.asarray(p.tau2_grid, dtype=float)
W = np.array([lecture.model(f"map_{i}").coef_ for i in range(len(taus))])
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.semilogx(taus, W)
ax.set(xlabel="prior variance τ²", ylabel="MAP weight", title="MAP path (diabetes)")
plt.show()

# %% [markdown]
# **One hyperparameter: the prior variance τ².** Test MSE of the MAP fit and its weights.


# %%
def map_fit(tau2):
    model = MAPLinearRegression(sigma2=p.sigma2, tau2=tau2).fit(d.X_train, d.y_train)
    mse = float(np.mean((model.predict(d.X_test) - d.y_test) ** 2))
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(range(len(model.coef_)), model.coef_)
    ax.set(xlabel="feature", ylabel="weight", title=f"τ² = {tau2:g}: test MSE {mse:.4g}")
    plt.show()
    print(
        f"τ² = {tau2:g}  λ = σ²/τ² = {p.sigma2 / tau2:.3g}  ‖w‖ = {np.linalg.norm(model.coef_):.3g}"
    )


slider(map_fit, "tau2", [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e3], value=1e-2)
