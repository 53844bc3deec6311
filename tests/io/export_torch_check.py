#!/usr/bin/env python3
"""Checks the lab's model exports against the lab's own outputs, in PyTorch (safetensors) or in ONNX.

usage: export_torch_check.py LATENTLAB EXPORT_REFERENCE WORKDIR [torch|onnx]

For each test model (tests/io/export_test_util.h: MLPs of every kind the exporter maps, a small colour conv GAN with
upsampling, output padding and a spectral-normalised conv D) and the presets' conv networks (
dcgan-fashion, cdcgan-fashion (conditional G, D with label planes), conv-vae-fashion, infogan-fashion), each of its
parts, `latentlab export` writes the part and the test tool writes the lab's inputs and outputs for it.
  torch: PyTorch's nn.Sequential, built from the safetensors file's metadata and filled with
         load_state_dict(strict=True), in eval mode, must give the lab's outputs within 1e-5.
  onnx:  the .onnx file passes onnx.checker.check_model(full_check=True), shape inference gives its output shape, its
         metadata equals the safetensors file's, and a NumPy evaluation (float64) of exactly the nodes the lab emits
         gives the lab's outputs within 1e-5.
The same for a gan-ring8 checkpoint trained by `latentlab train`. Exits 77 (skipped) when the mode's Python module
(python3-torch, or python3-onnx) is not installed.
"""
import json
import os
import struct
import subprocess
import sys

MODE = sys.argv[4] if len(sys.argv) > 4 else "torch"
try:
    import numpy as np
    if MODE == "torch":
        import torch
    else:
        import onnx
        import onnx.checker
        import onnx.helper
        import onnx.numpy_helper
        import onnx.shape_inference
except ImportError as e:
    package = "python3-torch" if MODE == "torch" else "python3-onnx"
    print("SKIP: %s (apt-get install %s); the export is not checked in %s" % (e, package, MODE))
    sys.exit(77)

TOLERANCE = 1e-5

# (checkpoint name for export_reference, parts): the test models, then presets.
MODELS = [
    ("gan-image", ["generator", "discriminator"]),
    ("gan-toy-hinge", ["generator", "discriminator"]),
    ("vae-image", ["decoder", "encoder"]),
    ("vae-toy-gaussian", ["decoder", "encoder"]),
    ("gan-conv-colour", ["generator", "discriminator"]),
    ("dcgan-fashion", ["generator", "discriminator"]),
    ("cdcgan-fashion", ["generator", "discriminator"]),
    ("conv-vae-fashion", ["decoder", "encoder"]),
    ("infogan-fashion", ["generator", "discriminator"]),
]


def read_safetensors(path):
    """name -> (dtype, shape, bytes), and the metadata, of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    return {name: (t["dtype"], t["shape"], data[t["data_offsets"][0]:t["data_offsets"][1]])
            for name, t in header.items()}, meta


def numpy_tensors(path):
    tensors, meta = read_safetensors(path)
    return {name: np.frombuffer(raw, dtype="<f4").reshape(shape) for name, (_, shape, raw) in tensors.items()}, meta


if MODE == "torch":
    # --- the loader shown in README.md ("Exporting models") ---
    def load_safetensors(path):
        """The tensors (name -> torch.Tensor: float32; int64 num_batches_tracked) and metadata of a safetensors file."""
        with open(path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        meta = header.pop("__metadata__", {})
        dtypes = {"F32": torch.float32, "I64": torch.int64}
        tensors = {name: torch.frombuffer(bytearray(raw[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][1]]),
                                          dtype=dtypes[t["dtype"]]).reshape(t["shape"]) for name, t in header.items()}
        return tensors, meta

    def build_sequential(meta):
        """The nn.Sequential the lab's layer list describes: [["Linear", {"in_features": 8, ...}], ["ReLU", {}]]."""
        layers = json.loads(meta["latentlab_layers"])
        return torch.nn.Sequential(*[getattr(torch.nn, kind)(**kwargs) for kind, kwargs in layers])
    # --- end of the README's loader ---


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("FAILED: " + " ".join(cmd) + "\n" + result.stdout + result.stderr)
    return result.stdout


