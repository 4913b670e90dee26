"""PyTorch modules for encoders exported by `trainer export` (see docs/export.md).

Needs torch and torchvision only. Each builder returns a module whose state_dict has exactly the
tensor names of the exported file, so `load_state_dict(..., strict=True)` takes it as is:

    model, metadata = encoder_from_file("encoder.safetensors")
    features = model(normalise(images, metadata))   # images: (B, 3, H, W) floats in [0, 1]
"""
import json
import struct

import numpy as np
import torch
import torchvision
from torch import nn

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "F16": np.dtype("<f2"),
           "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "U8": np.dtype("u1")}


def load_safetensors(path):
    """(state_dict, metadata) of a safetensors file, with the checks of the reference reader.

    Where the `safetensors` package is installed, `safetensors.torch.load_file(path)` and
    `safetensors.safe_open(path, "pt").metadata()` do the same.
    """
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    if data[8:9] != b"{" or 8 + length > len(data):
        raise ValueError(f"{path}: not a safetensors file")
    header = json.loads(data[8:8 + length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = memoryview(data)[8 + length:]
    state, end = {}, 0
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        start, stop = entry["data_offsets"]
        dtype, shape = _DTYPES[entry["dtype"]], entry["shape"]
        if start != end or stop - start != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise ValueError(f"{path}: {name}: data_offsets {entry['data_offsets']} out of place")
        state[name] = torch.from_numpy(np.frombuffer(body[start:stop], dtype=dtype).reshape(shape).copy())
        end = stop
    if end != len(body):
        raise ValueError(f"{path}: {len(body) - end} bytes after the last tensor")
    return state, metadata


def resnet_encoder(depth, width=64, stem="cifar"):
    """torchvision's resnet18/34/50/101/152 at any first-stage width, without its classifier (fc)."""
    model = getattr(torchvision.models, f"resnet{depth}")()
    if width != 64:  # torchvision fixes 64; rebuild the stages with its own blocks
        block = type(model.layer1[0])
        model.inplanes = width
        model.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        model.bn1 = nn.BatchNorm2d(width)
        units = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}[depth]
        for stage, count in enumerate(units):
            layer = model._make_layer(block, width << stage, count, stride=1 if stage == 0 else 2)
            setattr(model, f"layer{stage + 1}", layer)
    if stem == "cifar":  # 3x3 stride-1 stem, no max-pool: keeps 32 px images' resolution
        model.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
        model.maxpool = nn.Identity()
    model.fc = nn.Identity()
    return model


class PatchEmbed(nn.Module):
    """Non-overlapping patches embedded linearly: (B, 3, H, W) -> (B, T, E)."""

    def __init__(self, patch_size, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, out=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, out or dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class MixerBlock(nn.Module):
    def __init__(self, dim, tokens, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_tokens = Mlp(tokens, dim // 2)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp_channels = Mlp(dim, round(mlp_ratio * dim))

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class MlpMixer(nn.Module):
    """MLP-Mixer with timm's names (timm.models.mlp_mixer.MlpMixer(num_classes=0) loads the same file)."""

    def __init__(self, image_size, patch_size, dim, depth, mlp_ratio=4.0):
        super().__init__()
        tokens = (image_size // patch_size) ** 2
        self.stem = PatchEmbed(patch_size, dim)
        self.blocks = nn.Sequential(*[MixerBlock(dim, tokens, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        return self.norm(self.blocks(self.stem(x))).mean(dim=1)


class Attention(nn.Module):
    """Multi-head self-attention; with qk_norm a LayerNorm over each head's queries and keys."""

    def __init__(self, dim, heads, qk_norm):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.q_norm = nn.LayerNorm(self.head_dim, eps=1e-6) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(self.head_dim, eps=1e-6) if qk_norm else nn.Identity()
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, e = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k = self.q_norm(q), self.k_norm(k)
        attention = (q @ k.transpose(-2, -1) * self.head_dim ** -0.5).softmax(dim=-1)
        return self.proj((attention @ v).transpose(1, 2).reshape(b, t, e))


class ParallelBlock(nn.Module):
    """ViT-22B parallel layers: x + attn(norm(x)) + mlp(norm(x)), one LayerNorm for both."""

    def __init__(self, dim, heads, mlp_ratio, qk_norm):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, qk_norm)
        self.mlp = Mlp(dim, round(mlp_ratio * dim))

    def forward(self, x):
        y = self.norm(x)
        return x + self.attn(y) + self.mlp(y)


class ParallelVit(nn.Module):
    """The trainer's parallel ViT: learned position embeddings, no CLS token, mean over tokens."""

    def __init__(self, image_size, patch_size, dim, depth, heads, mlp_ratio=4.0, qk_norm=True):
        super().__init__()
        tokens = (image_size // patch_size) ** 2
        self.patch_embed = PatchEmbed(patch_size, dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        self.blocks = nn.Sequential(*[ParallelBlock(dim, heads, mlp_ratio, qk_norm) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed
        return self.norm(self.blocks(x)).mean(dim=1)


def projection_head(features, hidden, out):
    """The SimCLR projection head, as written under projection_head.* by --projection-head."""
    return nn.Sequential(nn.Linear(features, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, out))


def encoder_for(config):
    """The empty encoder module of a resolved config (the file's metadata["config"], parsed)."""
    a, image_size = config["architecture"], config["dataset"]["imageSize"]
    if a["family"] == "resnet":
        return resnet_encoder(a["depth"], a["width"], a["stem"])
    if a["family"] == "mixer":
        return MlpMixer(image_size, a["patchSize"], a["width"], a["depth"], a["mlpRatio"])
    if a["family"] == "parallel_vit":
        return ParallelVit(image_size, a["patchSize"], a["width"], a["depth"], a["heads"], a["mlpRatio"],
                           a["qkNorm"])
    raise ValueError(f"unknown architecture family {a['family']}")


def encoder_from_file(path):
    """(encoder in eval mode, metadata) of an exported file; the projection head, if any, is left out."""
    state, metadata = load_safetensors(path)
    model = encoder_for(json.loads(metadata["config"]))
    encoder_state = {k: v for k, v in state.items() if not k.startswith("projection_head.")}
    model.load_state_dict(encoder_state, strict=True)
    return model.eval(), metadata


def normalise(images, metadata):
    """Images (B, 3, H, W) in [0, 1] normalised as the trainer did (needs input_mean/input_std)."""
    mean = torch.tensor(json.loads(metadata["input_mean"])).view(1, 3, 1, 1)
    std = torch.tensor(json.loads(metadata["input_std"])).view(1, 3, 1, 1)
    return (images - mean) / std
