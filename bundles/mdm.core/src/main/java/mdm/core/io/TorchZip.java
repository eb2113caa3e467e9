package mdm.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import mdm.api.MdmException;

/**
 * PyTorch's zip serialization ({@code torch.save} since 1.6: {@code <name>/data.pkl}, one {@code <name>/data/<key>}
 * entry per storage, optional {@code <name>/byteorder}). The pickle goes through a restricted unpickler that
 * refuses anything but tensors, storages and ordered dicts; tensors are materialised from their storages with
 * their offsets and strides, so views and shared storages come out as PyTorch would show them.
 */
public final class TorchZip {
    private static final int SHOWN = 8;

    private TorchZip() {
    }

    /**
     * The state dict of a {@code torch.save} file, like {@code torch.load(f, weights_only=True)}: the file must
     * hold a flat dict name → tensor, or a dict whose {@code state_dict} entry is one (other entries plain
     * values). Any other global is refused before it is constructed.
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (ZipFile zip = ZipArchives.open(file)) {
            Archive archive = Archive.of(file, zip);
            Object root = archive.unpickle(PickleGlobals.Policy.WEIGHTS_ONLY, new LinkedHashSet<>());
            return archive.materialise(stateDict(file, root), manager);
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@code state_dict} entry of an ml-mdm checkpoint (or the whole file, if it is a plain state dict).
     * Classes the file pickles elsewhere (argparse {@code Namespace}, ml-mdm config dataclasses and enums under
     * legacy module names) become inert names: never constructed or called, listed in
     * {@link MlMdmCheckpoint#skippedGlobals()}. Only the state dict's tensors are read from the archive.
     */
    public static MlMdmCheckpoint readMlMdmCheckpoint(Path file, NDManager manager) {
        try (ZipFile zip = ZipArchives.open(file)) {
            Archive archive = Archive.of(file, zip);
            Set<String> skipped = new LinkedHashSet<>();
            Object root = archive.unpickle(PickleGlobals.Policy.INERT_UNKNOWN, skipped);
            if (!(root instanceof Map<?, ?> top)) {
                throw new MdmException(file + " holds " + PickleGlobals.describe(root)
                        + ", not an ml-mdm checkpoint dict or a state dict");
            }
            Map<String, TorchRefs.Tensor> tensors;
            Map<String, Object> scalars = new LinkedHashMap<>();
            if (top.get("state_dict") instanceof Map<?, ?> inner) {
                tensors = tensorsOnly(file + " entry 'state_dict'", inner);
                top.forEach((k, v) -> {
                    if (k instanceof String key && (v instanceof Number || v instanceof String
                            || v instanceof Boolean)) {
                        scalars.put(key, v);
                    }
                });
            } else {
                tensors = tensorsOnly(file.toString(), top);
            }
            Map<String, NDArray> stateDict = archive.materialise(tensors, manager);
            return new MlMdmCheckpoint(stateDict, scalars, List.copyOf(skipped));
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, TorchRefs.Tensor> stateDict(Path file, Object root) {
        if (root instanceof Map<?, ?> top) {
            if (top.get("state_dict") instanceof Map<?, ?> inner && !allTensors(top)) {
                return tensorsOnly(file + " entry 'state_dict'", inner);
            }
            return tensorsOnly(file.toString(), top);
        }
        throw new MdmException(file + " holds " + PickleGlobals.describe(root) + ", not a state dict "
                + "(a dict of name → tensor)");
    }

    private static boolean allTensors(Map<?, ?> map) {
        return map.values().stream().allMatch(v -> v instanceof TorchRefs.Tensor);
    }

    private static Map<String, TorchRefs.Tensor> tensorsOnly(String where, Map<?, ?> map) {
        Map<String, TorchRefs.Tensor> tensors = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        map.forEach((k, v) -> {
            if (k instanceof String key && v instanceof TorchRefs.Tensor t) {
                tensors.put(key, t);
            } else {
                others.add(k + " (" + PickleGlobals.describe(v) + ")");
            }
        });
        if (!others.isEmpty()) {
            throw new MdmException(where + " is not a state dict: " + others.size() + " entr"
                    + (others.size() == 1 ? "y is" : "ies are") + " not name → tensor: "
                    + String.join(", ", others.subList(0, Math.min(SHOWN, others.size())))
                    + (others.size() > SHOWN ? ", … (" + (others.size() - SHOWN) + " more)" : ""));
        }
        return tensors;
    }

    /** One open archive: where its records live and how its storages are read. */
    private record Archive(Path file, ZipFile zip, String prefix, ByteOrder order) {
        static Archive of(Path file, ZipFile zip) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                    if (prefix != null) {
                        throw new MdmException(file + " holds several torch.save records (" + prefix
                                + "data.pkl, " + name + "); expected one");
                    }
                    prefix = name.substring(0, slash + 1);
                }
            }
            if (prefix == null) {
                throw new MdmException(file + " is a zip archive without <name>/data.pkl: not a torch.save file");
            }
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (byteorder != null) {
                String text = new String(ZipArchives.readEntry(file, zip, byteorder), StandardCharsets.US_ASCII)
                        .trim();
                if (text.equals("big")) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (!text.equals("little")) {
                    throw new MdmException(file + ": unknown byte order '" + text + "' in " + byteorder.getName());
                }
            }
            return new Archive(file, zip, prefix, order);
        }

