#!/usr/bin/env python3
"""Regenerates testdata/ml-mdm: the reference's numbers, trimmed to what the tests read.

The numbers come from the *unmodified* reference code (apple/ml-mdm) run by the shared harness
(make_reference.py of the refharness folder); this script only changes how the tiny models get
their weights and what is kept of the harness's output:

* Weights are not stored. Every tensor is drawn from a seeded counter-based generator that the
  Java tests rebuild bit for bit (mdm.core's test class ReferenceWeights): value =
  center + scale * r with r = (2u + 1 - 2^24) / 2^24 and u the top 24 bits of
  splitmix64(seed + (i + 1) * golden_gamma), computed in float32 (every step is exactly rounded,
  so numpy and Java agree). center is 1 for norm weights, 0 otherwise; scale gives each tensor the
  spread (rms) that the harness's own PyTorch initialisation gives it. <model>_weights.json lists
  seed, center, scale and a CRC-32 of the float32 bytes per tensor.
* Gradients of the training step: tensors of at most FULL_GRAD_MAX elements are kept whole; for
  every tensor the exact L2 norm and SKETCH_ROWS random +-1 projections (float64) are kept, from
  which the relative L2 error of a gradient is estimated (Johnson-Lindenstrauss).
* The harness's "params after Adam" are replaced by adam_reference.npz: torch.nn.utils
  .clip_grad_norm_ and torch.optim.Adam/AdamW over three steps on designed tensors.
* fp64 outputs/intermediates/steps (read by no test), the state-dict .npz and the full .pt are
  dropped; a .pt of a subset of nested32 (torch.save) stays for the .pt import test.

Run (Debian: apt-get install python3-torch python3-torchvision python3-numpy python3-tqdm):
  MLMDM_ROOT=<apple/ml-mdm clone>/ml-mdm-matryoshka /usr/bin/python3 testdata/tools/make_fixtures.py \
      --harness <refharness folder> --out testdata/ml-mdm
About two minutes on two cores.
"""
import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import zlib

import numpy as np

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
SKETCH_SEED = np.uint64(0xD1B54A32D192ED03)
SKETCH_ROWS = 64
FULL_GRAD_MAX = 4096
PT_SUBSET_MAX = 4096

WEIGHTS_NOTE = ("seeded weights, not stored: value = float32(center + float32(scale * r)), "
                "r = float32(2u + 1 - 2^24) * 2^-24, u = splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15) >> 40 "
                "for element i in C order; splitmix64(z): z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9, "
                "z = (z ^ z >> 27) * 0x94D049BB133111EB, z ^ z >> 31 (64-bit wrap-around); crc32 of the "
                "little-endian float32 bytes. center 1 for GroupNorm/LayerNorm weights, else 0; scale = "
                "sqrt(3) * rms about center of the tensor PyTorch's init + mdm_tiny.randomize_weights gave")


def splitmix64(z):
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def counter_stream(seed, n):
    """splitmix64(seed + k * gamma) for k = 1..n (the generator's state after k steps)."""
    k = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return splitmix64(np.uint64(seed) + k * GOLDEN_GAMMA)


def seeded_tensor(seed, shape, center, scale):
    n = int(np.prod(shape)) if len(shape) else 1
    u = (counter_stream(seed, n) >> np.uint64(40)).astype(np.int64)
    r = (2 * u + 1 - (1 << 24)).astype(np.float32) * np.float32(2.0 ** -24)
    v = np.float32(scale) * r
    if center != 0:
        v = np.float32(center) + v
    return v.astype(np.float32).reshape(shape)


def crc32_of(a):
    return zlib.crc32(np.ascontiguousarray(a, dtype="<f4").tobytes()) & 0xFFFFFFFF


def sketch_signs(row, n):
    """+-1 (float64) for elements 0..n-1 of projection row `row`: bit (i % 64) of word i // 64."""
    words = (n + 63) // 64
    with np.errstate(over="ignore"):
        seed = np.uint64(row + 1) * SKETCH_SEED
    z = counter_stream(seed, words)
    bits = np.unpackbits(z.astype("<u8").view(np.uint8), bitorder="little")[:n]
    return 1.0 - 2.0 * bits.astype(np.float64)


