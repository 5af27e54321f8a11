#!/usr/bin/env python3
"""Writes an ONNX file shaped like an Ultralytics YOLO detection export whose
output is a tensor the caller plants, for framewire's tests.

Reads a JSON spec on stdin:
  out       path of the .onnx file to write
  layout    "v8" (output [1, 4+nc, N]) or "v5" (output [1, N, 5+nc])
  size      input side S (N follows from it: the cells of strides 8, 16, 32,
            three times that for v5)
  dynamic   true: the input is declared [batch, 3, height, width]
  classes   nc
  names     list of class names, written as Ultralytics does: the str() of a
            dict {0: 'name', ...} in metadata_props["names"]; null for none
  boxes     [[anchor, cx, cy, w, h, class, score, objectness], ...] in input
            pixels; objectness is used by v5 only
The graph is images -> GlobalAveragePool -> Conv (zero weights, the planted
values as its bias) -> Reshape, so its output is the planted tensor whatever
the image, and both ONNX Runtime and OpenCV's DNN module run it.
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def cells(size):
    return sum(((size + s - 1) // s) ** 2 for s in (8, 16, 32))


def planted(spec):
    nc, n = spec["classes"], cells(spec["size"])
    if spec["layout"] == "v8":
        t = np.zeros((4 + nc, n), np.float32)
        for a, cx, cy, w, h, c, score, _ in spec["boxes"]:
            t[0:4, a] = (cx, cy, w, h)
            t[4 + c, a] = score
    else:
        t = np.zeros((3 * n, 5 + nc), np.float32)
        for a, cx, cy, w, h, c, score, obj in spec["boxes"]:
            t[a, 0:5] = (cx, cy, w, h, obj)
            t[a, 5 + c] = score
    return t


def graph(spec, t):
    s = spec["size"]
    dims = ["batch", 3, "height", "width"] if spec["dynamic"] else [1, 3, s, s]
    ch = t.size
    inits = [
        numpy_helper.from_array(np.zeros((ch, 3, 1, 1), np.float32), "w"),
        numpy_helper.from_array(t.reshape(-1), "b"),
        numpy_helper.from_array(np.array([1, *t.shape], np.int64), "shape"),
    ]
    nodes = [
        helper.make_node("GlobalAveragePool", ["images"], ["pooled"]),
        helper.make_node("Conv", ["pooled", "w", "b"], ["flat"], kernel_shape=[1, 1]),
        helper.make_node("Reshape", ["flat", "shape"], ["output0"]),
    ]
    inp = helper.make_tensor_value_info("images", TensorProto.FLOAT, dims)
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, *t.shape])
    return helper.make_graph(nodes, "planted_yolo", [inp], [out], inits)


def main():
    spec = json.load(sys.stdin)
    t = planted(spec)
    model = helper.make_model(graph(spec, t), opset_imports=[helper.make_opsetid("", 12)])
    model.ir_version = 7
    meta = {"stride": "32", "task": "detect", "imgsz": str([spec["size"], spec["size"]])}
    if spec.get("names") is not None:
        meta["names"] = str({i: n for i, n in enumerate(spec["names"])})
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    onnx.save(model, spec["out"])


if __name__ == "__main__":
    main()
