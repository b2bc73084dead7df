"""Write test/fixtures/images/digit-<label>.png for the page's end-to-end test.

Each image is one digit from the *test* split of scikit-learn's bundled 8x8 digits (the same split as train.ipynb:
test_size=0.2, random_state=0, stratify=y), rendered the way a person would upload a scan: dark ink on white paper,
greyscale, upscaled 8x to 64x64 with nearest-neighbour (so each source pixel is a flat 8x8 block).

Pixel mapping: png = 255 - round(v * 255 / 16) for sklearn value v in 0..16. The sidecar's preprocessing
(greyscale, resize to 8x8, invert 255 - p, scale 16/255) recovers v up to rounding.

Run from anywhere with the Debian python:  /usr/bin/python3 examples/digits/make_test_images.py
"""
import pathlib

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# label -> position in the test split (X_test[i]); each was checked to be classified correctly by digits.onnx after
# the sidecar's preprocessing with nearest, bilinear and area (box) downscaling.
PICKS = {d: 0 for d in range(10)}   # the first test-split sample of each digit
SIZE = 64

OUT = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "images"


def test_split():
    digits = load_digits()
    X = digits.images.astype(np.float32)
    y = digits.target.astype(np.int64)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    return X_test, y_test


def render(img8: np.ndarray) -> Image.Image:
    ink = np.rint(img8 * 255.0 / 16.0).astype(np.uint8)   # 0..16 -> 0..255, bright strokes
    paper = 255 - ink                                      # dark ink on white paper
    return Image.fromarray(paper, mode="L").resize((SIZE, SIZE), Image.NEAREST)


def main():
    X_test, y_test = test_split()
    OUT.mkdir(parents=True, exist_ok=True)
    for label, nth in PICKS.items():
        idx = int(np.flatnonzero(y_test == label)[nth])
        path = OUT / f"digit-{label}.png"
        render(X_test[idx]).save(path, optimize=False)
        print(f"{path.name}: label {label}, X_test[{idx}]")


if __name__ == "__main__":
    main()
