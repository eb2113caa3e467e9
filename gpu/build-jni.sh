#!/usr/bin/env bash
# Compiles DJL 0.33.0's JNI library (libdjl_torch.so) against the PyTorch installed for a python3, so that
# DJL's PyTorch engine can run on that PyTorch (PYTORCH_LIBRARY_PATH = its lib folder). Needs CMake, a C++
# compiler, that PyTorch (its headers and CMake package come with the pip wheel), a Java runtime with
# include/jni.h (the jlink runtime of gpu/prepare.sh has it) and, for CUDA builds, nvcc.
#
#   gpu/build-jni.sh [--python python3] [--java-home DIR] [--header DIR] [--out DIR] [--build DIR]
#                    [--cuda auto|on|off] [--jobs N]
#   gpu/build-jni.sh --make-header DIR     (only the JNI header: javac -h on DJL's PyTorchLibrary.java, needs
#                                           a JDK and Maven; gpu/prepare.sh does this for machines without)
#
# Writes OUT/libdjl_torch.so and OUT/djl_torch.properties (torch version, CUDA, flags, patches applied);
# exit status 0 only when the library was built and loads next to that PyTorch's libraries.
# Sources: gpu/djl-jni (DJL v0.33.0, unmodified) + the patches listed in gpu/patches/series that apply to
# this PyTorch version. The JNI header comes from gpu/prepare.sh (javac -h on DJL's PyTorchLibrary.java).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=python3
java_home="${JAVA_HOME:-}"
header=""
out="$PWD/jni"
build="${TMPDIR:-/tmp}/djl-jni-build"
cuda=auto
jobs="$(nproc 2>/dev/null || echo 4)"
make_header=""
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python="$2"; shift 2 ;;
    --java-home) java_home="$2"; shift 2 ;;
    --header) header="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --cuda) cuda="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --make-header) make_header="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-jni: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-jni: $*" >&2; exit 1; }
step() { echo "build-jni: $*" >&2; }

# javac -h on PyTorchLibrary.java of pytorch-engine's -sources jar (Maven Central), DJL's own way (its build.sh)
header_from_sources() {
  local dest="$1" tmp djl
  command -v javac >/dev/null && command -v mvn >/dev/null || fail "making the JNI header needs javac and mvn"
  djl="$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$here/../pom.xml")"
  tmp="$(mktemp -d)"
  (cd "$here/.." && mvn -B -q dependency:copy -Dartifact="ai.djl.pytorch:pytorch-engine:$djl:jar:sources" \
    -DoutputDirectory="$tmp") || fail "cannot get pytorch-engine-$djl-sources.jar"
  mkdir -p "$tmp/src" "$tmp/classes" "$dest"
  (cd "$tmp/src" && unzip -q "../pytorch-engine-$djl-sources.jar")
  javac -h "$dest" -d "$tmp/classes" -sourcepath "$tmp/src" "$tmp/src/ai/djl/pytorch/jni/PyTorchLibrary.java" \
    || fail "javac -h failed"
  rm -rf "$tmp"
  step "JNI header of DJL $djl's PyTorchLibrary.java in $dest"
}
if [ -n "$make_header" ]; then
  header_from_sources "$make_header"
  exit 0
fi

command -v cmake >/dev/null || fail "cmake not found: install CMake 3.18 or newer"
command -v "$python" >/dev/null || fail "no $python: pass --python with the interpreter that has torch"

# --- the PyTorch to build against -------------------------------------------------------------------
info="$("$python" - <<'EOF'
import os, re, torch, torch.utils, torch.utils.cpp_extension as ext
std = 17
try:
    src = open(ext.__file__).read()
    found = [int(x) for x in re.findall(r"-std=c\+\+(\d+)", src)]
    std = max([17] + [x for x in found if x in (17, 20, 23)])
except Exception:
    pass
