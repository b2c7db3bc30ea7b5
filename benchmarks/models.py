"""L08 / L09 model timings beside scikit-learn, from the same data and start.

    python benchmarks/run.py --only models   # writes the "models" section

* ``tree_n5000``: one fully grown entropy tree on make_classification(5000, 20) (goal: within
  2x of scikit-learn's ``DecisionTreeClassifier(criterion="entropy")``).
* ``kmeans_lloyd_20000x16_k8``: Lloyd's K-means from the same k-means++ centres on
  standard normal 20000 x 16 data, run to convergence (goal: within 3x of scikit-learn's
  ``KMeans(init=C, n_init=1, algorithm="lloyd", tol=0)``); ``..._blobs_...`` the same on
  make_blobs(20000, 16, centers=8), which converges in a few steps. ``same_labels`` checks
  the two agree.

Best of ``repeat`` wall-clock runs, one BLAS / OpenMP thread for both (threadpoolctl), and
K-means once more with the library defaults (``..._default_threads``), as a stage runs it.
"""

from __future__ import annotations

import numpy as np
from run import _best_of  # benchmarks/run.py: best of `repeat` wall times


def _pair(ours: float, theirs: float) -> dict:
    return {
        "ours_s": round(ours, 4),
        "sklearn_s": round(theirs, 4),
        "ratio": round(ours / theirs, 2),
    }


def tree(repeat: int = 5) -> dict:
    from sklearn.datasets import make_classification
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from mldm.models import DecisionTreeClassifier

    X, y = make_classification(5000, 20, n_informative=10, random_state=0)
    ours = _best_of(lambda: DecisionTreeClassifier().fit(X, y), repeat)
    theirs = _best_of(lambda: SkTree(criterion="entropy", random_state=0).fit(X, y), repeat)
    return {
        "ours_s": round(ours, 4),
        "sklearn_s": round(theirs, 4),
        "ratio": round(ours / theirs, 2),
    }


def kmeans(repeat: int = 5, blobs: bool = False) -> dict:
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.datasets import make_blobs

    from mldm.models import KMeans
    from mldm.models.clustering import init_centres

    if blobs:  # 8 clear clusters: a few steps, so the fixed costs show
        X = make_blobs(20_000, 16, centers=8, random_state=0)[0]
    else:  # no clusters: a couple of hundred steps, so the per-step cost shows
        X = np.random.default_rng(0).normal(size=(20_000, 16))
    start = init_centres(X, 8, "random_distance", 0)
    ours_model = KMeans(8, init=start, tol=0.0)
    sk_model = SkKMeans(8, init=start, n_init=1, algorithm="lloyd", tol=0.0)
    ours = _best_of(lambda: ours_model.fit(X), repeat)
    theirs = _best_of(lambda: sk_model.fit(X), repeat)
    return _pair(ours, theirs) | {
        "same_labels": bool(np.array_equal(ours_model.labels_, sk_model.labels_)),
        "n_iter": [int(ours_model.n_iter_), int(sk_model.n_iter_)],
    }


def models() -> dict:
    # threadpool_limits reaches only the libraries already loaded: load scikit-learn's OpenMP
    # runtime first, or its Lloyd runs on every core, busy-waiting on a shared machine
    # (measured 2.06 s instead of 0.11 s, which made our KMeans look 8x faster than it is)
    import sklearn.cluster  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        out = {
            "tree_n5000": tree(),
            "kmeans_lloyd_20000x16_k8": kmeans(),
            "kmeans_lloyd_blobs_20000x16_k8": kmeans(blobs=True),
        }
    out["kmeans_lloyd_20000x16_k8_default_threads"] = kmeans()  # as a lecture stage runs
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(models(), indent=2))
