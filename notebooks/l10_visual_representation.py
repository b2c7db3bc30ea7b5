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
# # L10 Visual representation learning
#
# Lecture 10; course notes `course/course-notes.zh.txt` lines 4053-4686: autoencoders,
# contrastive learning (SimCLR, MoCo), ViT and MAE, and how a representation is judged
# (lines 4275-4318): freeze the encoder f, fit a linear probe or a kNN on h = f(x), and compare
# label efficiency against a randomly initialized f. The stage trained every encoder on small
# MNIST digits; this notebook reads them and the probe table, and reruns the kNN probe with a
# fraction of the labels chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.evaluation import knn_accuracy
from mldm.lectures.l10_visual_representation.common import digits, features, label_subset
from mldm.lectures.l10_visual_representation.probing import encoders
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l10_visual_representation")
print(lecture.summary())
p = lecture.params
d = digits(lecture.context)
f = encoders(lecture.context)
h = {name: (features(fn, d.train), features(fn, d.test)) for name, fn in f.items()}
print("encoders:", list(h), " train/test images:", len(d.y_train), len(d.y_test))

# %% [markdown]
# The lecture's figure: linear-probe and kNN test accuracy of each frozen encoder
# (`metrics/l10_visual_representation.json`).

# %%
table = {k: v for k, v in lecture.metrics["probe"].items() if "linear_probe_test_accuracy" in v}
names = list(table)
x = np.arange(len(names))
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.bar(x - 0.2, [table[n]["linear_probe_test_accuracy"] for n in names], 0.4, label="linear probe")
ax.bar(x + 0.2, [table[n]["knn_test_accuracy"] for n in names], 0.4, label="kNN")
ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
ax.set(ylabel="test accuracy", ylim=(0, 1), title="frozen encoders on MNIST")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# **One hyperparameter: the share of labels.** A kNN on each frozen encoder's features with
# only that share of the training labels: the pretrained encoders keep their accuracy with
# few labels, the random one does not.


# %%
def with_labels(fraction):
    idx = label_subset(d.y_train, fraction, lecture.seed, 0)
    acc = {
        n: knn_accuracy(a[idx], d.y_train[idx], b, d.y_test, k=min(p.knn_k, len(idx) - 1))
        for n, (a, b) in h.items()
    }
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(list(acc), list(acc.values()))
    ax.set(ylabel="kNN test accuracy", ylim=(0, 1), title=f"{len(idx)} labels ({fraction:.0%})")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    plt.show()


slider(with_labels, "fraction", [0.01, 0.03, 0.1, 0.3, 1.0], value=0.1)
