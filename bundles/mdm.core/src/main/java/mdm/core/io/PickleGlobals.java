package mdm.core.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.MdmException;

/**
 * The globals a state-dict pickle may name, mirroring PyTorch's {@code weights_only} allow list: ordered dicts,
 * the tensor and parameter rebuild functions, storage classes and dtypes, plus a few pure helpers that pickle
 * protocol 2 itself emits. Each allowed function is our own Java code; nothing is looked up by name.
 */
final class PickleGlobals {
    /** An allowed Python callable, implemented here. */
    @FunctionalInterface
    interface Function {
        Object apply(Object[] args);
    }

    /** What to do with a global that is not on the allow list. */
    enum Policy {
        /** Reject it where it is named, before anything is applied to it. */
        WEIGHTS_ONLY,
        /** Turn it into an inert name (recorded), except modules no checkpoint has reason to name. */
        INERT_UNKNOWN
    }

    /**
     * Never let through, even as inert names: a checkpoint naming these is hostile or broken, and saying so
     * beats silently skipping it.
     */
    private static final Set<String> HOSTILE_MODULES = Set.of("os", "posix", "nt", "subprocess", "sys", "shutil",
            "socket", "importlib", "runpy", "pickle", "_pickle", "marshal", "ctypes", "pty", "code", "codeop",
            "webbrowser", "multiprocessing", "signal", "commands", "popen2", "platform", "asyncio", "types",
            "pdb", "timeit", "ftplib", "http", "urllib", "requests");
    private static final Set<String> HOSTILE_BUILTINS = Set.of("eval", "exec", "execfile", "compile",
            "__import__", "getattr", "setattr", "delattr", "open", "file", "globals", "locals", "vars", "input",
            "breakpoint", "exit", "quit", "help", "apply", "reload", "memoryview", "print");

    private static final Map<String, Object> ALLOWED = new LinkedHashMap<>();

    static {
        ALLOWED.put("collections.OrderedDict", (Function) PickleGlobals::orderedDict);
        ALLOWED.put("torch._utils._rebuild_tensor", (Function) a -> tensor(a, 4, -1));
        ALLOWED.put("torch._utils._rebuild_tensor_v2", (Function) a -> tensor(a, 6, -1));
        ALLOWED.put("torch._utils._rebuild_tensor_v3", (Function) a -> tensor(a, 7, 6));
        ALLOWED.put("torch._utils._rebuild_parameter", (Function) a -> parameter(a, 3));
        ALLOWED.put("torch._utils._rebuild_parameter_with_state", (Function) a -> parameter(a, 4));
        ALLOWED.put("torch._tensor._rebuild_from_type_v2", (Function) PickleGlobals::fromType);
        ALLOWED.put("torch.Tensor", new TorchRefs.TypeName("torch.Tensor"));
        ALLOWED.put("torch.nn.parameter.Parameter", new TorchRefs.TypeName("torch.nn.parameter.Parameter"));
        ALLOWED.put("torch.Size", (Function) a -> args(a, 1, "torch.Size")[0]);
        // protocol 2 pickles bytes as _codecs.encode(str, 'latin1') and sets as set([...])
        ALLOWED.put("_codecs.encode", (Function) PickleGlobals::encode);
        ALLOWED.put("builtins.set", (Function) PickleGlobals::set);
        ALLOWED.put("__builtin__.set", (Function) PickleGlobals::set);
        ALLOWED.put("builtins.frozenset", (Function) PickleGlobals::set);
        for (ElementType t : ElementType.values()) {
            ALLOWED.put("torch." + t.torchStorage, new TorchRefs.StorageKind(t.torchStorage, t));
            // files saved from the GPU by torch < 1.x name the CUDA classes; the data is the same
            ALLOWED.put("torch.cuda." + t.torchStorage, new TorchRefs.StorageKind(t.torchStorage, t));
            ALLOWED.put("torch." + t.torchDtype, new TorchRefs.Dtype(t));
        }
        for (String alias : List.of("float", "double", "half", "long", "int", "short")) {
            ALLOWED.put("torch." + alias, new TorchRefs.Dtype(ElementType.ofTorchDtype(alias)));
        }
        ALLOWED.put("torch.UntypedStorage", new TorchRefs.StorageKind("UntypedStorage", null));
        ALLOWED.put("torch.storage.UntypedStorage", new TorchRefs.StorageKind("UntypedStorage", null));
    }

    private final Policy policy;
    private final String where;
    private final Set<String> inertNames;

    /** {@code inertNames} collects, in first-seen order, the globals let through as inert names. */
    PickleGlobals(Policy policy, String where, Set<String> inertNames) {
        this.policy = policy;
        this.where = where;
        this.inertNames = inertNames;
    }

