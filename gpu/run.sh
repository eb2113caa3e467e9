#!/usr/bin/env bash
# The GPU run of issue 12, on a CUDA machine with its own PyTorch and no JDK, from the repository plus
# gpu/payload (gpu/prepare.sh). One command, a time budget, a log and a results JSON:
#
#   bash gpu/run.sh [--out DIR] [--budget SECONDS] [--python python3] [--device gpu|cpu] [--quick]
#
#   1. the Java runtime of the payload; the torch of --python: version, lib folder, CUDA, GPU
#   2. libdjl_torch.so: the payload's (gpu/payload/jni) if built for this torch, else gpu/build-jni.sh
#      compiles it (and OUT/libdjl_torch.so + OUT/djl_torch.properties bring it back for the next run)
#   3. PYTORCH_LIBRARY_PATH / PYTORCH_VERSION / PYTORCH_FLAVOR set, nothing downloads; then in turn, each
#      phase given what is left of the budget: mdm:version; nested32 and unet32 parity (forward,
#      intermediates, training step) with TF32 off (NVIDIA_TF32_OVERRIDE=0); mdm:bench of the fixture models
#      at batch 64 and 256 and of ml-mdm's 64² model at 8 and 32; the same in ml-mdm's PyTorch code, eager;
#      README command 1 (samples/shapes-class.yaml) trained; then the PyTorch side with torch.compile
#   4. OUT/run.log (everything), OUT/results.json (figures, ours/PyTorch ratios), OUT/shapes-class-final.png
#
# --device cpu --quick rehearses all of it on a CPU machine with small sizes (the PyTorch of --python,
# e.g. Debian's python3-torch, with a libdjl_torch.so compiled for it).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
payload="$root/gpu/payload"
out="${OUT:-$root/gpu/out}"
budget=420
python=python3
device=gpu
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --budget) budget="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
exec > >(tee -a "$out/run.log") 2>&1
t0=$(date +%s)
elapsed() { echo $(( $(date +%s) - t0 )); }
say() { printf '[%4ss] %s\n' "$(elapsed)" "$*"; }
work="${TMPDIR:-/tmp}/mdm-gpu-work"
rm -rf "$work"; mkdir -p "$work"
phases="$work/phases.tsv"; : > "$phases"

# phase NAME CAP_SECONDS COMMAND...: runs within what is left of the budget (keeping 15 s for the report),
# output into the log and $work/NAME.log; status and seconds into phases.tsv
phase() {
  local name="$1" cap="$2"; shift 2
  local left=$(( budget - $(elapsed) - 15 ))
  local limit=$(( cap < left ? cap : left ))
  if [ "$limit" -lt 10 ]; then
    say "phase $name skipped: ${left}s of the budget left"
    printf '%s\tskipped\t0\t%s\n' "$name" "$limit" >> "$phases"
    return 1
  fi
  say "phase $name (at most ${limit}s): $*"
  local s=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$work/$name.log"
  local rc=${PIPESTATUS[0]}
  local d=$(( $(date +%s) - s ))
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && say "phase $name stopped at its limit (${limit}s)"
  say "phase $name: exit $rc in ${d}s"
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$d" "$limit" >> "$phases"
  return "$rc"
}

say "mdm-osgi GPU run: device $device, budget ${budget}s, quick $quick, $(git -C "$root" log -1 --format='%h %s' 2>/dev/null)"
cat "$payload/MANIFEST" 2>/dev/null
[ -d "$payload/mdm" ] || { say "no gpu/payload/mdm: run gpu/prepare.sh first and carry gpu/payload"; exit 1; }
say "java on this machine: $(command -v java || echo none); using the payload's jlink runtime"
jre="$work/jre"
tar -xJf "$payload/jre.tar.xz" -C "$work" || { say "cannot unpack the Java runtime"; exit 1; }
"$jre/bin/java" -version 2>&1 | head -1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

