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
# that sweep and loads the net of the learning rate a slider chooses.

# %%
import matplotlib.pyplot as plt

from mldm.lectures.l07_training.common import mlp, mnist1d
from mldm.notebook import open_lecture, slider
from mldm.training import predict_logits

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
# **One hyperparameter: the learning rate.** The stage's net trained with that rate: its saved
# weights scored on the test set, and its training curve.


# %%
def trained_with(lr):
    model = lecture.module_weights(f"lr_{lr:g}", mlp([40, 100, 100, 10]))
    test_accuracy = float((predict_logits(model, d.X_test).argmax(1) == d.y_test).mean())
    c = lecture.curve(f"lr_{lr:g}")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(c["epoch"], c["train_loss"], "o-", label="train loss")
    ax.set(xlabel="epoch", ylabel="loss", title=f"lr {lr:g}: test accuracy {test_accuracy:.3f}")
    ax.legend()
    plt.show()


slider(trained_with, "lr", list(p.lr_sweep), value=0.1)