print("full=" + torch.__version__)
print("version=" + re.match(r"\d+\.\d+\.\d+", torch.__version__).group(0))
print("cmake=" + torch.utils.cmake_prefix_path)
print("lib=" + os.path.join(os.path.dirname(torch.__file__), "lib"))
print("cuda=" + (torch.version.cuda or ""))
print("abi=" + str(int(torch._C._GLIBCXX_USE_CXX11_ABI)))
print("std=" + str(std))
EOF
)" || fail "$python cannot import torch; pass --python with the interpreter that has it"
get() { sed -n "s/^$1=//p" <<<"$info"; }
torch_full="$(get full)"; torch_version="$(get version)"; torch_cmake="$(get cmake)"; torch_lib="$(get lib)"
torch_cuda="$(get cuda)"; cxx_abi="$(get abi)"; cxx_std="$(get std)"
step "PyTorch $torch_full (CUDA ${torch_cuda:-none}, C++$cxx_std, CXX11 ABI $cxx_abi) at $torch_lib"
[ -f "$torch_lib/libtorch.so" ] || fail "no libtorch.so in $torch_lib"

case "$cuda" in
  auto) [ -n "$torch_cuda" ] && use_cuda=1 || use_cuda=0 ;;
  on) [ -n "$torch_cuda" ] || fail "--cuda on, but PyTorch $torch_full is a CPU build"; use_cuda=1 ;;
  off) use_cuda=0 ;;
  *) fail "--cuda must be auto, on or off" ;;
esac

ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# --- JNI headers of a Java runtime -------------------------------------------------------------------
if [ -z "$java_home" ]; then
  javac_path="$(command -v javac || command -v java || true)"
  [ -n "$javac_path" ] && java_home="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
fi
[ -n "$java_home" ] && [ -f "$java_home/include/jni.h" ] \
  || fail "no include/jni.h under '${java_home:-?}': pass --java-home with a JDK, or the jlink runtime of gpu/prepare.sh"
jvm="$(find "$java_home/lib" -name libjvm.so | head -1)"
[ -n "$jvm" ] || fail "no libjvm.so under $java_home/lib"

# --- sources: DJL's, patched for this PyTorch --------------------------------------------------------
src="$build/src"
rm -rf "$src"; mkdir -p "$build"
cp -r "$here/djl-jni" "$src"
applied=()
while read -r min kind patch what; do
  case "$min" in ''|'#'*) continue ;; esac
  ver_ge "$torch_version" "$min" || continue
  [ "$kind" = always ] || continue
  if ! patch -d "$src" -p1 --forward --batch --silent < "$here/patches/$patch"; then
    fail "patch $patch ($what) does not apply to the DJL sources; gpu/djl-jni or the patch was changed"
  fi
  applied+=("$patch")
done < "$here/patches/series"
step "patches for PyTorch $torch_version: ${applied[*]:-none}"

native="$src/engines/pytorch/pytorch-native"
mkdir -p "$native/build/include"
if [ -z "$header" ]; then
  for d in "$here/payload/include"; do
    [ -f "$d/ai_djl_pytorch_jni_PyTorchLibrary.h" ] && header="$d" && break
  done
fi
if [ -z "$header" ] || [ ! -f "$header/ai_djl_pytorch_jni_PyTorchLibrary.h" ]; then
  if command -v javac >/dev/null && command -v mvn >/dev/null; then
    header="$build/include"
    header_from_sources "$header"
  else
    fail "no JNI header ai_djl_pytorch_jni_PyTorchLibrary.h and no JDK + Maven to make it: pass --header DIR (gpu/prepare.sh makes one)"
  fi
fi
cp "$header/ai_djl_pytorch_jni_PyTorchLibrary.h" "$native/build/include/"

# DJL's own switch for the PyTorch 1.13-2.1 API (c10::variant etc.), as its build.sh sets it
pt_define=""
if [[ "$torch_version" =~ ^(1\.13\.|2\.0\.|2\.1\.) ]]; then pt_define=V1_13_X; fi
ver_ge "$torch_version" "1.13.0" || fail "PyTorch $torch_version is older than DJL 0.33's JNI supports (1.13)"

