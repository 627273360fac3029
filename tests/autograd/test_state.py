"""Grad mode, as in PyTorch: plain calls, context managers, decorators (generators too), one mode per thread."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import tinygrad_seminar as ts

# (switch, its arguments, the mode it sets): each is built where it is used, as set_grad_enabled switches at once
SWITCHES = [
    pytest.param("no_grad", (), False, id="no_grad()"),
    pytest.param("enable_grad", (), True, id="enable_grad()"),
    pytest.param("set_grad_enabled", (False,), False, id="set_grad_enabled(False)"),
    pytest.param("set_grad_enabled", (True,), True, id="set_grad_enabled(True)"),
]
STEPS = 2_000


@pytest.fixture(autouse=True)
def grad_mode_back_on():
    """A failing test must not leave grad mode off for the tests after it."""
    yield
    ts.set_grad_enabled(True)


# ---- a plain call ----
def test_set_grad_enabled_called_as_a_function_switches_the_mode_at_once():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    before = ts.is_grad_enabled()
    try:
        ts.set_grad_enabled(False)
        assert not ts.is_grad_enabled()
        assert not (x * 2).requires_grad
        ts.set_grad_enabled(True)
        assert ts.is_grad_enabled()
        assert (x * 2).requires_grad
        ts.set_grad_enabled(False)
        assert not ts.is_grad_enabled()
    finally:
        ts.set_grad_enabled(before)
    assert ts.is_grad_enabled()


# ---- context managers ----
@pytest.mark.parametrize("outer", [True, False], ids=["from-grad-on", "from-grad-off"])
@pytest.mark.parametrize("name, args, mode", SWITCHES)
def test_a_with_block_sets_the_mode_and_restores_the_previous_one(name, args, mode, outer):
    with ts.set_grad_enabled(outer):
        with getattr(ts, name)(*args):
            assert ts.is_grad_enabled() is mode
        assert ts.is_grad_enabled() is outer
        with pytest.raises(KeyError), getattr(ts, name)(*args):
            raise KeyError("inside the block")
        assert ts.is_grad_enabled() is outer
    assert ts.is_grad_enabled()


def test_nested_blocks_each_restore_the_mode_they_found():
    with ts.no_grad():
        with ts.enable_grad():
            assert ts.is_grad_enabled()
            with ts.set_grad_enabled(False):
                assert not ts.is_grad_enabled()
                with ts.no_grad():
                    assert not ts.is_grad_enabled()
                assert not ts.is_grad_enabled()
            assert ts.is_grad_enabled()
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()


def test_one_no_grad_instance_entered_inside_itself_restores_each_level():
    off = ts.no_grad()
    with off:
        with ts.enable_grad(), off:
            assert not ts.is_grad_enabled()
        assert not ts.is_grad_enabled()
        with off:
            assert not ts.is_grad_enabled()
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()  # a single saved mode would hold the inner entry's False by now


# ---- decorators ----
@pytest.mark.parametrize("name, args, mode", SWITCHES)
def test_a_decorator_switches_nothing_when_applied_and_the_mode_for_each_call(name, args, mode):
    with ts.set_grad_enabled(not mode):

        @getattr(ts, name)(*args)
        def mode_inside(fail: bool = False) -> bool:
            if fail:
                raise KeyError("inside the function")
            return ts.is_grad_enabled()

        assert ts.is_grad_enabled() is (not mode)  # decorating left the mode alone
        assert mode_inside() is mode
        assert mode_inside() is mode  # every call, not only the first
        assert ts.is_grad_enabled() is (not mode)
        with pytest.raises(KeyError):
            mode_inside(fail=True)
        assert ts.is_grad_enabled() is (not mode)
    assert ts.is_grad_enabled()


def test_set_grad_enabled_false_as_a_decorator_does_not_switch_at_decoration_time():
    @ts.set_grad_enabled(False)
    def mode_inside() -> bool:
        return ts.is_grad_enabled()

    assert ts.is_grad_enabled()
    assert mode_inside() is False
    assert ts.is_grad_enabled()


# ---- decorated generators ----
def test_no_grad_on_a_generator_holds_in_its_body_at_every_resume_and_never_in_the_caller():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    @ts.no_grad()
    def doubled(n):
        for _ in range(n):
            seen.append(ts.is_grad_enabled())
            yield x * 2
        seen.append(ts.is_grad_enabled())

    gen = doubled(4)
    assert not next(gen).requires_grad
    assert ts.is_grad_enabled() and (x * 2).requires_grad  # between resumes the caller's mode is back
    with ts.no_grad():
        assert not next(gen).requires_grad
        assert not ts.is_grad_enabled()
    with ts.enable_grad():
        assert not next(gen).requires_grad
        assert ts.is_grad_enabled()
    assert [y.requires_grad for y in gen] == [False]
    assert seen == [False] * 5
    assert ts.is_grad_enabled()


def test_enable_grad_on_a_generator_records_inside_an_outer_no_grad():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    @ts.enable_grad()
    def doubled(n):
        for _ in range(n):
            seen.append(ts.is_grad_enabled())
            yield x * 2

    with ts.no_grad():
        for y in doubled(3):
            assert y.requires_grad
            assert not ts.is_grad_enabled()  # the caller's no_grad, between resumes
    assert seen == [True] * 3
    assert ts.is_grad_enabled()


def test_a_decorated_generator_passes_send_throw_close_and_its_return_value_through():
    seen = []

    @ts.no_grad()
    def running_total():
        total = 0
        try:
            while True:
                try:
                    total += yield total
                except ValueError:
                    seen.append(("throw", ts.is_grad_enabled()))
                    total = -total
                if total > 100:
                    return f"done at {total}"
        finally:
            seen.append(("finally", ts.is_grad_enabled()))

    gen = running_total()
    assert next(gen) == 0
    assert gen.send(5) == 5 and gen.send(7) == 12
    assert gen.throw(ValueError("negate")) == -12
    assert ts.is_grad_enabled()
    with pytest.raises(StopIteration) as stop:
        gen.send(200)
    assert stop.value.value == "done at 188"
    assert seen == [("throw", False), ("finally", False)]

    seen.clear()
    gen = running_total()
    next(gen)
    gen.close()
    assert seen == [("finally", False)]
    gen = running_total()
    next(gen)
    with pytest.raises(KeyError, match="not caught"):
        gen.throw(KeyError("not caught"))
    assert seen == [("finally", False), ("finally", False)]
    assert ts.is_grad_enabled()


# ---- threads ----
def test_a_new_thread_starts_with_grad_mode_on():
    seen = []
    with ts.no_grad():
        thread = threading.Thread(target=lambda: seen.append(ts.is_grad_enabled()))
        thread.start()
        thread.join()
        assert not ts.is_grad_enabled()
    assert seen == [True]


def test_two_threads_in_one_no_grad_function_leave_each_others_mode_alone():
    barrier, lock = threading.Barrier(2), threading.Lock()
    inside: set[str] = set()  # the threads inside the decorated function, past its switch
    errors: list[str] = []
    overlaps = {"a": 0, "b": 0}  # checks of grad mode on, made while the other thread was inside no_grad
    final: dict[str, bool] = {}

    @ts.no_grad()
    def work(name):
        with lock:
            inside.add(name)
        for _ in range(3):
            if ts.is_grad_enabled():
                errors.append(f"{name}: grad mode on inside no_grad")
            time.sleep(0.0003)
        with lock:
            inside.discard(name)

    def run(name, offset):
        try:
            barrier.wait()
            for i in range(300):
                outer = (i + offset) % 3 != 0  # off for every third call, not the same calls in both threads
                with ts.set_grad_enabled(outer):
                    work(name)
                    with lock:  # while we hold it, the other thread cannot leave its no_grad if it is inside
                        if ts.is_grad_enabled() is not outer:
                            errors.append(f"{name}, call {i}: grad mode {not outer} outside no_grad, not {outer}")
                        elif outer and inside - {name}:
                            overlaps[name] += 1
                time.sleep(0.0002)
        except BaseException as e:  # the main thread reports it
            errors.append(f"{name}: {e!r}")
        final[name] = ts.is_grad_enabled()

    threads = [threading.Thread(target=run, args=("a", 0)), threading.Thread(target=run, args=("b", 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, f"{len(errors)} errors, the first: {errors[:5]}"
    assert final == {"a": True, "b": True}
    assert ts.is_grad_enabled()
    assert overlaps["a"] > 0 and overlaps["b"] > 0, f"the threads never overlapped: {overlaps}"


def train(model, x: ts.Tensor, y: np.ndarray, steps: int) -> list[list[np.ndarray]]:
    """A manual training loop; each step's gradients, copied, in ``parameters()`` order."""
    opt = ts.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    grads = []
    for _ in range(steps):
        model.zero_grad()
        loss = ts.losses.mse(y, model(x))
        loss.backward()
        grads.append([p.grad.copy() for p in model.parameters()])
        opt.step()
    return grads


