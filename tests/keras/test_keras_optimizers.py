"""keras.optimizers: Keras 3's signatures, defaults and update formulas, each against numpy written here."""

import numpy as np
import pytest

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras
from tinygrad_seminar.keras.optimizers import SGD, Adagrad, Adam, RMSprop

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.2, 1.0]), np.array([1.5, 0.0, -0.7])]


def run(opt, steps=3):
    w = ts.Tensor(np.array([1.0, -2.0, 0.5]), dtype="float64", requires_grad=True)
    opt.bind([w])
    out = []
    for g in GRADS[:steps]:
        w.grad = g.copy()
        opt.step()
        out.append(w.data.copy())
    return out


def test_sgd_momentum_and_nesterov_follow_keras():
    for nesterov in (False, True):
        got = run(SGD(0.1, momentum=0.9, nesterov=nesterov))
        w, m = np.array([1.0, -2.0, 0.5]), np.zeros(3)
        for g, have in zip(GRADS, got):
            m = -g * 0.1 + m * 0.9
            w = w + (-g * 0.1 + m * 0.9 if nesterov else m)
            np.testing.assert_allclose(have, w, rtol=1e-12)
    w = np.array([1.0, -2.0, 0.5])
    for g, have in zip(GRADS, run(SGD())):
        w = w - 0.01 * g
        np.testing.assert_allclose(have, w)


def test_adam_puts_epsilon_outside_the_bias_correction():
    got = run(Adam(0.01, epsilon=0.1))  # a big epsilon, so where it sits shows
    w, m, v = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
    for t, (g, have) in enumerate(zip(GRADS, got), start=1):
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        w = w - 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 0.1)
        np.testing.assert_allclose(have, w, rtol=1e-12)


def test_rmsprop_puts_epsilon_inside_the_root_and_has_momentum():
    for momentum in (0.0, 0.5):
        got = run(RMSprop(0.01, momentum=momentum, epsilon=0.1))
        w, v, s = np.array([1.0, -2.0, 0.5]), np.zeros(3), np.zeros(3)
        for g, have in zip(GRADS, got):
            v = 0.9 * v + 0.1 * g * g
            inc = 0.01 * g / np.sqrt(v + 0.1)
            s = momentum * s + inc
            w = w - (s if momentum else inc)
            np.testing.assert_allclose(have, w, rtol=1e-12)


def test_adagrad_starts_its_accumulator_at_0_1():
    got = run(Adagrad(0.1))
    w, acc = np.array([1.0, -2.0, 0.5]), np.full(3, 0.1)
    for g, have in zip(GRADS, got):
        acc = acc + g * g
        w = w - 0.1 * g / np.sqrt(acc + 1e-7)
        np.testing.assert_allclose(have, w, rtol=1e-12)


def test_keras_defaults_and_learning_rate_positional():
    assert Adam().hyperparameters() == {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    assert RMSprop().hyperparameters() == {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                                           "centered": False}
    assert Adagrad().hyperparameters() == {"learning_rate": 0.001, "initial_accumulator_value": 0.1,
                                           "epsilon": 1e-7}
    assert SGD().hyperparameters() == {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}
    assert float(Adam(0.005).learning_rate) == 0.005


def test_compile_strings_are_keras_optimizers_and_learning_rate_is_settable():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    for name, cls in {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad}.items():
        model.compile(optimizer=name, loss="mse")
        assert type(model.optimizer) is cls
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.learning_rate = 0.0
    before = model.get_weights()
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert float(model.optimizer.learning_rate) == 0.0


def test_exponential_decay_is_asked_at_each_step():
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    assert sched(4) == pytest.approx(0.025)
    assert keras.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5, staircase=True)(3) == pytest.approx(0.05)
    opt = SGD(sched)
    got = run(opt)
    w = np.array([1.0, -2.0, 0.5])
    for t, (g, have) in enumerate(zip(GRADS, got)):
        w = w - 0.1 * 0.5 ** (t / 2) * g
        np.testing.assert_allclose(have, w, rtol=1e-12)
    assert opt.iterations == 3 and float(opt.learning_rate) == pytest.approx(0.1 * 0.5 ** 1.5)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_a_keras_optimizer_and_its_schedule_save_and_resume(tmp_path):
    sched = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=10, decay_rate=0.9)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=Adam(sched), loss="mse")
    x, y = np.ones((8, 2), "float32"), np.zeros((8, 1), "float32")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer) is Adam and loaded.optimizer.iterations == 4
    assert float(loaded.optimizer.learning_rate) == pytest.approx(float(model.optimizer.learning_rate))
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


# ---- Keras 3's arguments of every optimiser: weight_decay and the clippings, applied before the update ----
def test_clipnorm_clips_each_gradient_to_that_norm_before_the_update():
    w = np.array([1.0, -2.0, 0.5])
    for g, have in zip(GRADS, run(SGD(0.1, clipnorm=1.5))):
        w = w - 0.1 * (g * 1.5 / max(np.linalg.norm(g), 1.5))
        np.testing.assert_allclose(have, w, rtol=1e-12)


def test_clipvalue_clips_each_entry_and_weight_decay_shrinks_the_weights_first():
    w = np.array([1.0, -2.0, 0.5])
    for g, have in zip(GRADS, run(SGD(0.1, clipvalue=0.6, weight_decay=0.5))):
        w = w - w * 0.5 * 0.1
        w = w - 0.1 * np.clip(g, -0.6, 0.6)
        np.testing.assert_allclose(have, w, rtol=1e-12)


def test_global_clipnorm_scales_all_gradients_by_their_joint_norm():
    a = ts.Tensor(np.array([1.0, 2.0]), dtype="float64", requires_grad=True)
    b = ts.Tensor(np.array([3.0]), dtype="float64", requires_grad=True)
    opt = SGD(1.0, global_clipnorm=2.5)
    opt.bind([a, b])
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([4.0])  # joint norm 5: both halved
    opt.step()
    np.testing.assert_allclose(a.data, [1.0 - 1.5, 2.0])
    np.testing.assert_allclose(b.data, [3.0 - 2.0])
    np.testing.assert_allclose(a.grad, [1.5, 0.0])  # the clipped gradient is what .grad holds after the step


def test_the_common_arguments_are_checked_and_saved_with_the_model(tmp_path):
    with pytest.raises(TypeError, match=r"^Adam: unexpected argument lr \(Keras names it learning_rate\); besides "
                                        r"its own, an optimiser takes weight_decay, clipnorm, clipvalue, "
                                        r"global_clipnorm$"):
        Adam(lr=0.1)
    with pytest.raises(ValueError, match=r"^RMSprop: only one of clipnorm, clipvalue and global_clipnorm can be "
                                         r"set, got clipnorm=1.0, clipvalue=0.5$"):
        RMSprop(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match=r"^Adagrad: weight_decay must be >= 0 and finite, got -1$"):
        Adagrad(weight_decay=-1)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=Adam(0.01, clipnorm=0.5, weight_decay=0.1), loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras").optimizer.hyperparameters()
    assert loaded["clipnorm"] == 0.5 and loaded["weight_decay"] == 0.1 and "clipvalue" not in loaded
