package mdm.conditioner.text.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import mdm.api.MdmException;
import mdm.core.config.Json;
import mdm.core.io.StateDictFiles;

/**
 * Reads the encoder's tensors from a Hugging Face model folder: {@code model.safetensors}, or the
 * shards listed in {@code model.safetensors.index.json} (also {@code pytorch_model.bin} and its
 * index). Decoder and head tensors are released as soon as their shard is read. Everything is
 * float32 afterwards.
 */
final class T5Weights {
    private T5Weights() {
    }

    /** Encoder tensors by HF key (plus {@code shared.weight}), float32, in {@code manager}. */
    static Map<String, NDArray> read(Path folder, NDManager manager) {
        Map<String, NDArray> out = new HashMap<>();
        for (Path file : weightFiles(folder)) {
            try (NDManager scratch = manager.newSubManager()) {
                for (var e : StateDictFiles.read(file, scratch).entrySet()) {
                    if (isEncoderKey(e.getKey())) {
                        NDArray a = e.getValue().toType(DataType.FLOAT32, false);
                        a.attach(manager);
                        out.put(e.getKey(), a);
                    }
                }
            }
        }
        return out;
    }

    static boolean isEncoderKey(String key) {
        return key.startsWith("encoder.") || key.equals("shared.weight");
    }

    /** Looks up a tensor and checks its shape, or explains which key is missing. */
    static NDArray take(Map<String, NDArray> weights, String key, Shape shape, Path folder) {
        NDArray a = weights.get(key);
        if (a == null) {
            throw new MdmException("T5 weights in " + folder + " have no tensor '" + key
                    + "'; is it a T5 / flan-T5 checkpoint matching its config.json?");
        }
        if (!a.getShape().equals(shape)) {
            throw new MdmException("T5 tensor '" + key + "' in " + folder + " has shape " + a.getShape()
                    + " but config.json implies " + shape + ".");
        }
        return a;
    }

    private static Set<Path> weightFiles(Path folder) {
        for (String index : new String[] {"model.safetensors.index.json", "pytorch_model.bin.index.json"}) {
            Path file = folder.resolve(index);
            if (Files.isRegularFile(file)) {
                JsonNode map = Json.read(file).path("weight_map");
                Set<Path> files = new LinkedHashSet<>();
                map.fields().forEachRemaining(e -> {
                    if (isEncoderKey(e.getKey())) {
                        files.add(folder.resolve(e.getValue().asText()));
                    }
                });
                if (files.isEmpty()) {
                    throw new MdmException(file + " lists no encoder tensors (encoder.* or shared.weight).");
                }
                return files;
            }
        }
        for (String single : new String[] {"model.safetensors", "pytorch_model.bin"}) {
            Path file = folder.resolve(single);
            if (Files.isRegularFile(file)) {
                return Set.of(file);
            }
        }
        throw new MdmException("no T5 weights in " + folder.toAbsolutePath() + ": expected model.safetensors, "
                + "model.safetensors.index.json with its shards, or pytorch_model.bin. Nothing is downloaded; copy "
                + "the files of e.g. google/flan-t5-xl there (see mdm.conditioner.text's README).");
    }
}
