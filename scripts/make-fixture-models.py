#!/usr/bin/env python3
"""Build the tiny ONNX fixture models used by the server tests.

Run from the repo root (needs the `onnx` and `numpy` Python packages; no torch):

    /usr/bin/python3 scripts/make-fixture-models.py

Writes test/fixtures/models/<name>.onnx and, for each model,
test/fixtures/models/<name>.expected.json. Expected outputs are computed
independently with numpy here, never by running the model.

Expected-file format:
    {"model": "<file>.onnx",
     "cases": [{"inputs":  {"<name>": {"datatype": "<V2 datatype>", "shape": [...], "data": [...]}},
                "outputs": {"<name>": {"datatype": "...", "shape": [...], "data": [...]}}}]}
`data` is the flat row-major list. INT64/UINT64 values outside JavaScript's
safe-integer range (|v| > 2**53 - 1) are written as decimal strings, BYTES as
strings, BOOL as true/false, FP16/FP32/FP64 as numbers (the exact value of the
stored float, printed as a double).
"""
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "models")
OPSET = [helper.make_opsetid("", 17)]
OPSET_ML = OPSET + [helper.make_opsetid("ai.onnx.ml", 3)]
IR_VERSION = 8
MAX_SAFE_INTEGER = 2**53 - 1

# numpy dtype / ONNX elem type / V2 datatype
TYPES = {
    "BOOL": (np.bool_, TensorProto.BOOL),
    "UINT8": (np.uint8, TensorProto.UINT8),
    "UINT16": (np.uint16, TensorProto.UINT16),
    "UINT32": (np.uint32, TensorProto.UINT32),
    "UINT64": (np.uint64, TensorProto.UINT64),
    "INT8": (np.int8, TensorProto.INT8),
    "INT16": (np.int16, TensorProto.INT16),
    "INT32": (np.int32, TensorProto.INT32),
    "INT64": (np.int64, TensorProto.INT64),
    "FP16": (np.float16, TensorProto.FLOAT16),
    "FP32": (np.float32, TensorProto.FLOAT),
    "FP64": (np.float64, TensorProto.DOUBLE),
    "BYTES": (object, TensorProto.STRING),
}


def arr(datatype, values):
    dtype = TYPES[datatype][0]
    if datatype == "BYTES":
        return np.array(values, dtype=object)
    return np.array(values, dtype=dtype)


def json_value(datatype, v):
    if datatype == "BOOL":
        return bool(v)
    if datatype == "BYTES":
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)
    if datatype in ("FP16", "FP32", "FP64"):
        return float(v)
    iv = int(v)
    if datatype in ("INT64", "UINT64") and abs(iv) > MAX_SAFE_INTEGER:
        return str(iv)
    return iv


def tensor_json(datatype, a):
    a = np.asarray(a)
    if datatype != "BYTES":
        assert a.dtype == TYPES[datatype][0], (datatype, a.dtype)
    return {
        "datatype": datatype,
        "shape": [int(d) for d in a.shape],
        "data": [json_value(datatype, v) for v in a.reshape(-1).tolist()],
    }


def case(inputs, outputs):
    """inputs/outputs: {name: (datatype, ndarray)}"""
    return {
        "inputs": {k: tensor_json(dt, a) for k, (dt, a) in inputs.items()},
        "outputs": {k: tensor_json(dt, a) for k, (dt, a) in outputs.items()},
    }


def vi(name, datatype, shape):
    return helper.make_tensor_value_info(name, TYPES[datatype][1], shape)


