#!/usr/bin/python3
"""Writes the TorchScript casts the trainer's mixed precision uses (trainer-image resources).

DJL 0.36's PyTorch JNI maps no bfloat16 type (a cast to it aborts the JVM) and runs its own
casts (NDArray.toType) with autograd off, so a cast inside the model would cut the graph. These
one-line modules run in libtorch with autograd on: a differentiable x.to(dtype). Any torch that
writes TorchScript will do (made with Debian's 1.13.1; libtorch 2.7.1 loads them).

    /usr/bin/python3 scripts/make-torch-casts.py
"""
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "trainer-image", "src", "main", "resources",
                   "dev", "contrastive", "trainer", "precision")


class ToBfloat16(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.bfloat16)


class ToFloat16(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.float16)


class ToFloat32(torch.nn.Module):
    def forward(self, x):
        return x.to(torch.float32)


os.makedirs(OUT, exist_ok=True)
for name, module in [("to_bfloat16", ToBfloat16()), ("to_float16", ToFloat16()), ("to_float32", ToFloat32())]:
    torch.jit.save(torch.jit.script(module), os.path.join(OUT, name + ".pt"))
