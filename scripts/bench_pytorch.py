#!/usr/bin/python3
"""PyTorch side of scripts/bench.sh: the standard models of `latentlab bench`, written as a competent PyTorch user
writes a training loop (data preloaded as one float tensor, batches gathered by a shuffled index, no host
conversion or numpy in the step, no per-step .item()), with the same networks, losses, optimiser and batch as the
lab's models (core/models, app/cli_bench.cpp), plus the convolutional `dcgan` and `conv-vae` of issue 13.

Run with Debian's python3-torch (scripts/install-bench-deps.sh installs it and OpenBLAS):
    /usr/bin/python3 scripts/bench_pytorch.py [--model NAME|all] [--threads T] [--seconds S] [--window W]
Prints the BLAS this process runs on (the library that answers PyTorch's sgemm_, as mapped in /proc/self/maps) and
the thread counts, its OpenBLAS kernels and its malloc, then one line per model in the format of `latentlab bench`,
with impl=pytorch. The rate is the median over windows of W steps after a warm-up. Run it on tcmalloc or jemalloc
(LD_PRELOAD, as scripts/bench.sh does and PyTorch's CPU tuning guide advises): on glibc's malloc its steps are
several times slower (bench.sh, TORCH_MALLOC).
"""
import argparse
import ctypes
import gzip
import math
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------------------------
# What this process runs on


def mapped_libraries():
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and parts[5].startswith("/") and parts[5] not in paths:
                paths.append(parts[5])
    return paths


def blas_kind(path):
    real = os.path.realpath(path)
    for kind, key in (("openblas", "openblas"), ("blis", "blis"), ("mkl", "mkl"), ("reference", "/blas/"),
                      ("reference", "libblas")):
        if key in real:
            return kind
    return "unknown"


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p), ("dli_sname", ctypes.c_char_p),
                ("dli_saddr", ctypes.c_void_p)]


def loaded_blas():
    """(path, kind) of the library whose sgemm_ PyTorch's own library calls: the same lookup the dynamic linker did
    for libtorch_cpu (its dependency tree), then dladdr for the file. Several BLAS builds can be mapped at once (e.g.
    the reference libblas.so.3 beside OpenBLAS pulled in by liblapack.so.3): only the one that answers counts."""
    libs = mapped_libraries()
    torch_cpu = [p for p in libs if "libtorch_cpu" in os.path.basename(p)]
    try:
        handle = ctypes.CDLL(torch_cpu[0] if torch_cpu else None)
        address = ctypes.cast(handle.sgemm_, ctypes.c_void_p).value
        info = DlInfo()
        if ctypes.CDLL(None).dladdr(ctypes.c_void_p(address), ctypes.byref(info)) and info.dli_fname:
            path = os.path.realpath(info.dli_fname.decode())
            return path, blas_kind(path)
    except (OSError, AttributeError, IndexError):
        pass
    return "none", "none"


def blas_threads(path, kind, threads):
    """Sets OpenBLAS's own thread count to `threads` (its pthread build ignores torch.set_num_threads) and reads it
    back; None when the library has no such call."""
    if kind != "openblas":
        return None
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_set_num_threads(ctypes.c_int(threads))
        return lib.openblas_get_num_threads()
    except (OSError, AttributeError):
        return None


def blas_kernels(path, kind):
    """OpenBLAS's name for the kernels it runs ("Haswell", "SkylakeX"): it picks them by CPU model when it loads,
    unless OPENBLAS_CORETYPE says otherwise; None for another library."""
    if kind != "openblas":
        return None
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def allocator():
    """The malloc this process runs on: tcmalloc or jemalloc when one is mapped (bench.sh preloads one), else glibc."""
    for path in mapped_libraries():
        name = os.path.basename(path)
        for kind in ("tcmalloc", "jemalloc"):
            if kind in name:
                return kind
    return "glibc"


# ---------------------------------------------------------------------------------------------------------------
# Data, preloaded


