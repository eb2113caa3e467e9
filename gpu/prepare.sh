#!/usr/bin/env bash
# Prepares, on a machine with a JDK and Maven, what a CUDA machine with its own PyTorch (and no JDK) needs
# to run mdm-osgi: gpu/payload/ (git-ignored), which travels with the repository's tracked tree.
#
#   gpu/prepare.sh [--no-build] [--mlmdm DIR] [--refharness DIR]
#
#   payload/jre.tar.xz        a jlink Java runtime (with include/jni.h for compiling the JNI library)
#   payload/mdm/              the runtime assembly (runtime/target/mdm) with mdm.djl.nonatives as mdm.djl:
#                             no PyTorch natives inside, the engine loads them from PYTORCH_LIBRARY_PATH
#   payload/testlib/          the parity tests of mdm.nn (test classes + their jars, natives excluded) and
#                             the JUnit console launcher, to run them with that runtime
#   payload/include/          the JNI header of DJL 0.33.0's PyTorchLibrary.java (javac -h on its -sources jar)
#   payload/reference/        apple/ml-mdm's ml_mdm package and the refharness (mdm_tiny.py, stubs/), for
#                             gpu/bench_reference.py
#   payload/jni/              kept if present: a libdjl_torch.so built by an earlier run (gpu/run.sh returns it)
# DJL's JNI C++ sources are tracked in gpu/djl-jni. Prints the size of what travels.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
payload="$root/gpu/payload"
build=1
mlmdm="${MLMDM_ROOT:-}"
refharness="${REFHARNESS:-$root/../shared/refharness}"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --mlmdm) mlmdm="$2"; shift 2 ;;
    --refharness) refharness="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "prepare: unknown option $1" >&2; exit 2 ;;
  esac
done
step() { echo "prepare: $*" >&2; }
fail() { echo "prepare: $*" >&2; exit 1; }
djl_version="$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$root/pom.xml")"
version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml")"
mvn_repo() { (cd "$root" && mvn -B -q help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null \
  | sed 's/\x1b\[[0-9;]*m//g' | tail -1); }

if [ "$build" = 1 ]; then
  step "building the runtime and the bundles (mvn -B -q install -DskipTests) ..."
  (cd "$root" && mvn -B -q install -DskipTests)
fi
[ -f "$root/runtime/target/mdm/lib/mdm-launcher.jar" ] || fail "no runtime in runtime/target/mdm: run without --no-build"
repo="$(mvn_repo)"
nonatives="$repo/mdm/mdm.djl.nonatives/$version/mdm.djl.nonatives-$version.jar"
[ -f "$nonatives" ] || fail "no $nonatives: build bundles/mdm.djl.nonatives (mvn install)"

keep_jni=""
if [ -f "$payload/jni/libdjl_torch.so" ]; then
  keep_jni="$(mktemp -d)"; cp -r "$payload/jni/." "$keep_jni/"
fi
rm -rf "$payload"; mkdir -p "$payload"
[ -n "$keep_jni" ] && mkdir -p "$payload/jni" && cp -r "$keep_jni/." "$payload/jni/" && rm -rf "$keep_jni" \
  && step "kept the earlier libdjl_torch.so ($(sed -n 's/^torch_full_version=//p' "$payload/jni/djl_torch.properties" 2>/dev/null))"

# --- the runtime assembly, with DJL's Java side only --------------------------------------------------
step "runtime assembly with mdm.djl.nonatives"
cp -r "$root/runtime/target/mdm" "$payload/mdm"
cp "$nonatives" "$payload/mdm/repository/mdm.djl-$version.jar"

# --- a Java runtime -------------------------------------------------------------------------------------
step "jlink runtime"
jlink --add-modules java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --compress=0 --output "$payload/jre"
[ -f "$payload/jre/include/jni.h" ] || fail "the jlink runtime has no include/jni.h"
(cd "$payload" && tar -cJf jre.tar.xz jre && rm -rf jre)

