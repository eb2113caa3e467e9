package mdm.core.io;

import ai.djl.ndarray.types.DataType;

/**
 * Element types as stored in files, with the DJL type they load as. DJL's PyTorch engine cannot hold bfloat16
 * or int16 tensors (its native type table stops at complex64), so those widen on load: bfloat16 to float32
 * (exact), int16 to int32 (exact).
 */
enum ElementType {
    F64(8, DataType.FLOAT64, "F64", "f8", "DoubleStorage", "float64"),
    F32(4, DataType.FLOAT32, "F32", "f4", "FloatStorage", "float32"),
    F16(2, DataType.FLOAT16, "F16", "f2", "HalfStorage", "float16"),
    BF16(2, DataType.FLOAT32, "BF16", null, "BFloat16Storage", "bfloat16"),
    I64(8, DataType.INT64, "I64", "i8", "LongStorage", "int64"),
    I32(4, DataType.INT32, "I32", "i4", "IntStorage", "int32"),
    I16(2, DataType.INT32, "I16", "i2", "ShortStorage", "int16"),
    I8(1, DataType.INT8, "I8", "i1", "CharStorage", "int8"),
    U8(1, DataType.UINT8, "U8", "u1", "ByteStorage", "uint8"),
    BOOL(1, DataType.BOOLEAN, "BOOL", "b1", "BoolStorage", "bool");

    /** Bytes per element in the file. */
    final int fileBytes;
    /** The DJL type the element loads as. */
    final DataType loaded;
    final String safetensors;
    /** numpy kind and size without the byte-order character. */
    final String numpy;
    final String torchStorage;
    final String torchDtype;

    ElementType(int fileBytes, DataType loaded, String safetensors, String numpy, String torchStorage,
            String torchDtype) {
        this.fileBytes = fileBytes;
        this.loaded = loaded;
        this.safetensors = safetensors;
        this.numpy = numpy;
        this.torchStorage = torchStorage;
        this.torchDtype = torchDtype;
    }

    /** True where the loaded element is wider than the stored one. */
    boolean widens() {
        return loaded.getNumOfBytes() != fileBytes;
    }

    static ElementType ofSafetensors(String code) {
        for (ElementType t : values()) {
            if (t.safetensors.equals(code)) {
                return t;
            }
        }
        return null;
    }

    /** numpy descr without its byte-order character, e.g. "f4", "b1". */
    static ElementType ofNumpy(String kindAndSize) {
        for (ElementType t : values()) {
            if (kindAndSize.equals(t.numpy)) {
                return t;
            }
        }
        return null;
    }

    /** The legacy typed storage classes ({@code torch.FloatStorage}, ...) that torch.save writes in storage ids. */
    static ElementType ofTorchStorage(String className) {
        for (ElementType t : values()) {
            if (t.torchStorage.equals(className)) {
                return t;
            }
        }
        return null;
    }

    /** {@code torch.float32} and its aliases ({@code torch.float}, {@code torch.half}, {@code torch.long}, ...). */
    static ElementType ofTorchDtype(String name) {
        switch (name) {
            case "float":
                return F32;
            case "double":
                return F64;
            case "half":
                return F16;
            case "long":
                return I64;
            case "int":
                return I32;
            case "short":
                return I16;
            default:
                break;
        }
        for (ElementType t : values()) {
            if (t.torchDtype.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The file type that stores a DJL array of this type unchanged. */
    static ElementType forWriting(DataType type) {
        switch (type) {
            case FLOAT64:
                return F64;
            case FLOAT32:
                return F32;
            case FLOAT16:
                return F16;
            case BFLOAT16:
                return BF16;
            case INT64:
                return I64;
            case INT32:
                return I32;
            case INT16:
                return I16;
            case INT8:
                return I8;
            case UINT8:
                return U8;
            case BOOLEAN:
                return BOOL;
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return torchDtype;
    }
}
