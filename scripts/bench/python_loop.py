#!/usr/bin/python3
"""The loop a user would write instead of framewire: one Python process with
Debian's python3-opencv that reads a video, runs NanoDet-m through cv2.dnn,
decodes the boxes, applies NMS, draws them and writes one JPEG per frame.

Usage: python_loop.py VIDEO MODEL.onnx OUT_DIR [--labels coco.names] [--size 320] [--conf 0.4] [--nms 0.5]

framewire-bench (figure i) runs it against the framewire pipeline on the same
file and model. It prints one JSON line: frames, detections, seconds (the
loop only: interpreter start, imports and model load excluded) and fps.
"""
import argparse
import json
import os
import time

import cv2
import numpy as np

MEAN = np.array([103.53, 116.28, 123.675], np.float32)  # B, G, R
STD = np.array([57.375, 57.12, 58.395], np.float32)
STRIDES = (8, 16, 32)
BINS = 8


def load_labels(path):
    if path and os.path.exists(path):
        with open(path) as f:
            return [line.strip() for line in f if line.strip()]
    return [str(i) for i in range(80)]


def anchor_centres(size):
    """Per stride: the (N, 2) anchor centres in input pixels, row-major."""
    out = {}
    for s in STRIDES:
        n = size // s
        ys, xs = np.mgrid[0:n, 0:n]
        out[s] = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32) * s + (s - 1) / 2
    return out


def pair_outputs(outs, size):
    """Pairs the six outputs by shape: per stride, (scores (N,80), boxes (N,32))."""
    by_n = {}
    for o in outs:
        o = o.reshape(-1, o.shape[-1])
        by_n.setdefault(o.shape[0], {})[o.shape[1]] = o
    pairs = {}
    for s in STRIDES:
        p = by_n[(size // s) ** 2]
        pairs[s] = (p[80], p[4 * BINS])
    return pairs


def decode(outs, size, centres, conf, sx, sy):
    """Boxes (x, y, w, h in frame pixels), scores and classes above conf."""
    boxes, scores, classes = [], [], []
    for s, (cls, reg) in pair_outputs(outs, size).items():
        best = cls.argmax(1)
        score = cls[np.arange(len(cls)), best]
        keep = score > conf
        if not keep.any():
            continue
        d = reg[keep].reshape(-1, 4, BINS)
        d = np.exp(d - d.max(2, keepdims=True))
        d /= d.sum(2, keepdims=True)
        dist = (d * np.arange(BINS, dtype=np.float32)).sum(2) * s  # left, top, right, bottom
        c = centres[s][keep]
        x1, y1 = (c[:, 0] - dist[:, 0]) * sx, (c[:, 1] - dist[:, 1]) * sy
        x2, y2 = (c[:, 0] + dist[:, 2]) * sx, (c[:, 1] + dist[:, 3]) * sy
        boxes.append(np.stack([x1, y1, x2 - x1, y2 - y1], 1))
        scores.append(score[keep])
        classes.append(best[keep])
    if not boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def nms(boxes, scores, classes, conf, iou):
    """Per-class NMS: boxes of different classes are moved apart first."""
    if len(boxes) == 0:
        return []
    shifted = boxes.copy()
    shifted[:, :2] += classes[:, None] * 10000.0
    keep = cv2.dnn.NMSBoxes(shifted.tolist(), scores.tolist(), conf, iou)
    return np.array(keep).ravel().tolist()


def colour(cls):
    h = int((cls * 0.618033988749895 + 0.12) % 1 * 180)
    bgr = cv2.cvtColor(np.uint8([[[h, 217, 235]]]), cv2.COLOR_HSV2BGR)[0, 0]
    return tuple(int(v) for v in bgr)


def draw(frame, boxes, scores, classes, labels):
    short = min(frame.shape[:2])
    thick = max(1, round(short / 300))
    scale = max(0.4, short / 900)
    tthick = max(1, round(short / 600))
    for (x, y, w, h), sc, c in zip(boxes, scores, classes):
        x1, y1, x2, y2 = int(round(x)), int(round(y)), int(round(x + w)), int(round(y + h))
        col = colour(int(c))
        cv2.rectangle(frame, (x1, y1), (x2, y2), col, thick)
        text = "%s %.2f" % (labels[int(c)], sc)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, tthick)
        top = y1 - th - base - 2 if y1 - th - base - 2 >= 0 else y1
        cv2.rectangle(frame, (x1, top), (x1 + tw + 4, top + th + base + 2), col, -1)
        cv2.putText(frame, text, (x1 + 2, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (0, 0, 0), tthick, cv2.LINE_AA)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=320)
    ap.add_argument("--conf", type=float, default=0.4)
    ap.add_argument("--nms", type=float, default=0.5)
    ap.add_argument("--labels", help="class labels file, one a line (default: coco.names beside the model)")
    ap.add_argument("--frames", type=int, default=0, help="stop after this many frames (0 = all)")
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    labels = load_labels(a.labels or os.path.join(os.path.dirname(a.model), "coco.names"))
    net = cv2.dnn.readNet(a.model)
    names = net.getUnconnectedOutLayersNames()
    centres = anchor_centres(a.size)
    cap = cv2.VideoCapture(a.video)
    if not cap.isOpened():
        raise SystemExit("cannot open " + a.video)
    jpeg = [cv2.IMWRITE_JPEG_QUALITY, 90]
    mean = tuple(float(m) for m in MEAN)
    frames = dets = 0
    start = time.perf_counter()
    with open(os.path.join(a.out, "predictions.jsonl"), "w") as log:
        while a.frames == 0 or frames < a.frames:
            ok, frame = cap.read()
            if not ok:
                break
            fh, fw = frame.shape[:2]
            blob = cv2.dnn.blobFromImage(frame, 1.0, (a.size, a.size), mean, swapRB=False, crop=False)
            blob /= STD.reshape(1, 3, 1, 1)
            net.setInput(blob)
            outs = net.forward(names)
            boxes, scores, classes = decode(outs, a.size, centres, a.conf, fw / a.size, fh / a.size)
            keep = nms(boxes, scores, classes, a.conf, a.nms)
            boxes, scores, classes = boxes[keep], scores[keep], classes[keep]
            draw(frame, boxes, scores, classes, labels)
            cv2.imwrite(os.path.join(a.out, "%06d.jpg" % frames), frame, jpeg)
            log.write(json.dumps({"seq": frames, "detections": [
                {"label": labels[int(c)], "score": round(float(s), 4), "box": [round(float(v), 1) for v in b]}
                for b, s, c in zip(boxes, scores, classes)]}) + "\n")
            frames += 1
            dets += len(keep)
    secs = time.perf_counter() - start
    print(json.dumps({"frames": frames, "detections": dets, "seconds": round(secs, 3),
                      "fps": round(frames / secs, 2), "opencv": cv2.__version__,
                      "threads": cv2.getNumThreads()}))


if __name__ == "__main__":
    main()