def save(name, graph, cases=None, opsets=OPSET, doc="", metadata=None, extra=None):
    model = helper.make_model(graph, opset_imports=opsets, producer_name="make-fixture-models.py")
    model.ir_version = IR_VERSION
    model.doc_string = doc
    for k, v in (metadata or {}).items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    # onnx 1.12's strict shape inference cannot handle map types (ZipMap), so only the
    # structural check runs for models that use ai.onnx.ml
    onnx.checker.check_model(model, full_check=opsets is OPSET)
    path = os.path.join(OUT_DIR, name + ".onnx")
    onnx.save(model, path)
    expected = {"model": name + ".onnx"}
    if extra:
        expected.update(extra)
    if cases is not None:
        expected["cases"] = cases
    write_expected(name, expected)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def write_expected(name, expected):
    """Pretty JSON, but with lists of scalars (shape, data) kept on one line."""
    leaves = []

    def stash(o):
        if isinstance(o, dict):
            return {k: stash(v) for k, v in o.items()}
        if isinstance(o, list):
            if all(not isinstance(v, (dict, list)) for v in o):
                leaves.append(json.dumps(o, ensure_ascii=False))
                return f"@@LEAF{len(leaves) - 1}@@"
            return [stash(v) for v in o]
        return o

    text = json.dumps(stash(expected), indent=2, ensure_ascii=False)
    text = re.sub(r'"@@LEAF(\d+)@@"', lambda m: leaves[int(m.group(1))], text)
    assert json.loads(text) == expected
    with open(os.path.join(OUT_DIR, name + ".expected.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")


# --------------------------------------------------------------------------- models


def int64_offset():
    offset = 2**53 + 1  # 9007199254740993, not representable as a double
    g = helper.make_graph(
        [helper.make_node("Add", ["x", "offset"], ["y"])],
        "int64_offset",
        [vi("x", "INT64", ["batch", 3])],
        [vi("y", "INT64", ["batch", 3])],
        [numpy_helper.from_array(np.array([offset], dtype=np.int64), "offset")],
    )
    xs = [
        arr("INT64", [[0, 1, 2]]),
        arr("INT64", [[-1, -9007199254740993, -9007199254740994],
                      [2**62, 123456789, -(2**62)]]),
    ]
    cases = [case({"x": ("INT64", x)}, {"y": ("INT64", x + np.int64(offset))}) for x in xs]
    save("int64-offset", g, cases, doc="y = x + 9007199254740993 (2^53+1); tests int64 precision beyond 2^53")


def string_upper():
    g = helper.make_graph(
        [
            # ORT's default locale is en_US.UTF-8, which is often not installed (session creation then
            # fails with "Failed to construct locale"); C.UTF-8 is built into glibc >= 2.35 and also
            # upper-cases non-ASCII letters (locale "C" would leave "é" unchanged).
            helper.make_node("StringNormalizer", ["text"], ["upper"], case_change_action="UPPER",
                             locale="C.UTF-8"),
            helper.make_node("Identity", ["text"], ["same"]),
        ],
        "string_upper",
        [vi("text", "BYTES", ["batch"])],
        [vi("upper", "BYTES", ["batch"]), vi("same", "BYTES", ["batch"])],
    )
    # the last case is non-ASCII (needs the C.UTF-8 locale at runtime); avoid letters like "ß" whose
    # upper case is not a single character (Python gives "SS", ORT keeps "ß")
    texts = [["hello", "Model Preview", "a,b;c 123"], ["x"], ["café", "Ünïcödé ☕"]]
    cases = []
    for t in texts:
        x = arr("BYTES", t)
        cases.append(case({"text": ("BYTES", x)},
                          {"upper": ("BYTES", arr("BYTES", [s.upper() for s in t])), "same": ("BYTES", x)}))
    save("string-upper", g, cases, doc="upper = StringNormalizer(text, UPPER); same = Identity(text)")


def bool_not():
    g = helper.make_graph(
        [helper.make_node("Not", ["flags"], ["inverted"])],
        "bool_not",
        [vi("flags", "BOOL", ["batch", 4])],
        [vi("inverted", "BOOL", ["batch", 4])],
    )
    x = arr("BOOL", [[True, False, True, False], [False, False, True, True]])
    save("bool-not", g, [case({"flags": ("BOOL", x)}, {"inverted": ("BOOL", np.logical_not(x))})],
         doc="inverted = Not(flags)")


def uint8_scale():
    g = helper.make_graph(
        [
            helper.make_node("Div", ["pixels", "two"], ["halved"]),
            helper.make_node("Cast", ["pixels"], ["pixels_f"], to=TensorProto.FLOAT),
            helper.make_node("Div", ["pixels_f", "scale"], ["as_float"]),
        ],
        "uint8_scale",
        [vi("pixels", "UINT8", ["batch", 3])],
        [vi("halved", "UINT8", ["batch", 3]), vi("as_float", "FP32", ["batch", 3])],
        [numpy_helper.from_array(np.array(2, dtype=np.uint8), "two"),
         numpy_helper.from_array(np.array(255, dtype=np.float32), "scale")],
    )
    x = arr("UINT8", [[0, 1, 255], [128, 127, 51]])
    save("uint8-scale", g, [case({"pixels": ("UINT8", x)},
                                 {"halved": ("UINT8", x // np.uint8(2)),
                                  "as_float": ("FP32", x.astype(np.float32) / np.float32(255))})],
         doc="halved = pixels / 2 (integer division); as_float = float(pixels) / 255")


def fp64_square():
    g = helper.make_graph(
        [helper.make_node("Mul", ["x", "x"], ["sq"])],
        "fp64_square",
        [vi("x", "FP64", ["batch", 2])],
        [vi("sq", "FP64", ["batch", 2])],
    )
    x = arr("FP64", [[1.5, -3.0], [0.1, 1e150], [123456789.123, -1e-160]])
    save("fp64-square", g, [case({"x": ("FP64", x)}, {"sq": ("FP64", x * x)})], doc="sq = x * x (float64)")


def two_inputs():
    g = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Mul", ["a", "b"], ["product"])],
        "two_inputs",
        [vi("a", "FP32", ["batch", 3]), vi("b", "FP32", ["batch", 3])],
        [vi("sum", "FP32", ["batch", 3]), vi("product", "FP32", ["batch", 3])],
    )
    a = arr("FP32", [[1, 2, 3], [-1.5, 0.25, 100]])
    b = arr("FP32", [[10, 20, 30], [2, -4, 0.5]])
    save("two-inputs", g, [case({"a": ("FP32", a), "b": ("FP32", b)},
                                {"sum": ("FP32", a + b), "product": ("FP32", a * b)})],
         doc="sum = a + b; product = a * b")


def fixed_shape():
    g = helper.make_graph(
        [helper.make_node("ReduceSum", ["grid", "axes"], ["total"], keepdims=0)],
        "fixed_shape",
        [vi("grid", "FP32", [2, 3])],
        [vi("total", "FP32", [2])],
        [numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")],
    )
    x = arr("FP32", [[1, 2, 3], [0.5, -0.25, 4]])
    save("fixed-shape", g, [case({"grid": ("FP32", x)}, {"total": ("FP32", x.sum(axis=1, dtype=np.float32))})],
         doc="total = ReduceSum(grid, axis=1); input has a fixed shape [2, 3]")


def zipmap_classifier():
    w = np.array([[1.0, -1.0, 0.5], [-0.5, 2.0, -1.0]], dtype=np.float32)
    b = np.array([0.1, 0.0, -0.1], dtype=np.float32)
    # map(int64, tensor(float)); built by hand because onnx 1.12 has no helper.make_map_type_proto
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = TensorProto.INT64
    map_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    g = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "B"], ["scores"]),
            helper.make_node("Softmax", ["scores"], ["probs"], axis=1),
            helper.make_node("ArgMax", ["probs"], ["label"], axis=1, keepdims=0),
            helper.make_node("ZipMap", ["probs"], ["probabilities"], domain="ai.onnx.ml",
                             classlabels_int64s=[0, 1, 2]),
        ],
        "zipmap_classifier",
        [vi("X", "FP32", ["batch", 2])],
        [
            vi("label", "INT64", ["batch"]),
            helper.make_value_info("probabilities", helper.make_sequence_type_proto(map_type)),
        ],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
    )
    x = arr("FP32", [[1, 0], [0, 1], [-1, -1], [3, 3]])
    scores = (x @ w + b).astype(np.float32)
    probs = (np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)).astype(np.float32)
    label = np.argmax(scores, axis=1).astype(np.int64)
    # The server serves the ZipMap's input (the softmax) as `probabilities`, FP32 [batch, 3].
    save("zipmap-classifier", g, [case({"X": ("FP32", x)}, {"label": ("INT64", label), "probabilities": ("FP32", probs)})], opsets=OPSET_ML,
         doc="sklearn-style classifier: label (int64 tensor) and probabilities (ZipMap, seq(map(int64,float)))",
         metadata={"class_names": "cat,dog,bird"})


