"""Model Preview export helper: writes an ONNX model and the page settings Model Preview shows stakeholders.

    export_for_preview(model, "model.onnx", X_train, held_out=X_test, class_names=[...], units={...},
                       examples={"A boundary case": X_test.iloc[3]})

writes `model.onnx` (PyTorch through torch.onnx.export, with the column and class names in the model's metadata;
scikit-learn through skl2onnx, one input per DataFrame column) and `model.preview.json` beside it: a label per column,
units, the typical range of each numeric column and the categories of each text column (from the training data),
class names, and a few real examples from the held-out rows plus the named cases you pick.
`write_preview_sidecar(...)` writes only the `.preview.json`, for a model you exported yourself.

Plain Python: the standard library, plus pandas and the model's own library (torch or skl2onnx), imported only when
used. Inserted by Model Preview's "Insert export cell" command; the file is model_preview_export.py in its repository.
"""
import json
import math
import os
import sys

HELPER_VERSION = 1
MAX_CHOICES = 50


def export_for_preview(model, path, data, *, held_out=None, class_names=None, units=None, examples=None,
                       n_examples=4, title=None, description=None, input_name="features", output_name=None,
                       opset=17):
    """Exports `model` to `path` (an .onnx file) and writes its `.preview.json` beside it; returns the two paths.

    model: a torch.nn.Module, or a fitted scikit-learn estimator or pipeline.
    data: the training features, a pandas DataFrame (its column names label the fields).
    held_out: held-out rows (a DataFrame with the same columns): `n_examples` of them become examples on the page.
    class_names: the name of each class, in the order of the model's outputs (scikit-learn: defaults to its classes_).
    units: {column: unit}, e.g. {"sepal length (cm)": "cm"}.
    examples: {name: row} boundary cases (a Series, a dict of column to value, or a list in column order).
    """
    frame = _as_frame(data)
    if _is_torch(model):
        output_name = output_name or ("scores" if class_names is not None else "prediction")
        _export_torch(model, path, frame, input_name, output_name, class_names, opset)
        inputs = {"kind": "vector", "name": input_name}
        outputs = {output_name: class_names}
    elif hasattr(model, "fit") and hasattr(model, "predict"):
        class_names = class_names if class_names is not None else _sklearn_classes(model)
        per_column = hasattr(model, "feature_names_in_") or not _all_numeric(frame)
        _export_sklearn(model, path, frame, per_column, "X" if input_name == "features" else input_name, opset)
        inputs = {"kind": "columns"} if per_column else {"kind": "vector", "name": "X" if input_name == "features" else input_name}
        outputs = {"output_probability": class_names} if class_names is not None else {}
    else:
        raise TypeError(f"export_for_preview exports PyTorch modules and scikit-learn models, not {type(model).__name__}")
    sidecar = _write_sidecar(path, frame, inputs, outputs, held_out, units, examples, n_examples, title, description)
    return path, sidecar


def write_preview_sidecar(path, data, *, input_name=None, output_name=None, held_out=None, class_names=None,
                          units=None, examples=None, n_examples=4, title=None, description=None):
    """Writes only `<path without .onnx>.preview.json` for a model already exported to `path`.

    input_name: None when the model has one input per DataFrame column (skl2onnx's conversion of a DataFrame);
    else the name of its one vector input ([batch, columns]).
    output_name: the output the class names belong to (skl2onnx: "output_probability").
    """
    frame = _as_frame(data)
    inputs = {"kind": "columns"} if input_name is None else {"kind": "vector", "name": input_name}
    outputs = {output_name or "output_probability": class_names} if class_names is not None else {}
    return _write_sidecar(path, frame, inputs, outputs, held_out, units, examples, n_examples, title, description)


# --------------------------------------------------------------------------------------------- exporting


def _is_torch(model):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def _export_torch(model, path, frame, input_name, output_name, class_names, opset):
    import torch

    non_numeric = [c for c in frame.columns if not _is_numeric(frame[c])]
    if non_numeric:
        raise ValueError(f"a PyTorch model takes numbers; encode these columns first: {', '.join(map(str, non_numeric))}")
    model.eval()
    example = torch.tensor(frame.iloc[:1].to_numpy(dtype="float32"))
    torch.onnx.export(model, example, path, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}}, opset_version=opset)
    metadata = {"feature_names": json.dumps([str(c) for c in frame.columns])}
    if class_names is not None:
        metadata["class_names"] = json.dumps([str(c) for c in class_names])
    _append_metadata(path, metadata)


