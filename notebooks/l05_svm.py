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
# # L05 Support vector machines
#
# Lecture 5; course notes `course/course-notes.zh.txt` lines 1335-2018: the maximum-margin
# classifier, the soft margin with slack and its constant C, the dual solved by SMO, and
# kernels. The stage fitted the linear soft-margin SVM on overlapping blobs for each C of
# `C_grid`; this notebook redraws those models and refits one C chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.lectures.l05_svm.common import svc, toy
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l05_svm")
print(lecture.summary())
p = lecture.params
over = toy(p, lecture.seed).over


def draw(ax, model, title):
    g = np.linspace(over.X.min() - 0.5, over.X.max() + 0.5, 150)
    xx, yy = np.meshgrid(g, g)
    f = model.decision_function(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    ax.contourf(xx, yy, f, levels=[-1e9, 0, 1e9], colors=["#fdd", "#ddf"])
    ax.contour(xx, yy, f, levels=[-1, 0, 1], colors="k", linestyles=[":", "-", ":"])
    ax.scatter(over.X[:, 0], over.X[:, 1], c=over.y, cmap="bwr", s=10)
    sv = over.X[model.support_]
    ax.scatter(sv[:, 0], sv[:, 1], s=60, facecolors="none", edgecolors="k")
    ax.set_title(title, fontsize=9)


# %% [markdown]
# The lecture's figure: the margin and the support vectors for each C (saved models).

# %%
fig, axes = plt.subplots(1, len(p.C_grid), figsize=(3 * len(p.C_grid), 3))
for i, (ax, C) in enumerate(zip(axes, p.C_grid, strict=True)):
    m = lecture.model(f"over_C{i}")
    draw(ax, m, f"C = {C:g}: {len(m.support_)} SVs")
plt.tight_layout()
plt.show()

# %% [markdown]
# **One hyperparameter: C.** Small C: wide margin, many support vectors; large C: a narrow
# margin that tries to classify every training point.


# %%
def soft_margin(C):
    model = svc("linear", C, p).fit(over.X, over.y)
    acc = np.mean(model.predict(over.Xt) == over.yt)
    fig, ax = plt.subplots(figsize=(4.2, 4))
    draw(ax, model, f"C = {C:g}: {len(model.support_)} SVs, test acc {acc:.3f}")
    plt.show()


slider(soft_margin, "C", [0.001, 0.01, 0.1, 1.0, 10.0, 100.0], value=1.0)