IDENTITY_VALUES = {
    "bool": ("BOOL", [[True, False], [False, True]]),
    "uint8": ("UINT8", [[0, 255], [1, 128]]),
    "uint16": ("UINT16", [[0, 65535], [1, 32768]]),
    "uint32": ("UINT32", [[0, 4294967295], [1, 2147483648]]),
    "uint64": ("UINT64", [[0, 18446744073709551615], [9007199254740993, 42]]),
    "int8": ("INT8", [[-128, 127], [0, -1]]),
    "int16": ("INT16", [[-32768, 32767], [0, -1]]),
    "int32": ("INT32", [[-2147483648, 2147483647], [0, -1]]),
    "int64": ("INT64", [[-9223372036854775808, 9223372036854775807], [-9007199254740993, 7]]),
    "fp16": ("FP16", [[0.5, -2.0], [65504.0, -65504.0]]),
    "fp32": ("FP32", [[0.5, -2.0], [3.4028234663852886e38, 1.1754943508222875e-38]]),
    "fp64": ("FP64", [[0.1, -2.0], [1.7976931348623157e308, 5e-324]]),
    "bytes": ("BYTES", [["", "hello"], ["café ☕", "a,b\nc"]]),
}


def identity_all_types():
    nodes, inputs, outputs, ins, outs = [], [], [], {}, {}
    for suffix, (dt, values) in IDENTITY_VALUES.items():
        nodes.append(helper.make_node("Identity", ["in_" + suffix], ["out_" + suffix]))
        inputs.append(vi("in_" + suffix, dt, ["batch", 2]))
        outputs.append(vi("out_" + suffix, dt, ["batch", 2]))
        a = arr(dt, values)
        ins["in_" + suffix] = (dt, a)
        outs["out_" + suffix] = (dt, a.copy())
    g = helper.make_graph(nodes, "identity_all_types", inputs, outputs)
    save("identity-all-types", g, [case(ins, outs)], doc="out_<type> = Identity(in_<type>) for every V2 datatype")


