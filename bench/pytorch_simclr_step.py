#!/usr/bin/python3
"""Reference for `trainer bench`: the same SimCLR training step in PyTorch, on this machine.

ResNet-18 with the CIFAR stem (3x3 stride-1 conv, no max-pool) + projection head
(512-512-128, BatchNorm), two views per image, NT-Xent loss, backward, SGD-momentum step.
Prints one line in the same format as `trainer bench`, so the two can be read side by side.
With --precision bf16 the forward runs under torch.autocast("cpu", torch.bfloat16), the loss in
fp32, as the trainer's trainer.precision=bf16 does.

    /usr/bin/python3 bench/pytorch_simclr_step.py --batch 128 --image-size 32 --steps 3 [--precision bf16]
"""
import contextlib
import argparse
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def encoder():
    net = torchvision.models.resnet18(num_classes=10)
    net.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
    net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    return net


def projection_head():
    return nn.Sequential(nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(inplace=True), nn.Linear(512, 128))


def nt_xent(z, temperature):
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    sim = z @ z.t() / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def allocator():
    """The malloc this process runs on, named as `trainer bench` names it."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = line.rsplit("/", 1)[-1]
            if name.startswith("libtcmalloc"):
                return "tcmalloc"
            if name.startswith("libjemalloc"):
                return "jemalloc"
    return "glibc"


LEVELS = ["pre-AVX2", "AVX2", "AVX-512", "AVX-512+BF16", "AVX-512+AMX"]


def isa():
    """oneDNN's instruction set, named as `trainer bench` names it (engine/CpuIsa.java)."""
    flags = set()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    if "avx512f" in flags:
        cpu = "AVX-512+AMX" if "amx_tile" in flags else "AVX-512+BF16" if "avx512_bf16" in flags else "AVX-512"
    else:
        cpu = "AVX2" if "avx2" in flags else "pre-AVX2"
    cap = (os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA") or "").strip().upper()
    if not cap or cap in ("ALL", "DEFAULT") or "AMX" in cap:
        return cpu
    if cap.startswith("AVX512") or cap.startswith("AVX10"):
        capped = "AVX-512+BF16" if "BF16" in cap or "FP16" in cap else "AVX-512"
    else:
        capped = "AVX2" if cap.startswith("AVX2") else "pre-AVX2"
    return capped + "(capped)" if LEVELS.index(capped) < LEVELS.index(cpu) else cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = nn.Sequential(encoder(), projection_head())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-6)
    views = torch.randn(2 * args.batch, 3, args.image_size, args.image_size)

    def autocast():
        if args.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def step():
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            projections = model(views)
        loss = nt_xent(projections.float(), 0.5)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "engine=pytorch-%s arch=resnet18 batch=%d image=%d steps=%d images_per_second=%.2f "
        "seconds_per_step=%.3f peak_rss_mib=%.0f allocator=%s isa=%s precision=%s"
        % (torch.__version__, args.batch, args.image_size, args.steps,
           args.batch * args.steps / elapsed, elapsed / args.steps, peak_mib, allocator(), isa(),
           args.precision)
    )


if __name__ == "__main__":
    main()
