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
# # L14 Diffusion models (DDPM)
#
# Lecture 14; course notes `course/course-notes.zh.txt` lines 5897-6375: the forward process
# q(x_t|x_0) that adds Gaussian noise over T steps, the network ε_θ(x_t, t) trained to predict
# that noise, and Algorithm 2, which samples by running the reverse chain
# x_{t−1} = μ_θ(x_t, t) + √β̃_t z from x_T ~ N(0, I). The stage trained the U-Net on small MNIST
# digits; this notebook loads its EMA weights, samples, and shows the chain after as many
# reverse steps as a slider chooses.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from mldm.lectures.l14_diffusion import ddpm
from mldm.lectures.l14_diffusion.common import schedule, to_pixels
from mldm.models import sample
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l14_diffusion")
print(lecture.summary())
p = lecture.params
model = ddpm.load(lecture.context, "simple_ema")
g = torch.Generator().manual_seed(lecture.seed)
x0, (ts, xs) = sample(
    model,
    schedule(p),
    (16, 1, p.resolution, p.resolution),
    g,
    return_trajectory=True,
    keep=min(p.T + 1, 11),
)
xs = to_pixels(xs)
print(f"T = {p.T}; kept states at t = {ts}")


def tile(images, cols=8):
    r = images.shape[-1]
    n = len(images) // cols
    return images[: n * cols, 0].reshape(n, cols, r, r).permute(0, 2, 1, 3).reshape(n * r, cols * r)


# %% [markdown]
# The lecture's figure: the training losses (saved curves) and samples of the saved model.

# %%
fig, ax = plt.subplots(1, 2, figsize=(10, 3.4))
for f in sorted(lecture.artifacts.glob("*.csv")):
    curve = lecture.curve(f.stem)
    if "epoch" in curve and curve.shape[1] > 1:
        ax[0].plot(curve["epoch"], curve.iloc[:, 1], label=f.stem)
ax[0].set(xlabel="epoch", title="training curves")
ax[0].legend(fontsize=7)
ax[1].imshow(tile(to_pixels(x0)).numpy(), cmap="gray")
ax[1].axis("off")
ax[1].set_title("samples (EMA weights)")
plt.show()

# %% [markdown]
# **One hyperparameter: the number of reverse steps taken** (of T). After few steps x_t is
# still noise; digits appear only near the end of the chain.


# %%
def after(steps):
    t = p.T - steps
    i = int(np.argmin([abs(s - t) for s in ts]))
    fig, ax = plt.subplots(figsize=(6, 1.8))
    ax.imshow(tile(xs[i]).numpy(), cmap="gray")
    ax.axis("off")
    ax.set_title(f"after {p.T - ts[i]} of {p.T} steps (x_t, t = {ts[i]})")
    plt.show()


slider(after, "steps", [p.T - t for t in ts], value=p.T)
