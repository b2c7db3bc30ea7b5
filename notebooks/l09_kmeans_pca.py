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
# # L09 K-means clustering and PCA
#
# Lecture 9; course notes `course/course-notes.zh.txt` lines 3499-4052: Lloyd's algorithm for
# K-means (lines 3577-3660), the distortion J that falls with K and the elbow that picks K
# (lines 3625-3635), soft K-means, then PCA. The stage fitted K-means for K = 1..`k_max` on 2-D
# blobs; this notebook redraws the elbow from the saved models and refits one K chosen with a
# slider.

# %%
import matplotlib.pyplot as plt
import numpy as np

from mldm.lectures.l09_kmeans_pca.common import blobs
from mldm.models import KMeans
from mldm.models.clustering import elbow
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l09_kmeans_pca")
print(lecture.summary())
p = lecture.params
X = blobs(p, lecture.seed)

# %% [markdown]
# The lecture's figure: the distortion J(K) of the saved models and the elbow.

# %%
ks = list(range(1, p.kmeans.k_max + 1))
J = np.array([lecture.model(f"blobs_k{k}").inertia_ for k in ks])
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(ks, J, "o-")
ax.axvline(elbow(J), color="r", ls=":", label=f"elbow K = {elbow(J)} (true {p.blobs.k})")
ax.set(xlabel="K", ylabel="J", title="K-means on blobs")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: K.** Lloyd's algorithm with K centres: clusters, centres and J.


# %%
def cluster(K):
    km = KMeans(K, random_state=lecture.seed).fit(X)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(X[:, 0], X[:, 1], c=km.labels_, s=6, cmap="tab10")
    ax.scatter(*km.cluster_centers_.T, c="k", marker="x", s=80)
    ax.set_title(f"K = {K}: J = {km.inertia_:.0f}")
    plt.show()


slider(cluster, "K", ks, value=p.blobs.k)
