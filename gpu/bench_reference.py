#!/usr/bin/env python3
"""ml-mdm's own PyTorch code timed on a device, the counterpart of `mdm:bench` for gpu/run.sh.

A training step is ml-mdm's (ml_mdm/trainer.py): pipeline.get_loss on random images and text
conditioning -> loss.mean() -> zero_grad -> backward -> clip_grad_norm_(2.0) -> Adam(lr 1e-4).
Forward = one no-grad forward of the vision model at a random time; sampling = ml-mdm's Sampler
(DDIM, eta 0, resampled to --sampling-steps steps), reported per image. Eager, and with
torch.compile on the vision model when --modes has "compile". Every timing is bracketed by
torch.cuda.synchronize(). Models: the fixture models nested32 / unet32 (refharness mdm_tiny.py)
and model YAMLs in ml-mdm form (e.g. samples/bench/ml-mdm-64.yaml, read with PyYAML or as JSON).

  python3 gpu/bench_reference.py --device cuda --refharness DIR --models nested32:64,256 unet32:64,256 \
      samples/bench/ml-mdm-64.yaml:8,32 --modes eager,compile --out bench_ref.json [--budget SECONDS]
Needs MLMDM_ROOT (apple/ml-mdm's ml-mdm-matryoshka folder) in the environment.
"""
import argparse
import json
import os
import statistics
import sys
import time
import traceback


def load_config(path):
    text = open(path).read()
    try:
        import yaml
        return yaml.safe_load(text)
    except ImportError:
        return json.loads(open(path[: path.rfind(".")] + ".json").read())


