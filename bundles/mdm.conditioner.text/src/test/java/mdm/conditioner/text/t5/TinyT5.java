package mdm.conditioner.text.t5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny random T5 encoder in Hugging Face's file layout, written by hand (config.json and F32
 * safetensors, optionally in two shards with an index), plus its weights as doubles for the
 * independent reference. Public (in this bundle's test jar) for other modules' tests that need a real
 * {@code t5} conditioner: {@code new TinyT5("gated-gelu", seed, 32100).write(folder, false)}.
 */
public final class TinyT5 {
    final int vocab;
    final int dModel;
    final int dKv;          // 6 by default: heads·d_kv ≠ d_model on purpose
    final int heads;
    final int dFf;
    final int layers;
    final int buckets = 8;
    final int maxDistance = 20;
    final double eps = 1e-6;
    final String feedForwardProj;
    final Map<String, double[]> weights = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();

    TinyT5(String feedForwardProj, long seed) {
        this(feedForwardProj, seed, 40);
    }

    public TinyT5(String feedForwardProj, long seed, int vocab) {
        this(feedForwardProj, seed, vocab, 16, 6, 3, 24, 2);
    }

    /** A random T5 of the given shape, e.g. flan-t5-small's ({@code 32128, 512, 64, 6, 1024, 8}) for benchmarks. */
    public TinyT5(String feedForwardProj, long seed, int vocab, int dModel, int dKv, int heads, int dFf, int layers) {
        this.feedForwardProj = feedForwardProj;
        this.vocab = vocab;
        this.dModel = dModel;
        this.dKv = dKv;
        this.heads = heads;
        this.dFf = dFf;
        this.layers = layers;
        Random r = new Random(seed);
        int inner = heads * dKv;
        put(r, "shared.weight", 1.0, vocab, dModel);
        for (int i = 0; i < layers; i++) {
            String b = "encoder.block." + i + ".layer.";
            put(r, b + "0.SelfAttention.q.weight", 0.3, inner, dModel);
            put(r, b + "0.SelfAttention.k.weight", 0.3, inner, dModel);
            put(r, b + "0.SelfAttention.v.weight", 0.3, inner, dModel);
            put(r, b + "0.SelfAttention.o.weight", 0.3, dModel, inner);
            if (i == 0) {
                put(r, b + "0.SelfAttention.relative_attention_bias.weight", 1.0, buckets, heads);
            }
            putNorm(r, b + "0.layer_norm.weight");
            if (gated()) {
                put(r, b + "1.DenseReluDense.wi_0.weight", 0.3, dFf, dModel);
                put(r, b + "1.DenseReluDense.wi_1.weight", 0.3, dFf, dModel);
            } else {
                put(r, b + "1.DenseReluDense.wi.weight", 0.3, dFf, dModel);
            }
            put(r, b + "1.DenseReluDense.wo.weight", 0.3, dModel, dFf);
            putNorm(r, b + "1.layer_norm.weight");
        }
        putNorm(r, "encoder.final_layer_norm.weight");
        // decoder tensors exist in full checkpoints; the loader must skip them
        put(r, "decoder.block.0.layer.0.SelfAttention.q.weight", 0.3, inner, dModel);
    }

    boolean gated() {
        return feedForwardProj.startsWith("gated-");
    }

    public void write(Path folder, boolean sharded) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), String.format(java.util.Locale.ROOT,
                "{\"architectures\":[\"T5ForConditionalGeneration\"],\"model_type\":\"t5\",\"vocab_size\":%d,"
                        + "\"d_model\":%d,\"d_kv\":%d,\"d_ff\":%d,\"num_layers\":%d,\"num_decoder_layers\":1,"
                        + "\"num_heads\":%d,\"relative_attention_num_buckets\":%d,\"relative_attention_max_distance\":%d,"
                        + "\"layer_norm_epsilon\":%s,\"feed_forward_proj\":\"%s\",\"tie_word_embeddings\":false}",
                vocab, dModel, dKv, dFf, layers, heads, buckets, maxDistance, eps, feedForwardProj));
        List<String> keys = new ArrayList<>(weights.keySet());
        if (!sharded) {
            writeSafetensors(folder.resolve("model.safetensors"), keys);
            return;
        }
        List<String> first = keys.subList(0, keys.size() / 2);
        List<String> second = keys.subList(keys.size() / 2, keys.size());
        writeSafetensors(folder.resolve("model-00001-of-00002.safetensors"), first);
        writeSafetensors(folder.resolve("model-00002-of-00002.safetensors"), second);
        StringBuilder map = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
        for (String k : keys) {
            map.append('"').append(k).append("\":\"model-0000").append(first.contains(k) ? 1 : 2)
                    .append("-of-00002.safetensors\",");
        }
        map.setLength(map.length() - 1);
        map.append("}}");
        Files.writeString(folder.resolve("model.safetensors.index.json"), map);
    }

    private void writeSafetensors(Path file, List<String> keys) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (String k : keys) {
            long bytes = 4L * weights.get(k).length;
            header.append('"').append(k).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(java.util.Arrays.toString(shapes.get(k)).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]},");
            offset += bytes;
        }
        header.setLength(header.length() - 1);
        header.append('}');
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        for (String k : keys) {
            for (double v : weights.get(k)) {
                buf.putFloat((float) v);
            }
        }
        Files.write(file, buf.array());
    }

    private void put(Random r, String key, double scale, int rows, int cols) {
        double[] w = new double[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (scale * r.nextGaussian()); // float-representable, as stored
        }
        weights.put(key, w);
        shapes.put(key, new int[] {rows, cols});
    }

    private void putNorm(Random r, String key) {
        double[] w = new double[dModel];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (1 + 0.2 * r.nextGaussian());
        }
        weights.put(key, w);
        shapes.put(key, new int[] {dModel});
    }
}
