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
# # L07 Training and optimizing neural networks
#
# Lecture 7; course notes `course/course-notes.zh.txt` lines 2588-2850: SGD and its learning
# rate (lines 2599-2612), momentum, RMSProp and Adam, input normalization, initialization,
# dropout and batch norm. The stage trained the MNIST-1D MLP 40-100-100-10 with plain SGD for
# each learning rate of `lr_sweep` (too small crawls, too large diverges); this notebook redraws
# that sweep and retrains for a few epochs with a learning rate chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.lectures.l07_training.common import mlp, mnist1d
from mldm.training import GradientDescent, fit_classifier
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l07_training")
print(lecture.summary())
p = lecture.params
d = mnist1d(lecture.context)
print("tuned MLP:", lecture.metrics.get("tuned_mlp"))

# %% [markdown]
# The lecture's figure: training loss per epoch for each learning rate (saved curves).

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
for lr in p.lr_sweep:
    c = lecture.curve(f"lr_{lr:g}")
    ax.semilogy(c["epoch"], c["train_loss"], "o-", label=f"lr {lr:g}")
ax.set(xlabel="epoch", ylabel="training loss", title="plain SGD on MNIST-1D")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **One hyperparameter: the learning rate.** Three epochs of SGD from the same initialization.


# %%
def train_with(lr):
    import torch

    torch.manual_seed(0)
    model = mlp([40, 100, 100, 10])
    task = fit_classifier(
        model,
        d.X_train,
        d.y_train,
        optimizer=lambda ps: GradientDescent(ps, lr=lr),
        max_epochs=3,
        batch_size=p.optimizers.batch_size,
        eval_sets={"train": (d.X_train, d.y_train), "test": (d.X_test, d.y_test)},
    )
    h = task.history
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.semilogy(np.arange(1, 4), h["train_loss"], "o-", label="train loss")
    ax.set(xlabel="epoch", ylabel="loss", title=f"lr {lr:g}: test accuracy {h['test_accuracy'][-1]:.3f}")
    ax.legend()
    plt.show()


slider(train_with, "lr", list(p.lr_sweep), value=0.1)