# --- the PyTorch of this machine --------------------------------------------------------------------
eval "$("$python" - <<'EOF'
import glob, os, re, sys, torch
lib = os.path.join(os.path.dirname(torch.__file__), "lib")
site = os.path.dirname(os.path.dirname(torch.__file__))
cudart = sorted(glob.glob(os.path.join(site, "nvidia", "**", "libcudart.so*"), recursive=True))
print(f"torch_full={torch.__version__!r}")
release = re.match(r"\d+\.\d+\.\d+", torch.__version__).group(0)
print(f"torch_version={release!r}")
print(f"torch_lib={lib!r}")
print(f"torch_cuda={(torch.version.cuda or '')!r}")
print(f"cuda_ok={int(torch.cuda.is_available())}")
print(f"gpu_name={(torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')!r}")
print(f"cudart_dir={(os.path.dirname(cudart[0]) if cudart else '')!r}")
EOF
)" || { say "$python has no working torch"; exit 1; }
say "PyTorch $torch_full at $torch_lib (CUDA ${torch_cuda:-none}, available $cuda_ok, GPU '${gpu_name}', cudart '${cudart_dir}')"
if [ "$device" = gpu ]; then
  [ "$cuda_ok" = 1 ] || { say "torch sees no CUDA device: nothing to measure"; exit 1; }
  flavor="cu$(echo "$torch_cuda" | tr -d . | cut -c1-3)"
  ref_device=cuda
else
  flavor=cpu
  ref_device=cpu
fi

# --- libdjl_torch.so for this PyTorch ----------------------------------------------------------------
jni="$payload/jni"
if [ -f "$jni/libdjl_torch.so" ] && grep -qx "torch_full_version=$torch_full" "$jni/djl_torch.properties" 2>/dev/null; then
  say "reusing the libdjl_torch.so of the payload (built $(sed -n 's/^built=//p' "$jni/djl_torch.properties"))"
  printf 'jni\treused\t0\t0\n' >> "$phases"
else
  jni="$work/jni"
  jni_cap=300
  [ "$quick" = 1 ] && jni_cap=1500  # two shared cores compile for ten minutes, sixteen for one
  phase jni "$jni_cap" bash "$root/gpu/build-jni.sh" --python "$python" --java-home "$jre" --header "$payload/include" \
    --out "$jni" --build "$work/jni-build" || { say "no libdjl_torch.so: see above"; }
  if [ -f "$jni/libdjl_torch.so" ]; then
    cp "$jni/libdjl_torch.so" "$jni/djl_torch.properties" "$out/"
    say "OUT/libdjl_torch.so: carry it as gpu/payload/jni/ next time to skip the build"
  fi
fi
# DJL looks for the JNI library in the libtorch folder and in its engine cache; the cache leaves site-packages alone
cache="$work/mdm-work/djl-cache"
jni_home="$cache/pytorch/$torch_version-$flavor-linux-x86_64"
mkdir -p "$jni_home"
[ -f "$jni/libdjl_torch.so" ] && cp "$jni/libdjl_torch.so" "$jni_home/0.33.0-libdjl_torch.so" \
  && cp "$jni/djl_torch.properties" "$jni_home/"

export PYTORCH_LIBRARY_PATH="$torch_lib" PYTORCH_VERSION="$torch_version" PYTORCH_FLAVOR="$flavor"
export JAVA_HOME="$jre" MDM_HOME="$payload/mdm" MDM_WORK="$work/mdm-work"
jna="${cudart_dir:+-Djna.library.path=$cudart_dir}"
export MDM_JAVA_OPTS="-Xmx24g $jna"
say "PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH PYTORCH_VERSION=$PYTORCH_VERSION PYTORCH_FLAVOR=$PYTORCH_FLAVOR"
mdm=("$root/mdm" --device "$device")
cd "$root"

if [ "$quick" = 1 ]; then
  # ml-mdm's 64² model takes minutes per step on a CPU: the YAML path is rehearsed with the unet32 YAML
  tiny="2"; big="1"; big_yaml=samples/bench/unet32.yaml; repeats=1; sst=2; train="--steps 12"
  ref_steps="--steps 2 --warmup 1 --fwd-steps 1 --sampling-steps 2"
