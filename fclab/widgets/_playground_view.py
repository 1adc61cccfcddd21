"""Drawing the Playground: decision boundary with the points, loss curves, per-neuron heat maps.

All of it is SVG/HTML with PNG images of the fields (see ``_svg``), so a redraw costs a few milliseconds.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from fclab.palette import CLASS_COLORS, TEST_COLOR, TRAIN_COLOR, diverging_cmap

from ._html import message
from ._svg import Frame, esc, legend, png_data_uri
MAX_HEATMAP_NEURONS = 32
HEATMAP_GRID, HEATMAP_PX = 24, 56


def _rgb(hex_color):
    return np.array([int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)])


def boundary_svg(trainer, size: int = 300) -> str:
    """The network's class probabilities over the plane (pastel mix of class colours) and the points.

    Training points have a white edge, test points a black one.
    """
    probs = trainer.probabilities(trainer.grid())                      # (GRID², classes)
    colors = np.stack([_rgb(c) for c in CLASS_COLORS[:probs.shape[1]]])
    mixed = probs @ colors                                             # (GRID², 3)
    image = 1 - (1 - mixed) * 0.55                                      # lighter, so points stand out
    n = int(round(np.sqrt(len(image))))
    lim = trainer.limit
    frame = Frame(size, size, (-lim, lim), (-lim, lim), margin=dict(left=40, right=6, top=20, bottom=28))
    parts = [frame.image(png_data_uri(image.reshape(n, n, 3).clip(0, 1)))]
    parts += frame.axes(title="decision boundary", xlabel="x1", ylabel="x2")
    for x, y, edge in ((trainer.x_train, trainer.y_train, "#fff"), (trainer.x_test, trainer.y_test, "#000")):
        px, py = frame.px(x[:, 0]), frame.py(x[:, 1])
        parts += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{CLASS_COLORS[c]}" stroke="{edge}" '
                  f'stroke-width="0.8"/>' for a, b, c in zip(px, py, y)]
    return frame.svg(parts)


def loss_svg(state, width: int = 320, height: int = 220) -> str:
    """Train and test loss against epochs (whole-number epoch ticks)."""
    epochs = np.arange(len(state.train_loss))
    top = max(max(state.train_loss, default=1.0), max(state.test_loss, default=1.0)) * 1.05
    frame = Frame(width, height, (0, max(len(epochs) - 1, 1)), (0, top))
    parts = frame.axes(title=f"loss after epoch {state.epoch}", xlabel="epoch", ylabel="loss", integer_x=True)
    parts.append(frame.polyline(epochs, state.train_loss, TRAIN_COLOR, title="train loss"))
    parts.append(frame.polyline(epochs, state.test_loss, TEST_COLOR, dash="5 3", title="test loss"))
    if len(epochs) <= 30:      # dots on the first epochs, so a curve of one point (epoch 0) shows
        for values, color in ((state.train_loss, TRAIN_COLOR), (state.test_loss, TEST_COLOR)):
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>'
                      for x, y in zip(frame.px(epochs).tolist(), frame.py(np.clip(values, 0, top)).tolist())]
    return frame.svg(parts)


def heatmaps_html(trainer) -> str:
    """One row per hidden layer: each neuron's output over the plane (orange < 0 < blue), with a colour key."""
    s = trainer.state
    if not s.hidden:
        return ""
    if sum(s.hidden) > MAX_HEATMAP_NEURONS:
        return message(f"Per-neuron heat maps are drawn for nets with up to {MAX_HEATMAP_NEURONS} hidden neurons; "
                       f"this one has {sum(s.hidden)}.", "info")
    outputs = trainer.hidden_outputs(trainer.grid(HEATMAP_GRID))
    rows = []
    for index, out in enumerate(outputs):
        scale = float(np.max(np.abs(out))) or 1.0
        maps = out.T.reshape(out.shape[1], HEATMAP_GRID, HEATMAP_GRID)
        gap = np.full((HEATMAP_GRID, 2), np.nan)
        strip = np.concatenate([np.concatenate([m, gap], axis=1) for m in maps], axis=1)[:, :-2]
        uri = png_data_uri(strip, cmap=_cmap(), vmin=-scale, vmax=scale)
        width = out.shape[1] * (HEATMAP_PX + 4) - 4
        rows.append(f'<div style="font-size:12px;margin-top:4px">hidden layer {index + 1} '
                    f'({s.activation}, {out.shape[1]} neurons)</div>'
                    '<div style="display:flex;gap:10px;align-items:center">'
                    f'<img class="fclab-heatmap" src="{uri}" width="{width}" height="{HEATMAP_PX}" '
                    f'style="image-rendering:pixelated" title="each square: one neuron over the plane"/>'
                    f"{colour_key(scale)}</div>")
    return f'<div class="fclab-heatmaps">{"".join(rows)}</div>'


@lru_cache(maxsize=1)
def _cmap():
    return diverging_cmap()


@lru_cache(maxsize=1)
def _key_uri():
    return png_data_uri(np.linspace(-1, 1, 64)[None, :].repeat(4, axis=0), cmap=_cmap(), vmin=-1, vmax=1)


def colour_key(scale: float) -> str:
    """A small bar: orange for -scale, white for 0, blue for +scale (a neuron's output)."""
    label = f"{scale:.2g}"
    return (f'<div class="fclab-colour-key" style="font-size:11px;text-align:center">'
            f'<img src="{_key_uri()}" width="96" height="10" style="image-rendering:pixelated;display:block"/>'
            f'<div style="display:flex;justify-content:space-between;width:96px">'
            f"<span>−{label}</span><span>0</span><span>+{label}</span></div>neuron output</div>")


def render(trainer) -> str:
    """The whole view: status line, boundary + loss side by side, the heat maps."""
    s = trainer.state
    if trainer.problem:
        return message(trainer.problem, "error")
    train_acc = trainer.accuracy(trainer.x_train, trainer.y_train)
    test_acc = trainer.accuracy(trainer.x_test, trainer.y_test)
    status = (f"epoch {s.epoch} · train loss {s.train_loss[-1]:.4f} (accuracy {train_acc:.0%}) · "
              f"test loss {s.test_loss[-1]:.4f} (accuracy {test_acc:.0%}) · "
              f"{trainer.twin.count_params()} parameters")
    keys = [(f"class {c}", CLASS_COLORS[c], False) for c in range(s.n_classes)]
    keys += [("train loss", TRAIN_COLOR, False), ("test loss", TEST_COLOR, True)]
    return (f'<div class="fclab-status" style="font-size:13px;font-family:monospace">{esc(status)}</div>'
            f'<div style="display:flex;gap:12px;align-items:flex-start">{boundary_svg(trainer)}'
            f'{loss_svg(s)}</div>{legend(keys)}'
            '<div style="font-size:11px;color:#555">points: white edge = training set, black edge = test set; '
            'loss: data loss without the L2 term</div>'
            f"{heatmaps_html(trainer)}")