def _export_sklearn(model, path, frame, per_column, input_name, opset):
    try:
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import FloatTensorType, Int64TensorType, StringTensorType
    except ImportError:
        raise RuntimeError(
            f"Exporting a scikit-learn model needs skl2onnx, which this Python ({sys.executable}) does not have. "
            "Install it (pip install skl2onnx) and run this cell again; nothing was written. "
            "If you export the model yourself, write_preview_sidecar(path, data, ...) writes the page settings for it."
        ) from None
    if per_column:
        def tensor_type(column):
            if _is_numeric(column) and str(column.dtype).startswith(("int", "uint")):
                return Int64TensorType([None, 1])
            return FloatTensorType([None, 1]) if _is_numeric(column) else StringTensorType([None, 1])
        initial_types = [(str(name), tensor_type(frame[name])) for name in frame.columns]
    else:
        initial_types = [(input_name, FloatTensorType([None, frame.shape[1]]))]
    onnx_model = convert_sklearn(model, initial_types=initial_types, target_opset=opset)
    with open(path, "wb") as f:
        f.write(onnx_model.SerializeToString())
    if not per_column:
        _append_metadata(path, {"feature_names": json.dumps([str(c) for c in frame.columns])})


def _varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _append_metadata(path, entries):
    """Adds metadata_props to an .onnx file without the onnx package: a protobuf message may be extended by
    appending fields, and metadata_props is ModelProto field 14 (a repeated {key: 1, value: 2} message)."""
    blob = bytearray()
    for key, value in entries.items():
        entry = b""
        for number, text in ((1, key), (2, value)):
            raw = text.encode("utf-8")
            entry += bytes([(number << 3) | 2]) + _varint(len(raw)) + raw
        blob += bytes([(14 << 3) | 2]) + _varint(len(entry)) + entry
    with open(path, "ab") as f:
        f.write(bytes(blob))


def _sklearn_classes(model):
    classes = getattr(model, "classes_", None)
    return [str(c) for c in classes] if classes is not None else None


# --------------------------------------------------------------------------------------------- the sidecar


def _as_frame(data):
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    frame = pd.DataFrame(data)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _is_numeric(column):
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _all_numeric(frame):
    return all(_is_numeric(frame[c]) for c in frame.columns)


def _number(value):
    """A float for JSON (NaN and infinities are not JSON), 4 significant digits for ranges people read."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return float(f"{value:.4g}") if value != int(value) else int(value)


def _field(frame, column, units):
    """A column's field: its label, unit, typical range from describe(), median to start with, or its categories."""
    series = frame[column]
    field = {"label": str(column)}
    if units and column in units:
        field["unit"] = str(units[column])
    if _is_numeric(series):
        stats = series.describe()
        for key, stat in (("min", "min"), ("max", "max"), ("default", "50%")):
            value = _number(stats[stat])
            if value is not None:
                field[key] = value
    else:
        categories = sorted({str(v) for v in series.dropna().unique()})
        if 0 < len(categories) <= MAX_CHOICES:
            field["choices"] = categories
            most_common = series.dropna().astype(str).mode()
            if len(most_common) > 0:
                field["default"] = str(most_common.iloc[0])
    return field


def _row_values(frame, row):
    """A row (Series, dict or list in column order) as {column: value}."""
    if hasattr(row, "to_dict"):
        row = row.to_dict()
    if isinstance(row, dict):
        return {str(c): row[c] for c in frame.columns}
    return {str(c): v for c, v in zip(frame.columns, list(row))}


def _json_value(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    return _number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _example(frame, name, row, inputs):
    values = {c: _json_value(v) for c, v in _row_values(frame, row).items()}
    if inputs["kind"] == "columns":
        return {"name": str(name), "inputs": {c: [[v]] for c, v in values.items()}}
    return {"name": str(name), "inputs": {inputs["name"]: [[values[str(c)] for c in frame.columns]]}}


def _write_sidecar(path, frame, inputs, outputs, held_out, units, examples, n_examples, title, description):
    sidecar = {}
    if title:
        sidecar["title"] = str(title)
    if description:
        sidecar["description"] = str(description)
    fields = [_field(frame, c, units) for c in frame.columns]
    if inputs["kind"] == "columns":
        sidecar["inputs"] = {str(c): f for c, f in zip(frame.columns, fields)}
    else:
        sidecar["inputs"] = {inputs["name"]: {"kind": "vector", "fields": fields}}
    named_outputs = {name: {"classNames": [str(c) for c in names]} for name, names in outputs.items() if names is not None}
    if named_outputs:
        sidecar["outputs"] = named_outputs
    chosen = [_example(frame, name, row, inputs) for name, row in (examples or {}).items()]
    if held_out is not None:
        rows = _as_frame(held_out)
        for i in range(min(n_examples, len(rows))):
            chosen.append(_example(frame, f"Held-out example {i + 1}", rows.iloc[i], inputs))
    if chosen:
        sidecar["examples"] = chosen[:50]
    target = os.path.splitext(path)[0] + ".preview.json"
    with open(target, "w", encoding="utf-8") as f:
        json.dump(sidecar, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return target