def build_from_yaml(path, M):
    """A UNet/NestedUNet and its pipeline from an ml-mdm model YAML."""
    from ml_mdm import diffusion, samplers
    from ml_mdm.models.nested_unet import NestedUNet, NestedUNetConfig
    from ml_mdm.models.unet import ResNetConfig, UNet, UNetConfig

    cfg = load_config(path)
    u = dict(cfg["unet_config"])
    u["resnet_config"] = ResNetConfig(**u.get("resnet_config", {}))
    if "inner_config" in u:
        inner = dict(u["inner_config"])
        inner["resnet_config"] = ResNetConfig(**inner.get("resnet_config", {}))
        u["inner_config"] = UNetConfig(**inner)
        model = NestedUNet(3, 3, NestedUNetConfig(**u))
    else:
        model = UNet(3, 3, UNetConfig(**u))
    dc = dict(cfg["diffusion_config"])
    sc = dict(dc.pop("sampler_config"))
    for k, enum in (("schedule_type", samplers.ScheduleType), ("prediction_type", samplers.PredictionType),
                    ("loss_target_type", samplers.PredictionType), ("threshold_function", samplers.ThresholdType)):
        if k in sc and isinstance(sc[k], str):
            sc[k] = enum[sc[k]]
    known = {f for f in samplers.SamplerConfig.__dataclass_fields__}
    sampler_config = samplers.SamplerConfig(**{k: v for k, v in sc.items() if k in known})
    nested = isinstance(model, NestedUNet)
    cls = diffusion.NestedDiffusionConfig if nested else diffusion.DiffusionConfig
    known = {f for f in cls.__dataclass_fields__}
    dconf = cls(sampler_config=sampler_config, **{k: v for k, v in dc.items() if k in known})
    pipe = (diffusion.NestedDiffusion if nested else diffusion.Diffusion)(model, dconf)
    size = int(cfg.get("reader_config", {}).get("image_size", 32))
    res = [size] + ([size // r for r in model.nest_ratio] if nested else [])
    return model, pipe, dconf, size, res, int(u["conditioning_feature_dim"])


def sync(torch, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def measure(name, spec, bs, mode, args, torch, M):
    from ml_mdm import diffusion, samplers
    from ml_mdm.models.nested_unet import NestedUNet

    dev = torch.device(args.device)
    torch.manual_seed(0)
    if spec in M.MODELS:
        model, _, _ = M.build_model(spec, seed=0)
        size, res = M.MODELS[spec][3], M.MODELS[spec][4]
        dim = M.COND_DIM
        dconf = None
    else:
        model, _, dconf, size, res, dim = build_from_yaml(spec, M)
    model = model.to(dev)
    vision = torch.compile(model) if mode == "compile" else model
    if spec in M.MODELS:
        pipe, dconf = M.build_pipeline(spec, vision)
    else:
        pipe = (diffusion.NestedDiffusion if isinstance(model, NestedUNet) else diffusion.Diffusion)(vision, dconf)
    pipe = pipe.to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-8)
    gen = torch.Generator(device="cpu").manual_seed(123)
    tokens = args.tokens
    images = (torch.rand(bs, 3, size, size, generator=gen) * 2 - 1).to(dev)
    lm = torch.randn(bs, tokens, dim, generator=gen).to(dev)
    mask = torch.ones(bs, tokens, device=dev)
    sample = {"images": images, "lm_outputs": lm, "lm_mask": mask}

    def train_step():
        losses, *_rest, weights = pipe.get_loss(sample)
        loss = losses.mean() if weights is None else (losses * weights).sum() / weights.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        return loss

    t_first = time.perf_counter()
    train_step()
    sync(torch, args.device)
    first_s = time.perf_counter() - t_first
    for _ in range(args.warmup - 1):
        train_step()
    sync(torch, args.device)
    times, loss = [], None
    for _ in range(args.steps):
        t0 = time.perf_counter()
        loss = train_step()
        sync(torch, args.device)
        times.append(time.perf_counter() - t0)

    xs = [torch.randn(bs, 3, r, r, generator=gen).to(dev) for r in res]
    x = xs if len(xs) > 1 else xs[0]
    t_in = torch.randint(0, 1000, (bs,), generator=gen).to(dev)
    model.eval()
    fwd = []
    with torch.no_grad():
        vision(x, t_in, lm, mask, {})
        sync(torch, args.device)
        for _ in range(args.fwd_steps):
            t0 = time.perf_counter()
            vision(x, t_in, lm, mask, {})
            sync(torch, args.device)
            fwd.append(time.perf_counter() - t0)

    sample_ms = None
    try:
        nested = isinstance(model, NestedUNet)
        wrapper = (diffusion.NestedModel if nested else diffusion.Model)(vision, dconf)
        sampler = (samplers.NestedSampler if nested else samplers.Sampler)(dconf.sampler_config)
        wrapper.set_sampler(sampler)
        x_T = torch.randn(bs, 3, size, size, generator=gen).to(dev)
        with torch.no_grad():
            t0 = time.perf_counter()
            sampler.sample(wrapper, x_T, lm, mask, {}, ddim_eta=0, resample_steps=True,
                           num_inference_steps=args.sampling_steps)
            sync(torch, args.device)
            sample_ms = 1000 * (time.perf_counter() - t0) / bs
    except Exception as e:  # the figure is optional; the step is what matters
        print(f"  sampling not measured: {type(e).__name__}: {e}", flush=True)

    med = statistics.median(times)
    return {"model": name, "batch": bs, "mode": mode, "device": args.device,
            "num_parameters": sum(p.numel() for p in model.parameters()),
            "train_step_ms": 1000 * med, "train_step_ms_min": 1000 * min(times), "images_per_s": bs / med,
            "forward_ms": 1000 * statistics.median(fwd), "sample_ms_per_image": sample_ms,
            "sampling_steps": args.sampling_steps, "first_step_s": first_s, "final_loss": float(loss),
            "max_memory_gib": (torch.cuda.max_memory_allocated() / 2 ** 30) if args.device.startswith("cuda") else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--refharness", required=True, help="folder with mdm_tiny.py and stubs/")
    ap.add_argument("--models", nargs="+", default=["nested32:64,256", "unet32:64,256"],
                    help="name-or-yaml:batch,batch ...")
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--fwd-steps", type=int, default=5)
    ap.add_argument("--sampling-steps", type=int, default=10)
    ap.add_argument("--tokens", type=int, default=7, help="conditioning sequence length (mdm:bench uses 7)")
    ap.add_argument("--tf32", choices=["default", "off", "on"], default="default",
                    help="default: PyTorch's own (cuDNN may use TF32, matmul not), as libtorch under DJL")
    ap.add_argument("--budget", type=float, default=1e9, help="seconds; later measurements are skipped after it")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    started = time.time()
    sys.path.insert(0, os.path.abspath(args.refharness))
    import torch
    import mdm_tiny as M

    if args.device.startswith("cuda") and args.tf32 != "default":
        torch.backends.cuda.matmul.allow_tf32 = args.tf32 == "on"
        torch.backends.cudnn.allow_tf32 = args.tf32 == "on"
    report = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": args.device,
              "device_name": torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "cpu",
              "tf32": args.tf32, "protocol": f"{args.warmup} warm-up + {args.steps} timed steps, median",
              "results": [], "skipped": []}

    def save():
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)

    for mode in args.modes.split(","):
        for item in args.models:
            spec, batches = item.rsplit(":", 1)
            name = os.path.splitext(os.path.basename(spec))[0]
            for bs in [int(b) for b in batches.split(",")]:
                if time.time() - started > args.budget:
                    report["skipped"].append({"model": name, "batch": bs, "mode": mode, "why": "time budget"})
                    continue
                try:
                    r = measure(name, spec, bs, mode, args, torch, M)
                    report["results"].append(r)
                    print(f"pytorch {mode:7s} {name:10s} batch {bs:4d}: {r['train_step_ms']:9.2f} ms/step "
                          f"{r['images_per_s']:9.1f} img/s  forward {r['forward_ms']:8.2f} ms  sample "
                          f"{r['sample_ms_per_image'] if r['sample_ms_per_image'] is None else round(r['sample_ms_per_image'], 2)}"
                          f" ms/img  (first step {r['first_step_s']:.1f} s)", flush=True)
                except Exception as e:
                    traceback.print_exc()
                    report["skipped"].append({"model": name, "batch": bs, "mode": mode,
                                              "why": f"{type(e).__name__}: {e}"[:500]})
                finally:
                    if args.device.startswith("cuda"):
                        torch.cuda.empty_cache()
                        torch.cuda.reset_peak_memory_stats()
                save()
    save()


if __name__ == "__main__":
    main()
