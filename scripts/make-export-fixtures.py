#!/usr/bin/env python3
"""Build fixture models the way real export tools write them, for the "models as notebooks export them" tests.

Run from the repo root with Debian's Python (needs onnx, numpy, scikit-learn, pandas and torch):

    /usr/bin/python3 scripts/make-export-fixtures.py

skl2onnx is not installable here, so its graphs are built node by node exactly as skl2onnx writes them (ai.onnx.ml
LinearClassifier / TreeEnsembleClassifier / OneHotEncoder / LabelEncoder / Scaler / ZipMap, per-column DataFrame
inputs), from scikit-learn models trained for real; the fitted parameters are copied into the nodes, and the expected
outputs written beside each model are scikit-learn's own predict / predict_proba (the server tests check onnxruntime
agrees). The PyTorch ones go through torch.onnx.export. Deterministic: seeded, and byte-identical on re-runs.
"""
import json
import os
import sys

import numpy as np
import onnx
import pandas as pd
import torch
from onnx import TensorProto, helper, numpy_helper
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "test", "fixtures", "models")
OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
PRODUCER = "make-export-fixtures.py"


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def zipmap_output(name, key_type):
    """seq(map(key, float)): what skl2onnx declares for output_probability (onnx 1.12 has no map-type helper)."""
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = key_type
    map_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return helper.make_value_info(name, helper.make_sequence_type_proto(map_type))


def save(name, graph, cases=None, metadata=None, doc=""):
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name=PRODUCER)
    model.ir_version = 8
    model.doc_string = doc
    for k, v in (metadata or {}).items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    # onnx 1.12's strict shape inference cannot handle map types (ZipMap): the structural check only.
    onnx.checker.check_model(model)
    path = os.path.join(OUT_DIR, name + ".onnx")
    onnx.save(model, path)
    if cases is not None:
        with open(os.path.join(OUT_DIR, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump({"model": name + ".onnx", "source": "scikit-learn predict/predict_proba", "cases": cases}, f, indent=1)
            f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def tensor(datatype, array):
    a = np.asarray(array)
    data = [str(v) for v in a.reshape(-1)] if datatype == "BYTES" else [float(v) for v in a.reshape(-1)]
    return {"datatype": datatype, "shape": list(a.shape), "data": data}


def iris_split():
    iris = load_iris()
    rng = np.random.RandomState(0)
    order = rng.permutation(len(iris.target))
    train, test = order[:120], order[120:]
    return iris, train, test


# --------------------------------------------------------------------------- scikit-learn (skl2onnx layout)


def linear_classifier_iris():
    """LogisticRegression on iris, integer classes 0..2: LinearClassifier (SOFTMAX) -> Normalizer -> ZipMap(int64)."""
    iris, train, test = iris_split()
    X = iris.data.astype(np.float32)
    clf = LogisticRegression(max_iter=1000).fit(X[train], iris.target[train])
    nodes = [
        helper.make_node("LinearClassifier", ["X"], ["label", "probability_tensor"], domain="ai.onnx.ml",
                         name="LinearClassifier", coefficients=clf.coef_.astype(float).flatten().tolist(),
                         intercepts=clf.intercept_.astype(float).tolist(), multi_class=1, post_transform="SOFTMAX",
                         classlabels_ints=[int(c) for c in clf.classes_]),
        helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], domain="ai.onnx.ml", name="Normalizer", norm="L1"),
        helper.make_node("Cast", ["label"], ["output_label"], name="Cast", to=TensorProto.INT64),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", name="ZipMap",
                         classlabels_int64s=[int(c) for c in clf.classes_]),
    ]
    g = helper.make_graph(nodes, "ONNX(LogisticRegression)", [vi("X", TensorProto.FLOAT, [None, 4])],
                          [vi("output_label", TensorProto.INT64, [None]), zipmap_output("output_probability", TensorProto.INT64)])
    rows = X[test][:4]
    cases = [{"inputs": {"X": tensor("FP32", rows)},
              "outputs": {"output_label": tensor("INT64", clf.predict(rows)),
                          "output_probability": tensor("FP32", clf.predict_proba(rows))}}]
    for c in cases:
        c["outputs"]["output_label"]["data"] = [int(v) for v in c["outputs"]["output_label"]["data"]]
    save("sklearn-zipmap-int", g, cases, doc="LogisticRegression on iris, as skl2onnx converts it (zipmap=True)")


