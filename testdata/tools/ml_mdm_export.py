#!/usr/bin/env python3
"""ml-mdm's side of `mdm:export`, run with the *unmodified* reference code (apple/ml-mdm) through the
shared refharness (its mdm_tiny.py puts the reference and its stubs on sys.path).

golden   Writes what ml-mdm's own trainer writes for the tiny nested32 model, exactly as
         clis/train_parallel.py saves a checkpoint: vis_model_NNNNNN.pth (ModelEma.save) and
         vis_model_noema_NNNNNN.pth (NestedUNet.save), each {"state_dict": ..., batch_num, loss,
         best_avg_loss, exp_avg_loss, exp_avg_loss_var, args}, and the configuration as ml-mdm's
         config loader reads it: the fields of its config dataclasses (NestedUNetConfig,
         NestedDiffusionConfig, SamplerConfig; enums by name) and the trainer's command-line arguments
         with their defaults. Then trims all of it into one JSON file of structure (no weights):
         config fields and values, per file the torch.save records, the top-level entries with their
         Python types, and every state-dict key with dtype and shape.

check    The round trip: reads an export written by `mdm:export` (config.yaml + the two .pth files)
         with ml-mdm's own code -- the config through its dataclasses (an unknown field is an error,
         as in simple_parsing), the model built by ml-mdm's model registry, the weights through
         UNet.load / ModelEma.load (torch.load) -- and runs the reference forward on the inputs of
         a .pth written by the Java side (ExportRoundTrip, with our own torch.save writer), comparing with the outputs the Java
         runtime computed from the checkpoint that was exported.

Run (Debian: apt-get install python3-torch python3-numpy python3-yaml):
  MLMDM_ROOT=<apple/ml-mdm clone>/ml-mdm-matryoshka /usr/bin/python3 testdata/tools/ml_mdm_export.py \\
      --harness <refharness folder> golden --out testdata/ml-mdm-export
  MLMDM_ROOT=... /usr/bin/python3 testdata/tools/ml_mdm_export.py --harness <refharness> \\
      check --export <export dir> --io <roundtrip-class.pth>
"""
import argparse
import copy
import dataclasses
import enum
import json
import os
import subprocess
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True


def load_harness(path):
    sys.path.insert(0, os.path.abspath(path))
    import mdm_tiny  # noqa: E402  (puts ml-mdm and the stubs on sys.path)
    return mdm_tiny


def plain(v):
    """A config value as ml-mdm's YAML config holds it: dataclasses as mappings, enums by name."""
    if dataclasses.is_dataclass(v):
        return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, enum.Enum):
        return v.name
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def from_plain(cls, d, where):
    """The dataclass `cls` from a mapping, as simple_parsing fills it: unknown keys are errors,
    nested dataclasses by their declared field type, enums by name, missing fields keep defaults."""
    import typing
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise SystemExit(f"{where}: fields ml-mdm's {cls.__name__} does not have: {unknown}")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in d:
            continue
        t, v = hints[f.name], d[f.name]
        if dataclasses.is_dataclass(t) and isinstance(v, dict):
            v = from_plain(t, v, f"{where}.{f.name}")
        elif isinstance(t, type) and issubclass(t, enum.Enum) and isinstance(v, str):
            v = t[v]
        kwargs[f.name] = v
    return cls(**kwargs)