def to_nchw(flat, shape, meta):
    """The lab's batch-first rows (channels-last images, [x; label]) in the exported network's layout."""
    if len(shape) == 1:
        return flat
    c, h, w = shape
    if meta.get("latentlab_label_planes") == "1":
        # flat holds the image (h w image_c) then the k label values, and c = image_c + k planes.
        image_c = (flat.shape[1] - c) // (h * w - 1)
        k = c - image_c
        x = flat[:, :h * w * image_c].reshape(-1, h, w, image_c).transpose(0, 3, 1, 2)
        y = flat[:, h * w * image_c:]
        assert y.shape[1] == k, (y.shape, k)
        planes = np.broadcast_to(y[:, :, None, None], (flat.shape[0], k, h, w))
        return np.concatenate([x, planes], axis=1)
    return flat.reshape(-1, h, w, c).transpose(0, 3, 1, 2)


# --- a NumPy interpreter of exactly the ONNX nodes the lab writes (float64) ---
def conv(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, ho, wo))
    for ky in range(k):
        for kx in range(k):
            window = xp[:, :, ky:ky + stride * ho:stride, kx:kx + stride * wo:stride]
            y += np.einsum("nchw,oc->nohw", window, w[:, :, ky, kx])
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def conv_transpose(x, w, b, stride, pad, output_pad):
    n, c, h, wd = x.shape
    _, o, k, _ = w.shape
    full_h, full_w = (h - 1) * stride + k + output_pad, (wd - 1) * stride + k + output_pad
    y = np.zeros((n, o, full_h, full_w))
    for ky in range(k):
        for kx in range(k):
            y[:, :, ky:ky + stride * h:stride, kx:kx + stride * wd:stride] += np.einsum("nchw,co->nohw", x,
                                                                                      w[:, :, ky, kx])
    ho, wo = full_h - 2 * pad, full_w - 2 * pad
    y = y[:, :, pad:pad + ho, pad:pad + wo]
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def evaluate_onnx(model, x):
    values = {init.name: onnx.numpy_helper.to_array(init).astype(np.float64 if init.data_type == 1 else np.int64)
              for init in model.graph.initializer}
    values[model.graph.input[0].name] = x.astype(np.float64)
    for node in model.graph.node:
        a = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
        ins = [values[i] if i else None for i in node.input]
        v = ins[0]
        op = node.op_type
        if op == "Gemm":
            assert a == {"transB": 1}, a
            y = v @ ins[1].T + (ins[2] if len(ins) > 2 else 0)
        elif op == "Conv":
            assert a["kernel_shape"][0] == a["kernel_shape"][1] == ins[1].shape[2]
            assert len(set(a["pads"])) == 1 and len(set(a["strides"])) == 1
            y = conv(v, ins[1], ins[2] if len(ins) > 2 else None, a["strides"][0], a["pads"][0])
        elif op == "ConvTranspose":
            assert len(set(a["pads"])) == 1 and len(set(a["strides"])) == 1 and len(set(a["output_padding"])) == 1
            y = conv_transpose(v, ins[1], ins[2] if len(ins) > 2 else None, a["strides"][0], a["pads"][0],
                               a["output_padding"][0])
        elif op == "BatchNormalization":
            shape = (1, -1) + (1,) * (v.ndim - 2)
            scale, bias, mean, var = (t.reshape(shape) for t in ins[1:5])
            y = scale * (v - mean) / np.sqrt(var + np.float64(np.float32(a["epsilon"]))) + bias
        elif op == "Flatten":
            assert a["axis"] == 1
            y = v.reshape(v.shape[0], -1)
        elif op == "Reshape":
            shape = [v.shape[i] if d == 0 else d for i, d in enumerate(ins[1])]  # 0 copies the input's dimension
            y = v.reshape(shape)
        elif op == "Relu":
            y = np.maximum(v, 0)
        elif op == "LeakyRelu":
            y = np.where(v >= 0, v, np.float64(np.float32(a["alpha"])) * v)
        elif op == "Tanh":
            y = np.tanh(v)
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-v))
        elif op == "Softplus":
            y = np.logaddexp(0, v)
        elif op == "Identity":
            y = v
        elif op == "Resize":
            assert a["mode"] == b"nearest", a
            f = ins[2]
            assert f[0] == f[1] == 1 and f[2] == f[3] and f[2] == int(f[2])
            y = v.repeat(int(f[2]), axis=2).repeat(int(f[2]), axis=3)
        else:
            sys.exit("FAILED: the interpreter has no %s: the exporter writes a node the check does not know" % op)
        values[node.output[0]] = y
    return values[model.graph.output[0].name]