def test_training_in_one_thread_while_another_predicts_gives_the_solo_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = np.sin(x.sum(axis=1, keepdims=True)).astype(np.float32)
    x2 = rng.standard_normal((64, 4)).astype(np.float32)
    ts.manual_seed(0)
    model = ts.Sequential([ts.nn.Dense(8, activation="tanh", input_dim=4), ts.nn.Dense(1)])
    other = ts.Sequential([ts.nn.Dense(16, activation="relu", input_dim=4), ts.nn.Dense(2)])
    other.compile(optimizer="sgd", loss="mse")
    initial = model.get_weights()
    solo = train(model, ts.tensor(x), y, STEPS)  # the reference, alone in the main thread
    expected_predictions = other.predict(x2)
    model.set_weights(initial)

    barrier, done = threading.Barrier(2), threading.Event()
    errors: list[str] = []
    final: dict[str, bool] = {}
    result: dict[str, list] = {}
    predictions = [0]

    def trainer():
        try:
            barrier.wait()
            result["grads"] = train(model, ts.tensor(x), y, STEPS)
        except BaseException as e:  # the main thread reports it
            errors.append(f"trainer: {e!r}")
        finally:
            done.set()
            final["trainer"] = ts.is_grad_enabled()

    def predictor():
        try:
            barrier.wait()
            while not done.is_set():
                if not np.array_equal(other.predict(x2), expected_predictions):
                    errors.append(f"predictor: call {predictions[0]} predicted something else")
                predictions[0] += 1
        except BaseException as e:  # the main thread reports it
            errors.append(f"predictor: {e!r}")
        finally:
            final["predictor"] = ts.is_grad_enabled()

    threads = [threading.Thread(target=trainer), threading.Thread(target=predictor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, f"{len(errors)} errors, the first: {errors[:5]}"
    assert predictions[0] > 0, "the predictor never ran while the trainer trained"
    grads = result["grads"]
    assert len(grads) == len(solo) == STEPS
    differing = [step for step, (got, want) in enumerate(zip(grads, solo))
                 if not all(np.array_equal(g, w) for g, w in zip(got, want))]
    assert differing == [], f"{len(differing)} steps' gradients differ from the solo run, first {differing[:5]}"
    assert final == {"trainer": True, "predictor": True}
    assert ts.is_grad_enabled()


def test_one_set_grad_enabled_object_switches_again_each_time_it_is_entered():
    switch = ts.set_grad_enabled(False)
    with switch:
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()
    with switch:
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()