# --- the parity tests and what they need, natives excluded --------------------------------------------
step "parity tests (mdm.nn test classes + class path)"
mkdir -p "$payload/testlib"
(cd "$root" && mvn -B -q -pl bundles/mdm.nn dependency:copy-dependencies -DincludeScope=test \
  -DoutputDirectory="$payload/testlib" -DexcludeArtifactIds=pytorch-jni,pytorch-native-cpu,pytorch-native-cu124 \
  -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian)
cp "$root/bundles/mdm.nn/target/mdm.nn-$version.jar" "$payload/testlib/"
jar cf "$payload/testlib/mdm.nn-$version-tests.jar" -C "$root/bundles/mdm.nn/target/test-classes" .
# the console launcher of the JUnit the build uses (root pom: junit5.version; Platform and Jupiter share it since 6)
(cd "$root" && mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:6.1.3 \
  -DoutputDirectory="$payload/testlib")
# jars the runtime assembly already carries are taken from there (testlib/classpath.txt); DJL's own jars
# come out of the mdm.djl bundle at run time (gpu/run.sh)
: > "$payload/testlib/classpath.txt"
for jar in "$payload"/testlib/*.jar; do
  name="$(basename "$jar")"
  for dir in repository lib; do
    if [ -f "$payload/mdm/$dir/$name" ]; then
      echo "mdm/$dir/$name" >> "$payload/testlib/classpath.txt"; rm "$jar"; break
    fi
  done
done
for embedded in "api-$djl_version" "pytorch-engine-$djl_version" gson- jna- commons-io- commons-compress-; do
  rm -f "$payload"/testlib/"$embedded"*.jar
done

# --- the JNI header of DJL's PyTorchLibrary.java --------------------------------------------------------
bash "$root/gpu/build-jni.sh" --make-header "$payload/include"
[ -f "$payload/include/ai_djl_pytorch_jni_PyTorchLibrary.h" ] || fail "javac -h wrote no header"

# --- the reference code for the PyTorch side of the benchmark --------------------------------------------
if [ -n "$mlmdm" ] && [ -d "$mlmdm/ml_mdm" ] && [ -f "$refharness/mdm_tiny.py" ]; then
  step "reference code: $mlmdm/ml_mdm and $refharness"
  mkdir -p "$payload/reference/ml-mdm-matryoshka" "$payload/reference/refharness"
  cp -r "$mlmdm/ml_mdm" "$payload/reference/ml-mdm-matryoshka/"
  find "$payload/reference" -name __pycache__ -prune -exec rm -rf {} +
  cp "$mlmdm/../LICENSE" "$payload/reference/LICENSE" 2>/dev/null || true
  git -C "$mlmdm" rev-parse HEAD > "$payload/reference/ml-mdm-commit.txt" 2>/dev/null || true
  cp "$refharness/mdm_tiny.py" "$payload/reference/refharness/"
  cp -r "$refharness/stubs" "$payload/reference/refharness/"
else
  step "no reference code (set MLMDM_ROOT to apple/ml-mdm's ml-mdm-matryoshka folder and REFHARNESS): the"
  step "PyTorch side of the benchmark will be skipped"
fi

cat > "$payload/MANIFEST" <<EOF
made by gpu/prepare.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo "+changes")
DJL $djl_version, mdm $version, Java $(java -version 2>&1 | head -1)
EOF

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
size() { du -sb "$1" 2>/dev/null | cut -f1 || echo 0; }
tracked="$(cd "$root" && git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)"
untracked="$(cd "$root" && git ls-files -z --others --exclude-standard | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)"
untracked="${untracked:-0}"
carried="$(size "$payload")"
total=$((tracked + untracked + carried))
step "payload $(mib "$carried") MiB: jre.tar.xz $(mib "$(size "$payload/jre.tar.xz")"), mdm $(mib "$(size "$payload/mdm")"),\
 testlib $(mib "$(size "$payload/testlib")"), reference $(mib "$(size "$payload/reference")"), jni $(mib "$(size "$payload/jni")")"
step "what travels: tracked tree $(mib "$tracked") MiB + untracked $(mib "$untracked") MiB + gpu/payload $(mib "$carried") MiB\
 = $(mib "$total") MiB (limit 64 MiB)"
[ "$total" -le $((64 * 1048576)) ] || fail "over the 64 MiB a GPU run can carry"
