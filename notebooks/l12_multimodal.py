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
# # L12 Multimodal: ViT, CLIP and BLIP
#
# Lecture 12; course notes `course/course-notes.zh.txt` lines 5148-5503: CLIP's contrastive
# image-text objective, zero-shot classification by comparing an image with a prompt per class,
# retrieval, and BLIP. The stage trained CLIP (and its alternatives) on synthetic captioned
# scenes; this notebook loads the contrastive model and redoes zero-shot classification with as
# many prompt templates per class (prompt ensembling) as a slider chooses.

# %%
import matplotlib.pyplot as plt
import torch

from mldm.lectures.l12_multimodal import common, objectives
from mldm.lectures.l12_multimodal.clip import held_out
from mldm.notebook import open_lecture, slider

lecture = open_lecture("l12_multimodal")
print(lecture.summary())
s = common.scenes(lecture.context)
clip = objectives.load(lecture.context, "contrastive").clip
with torch.no_grad():
    img = clip.encode_image(s.x_test)
a = s.a_test

# %% [markdown]
# The lecture's figure: zero-shot accuracy of each pretraining objective
# (`metrics/l12_multimodal.json`; mean over seeds).

# %%
obj = lecture.metrics["objectives"]
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.bar(
    list(obj),
    [v["zero_shot_accuracy_mean"] for v in obj.values()],
    yerr=[v["zero_shot_accuracy_sd"] for v in obj.values()],
)
ax.axhline(1 / common.N_SHAPE_CLASSES, color="k", ls=":", label="chance")
ax.set(ylabel="zero-shot accuracy", title="CLIP objective vs alternatives")
ax.legend()
plt.show()

# %% [markdown]
# **One hyperparameter: the number of prompt templates per class.** Each class's text
# embedding is the mean over its prompts (CLIP's prompt ensembling).


# %%
def zero_shot(templates):
    acc = {}
    with torch.no_grad():
        for task, rows, y, n in (
            ("held-out shapes", held_out(a), s.y_test, common.N_SHAPE_CLASSES),
            ("digits", a["kind"] == 1, a["digit"], 10),
        ):
            tok, grp = common.prompts(
                "digits" if task == "digits" else "shapes", tuple(range(templates))
            )
            w = clip.zero_shot_weights(tok, grp, n)
            acc[task] = float(((img[rows] @ w.T).argmax(1).numpy() == y[rows]).mean())
    print(f"{templates} template(s):", {k: round(v, 3) for k, v in acc.items()})


slider(zero_shot, "templates", [1, 2, 3], value=3)
