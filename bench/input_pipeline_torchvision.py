"""torchvision's ImageFolder + DataLoader with the SimCLR ImageNet augmentations, two views.

The reference for `trainer bench-input` (bench/input-pipeline.sh): the same images, batch, worker
count and augmentation settings (crop scale 0.08-1, flip 0.5, colour jitter 0.8 at strength 1,
greyscale 0.2, blur 0.5 with a kernel a tenth of the side), one libtorch thread per worker.
Prints one line in the trainer's format: wall-clock images/s, and images per CPU second of the
workers and the main process (the per-core cost, which a loaded machine does not distort).
"""
import argparse
import os
import time

import torch
import torchvision
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, image):
        return self.transform(image), self.transform(image)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--isa", default="?")
    args = parser.parse_args()
    torch.set_num_threads(1)
    s = 1.0
    size = args.image_size
    kernel = int(0.1 * size) // 2 * 2 + 1
    view = transforms.Compose([
        transforms.RandomResizedCrop(size, scale=(0.08, 1.0)),
        transforms.RandomHorizontalFlip(0.5),
        transforms.RandomApply([transforms.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        transforms.RandomGrayscale(0.2),
        transforms.RandomApply([transforms.GaussianBlur(kernel, sigma=(0.1, 2.0))], p=0.5),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    data = datasets.ImageFolder(args.root, transform=TwoViews(view))
    loader = DataLoader(data, batch_size=args.batch, shuffle=True, drop_last=True,
                        num_workers=args.workers, persistent_workers=args.workers > 0)
    needed = args.warmup + args.batches
    if len(loader) < needed:
        raise SystemExit(f"{len(loader)} batches in {args.root}, fewer than warmup + batches = {needed}")
    batches = iter(loader)
    for _ in range(args.warmup):
        next(batches)
    pids = [w.pid for w in getattr(batches, "_workers", [])]
    cpu_start = cpu_seconds(pids) + time.process_time()
    start = time.perf_counter()
    for _ in range(args.batches):
        next(batches)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds(pids) + time.process_time() - cpu_start
    images = args.batch * args.batches
    print(f"loader=torchvision-{torchvision.__version__} decoder=pil workers={max(1, args.workers)}"
          f" batch={args.batch} image={size} batches={args.batches} images_per_second={images / seconds:.1f}"
          f" images_per_cpu_second={images / cpu:.1f} isa={args.isa}")


def cpu_seconds(pids):
    """User + system CPU seconds of the worker processes so far (/proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


if __name__ == "__main__":
    main()
