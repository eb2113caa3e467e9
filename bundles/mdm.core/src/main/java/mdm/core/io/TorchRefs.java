package mdm.core.io;

import java.util.Arrays;

/**
 * What the restricted unpickler builds instead of Python objects. Tensors stay references into the archive
 * until the caller picks which ones to materialise, so nothing outside the chosen state dict is ever read.
 */
final class TorchRefs {
    private TorchRefs() {
    }

    /** {@code ('storage', torch.FloatStorage, key, location, numel)}: archive entry {@code data/<key>}. */
    record Storage(String key, StorageKind kind, long numel, String location) {
    }

    /** A storage class named in a persistent id; {@code type == null} for {@code UntypedStorage} (bytes). */
    record StorageKind(String name, ElementType type) {
        int elementBytes() {
            return type == null ? 1 : type.fileBytes;
        }
    }

    /** A view into a storage, offsets and strides counted in elements of {@code type}. */
    record Tensor(Storage storage, long offset, long[] shape, long[] stride, ElementType type) {
        @Override
        public String toString() {
            return "tensor" + Arrays.toString(shape) + " " + type;
        }
    }

    /** {@code torch.float32} and friends, used as arguments of {@code _rebuild_tensor_v3}. */
    record Dtype(ElementType type) {
    }

    /** A class allowed as an argument but never called ({@code torch.Tensor}, {@code Parameter}). */
    record TypeName(String qualifiedName) {
    }

    /** A global the policy let through as a name only: it is never constructed or called. */
    record Inert(String qualifiedName) {
    }

    /** The result of applying an {@link Inert} global: a placeholder that swallows its state. */
    record InertObject(String qualifiedName) {
    }
}
