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
# # L11 Text representation
#
# Lecture 11; course notes `course/course-notes.zh.txt` lines 4687-5147: one-hot, bag of words
# and TF-IDF (lines 4707-4780), word2vec, and BERT pretraining and fine-tuning. The stage
# classified Amazon reviews from their TF-IDF features with the lecture-2 softmax model and
# trained word2vec; this notebook reads the saved classifier and word vectors and rebuilds the
# TF-IDF features with a vocabulary cut-off (`min_df`) chosen with a slider.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler

from mldm.lectures.l11_text.common import review_words
from mldm.models import SoftmaxRegression
from mldm.models.text import TfidfTransformer, bag_of_words
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l11_text")
print(lecture.summary())
p = lecture.params.counting
d, vocab = review_words(lecture.context)
counts_train = bag_of_words(d.X_train, len(vocab), pad=0)
counts_test = bag_of_words(d.X_test, len(vocab), pad=0)
print(f"{len(d.y_train)} training reviews, {len(vocab)} words")

# %% [markdown]
# The lecture's figures: test accuracy of the TF-IDF classifiers, and the word2vec scores
# against gensim's (`metrics/l11_text.json`).

# %%
m = lecture.metrics
fig, ax = plt.subplots(1, 2, figsize=(10, 3.4))
tfidf = {k: v["test_accuracy"] for k, v in m["amazon_tfidf"].items()}
ax[0].bar(list(tfidf), list(tfidf.values()))
ax[0].set(ylabel="test accuracy", ylim=(0, 1), title="Amazon reviews, TF-IDF")
w2v = {k: v for k, v in m["word2vec"].items() if isinstance(v, dict)}
scores = sorted({s for v in w2v.values() for s, x in v.items() if isinstance(x, float)})
for i, name in enumerate(w2v):
    ax[1].bar(
        np.arange(len(scores)) + 0.8 * i / len(w2v),
        [w2v[name].get(s, np.nan) for s in scores],
        0.8 / len(w2v),
        label=name,
    )
ax[1].set_xticks(np.arange(len(scores)), scores, rotation=30, ha="right", fontsize=7)
ax[1].set_title("word2vec: ours and gensim")
ax[1].legend(fontsize=7)
plt.tight_layout()
plt.show()

# %% [markdown]
# **One hyperparameter: `min_df`,** the fewest training reviews a word must appear in to be a
# feature. At the stage's value the saved classifier is scored; at any other the softmax model
# of the stage (same rate, epochs, weight decay) is refitted (tens of seconds).


# %%
def with_min_df(min_df):
    tf = TfidfTransformer(min_df)
    X_train = tf.fit_transform(counts_train)
    X_test = tf.transform(counts_test)
    scale = StandardScaler().fit(X_train)
    if min_df == p.min_df:
        model = lecture.model("tfidf_softmax")
    else:
        model = SoftmaxRegression(
            lr=p.lr,
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
            weight_decay=p.weight_decay,
            random_state=lecture.seed,
            rtol=1.0,
        )
        model.fit(scale.transform(X_train), d.y_train)
    acc = float((model.predict(scale.transform(X_test)) == d.y_test).mean())
    print(f"min_df {min_df}: {len(tf.columns_)} features, test accuracy {acc:.3f}")


slider(with_min_df, "min_df", [1, 2, 3, 5, 10, 30, 100], value=p.min_df)
