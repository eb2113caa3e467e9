#!/usr/bin/env python3
"""Reads the phase logs of gpu/run.sh and writes its results JSON: versions, parity figures,
mdm:bench and PyTorch rows side by side with the ratio ours / PyTorch, the training run."""
import argparse
import json
import os
import re


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def phases(work):
    out = {}
    for line in read(os.path.join(work, "phases.tsv")).splitlines():
        name, status, seconds, limit = (line.split("\t") + ["", "", "", ""])[:4]
        out[name] = {"exit": status, "seconds": int(seconds or 0), "limit_s": int(limit or 0)}
    return out


def version(text):
    v = {}
    for key in ("framework", "DJL", "engine", "natives", "java"):
        m = re.search(rf"^{key}\s+(.+)$", text, re.M)
        if m:
            v[key] = m.group(1).strip()
    v["devices"] = [d.strip() for d in re.findall(r"^device\s+(.+)$", text, re.M)]
    return v


def parity(text):
    num = r"([-+0-9.eE]+|NaN)"
    p = {"forward": [], "intermediates": [], "train_step": []}
    for m in re.finditer(rf"^(\w+) (\w+) out(\d+) \((.+), (\S+)\): max-abs {num}, relative L2 {num}$", text, re.M):
        p["forward"].append({"model": m.group(1), "case": m.group(2), "resolution": int(m.group(3)),
                             "weights": m.group(4), "device": m.group(5), "max_abs": float(m.group(6)),
                             "relative_l2": float(m.group(7))})
    for m in re.finditer(rf"^(\w+) intermediates: (\d+) compared, worst max-abs {num}$", text, re.M):
        p["intermediates"].append({"model": m.group(1), "compared": int(m.group(2)), "worst_max_abs": float(m.group(3))})
    for m in re.finditer(rf"^(\w+) train step: loss {num} \(ref {num}\), (\d+) gradients, worst relative L2 {num} "
                         rf"\(whole\), {num} \(estimated", text, re.M):
        p["train_step"].append({"model": m.group(1), "loss": float(m.group(2)), "reference_loss": float(m.group(3)),
                                "gradients": int(m.group(4)), "worst_relative_l2_whole": float(m.group(5)),
                                "worst_relative_l2_estimated": float(m.group(6))})
    ok = re.search(r"(\d+) tests successful", text)
    failed = re.search(r"(\d+) tests failed", text)
    p["tests_successful"] = int(ok.group(1)) if ok else 0
    p["tests_failed"] = int(failed.group(1)) if failed else None
    p["failures"] = re.findall(r"^.*(?:AssertionFailedError|MdmException|Exception): (.+)$", text, re.M)[:10]
    return p


def bench(text):
    rows = []
    for m in re.finditer(r"^(\S+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+) \((\d+) st\)$", text, re.M):
        rows.append({"model": m.group(1), "batch": int(m.group(2)), "forward_ms": float(m.group(3)),
                     "train_step_ms": float(m.group(4)), "images_per_s": float(m.group(5)),
                     "sample_ms_per_image": float(m.group(6)), "sampling_steps": int(m.group(7))})
    return rows


def train(text, seconds):
    t = {"wall_s": seconds}
    m = re.search(r"samples (\S+) all=([0-9.]+) shape=([0-9.]+) count=([0-9.]+) colour=([0-9.]+)", text)
    if m:
        t.update({"samples": m.group(1), "checker_all": float(m.group(2)), "shape": float(m.group(3)),
                  "count": float(m.group(4)), "colour": float(m.group(5))})
    t["completed"] = bool(re.search(r"job \S+ completed", text))
    steps = re.findall(r"step (\d+)/(\d+) .*?([0-9.]+) img/s", text)
    if steps:
        t["last_progress"] = {"step": int(steps[-1][0]), "of": int(steps[-1][1]), "images_per_s": float(steps[-1][2])}
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="gpu")
    ap.add_argument("--budget", type=int, default=0)
    ap.add_argument("--elapsed", type=int, default=0)
    a = ap.parse_args()
    w = a.work
    ph = phases(w)
    ours = bench(read(os.path.join(w, "bench_tiny.log"))) + bench(read(os.path.join(w, "bench_64.log")))
    ref = {}
    for mode in ("eager", "compile"):
        j = load_json(os.path.join(w, f"ref_{mode}.json"))
        if j:
            ref[mode] = j
    comparison = []
    for r in ours:
        row = {"model": r["model"], "batch": r["batch"], "ours_train_step_ms": r["train_step_ms"],
               "ours_forward_ms": r["forward_ms"], "ours_sample_ms_per_image": r["sample_ms_per_image"]}
        for mode, j in ref.items():
            match = [x for x in j.get("results", []) if x["model"] == r["model"] and x["batch"] == r["batch"]]
            if match:
                x = match[0]
                row[f"pytorch_{mode}_train_step_ms"] = x["train_step_ms"]
                row[f"ratio_ours_over_{mode}"] = r["train_step_ms"] / x["train_step_ms"]
                row[f"pytorch_{mode}_forward_ms"] = x["forward_ms"]
                if x.get("sample_ms_per_image"):
                    row[f"pytorch_{mode}_sample_ms_per_image"] = x["sample_ms_per_image"]
        comparison.append(row)
    report = {
        "device": a.device, "budget_s": a.budget, "elapsed_s": a.elapsed, "phases": ph,
        "version": version(read(os.path.join(w, "version.log"))),
        "jni": {"built_s": ph.get("jni", {}).get("seconds"), "status": ph.get("jni", {}).get("exit")},
        "parity_tf32_off": parity(read(os.path.join(w, "parity.log"))),
        "bench_ours": ours, "bench_pytorch": ref, "comparison": comparison,
        "train_shapes_class": train(read(os.path.join(w, "train.log")), ph.get("train", {}).get("seconds")),
    }
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({"comparison": comparison, "parity": report["parity_tf32_off"]["train_step"],
                      "train": report["train_shapes_class"]}, indent=1))


if __name__ == "__main__":
    main()
