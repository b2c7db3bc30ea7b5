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
# # L02 Linear classifiers
#
# Lecture 2; course notes `course/course-notes.zh.txt` lines 298-602: logistic regression
# σ(xw) (lines 310-485), the squared loss on a sigmoid (line 343, non-convex, line 386) against
# the cross-entropy (lines 345-373), gradient descent (lines 426-432) and softmax regression.
# The stage fitted both losses by GD from a *confidently wrong* start w₀ = −‖w₀‖·w*/‖w*‖ on two
# breast-cancer features; the squared loss barely moves there because σ′ vanishes.

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np

from mldm.models import LogisticRegression
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l02_linear_classifiers")
print(lecture.summary())
p = lecture.params
d = lecture.data("breast_cancer")
cols = list(lecture.module.FEATURES_2D)
bc2 = dataclasses.replace(d, X_train=d.X_train[:, cols], X_test=d.X_test[:, cols]).standardized()
newton = lecture.model("bc2_newton")
print("Newton optimum w* =", newton.w_, " test accuracy", newton.score(bc2.X_test, bc2.y_test))

# %% [markdown]
# The lecture's figure: training loss per epoch from the far start (saved curves).

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for loss in ("cross_entropy", "squared"):
    c = lecture.curve(f"loss_bc2_far_{loss}")
    ax.plot(c["epoch"], c["train_loss"] / c["train_loss"].iloc[0], label=loss)
ax.set(xlabel="epoch", ylabel="loss / initial loss", title=f"far start, ‖w₀‖ = {p.far_init}")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: ‖w₀‖, how confidently wrong the start is.** Near zero both losses
# recover; the larger ‖w₀‖, the flatter the squared loss (σ′ ≈ 0) while the cross-entropy's
# gradient stays large.


# %%
def far_start(norm):
    fig, ax = plt.subplots(figsize=(6, 3.4))
    w0 = -norm * newton.w_ / np.linalg.norm(newton.w_)
    for loss in ("cross_entropy", "squared"):
        model = LogisticRegression(
            loss=loss, solver="gd", lr=p.gd.lr, max_epochs=p.far_init_epochs, w_init=w0.tolist()
        )
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(bc2.X_train, bc2.y_train)
        curve = model.loss_curve_
        ax.plot(
            curve / curve[0], label=f"{loss}: test acc {model.score(bc2.X_test, bc2.y_test):.3f}"
        )
    ax.set(xlabel="epoch", ylabel="loss / initial loss", title=f"‖w₀‖ = {norm}")
    ax.legend()
    plt.show()


slider(far_start, "norm", [0.5, 1.0, 2.0, 4.0, 8.0, 16.0], value=8.0)