def tree_classifier_strings():
    """DecisionTreeClassifier on iris with string classes: TreeEnsembleClassifier -> ZipMap(strings)."""
    iris, train, test = iris_split()
    X = iris.data.astype(np.float32)
    y = np.array(iris.target_names)[iris.target]
    clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X[train], y[train])
    t = clf.tree_
    leaves = t.children_left == -1
    attrs = dict(
        nodes_treeids=[0] * t.node_count,
        nodes_nodeids=list(range(t.node_count)),
        nodes_featureids=[int(max(f, 0)) for f in t.feature],
        nodes_values=[float(v) if not leaf else 0.0 for v, leaf in zip(t.threshold, leaves)],
        nodes_modes=["LEAF" if leaf else "BRANCH_LEQ" for leaf in leaves],
        nodes_truenodeids=[int(max(c, 0)) for c in t.children_left],
        nodes_falsenodeids=[int(max(c, 0)) for c in t.children_right],
        nodes_missing_value_tracks_true=[0] * t.node_count,
        nodes_hitrates=[1.0] * t.node_count,
        class_treeids=[], class_nodeids=[], class_ids=[], class_weights=[],
        classlabels_strings=[str(c) for c in clf.classes_], post_transform="NONE",
    )
    for node in np.where(leaves)[0]:
        counts = t.value[node][0]
        for k, w in enumerate(counts / counts.sum()):
            attrs["class_treeids"].append(0)
            attrs["class_nodeids"].append(int(node))
            attrs["class_ids"].append(k)
            attrs["class_weights"].append(float(w))
    nodes = [
        helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain="ai.onnx.ml",
                         name="TreeEnsembleClassifier", **attrs),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", name="ZipMap",
                         classlabels_strings=[str(c) for c in clf.classes_]),
    ]
    g = helper.make_graph(nodes, "ONNX(DecisionTreeClassifier)", [vi("X", TensorProto.FLOAT, [None, 4])],
                          [vi("output_label", TensorProto.STRING, [None]), zipmap_output("output_probability", TensorProto.STRING)])
    rows = X[test][:4]
    cases = [{"inputs": {"X": tensor("FP32", rows)},
              "outputs": {"output_label": tensor("BYTES", clf.predict(rows)),
                          "output_probability": tensor("FP32", clf.predict_proba(rows))}}]
    save("sklearn-zipmap-strings", g, cases, doc="DecisionTreeClassifier on iris with string classes, as skl2onnx converts it")


def churn_frame(n, seed):
    """A small customer table: two numeric columns and two categorical ones, churn depending on all four."""
    rng = np.random.RandomState(seed)
    contract = rng.choice(["month-to-month", "one year", "two year"], size=n, p=[0.55, 0.25, 0.2])
    payment = rng.choice(["bank transfer", "credit card", "electronic check", "mailed check"], size=n)
    low = {"month-to-month": 0, "one year": 6, "two year": 12}
    high = {"month-to-month": 36, "one year": 60, "two year": 72}
    tenure = np.array([rng.uniform(low[c], high[c]) for c in contract]).round(0)
    charges = np.clip(rng.normal(65, 25, size=n), 20, 120).round(2)
    z = (-0.5 + 1.8 * (contract == "month-to-month") - 1.0 * (contract == "two year") - 0.06 * tenure
         + 0.025 * (charges - 65) + 0.8 * (payment == "electronic check"))
    churn = rng.uniform(size=n) < 1 / (1 + np.exp(-z))
    frame = pd.DataFrame({"tenure_months": tenure.astype(np.float32), "monthly_charges": charges.astype(np.float32),
                          "contract": contract, "payment_method": payment})
    return frame, np.where(churn, "churns", "stays")