def load_fashion(data_dir):
    """Fashion-MNIST training images as one (60000, 784) float tensor in [0, 1], like the lab's pixels."""
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                raw = f.read()
            images = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).view(-1, 784)
            return images.to(torch.float32).div_(255.0)
    raise SystemExit(f"bench_pytorch.py: no Fashion-MNIST training images in {data_dir} "
                     "(apt-get install dataset-fashion-mnist, or --data DIR)")


class Batches:
    """Shuffled mini-batches without replacement, a new permutation per epoch (as the lab's iterator)."""

    def __init__(self, data, batch, shape=None):
        self.data, self.batch, self.shape = data, batch, shape
        self.perm, self.pos = torch.randperm(len(data)), 0

    def next(self):
        if self.pos + self.batch > len(self.perm):
            self.perm, self.pos = torch.randperm(len(self.data)), 0
        x = self.data.index_select(0, self.perm[self.pos:self.pos + self.batch])
        self.pos += self.batch
        return x if self.shape is None else x.view(-1, *self.shape)


# ---------------------------------------------------------------------------------------------------------------
# Models


def vae_step(encoder, decoder, batches, latent, lr):
    """Bernoulli VAE step: loss = -E_q log p(x|z) + KL, both summed over dimensions and averaged over the batch
    (nn::BernoulliLogLikelihood, nn::GaussianKl); Adam (0.9, 0.999)."""
    opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=lr)

    def step():
        x = batches.next()
        h = encoder(x)
        mu, logvar = h[:, :latent], h[:, latent:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = decoder(z)
        n = x.shape[0]
        recon = F.binary_cross_entropy_with_logits(logits, x.view_as(logits), reduction="sum") / n
        kl = 0.5 * torch.sum(mu * mu + logvar.exp() - 1.0 - logvar) / n
        opt.zero_grad(set_to_none=True)
        (recon + kl).backward()
        opt.step()

    return step


def gan_step(g, d, sample_real, noise_dim, batch, lr, betas):
    """Non-saturating GAN step as the lab's Gan::TrainStep: one D update (real and fake as separate passes, G not
    differentiated), then one G update through a frozen D (no D parameter gradients)."""
    og = torch.optim.Adam(g.parameters(), lr=lr, betas=betas)
    od = torch.optim.Adam(d.parameters(), lr=lr, betas=betas)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    d_params = list(d.parameters())

    def step():
        x = sample_real()
        with torch.no_grad():
            fake = g(torch.randn(batch, noise_dim))
        d_loss = (F.binary_cross_entropy_with_logits(d(x), ones) +
                  F.binary_cross_entropy_with_logits(d(fake), zeros))
        od.zero_grad(set_to_none=True)
        d_loss.backward()
        od.step()
        for p in d_params:
            p.requires_grad_(False)
        g_loss = F.binary_cross_entropy_with_logits(d(g(torch.randn(batch, noise_dim))), ones)
        og.zero_grad(set_to_none=True)
        g_loss.backward()
        og.step()
        for p in d_params:
            p.requires_grad_(True)

    return step


def make_vae_mlp(data):
    # 784-512-(20 mu, 20 logvar), decoder 20-512-784 (logits), ReLU; Adam 1e-3; batch 128.
    enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 40))
    dec = nn.Sequential(nn.Linear(20, 512), nn.ReLU(), nn.Linear(512, 784))
    return vae_step(enc, dec, Batches(data, 128), 20, 1e-3)


def make_gan_mlp(data):
    # G 64-256-512-784 (LeakyReLU 0.2, sigmoid), D 784-512-256-1; Adam 2e-4 (0.5, 0.999); batch 64.
    g = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Sigmoid())
    d = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))
    return gan_step(g, d, Batches(data, 64).next, 64, 64, 2e-4, (0.5, 0.999))


def make_gan_toy(_data):
    # G 2-128-128-2, D 2-128-128-1 (ReLU) on the ring of 8 (radius 1, sd 0.01); Adam 1e-4 (0.5, 0.999); batch 256.
    g = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
    d = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    angles = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
    centres = torch.stack([angles.cos(), angles.sin()], dim=1)

    def ring8():
        return centres[torch.randint(0, 8, (256,))] + 0.01 * torch.randn(256, 2)

    return gan_step(g, d, ring8, 2, 256, 1e-4, (0.5, 0.999))


