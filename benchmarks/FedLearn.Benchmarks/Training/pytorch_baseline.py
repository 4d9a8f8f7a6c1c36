#!/usr/bin/env python3
"""PyTorch baselines for `fedlearn-bench train --dp`: MLP 784-256-10 (ReLU) on Fashion-MNIST, one CPU thread.

Modes (examples/s, median of --repetitions timed runs, after a warm-up):
  sgd           ordinary minibatch SGD, fixed batches of --batch-size.
  opacus        DP-SGD with per-sample gradients materialised the Opacus way: forward/backward hooks keep each
                Linear layer's activations A and backprops D, grad_sample = einsum("ni,nj->nij", D, A); norms, clip
                factors, clipped sum einsum("n,n...->...", c, grad_sample), Gaussian noise, step.
  ghost         ghost clipping as in Li et al. 2022 (Opacus' fast gradient clipping): per-sample norms from the same
                hooks as ||a_i||^2 ||d_i||^2 + ||d_i||^2 without materialising per-sample gradients, then a second
                backward pass of sum_i c_i L_i for the clipped sum.
  ghost-bk      ghost norms plus the clipped sum from the stored A and D in one matmul per layer, (c*D)^T A
                ("book-keeping", Bu et al. 2023) -- the same arithmetic as FedLearn's DP graph.
DP modes use Poisson sampling (torch.rand(N) < q, as Opacus' UniformWithReplacementSampler) with q = batch/N, and
torch.normal noise (a non-cryptographic generator: Opacus' default; secure_mode needs torchcsprng).

Usage: python3 pytorch_baseline.py [--data DIR] [--batch-size 256] [--repetitions 5] [--modes sgd,opacus,ghost,ghost-bk]
       [--opacus-steps 15] [--json]
"""

import argparse
import gzip
import json
import os
import statistics
import time

# One thread everywhere: torch.set_num_threads covers OpenMP/MKL-DNN, but Debian's torch does its BLAS through
# OpenBLAS (libopenblas0-pthread), whose own pool must be limited before it loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CLIP = 1.0
SIGMA = 1.0
LR = 0.05