def dataframe_pipeline():
    """A DataFrame pipeline as skl2onnx converts it: one input per column; numeric columns Concat -> Scaler; the
    contract column Gather -> OneHotEncoder(cats_strings) -> Concat -> Reshape; the payment column (an OrdinalEncoder)
    LabelEncoder(keys_strings) -> Cast; all Concat -> LinearClassifier (binary, LOGISTIC) -> ZipMap(strings)."""
    frame, y = churn_frame(800, seed=1)
    train, test = frame.iloc[:640], frame.iloc[640:]
    numeric = ["tenure_months", "monthly_charges"]
    pipe = Pipeline([
        ("columns", ColumnTransformer([
            ("num", StandardScaler(), numeric),
            ("contract", OneHotEncoder(), ["contract"]),
            ("payment", OrdinalEncoder(), ["payment_method"]),
        ])),
        ("classifier", LogisticRegression(max_iter=1000)),
    ]).fit(train, y[:640])
    scaler = pipe.named_steps["columns"].named_transformers_["num"]
    ohe = pipe.named_steps["columns"].named_transformers_["contract"]
    ordinal = pipe.named_steps["columns"].named_transformers_["payment"]
    clf = pipe.named_steps["classifier"]
    contract_cats = [str(c) for c in ohe.categories_[0]]
    payment_cats = [str(c) for c in ordinal.categories_[0]]
    coef = clf.coef_.astype(float).flatten().tolist()
    intercept = clf.intercept_.astype(float).tolist()
    nodes = [
        helper.make_node("Concat", numeric, ["merged_columns"], name="Concat", axis=1),
        helper.make_node("Scaler", ["merged_columns"], ["variable"], domain="ai.onnx.ml", name="Scaler",
                         offset=scaler.mean_.astype(float).tolist(), scale=(1 / scaler.scale_).astype(float).tolist()),
        helper.make_node("Gather", ["contract", "contract_index"], ["contract0"], name="Gather", axis=1),
        helper.make_node("OneHotEncoder", ["contract0"], ["contract0out"], domain="ai.onnx.ml", name="OneHotEncoder",
                         cats_strings=contract_cats, zeros=0),
        helper.make_node("Concat", ["contract0out"], ["concat_result"], name="Concat1", axis=-1),
        helper.make_node("Reshape", ["concat_result", "shape_tensor"], ["variable1"], name="Reshape"),
        helper.make_node("LabelEncoder", ["payment_method"], ["payment_codes"], domain="ai.onnx.ml", name="LabelEncoder",
                         keys_strings=payment_cats, values_int64s=list(range(len(payment_cats))), default_int64=-1),
        helper.make_node("Cast", ["payment_codes"], ["variable2"], name="Cast", to=TensorProto.FLOAT),
        helper.make_node("Concat", ["variable", "variable1", "variable2"], ["transformed_column"], name="Concat2", axis=1),
        helper.make_node("LinearClassifier", ["transformed_column"], ["label", "probabilities"], domain="ai.onnx.ml",
                         name="LinearClassifier", coefficients=[-c for c in coef] + coef,
                         intercepts=[-b for b in intercept] + intercept, multi_class=0, post_transform="LOGISTIC",
                         classlabels_strings=[str(c) for c in clf.classes_]),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", name="ZipMap",
                         classlabels_strings=[str(c) for c in clf.classes_]),
    ]
    inputs = [vi(c, TensorProto.FLOAT, [None, 1]) for c in numeric] + [
        vi("contract", TensorProto.STRING, [None, 1]), vi("payment_method", TensorProto.STRING, [None, 1])]
    g = helper.make_graph(nodes, "pipeline_churn", inputs,
                          [vi("output_label", TensorProto.STRING, [None]), zipmap_output("output_probability", TensorProto.STRING)],
                          [numpy_helper.from_array(np.array([0], dtype=np.int64), "contract_index"),
                           numpy_helper.from_array(np.array([-1, len(contract_cats)], dtype=np.int64), "shape_tensor")])
    rows = test.iloc[:5]
    column = lambda name, datatype: tensor(datatype, rows[[name]].to_numpy())
    cases = [{"inputs": {"tenure_months": column("tenure_months", "FP32"), "monthly_charges": column("monthly_charges", "FP32"),
                         "contract": column("contract", "BYTES"), "payment_method": column("payment_method", "BYTES")},
              "outputs": {"output_label": tensor("BYTES", pipe.predict(rows)),
                          "output_probability": tensor("FP32", pipe.predict_proba(rows))}}]
    save("sklearn-dataframe", g, cases, doc="A churn pipeline over a DataFrame (scaler, one-hot, ordinal, logistic regression), as skl2onnx converts it")
    accuracy = (pipe.predict(test) == y[640:]).mean()
    print(f"  churn pipeline held-out accuracy {accuracy:.3f}")
    # The training table, for the export helper's sidecar test (ranges, categories and examples from the data).
    frame.assign(churn=y).to_csv(os.path.join(OUT_DIR, "sklearn-dataframe.training.csv"), index=False)


