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
# # L08 Decision trees and ensembles
#
# Lecture 8; course notes `course/course-notes.zh.txt` lines 2851-3498: CART grown by the best
# impurity split, overfitting as the tree deepens, pruning on a validation set, then bagging,
# random forests and AdaBoost. The stage grew a tree of each depth 1..`max_depth` on breast
# cancer with a share of training labels flipped; this notebook redraws that sweep from the saved
# trees and regrows one depth chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.lectures.l08_trees.pruning import SPLITS, noisy_breast_cancer
from mldm.models import DecisionTreeClassifier
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l08_trees")
print(lecture.summary())
p = lecture.params
Xf, yf, Xv, yv, Xt, yt = noisy_breast_cancer(lecture.context)
sets = dict(zip(SPLITS, ((Xf, yf), (Xv, yv), (Xt, yt)), strict=True))

# %% [markdown]
# The lecture's figure: accuracy against depth on the (noisy) training, validation and test
# splits, from the saved trees, and the pruned tree.

# %%
depths = list(range(1, p.max_depth + 1))
trees = [lecture.model(f"noisy_depth{k}") for k in depths]
pruned = lecture.model("noisy_pruned")
fig, ax = plt.subplots(figsize=(6, 3.6))
for split, (X, y) in sets.items():
    ax.plot(depths, [np.mean(t.predict(X) == y) for t in trees], "o-", label=split)
ax.axhline(np.mean(pruned.predict(Xt) == yt), color="k", ls=":", label="pruned tree, test")
ax.set(xlabel="max depth", ylabel="accuracy", title="CART on breast cancer, noisy labels")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the maximum depth.** Deeper trees fit the flipped labels
# (training accuracy → 1) while test accuracy stops improving.


# %%
def grow(max_depth):
    tree = DecisionTreeClassifier(criterion=p.criterion, max_depth=max_depth).fit(Xf, yf)
    acc = {s: np.mean(tree.predict(X) == y) for s, (X, y) in sets.items()}
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(list(acc), list(acc.values()), color=["C0", "C1", "C2"])
    ax.set(ylim=(0.5, 1.0), ylabel="accuracy")
    ax.set_title(f"max_depth {max_depth}: {tree.get_n_leaves()} leaves, depth {tree.get_depth()}")
    plt.show()


slider(grow, "max_depth", depths, value=depths[len(depths) // 2])
