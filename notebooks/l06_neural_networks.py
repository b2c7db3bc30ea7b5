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
# # L06 Neural networks
#
# Lecture 6; course notes `course/course-notes.zh.txt` lines 2019-2587: the MLP, backpropagation,
# and why the activation matters in a deep net: with sigmoid every layer multiplies the backward
# signal by a′ ≤ 1/4 (line 2098), so the gradient vanishes toward the input. The stage measured
# ‖∂l/∂W_ℓ‖ per layer at initialization for each activation on MNIST-1D and trained those nets;
# this notebook redraws that and recomputes it for another depth chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.lectures.l06_neural_networks.activations import ACTIVATIONS, activation_mlp
from mldm.models.neural import layer_gradient_norms
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l06_neural_networks")
print(lecture.summary())
p = lecture.params.activations
d = lecture.data("mnist1d").standardized(per_feature=False)
X, y = d.X_train[:500].astype(np.float64), d.y_train[:500]
print({a: lecture.metrics["activations"][a] for a in ACTIVATIONS})

# %% [markdown]
# The lecture's figure: gradient norm per layer at initialization (saved by the stage).

# %%
norms = lecture.curve("gradient_norms")
fig, ax = plt.subplots(figsize=(6, 3.6))
for a in ACTIVATIONS:
    ax.semilogy(norms["layer"], norms[a], "o-", label=a)
ax.set(xlabel="layer ℓ (input first)", ylabel="‖∂l/∂W_ℓ‖", title=f"depth {p.depth}")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the depth.** The same measurement on freshly initialized nets: the
# sigmoid's first-layer gradient falls by about 4× per added layer; the ReLU's does not.


# %%
def gradient_flow(depth):
    import torch

    q = p.model_copy(update={"depth": depth})
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for i, a in enumerate(ACTIVATIONS):
        torch.manual_seed(i)
        g = layer_gradient_norms(activation_mlp(a, q).double(), X, y)
        ax.semilogy(np.arange(1, len(g) + 1), g, "o-", label=f"{a}: first/last {g[0] / g[-1]:.1e}")
    ax.set(xlabel="layer ℓ", ylabel="‖∂l/∂W_ℓ‖", title=f"depth {depth}")
    ax.legend(fontsize=8)
    plt.show()


slider(gradient_flow, "depth", [2, 4, 8, 12, 16], value=4)
