"""Model: a Module with Keras' workflow (compile, fit, evaluate, predict, summary, save); Sequential; Input.

fit is the seminar's gradient descent made routine: batch_size=len(x) is batch gradient descent (BGD),
batch_size=1 is online SGD, anything between is mini-batch (mBGD).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator

import numpy as np

from . import checks, optim, saving
from . import losses as losses_mod
from . import metrics as metrics_mod
from . import summary as summary_mod
from .callbacks import Callback, CallbackList, History, ProgbarLogger
from .nn.module import Module, unique_name
from .progress import Progbar, resolve_verbose
from .rng import default_generator
from .tensor import Tensor

# The string names take Keras' defaults wherever the optimiser (PyTorch's update formulas) has the same
# knob: a student's compile(optimizer="rmsprop") should behave as it did in Keras (rho 0.9, not 0.99).
OPTIMIZERS = {
    "sgd": lambda: optim.SGD(lr=0.01),
    "adam": lambda: optim.Adam(lr=0.001, eps=1e-7),
    "rmsprop": lambda: optim.RMSprop(lr=0.001, alpha=0.9, eps=1e-7),
    "adagrad": lambda: optim.Adagrad(lr=0.001, initial_accumulator_value=0.1, eps=1e-7),
}


def get_optimizer(identifier) -> optim.Optimizer:
    """An optimiser from Keras' name ("sgd", "adam", "rmsprop", "adagrad"), a class, or an instance."""
    if isinstance(identifier, str):
        try:
            return OPTIMIZERS[identifier.lower()]()
        except KeyError:
            raise ValueError(f"unknown optimizer {identifier!r}; known: {', '.join(OPTIMIZERS)}") from None
    if isinstance(identifier, type) and issubclass(identifier, optim.Optimizer):
        return identifier()
    if isinstance(identifier, optim.Optimizer):
        return identifier
    raise TypeError(f"optimizer must be a name or an optimiser, got {type(identifier).__name__}")


class Input(Module):
    """``ts.Input(shape=(n,))`` at the head of a Sequential: the model is built at once for n inputs."""

    def __init__(self, shape, name: str | None = None):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if len(shape) != 1 or int(shape[0]) < 1:
            raise ValueError(f"Input: shape must be (n,) with n >= 1, got {shape}")
        self.shape, self.name = (int(shape[0]),), name or unique_name("input_layer")

    def forward(self, x):
        if x.shape[-1:] != self.shape:
            raise ValueError(f"Input {self.name!r}: expected shape (None, {self.shape[0]}), received {x.shape}")
        return x

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


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
        params = self.parameters()
        if params:
            return params[0].dtype
        # not built yet: the dtype its layers will have, so a float64 model never sees float32-rounded data
        layers = (m for m in self.modules() if m is not self and isinstance(vars(m).get("dtype"), np.dtype))
        return next((m.dtype for m in layers), np.dtype(np.float32))

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
                out = self(Tensor._wrap(x[:2]))
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
                logs.update({f"val_{k}": v for k, v in self._run(*val, bs, cbs).items()})
                self.train()
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
            out = self(Tensor._wrap(xb))
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
                out = self(Tensor._wrap(x[idx]))
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
                outs.append(self(Tensor._wrap(x[idx])).data)
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

    def save(self, path) -> None:
        """Write the architecture, compile settings and weights to one file at ``path``, atomically."""
        saving.save_model(self, path)


class Sequential(Model):
    """Layers applied in order: ``Sequential([Dense(16, activation="tanh", input_dim=2), Dense(1)])``."""

    def __init__(self, layers=None, name: str | None = None):
        self.name = name or unique_name("sequential")
        self.layers: list[Module] = []
        self.input_dim: int | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Module) -> None:
        """Append a layer; an Input (or a first layer given its input width) builds the model at once."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add expects a layer (a Module), got {type(layer).__name__}")
        if isinstance(layer, Input):
            if self.layers:
                raise ValueError("ts.Input can only be the first layer of a Sequential")
            self.input_dim = layer.shape[0]
            return
        self.layers.append(layer)
        if self.input_dim is None and len(self.layers) == 1 and getattr(layer, "input_dim", None):
            self.input_dim = layer.input_dim
        if self.input_dim is not None:
            self.build(self.input_dim)

    def build(self, input_dim: int) -> None:
        """Create every layer's weights for inputs of width input_dim (one sample through, no graph)."""
        self.input_dim = int(input_dim)
        self._probe(np.zeros((1, self.input_dim), self.dtype))

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(getattr(layer, "built", True) for layer in self.layers)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x):
        if self.input_dim is None and x.ndim >= 1:
            self.input_dim = x.shape[-1]
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)
