"""The catalogue of diagnoses: one stable code per mistake, its title, its sentence and where it is taught.

A diagnosis is what a failing check says about the likely cause ("the bias is missing"). Each has a
stable snake_case ``code`` that goes into the check's record (the in-lab score card and the instructor's
class analytics count them), a short ``title`` for tables, a ``sentence`` for the student (what happened
and what to change), and the lesson ``section`` that teaches it.

Codes are never renamed (analytics compare them across terms); add new ones at the end of their group.
A mistake candidate (:class:`fclab.checks.Mistake`) may give its own sentence when the catalogue's does not
fit the exercise (a gradient, an initialiser); its code must still be listed here.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Entry:
    """One diagnosis: ``title`` for tables, ``sentence`` for the student, ``section`` that teaches it."""

    title: str
    sentence: str
    section: str = ""


def _e(title, sentence, section=""):
    return Entry(title, sentence, section)


CATALOGUE = {
    # -- how the answer behaved when called ---------------------------------------------------------------
    "not_answered": _e(
        "not answered yet",
        "the exercise is not answered yet: its cell still raises NotImplementedError. Replace "
        "`raise NotImplementedError()` with your code and run that cell again."),
    "raised_exception": _e(
        "raised an exception",
        "your code raised an exception (shown above); the line in your code that raised is in the "
        "traceback."),
    "shape_error": _e(
        "shape error inside the answer",
        "your code failed with a shape error: two arrays whose sizes do not fit together (explained above).",
        "01 §7 Shape errors, explained"),
    "forbidden_call": _e(
        "calls what it should implement",
        "your answer calls a function this exercise asks you to write yourself (named above): the test "
        "compares your answer with exactly that function, so calling it proves nothing. Write the "
        "computation with numpy operations."),
    "input_modified_in_place": _e(
        "modifies its input in place",
        "your function changed an array it was given (named above) instead of computing a new one: the "
        "caller's data is now corrupted. Use `a = a + ...` or `a.copy()` instead of `+=`, `a[...] =` or "
        "`out=` on an input."),
    "ignores_input": _e(
        "same result for every input",
        "your function returned the same value for different inputs: it does not use its arguments (a "
        "hard-coded result, or a value copied from an example). Compute the result from the arguments."),
    "returned_none": _e(
        "returned nothing",
        "your function returned None: did it end with `return <result>`?"),
    "not_numeric": _e(
        "not an array of numbers",
        "what your function returned is not an array of numbers: return a numpy array."),
    # -- the shape of the result --------------------------------------------------------------------------
    "wrong_shape": _e(
        "wrong shape",
        "the result has the wrong shape: print the shape after each step and find where the axes first go "
        "wrong."),
    "output_transposed": _e(
        "output transposed",
        "the result is transposed: keep the batch on axis 0 (X @ W gives (batch, units)); if you computed "
        "W @ X or W.T @ X.T, use X @ W.", "01 §2 From one neuron to a layer"),
    "extra_axis": _e(
        "extra or missing axis of length 1",
        "the entries are right but an axis of length 1 is extra or missing: use reshape, np.squeeze or "
        "keepdims to get exactly the expected shape (broadcasting (n,) against (n, 1) silently makes an "
        "(n, n) array)."),
    "wrong_units": _e(
        "wrong number of units",
        "only the last axis has the wrong length: the number of units (columns of W) is wrong."),
    "matmul_outer_sizes": _e(
        "wrong sizes kept in a matrix product's shape",
        "A @ B for A of shape (n, k) and B of shape (k, m) has shape (n, m): the rows of A and the columns of "
        "B survive, the inner size k disappears.", "01 §2 From one neuron to a layer"),
    "matmul_mismatch_missed": _e(
        "product of mismatched shapes not refused",
        "you returned a shape although the inner sizes differ: (n, k) @ (k2, m) is defined only when k == k2; "
        "otherwise return None.", "01 §2 From one neuron to a layer"),
    "leading_axes_lost": _e(
        "leading axes not restored",
        "your result has the right numbers but not the leading axes of the input: reshape the (rows, out) "
        "table back to X.shape[:-1] + (out,).", "01 §8 More than two axes"),
    # -- the values ---------------------------------------------------------------------------------------
    "integer_dtype": _e(
        "integer dtype",
        "the result has an integer dtype, so fractions were lost: compute in float32 (e.g. "
        "`np.asarray(x, dtype='float32')`)."),
    "wrong_dtype": _e(
        "wrong dtype",
        "the values are right but the dtype is not the one asked for (float64 where float32 was "
        "expected, or the reverse): convert with `.astype(...)` at the end."),
    "nan_or_inf": _e(
        "NaN or inf",
        "the result has NaN or inf where the expected values are finite: an overflow (exp of a large "
        "number) or a division by zero."),
    "all_zeros": _e(
        "all zeros",
        "the result is all zeros: a placeholder left in, or a result array that was never filled."),
    "sign_flipped": _e(
        "sign flipped",
        "the result is the expected one with its sign flipped: a subtraction written the wrong way round."),
    "constant_factor": _e(
        "off by a constant factor",
        "your result is the expected one times a constant factor: a scale such as 1/N, or a mean where a "
        "sum is asked (or the reverse)."),
    "rows_offset": _e(
        "every row off by the same vector",
        "every row of the result is off by the same vector: something added per column (a bias) is "
        "wrong."),
    # -- a dense layer ------------------------------------------------------------------------------------
    "kernel_transposed": _e(
        "kernel used transposed",
        "your result equals X @ W.T: the kernel is (in, units), use X @ W as it is.",
        "01 §2 From one neuron to a layer"),
    "kernel_out_in": _e(
        "kernel stored as (out, in)",
        "your kernel is stored as (out, in), PyTorch's layout; Keras's kernel is (in, out) = (inputs, "
        "units). Create it as (in, out) or transpose it once where you create it.",
        "01 §7 Shape errors, explained"),
    "bias_missing": _e(
        "bias missing",
        "your result equals the output computed without the bias: add it, X @ W + b (b has one entry per "
        "unit and broadcasts over the rows).", "01 §3 Adding the bias: broadcasting"),
    "bias_twice": _e(
        "bias added twice",
        "your result equals the output with the bias added twice: add b once.",
        "01 §3 Adding the bias: broadcasting"),
    "bias_sign": _e(
        "bias subtracted",
        "your result equals X @ W - b: the bias is added, use + b.", "01 §3 Adding the bias: broadcasting"),
    "bias_column": _e(
        "bias added as a column",
        "your result equals X @ W + b[:, None]: the bias was added as a column, one value per example "
        "instead of one per unit. Reshape it to (units,) first.", "01 §3 Adding the bias: broadcasting"),
    "activation_missing": _e(
        "activation missing",
        "your result equals the pre-activation X @ W + b: the activation was not applied.",
        "02 Activations"),
    "wrong_activation": _e(
        "wrong activation",
        "your result equals the layer with a different activation from the one asked for.",
        "02 Activations"),
    "relu_on_output": _e(
        "relu on the output layer",
        "your network applies relu to its output layer too: the last layer is usually linear (its outputs "
        "are logits that may be negative).", "03 Three-layer relu network"),
    "relu_before_bias": _e(
        "relu before the bias",
        "your result equals relu(X @ W) + b: add the bias first, then apply relu: relu(X @ W + b).",
        "02 Activations"),
    "relu_missing_hidden": _e(
        "relu missing on a hidden layer",
        "a hidden layer of your network has no relu: without it two layers collapse into one linear map.",
        "02 Activations"),
    "layer_skipped": _e(
        "a layer skipped",
        "your network skips a layer (or uses the parameters of the wrong layer).",
        "03 Three-layer relu network"),
    "fixed_depth": _e(
        "works for one depth only",
        "your function works for one number of layers only: loop over the list of layers instead of "
        "unpacking a fixed number of them.", "03 Three-layer relu network"),
    "collapse_bias": _e(
        "collapsed bias wrong",
        "the collapsed bias is b1 @ W2 + b2: the first layer's bias passes through the second layer's weights "
        "too, and the second bias is added once.", "02 §1 Why an activation at all?"),
    "sigmoid_overflow": _e(
        "sigmoid overflows",
        "numpy warned about an overflow inside your sigmoid (exp of a large number): exponentiate only -|x|, "
        "as in the stable form, so that no exponent is ever positive.", "02 §2 The classic activations"),
    "leaky_default_slope": _e(
        "wrong default slope",
        "your default negative_slope is not 0.2, the default of keras.activations.leaky_relu (0.3 is the "
        "LeakyReLU layer's default, 0.01 PyTorch's).", "02 §2 The classic activations"),
    "derivative_formula_on_x": _e(
        "derivative formula applied to x",
        "your result equals the derivative formula applied to x instead of f(x): sigmoid'(x) = s (1 - s) "
        "with s = sigmoid(x), tanh'(x) = 1 - tanh(x)**2.", "02 §3 Derivatives"),
    "relu_derivative_at_zero": _e(
        "relu'(0) is not 0",
        "your relu derivative is 1 at x = 0; here (as in TensorFlow) it is 0 there: use x > 0, not x >= 0.",
        "02 §3 Derivatives"),
    "multilabel_softmax": _e(
        "softmax for several labels",
        "when several labels may apply at once, each output needs its own independent probability: sigmoid, "
        "not softmax (softmax makes the labels compete for one unit of probability).", "02 §7 Output layers"),
    # -- parameters, initialisers, Keras layers ----------------------------------------------------------
    "params_without_bias": _e(
        "parameters counted without biases",
        "your count leaves out the biases: a Dense layer has in * units + units parameters.",
        "03 Parameter counts"),
    "input_counted_as_layer": _e(
        "the input counted as a layer",
        "your count treats the input as a layer with weights: the input has no parameters; only the Dense "
        "layers do.", "05 keras.Sequential"),
    "same_seed_every_layer": _e(
        "same seed for every layer",
        "every layer was initialised from the same seed, so layers of the same shape start with identical "
        "weights: draw each layer's weights from one generator in turn (or give each its own seed).",
        "03 Three-layer relu network"),
    "set_weights_forgotten": _e(
        "set_weights forgotten",
        "the Keras layer still has its own random initial weights: copy the given weights in with "
        "`layer.set_weights([kernel, bias])` after building it.", "04 Dense in depth"),
    "config_mismatch": _e(
        "layer configured differently",
        "a setting of the layer differs from the one the exercise asks for (named above): pass it to the "
        "constructor.", "04 Dense in depth"),
    "wrong_init_scale": _e(
        "wrong initialisation scale",
        "the weights have the wrong spread for this initialiser: check the formula of its limit or "
        "standard deviation (fan_in and fan_out are the kernel's two sizes).", "04 Dense in depth"),
    "flops_term_missing": _e(
        "FLOP count formula",
        "per layer a forward pass costs 2 * batch * in * out FLOPs for the matrix product (a multiplication "
        "and an addition per weight and example) plus batch * out for the bias; a factor or a term is "
        "missing.", "03 §6 Depth then and now"),
    "flattened_input": _e(
        "input flattened",
        "your layer flattened its input: Dense acts on the last axis only, (batch, steps, in) -> (batch, "
        "steps, units).", "04 Dense in depth"),
    "flatten_order": _e(
        "features flattened in another order",
        "your result equals the one with each example's features laid out in another order (Fortran order, "
        "or with axes swapped): keras.layers.Flatten keeps numpy's usual C order, x.reshape(len(x), -1).",
        "04 §9 n-D input: Dense acts on the last axis"),
    "penalty_missing": _e(
        "a penalty left out",
        "your total leaves out one of the layer's penalties (named above): layer.losses holds one term per "
        "regularizer, and the exercise asks for their sum.", "04 §8.4 Regularizers and layer.losses"),
    "penalty_formula": _e(
        "a penalty's formula mixed up",
        "one penalty uses the wrong formula: L1(c) gives c * sum(|w|), L2(c) gives c * sum(w**2) (no square "
        "root, no 1/2), and the activity penalty is divided by the batch size.",
        "04 §8.4 Regularizers and layer.losses"),
    "variable_path_pattern": _e(
        "variable path pattern wrong",
        "your paths do not follow Keras 3's pattern: '<model name>/<layer name>/<weight name>', kernel before "
        "bias for each layer, layers in order.", "05 §5 trainable_variables: the weights, and their names"),
    # -- reductions, losses, gradients -------------------------------------------------------------------
    "mean_missing_1_over_n": _e(
        "sum instead of mean",
        "your result is N times too large: the 1/N of the mean over the batch is missing.",
        "07 Backpropagation"),
    "mean_instead_of_sum": _e(
        "mean instead of sum",
        "your result is N times too small: this quantity is a sum over the batch, not a mean.",
        "07 Backpropagation"),
    "dw_transposed": _e(
        "dW transposed",
        "your gradient dW is transposed: dW = X.T @ dZ has the kernel's shape (in, units).",
        "07 Backpropagation"),
    "forward_difference": _e(
        "forward difference",
        "your numeric gradient uses a forward difference (f(x + h) - f(x)) / h: use the central difference "
        "(f(x + h) - f(x - h)) / (2 h), which is far more accurate.", "07 Gradient check"),
    "input_not_restored": _e(
        "input not restored",
        "your numeric gradient leaves x changed after it returns: restore every entry you nudge.",
        "07 Gradient check"),
    "bias_grad_wrong_axis": _e(
        "bias gradient summed over the wrong axis",
        "your db is dout summed over the wrong axis: the same b_j was added to every sample, so db sums dout "
        "over the batch, db = dout.sum(axis=0), one entry per unit.", "07 §1 What a backward pass computes"),
    "relu_mask_from_upstream": _e(
        "relu's mask taken from dout",
        "your relu gradient keeps dout where dout > 0: the mask comes from relu's input in the forward pass, "
        "dx = dout * (x > 0).", "07 §3 relu backward"),
    "relu_grad_at_zero": _e(
        "relu's gradient at x == 0",
        "your relu gradient passes dout where x == 0: TensorFlow (and so Keras) uses slope 0 there, so the "
        "mask is x > 0, not x >= 0.", "07 §3 relu backward"),
    "float32_numeric_gradient": _e(
        "numeric gradient in float32",
        "your numeric gradient was computed in float32: a step of 1e-5 is lost in float32 rounding. Work on a "
        "float64 copy, np.array(x, dtype=np.float64).", "07 §2 A gradient check that decides"),
    # -- probabilities -----------------------------------------------------------------------------------
    "softmax_wrong_axis": _e(
        "softmax over the wrong axis",
        "your softmax is normalised over the batch (axis 0): each row (one example's scores) must sum to 1, "
        "use axis=-1.", "02 Softmax"),
    "softmax_unstable": _e(
        "softmax overflows",
        "your softmax overflows for large scores (exp(1000) is inf): subtract each row's maximum before exp; "
        "it does not change the result.", "02 Softmax"),
    "softmax_not_normalised": _e(
        "rows do not sum to 1",
        "the rows of your result do not sum to 1: divide exp(z) by its sum over axis=-1 (keepdims=True).",
        "02 Softmax"),
    # -- training ----------------------------------------------------------------------------------------
    "accuracy_below": _e(
        "accuracy below the threshold",
        "the model does not reach the accuracy the exercise asks for: train longer or with a better "
        "learning rate, and check that labels match the loss.", "06 Training"),
    "labels_loss_mismatch": _e(
        "labels and loss do not match",
        "integer labels need sparse_categorical_crossentropy, one-hot labels categorical_crossentropy.",
        "06 Training"),
    "num_classes_ignored": _e(
        "num_classes ignored",
        "your one-hot rows have max(y) + 1 columns instead of num_classes: a batch need not contain every "
        "class, so take the width from num_classes.", "06 §3 Labels: integers or one-hot"),
    "labels_shuffled_apart": _e(
        "x and y shuffled apart",
        "your split shuffles x and y with different orders, so rows no longer carry their own labels: "
        "index both with the same permutation.", "06 §3 Validation data is not test data"),
    "argmax_wrong_axis": _e(
        "argmax over the wrong axis",
        "your predicted classes come from argmax over the batch (axis 0): each row is one sample's "
        "probabilities, take argmax over the classes, axis=-1.", "06 §3 Confusion matrix"),
    "dropout_not_scaled": _e(
        "dropout not scaled by 1/(1 - rate)",
        "the kept units are not divided by (1 - rate) (or are multiplied by it): inverted dropout scales the "
        "survivors in training so that nothing changes at inference.", "08 Dropout"),
    "dropout_at_inference": _e(
        "dropout active at inference",
        "your layer drops or scales units with training=False: at inference dropout returns its input "
        "unchanged.", "08 Dropout"),
    "dropout_mask_inverted": _e(
        "dropout mask inverted",
        "your layer keeps the units the mask drops (rate and keep probability swapped): keep where the mask "
        "is True and divide by (1 - rate).", "08 Dropout"),
    "bn_batch_stats_at_inference": _e(
        "batch statistics at inference",
        "with training=False batch normalization uses the moving mean and variance, not the batch's: at "
        "inference one example must not depend on the others.", "08 Batch normalization"),
    "moving_stats_not_updated": _e(
        "moving statistics not updated",
        "in training the moving mean and variance must move toward the batch's: moving = momentum * moving + "
        "(1 - momentum) * batch statistic.", "08 Batch normalization"),
    "decay_swapped": _e(
        "running average weighted the wrong way",
        "your running average gives the new value the weight of the old one: new = decay * old + (1 - decay) * "
        "current, with decay close to 1 (momentum 0.99, rho 0.9, beta_1 0.9, beta_2 0.999).",
        "08 Batch normalization, Optimizers"),
    "unbiased_variance": _e(
        "variance divided by N - 1",
        "your variance divides by N - 1 (ddof=1): batch normalization uses the batch variance divided by N "
        "(np.var's default).", "08 Batch normalization"),
    "epsilon_misplaced": _e(
        "epsilon in the wrong place",
        "epsilon is added in the wrong place: Keras's RMSprop and batch normalization add it inside the square "
        "root (sqrt(v + eps)), Adam adds it outside (sqrt(v) + eps).", "08 Optimizers"),
    "bn_backward_stats_ignored": _e(
        "batch statistics treated as constants",
        "your dx treats the batch mean and variance as constants (dx = dout * gamma / sqrt(var + eps)): in "
        "training they depend on every x of the batch, which adds two terms.", "08 Batch normalization"),
    "adam_no_bias_correction": _e(
        "Adam without bias correction",
        "your Adam step has no bias correction: m and v start at 0, so early steps divide by (1 - beta_1**t) "
        "and (1 - beta_2**t), folded by Keras into alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t).",
        "08 Optimizers"),
    "grads_out_of_order": _e(
        "gradients out of order",
        "your gradients come in reverse layer order: the backward pass visits the last layer first, so put each "
        "layer's gradients in front of those collected so far (grads in the order of params).", "08 Network"),
    "momentum_dampened": _e(
        "momentum written as an average",
        "your velocity is an average (momentum * v + (1 - momentum) * g): Keras's SGD keeps v = momentum * v - "
        "learning_rate * g and adds it to w.", "08 Optimizers"),
}


def entry(code):
    """The catalogue entry of ``code``; raises ValueError naming the known codes when it is unknown."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise ValueError(f"unknown diagnosis code {code!r}: add it to fclab/checks/_catalogue.py "
                         f"(known: {', '.join(sorted(CATALOGUE))})") from None
