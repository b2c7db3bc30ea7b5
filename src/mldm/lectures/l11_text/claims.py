"""Every claim L11 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, equals, ge, gt, le, lt

CLAIMS = ClaimSet(
    Claim(
        "one_hot_matches_slide",
        '"I have a dog" as concatenated one-hot columns over the slide\'s 5-word vocabulary: '
        "cells that differ from the slide's 5x4 matrix",
        "4709-4718",
        equals(0),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "tfidf_table_matches_slide",
        "The TF-IDF table (tf = count/length, idf = log10(N/df)) of the four reconstructed "
        "documents: largest gap to the slide's 32 cells, in units of the slide's third "
        "significant figure (zeros exact)",
        "4731-4755",
        le(1.0),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "tfidf_softmax_near_sklearn",
        "The lecture's TF-IDF (standardized) + the lecture-2 softmax regression (SGD, L2) on the "
        "Amazon reviews against scikit-learn's LogisticRegression with the same features and "
        "penalty (C = 1/(λ'N)) on the same split: |test accuracy gap| (scikit-learn's own "
        "TfidfVectorizer pipeline is reported beside). Margin 0.05: scikit-learn fits the "
        "binary logistic model with an unpenalized intercept to convergence, ours the 2-column "
        "softmax by 20 epochs of SGD with the bias decayed too",
        "4731-4780",
        lt(0.05),
        kind="oracle",
    ),
    Claim(
        "tfidf_beats_majority",
        "TF-IDF features carry the reviews' sentiment: our test accuracy minus the majority "
        "class's",
        "4756-4780",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "skipgram_spearman_near_gensim",
        "Our skip-gram (negative sampling) against gensim's Word2Vec with the same settings and "
        "corpus: Spearman ρ on WordSim-353, our mean over seeds minus gensim's (not worse by "
        "more than 0.1)",
        "4835-4868",
        ge(-0.1),
        kind="oracle",
    ),
    Claim(
        "skipgram_analogy_near_gensim",
        "The same on the questions-words analogies (3CosAdd, covered questions): our mean "
        "accuracy minus gensim's (not worse by more than 0.03)",
        "4835-4868",
        ge(-0.03),
        kind="oracle",
    ),
    Claim(
        "cbow_spearman_near_gensim",
        "Our CBOW against gensim's CBOW: WordSim-353 Spearman ρ, ours minus gensim's (not worse "
        "by more than 0.1)",
        "4884-4888",
        ge(-0.1),
        kind="oracle",
    ),
    Claim(
        "related_closer_than_unrelated",
        "Semantic similarity shows in the cosine of the embeddings: mean cosine of WordSim-353 "
        "pairs humans rate related (>= 7) minus unrelated (<= 3), smallest over our skip-gram "
        "seeds (CBOW's and gensim's are recorded beside)",
        "4866-4880",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "similarity_tracks_human_scores",
        "Cosines rank word pairs like people do: WordSim-353 Spearman ρ of our skip-gram "
        "(smallest over seeds)",
        "4866-4880",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "sentence_average_matches_slide",
        "The slide's sentence embedding by averaging: the mean of the four word vectors of "
        '"coffee or tea ?" against its "Average" row, largest gap in units of the slide\'s second '
        "decimal (0.5: the slide rounded a value ending in 5)",
        "4872-4882",
        le(0.5),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "mean_embedding_carries_sentiment",
        "The average of our skip-gram vectors (trained on Shakespeare, frozen) as a review's "
        "embedding carries the Amazon reviews' sentiment: linear-probe test accuracy minus the "
        "majority class's (1,000 test reviews: standard error about 0.015)",
        "4872-4882",
        gt(0.03),
        kind="effect",
    ),
    Claim(
        "textcnn_beats_mean",
        "A TextCNN whose parameters are optimized with the downstream task, on the same frozen "
        "vectors, beats their plain average through the linear probe: test accuracy gap of "
        "the TextCNN's mean over seeds minus two standard errors",
        "4896-4900",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "bilm_below_unigram",
        "The biLM (forward and backward LSTM language models) learns the corpus: the unigram "
        "model's held-out cross-entropy minus the biLM's (nats per word, mean of both "
        "directions)",
        "4925-4933",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "bilm_contexts_separate",
        'The "bank" point on Shakespeare\'s "will" (noun: my/thy/his will; modal verb: I/we/'
        "you will; balanced): the biLM's top-layer [forward; backward] vectors of its "
        "occurrences separate by sense, held-out nearest-centroid accuracy minus chance (0.5)",
        "4909-4941",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "word2vec_contexts_do_not_separate",
        'word2vec gives "will" one vector in every context: the same nearest-centroid '
        "accuracy minus chance",
        "4911-4918",
        equals(0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "mlm_below_unigram",
        "Masked language model (15% chosen; 80% [MASK], 10% random, 10% kept): on held-out "
        "sentence pairs, the unigram model's cross-entropy at the chosen tokens minus our small "
        "BERT's (nats)",
        "5008-5020",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "nsp_above_chance",
        "Next sentence prediction (50% true next): held-out accuracy of the [CLS] classifier "
        "over the default-size model's pre-training seeds (bert.pretraining_seeds: init, "
        "masking and order), their mean minus two standard errors, above chance (0.5)",
        "5022-5028",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "larger_bert_lower_perplexity",
        "The size ablation in miniature (bigger models are better): held-out MLM perplexity "
        "of the smaller model (bert.small_n_layers, small_d_model; 1 layer, d = 16 by default) "
        "minus the pre-trained one's (bert.n_layers, d_model; 2 layers, d = 64), over their "
        "pre-training seeds (bert.small_seeds, pretraining_seeds): gap of the means minus two "
        "standard errors",
        "5060-5075",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "pretraining_beats_scratch",
        "Fine-tuning a [CLS] linear head from the pre-trained BERT beats the same model trained "
        "from scratch on the labelled reviews alone: test accuracy gap of the means over seeds "
        "minus two standard errors, smallest over the label budgets",
        "5110-5118",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "pair_pretraining_beats_scratch",
        "Sentence-pair fine-tuning ([CLS] A [SEP] B [SEP] with segment ids, a linear head on "
        "[CLS]): is Shakespeare line B one of the lines of passage A (or a line from elsewhere "
        "in the same play)? The pre-trained BERT "
        "fine-tuned on few labelled pairs (bert.tasks.pair_budgets) beats the same model from "
        "scratch: test accuracy gap of the means over seeds minus two standard errors, "
        "smallest over the label budgets",
        "5110-5118",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "token_pretraining_beats_scratch",
        "Token-level fine-tuning (a linear head on every token, the NER panel): is a word of a "
        "line one of its play's speaking characters? The pre-trained BERT fine-tuned on few "
        "labelled lines (bert.tasks.token_budgets) beats the same model from scratch: "
        "labelled-word test accuracy (names and other words balanced) gap of the means over "
        "seeds minus two standard errors, smallest over the label budgets",
        "5100-5118",
        gt(0.0),
        kind="effect",
    ),
)

__all__ = ["CLAIMS"]
