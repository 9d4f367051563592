"""Save the Keras fixtures of tests/test_import_keras_saved.py with Keras itself.

    KERAS_BACKEND=torch python scripts/make_keras_fixtures.py tests/keras/saved

Needs keras (3.x) and a backend (torch 2.13.0 here); neither is a dependency of
nnsvg or of its tests, which read the files these write. The models are small (the
files carry their weights), and deterministic in shape, not in weight values: the
tests read structure only. Written by Keras 3.15.1 on the torch backend.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
from keras import layers


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    cnn = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(4, 5, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(8, 5, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(16, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ],
        name="small_cnn",
    )
    cnn.save(f"{out}/small_cnn.keras")
    cnn.save(f"{out}/small_cnn.h5")
    with open(f"{out}/small_cnn.json", "w", encoding="utf-8") as f:
        f.write(cnn.to_json())

    x = keras.Input((16, 16, 8), name="x")
    y = layers.Conv2D(8, 3, padding="same")(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(8, 3, padding="same")(y)
    y = layers.Add()([y, x])
    y = layers.Activation("relu")(y)
    z = layers.Conv2D(4, 1)(y)
    c = layers.Concatenate()([y, z])
    p = layers.GlobalAveragePooling2D()(c)
    o = layers.Dense(10, activation="softmax")(p)
    res = keras.Model(x, o, name="resblock")
    res.save(f"{out}/resblock.keras")
    res.save(f"{out}/resblock.h5")

    t = keras.Input((20,), dtype="int32")
    e = layers.Embedding(50, 8)(t)
    r = layers.LSTM(16)(e)
    d = layers.Dense(2, activation="softmax")(r)
    keras.Model(t, d, name="lstm_classifier").save(f"{out}/lstm_classifier.keras")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/keras/saved")