def make_dcgan(data):
    # Issue 13's dcgan: batch 64, z 64 ~ N(0, 1), non-saturating, Adam 2e-4 (0.5, 0.999).
    g = nn.Sequential(
        nn.Linear(64, 1024), nn.BatchNorm1d(1024), nn.ReLU(),
        nn.Linear(1024, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),     # 64 x 14 x 14
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid())                       # 1 x 28 x 28
    d = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),                           # 64 x 14 x 14
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),    # 128 x 7 x 7
        nn.Flatten(),
        nn.Linear(128 * 7 * 7, 1024), nn.BatchNorm1d(1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 1))
    return gan_step(g, d, Batches(data, 64, (1, 28, 28)).next, 64, 64, 2e-4, (0.5, 0.999))


def make_conv_vae(data):
    # Issue 13's conv-vae: batch 128, Bernoulli, Adam 1e-3, latent 20.
    enc = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),                                   # 32 x 14 x 14
        nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),                                  # 64 x 7 x 7
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, 40))
    dec = nn.Sequential(
        nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),                         # 32 x 14 x 14
        nn.ConvTranspose2d(32, 1, 4, 2, 1))                                     # 1 x 28 x 28, logits
    return vae_step(enc, dec, Batches(data, 128, (1, 28, 28)), 20, 1e-3)


MODELS = {"vae-mlp": make_vae_mlp, "gan-mlp": make_gan_mlp, "gan-toy": make_gan_toy,
          "dcgan": make_dcgan, "conv-vae": make_conv_vae}
NEEDS_IMAGES = {"vae-mlp", "gan-mlp", "dcgan", "conv-vae"}


def measure(step, seconds, window):
    """Median steps/s over windows of `window` steps after a warm-up (a third of the time, at most 2 s)."""
    warm_end = time.perf_counter() + min(2.0, max(0.5, seconds / 3))
    while time.perf_counter() < warm_end:
        step()
    rates, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds or len(rates) < 3:
        t0 = time.perf_counter()
        for _ in range(window):
            step()
        rates.append(window / (time.perf_counter() - t0))
    return statistics.median(rates), time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="all", help="|".join(MODELS) + "|all (all: the three MLP models)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--window", type=int, default=0, help="steps per timing window (default: by model)")
    ap.add_argument("--data", default=os.environ.get("LATENTLAB_DATA", "/usr/share/datasets/fashion-mnist"))
    args = ap.parse_args()
    names = ["vae-mlp", "gan-mlp", "gan-toy"] if args.model == "all" else args.model.split(",")
    for name in names:
        if name not in MODELS:
            raise SystemExit(f"bench_pytorch.py: unknown model '{name}' (known: {', '.join(MODELS)}, all)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    data = load_fashion(args.data) if NEEDS_IMAGES & set(names) else None
    path, kind = loaded_blas()
    bt = blas_threads(path, kind, args.threads)
    kernels = blas_kernels(path, kind)
    print(f"PYTORCH version={torch.__version__} torch_threads={torch.get_num_threads()} blas={kind} "
          f"blas_threads={bt if bt is not None else 'n/a'} blas_kernels={kernels or 'n/a'} "
          f"onednn={torch.backends.mkldnn.is_available()} malloc={allocator()} blas_path={path}", flush=True)
    for name in names:
        step = MODELS[name](data)
        window = args.window or (10 if name in ("dcgan", "conv-vae") else 50 if name == "gan-toy" else 20)
        rate, elapsed = measure(step, args.seconds, window)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"BENCH impl=pytorch model={name} threads={args.threads} steps_per_s={rate:.1f} "
              f"ms_per_step={1000 / rate:.3f} blas={kind} peak_rss_mb={rss:.0f}", flush=True)


if __name__ == "__main__":
    main()