else
  tiny="64,256"; big="8,32"; big_yaml=samples/bench/ml-mdm-64.yaml; repeats=5; sst=10; train=""
  ref_steps="--steps 10 --warmup 3 --fwd-steps 5 --sampling-steps 10"
fi

phase version 60 "${mdm[@]}" mdm:version

parity_tests=(ForwardParityTest#unet32 ForwardParityTest#nested32 ForwardParityTest#intermediatesOfTheTextCase
  TrainStepParityTest#nested32 TrainStepParityTest#unet32)
# the parity tests' class path: their jars, those of the runtime assembly, DJL's from the mdm.djl bundle
"$python" - "$payload"/mdm/repository/mdm.djl-*.jar "$work/djl-jars" <<'EOF'
import os, sys, zipfile
os.makedirs(sys.argv[2], exist_ok=True)
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if n.startswith("lib/") and n.endswith(".jar") and not os.path.basename(n).startswith("slf4j-"):
            with open(os.path.join(sys.argv[2], os.path.basename(n)), "wb") as f:
                f.write(z.read(n))
EOF
cp="$payload/testlib/*:$work/djl-jars/*"
while read -r jar; do [ -n "$jar" ] && cp="$cp:$payload/$jar"; done < "$payload/testlib/classpath.txt"
selectors=()
for t in "${parity_tests[@]}"; do selectors+=("--select-method=mdm.nn.unet.$t"); done
phase parity 150 env NVIDIA_TF32_OVERRIDE=0 "$jre/bin/java" -Xmx16g $jna -Dmdm.device="$device" \
  -Dmdm.testdata="$root/testdata" -DDJL_CACHE_DIR="$cache" -DENGINE_CACHE_DIR="$cache" -Dai.djl.offline=true \
  -cp "$cp" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --disable-ansi-colors "${selectors[@]}"

# ml-mdm's 64² model first: ours / PyTorch eager on its training step is the figure that matters
phase bench_64 150 "${mdm[@]}" mdm:bench --batches "$big" --repeats "$repeats" --sampling-steps "$sst" "$big_yaml"
phase bench_tiny 120 "${mdm[@]}" mdm:bench --batches "$tiny" --repeats "$repeats" --sampling-steps "$sst" \
  samples/bench/nested32.yaml samples/bench/unet32.yaml

ref=()
if [ -d "$payload/reference/refharness" ]; then
  export MLMDM_ROOT="$payload/reference/ml-mdm-matryoshka"
  ref=(env PYTHONUNBUFFERED=1 "$python" "$root/gpu/bench_reference.py" --device "$ref_device" --refharness "$payload/reference/refharness"
       --models "$big_yaml:$big" "nested32:$tiny" "unet32:$tiny" $ref_steps)
  phase ref_eager 150 "${ref[@]}" --modes eager --out "$work/ref_eager.json"
else
  say "no reference code in the payload: the PyTorch side is not measured"
fi

phase train 240 "${mdm[@]}" mdm:train samples/shapes-class.yaml --wait $train
final="$work/mdm-work/runs/shapes-class/samples/final.png"
[ -f "$final" ] && cp "$final" "$out/shapes-class-final.png"

if [ "${#ref[@]}" -gt 0 ]; then
  left=$(( budget - $(elapsed) - 20 ))
  phase ref_compile 200 "${ref[@]}" --modes compile --budget "$(( left > 30 ? left - 30 : 1 ))" \
    --out "$work/ref_compile.json"
fi

say "report"
"$python" "$root/gpu/report.py" --work "$work" --device "$device" --budget "$budget" --elapsed "$(elapsed)" \
  --out "$out/results.json" || say "the report failed (the log has everything)"
say "done in $(elapsed)s; OUT: $(ls "$out" | tr '\n' ' ')"
