"""Three scripts written as Keras' documentation writes them; only the import line differs from Keras.

Each makes its own data, trains, and must reach the accuracy or error stated in its test.
"""

import numpy as np

import tinygrad_seminar.keras as keras
from tinygrad_seminar.keras import layers


def test_binary_classification_with_dropout_and_early_stopping():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 8)).astype("float32")
    y = ((x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + 0.5 * x[:, 3]) > 0).astype("float32")
    x_train, y_train, x_test, y_test = x[:500], y[:500], x[500:], y[500:]

    model = keras.Sequential([
        keras.Input(shape=(8,)),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    history = model.fit(x_train, y_train, epochs=100, batch_size=32, validation_split=0.2,
                        callbacks=[early_stopping], verbose=0)
    loss, accuracy, auc = model.evaluate(x_test, y_test, verbose=0)

    assert len(history.history["loss"]) < 100  # early stopping stopped it
    assert accuracy > 0.88 and auc > 0.93


def test_multiclass_softmax_with_sparse_labels_and_to_categorical():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    centers = rng.standard_normal((4, 5)) * 3
    labels = rng.integers(0, 4, 800)
    x = (centers[labels] + rng.standard_normal((800, 5))).astype("float32")
    x_train, y_train, x_test, y_test = x[:600], labels[:600], x[600:], labels[600:]

    model = keras.Sequential([
        keras.Input(shape=(5,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(4, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=30, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)

    y_test_one_hot = keras.utils.to_categorical(y_test, num_classes=4)
    metric = keras.metrics.CategoricalAccuracy()
    metric.update_state(y_test_one_hot, model.predict(x_test, verbose=0))

    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, keras.utils.to_categorical(y_train), epochs=5, batch_size=32, verbose=0)
    _, one_hot_accuracy = model.evaluate(x_test, y_test_one_hot, verbose=0)

    assert accuracy > 0.9 and float(metric.result()) == accuracy and one_hot_accuracy > 0.9


def test_regression_with_normalization_mae_reduce_lr_and_a_history_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((500, 3)) * [1.0, 50.0, 0.01] + [0.0, 300.0, 1.0]).astype("float32")
    y = (3 * x[:, 0] + 0.05 * (x[:, 1] - 300) - 200 * (x[:, 2] - 1) + rng.standard_normal(500) * 0.1)
    y = y.astype("float32").reshape(-1, 1)
    x_train, y_train, x_test, y_test = x[:400], y[:400], x[400:], y[400:]

    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(x_train)
    model = keras.Sequential([
        keras.Input(shape=(3,)),
        normalizer,
        layers.Dense(32, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mean_absolute_error",
                  metrics=["mae"])
    reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-4)
    history = model.fit(x_train, y_train, validation_split=0.2, epochs=60, callbacks=[reduce_lr], verbose=0)

    plt.plot(history.history["loss"], label="loss")
    plt.plot(history.history["val_loss"], label="val_loss")
    plt.xlabel("Epoch")
    plt.ylabel("Error [y]")
    plt.legend()
    plt.grid(True)
    plt.savefig(tmp_path / "history.png")
    plt.close()

    _, mae = model.evaluate(x_test, y_test, verbose=0)
    assert mae < 0.35 * np.mean(np.abs(y_test - y_test.mean()))  # far better than the mean's error
    assert mae < 0.6
    assert min(history.history["learning_rate"]) < 0.05  # the plateau reduced the rate
    assert (tmp_path / "history.png").stat().st_size > 0