def array_pipeline():
    """A ColumnTransformer over a plain matrix, as skl2onnx converts it: one input X [N, 3]; columns picked with
    ArrayFeatureExtractor; columns 0 and 2 through SimpleImputer (Imputer) and StandardScaler (Scaler), column 1 (an
    integer code) through OneHotEncoder (cats_int64s, after a Cast); LogisticRegression with integer classes."""
    from sklearn.impute import SimpleImputer
    rng = np.random.RandomState(4)
    n = 400
    X = np.column_stack([rng.normal(50, 10, n), rng.choice([1, 2, 3], n), rng.normal(3, 1, n)]).astype(np.float32)
    y = ((X[:, 0] - 50) / 10 + (X[:, 1] == 3) - (X[:, 2] - 3) + rng.normal(0, 0.5, n) > 0).astype(np.int64)
    pipe = Pipeline([
        ("columns", ColumnTransformer([
            ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), [0, 2]),
            ("code", OneHotEncoder(), [1]),
        ])),
        ("classifier", LogisticRegression(max_iter=1000)),
    ]).fit(X, y)
    num = pipe.named_steps["columns"].named_transformers_["num"]
    ohe = pipe.named_steps["columns"].named_transformers_["code"]
    clf = pipe.named_steps["classifier"]
    coef = clf.coef_.astype(float).flatten().tolist()
    intercept = clf.intercept_.astype(float).tolist()
    codes = [int(c) for c in ohe.categories_[0]]
    nodes = [
        helper.make_node("ArrayFeatureExtractor", ["X", "num_columns"], ["num_selected"], domain="ai.onnx.ml", name="ArrayFeatureExtractor"),
        helper.make_node("Imputer", ["num_selected"], ["imputed"], domain="ai.onnx.ml", name="Imputer",
                         imputed_value_floats=num.named_steps["impute"].statistics_.astype(float).tolist(), replaced_value_float=float("nan")),
        helper.make_node("Scaler", ["imputed"], ["variable"], domain="ai.onnx.ml", name="Scaler",
                         offset=num.named_steps["scale"].mean_.astype(float).tolist(),
                         scale=(1 / num.named_steps["scale"].scale_).astype(float).tolist()),
        helper.make_node("ArrayFeatureExtractor", ["X", "code_column"], ["code_selected"], domain="ai.onnx.ml", name="ArrayFeatureExtractor1"),
        helper.make_node("Cast", ["code_selected"], ["code_int"], name="Cast", to=TensorProto.INT64),
        helper.make_node("OneHotEncoder", ["code_int"], ["code_onehot"], domain="ai.onnx.ml", name="OneHotEncoder", cats_int64s=codes, zeros=0),
        helper.make_node("Reshape", ["code_onehot", "shape_tensor"], ["variable1"], name="Reshape"),
        helper.make_node("Concat", ["variable", "variable1"], ["transformed_column"], name="Concat", axis=1),
        helper.make_node("LinearClassifier", ["transformed_column"], ["output_label", "output_probability"], domain="ai.onnx.ml",
                         name="LinearClassifier", coefficients=[-c for c in coef] + coef, intercepts=[-b for b in intercept] + intercept,
                         multi_class=0, post_transform="LOGISTIC", classlabels_ints=[int(c) for c in clf.classes_]),
    ]
    g = helper.make_graph(nodes, "pipeline_array", [vi("X", TensorProto.FLOAT, [None, 3])],
                          [vi("output_label", TensorProto.INT64, [None]), vi("output_probability", TensorProto.FLOAT, [None, 2])],
                          [numpy_helper.from_array(np.array([0, 2], dtype=np.int64), "num_columns"),
                           numpy_helper.from_array(np.array([1], dtype=np.int64), "code_column"),
                           numpy_helper.from_array(np.array([-1, len(codes)], dtype=np.int64), "shape_tensor")])
    rows = X[:4]
    cases = [{"inputs": {"X": tensor("FP32", rows)},
              "outputs": {"output_label": tensor("INT64", pipe.predict(rows)), "output_probability": tensor("FP32", pipe.predict_proba(rows))}}]
    cases[0]["outputs"]["output_label"]["data"] = [int(v) for v in cases[0]["outputs"]["output_label"]["data"]]
    save("sklearn-array-pipeline", g, cases, doc="A ColumnTransformer over a matrix (imputer + scaler, one-hot of an integer code), as skl2onnx converts it with zipmap=False")


