"""Model: a Module with Keras' workflow (compile, fit, evaluate, predict, summary, save).

fit is the seminar's gradient descent made routine: batch_size=len(x) is batch gradient descent (BGD),
batch_size=1 is online SGD, anything between is mini-batch (mBGD).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator

import numpy as np

from ..autograd import Tensor, default_generator
from ..nn import losses as losses_mod
from ..nn import optim
from ..nn.module import Module, dtype_of
from . import checks, saving
from . import metrics as metrics_mod
from . import summary as summary_mod
from .callbacks import Callback, CallbackList, History, ProgbarLogger
from .optimizers import get_optimizer
from .progress import Progbar, resolve_verbose


class Model(Module):
    """A Module that trains itself the Keras way; subclass it with your own ``forward``, or use Sequential."""

    optimizer: optim.Optimizer | None = None
    loss = None
    compiled_metrics: tuple | list = ()  # compile sets a list per model
    stop_training = False
    history: History | None = None
    _compile_config: dict | None = None

    @property
    def dtype(self) -> np.dtype:
        """The parameters' dtype (float32 unless the layers say otherwise)."""
        return dtype_of(self)

    # ---- compile ----
    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Choose the optimiser, the loss (a Keras name, a Loss, or a callable) and the metrics."""
        if loss is None:
            raise ValueError(f"compile needs a loss; known names: {', '.join(losses_mod.ALIASES)}")
        self.optimizer = get_optimizer(optimizer)
        self._binds_optimizer = not self.optimizer.params  # then compile's binding follows the model's changes
        self.loss = losses_mod.get(loss)
        from_logits = getattr(self.loss, "from_logits", False)
        if isinstance(metrics, (str, metrics_mod.Metric)) or callable(metrics):
            metrics = [metrics]
        self.compiled_metrics = []
        for m in metrics or []:
            metric = metrics_mod.get(m, self._loss_kind, from_logits)
            if isinstance(m, str):
                metric.name = m
            self.compiled_metrics.append(metric)
        self._compile_config = saving.compile_config(optimizer, self.optimizer, loss, self.loss, metrics or [])
        if self.parameters():
            self._bind_optimizer()

    def _bind_optimizer(self) -> None:
        """Bind compile's optimiser to the trainable parameters, again if layers were added or (un)frozen."""
        opt = self.optimizer
        if getattr(self, "_binds_optimizer", False):
            params = self.trainable_parameters()
            if [id(p) for p in params] != [id(p) for p in opt.params] and params:
                kept = {id(p): st for p, st in zip(opt.params, opt.state)}  # state of parameters still here
                opt.params, opt.state = [], []
                opt.bind(params)
                opt.state = [kept.get(id(p), {}) for p in params]
            return
        own = {id(p) for p in self.parameters()}
        if any(id(p) not in own for p in self.optimizer.params):
            raise ValueError(f"the optimizer given to compile is bound to parameters that are not this model's "
                             f"({type(self.optimizer).__name__} of another model?); pass an unbound one, e.g. "
                             f"ts.optim.{type(self.optimizer).__name__}(lr=...), and compile binds it")

    def _require_compiled(self, what: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(f"call model.compile(optimizer=..., loss=...) before model.{what}()")

    @property
    def _loss_kind(self) -> str:
        return losses_mod.kind_of(self.loss)

    # ---- probing ----
    def _probe(self, x: np.ndarray) -> Tensor:
        """Run two samples through (building lazy layers, checking widths): the output, for checks."""
        try:
            with self.inference():
                out = self(Tensor.from_array(x[:2]))
        except ValueError as e:  # a layer saw the probe: show the user's own shape instead
            e.args = (str(e).replace(str(x[:2].shape), str(x.shape)),)
            raise
        if self.optimizer is not None:
            self._bind_optimizer()  # an unbound optimiser is bound as soon as the model is built
        return out

    def _check_targets(self, x: np.ndarray, y: np.ndarray, yname: str = "y") -> np.ndarray:
        """y checked against the loss and every metric on the first samples, before any training."""
        out = self._probe(x)
        out_shape = tuple(out.shape[1:])
        checks.targets_fit_loss(y, out_shape, self._loss_kind)
        y = checks.align_targets(y, out_shape, self._loss_kind)
        what = "the loss"
        try:
            with self.inference():
                self.loss(y[:2], out)
                for m in self.compiled_metrics:
                    if isinstance(m, metrics_mod.FunctionMetric):
                        continue  # a callable of the user's may rightly fail on two samples (an AUC, say)
                    what = f"the metric {m.name!r}"
                    trial = copy.copy(m)
                    trial.reset()
                    trial.update(y[:2], out.data)
                    float(trial.result())
        except (ValueError, TypeError, IndexError) as e:
            raise ValueError(f"{what} cannot compare {yname} of shape {y.shape} with the model's output of shape "
                             f"{(len(x),) + out_shape}: {e}") from None
        return y

    def _arrays(self, x, y, xname="x", yname="y"):
        dtype = self.dtype
        x = checks.features(x, xname, dtype)
        y = checks.as_array(y, yname, dtype)
        checks.same_length(x, y, xname, yname)
        return x, y

    def _batches(self, n: int, size: int, order=None) -> Iterator:
        for start in range(0, n, size):
            yield slice(start, start + size) if order is None else order[start:start + size]

    # ---- fit ----
    def fit(self, x=None, y=None, batch_size: int | None = 32, epochs: int = 1, verbose="auto", callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            initial_epoch: int = 0) -> History:
        """Train for ``epochs`` passes over (x, y) in mini-batches; returns the History of per-epoch logs."""
        self._require_compiled("fit")
        x, y = self._arrays(x, y)
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val)")
            val = self._arrays(*validation_data, xname="validation_data[0]", yname="validation_data[1]")
        elif validation_split:
            split = int(len(x) * (1 - validation_split))
            if split < 1 or split == len(x):
                raise ValueError(f"validation_split={validation_split} of {len(x)} samples leaves "
                                 f"{split} to train on and {len(x) - split} to validate on")
            (x, val_x), (y, val_y) = (x[:split], x[split:]), (y[:split], y[split:])
            val = (val_x, val_y)
            self._warn_one_class(y, val_y, validation_split)
        y = self._check_targets(x, y)
        if val is not None:
            val = (val[0], self._check_targets(*val, yname="the validation targets"))
        verbose = resolve_verbose(verbose)
        steps = -(-len(x) // bs)
        self.history = History()
        extra = [ProgbarLogger(verbose)] if verbose else []
        # Keras' order: History after the user's callbacks, so it records what they add to the logs
        cbs = self._callbacks(callbacks, {"epochs": epochs, "steps": steps, "verbose": verbose},
                              extra=[self.history, *extra])
        self.stop_training = False
        self.train()
        logs: dict = {}
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            order = default_generator().permutation(len(x)) if shuffle else None
            logs = self._train_epoch(x, y, bs, order, cbs)
            if val is not None:
                logs.update({f"val_{k}": v for k, v in self._run(*val, bs, cbs).items()})  # restores train mode
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return self.history

    def _train_epoch(self, x, y, bs, order, cbs) -> dict:
        for m in self.compiled_metrics:
            m.reset()
        total, seen, logs = 0.0, 0, {}
        for step, idx in enumerate(self._batches(len(x), bs, order)):
            xb, yb = x[idx], y[idx]
            cbs.on_train_batch_begin(step)
            self.optimizer.zero_grad()
            out = self(Tensor.from_array(xb))
            loss = self.loss(yb, out)
            loss.backward()
            self.optimizer.step()
            total += loss.item() * len(xb)
            seen += len(xb)
            for m in self.compiled_metrics:
                m.update(yb, out.data)
            logs = {"loss": total / seen, **{m.name: m.result() for m in self.compiled_metrics}}
            cbs.on_train_batch_end(step, logs)
        return dict(logs)

    def _warn_one_class(self, y_train, y_val, split) -> None:
        lab_t, lab_v = checks.class_labels(y_train, self._loss_kind), checks.class_labels(y_val, self._loss_kind)
        if lab_t is None:
            return
        if len(np.unique(lab_v)) == 1 and len(np.unique(lab_t)) > 1:
            warnings.warn(
                f"validation_split={split}: the validation part (the last {len(y_val)} samples, taken before "
                f"shuffling, as Keras does) holds only class {np.unique(lab_v)[0]:g}, while the training part "
                f"holds {len(np.unique(lab_t))} classes. The data is probably sorted by class: shuffle x and y "
                "together before fit (idx = np.random.default_rng(0).permutation(len(x)); x, y = x[idx], y[idx]).",
                UserWarning, stacklevel=3)

    # ---- evaluate and predict ----
    def _callbacks(self, callbacks, params: dict, extra=()) -> CallbackList:
        callbacks = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
        return CallbackList([*callbacks, *extra], model=self, params=params)

    def _run(self, x, y, bs, cbs: CallbackList) -> dict:
        """Loss and metrics over (x, y) in eval mode, without recording a graph; Keras' test hooks."""
        metrics = [copy.copy(m) for m in self.compiled_metrics]  # fit's running values stay untouched
        for m in metrics:
            m.reset()
        total, seen, logs = 0.0, 0, {}
        cbs.on_test_begin()
        with self.inference():
            for step, idx in enumerate(self._batches(len(x), bs)):
                cbs.on_test_batch_begin(step)
                out = self(Tensor.from_array(x[idx]))
                total += self.loss(y[idx], out).item() * len(out)
                seen += len(out)
                for m in metrics:
                    m.update(y[idx], out.data)
                logs = {"loss": total / seen, **{m.name: m.result() for m in metrics}}
                cbs.on_test_batch_end(step, logs)
        cbs.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size: int | None = 32, verbose="auto", return_dict: bool = False,
                 callbacks=None):
        """The loss (and metrics) on (x, y): a float, [loss, *metrics], or a dict with return_dict=True."""
        self._require_compiled("evaluate")
        x, y = self._arrays(x, y)
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        y = self._check_targets(x, y)
        verbose = resolve_verbose(verbose)
        steps = -(-len(x) // bs)
        bar = Progbar(steps, verbose=verbose) if verbose else None
        results = self._run(x, y, bs, self._callbacks(callbacks, {"steps": steps, "verbose": verbose}))
        if bar is not None:
            bar.update(steps, results, finalize=True)
        if return_dict:
            return results
        values = list(results.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose=0, callbacks=None) -> np.ndarray:
        """The model's outputs for x as a numpy array, computed in eval mode in batches (32 by default)."""
        x = checks.features(x, "x", self.dtype)
        bs = checks.batch_size(32 if batch_size is None else batch_size)
        self._probe(x)
        cbs = self._callbacks(callbacks, {"steps": -(-len(x) // bs), "verbose": 0})
        outs = []
        cbs.on_predict_begin()
        with self.inference():
            for step, idx in enumerate(self._batches(len(x), bs)):
                cbs.on_predict_batch_begin(step)
                outs.append(self(Tensor.from_array(x[idx])).data)
                cbs.on_predict_batch_end(step, {"outputs": outs[-1]})
        cbs.on_predict_end()
        return np.concatenate(outs, axis=0)

    # ---- Keras' weight helpers ----
    def count_params(self) -> int:
        """The number of scalars in every parameter, frozen ones included."""
        return int(sum(p.data.size for p in self.parameters()))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter, in ``parameters()`` order (for Sequential: W1, b1, W2, b2, ...)."""
        return [p.data.copy() for p in self.parameters()]

    def set_weights(self, weights) -> None:
        """Replace every parameter, in ``parameters()`` order; checked in full before anything changes."""
        named = list(self.named_parameters())
        weights = list(weights)
        if len(weights) != len(named):
            raise ValueError(f"set_weights: expected {len(named)} arrays, got {len(weights)}")
        self.load_state_dict({name: np.asarray(w, dtype=p.dtype) for (name, p), w in zip(named, weights)})

    # ---- display ----
    def summary(self, print_fn=print) -> str:
        """Print (and return) Keras' table: layers, output shapes, parameter counts, totals."""
        table = summary_mod.text(self)
        if print_fn is not None:
            print_fn(table)
        return table

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
        """Write the architecture, compile settings and weights to one file at ``path``, atomically."""
        saving.save_model(self, path)