SLOW_DIM = 512
# Each input row is broadcast to SLOW_ROWS identical rows so that even a batch of ONE row does real
# GEMM work; SLOW_LAYERS x (MatMul + Add + Tanh) all reuse one 512x512 weight (file stays ~1 MB).
# Run time is ~linear in batch. Calibrated so batch 1 takes ~50 ms with intraOpNumThreads 1.
SLOW_ROWS = 128
SLOW_LAYERS = int(os.environ.get("SLOW_LAYERS", "170"))


def slow_matmul():
    rng = np.random.default_rng(0)
    # gain < 1 plus a bias: the map is contractive, so float32 rounding differences between numpy and
    # ORT shrink instead of growing along the chain, and activations never become denormal
    w = (rng.standard_normal((SLOW_DIM, SLOW_DIM)) * (0.9 / np.sqrt(SLOW_DIM))).astype(np.float32)
    bias = (rng.standard_normal(SLOW_DIM) * 0.5).astype(np.float32)
    nodes = [
        helper.make_node("Unsqueeze", ["x", "one"], ["x3"]),           # [batch, 1, 512]
        helper.make_node("Expand", ["x3", "expand_shape"], ["h_in"]),  # [batch, ROWS, 512]
    ]
    prev = "h_in"
    for i in range(SLOW_LAYERS):
        nodes += [
            helper.make_node("MatMul", [prev, "W"], [f"m{i}"]),
            helper.make_node("Add", [f"m{i}", "B"], [f"a{i}"]),
            helper.make_node("Tanh", [f"a{i}"], [f"h{i}"]),
        ]
        prev = f"h{i}"
    nodes.append(helper.make_node("Gather", [prev, "zero"], ["y"], axis=1))  # row 0 -> [batch, 512]
    g = helper.make_graph(
        nodes, "slow_matmul",
        [vi("x", "FP32", ["batch", SLOW_DIM])],
        [vi("y", "FP32", ["batch", SLOW_DIM])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(bias, "B"),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
         numpy_helper.from_array(np.array([1, SLOW_ROWS, 1], dtype=np.int64), "expand_shape"),
         numpy_helper.from_array(np.array(0, dtype=np.int64), "zero")],
    )
    x = np.linspace(-1, 1, SLOW_DIM, dtype=np.float32).reshape(1, SLOW_DIM)
    h = x
    for _ in range(SLOW_LAYERS):
        h = np.tanh(h @ w + bias).astype(np.float32)
    # "timing" is measured with onnxruntime-node (see README.md) and pasted in; keep an existing
    # measurement as long as the model's structure is unchanged
    extra = {}
    path = os.path.join(OUT_DIR, "slow-matmul.expected.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        t = old.get("timing", {})
        if t.get("layers") == SLOW_LAYERS and t.get("rowsPerInputRow") == SLOW_ROWS:
            extra["timing"] = t
    save("slow-matmul", g, [case({"x": ("FP32", x)}, {"y": ("FP32", h)})], extra=extra,
         doc=f"deliberately slow: each row broadcast to {SLOW_ROWS} rows, then {SLOW_LAYERS} x "
             f"(MatMul 512x512 + Add + Tanh) sharing one weight; y = row 0")


def text_to_number():
    """A model that reads numbers from text (what a pipeline exported with a string column does): a text that is
    not a number fails inside onnxruntime's Cast with its own words ("stod"), which the server must translate."""
    g = helper.make_graph(
        [
            helper.make_node("Cast", ["amount"], ["as_number"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["as_number", "two"], ["doubled"]),
        ],
        "text_to_number",
        [vi("amount", "BYTES", ["batch", 1])],
        [vi("doubled", "FP32", ["batch", 1])],
        [numpy_helper.from_array(np.array(2, dtype=np.float32), "two")],
    )
    x = arr("BYTES", [["1.5"], ["-4"]])
    save("text-to-number", g, [case({"amount": ("BYTES", x)}, {"doubled": ("FP32", arr("FP32", [[3.0], [-8.0]]))})],
         doc="doubled = float(amount) * 2, amount a text")


def groups_of_four():
    """A model whose signature leaves a dimension open that its layers do not: x [batch, n] is reshaped to rows of 4,
    so an n that is not a multiple of 4 passes the signature check and fails inside onnxruntime (Reshape)."""
    g = helper.make_graph(
        [
            helper.make_node("Reshape", ["x", "rows_of_four"], ["rows"]),
            helper.make_node("ReduceSum", ["rows", "axis_one"], ["sums"], keepdims=0),
        ],
        "groups_of_four",
        [vi("x", "FP32", ["batch", "n"])],
        [vi("sums", "FP32", ["groups"])],
        [numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "rows_of_four"),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_one")],
    )
    x = arr("FP32", [[1, 2, 3, 4, 5, 6, 7, 8]])
    save("groups-of-four", g, [case({"x": ("FP32", x)}, {"sums": ("FP32", x.reshape(-1, 4).sum(axis=1, dtype=np.float32))})],
         doc="sums = ReduceSum(Reshape(x, [-1, 4]), axis 1): n must be a multiple of 4")


def missing_locale():
    """A StringNormalizer whose locale no machine has: session creation fails the way a model exported with ORT's
    default en_US.UTF-8 fails where that locale is not installed (the CLI's load-error message is tested with it).
    It never loads, so it has no expected file."""
    g = helper.make_graph(
        [helper.make_node("StringNormalizer", ["text"], ["lower"], case_change_action="LOWER", locale="xx_XX.UTF-8")],
        "missing_locale",
        [vi("text", "BYTES", ["batch"])],
        [vi("lower", "BYTES", ["batch"])],
    )
    model = helper.make_model(g, opset_imports=OPSET, producer_name="make-fixture-models.py")
    model.ir_version = IR_VERSION
    model.doc_string = "lower = StringNormalizer(text, LOWER, locale xx_XX.UTF-8): never loads"
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(OUT_DIR, "missing-locale.onnx"))


def sequence_output():
    """An output that is a sequence of tensors and no ZipMap: onnxruntime-node cannot return it, so it is not served."""
    seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, ["batch", 2]))
    g = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"]), helper.make_node("SequenceConstruct", ["x", "x"], ["pieces"])],
        "sequence_output",
        [vi("x", "FP32", ["batch", 2])],
        [vi("y", "FP32", ["batch", 2]), helper.make_value_info("pieces", seq)],
    )
    x = arr("FP32", [[1, 2], [3, 4]])
    save("sequence-output", g, [case({"x": ("FP32", x)}, {"y": ("FP32", x)})], doc="y = x; pieces = [x, x] (a sequence: not served)")


