"""TensorFlow Playground inside Jupyter, training a real tf.keras model.

:class:`Playground` puts controls on a :class:`~fclab.widgets.playground_state.PlaygroundState` and a
:class:`~fclab.widgets._trainer.Trainer`. ``step()`` trains one epoch synchronously; ``start()`` trains in a
background thread until ``pause()`` (the kernel stays free: other cells and the pause button keep
working). Any change of the set-up pauses training and starts a new network at epoch 0.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import ipywidgets as widgets

from ._code import playground_code
from ._html import code, message
from ._playground_view import render
from ._saved_view import SavedView
from ._trainer import Trainer
from .playground_state import ACTIVATIONS, L2_RATES, LEARNING_RATES, PlaygroundState, parse_hidden

MULTICLASS_DATASETS = ("gauss", "spiral")          # fclab.data.toy_dataset's sets with more than 2 classes
TWO_CLASS_DATASETS = ("circle", "xor")
REDRAW_EVERY = 0.25   # seconds between redraws while training in the background


class Playground(SavedView, widgets.VBox):
    """Data set, network and training controls over a live view of a tf.keras model learning.

    Attributes:
        state: the PlaygroundState (plain data: set-up and progress).
        trainer: the current Trainer (data, numpy twin, Keras model).
        controls: dict of set-up controls by state field name.
        run_button, step_button, reset_button, export_button, save_button, load_button: actions.
        json_box: Textarea for saving/loading the state; code_view: exported Keras code.
        view: the HTML with boundary, loss curves and heat maps.
    """

    saved_view_name = "playground"

    def __init__(self, state: PlaygroundState | None = None):
        from fclab._tf import keras
        from fclab.data import TOY_DATASETS

        keras()  # import TensorFlow now, so the first training step does not stall for seconds
        self.state = state or PlaygroundState()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = None
        self._syncing = False               # True while controls are set from the state
        self._run_button_syncing = False    # True while the run button is set from the training thread
        wide = {"description_width": "90px"}
        self.controls = {
            "dataset": widgets.Dropdown(options=list(TOY_DATASETS), description="data", style=wide),
            "n_samples": widgets.IntSlider(min=20, max=1000, step=10, description="samples", style=wide),
            "noise": widgets.FloatSlider(min=0.0, max=0.5, step=0.05, description="noise", style=wide),
            "n_classes": widgets.IntSlider(min=2, max=6, description="classes", style=wide),
            "test_fraction": widgets.FloatSlider(min=0.1, max=0.9, step=0.05, description="test share",
                                                 style=wide),
            "hidden": widgets.Text(description="hidden units", placeholder="e.g. 4, 2", continuous_update=False,
                                   style=wide),
            "activation": widgets.Dropdown(options=list(ACTIVATIONS), description="activation", style=wide),
            "learning_rate": widgets.Dropdown(options=list(LEARNING_RATES), description="learning rate",
                                              style=wide),
            "l2": widgets.Dropdown(options=list(L2_RATES), description="L2", style=wide),
            "batch_size": widgets.IntSlider(min=1, max=50, description="batch size", style=wide),
            "seed": widgets.BoundedIntText(min=0, max=10**6, description="seed", style=wide),
        }
        self._show_controls()
        for name, control in self.controls.items():
            control.observe(partial(self._on_setup_change, name), names="value")
        self.run_button = widgets.ToggleButton(description="start", icon="play")
        self.run_button.observe(self._on_run, names="value")
        self.step_button = widgets.Button(description="step", icon="step-forward")
        self.step_button.on_click(lambda _b: self.step())
        self.reset_button = widgets.Button(description="reset", icon="undo")
        self.reset_button.on_click(lambda _b: self.reset())
        self.export_button = widgets.Button(description="Keras code", icon="code")
        self.export_button.on_click(lambda _b: self._show_code())
        self.save_button = widgets.Button(description="save → JSON", icon="download")
        self.save_button.on_click(lambda _b: setattr(self.json_box, "value", self.to_json()))
        self.load_button = widgets.Button(description="load JSON", icon="upload")
        self.load_button.on_click(lambda _b: self.load_json(self.json_box.value))
        self.json_box = widgets.Textarea(placeholder="saved state (JSON) appears here; paste one and press load",
                                         layout=widgets.Layout(width="100%", height="80px"))
        self.code_view = widgets.HTML()
        self.notice = widgets.HTML()
        self.view = widgets.HTML()
        c = self.controls
        left = widgets.VBox([c[n] for n in ("dataset", "n_samples", "noise", "n_classes", "test_fraction", "seed")])
        right = widgets.VBox([c[n] for n in ("hidden", "activation", "learning_rate", "l2", "batch_size")])
        actions = widgets.HBox([self.run_button, self.step_button, self.reset_button, self.export_button,
                                self.save_button, self.load_button])
        super().__init__([widgets.HBox([left, right]), actions, self.notice, self.view, self.code_view,
                          self.json_box])
        self.add_class("fclab-playground")
        self.trainer = Trainer(self.state)
        self.redraw()

    # --- actions -------------------------------------------------------------------------------------
    def step(self, epochs: int = 1):
        """Train ``epochs`` epochs now (synchronously) and redraw."""
        if self.running:
            self.pause()
        with self._lock:
            self.trainer.step(epochs)
            self.redraw()

    def start(self, epochs: int | None = None):
        """Train in a background thread until :meth:`pause` (or for ``epochs`` epochs when given)."""
        if self.running:
            return
        if self.trainer.problem:
            self._set_run_button(False)
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._train_loop, args=(epochs,), name="fclab-playground",
                                        daemon=True)
        self._thread.start()
        self._set_run_button(True)

    def pause(self, timeout: float = 30.0):
        """Stop background training after the current epoch (waits at most ``timeout`` seconds)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._set_run_button(False)

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for a ``start(epochs=...)`` run to finish; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def reset(self):
        """A new network from the seed, at epoch 0 (same set-up)."""
        self._new_trainer(replace(self.state, epoch=0, train_loss=[], test_loss=[], weights=None))

    def keras_code(self) -> str:
        """The current network (and its weights, when small) as Keras code."""
        weights = None if self.trainer.problem else self.trainer.twin.get_weights()
        return playground_code(self.state, weights)

    def to_json(self) -> str:
        """The whole state (set-up, curves, weights) as JSON."""
        with self._lock:
            return self.state.to_json()

    def load_json(self, text: str) -> bool:
        """Restore a state saved by :meth:`to_json`; shows what is wrong (and returns False) if it cannot."""
        try:
            state = PlaygroundState.from_json(text)
        except (ValueError, TypeError) as exc:
            self.notice.value = message(f"Could not load that state: {exc}", "error")
            return False
        self._new_trainer(state)
        return not self.trainer.problem

    def save(self, path):
        """Write :meth:`to_json` to ``path``."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    def load(self, path) -> bool:
        """Read a state from ``path`` (see :meth:`load_json`)."""
        return self.load_json(Path(path).read_text(encoding="utf-8"))

    def close(self):
        self.pause()
        super().close()

    # --- internals -----------------------------------------------------------------------------------
    def redraw(self, save_picture: bool = True):
        """Draw the view from the trainer; ``save_picture``: also update the saved picture (not done on
        every frame of background training, only when it stops)."""
        with self._lock:
            self.view.value = render(self.trainer)
        if save_picture:
            self.update_saved_view()

    def saved_view_html(self) -> str:
        return self.view.value + self.code_view.value

    def _train_loop(self, epochs):
        done, last_draw = 0, time.monotonic()
        try:
            while not self._stop.is_set() and (epochs is None or done < epochs):
                with self._lock:
                    self.trainer.step(1)
                done += 1
                if time.monotonic() - last_draw > REDRAW_EVERY:
                    self.redraw(save_picture=False)
                    last_draw = time.monotonic()
            self.redraw()
        except Exception as exc:  # shown in the widget: a thread has no cell to put a traceback in
            self.notice.value = message(f"Training stopped: {type(exc).__name__}: {exc}", "error")
        finally:
            self._set_run_button(False)

    def _set_run_button(self, running: bool):
        """Show ``running`` on the run button (from any thread) without starting or pausing anything."""
        self._run_button_syncing = True
        try:
            self.run_button.value = running
            self.run_button.description, self.run_button.icon = ("pause", "pause") if running else ("start", "play")
        finally:
            self._run_button_syncing = False

    def _on_run(self, change):
        if self._run_button_syncing:
            return
        self.start() if change["new"] else self.pause()

    def _on_setup_change(self, name, change):
        if self._syncing:
            return
        value = change["new"]
        if name == "dataset" and value in TWO_CLASS_DATASETS and self.state.n_classes != 2:
            self._new_trainer(replace(self.state, dataset=value, n_classes=2, epoch=0, train_loss=[],
                                      test_loss=[], weights=None))
            self.notice.value = message(f"{value} has exactly two classes, so classes is set to 2 "
                                        f"(more classes: {' or '.join(MULTICLASS_DATASETS)}).", "info")
            return
        if name == "hidden":
            try:
                value = parse_hidden(value)
            except ValueError as exc:
                self.notice.value = message(str(exc), "error")
                return
        self._new_trainer(replace(self.state, **{name: value}, epoch=0, train_loss=[], test_loss=[],
                                  weights=None))

    def _new_trainer(self, state: PlaygroundState):
        self.pause()
        with self._lock:
            self.state = state
            self.notice.value = ""
            self.code_view.value = ""
            self.trainer = Trainer(state, previous=self.trainer)
            self._show_controls()
            self.redraw()

    def _show_controls(self):
        """Make the controls show ``state`` without triggering a reset."""
        self._syncing = True
        try:
            s, c = self.state, self.controls
            for name, control in c.items():
                value = getattr(s, name)
                if name == "hidden":
                    control.value = ", ".join(str(u) for u in value) if isinstance(value, list) else str(value)
                elif isinstance(control, widgets.Dropdown) and value not in control.options:
                    control.index = None        # e.g. an unknown data set: the view says what is wrong
                else:
                    control.value = value
            two_only = s.dataset in TWO_CLASS_DATASETS
            c["n_classes"].disabled = two_only
            c["n_classes"].tooltip = (f"{s.dataset} has exactly two classes; more: "
                                                  f"{' or '.join(MULTICLASS_DATASETS)}") if two_only else None
        finally:
            self._syncing = False

    def _show_code(self):
        self.code_view.value = code(self.keras_code())
        self.update_saved_view()


def playground(**setup) -> Playground:
    """TensorFlow Playground on tf.keras. Keyword arguments set up the start (see PlaygroundState), e.g.
    ``playground(dataset="spiral", hidden=[8, 8], n_classes=3)``."""
    return Playground(PlaygroundState(**setup))
