package mdm.core.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mdm.api.MdmException;

/**
 * Where DJL's PyTorch engine will take libtorch and its JNI library ({@code libdjl_torch.so}) from,
 * worked out the way DJL 0.33's {@code LibUtils} does it, before the engine loads anything: so that a
 * missing or mismatched native becomes one error that names what was looked for and how to provide
 * it, instead of DJL's attempt to download natives (refused offline) or a silent use of the bundled
 * CPU natives.
 *
 * <p>DJL's rules: {@code PYTORCH_LIBRARY_PATH} (environment first, then system property) lists folders;
 * the first one holding {@code libtorch.so} is used and every library in it is loaded. The JNI
 * library is then looked for in that folder ({@code <djl>-libdjl_torch.so}, {@code libdjl_torch.so})
 * and in the engine cache ({@code <cache>/pytorch/<PYTORCH_VERSION>-<PYTORCH_FLAVOR>-linux-x86_64/
 * <djl>-libdjl_torch.so}); failing that, the one of DJL's pytorch-jni jar is used only when its
 * {@code jni_version} starts with {@code <PYTORCH_VERSION>-<djl>}, else DJL downloads one. Without
 * {@code PYTORCH_LIBRARY_PATH} the natives of the pytorch-native jar are extracted into the cache.
 */