configure() {
  local extra_flags="$1" std="$2"
  local args=(-S "$native" -B "$build/cmake" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH="$torch_cmake" -DPT_VERSION="$pt_define" -DUSE_CUDA="$use_cuda"
    -DCMAKE_CXX_STANDARD="$std" -DCMAKE_CXX_FLAGS="$extra_flags"
    -DJAVA_HOME="$java_home" -DJAVA_INCLUDE_PATH="$java_home/include" -DJAVA_INCLUDE_PATH2="$java_home/include/linux"
    -DJAVA_JVM_LIBRARY="$jvm" -DJAVA_AWT_INCLUDE_PATH=NotNeeded -DJAVA_AWT_LIBRARY=NotNeeded
    # a JNI library needs no CUDA runtime of its own: link only what it calls (libtorch's c10_cuda loads cudart)
    -DCMAKE_SHARED_LINKER_FLAGS="-Wl,--as-needed")
  command -v ninja >/dev/null && args+=(-G Ninja)
  if [ "$use_cuda" = 1 ]; then
    command -v nvcc >/dev/null && args+=(-DCMAKE_CUDA_COMPILER="$(command -v nvcc)")
    # nothing here is compiled for the GPU; this only keeps torch's CMake from probing the device
    args+=(-DTORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}")
  fi
  # shellcheck disable=SC2206
  args+=(${CMAKE_ARGS:-})
  rm -rf "$build/cmake"
  JAVA_HOME="$java_home" cmake "${args[@]}" >"$build/cmake.log" 2>&1 \
    || { tail -40 "$build/cmake.log" >&2; fail "CMake could not configure against PyTorch $torch_full (log: $build/cmake.log)"; }
}

# one build: C++ standard, extra flags; the compiler's output stays in compile-<n>.log
attempts=0
build_with() {
  attempts=$((attempts + 1))
  step "configuring (C++$1, CUDA $use_cuda${2:+, $2}) and compiling with $jobs jobs ..."
  configure "$2" "$1"
  cmake --build "$build/cmake" --config Release -j "$jobs" >"$build/compile-$attempts.log" 2>&1
}

other_std=20
[ "$cxx_std" = 20 ] && other_std=17
flags=""
built=0
for std in "$cxx_std" "$other_std"; do
  flags=""
  if build_with "$std" ""; then built=1; break; fi
  if grep -qE "profiler_legacy|LegacyEvent|enableProfilerLegacy|ProfilerConfig|code_template" "$build/compile-$attempts.log"; then
    # known change: the legacy autograd profiler (only DJL's profiler uses it) is gone from this PyTorch
    step "this PyTorch has no legacy profiler as DJL 0.33 uses it: building with DJL_NO_LEGACY_PROFILER (profiling off)"
    flags="-DDJL_NO_LEGACY_PROFILER"
    if build_with "$std" "$flags"; then built=1; break; fi
  fi
  [ "$std" = "$other_std" ] && break
  # another standard only helps where the compiler complains about language features
  grep -qiE "c\+\+(17|20|2a)|-std=|requires|concept|consteval|constinit|char8_t|std::span|<=>" \
    "$build/compile-$attempts.log" || break
  step "C++$std did not compile, the errors name language features: trying C++$other_std"
done
cxx_std="$std"
lib="$(find "$build/cmake" -maxdepth 2 -name libdjl_torch.so | head -1)"
if [ "$built" != 1 ] || [ -z "$lib" ]; then
  echo "---- first compiler errors (C++$cxx_std; every attempt's log: $build/compile-*.log) ----" >&2
  grep -m 20 -B2 -A6 "error" "$build/compile-1.log" >&2 || tail -60 "$build/compile-1.log" >&2
  fail "libdjl_torch.so did not compile against PyTorch $torch_full. An API DJL 0.33 uses changed in this PyTorch:
add a patch for it to gpu/patches (see gpu/README.md) and list it in gpu/patches/series."
fi

# --- does it load next to this PyTorch? (undefined symbols show here, not in the JVM) -----------------
"$python" - "$lib" <<'EOF' || fail "the built library does not load next to PyTorch $torch_full (see above)"
import ctypes, sys, torch  # importing torch loads libtorch, libc10 and the CUDA libraries
ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
EOF

mkdir -p "$out"
cp "$lib" "$out/libdjl_torch.so"
cat > "$out/djl_torch.properties" <<EOF
# libdjl_torch.so built by gpu/build-jni.sh
djl_version=0.33.0
torch_version=$torch_version
torch_full_version=$torch_full
cuda=${torch_cuda:-none}
cxx_standard=$cxx_std
cxx11_abi=$cxx_abi
extra_flags=$flags
patches=${applied[*]:-}
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
step "built $out/libdjl_torch.so for PyTorch $torch_full"