# --- end of the interpreter ---


def dims_of(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check_onnx(path, safetensors_meta):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 13, model.opset_import
    meta = {p.key: p.value for p in model.metadata_props}
    if meta != safetensors_meta:
        sys.exit("FAILED: %s: metadata_props differ from the safetensors metadata" % path)
    declared = dims_of(model.graph.output[0])
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model)
    stripped.graph.output[0].type.tensor_type.ClearField("shape")
    inferred = onnx.shape_inference.infer_shapes(stripped, strict_mode=True)
    found = dims_of(inferred.graph.output[0])
    # ONNX 1.12 infers a Resize (Upsample) of a symbolic batch as an unnamed symbolic dimension: still symbolic.
    resized = any(node.op_type == "Resize" for node in model.graph.node)
    batch_ok = found[0] == "batch" or (resized and isinstance(found[0], str) and found[0] != "")
    if found[1:] != declared[1:] or not batch_ok or declared[0] != "batch":
        sys.exit("FAILED: %s: shape inference gives %s, the graph declares %s" % (path, found, declared))
    return model


def check(latentlab, reference, ckpt, part, work, label, errors):
    stem = os.path.join(work, label.replace(" ", "-") + "-" + part)
    exported, ref = stem + ".safetensors", stem + ".reference.safetensors"
    run([latentlab, "export", "--checkpoint", ckpt, "--format", "safetensors", "--part", part, "--out", exported])
    run([reference, "outputs", ckpt, part, "16", ref])
    lab, _ = numpy_tensors(ref)
    _, meta = read_safetensors(exported)
    x = to_nchw(lab["input"], json.loads(meta["latentlab_input_shape"]), meta)
    expected = to_nchw(lab["output"], json.loads(meta["latentlab_output_shape"]), {})
    if MODE == "torch":
        state, meta = load_safetensors(exported)
        net = build_sequential(meta)
        net.load_state_dict(state, strict=True)  # every name and shape as PyTorch expects, none missing or extra
        net.eval()
        with torch.no_grad():
            out = net(torch.from_numpy(np.array(x, dtype=np.float32))).numpy()
        layers = len(net)
    else:
        onnx_path = stem + ".onnx"
        run([latentlab, "export", "--checkpoint", ckpt, "--format", "onnx", "--part", part, "--out", onnx_path])
        model = check_onnx(onnx_path, meta)
        out = evaluate_onnx(model, x)
        layers = len(model.graph.node)
        os.remove(onnx_path)
    for path in (exported, ref):
        os.remove(path)  # the presets' files are tens of MB each
    if out.shape != expected.shape:
        sys.exit("FAILED: %s %s: output %s, the lab's %s" % (label, part, out.shape, expected.shape))
    diff = float(np.abs(out - expected).max())
    scale = float(np.abs(expected).max())
    print("%-18s %-13s %2d layers, output %-16s max |%s - lab| = %.2e (outputs up to %.3f)"
          % (label, part, layers, tuple(out.shape), MODE, diff, scale))
    errors.append(diff)
    if not diff <= TOLERANCE:
        sys.exit("FAILED: %s %s differs by %g" % (label, part, diff))
    if not scale > 1e-3:
        sys.exit("FAILED: %s %s outputs are all near zero" % (label, part))


def main():
    latentlab, reference, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    print(MODE, torch.__version__ if MODE == "torch" else onnx.__version__)
    errors = []
    for name, parts in MODELS:
        ckpt = os.path.join(work, name + ".ckpt")
        run([reference, "checkpoint", name, ckpt])
        for part in parts:
            check(latentlab, reference, ckpt, part, work, name, errors)
        os.remove(ckpt)
    run([latentlab, "train", "--preset", "gan-ring8", "--steps", "30", "--out", os.path.join(work, "ring8")])
    for part in ["generator", "discriminator"]:
        check(latentlab, reference, os.path.join(work, "ring8", "final.ckpt"), part, work, "gan-ring8 trained", errors)
    print("OK: %d exports, max error %.2e" % (len(errors), max(errors)))


main()
