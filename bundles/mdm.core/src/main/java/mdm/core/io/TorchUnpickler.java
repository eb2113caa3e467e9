package mdm.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler with every opcode that names or applies a global taken over: {@code GLOBAL},
 * {@code STACK_GLOBAL}, {@code INST}, {@code OBJ}, {@code REDUCE}, {@code NEWOBJ(_EX)}, {@code BUILD} and the
 * extension codes. Globals resolve through {@link PickleGlobals} only (never Pyrolite's static constructor
 * registry, never reflection), so an unknown class is refused where it is named, before anything is applied to
 * it. Dicts keep insertion order (Pyrolite's use HashMap), and length-prefixed data is checked against what is
 * left of the pickle before anything is allocated.
 */
final class TorchUnpickler extends Unpickler {
    private final PickleGlobals globals;
    private final String where;

    TorchUnpickler(PickleGlobals globals, String where) {
        this.globals = globals;
        this.where = where;
    }

    /** The unpickled object graph, with tensors as {@link TorchRefs.Tensor} references. */
    Object read(byte[] pickle) {
        try {
            return loads(pickle);
        } catch (MdmException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MdmException(where + " is corrupt (not a valid pickle): " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(globals.resolve(module, name));
                break;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw corrupt("STACK_GLOBAL needs two strings");
                }
                stack.add(globals.resolve(m, n));
                break;
            }
            case Opcodes.INST: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                Object callable = globals.resolve(module, name);
                stack.add(call(callable, stack.pop_all_since_marker().toArray(), "INST"));
                break;
            }
            case Opcodes.OBJ: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.isEmpty()) {
                    throw corrupt("OBJ without a class");
                }
                stack.add(call(items.get(0), items.subList(1, items.size()).toArray(), "OBJ"));
                break;
            }
            case Opcodes.REDUCE:
            case Opcodes.NEWOBJ: {
                Object args = stack.pop();
                Object callable = stack.pop();
                stack.add(call(callable, tuple(args), key == Opcodes.REDUCE ? "REDUCE" : "NEWOBJ"));
                break;
            }
            case Opcodes.NEWOBJ_EX: {
                Object kwargs = stack.pop();
                Object args = stack.pop();
                Object callable = stack.pop();
                if (kwargs instanceof Map<?, ?> k && !k.isEmpty() && !(callable instanceof TorchRefs.Inert)) {
                    throw corrupt("NEWOBJ_EX with keyword arguments for " + PickleGlobals.describe(callable));
                }
                stack.add(call(callable, tuple(args), "NEWOBJ_EX"));
                break;
            }
            case Opcodes.BUILD: {
                stack.pop();
                Object target = stack.peek();
                // the state of an OrderedDict (a state dict's _metadata), of a parameter, or of an inert
                // object is not needed to rebuild tensors: drop it rather than set anything
                if (!(target instanceof Map || target instanceof TorchRefs.Tensor
                        || target instanceof TorchRefs.InertObject)) {
                    throw corrupt("BUILD on " + PickleGlobals.describe(target));
                }
                break;
            }
            case Opcodes.EXT1:
            case Opcodes.EXT2:
            case Opcodes.EXT4:
                throw new MdmException(where + ": refusing the copyreg extension opcode (EXT1/2/4); "
                        + "state dicts never use it");
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                break;
            case Opcodes.DICT: {
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, stack.pop_all_since_marker());
                stack.add(map);
                break;
            }
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                putPairs(stack.peek(), List.of(nullSafe(k), nullSafe(value)));
                break;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(stack.peek(), items);
                break;
            }
            case Opcodes.APPEND:
                append(List.of(nullSafe(stack.pop())));
                break;
            case Opcodes.APPENDS:
                append(stack.pop_all_since_marker());
                break;
            case Opcodes.BINUNICODE:
                stack.add(new String(counted(4), StandardCharsets.UTF_8));
                break;
            case Opcodes.BINUNICODE8:
                stack.add(new String(counted(8), StandardCharsets.UTF_8));
                break;
            case Opcodes.BINSTRING:
                stack.add(PickleUtils.rawStringFromBytes(counted(4)));
                break;
            case Opcodes.BINBYTES:
                stack.add(counted(4));
                break;
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
                stack.add(counted(8));
                break;
            case Opcodes.LONG4:
                stack.add(PickleUtils.decode_long(counted(4)));
                break;
            default:
                return super.dispatch(key);
        }
        return NO_RETURN_VALUE;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        // ('storage', storage class, key, location, numel), as torch.save writes for every storage
        if (!(pid instanceof Object[] t) || t.length != 5 || !"storage".equals(t[0])) {
            throw corrupt("unexpected persistent id " + PickleGlobals.describe(pid) + " (expected a storage)");
        }
        if (!(t[1] instanceof TorchRefs.StorageKind kind)) {
            throw new MdmException(where + ": unsupported storage type " + PickleGlobals.describe(t[1]));
        }
        return new TorchRefs.Storage(String.valueOf(t[2]), kind, PickleGlobals.toLong(t[4]), String.valueOf(t[3]));
    }

    private Object call(Object callable, Object[] args, String opcode) {
        if (callable instanceof TorchRefs.Inert inert) {
            return new TorchRefs.InertObject(inert.qualifiedName());
        }
        if (!(callable instanceof PickleGlobals.Function function)) {
            throw corrupt(opcode + " applied to " + PickleGlobals.describe(callable) + ", which is not callable");
        }
        try {
            return function.apply(args);
        } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
            throw corrupt(opcode + ": " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private void putPairs(Object target, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw corrupt("odd number of dict items");
        }
        if (target instanceof TorchRefs.InertObject) {
            return;
        }
        if (!(target instanceof Map)) {
            throw corrupt("SETITEM on " + PickleGlobals.describe(target));
        }
        Map<Object, Object> map = (Map<Object, Object>) target;
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i) == NULL ? null : items.get(i), items.get(i + 1) == NULL ? null : items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private void append(List<Object> items) {
        Object target = stack.peek();
        if (target instanceof TorchRefs.InertObject) {
            return;
        }
        if (!(target instanceof List)) {
            throw corrupt("APPEND on " + PickleGlobals.describe(target));
        }
        for (Object item : items) {
            ((List<Object>) target).add(item == NULL ? null : item);
        }
    }

    /** List.of refuses nulls; pickled None travels through it as this marker. */
    private static final Object NULL = new Object();

    private static Object nullSafe(Object value) {
        return value == null ? NULL : value;
    }

    private Object[] tuple(Object args) {
        if (args instanceof Object[] a) {
            return a;
        }
        throw corrupt("arguments are " + PickleGlobals.describe(args) + ", not a tuple");
    }

    /** A length-prefixed payload, refused if the pickle does not hold that many bytes. */
    private byte[] counted(int lengthBytes) throws IOException {
        byte[] prefix = PickleUtils.readbytes(input, lengthBytes);
        long length = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            length = length << 8 | (prefix[i] & 0xff);
        }
        if (length < 0 || length > input.available()) {
            throw corrupt("a " + length + "-byte string or bytes object runs past the end of the pickle");
        }
        return PickleUtils.readbytes(input, (int) length);
    }

    private MdmException corrupt(String what) {
        return new MdmException(where + " is corrupt or not a state dict: " + what);
    }
}
