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
# # L13 Latent-variable models and EM: the Gaussian mixture
#
# Lecture 13 (first part); course notes `course/course-notes.zh.txt` lines 5504-5840: the
# Gaussian mixture p(x) = Σₖ πₖ N(x; μₖ, Σₖ), EM (lines 5600-5835), and choosing K by BIC
# (L04). The stage fitted EM for K = 1..`k_max` on a synthetic 2-D mixture (best of `restarts`
# starts); this notebook redraws BIC against K from the saved models and refits one K chosen
# with a slider.

# %%
import matplotlib.pyplot as plt

from mldm.lectures.l13_gmm_em import sample_mixture
from mldm.models import GaussianMixture
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l13_gmm_em")
print(lecture.summary())
p = lecture.params
X, z = sample_mixture(p.mixture, p.mixture.n_train, [lecture.seed, 13, 0])  # the stage's draw
print("true weights", p.mixture.weights)

# %% [markdown]
# The lecture's figure: BIC and AIC against K (saved models); the minimum is the true K.

# %%
ks = list(range(1, p.k_max + 1))
models = [lecture.model(f"synthetic_k{k}") for k in ks]
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(ks, [m.bic(X) for m in models], "o-", label="BIC")
ax.plot(ks, [m.aic(X) for m in models], "s-", label="AIC")
ax.axvline(len(p.mixture.weights), color="k", ls=":", label="true K")
ax.set(xlabel="K", ylabel="criterion", title="GMM on the synthetic mixture")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the number of components K.** EM with K components: the hard
# assignments, the mean log-likelihood (which only grows with K) and the BIC (which does not).


# %%
def fit_k(K):
    gmm = GaussianMixture(K, max_iter=p.max_iter, tol=p.tol, random_state=lecture.seed).fit(X)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(X[:, 0], X[:, 1], c=gmm.predict(X), s=6, cmap="tab10")
    ax.scatter(*gmm.means_.T, c="k", marker="x", s=80)
    ax.set_title(f"K = {K}: log-lik/sample {gmm.score(X):.3f}, BIC {gmm.bic(X):.0f}", fontsize=9)
    plt.show()


slider(fit_k, "K", ks, value=len(p.mixture.weights))