def iris_reexport():
    """examples/iris/iris.onnx with its last bias nudged: the same signature, other bytes and answers — what a notebook
    exporting a retrained model writes over the published file (the hot-reload tests use it)."""
    model = onnx.load(os.path.join(os.path.dirname(OUT_DIR), "..", "..", "examples", "iris", "iris.onnx"))
    bias = [t for t in model.graph.initializer if len(t.dims) == 1][-1]
    values = numpy_helper.to_array(bias).copy() + np.float32(0.25)
    bias.CopyFrom(numpy_helper.from_array(values, bias.name))
    onnx.save(model, os.path.join(OUT_DIR, "iris-reexport.onnx"))


def he_weights(rng, name, shape):
    """Random convolution/dense weights scaled for ReLU (He initialisation), as an initializer."""
    fan_in = int(np.prod(shape[1:]))
    return numpy_helper.from_array((rng.standard_normal(shape) * np.sqrt(2 / fan_in)).astype(np.float32), name)


def zero_bias(name, n):
    return numpy_helper.from_array(np.zeros(n, np.float32), name)


def image_conv():
    """A small image model of a realistic input size and cost: image FP32 [batch, 3, 320, 320] through four 3x3
    convolutions (ReLU; three of stride 2) to 10 class scores and an 80x80 map (a detector's kind of output), ~130M
    multiply-adds (about 2 ms on one core with onnxruntime here; image_detect is the heavier one). What the binary-data
    and the page-upload benchmarks measure with; its weights are random (seeded), so it has no expected file."""
    rng = np.random.default_rng(16)

    def conv(x, w, b, y, stride):
        return [helper.make_node("Conv", [x, w, b], [y + "_c"], kernel_shape=[3, 3], strides=[stride, stride], pads=[1, 1, 1, 1]),
                helper.make_node("Relu", [y + "_c"], [y])]

    g = helper.make_graph(
        conv("image", "w1", "b1", "r1", 2)      # [batch, 16, 160, 160]
        + conv("r1", "w2", "b2", "r2", 2)       # [batch, 32, 80, 80]
        + [helper.make_node("Conv", ["r2", "wm", "bm"], ["heatmap"], kernel_shape=[1, 1])]  # [batch, 1, 80, 80]
        + conv("r2", "w3", "b3", "r3", 2)       # [batch, 64, 40, 40]
        + conv("r3", "w4", "b4", "r4", 1)       # [batch, 64, 40, 40]
        + [helper.make_node("GlobalAveragePool", ["r4"], ["pooled"]),
           helper.make_node("Flatten", ["pooled"], ["flat"]),
           helper.make_node("Gemm", ["flat", "wf", "bf"], ["logits"], transB=1)],  # [batch, 10]
        "image_conv",
        [vi("image", "FP32", ["batch", 3, 320, 320])],
        [vi("logits", "FP32", ["batch", 10]), vi("heatmap", "FP32", ["batch", 1, 80, 80])],
        [he_weights(rng, "w1", (16, 3, 3, 3)), zero_bias("b1", 16), he_weights(rng, "w2", (32, 16, 3, 3)), zero_bias("b2", 32),
         he_weights(rng, "wm", (1, 32, 1, 1)), zero_bias("bm", 1), he_weights(rng, "w3", (64, 32, 3, 3)), zero_bias("b3", 64),
         he_weights(rng, "w4", (64, 64, 3, 3)), zero_bias("b4", 64), he_weights(rng, "wf", (10, 64)), zero_bias("bf", 10)],
    )
    model = helper.make_model(g, opset_imports=OPSET, producer_name="make-fixture-models.py")
    model.ir_version = IR_VERSION
    model.doc_string = "logits, heatmap = a four-layer CNN on a 3x320x320 image (random weights)"
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(OUT_DIR, "image-conv.onnx"))