# --------------------------------------------------------------------------- PyTorch, and models nobody here wrote


class TinyConv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.head = torch.nn.Linear(4, 3)

    def forward(self, image):
        features = torch.relu(self.conv(image)).mean(dim=(2, 3))
        return self.head(features)


def torch_fixed_batch():
    """A Conv2d classifier exported with an example of 2 pictures and no dynamic axes: every dim fixed, batch 2."""
    torch.manual_seed(0)
    model = TinyConv().eval()
    path = os.path.join(OUT_DIR, "fixed-batch-conv.onnx")
    torch.onnx.export(model, torch.zeros(2, 3, 16, 16), path, input_names=["image"], output_names=["logits"], opset_version=17)
    m = onnx.load(path)
    m.ir_version = 8  # torch 1.13 writes IR 8 for opset 17 already; kept explicit for the fixture checks
    m.doc_string = "A Conv2d classifier exported with a fixed batch of 2 (torch.onnx.export without dynamic_axes)"
    p = m.metadata_props.add()
    p.key, p.value = "class_names", "red,green,blue"
    onnx.save(m, path)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


class TinyUNet(torch.nn.Module):
    """Encoder, decoder and a skip connection, as a segmentation model has: the upsampled features are concatenated
    with the full-size ones, so the picture's sides must be even (a 1x1 input fails in Concat)."""

    def __init__(self):
        super().__init__()
        self.enter = torch.nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.down = torch.nn.Conv2d(4, 4, kernel_size=3, stride=2, padding=1)
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.out = torch.nn.Conv2d(8, 1, kernel_size=1)

    def forward(self, image):
        skip = torch.relu(self.enter(image))
        deep = self.up(torch.relu(self.down(skip)))
        return torch.sigmoid(self.out(torch.cat([skip, deep], dim=1)))


def torch_unet_open_sides():
    """A fully-convolutional model exported with dynamic batch, height and width: every side is open."""
    torch.manual_seed(0)
    path = os.path.join(OUT_DIR, "unet-open-sides.onnx")
    torch.onnx.export(TinyUNet().eval(), torch.zeros(1, 3, 32, 32), path, input_names=["image"], output_names=["mask"],
                      dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"}, "mask": {0: "batch", 2: "height", 3: "width"}},
                      opset_version=17)
    m = onnx.load(path)
    m.doc_string = "A tiny U-Net (a skip connection concatenated after a stride-2 convolution and an upsample), sides open"
    onnx.save(m, path)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


class TinyEncoder(torch.nn.Module):
    """What a transformer takes when it is given embeddings rather than token ids: a sequence of 96-wide vectors."""

    def __init__(self):
        super().__init__()
        self.mix = torch.nn.Linear(96, 96)

    def forward(self, inputs_embeds):
        hidden = torch.tanh(self.mix(inputs_embeds))
        return hidden, hidden.mean(dim=1)


def torch_embeddings_sequence():
    """inputs_embeds FP32 [batch_size, sequence_length, 96]: two open dimensions in one input."""
    torch.manual_seed(0)
    path = os.path.join(OUT_DIR, "embeddings-sequence.onnx")
    torch.onnx.export(TinyEncoder().eval(), torch.zeros(1, 5, 96), path, input_names=["inputs_embeds"],
                      output_names=["last_hidden_state", "pooled"],
                      dynamic_axes={"inputs_embeds": {0: "batch_size", 1: "sequence_length"},
                                    "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooled": {0: "batch_size"}},
                      opset_version=17)
    m = onnx.load(path)
    m.doc_string = "A linear layer and tanh over a sequence of embeddings, and their mean (two open dimensions in one input)"
    onnx.save(m, path)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def colliding_dims():
    """Like the Silero VAD v5 export: unnamed dims in two inputs, which Model Preview names dim0, dim1... per input,
    so 'dim1' of `input` (samples) and 'dim1' of `state` (batch) collide although they mean different things."""
    g = helper.make_graph(
        [helper.make_node("ReduceMean", ["input"], ["output"], axes=[1], keepdims=1),
         helper.make_node("Mul", ["state", "half"], ["stateN"])],
        "colliding_dims",
        [vi("input", TensorProto.FLOAT, [None, None]), vi("state", TensorProto.FLOAT, [2, None, 128])],
        [vi("output", TensorProto.FLOAT, [None, 1]), vi("stateN", TensorProto.FLOAT, [2, None, 128])],
        [numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half")],
    )
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name=PRODUCER)
    model.ir_version = 8
    model.doc_string = "output = mean of each input row; stateN = state / 2 (unnamed dims, as in the Silero VAD v5 export)"
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT_DIR, "colliding-dims.onnx"))
    print("wrote test/fixtures/models/colliding-dims.onnx")


