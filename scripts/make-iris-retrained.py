"""Makes test/fixtures/models/iris-retrained.onnx: the example iris model "retrained" so that it answers differently.

The regression-replay tests need a re-export whose answers differ from examples/iris/iris.onnx on known inputs (the
fixture iris-reexport.onnx answers the same). This takes the example model and raises the versicolor logit's bias by
3: inputs near the versicolor/virginica and setosa/versicolor boundaries now come out versicolor. Run with Debian's
python (/usr/bin/python3, which has onnx): /usr/bin/python3 scripts/make-iris-retrained.py
"""
import os

import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
model = onnx.load(os.path.join(ROOT, "examples", "iris", "iris.onnx"))
for init in model.graph.initializer:
    if init.name == "net.2.bias":
        bias = numpy_helper.to_array(init).copy()
        bias[1] += 3.0
        init.CopyFrom(numpy_helper.from_array(bias, init.name))
model.doc_string = "iris, retrained (versicolor bias +3): a test fixture for regression replay"
onnx.save(model, os.path.join(ROOT, "test", "fixtures", "models", "iris-retrained.onnx"))