def load_idx(directory):
    def read(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                opener = gzip.open if path.endswith(".gz") else open
                with opener(path, "rb") as f:
                    return f.read()
        raise FileNotFoundError(os.path.join(directory, name))

    images = read("train-images-idx3-ubyte")
    labels = read("train-labels-idx1-ubyte")
    count = int.from_bytes(images[4:8], "big")
    x = np.frombuffer(images, dtype=np.uint8, offset=16).reshape(count, 784).astype(np.float32) / 255.0
    y = np.frombuffer(labels, dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.fc0 = torch.nn.Linear(784, 256)
        self.fc1 = torch.nn.Linear(256, 10)
        self.layers = [self.fc0, self.fc1]
        self.activations = {}
        self.backprops = {}
        self.capture = False
        for layer in self.layers:
            layer.register_forward_hook(self._forward_hook)
            layer.register_full_backward_hook(self._backward_hook)

    def _forward_hook(self, module, inputs, output):
        if self.capture:
            self.activations[module] = inputs[0].detach()

    def _backward_hook(self, module, grad_input, grad_output):
        if self.capture:
            self.backprops[module] = grad_output[0].detach()

    def forward(self, x):
        return self.fc1(F.relu(self.fc0(x)))


def sgd_step(model, x, y):
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(p.grad, alpha=-LR)


def per_example_backward(model, x, y):
    """Backward of the summed loss, so each row of D is that example's own loss gradient."""
    model.capture = True
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y, reduction="sum").backward()
    model.capture = False


def noisy_update(model, grads, expected_batch):
    with torch.no_grad():
        for p, g in zip(model.parameters(), grads):
            g = g + torch.normal(0.0, SIGMA * CLIP, size=g.shape)
            p.add_(g, alpha=-LR / expected_batch)


def ordered_grads(model, weight_and_bias):
    return [weight_and_bias[(layer, kind)] for layer in model.layers for kind in ("weight", "bias")]


def opacus_step(model, x, y, expected_batch):
    per_example_backward(model, x, y)
    samples = {}
    for layer in model.layers:
        a, d = model.activations[layer], model.backprops[layer]
        samples[(layer, "weight")] = torch.einsum("ni,nj->nij", d, a)
        samples[(layer, "bias")] = d
    sq = sum(g.reshape(g.shape[0], -1).pow(2).sum(1) for g in samples.values())
    factor = (CLIP / (sq.sqrt() + 1e-6)).clamp(max=1.0)
    sums = {key: torch.einsum("n,n...->...", factor, g) for key, g in samples.items()}
    noisy_update(model, ordered_grads(model, sums), expected_batch)


def ghost_factors(model):
    sq = 0
    for layer in model.layers:
        a, d = model.activations[layer], model.backprops[layer]
        sq = sq + (a.pow(2).sum(1) + 1.0) * d.pow(2).sum(1)
    return (CLIP / (sq.sqrt() + 1e-6)).clamp(max=1.0)


def ghost_step(model, x, y, expected_batch):
    per_example_backward(model, x, y)
    factor = ghost_factors(model)
    model.zero_grad(set_to_none=True)
    losses = F.cross_entropy(model(x), y, reduction="none")
    (losses * factor).sum().backward()
    noisy_update(model, [p.grad for p in model.parameters()], expected_batch)


def ghost_bk_step(model, x, y, expected_batch):
    per_example_backward(model, x, y)
    factor = ghost_factors(model)
    sums = {}
    for layer in model.layers:
        scaled = model.backprops[layer] * factor[:, None]
        sums[(layer, "weight")] = scaled.t() @ model.activations[layer]
        sums[(layer, "bias")] = scaled.sum(0)
    noisy_update(model, ordered_grads(model, sums), expected_batch)


def run_mode(mode, x, y, batch, steps):
    """Runs `steps` steps of `mode`; returns (examples processed, seconds)."""
    model = Mlp()
    n = x.shape[0]
    q = batch / n
    examples = 0
    start = time.perf_counter()
    if mode == "sgd":
        order = torch.randperm(n)
        for s in range(steps):
            idx = order[(s * batch) % n:(s * batch) % n + batch]
            sgd_step(model, x[idx], y[idx])
            examples += idx.shape[0]
    else:
        step = {"opacus": opacus_step, "ghost": ghost_step, "ghost-bk": ghost_bk_step}[mode]
        for _ in range(steps):
            idx = torch.nonzero(torch.rand(n) < q).squeeze(1)
            if idx.numel() == 0:
                continue
            step(model, x[idx], y[idx], batch)
            examples += idx.shape[0]
    return examples, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--modes", default="sgd,opacus,ghost,ghost-bk")
    parser.add_argument("--opacus-steps", type=int, default=15, help="steps per timed opacus run (an epoch takes minutes)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(1)
    x, y = load_idx(args.data)
    epoch_steps = -(-x.shape[0] // args.batch_size)
    results = {}
    for mode in args.modes.split(","):
        steps = args.opacus_steps if mode == "opacus" else epoch_steps
        run_mode(mode, x, y, args.batch_size, min(steps, 10))  # warm-up
        rates = []
        for _ in range(args.repetitions):
            examples, seconds = run_mode(mode, x, y, args.batch_size, steps)
            rates.append(examples / seconds)
        results[mode] = {"examples_per_second": statistics.median(rates), "steps_per_run": steps, "runs": rates}

    meta = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batch_size": args.batch_size,
            "repetitions": args.repetitions}
    if args.json:
        print(json.dumps({**meta, "modes": results}))
    else:
        print(f"torch {meta['torch']}, {meta['threads']} thread, MLP 784-256-10 relu, batch {args.batch_size}, "
              f"median of {args.repetitions} runs:")
        for mode, r in results.items():
            runs = ", ".join(f"{v:,.0f}" for v in r["runs"])
            print(f"  {mode:<9} {r['examples_per_second']:>10,.0f} examples/s  ({r['steps_per_run']} steps/run; runs: {runs})")


if __name__ == "__main__":
    main()