def torch_records(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    prefix = names[0].split("/")[0] + "/"
    return sorted(n[len(prefix):] for n in names)


def describe_file(path):
    import torch
    ckpt = torch.load(path, map_location="cpu")
    top = {k: type(v).__name__ for k, v in ckpt.items()}
    sd = [[k, str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in ckpt["state_dict"].items()]
    return {"records": torch_records(path), "top_level": top, "state_dict": sd}


def trainer_arguments(cfg_module):
    """ml-mdm's trainer command line (get_trainer_parser + add_common_arguments) with its defaults;
    the dataclass sections (reader_config, unet_config, diffusion_config) come from the dataclasses."""
    parser = cfg_module.add_common_arguments(cfg_module.get_trainer_parser())
    return {k: v for k, v in sorted(vars(parser.parse_args([])).items())}


def golden(args, M):
    import torch
    from ml_mdm import config as cfg_module, diffusion, reader
    from ml_mdm.models.model_ema import ModelEma

    torch.set_num_threads(2)
    name = "nested32"
    cfg_given = M.MODELS[name][0]()
    as_given = plain(copy.deepcopy(cfg_given))
    model, _, _ = M.build_model(name, seed=0)
    pipe, dcfg = M.build_pipeline(name, model)
    ema = ModelEma(model)
    batch_num = 1
    other = {"batch_num": batch_num, "loss": 0.25, "best_avg_loss": 0.25, "exp_avg_loss": 0.25,
             "exp_avg_loss_var": 0.0625, "args": argparse.Namespace(model="nested_unet")}
    with tempfile.TemporaryDirectory() as tmp:
        ema_file = os.path.join(tmp, f"vis_model_{batch_num:06d}.pth")
        raw_file = os.path.join(tmp, f"vis_model_noema_{batch_num:06d}.pth")
        # exactly train_parallel.py's two calls
        ema.save(ema_file, other_items=other)
        model.save(raw_file, other_items=other)
        files = {"vis_model_NNNNNN.pth": describe_file(ema_file),
                 "vis_model_noema_NNNNNN.pth": describe_file(raw_file)}
    commit = subprocess.run(["git", "-C", M.MLMDM_ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    out = {
        "_source": ("apple/ml-mdm (ml-mdm-matryoshka) commit " + commit + ", torch " + torch.__version__
                    + ", written by testdata/tools/ml_mdm_export.py golden with the refharness's mdm_tiny.nested32"),
        "model": M.MODELS[name][2],
        "config": {
            "model": M.MODELS[name][2],
            "unet_config": as_given,
            "unet_config_class": type(cfg_given).__name__,
            "diffusion_config": plain(dcfg),
            "diffusion_config_class": type(dcfg).__name__,
            "reader_config": plain(reader.ReaderConfig()),
        },
        "trainer_arguments": trainer_arguments(cfg_module),
        "loaded_on_resume": ["state_dict", "batch_num", "exp_avg_loss", "exp_avg_loss_var", "best_avg_loss"],
        "files": files,
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "export_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, default=str)
        f.write("\n")
    print("wrote", path, "state-dict entries:", len(files["vis_model_NNNNNN.pth"]["state_dict"]))


def check(args, M):
    import numpy as np
    import torch
    import yaml
    from ml_mdm import config as cfg_module
    from ml_mdm.models.model_ema import ModelEma

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    with open(os.path.join(args.export, "config.yaml")) as f:
        conf = yaml.safe_load(f)
    name = conf["model"]
    ucls = cfg_module.MODEL_CONFIG_REGISTRY[name]["config"]
    ucfg = from_plain(ucls, conf["unet_config"], "unet_config")
    pipeline_name = cfg_module.MODEL_CONFIG_REGISTRY[name]["model"]
    dcls = cfg_module.PIPELINE_CONFIG_REGISTRY[pipeline_name]
    dcfg = from_plain(dcls, conf["diffusion_config"], "diffusion_config")
    model = cfg_module.get_model(name)(3, 3, ucfg)
    cfg_module.get_pipeline(name)(model, dcfg)  # the pipeline accepts the diffusion config
    pths = sorted(p for p in os.listdir(args.export) if p.endswith(".pth"))
    raw = [p for p in pths if p.startswith("vis_model_noema_")]
    emas = [p for p in pths if p.startswith("vis_model_") and not p.startswith("vis_model_noema_")]
    assert len(raw) == 1 and len(emas) == 1, pths
    expected_keys = set(model.state_dict().keys())
    file_keys = set(torch.load(os.path.join(args.export, raw[0]), map_location="cpu")["state_dict"].keys())
    assert file_keys == expected_keys, (sorted(file_keys ^ expected_keys))[:10]
    other = model.load(os.path.join(args.export, raw[0]))  # UNet.load: ml-mdm's own loader
    ema = ModelEma(copy.deepcopy(model))
    ema.load(os.path.join(args.export, emas[0]))
    # written by the Java side with our own torch.save writer: inputs and our outputs
    io = torch.load(args.io, map_location="cpu")["state_dict"]
    levels = sorted({int(k.split(".")[1]) for k in io if k.startswith("x_t.")}, reverse=True)
    xs = [io[f"x_t.{r}"] for r in levels]
    x = xs if len(xs) > 1 else xs[0]
    times = io["times"]
    lm = io["lm_outputs"]
    mask = io.get("lm_mask")
    micros = {k[len("micro."):]: io[k] for k in io if k.startswith("micro.")}
    report = {"model": name, "batch_num": other.get("batch_num"), "levels": levels, "max_abs": {}}
    worst = 0.0
    for which, net in (("model", model), ("ema", ema.module)):
        net.eval()
        with torch.no_grad():
            out = net(x, times, lm, mask, micros)
        out = out if isinstance(out, list) else [out]
        for r, o in zip(levels, out):
            ours = io[f"{which}.out.{r}"].numpy()
            d = float(np.max(np.abs(o.numpy() - ours)))
            scale = float(np.max(np.abs(ours)))
            report["max_abs"][f"{which}.{r}"] = {"max_abs_diff": d, "max_abs_output": scale}
            worst = max(worst, d)
    report["worst"] = worst
    report["within_1e-5"] = worst <= 1e-5
    print(json.dumps(report, indent=1))
    if worst > 1e-5:
        raise SystemExit(f"round trip differs by {worst:.3g} > 1e-5")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--harness", required=True, help="the refharness folder (mdm_tiny.py)")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden")
    g.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--export", required=True)
    c.add_argument("--io", required=True)
    args = p.parse_args()
    M = load_harness(args.harness)
    golden(args, M) if args.cmd == "golden" else check(args, M)


if __name__ == "__main__":
    main()