def image_detect():
    """image-conv's heavier sibling, of the cost of a real text detector on a 320x320 picture (the issue 16 report
    measured one at 16.5 ms in onnxruntime in-process; this one takes about 10 ms here): image FP32 [batch, 3, 320,
    320] through six 3x3 convolutions (ReLU; three of stride 2; 32 to 128 channels), ~1 G multiply-adds, to a
    [batch, 1, 160, 160] text probability map (Sigmoid) and 10 class scores. image-conv (~130 M multiply-adds) runs in
    about 2 ms, so the fixed cost of moving 1.2 MB over HTTP is as large as its inference; this one shows the server's
    share on a model of a real one's size. Random (seeded) weights, no expected file; only the image-binary benchmark
    uses it."""
    rng = np.random.default_rng(1616)

    layers = [("image", 3, 32, 2), ("r1", 32, 32, 1), ("r2", 32, 64, 2), ("r3", 64, 64, 1), ("r4", 64, 128, 2), ("r5", 128, 128, 1)]
    nodes, inits = [], []
    for i, (x, c_in, c_out, stride) in enumerate(layers, start=1):
        nodes += [helper.make_node("Conv", [x, f"w{i}", f"b{i}"], [f"r{i}_c"], kernel_shape=[3, 3], strides=[stride, stride], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", [f"r{i}_c"], [f"r{i}"])]
        inits += [he_weights(rng, f"w{i}", (c_out, c_in, 3, 3)), zero_bias(f"b{i}", c_out)]
    nodes += [helper.make_node("Conv", ["r2", "wm", "bm"], ["map_c"], kernel_shape=[1, 1]),  # [batch, 1, 160, 160]
              helper.make_node("Sigmoid", ["map_c"], ["text_map"]),
              helper.make_node("GlobalAveragePool", ["r6"], ["pooled"]),
              helper.make_node("Flatten", ["pooled"], ["flat"]),
              helper.make_node("Gemm", ["flat", "wf", "bf"], ["logits"], transB=1)]  # [batch, 10]
    inits += [he_weights(rng, "wm", (1, 32, 1, 1)), zero_bias("bm", 1), he_weights(rng, "wf", (10, 128)), zero_bias("bf", 10)]
    g = helper.make_graph(nodes, "image_detect", [vi("image", "FP32", ["batch", 3, 320, 320])],
                          [vi("logits", "FP32", ["batch", 10]), vi("text_map", "FP32", ["batch", 1, 160, 160])], inits)
    model = helper.make_model(g, opset_imports=OPSET, producer_name="make-fixture-models.py")
    model.ir_version = IR_VERSION
    model.doc_string = "logits, text_map = a six-layer CNN on a 3x320x320 image (random weights)"
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(OUT_DIR, "image-detect.onnx"))


def mean_colour():
    """An image classifier whose pictures are large enough to be stored as blobs (3x64x64 = 12,288 values > 4,096):
    logits = mean colour per channel + bias, classes red, green, blue. mean-colour-retrained is the same model with
    green's bias raised by 0.5 ("retrained"): a picture of mean colour (0.6, 0.5, 0.1) is red to the first and green to
    the second (the regression-replay test corrects it to green on the first and replays it on the second)."""
    for name, bias in (("mean-colour", [0.0, 0.0, 0.0]), ("mean-colour-retrained", [0.0, 0.5, 0.0])):
        g = helper.make_graph(
            [helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
             helper.make_node("Flatten", ["pooled"], ["means"]),
             helper.make_node("Add", ["means", "bias"], ["logits"])],
            "mean_colour",
            [vi("image", "FP32", ["batch", 3, 64, 64])],
            [vi("logits", "FP32", ["batch", 3])],
            [numpy_helper.from_array(np.array(bias, np.float32), "bias")],
        )
        model = helper.make_model(g, opset_imports=OPSET, producer_name="make-fixture-models.py")
        model.ir_version = IR_VERSION
        model.doc_string = f"logits = mean colour per channel + {bias}"
        model.metadata_props.add(key="class_names", value="red,green,blue")
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, os.path.join(OUT_DIR, name + ".onnx"))  # no expected file: its inputs are pictures


def main():
    """Builds every fixture, or only those named on the command line (`make-fixture-models.py image_detect`)."""
    os.makedirs(OUT_DIR, exist_ok=True)
    builds = (int64_offset, string_upper, bool_not, uint8_scale, fp64_square, two_inputs, fixed_shape,
              zipmap_classifier, identity_all_types, slow_matmul, text_to_number, groups_of_four, sequence_output, iris_reexport,
              missing_locale, image_conv, image_detect, mean_colour)
    wanted = sys.argv[1:]
    unknown = set(wanted) - {b.__name__ for b in builds}
    if unknown:
        print(f"unknown fixture(s): {', '.join(sorted(unknown))}; known: {', '.join(b.__name__ for b in builds)}", file=sys.stderr)
        return 2
    for build in builds:
        if not wanted or build.__name__ in wanted:
            build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