        Object unpickle(PickleGlobals.Policy policy, Set<String> inertNames) {
            String where = file + " entry '" + prefix + "data.pkl'";
            byte[] pickle = ZipArchives.readEntry(file, zip, zip.getEntry(prefix + "data.pkl"));
            return new TorchUnpickler(new PickleGlobals(policy, where, inertNames), where).read(pickle);
        }

        /** The tensors as arrays in {@code manager}; each storage is read once and dropped after its last use. */
        Map<String, NDArray> materialise(Map<String, TorchRefs.Tensor> tensors, NDManager manager) {
            Map<String, Integer> uses = new HashMap<>();
            tensors.values().forEach(t -> uses.merge(t.storage().key(), 1, Integer::sum));
            Map<String, byte[]> cache = new HashMap<>();
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            boolean complete = false;
            try {
                for (Map.Entry<String, TorchRefs.Tensor> e : tensors.entrySet()) {
                    TorchRefs.Storage storage = e.getValue().storage();
                    byte[] bytes = cache.computeIfAbsent(storage.key(), k -> storageBytes(storage));
                    if (uses.merge(storage.key(), -1, Integer::sum) == 0) {
                        cache.remove(storage.key());
                    }
                    NDArray array = tensor(e.getKey(), e.getValue(), bytes, manager);
                    array.setName(e.getKey());
                    arrays.put(e.getKey(), array);
                }
                complete = true;
                return arrays;
            } finally {
                if (!complete) {
                    arrays.values().forEach(NDArray::close);
                }
            }
        }

        private byte[] storageBytes(TorchRefs.Storage storage) {
            String name = prefix + "data/" + storage.key();
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new MdmException(file + " is corrupt: storage entry '" + name + "' is missing");
            }
            byte[] bytes = ZipArchives.readEntry(file, zip, entry);
            long declared = storage.numel() * storage.kind().elementBytes();
            if (bytes.length < declared) {
                throw new MdmException(file + " is truncated or corrupt: entry '" + name + "' has " + bytes.length
                        + " bytes, its storage declares " + storage.numel() + " × " + storage.kind().name()
                        + " (" + declared + " bytes)");
            }
            return bytes;
        }

        private NDArray tensor(String key, TorchRefs.Tensor t, byte[] storage, NDManager manager) {
            String where = file + ": tensor '" + key + "' (entry '" + prefix + "data/" + t.storage().key() + "')";
            long[] shape = t.shape();
            long[] stride = t.stride();
            int item = t.type().fileBytes;
            if (stride.length != shape.length || t.offset() < 0) {
                throw new MdmException(where + " has inconsistent size " + Arrays.toString(shape)
                        + ", stride " + Arrays.toString(stride) + ", offset " + t.offset());
            }
            long numel = 1;
            long last = t.offset();
            boolean contiguous = true;
            long expectedStride = 1;
            try {
                for (int i = shape.length - 1; i >= 0; i--) {
                    if (shape[i] < 0 || stride[i] < 0) {
                        throw new MdmException(where + " has a negative size or stride");
                    }
                    numel = Math.multiplyExact(numel, shape[i]);
                    if (shape[i] > 0) {
                        last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                    }
                    contiguous &= shape[i] == 1 || stride[i] == expectedStride;
                    expectedStride = Math.multiplyExact(expectedStride, shape[i]);
                }
                Math.multiplyExact(Math.max(numel, last + 1), (long) item);
            } catch (ArithmeticException e) {
                throw new MdmException(where + " has size " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                        + " and offset " + t.offset() + ", too large to address (they overflow 64 bits); the file is corrupt");
            }
            Shape s = new Shape(shape);
            if (numel == 0) {
                return manager.zeros(s, t.type().loaded);
            }
            long available = storage.length / item;
            if (last >= available) {
                throw new MdmException(where + " reaches element " + last + " of a storage of " + available + " "
                        + t.type() + " elements: the file is corrupt");
            }
            try {
                if (contiguous) {
                    return TensorBytes.fromBytes(manager, storage, Math.toIntExact(t.offset() * item), t.type(), s, order);
                }
                byte[] packed = TensorBytes.gather(storage, t.offset(), shape, stride, item);
                return TensorBytes.fromBytes(manager, packed, 0, t.type(), s, order);
            } catch (ArithmeticException overflow) {
                throw TensorBytes.tooLarge(where, s, t.type());
            }
        }
    }
}