def sketch(values):
    g = np.asarray(values, dtype=np.float64).reshape(-1)
    return np.array([sketch_signs(k, g.size) @ g for k in range(SKETCH_ROWS)], dtype=np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--harness", default=os.environ.get("REFHARNESS", "../shared/refharness"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ml-mdm"))
    ap.add_argument("--keep-raw", help="also keep the harness's untrimmed output in this folder")
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.harness))
    import torch
    import torch.nn as nn
    import mdm_tiny as M
    import make_reference as R

    weight_recipes = {}
    original_build = M.build_model

    def build_model(name, seed=0):
        model, given, after = original_build(name, seed)
        norm_weights = {f"{mn}.weight" if mn else "weight" for mn, mod in model.named_modules()
                        if isinstance(mod, (nn.GroupNorm, nn.LayerNorm)) and mod.weight is not None}
        model_index = list(M.MODELS).index(name)
        recipes = []
        state = {}
        for i, (key, t) in enumerate(model.state_dict().items()):
            assert t.dtype == torch.float32, (key, t.dtype)
            center = 1.0 if key in norm_weights else 0.0
            rms = float(torch.sqrt(torch.mean((t.double() - center) ** 2)))
            scale = float(np.float32(math.sqrt(3.0) * rms if rms > 0 else 0.05))
            tensor_seed = ((model_index + 1) << 32) | i
            v = seeded_tensor(tensor_seed, tuple(t.shape), center, scale)
            state[key] = torch.from_numpy(v.copy())
            recipes.append({"key": key, "shape": list(t.shape), "seed": tensor_seed, "center": center,
                            "scale": scale, "crc32": crc32_of(v)})
        model.load_state_dict(state, strict=True)
        for r, (key, t) in zip(recipes, model.state_dict().items()):
            assert crc32_of(t.numpy()) == r["crc32"], key
        weight_recipes[name] = recipes
        return model, given, after

    M.build_model = build_model

    raw = args.keep_raw or tempfile.mkdtemp(prefix="mlmdm-raw-")
    os.makedirs(raw, exist_ok=True)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    summary, models = {}, {}
    for name in M.MODELS:
        model, pipe, inp = R.dump_model(name, raw, summary)
        models[name] = model
        R.dump_training_step(name, model, inp, raw, summary)
        print(f"{name}: done", flush=True)
    R.dump_schedules(raw, summary)
    R.dump_samplers(raw, summary, models)
    print("schedules, samplers: done", flush=True)

    files = {}

    def copy(fname, description):
        shutil.copyfile(os.path.join(raw, fname), os.path.join(out, fname))
        files[fname] = description

    def save_npz(fname, arrays, description):
        np.savez(os.path.join(out, fname), **arrays)
        files[fname] = description

    def save_json(fname, obj, description):
        with open(os.path.join(out, fname), "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
        files[fname] = description

    for name in M.MODELS:
        with open(os.path.join(raw, f"{name}_config.json")) as f:
            cfg = json.load(f)
        cfg["weight_init"] = f"{name}_weights.json: " + WEIGHTS_NOTE
        save_json(f"{name}_config.json", cfg, R.MANIFEST["files"][f"{name}_config.json"])
        save_json(f"{name}_weights.json", {"note": WEIGHTS_NOTE, "tensors": weight_recipes[name]},
                  f"{name}: the weights every fixture of {name} was made with, as seeds (state_dict order)")
        copy(f"{name}_state_dict_shapes.json", R.MANIFEST["files"][f"{name}_state_dict_shapes.json"])
        copy(f"{name}_inputs.npz", R.MANIFEST["files"][f"{name}_inputs.npz"])
        outs = np.load(os.path.join(raw, f"{name}_outputs.npz"))
        save_npz(f"{name}_outputs.npz", {k: outs[k] for k in outs.files if ".fp32." in k},
                 f"{name}: forward outputs '<case>.fp32.out<res>' for every resolution (the fp64 re-run is "
                 "summarised in manifest.json, not stored)")
        copy(f"{name}_intermediates_fp32.npz", R.MANIFEST["files"][f"{name}_intermediates_fp32.npz"])

        step = np.load(os.path.join(raw, f"{name}_train_step.npz"))
        kept = {}
        for k in step.files:
            if k.startswith("fp64.") or k.startswith("fp32.param_after_adam."):
                continue
            if k.startswith("fp32.grad."):
                key = k[len("fp32.grad."):]
                g = step[k]
                kept["fp32.grad_norm." + key] = np.float64(np.linalg.norm(g.astype(np.float64)))
                kept["fp32.grad_sketch." + key] = sketch(g)
                if g.size <= FULL_GRAD_MAX:
                    kept[k] = g
                continue
            kept[k] = step[k]
        save_npz(f"{name}_train_step.npz", kept,
                 f"{name}: one training step of the official pipeline "
                 f"({'NestedDiffusion' if name.startswith('nested') else 'Diffusion'}.get_loss, loss=losses.mean(), "
                 "backward, clip_grad_norm_(2.0)). Inputs images/lm_outputs/lm_mask; random draws in call order "
                 "drawNNN.<randint|randn_like|normal_>; per-resolution x_t, model_out, target, pred_for_loss; "
                 "per-example losses; fp32 gradients (pre-clip) of every parameter as grad_norm.<key> (exact L2, "
                 f"float64) and grad_sketch.<key> ({SKETCH_ROWS} projections on +-1 rows: row k element i = "
                 "1 - 2 * bit (i % 64) of splitmix64((k + 1) * 0xD1B54A32D192ED03 + (i // 64 + 1) * "
                 f"0x9E3779B97F4A7C15)), and grad.<key> whole for tensors of at most {FULL_GRAD_MAX} elements; "
                 "grad_total_norm_before_clip")

    # the .pt import test: torch.save of a subset of nested32's state dict (small tensors + one conv)
    sd = models["nested32"].state_dict()
    subset, big = {}, None
    for k, v in sd.items():
        if v.numel() <= PT_SUBSET_MAX:
            subset[k] = v
        elif big is None and v.dim() == 4:
            big = k
            subset[k] = v
    torch.save(subset, os.path.join(out, "nested32_state_dict_subset.pt"))
    files["nested32_state_dict_subset.pt"] = (f"nested32: torch.save of {len(subset)} tensors of the state dict (all "
                                              f"of at most {PT_SUBSET_MAX} elements, and {big}), in state-dict order")

    copy("schedules.npz", R.MANIFEST["files"]["schedules.npz"])
    copy("schedules.json", R.MANIFEST["files"]["schedules.json"])
    copy("sampler_reference.npz", R.MANIFEST["files"]["sampler_reference.npz"])
    with open(os.path.join(raw, "sampler_reference.json")) as f:
        sampler_json = json.load(f)
    sampler_json["real_model_cases"] = sampler_json["real_model_cases"].replace(
        "weights = *_state_dict.npz", "weights = *_weights.json")
    save_json("sampler_reference.json", sampler_json, R.MANIFEST["files"]["sampler_reference.json"])

    adam = adam_reference(torch)
    save_npz("adam_reference.npz", adam["arrays"], adam["description"])

    manifest = {
        "files": dict(sorted(files.items())) | {"manifest.json": "this file"},
        "generator": "testdata/tools/make_fixtures.py over the refharness make_reference.py",
        "environment": {"torch": torch.__version__, "numpy": np.__version__, "threads": torch.get_num_threads(),
                        "ml_mdm_commit": ml_mdm_commit(M.MLMDM_ROOT)},
        "npz_format": "numpy .npz (uncompressed zip of .npy, little-endian, C order); keys as listed",
        "batch": R.B, "times": R.TIMES, "labels": R.LABELS, "micro_scale": R.MICRO_SCALE,
        "summary": summary,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, default=R._json_default)
        f.write("\n")
    if not args.keep_raw:
        shutil.rmtree(raw)
    print("written:", out)


def adam_reference(torch):
    """clip_grad_norm_(2.0) then Adam / AdamW steps as ml-mdm's trainer takes them, on designed tensors:
    gradients spanning 1e-12..10 (eps matters at the small end), exact zeros, a step without clipping,
    and a different learning rate per step."""
    gen = torch.Generator().manual_seed(20240601)
    shapes = {"conv.weight": (16, 8, 3, 3), "linear.weight": (64, 48), "linear.bias": (64,), "norm.weight": (32,)}
    p0 = {}
    for k, s in shapes.items():
        p0[k] = torch.randn(s, generator=gen) * 0.2 + (1.0 if k == "norm.weight" else 0.0)
    lrs = [1e-3, 5e-4, 2e-3]
    norms_wanted = [5.0, 1.0, 20.0]
    grads = []
    for s, want in enumerate(norms_wanted):
        g = {}
        for k, shp in shapes.items():
            v = torch.randn(shp, generator=gen)
            mag = torch.pow(10.0, torch.empty(shp).uniform_(-12, 1, generator=gen))
            v = v * mag
            v.view(-1)[:: 17] = 0.0
            g[k] = v
        total = torch.sqrt(sum((v.double() ** 2).sum() for v in g.values()))
        grads.append({k: (v.double() * (want / total)).float() for k, v in g.items()})
    arrays = {"lr": np.array(lrs), "max_norm": np.float64(2.0)}
    for k, v in p0.items():
        arrays[f"p0.{k}"] = v.numpy()
    for s, g in enumerate(grads, 1):
        for k, v in g.items():
            arrays[f"grad{s}.{k}"] = v.numpy()
    for opt_name, factory in (("adam", lambda ps: torch.optim.Adam(ps, lr=lrs[0], eps=1e-8)),
                              ("adamw", lambda ps: torch.optim.AdamW(ps, lr=lrs[0], eps=1e-8, weight_decay=0.05))):
        params = {k: torch.nn.Parameter(v.clone()) for k, v in p0.items()}
        opt = factory(list(params.values()))
        for s, g in enumerate(grads, 1):
            for k, p in params.items():
                p.grad = g[k].clone()
            total = torch.nn.utils.clip_grad_norm_(list(params.values()), 2.0)
            for group in opt.param_groups:
                group["lr"] = lrs[s - 1]
            opt.step()
            arrays[f"{opt_name}.norm{s}"] = np.float64(float(total))
            for k, p in params.items():
                arrays[f"{opt_name}.p{s}.{k}"] = p.detach().numpy().copy()
    return {"arrays": arrays, "description":
            "optimiser steps: p0.<name> parameters, grad<s>.<name> gradients of steps 1..3, lr[s-1]; per step "
            "torch.nn.utils.clip_grad_norm_(max_norm=2.0) (<opt>.norm<s> = norm before clipping), then "
            "torch.optim.Adam(eps=1e-8) ('adam') or AdamW(eps=1e-8, weight_decay=0.05) ('adamw'): <opt>.p<s>.<name>"}


def ml_mdm_commit(root):
    import subprocess
    try:
        return subprocess.check_output(["git", "-C", root, "rev-parse", "HEAD"], text=True).strip()
    except Exception:
        return None


if __name__ == "__main__":
    main()
