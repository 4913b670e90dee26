"""ImageNet-sized JPEGs from real photos, for bench/input-pipeline.sh.

Takes windows of 4:3 shape from each photo at a random scale between the 500x375 output and the
largest 4:3 window the photo holds, and shrinks each to 500x375 (never enlarges), saved at quality
90 with 4:2:0 chroma subsampling as most of ImageNet is. Deterministic for a given seed.
Usage: make_input_images.py OUT_DIR COUNT PHOTO...
"""
import random
import sys
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 500, 375


def main():
    out, count, photos = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    rng = random.Random(19)
    sources = [Image.open(p).convert("RGB") for p in photos]
    for i in range(count):
        photo = sources[i % len(sources)]
        largest = min(photo.width / WIDTH, photo.height / HEIGHT)
        scale = rng.uniform(1.0, largest)
        w, h = round(WIDTH * scale), round(HEIGHT * scale)
        left, top = rng.randint(0, photo.width - w), rng.randint(0, photo.height - h)
        window = photo.crop((left, top, left + w, top + h)).resize((WIDTH, HEIGHT), Image.LANCZOS)
        folder = out / f"class{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        window.save(folder / f"{i:05d}.jpg", quality=90, subsampling="4:2:0")


if __name__ == "__main__":
    main()
