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
# # L13 From EM to the variational autoencoder
#
# Lecture 13 (second part); course notes `course/course-notes.zh.txt` lines 5838-5896: the
# ELBO with an amortized q_φ(z|x), the reparameterization trick and the VAE's encoder and
# decoder (lines 5880-5896); weighting the KL term by β trades reconstruction for a simpler
# code. The stage trained a VAE on binarized MNIST for each β of `sweep.grid` (several seeds);
# this notebook redraws that trade-off and loads the model of one β chosen with a slider.

# %%
import matplotlib.pyplot as plt
import torch

from mldm.lectures.l13_vae.common import digits, generator, vae
from mldm.lectures.l13_vae.experiments import sweep_name
from mldm.models.vae import negative_elbo
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l13_vae")
print(lecture.summary())
p = lecture.params
d = digits(lecture.context)
x = d.test[d.eval_idx[:8]]

# %% [markdown]
# The lecture's figure: test reconstruction term and KL against β (mean ± sd over seeds).

# %%
rows = [lecture.metrics["beta_sweep"][k] for k in sorted(lecture.metrics["beta_sweep"])]
betas = [r["beta"] for r in rows]
fig, ax = plt.subplots(figsize=(6, 3.6))
for term, marker, label in (
    ("test_reconstruction", "o", "−E_q log p(x|z)"),
    ("test_kl", "s", "KL(q ‖ p(z))"),
):
    means, sds = [r[f"{term}_mean"] for r in rows], [r[f"{term}_sd"] for r in rows]
    ax.errorbar(betas, means, sds, marker=marker, label=label)
ax.set(xscale="log", xlabel="β", ylabel="nats", title="β-VAE on binary MNIST")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: β.** The saved model of that β: test digits, their reconstructions and
# fresh samples from p(z).


# %%
def show(beta):
    model = lecture.module_weights(sweep_name(betas.index(beta), 0), vae(p.vae))
    with torch.no_grad():
        terms = negative_elbo(model, d.test[d.eval_idx], generator=generator(lecture.context, 9))
        mu, _ = model.encode(x)
        recon = torch.sigmoid(model.decode(mu))
        samples = model.sample(8, generator=generator(lecture.context, 10))
    grid = torch.cat([x, recon, samples]).reshape(3, 8, 28, 28).permute(0, 2, 1, 3).reshape(84, 224)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.imshow(grid.numpy(), cmap="gray")
    ax.axis("off")
    rec, kl = float(terms.reconstruction.mean()), float(terms.kl.mean())
    ax.set_title(
        f"β = {beta}: rows test / reconstruction / sample; recon {rec:.1f}, KL {kl:.1f} nats",
        fontsize=8,
    )
    plt.show()


slider(show, "beta", betas, value=betas[len(betas) // 2])