public final class TorchNatives {
    public static final String LIBRARY_PATH = "PYTORCH_LIBRARY_PATH";
    public static final String VERSION = "PYTORCH_VERSION";
    public static final String FLAVOR = "PYTORCH_FLAVOR";
    static final String LIBTORCH = "libtorch.so";
    static final String JNI = "libdjl_torch.so";
    static final String JNI_STAMP = "djl_torch.properties";
    static final String CLASSIFIER = "linux-x86_64";
    private static final Pattern RELEASE = Pattern.compile("(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern PY_VERSION = Pattern.compile("__version__\\s*=\\s*['\"]([^'\"]+)['\"]");
    private static final String HOW = "Set " + LIBRARY_PATH + " to the folder holding libtorch.so and a " + JNI
            + " built for that PyTorch (gpu/build-jni.sh), " + VERSION + " to its version (e.g. 2.11.0) and "
            + FLAVOR + " to cpu or cu<CUDA version> (e.g. cu130); see 'GPU with your own PyTorch' in README.md.";

    private final String djlVersion;
    private final String libraryPath;
    private final List<String> searched = new ArrayList<>();
    private final Path folder;
    private final String version;
    private final String flavor;
    private final String folderVersion;
    private final Properties bundledNatives;
    private final String bundledJni;
    private final List<Path> jniCandidates = new ArrayList<>();
    private final Path jni;
    private final Properties jniStamp;

    private TorchNatives(Function<String, String> settings, Path engineCache, ClassLoader djl, String djlVersion,
            Function<Boolean, String> autoFlavor) {
        this.djlVersion = djlVersion;
        this.bundledNatives = properties(djl, "native/lib/pytorch.properties");
        Properties jniProps = properties(djl, "jnilib/pytorch.properties");
        this.bundledJni = jniProps == null ? null : jniProps.getProperty("jni_version");
        this.libraryPath = blankToNull(settings.apply(LIBRARY_PATH));
        this.folder = libraryPath == null ? null : findLibtorch(libraryPath);
        this.folderVersion = folder == null ? null : pythonPackageVersion(folder);
        String v = blankToNull(settings.apply(VERSION));
        if (v == null && bundledNatives != null) {
            v = bundledNatives.getProperty("version");
        }
        this.version = v;
        String f = blankToNull(settings.apply(FLAVOR));
        this.flavor = f != null || folder == null ? f : autoFlavor.apply(true);
        this.jni = folder == null || version == null ? null : findJni(engineCache);
        this.jniStamp = jni == null ? null : stamp(jni.resolveSibling(JNI_STAMP));
    }

    /**
     * The natives DJL will load with the current environment and system properties.
     *
     * @param engineCache DJL's engine cache folder (ENGINE_CACHE_DIR)
     * @param djl         the class loader DJL's resources are found with (the mdm.djl bundle's)
     * @param djlVersion  DJL's version, e.g. 0.33.0
     */
    public static TorchNatives inspect(Path engineCache, ClassLoader djl, String djlVersion) {
        return inspect(TorchNatives::envOrProperty, engineCache, djl, djlVersion, cuda -> DjlCuda.autoFlavor());
    }

    /** The natives of the engine started in this JVM (same settings, DJL's cache folder and class loader). */
    public static TorchNatives current(String djlVersion) {
        String cache = envOrProperty("ENGINE_CACHE_DIR");
        return inspect(cache == null ? Path.of("djl-cache") : Path.of(cache), ai.djl.engine.Engine.class.getClassLoader(),
                djlVersion);
    }

    /** As DJL reads its settings: the environment first, then system properties. */
    static String envOrProperty(String name) {
        String env = System.getenv(name);
        return env != null ? env : System.getProperty(name);
    }

    static TorchNatives inspect(Function<String, String> settings, Path engineCache, ClassLoader djl, String djlVersion,
            Function<Boolean, String> autoFlavor) {
        return new TorchNatives(settings, engineCache, djl, djlVersion, autoFlavor);
    }

    /** Whether natives come from PYTORCH_LIBRARY_PATH rather than from the jars. */
    public boolean external() {
        return libraryPath != null;
    }

    /** The folder libtorch is loaded from, or null (bundled natives, or none found). */
    public Path folder() {
        return folder;
    }

    /** The JNI library DJL will load from a folder, or null (DJL's bundled one, or none). */
    public Path jni() {
        return jni;
    }

    /**
     * The folder of the CUDA runtime library a pip-installed PyTorch brings ({@code site-packages/nvidia/…/
     * libcudart.so*}), beside the torch package of {@link #folder()}; null when there is none.
     */
    public Path pipCudaRuntime() {
        if (folder == null || folder.getParent() == null || folder.getParent().getParent() == null) {
            return null;
        }
        Path nvidia = folder.getParent().getParent().resolve("nvidia");
        if (!Files.isDirectory(nvidia)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = Files.find(nvidia, 4,
                (p, a) -> p.getFileName().toString().startsWith("libcudart.so"))) {
            return files.map(Path::getParent).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** One line for mdm:version and error messages. */
    public String describe() {
        if (libraryPath == null) {
            if (bundledNatives == null) {
                return "no PyTorch natives (mdm.djl without natives, " + LIBRARY_PATH + " not set)";
            }
            return "PyTorch " + shortVersion(bundledNatives.getProperty("version")) + " natives bundled in mdm.djl ("
                    + bundledNatives.getProperty("flavor", "?") + ")";
        }
        if (folder == null) {
            return LIBRARY_PATH + "=" + libraryPath + " (no libtorch.so found)";
        }
        return "libtorch " + (folderVersion != null ? folderVersion : version) + " from " + folder + " (" + LIBRARY_PATH
                + "), " + FLAVOR + " " + flavor + ", JNI " + (jni != null ? jni.toString() : "DJL's pytorch-jni " + bundledJni);
    }

    /**
     * Refuses what DJL could not load offline, or would load from elsewhere than the user asked.
     *
     * @throws MdmException naming what was looked for and how to provide it
     */
    public void check() {
        if (libraryPath == null) {
            if (bundledNatives == null) {
                throw new MdmException("this runtime's mdm.djl carries no PyTorch natives (it is mdm.djl.nonatives) and "
                        + LIBRARY_PATH + " is not set. " + HOW + " Or build the runtime without -Pown-pytorch.");
            }
            return;
        }
        if (folder == null) {
            throw new MdmException(LIBRARY_PATH + "=" + libraryPath + " names no folder holding libtorch.so: "
                    + String.join("; ", searched) + ". DJL would quietly use other natives instead. " + HOW
                    + " For a pip-installed PyTorch the folder is printed by: python3 -c \"import torch, os; "
                    + "print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\"");
        }
        if (version == null) {
            throw new MdmException(VERSION + " is not set: set it to the version of the libtorch in " + folder
                    + (folderVersion != null ? " (" + shortVersion(folderVersion) + ", says " + folder.resolveSibling("version.py")
                    + ")" : " (e.g. 2.11.0)") + ". " + HOW);
        }
        if (folderVersion != null && !shortVersion(folderVersion).equals(shortVersion(version))) {
            throw new MdmException(VERSION + "=" + version + ", but the libtorch in " + folder + " is " + folderVersion + " ("
                    + folder.resolveSibling("version.py") + "). Set " + VERSION + "=" + shortVersion(folderVersion)
                    + " and use a " + JNI + " built for it.");
        }
        if (jni == null) {
            String looked = "looked for " + jniCandidates.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("");
            if (bundledJni == null) {
                throw new MdmException("no " + JNI + " for PyTorch " + version + " (" + FLAVOR + " " + flavor + "): " + looked
                        + ". Build it against the PyTorch in " + folder + " with gpu/build-jni.sh and put it into " + folder
                        + ". " + HOW);
            }
            if (!bundledJni.startsWith(shortVersion(version) + "-" + djlVersion)) {
                throw new MdmException("DJL's JNI version check: the " + JNI + " that comes with DJL (pytorch-jni "
                        + bundledJni + ") is built for PyTorch " + bundledJni.split("-")[0] + ", but " + VERSION + " is "
                        + version + "; DJL would try to download a matching one, which this offline runtime refuses. "
                        + looked + ". Build " + JNI + " against the PyTorch in " + folder + " with gpu/build-jni.sh and "
                        + "put it into " + folder + ". " + HOW);
            }
            return;
        }
        if (jniStamp != null) {
            String builtFor = jniStamp.getProperty("torch_version");
            if (builtFor != null && !shortVersion(builtFor).equals(shortVersion(version))) {
                throw new MdmException(jni + " was built for PyTorch " + builtFor + " (" + jni.resolveSibling(JNI_STAMP)
                        + "), but " + VERSION + " is " + version + ": a JNI library only fits the PyTorch it was compiled "
                        + "against. Rebuild it with gpu/build-jni.sh against the PyTorch in " + folder + ".");
            }
            String builtDjl = jniStamp.getProperty("djl_version");
            if (builtDjl != null && !builtDjl.equals(djlVersion)) {
                throw new MdmException(jni + " was built from DJL " + builtDjl + "'s sources, but this runtime runs DJL "
                        + djlVersion + ". Rebuild it with gpu/build-jni.sh.");
            }
        }
    }

    /**
     * DJL's failure to start the engine, in plain words.
     *
     * @param failure what {@code Engine.getEngine} threw
     */
    public MdmException explain(Throwable failure) {
        String where = describe();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof UnsatisfiedLinkError) {
                Matcher symbol = Pattern.compile("undefined symbol: (\\S+)").matcher(m);
                if (symbol.find() && m.contains(JNI)) {
                    return new MdmException("the JNI library " + (jni != null ? jni : JNI) + " does not fit the libtorch it "
                            + "was loaded with (" + where + "): it needs " + symbol.group(1) + ", which that libtorch lacks, "
                            + "so it was built against another PyTorch than " + version + ". Rebuild it with "
                            + "gpu/build-jni.sh against this one.", failure);
                }
                return new MdmException("a PyTorch native library did not load (" + where + "): " + m + ". " + HOW, failure);
            }
            if (m.contains("Cannot download jni") || m.contains("Failed to download") || m.contains("ffline")) {
                return new MdmException("DJL found no " + JNI + " matching PyTorch " + version + " (" + where + ") and tried "
                        + "to download one, which this offline runtime refuses. " + HOW, failure);
            }
        }
        return new MdmException("the PyTorch engine did not start (" + where + "): " + failure.getMessage(), failure);
    }

    /**
     * Why no GPU is seen and how to get one, for a GPU asked for while the engine sees none.
     *
     * @param cudaInLibtorch whether the loaded libtorch reports CUDA support
     */
    public String gpuHint(boolean cudaInLibtorch) {
        StringBuilder s = new StringBuilder("Natives: ").append(describe()).append(". ");
        if (libraryPath == null) {
            s.append("For a GPU, build with 'mvn -Pcuda install' (CUDA 12.4 natives, needs a driver for CUDA 12.4), or use "
                    + "your own CUDA PyTorch: build the runtime with -Pown-pytorch (or swap in mdm.djl.nonatives), then: ").append(HOW);
        } else if (folder != null && !Files.exists(folder.resolve("libtorch_cuda.so"))) {
            s.append("There is no libtorch_cuda.so in ").append(folder).append(": that is a CPU build of PyTorch. ").append(HOW);
        } else if (flavor == null || !flavor.contains("cu")) {
            s.append(FLAVOR).append(" is ").append(flavor).append(": set it to cu<CUDA version> (e.g. cu130) so that DJL "
                    + "loads the CUDA libraries of ").append(folder).append('.');
        } else if (!cudaInLibtorch) {
            s.append("libtorch reports no CUDA: check nvidia-smi and that the CUDA libraries libtorch_cuda.so needs load.");
        } else {
            s.append("libtorch has CUDA, but DJL counts devices with the CUDA runtime (libcudart) through JNA and found none"
                    + " (jna.library.path ").append(System.getProperty("jna.library.path")).append("): put the folder "
                    + "with libcudart.so* on LD_LIBRARY_PATH or in -Djna.library.path, and check nvidia-smi.");
        }
        return s.toString();
    }

    // --- the lookups, as DJL makes them ------------------------------------------------------------------

    private Path findLibtorch(String paths) {
        for (String entry : paths.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                searched.add(entry + ": does not exist");
            } else if (Files.isRegularFile(p) && p.getFileName().toString().equals(LIBTORCH)) {
                return p.toAbsolutePath().getParent();
            } else if (Files.isRegularFile(p.resolve(LIBTORCH))) {
                return p.toAbsolutePath();
            } else {
                searched.add(entry + ": no libtorch.so in it");
            }
        }
        return null;
    }

    private Path findJni(Path engineCache) {
        jniCandidates.add(folder.resolve(djlVersion + "-" + JNI));
        jniCandidates.add(folder.resolve(JNI));
        jniCandidates.add(engineCache.resolve("pytorch").resolve(version + "-" + flavor + "-" + CLASSIFIER)
                .resolve(djlVersion + "-" + JNI));
        return jniCandidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** A pip or Debian PyTorch keeps its lib folder beside version.py. */
    private static String pythonPackageVersion(Path lib) {
        Path file = lib.resolveSibling("version.py");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Matcher m = PY_VERSION.matcher(Files.readString(file));
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** 2.11.0+cu130 → 2.11.0, 2.5.1-20241113 → 2.5.1, 1.13.0a0 → 1.13.0 (the release DJL's names use). */
    static String shortVersion(String v) {
        if (v == null) {
            return null;
        }
        Matcher m = RELEASE.matcher(v);
        return m.lookingAt() ? m.group(1) : v;
    }

    private static Properties properties(ClassLoader loader, String resource) {
        URL url = loader == null ? null : loader.getResource(resource);
        if (url == null) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }

    private static Properties stamp(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