    /** What the pickle's {@code GLOBAL module name} becomes on the stack. */
    Object resolve(String module, String name) {
        String qualified = module + "." + name;
        Object allowed = ALLOWED.get(qualified);
        if (allowed != null) {
            return allowed;
        }
        if (policy == Policy.INERT_UNKNOWN && !hostile(module, name)) {
            inertNames.add(qualified);
            return new TorchRefs.Inert(qualified);
        }
        throw new MdmException(where + ": refusing to load global '" + qualified + "'. "
                + (policy == Policy.WEIGHTS_ONLY
                        ? "Only tensors, storages and ordered dicts are allowed (like torch.load(weights_only=True)); "
                                + "nothing was constructed. If this is an ml-mdm training checkpoint (it pickles "
                                + "its argparse arguments), read it with StateDictFiles.readMlMdmCheckpoint, which "
                                + "takes only its state_dict."
                        : "A checkpoint has no reason to name it; the file is hostile or broken. Nothing was "
                                + "constructed or executed."));
    }

    private static boolean hostile(String module, String name) {
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (HOSTILE_MODULES.contains(top)) {
            return true;
        }
        return (module.equals("builtins") || module.equals("__builtin__")) && HOSTILE_BUILTINS.contains(name);
    }

    private static Object orderedDict(Object[] a) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (a.length == 1 && a[0] instanceof List<?> items) {
            for (Object item : items) {
                Object[] pair = (Object[]) item;
                map.put(pair[0], pair[1]);
            }
        } else if (a.length != 0) {
            throw new IllegalArgumentException("OrderedDict takes no arguments or a list of pairs");
        }
        return map;
    }

    /** {@code _rebuild_tensor(storage, offset, size, stride, ...)}; {@code dtypeAt >= 0}: v3's explicit dtype. */
    private static Object tensor(Object[] a, int minArgs, int dtypeAt) {
        args(a, minArgs, "_rebuild_tensor");
        if (!(a[0] instanceof TorchRefs.Storage storage)) {
            throw new IllegalArgumentException("_rebuild_tensor expects a storage, got " + describe(a[0]));
        }
        ElementType type = storage.kind().type();
        if (dtypeAt >= 0) {
            if (!(a[dtypeAt] instanceof TorchRefs.Dtype dtype)) {
                throw new IllegalArgumentException("_rebuild_tensor_v3 expects a dtype, got " + describe(a[dtypeAt]));
            }
            type = dtype.type();
        }
        if (type == null) {
            throw new IllegalArgumentException("a tensor on an untyped storage needs an explicit dtype");
        }
        return new TorchRefs.Tensor(storage, toLong(a[1]), longs(a[2]), longs(a[3]), type);
    }

    private static Object parameter(Object[] a, int minArgs) {
        args(a, minArgs, "_rebuild_parameter");
        if (!(a[0] instanceof TorchRefs.Tensor)) {
            throw new IllegalArgumentException("_rebuild_parameter expects a tensor, got " + describe(a[0]));
        }
        return a[0];
    }

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)}: a Tensor or Parameter rebuilt by func. */
    private static Object fromType(Object[] a) {
        args(a, 4, "_rebuild_from_type_v2");
        if (!(a[0] instanceof Function function) || !(a[1] instanceof TorchRefs.TypeName)
                || !(a[2] instanceof Object[] inner)) {
            throw new IllegalArgumentException("_rebuild_from_type_v2 expects (function, Tensor type, args, state)");
        }
        Object result = function.apply(inner);
        if (!(result instanceof TorchRefs.Tensor)) {
            throw new IllegalArgumentException("_rebuild_from_type_v2 did not rebuild a tensor");
        }
        return result;
    }

    private static Object encode(Object[] a) {
        args(a, 1, "_codecs.encode");
        if (!(a[0] instanceof String text)) {
            throw new IllegalArgumentException("_codecs.encode expects a string");
        }
        String encoding = a.length > 1 ? String.valueOf(a[1]) : "utf-8";
        return text.getBytes(encoding.equalsIgnoreCase("latin1") || encoding.equalsIgnoreCase("latin-1")
                ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static Object set(Object[] a) {
        if (a.length == 0) {
            return new HashSet<>();
        }
        if (a[0] instanceof Collection<?> items) {
            return new HashSet<>(items);
        }
        if (a[0] instanceof Object[] items) {
            return new HashSet<>(Arrays.asList(items));
        }
        throw new IllegalArgumentException("set expects a list");
    }

    private static Object[] args(Object[] a, int min, String function) {
        if (a.length < min) {
            throw new IllegalArgumentException(function + " expects at least " + min + " arguments, got " + a.length);
        }
        return a;
    }

    static long toLong(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException("expected an integer, got " + describe(value));
    }

    private static long[] longs(Object tuple) {
        if (!(tuple instanceof Object[] items)) {
            throw new IllegalArgumentException("expected a tuple of integers, got " + describe(tuple));
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = toLong(items[i]);
        }
        return out;
    }

    static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof TorchRefs.Inert inert) {
            return "global " + inert.qualifiedName();
        }
        if (value instanceof TorchRefs.InertObject object) {
            return "an instance of " + object.qualifiedName();
        }
        if (value instanceof Object[] tuple) {
            return "a tuple of " + tuple.length;
        }
        if (value instanceof TorchRefs.Tensor tensor) {
            return tensor.toString();
        }
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof List) {
            return "list";
        }
        if (value instanceof String) {
            return "str";
        }
        return value.getClass().getSimpleName();
    }
}