def external_data():
    """An iris-shaped MLP whose weights are in a separate file, as torch.onnx.export writes a model over 2 GB."""
    rng = np.random.RandomState(3)
    w1 = rng.normal(size=(4, 8)).astype(np.float32)
    w2 = rng.normal(size=(8, 3)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("MatMul", ["features", "w1"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
         helper.make_node("MatMul", ["r", "w2"], ["logits"])],
        "external_data",
        [vi("features", TensorProto.FLOAT, ["batch", 4])],
        [vi("logits", TensorProto.FLOAT, ["batch", 3])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")],
    )
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name=PRODUCER)
    model.ir_version = 8
    model.doc_string = "An iris-shaped MLP whose weights live in external-data.onnx.data"
    for k, v in {"feature_names": "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)",
                 "class_names": "setosa,versicolor,virginica"}.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    path = os.path.join(OUT_DIR, "external-data.onnx")
    data = os.path.join(OUT_DIR, "external-data.onnx.data")
    if os.path.exists(data):
        os.remove(data)  # onnx appends to an existing data file
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="external-data.onnx.data", size_threshold=0)
    x = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)
    logits = np.maximum(x @ w1, 0) @ w2
    with open(os.path.join(OUT_DIR, "external-data.expected.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "external-data.onnx", "cases": [{"inputs": {"features": tensor("FP32", x)},
                                                             "outputs": {"logits": tensor("FP32", logits)}}]}, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} + external-data.onnx.data")


def metadata_spellings():
    """Names as other exporters spell them: `features` as a JSON list, `id2label` as a JSON object (Hugging Face),
    doc strings on the input and the output."""
    g = helper.make_graph(
        [helper.make_node("MatMul", ["applicant", "w"], ["z"]), helper.make_node("Softmax", ["z"], ["probs"], axis=1)],
        "metadata_spellings",
        [helper.make_tensor_value_info("applicant", TensorProto.FLOAT, ["batch", 3], doc_string="The applicant's figures")],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 2], doc_string="Decision")],
        [numpy_helper.from_array(np.array([[0.1, -0.1], [0.002, -0.002], [0.5, -0.5]], dtype=np.float32), "w")],
    )
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name=PRODUCER)
    model.ir_version = 8
    model.doc_string = "A loan decision with its names spelled as other exporters spell them"
    for k, v in {"Features": '["age", "income", "credit score"]', "id2label": '{"0": "approve", "1": "reject"}'}.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT_DIR, "metadata-spellings.onnx"))
    print("wrote test/fixtures/models/metadata-spellings.onnx")


BUILDS = {
    "sklearn-zipmap-int": linear_classifier_iris, "sklearn-zipmap-strings": tree_classifier_strings,
    "sklearn-dataframe": dataframe_pipeline, "sklearn-array-pipeline": array_pipeline, "fixed-batch-conv": torch_fixed_batch,
    "unet-open-sides": torch_unet_open_sides, "embeddings-sequence": torch_embeddings_sequence, "colliding-dims": colliding_dims,
    "external-data": external_data, "metadata-spellings": metadata_spellings,
}


def main(names):
    """`make-export-fixtures.py [name...]`: build the named fixtures only (all without names)."""
    unknown = [n for n in names if n not in BUILDS]
    if unknown:
        print(f"unknown fixture(s): {', '.join(unknown)}; known: {', '.join(BUILDS)}", file=sys.stderr)
        return 2
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in names or BUILDS:
        BUILDS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
