"""Model: a Module with Keras' workflow: fit, evaluate and predict loop over batches and call the steps.

fit is the seminar's gradient descent made routine: batch_size=len(x) is batch gradient descent (BGD),
batch_size=1 is online SGD, anything between is mini-batch (mBGD). What happens on a batch is
``train_step`` / ``test_step`` / ``predict_step`` (trainer.py), which a subclass may override.
"""

from __future__ import annotations

import contextlib
import copy
import math
import warnings

import numpy as np

from ..autograd import Tensor, arguments, default_generator, use_generator
from ..autograd.jit import Jitted
from ..nn.module import Module, dtype_of
from . import checks, layers, saving, weighting
from . import summary as summary_mod
from .callbacks import Callback, CallbackList, History, ProgbarLogger
from .conv_layers import from_keras_layout, to_keras_layout
from .loops import batches, report_invalid_loss, validates
from .on_batch import OnBatch, as_returned
from .progress import Progbar, resolve_verbose
from .trainer import Trainer


class Model(OnBatch, Trainer, Module):
    """A Module that trains itself the Keras way; subclass it with your own ``forward``, or use Sequential."""

    stop_training = False
    history: History | None = None
    next_epoch = 0  # the epoch fit would run next (from 0): saved with the model; BackupAndRestore resumes there
    resume_epoch: int | None = None  # set by BackupAndRestore before training begins: fit starts there
    _generator: np.random.Generator | None = None

    @property
    def generator(self) -> np.random.Generator:
        """The model's own generator for fit's shuffling and dropout masks, saved and restored with the model.

        Seeded from ``ts.default_generator()`` (one draw) the first time it is needed, so ``manual_seed`` decides
        it; afterwards training never draws from the default generator, and a loaded model continues bit for bit.
        """
        if self._generator is None:
            self._generator = np.random.default_rng(int(default_generator().integers(2**63)))
        return self._generator

    @generator.setter
    def generator(self, value: np.random.Generator | None) -> None:
        if value is not None and not isinstance(value, np.random.Generator):
            raise TypeError(f"model.generator must be a numpy Generator or None, got {type(value).__name__}")
        self._generator = value

    @property
    def dtype(self) -> np.dtype:
        """The parameters' dtype (float32 unless the layers say otherwise)."""
        return dtype_of(self)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "call" in vars(cls) and "forward" not in vars(cls):  # Keras code names the forward pass call()
            cls.forward = cls.call

    # ---- the user's data, checked once before the first step ----
    def _arrays(self, x, y, xname="x", yname="y"):
        dtype = self.dtype
        x = checks.features(x, xname, dtype)
        y = checks.as_array(y, yname, dtype, integers=self.loss is not None and self.loss.integer_labels)
        checks.same_length(x, y, xname, yname)
        return x, (y if self.loss is None else self.loss.prepared(y))

    def _validation(self, x, y, sw, validation_split: float, validation_data) -> tuple:
        """(x, y, sample weights, validation triple or None), as Keras 3 splits them: validation_data checked
        (x_val, y_val) or (x_val, y_val, val_sample_weight), or the last part of x, y and the sample weights split
        off (class_weight weighs the training part only)."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                n = f" of {len(validation_data)} items" if isinstance(validation_data, (tuple, list)) else ""
                raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, val_sample_weight), "
                                 f"got a {type(validation_data).__name__}{n}")
            xv, yv = self._arrays(*validation_data[:2], xname="validation_data[0]", yname="validation_data[1]")
            wv = validation_data[2] if len(validation_data) == 3 else None
            return x, y, sw, (xv, yv, weighting.sample_weights(self.loss, yv, wv, dtype=self.dtype,
                                                               name="validation_data[2]"))
        if not validation_split:
            return x, y, sw, None
        split = int(len(x) * (1 - validation_split))
        if split < 1 or split == len(x):
            raise ValueError(f"validation_split={validation_split} of {len(x)} samples leaves "
                             f"{split} to train on and {len(x) - split} to validate on")
        self._warn_one_class(y[:split], y[split:], validation_split)
        if sw is None:
            return x[:split], y[:split], None, (x[split:], y[split:], None)
        return x[:split], y[:split], sw[:split], (x[split:], y[split:], sw[split:].astype(self.dtype))

    def _warn_one_class(self, y_train, y_val, split) -> None:
        lab_t, lab_v = self.loss.class_labels(y_train), self.loss.class_labels(y_val)
        if lab_t is None:
            return
        if len(np.unique(lab_v)) == 1 and len(np.unique(lab_t)) > 1:
            warnings.warn(
                f"validation_split={split}: the validation part (the last {len(y_val)} samples, taken before "
                f"shuffling, as Keras does) holds only class {np.unique(lab_v)[0]:g}, while the training part "
                f"holds {len(np.unique(lab_t))} classes. The data is probably sorted by class: shuffle x and y "
                "together before fit (idx = np.random.default_rng(0).permutation(len(x)); x, y = x[idx], y[idx]).",
                UserWarning, stacklevel=4)  # fit -> _validation -> here: the warning names fit's caller

    def _callbacks(self, callbacks, params: dict, extra=()) -> CallbackList:
        if not (callbacks is None or isinstance(callbacks, (Callback, list, tuple))):
            raise TypeError(f"callbacks must be a list of ts.callbacks.Callback, got {callbacks!r} "
                            f"({type(callbacks).__name__})")
        callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
        return CallbackList([*callbacks, *extra], model=self, params=params)

    # ---- fit ----
    def fit(self, x=None, y=None, batch_size: int | None = 32, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, validation_freq=1) -> History:
        """Train for ``epochs`` passes over (x, y) in mini-batches; returns the History of per-epoch logs.

        ``sample_weight`` / ``class_weight`` weigh each sample's loss (keras/weighting.py); the validation runs
        after the epochs ``validation_freq`` says (every n-th, or those listed, counting from 1).
        """
        self._require_compiled("fit")
        checks.fit_arguments(epochs, initial_epoch, shuffle, validation_split, validation_freq)
        x, y = self._arrays(x, y)
        sw = weighting.sample_weights(self.loss, y, sample_weight)  # checked whole, then split with x and y
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        x, y, sw, val = self._validation(x, y, sw, validation_split, validation_data)
        w = weighting.sample_weights(self.loss, y, sw, class_weight, self.dtype)
        train_check = self._first_checks(x, y, "y")
        val_check = self._first_checks(*val[:2], "the validation targets") if val is not None else None
        verbose = resolve_verbose(verbose)
        history, extra = History(), [ProgbarLogger(verbose)] if verbose else []
        # Keras' order: History after the user's callbacks, so it records what they add to the logs
        cbs = self._callbacks(callbacks, {"epochs": epochs, "steps": -(-len(x) // bs), "verbose": verbose},
                              extra=[history, *extra])
        self.history = history  # only now: callbacks that are refused leave the model as it was
        self._bind_optimizer()  # layers may have been added or (un)frozen since compile
        self._unchecked, self._penalized = train_check, True
        self.stop_training = False
        self.train()
        logs: dict = {}
        self.resume_epoch = None
        reported = False  # the first invalid loss is reported once per fit
        cbs.on_train_begin()
        initial_epoch, self.resume_epoch = max(initial_epoch, self.resume_epoch or 0), None
        try:
            for epoch in range(initial_epoch, epochs):
                self.next_epoch = epoch
                cbs.on_epoch_begin(epoch)
                order = self.generator.permutation(len(x)) if shuffle else None  # the model's: saved with it
                logs = self._train_epoch(x, y, w, bs, order, cbs, (epoch, epochs) if not reported else None)
                reported = reported or not math.isfinite(logs.get("loss", 0.0))
                if val is not None and validates(validation_freq, epoch):
                    val_logs, val_check = self._test_loop(*val[:2], bs, cbs, val_check, val[2]), None
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                self.next_epoch = epoch + 1
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        finally:
            self._unchecked, self._penalized = None, False
        cbs.on_train_end(logs)
        return self.history

    def _train_epoch(self, x, y, w, bs, order, cbs, watch: tuple | None) -> dict:
        """One pass over the batches: the train function on each, the callbacks around it.

        What a step draws (dropout masks) comes from the model's generator, so that training resumes bit for bit
        after a load. ``watch`` is (epoch, epochs) while no invalid loss has been reported in this fit: the first
        batch whose loss is NaN or infinite is then reported. The loop stops after any batch that set
        ``stop_training``.
        """
        self.reset_metrics()
        step_fn = self.make_train_function()
        logs: dict = {}
        generator = self.generator
        steps = -(-len(x) // bs)
        begin, end = cbs.batch_hook("on_train_batch_begin"), cbs.batch_hook("on_train_batch_end")
        direct, watched = None, not self._may_call_directly(step_fn, cbs, begin, end, "on_train_batch_end")
        for step, idx in enumerate(batches(len(x), bs, order)):
            if begin is not None:
                begin(step)
            xb, yb = x[idx], y[idx]
            if direct is not None and len(xb) == bs:
                with use_generator(generator):
                    logs = direct(xb, yb) if w is None else direct(xb, yb, w[idx])
            else:
                data = (Tensor.from_array(xb), yb) if w is None else (Tensor.from_array(xb), yb, w[idx])
                with use_generator(generator):
                    logs = step_fn(data)
                if not watched and direct is None and len(xb) == bs:
                    direct = step_fn.direct(data)
            if end is not None:
                end(step, logs)
            if watch is not None and not math.isfinite(logs.get("loss", 0.0)):
                report_invalid_loss(logs["loss"], watch, step, steps)
                watch = None
            if self.stop_training:
                break
        return dict(logs)

    def _may_call_directly(self, step_fn, cbs: CallbackList, begin, end, hook: str) -> bool:
        """Whether a loop may call ``step_fn``'s plan directly on its full batches once one replayed (no Tensor, key or
        guard each), as predict does: no callback acts on batches but ones that only read their logs (the progress
        bar), so only the metrics' updates run between two. An override of compute_metrics may want a Tensor x."""
        return (begin is None and getattr(step_fn, "direct", None) is not None and (end is None or cbs.only_read(hook))
                and type(self).compute_metrics is Trainer.compute_metrics and "compute_metrics" not in vars(self))

    # ---- evaluate and predict ----
    @contextlib.contextmanager
    def _fresh_metrics(self):
        """Metrics of their own for an evaluation, so a fit that asked for it keeps its running values."""
        saved = self.loss_tracker, self.compiled_metrics
        self.loss_tracker, self.compiled_metrics = copy.copy(self.loss_tracker), [copy.copy(m) for m in saved[1]]
        self.reset_metrics()
        try:
            yield
        finally:
            self.loss_tracker, self.compiled_metrics = saved

    def _test_loop(self, x, y, bs, cbs: CallbackList, check: tuple | None, w=None) -> dict:
        """Loss and metrics over (x, y) in eval mode, without recording a graph; Keras' test hooks."""
        logs: dict = {}
        step_fn = self.make_test_function()
        cbs.on_test_begin()
        unchecked = self._unchecked
        self._unchecked = check
        try:
            begin, end = cbs.batch_hook("on_test_batch_begin"), cbs.batch_hook("on_test_batch_end")
            direct, watched = None, not self._may_call_directly(step_fn, cbs, begin, end, "on_test_batch_end")
            with self._fresh_metrics(), self.inference():
                for step, idx in enumerate(batches(len(x), bs)):
                    if begin is not None:
                        begin(step)
                    xb, yb = x[idx], y[idx]
                    if direct is not None and len(xb) == bs:
                        logs = direct(xb, yb) if w is None else direct(xb, yb, w[idx])
                    else:
                        data = (Tensor.from_array(xb), yb) + (() if w is None else (w[idx],))
                        logs = step_fn(data)
                        if not watched and direct is None and len(xb) == bs:
                            direct = step_fn.direct(data)  # made inside _fresh_metrics: it updates those
                    if end is not None:
                        end(step, logs)
        finally:
            self._unchecked = unchecked
        cbs.on_test_end(logs)
        return dict(logs)

    def evaluate(self, x=None, y=None, batch_size: int | None = 32, verbose="auto", sample_weight=None,
                 return_dict: bool = False, callbacks=None):
        """The loss (and metrics) on (x, y): a float, [loss, *metrics], or a dict with return_dict=True."""
        self._require_compiled("evaluate")
        arguments.flag(return_dict, "return_dict")
        x, y = self._arrays(x, y)
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        check = self._first_checks(x, y, "y")
        verbose = resolve_verbose(verbose)
        steps = -(-len(x) // bs)
        bar = Progbar(steps, verbose=verbose) if verbose else None
        w = weighting.sample_weights(self.loss, y, sample_weight, dtype=self.dtype)
        results = self._test_loop(x, y, bs, self._callbacks(callbacks, {"steps": steps, "verbose": verbose}), check, w)
        if bar is not None:
            bar.update(steps, results, finalize=True)
        return as_returned(results, return_dict)

    def predict(self, x, batch_size: int | None = None, verbose="auto", callbacks=None) -> np.ndarray:
        """The model's outputs for x as a numpy array, computed in eval mode in batches (32 by default).

        ``verbose`` as in Keras: "auto" (a bar on a terminal or in Jupyter, one line elsewhere), 0, 1 or 2.
        """
        x = checks.features(x, "x", self.dtype)
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        steps, verbose = -(-len(x) // bs), resolve_verbose(verbose)
        bar = Progbar(steps, verbose=verbose) if verbose else None
        cbs = self._callbacks(callbacks, {"steps": steps, "verbose": verbose})
        step_fn = self.make_predict_function()
        outs = []
        cbs.on_predict_begin()
        begin, end = cbs.batch_hook("on_predict_batch_begin"), cbs.batch_hook("on_predict_batch_end")
        # with no callback acting on batches (or only ones that read their logs), nothing that changes a model runs
        # between two: a jitted step's plan, once it replays a full batch, is then called directly on the next ones
        # (no Tensor, key or guard each)
        direct, watched = None, (not isinstance(step_fn, Jitted) or begin is not None
                                 or (end is not None and not cbs.only_read("on_predict_batch_end")))
        unbuilt = next(self.parameter_walk(), None) is None  # layers made at the first batch: it runs eagerly
        with self.inference():
            for step, idx in enumerate(batches(len(x), bs)):
                if begin is not None:
                    begin(step)
                xb = x[idx]
                if direct is not None and len(xb) == bs:
                    out = direct(xb)
                else:
                    xt = Tensor.from_array(xb)
                    out = self.predict_step(xt) if unbuilt and not step else step_fn(xt)
                    if not watched and direct is None and len(xb) == bs:
                        direct = step_fn.replayer(xt)
                outs.append(out.data if isinstance(out, Tensor) else np.asarray(out))
                if end is not None:
                    end(step, {"outputs": outs[-1]})
                if bar is not None:
                    bar.update(step + 1, finalize=step + 1 == steps)
        cbs.on_predict_end()
        return np.concatenate(outs, axis=0)

    # ---- Keras' weight helpers ----
    def count_params(self) -> int:
        """The number of scalars in every parameter, frozen ones included."""
        return int(sum(p.data.size for p in self.parameters()))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter, in ``parameters()`` order (for Sequential: W1, b1, W2, b2, ...).

        A ``keras.layers.Dense`` gives its kernel in Keras' layout (inputs, units); a ``ts.nn.Dense`` its weight
        in the slides' layout (units, inputs).
        """
        return [to_keras_layout(p.data).copy() if flip else p.data.copy() for _, p, flip in layers.keras_layout(self)]

    def set_weights(self, weights) -> None:
        """Replace every parameter, in ``get_weights()`` order and layout; checked in full before anything changes."""
        named = layers.keras_layout(self)
        weights = list(weights)
        if len(weights) != len(named):
            raise ValueError(f"set_weights: expected {len(named)} arrays, got {len(weights)}")
        arrays = [np.asarray(w, dtype=p.dtype) for (_, p, _), w in zip(named, weights)]
        self.load_state_dict({name: from_keras_layout(a) if flip and a.ndim == p.ndim else a
                              for (name, p, flip), a in zip(named, arrays)})

    # ---- display ----
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None) -> None:
        """Print Keras' table (layers, output shapes, parameter counts, totals) and return None, as Keras 3 does.

        ``print_fn`` (default ``print``) is called once with the whole table; ``summary_text()`` returns it.
        ``line_length`` and the other arguments are accepted for Keras' sake; the table keeps its own width.
        """
        (print if print_fn is None else print_fn)(self.summary_text())

    def summary_text(self) -> str:
        """Keras' table as text: what ``summary()`` prints."""
        return summary_mod.text(self)

    def _repr_html_(self) -> str:
        return summary_mod.html_table(self)

    # ---- saving ----
    def save_weights(self, path) -> None:
        """Write every parameter to ``path`` (exactly that name), atomically."""
        saving.save_weights(self, path)

    def load_weights(self, path) -> None:
        """Read parameters written by save_weights; on any error the model is left unchanged."""
        saving.load_weights(self, path)

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"{type(self).__name__} is a subclassed Model: its architecture is Python code, which save() does "
            "not store (and loading never runs code). Use model.save_weights(path), rebuild the model in code, "
            "then model.load_weights(path).")

    def save(self, path) -> None:
        """Write the architecture, compile settings and weights to one file at ``path``, atomically.

        An HDF5 name (``.h5``, ``.hdf5``) is refused: the framework writes only its own ``.keras``-style file.
        """
        if str(path).lower().endswith((".h5", ".hdf5")):
            raise ValueError(f"model.save({str(path)!r}): this framework does not write HDF5 (.h5) files, only its "
                             "own single-file format; use a name ending in .keras, e.g. model.save('model.keras'), "
                             "and load it with keras.models.load_model")
        saving.save_model(self, path)
