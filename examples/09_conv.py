"""Seminar step 9: a small convolutional network tells bars, crosses and rings apart in noisy 8x8 images."""

import time

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import keras

CLASSES = ("bar", "cross", "ring")


def draw(kind: int, rng: np.random.Generator) -> np.ndarray:
    """One 8x8 image of a shape at a random place: a bar (a row or a column), a cross (+) or a ring (a square)."""
    img = np.zeros((8, 8))
    if kind == 0:
        k = rng.integers(0, 8)
        if rng.random() < 0.5:
            img[k, :] = 1
        else:
            img[:, k] = 1
    elif kind == 1:
        r, c = rng.integers(1, 7, size=2)
        img[r - 1:r + 2, c] = img[r, c - 1:c + 2] = 1
    else:
        s = rng.integers(3, 6)                                 # side 3 to 5
        r, c = rng.integers(0, 9 - s, size=2)
        img[r:r + s, c:c + s] = 1
        img[r + 1:r + s - 1, c + 1:c + s - 1] = 0
    return img


def make_images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n images (n, 8, 8, 1), channels last as Keras has them, with noise N(0, 0.3^2); labels 0, 1, 2."""
    y = rng.integers(0, 3, size=n)
    x = np.stack([draw(k, rng) for k in y]) + rng.normal(0, 0.3, size=(n, 8, 8))
    return x[..., None].astype("float32"), y


rng = np.random.default_rng(0)
ts.manual_seed(0)                                              # the initial weights: the same every run
x_train, y_train = make_images(2000, rng)
x_test, y_test = make_images(500, rng)

model = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    keras.layers.Conv2D(8, 3, padding="same", activation="relu"),   # 8 filters of 3x3: (None, 8, 8, 8)
    keras.layers.MaxPooling2D(2),                                    # (None, 4, 4, 8)
    keras.layers.Conv2D(16, 3, activation="relu"),                   # (None, 2, 2, 16)
    keras.layers.Flatten(),                                          # (None, 64), channels fastest
    keras.layers.Dense(3, activation="softmax"),
])
model.summary()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = model.fit(x_train, y_train, epochs=25, batch_size=32, verbose=0, shuffle=True)
seconds = time.perf_counter() - start
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"training loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f} in {seconds:.1f} s")
print(f"test accuracy: {accuracy:.1%} on {len(y_test)} images")
predicted = model.predict(x_test[:6], verbose=0).argmax(axis=1)
print("first test images:", [CLASSES[k] for k in y_test[:6]], "predicted:", [CLASSES[k] for k in predicted])
first = model.layers[0].get_weights()[0]
print(f"first layer's kernel in Keras' layout (kh, kw, in, filters): {first.shape}; "
      f"inside the engine (filters, in, kh, kw): {model.layers[0].weight.shape}")
