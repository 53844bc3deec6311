#!/usr/bin/python3
"""PyTorch reference for `latentlab bench`: the very same models, optimisers and batch sizes, on the same data.

Run with Debian's python3-torch (apt-get install python3-torch libopenblas0-openmp):
    /usr/bin/python3 scripts/bench_pytorch.py [--model NAME] [--threads T] [--seconds S]
Prints one line per model in the format of `latentlab bench`, with impl=pytorch.
"""
import argparse
import gzip
import math
import os
import resource
import time

import numpy as np
import torch
import torch.nn as nn


def load_fashion(data_dir):
    path = os.path.join(data_dir, "train-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)


class Batches:
    """Seeded shuffled mini-batches from uint8 images, converted per batch like Latent Lab does."""

    def __init__(self, images, batch):
        self.images, self.batch, self.pos = images, batch, 0
        self.rng = np.random.default_rng(1)
        self.perm = self.rng.permutation(len(images))

    def next(self):
        if self.pos + self.batch > len(self.perm):
            self.perm, self.pos = self.rng.permutation(len(self.images)), 0
        idx = self.perm[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return torch.from_numpy(self.images[idx].astype(np.float32) / 255.0)


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 40))
        self.dec = nn.Sequential(nn.Linear(20, 512), nn.ReLU(), nn.Linear(512, 784))


def make_vae_step(images):
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = Batches(images, 128)

    def step():
        x = batches.next()
        h = model.enc(x)
        mu, logvar = h[:, :20], h[:, 20:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = model.dec(z)
        recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = 0.5 * torch.sum(mu * mu + logvar.exp() - 1 - logvar) / x.shape[0]
        loss = recon + kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def make_gan_step(sample_real, g, d, noise_dim, batch, lr, betas):
    og = torch.optim.Adam(g.parameters(), lr=lr, betas=betas)
    od = torch.optim.Adam(d.parameters(), lr=lr, betas=betas)
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def step():
        x = sample_real()
        z = torch.randn(batch, noise_dim)
        fake = g(z)
        d_loss = bce(d(x), ones) + bce(d(fake.detach()), zeros)
        od.zero_grad(set_to_none=True)
        d_loss.backward()
        od.step()
        # G's step: D's parameter gradients are not needed.
        for p in d.parameters():
            p.requires_grad_(False)
        g_loss = bce(d(g(torch.randn(batch, noise_dim))), ones)
        og.zero_grad(set_to_none=True)
        g_loss.backward()
        og.step()
        for p in d.parameters():
            p.requires_grad_(True)

    return step


def make_gan_mlp_step(images):
    g = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 784), nn.Sigmoid())
    d = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1))
    batches = Batches(images, 64)
    return make_gan_step(batches.next, g, d, 64, 64, 2e-4, (0.5, 0.999))


def make_gan_toy_step(_images):
    g = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
    d = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    centres = torch.tensor([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)])

    def ring8():
        k = torch.randint(0, 8, (256,))
        return centres[k] + 0.01 * torch.randn(256, 2)

    return make_gan_step(ring8, g, d, 2, 256, 1e-4, (0.5, 0.999))


MODELS = {"vae-mlp": make_vae_step, "gan-mlp": make_gan_mlp_step, "gan-toy": make_gan_toy_step}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="all")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--data", default=os.environ.get("LATENTLAB_DATA", "/usr/share/datasets/fashion-mnist"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = load_fashion(args.data)
    names = list(MODELS) if args.model == "all" else [args.model]
    for name in names:
        step = MODELS[name](images)
        warm_end = time.perf_counter() + min(1.0, args.seconds / 3)
        while time.perf_counter() < warm_end:
            step()
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            step()
            n += 1
        elapsed = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(f"BENCH impl=pytorch model={name} threads={args.threads} steps_per_s={n / elapsed:.1f} "
              f"ms_per_step={1000 * elapsed / n:.3f} peak_rss_mb={rss:.0f}", flush=True)


if __name__ == "__main__":
    main()
