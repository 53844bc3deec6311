#!/usr/bin/env python3
"""Loads the lab's safetensors exports into PyTorch and checks that they reproduce the lab's own outputs.

usage: export_torch_check.py LATENTLAB EXPORT_REFERENCE WORKDIR

For each test model (tests/io/export_test_util.h) and each of its parts: `latentlab export` writes the part, the
test tool writes the lab's inputs and outputs for it, and PyTorch's nn.Sequential, built from the file's metadata and
filled with load_state_dict(strict=True), must give the same outputs within 1e-5. The same for a gan-ring8 checkpoint
trained by `latentlab train`. Exits 77 (skipped) when python3-torch is not installed.
"""
import json
import os
import struct
import subprocess
import sys

try:
    import torch
except ImportError:
    print("SKIP: python3-torch is not installed (apt-get install python3-torch); the export is not checked in PyTorch")
    sys.exit(77)


# --- the loader shown in README.md ("Exporting models") ---
def load_safetensors(path):
    """The tensors (name -> float32 torch.Tensor) and the metadata of a safetensors file, with no other package."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", t["dtype"]
        begin, end = t["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(t["shape"])
    return tensors, meta


def build_sequential(meta):
    """The nn.Sequential the lab's layer list describes: [["Linear", {"in_features": 8, ...}], ["ReLU", {}], ...]."""
    return torch.nn.Sequential(*[getattr(torch.nn, kind)(**kwargs) for kind, kwargs in json.loads(meta["latentlab_layers"])])
# --- end of the README's loader ---


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("FAILED: " + " ".join(cmd) + "\n" + result.stdout + result.stderr)
    return result.stdout


def check(latentlab, reference, ckpt, part, work, label):
    exported = os.path.join(work, label + "-" + part + ".safetensors")
    ref = os.path.join(work, label + "-" + part + ".reference.safetensors")
    run([latentlab, "export", "--checkpoint", ckpt, "--format", "safetensors", "--part", part, "--out", exported])
    run([reference, "outputs", ckpt, part, "16", ref])
    state, meta = load_safetensors(exported)
    net = build_sequential(meta)
    net.load_state_dict(state, strict=True)  # every name and shape as PyTorch expects, none missing or extra
    net.eval()
    lab, _ = load_safetensors(ref)
    with torch.no_grad():
        out = net(lab["input"])
    diff = (out - lab["output"]).abs().max().item()
    scale = lab["output"].abs().max().item()
    print("%-18s %-13s %2d layers, output %s, max |torch - lab| = %.2e (outputs up to %.3f)"
          % (label, part, len(net), tuple(out.shape), diff, scale))
    if not diff <= 1e-5:
        sys.exit("FAILED: %s %s differs by %g" % (label, part, diff))
    if not scale > 1e-3:
        sys.exit("FAILED: %s %s outputs are all near zero" % (label, part))


def main():
    latentlab, reference, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    print("torch", torch.__version__)
    parts = {"gan": ["generator", "discriminator"], "vae": ["decoder", "encoder"]}
    for name in ["gan-image", "gan-toy-hinge", "vae-image", "vae-toy-gaussian"]:
        ckpt = os.path.join(work, name + ".ckpt")
        run([reference, "checkpoint", name, ckpt])
        for part in parts[name[:3]]:
            check(latentlab, reference, ckpt, part, work, name)
    run([latentlab, "train", "--preset", "gan-ring8", "--steps", "30", "--out", os.path.join(work, "ring8")])
    for part in parts["gan"]:
        check(latentlab, reference, os.path.join(work, "ring8", "final.ckpt"), part, work, "gan-ring8 trained")
    print("OK")


main()
