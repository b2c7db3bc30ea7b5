"""Every claim L06 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, lt

CLAIMS = ClaimSet(
    Claim(
        "backprop_matches_autograd",
        "Backprop in matrix form — ∂l/∂h_ℓ = W_{ℓ+1}ᵀ(g̃_{ℓ+1} ⊙ ∂l/∂h_{ℓ+1}), "
        "∂l/∂W_ℓ = (g̃_ℓ ⊙ ∂l/∂h_ℓ)h_{ℓ−1}ᵀ — equals autograd (worst relative error over random "
        "depths, widths, activations and heads)",
        "2146-2235",
        lt(1e-6),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "bce_gradient_matches_autograd",
        "∂L/∂h_L of the binary cross-entropy L = −y log h_L − (1 − y) log(1 − h_L) is "
        "(h_L − y)/(h_L(1 − h_L)): our bce_output_grad against autograd through "
        "torch.nn.functional.binary_cross_entropy (worst relative error, float64). The slide "
        "prints (h_L − y)/h_L, which drops 1/(1 − h_L): its error is recorded beside",
        "2199-2206",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "no_activation_is_linear",
        "Without the activation a(·) the network is linear: a 3-layer identity-activation MLP "
        "equals the single matrix W₃W₂W₁ (max abs difference)",
        "2066-2072",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "sigmoid_gradient_vanishes",
        "Sigmoid saturates (a' ≤ 1/4), so the gradient shrinks toward the input: "
        "‖∂l/∂W₁‖/‖∂l/∂W_L‖ at initialization, sigmoid over ReLU",
        "2093-2100",
        lt(0.01),
        exact=True,
        kind="effect",
    ),
    Claim(
        "relu_trains_deep_net_faster_than_sigmoid",
        "ReLU has no vanishing gradient for x > 0: with the same SGD the deep ReLU MLP reaches a "
        "lower training loss than the sigmoid one (sigmoid − ReLU final loss)",
        "2093-2125",
        gt(0.3),
        kind="effect",
    ),
    Claim(
        "regression_head_beats_linear",
        "The regression head trained on l_r = (1/N)Σ|y − ŷ|² fits sin(3x): test MSE of linear "
        "regression over the MLP's",
        "2127-2140",
        gt(5.0),
        kind="effect",
    ),
    Claim(
        "conv_worked_example",
        "The slide's 3×3 input ⊗ 2×2 kernel gives the feature map [[7, −4], [0, 0]] "
        "(max abs difference of ours; the slide's last frame prints 4 for −4)",
        "2300-2308",
        equals(0.0),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "conv_matches_torch",
        "Our convolution from the formula equals torch.nn.functional.conv2d (max abs "
        "difference, random shapes, strides and padding, float64)",
        "2290-2308",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "dense_layer_params",
        "A dense first layer on a 200×200×3 image has (200·200·3)² = 14.4 billion weights "
        "(weights of our MLP's first layer, built without memory on torch's meta device)",
        "2254-2258",
        equals(14_400_000_000),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "conv_layer_params",
        "200 feature maps from 5×5 kernels on 3 channels need 5·5·3·200 = 15000 weights "
        "(weights of our Conv2d(3, 200, 5), whatever the image size)",
        "2354-2358",
        equals(15000),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "vgg_two_3x3_cheaper_than_5x5",
        "Two stacked 3×3 convolutions (VGG) see a 5×5 field with 18C² instead of 25C² weights "
        "(weights of our VGGBlock(C, C, 2) over our Conv2d(C, C, 5), C = 64: 18/25)",
        "2400-2408",
        between(0.72 - 1e-12, 0.72 + 1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "lenet_beats_mlp_with_fewer_params",
        "On MNIST the LeNet CNN (local connections, shared weights) beats an MLP with several "
        "times more parameters (mean test accuracy over the seeds, LeNet − MLP, less two "
        "standard errors of that difference)",
        "2254-2390",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "shortcut_trains_deep_stack",
        "Simply stacking layers hurts: a plain 20-layer ReLU stack does not train, the same "
        "stack with shortcuts h + F(h) does (final training loss, plain − residual, MNIST-1D)",
        "2410-2420",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "resnet_learns_mnist",
        "A small ResNet (y = ReLU(x + F(x)) blocks) reaches high MNIST test accuracy",
        "2410-2420",
        gt(0.9),
        kind="effect",
    ),
    Claim(
        "rnn_many_to_many_improves_with_t",
        "Many-to-many RNN: the prediction y_t = W_hy h_t improves as h_t has read more of the "
        "sequence (test accuracy at the last step minus at step T/4)",
        "2456-2490",
        gt(0.2),
        kind="effect",
    ),
    Claim(
        "attention_matches_torch",
        "Multi-head self-attention softmax(QKᵀ/√d_k)V from the formulas equals "
        "torch.nn.MultiheadAttention with the same weights (max abs difference, float64)",
        "2530-2570",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "transformer_block_matches_torch",
        "Our Transformer encoder block equals torch.nn.TransformerEncoderLayer with the same "
        "weights (max abs difference, float64)",
        "2520-2570",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "gcn_karate_two_labels",
        "A 2-layer GCN trained on two labelled members (the instructor and the officer) "
        "recovers the karate club split (accuracy on the other 32 members)",
        "2574-2587",
        gt(0.85),
        kind="effect",
    ),
    Claim(
        "gcn_beats_mlp_on_sbm",
        "On a stochastic block model with weak node features, propagating over neighbours "
        "helps: GCN − MLP test accuracy",
        "2574-2587",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "mnist1d_reference_ordering",
        "MNIST-1D reproduces the paper's ordering logistic < MLP < GRU < CNN (smallest gap "
        "between neighbours in that order of the mean test accuracy over the seeds, less two "
        "standard errors of the gap)",
        "2019-2587",
        gt(0.0),
        kind="effect",
    ),
)
