package mdm.eval.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import mdm.api.eval.Features;
import mdm.core.config.Json;

/**
 * Features of real data kept in the work folder ({@code <work>/eval-cache/}), keyed by the dataset,
 * its options, the stream seed and the feature network's weights hash: evaluating a checkpoint then
 * only generates and embeds its own images. An entry holds the first M vectors of the stream; a
 * request for n ≤ M takes a prefix (the same vectors a fresh computation of n would give).
 */
final class ReferenceCache {
    private final Path folder;

    ReferenceCache(Path folder) {
        this.folder = folder;
    }

    /** The cache key: a hash of everything the vectors depend on. */
    static String key(String dataset, JsonNode options, long seed, String network, String weightsHash, String role) {
        ObjectNode k = Json.empty();
        k.put("dataset", dataset);
        k.set("options", canonical(options));
        k.put("seed", seed);
        k.put("network", network);
        k.put("weights", weightsHash);
        k.put("role", role);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(k.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return role + "-" + dataset.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options with keys sorted at every level, so that key order in a spec does not matter. */
    static JsonNode canonical(JsonNode n) {
        if (n == null || !n.isObject()) {
            return n;
        }
        ObjectNode out = Json.empty();
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            out.set(name, canonical(n.get(name)));
        }
        return out;
    }

    Path file(String key) {
        return folder.resolve(key + ".bin.gz");
    }

    /** The first n cached vectors, when at least n are cached. */
    Optional<Features> get(String key, int n) {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try (InputStream raw = Files.newInputStream(f); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            String network = in.readUTF();
            String hash = in.readUTF();
            int count = in.readInt();
            int dim = in.readInt();
            if (count < n) {
                return Optional.empty();
            }
            float[] values = new float[n * dim];
            for (int i = 0; i < values.length; i++) {
                values[i] = in.readFloat();
            }
            in.skipNBytes((long) (count - n) * dim * 4);
            int heads = in.readInt();
            List<String> names = new ArrayList<>();
            for (int h = 0; h < heads; h++) {
                names.add(in.readUTF());
            }
            List<Map<String, Boolean>> checks = new ArrayList<>();
            if (heads > 0) {
                for (int i = 0; i < count; i++) {
                    Map<String, Boolean> c = new LinkedHashMap<>();
                    for (String h : names) {
                        byte b = in.readByte();
                        if (b >= 0) {
                            c.put(h, b == 1);
                        }
                    }
                    if (i < n) {
                        checks.add(c);
                    }
                }
            }
            return Optional.of(new Features(network, hash, n, dim, values, checks));
        } catch (IOException e) {
            return Optional.empty(); // a damaged entry is recomputed
        }
    }

    void put(String key, Features f, JsonNode description) throws IOException {
        Files.createDirectories(folder);
        Path target = file(key);
        Path tmp = folder.resolve("." + key + ".tmp");
        List<String> heads = new ArrayList<>();
        for (Map<String, Boolean> c : f.checks()) {
            c.keySet().forEach(h -> {
                if (!heads.contains(h)) {
                    heads.add(h);
                }
            });
        }
        try (OutputStream raw = Files.newOutputStream(tmp);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw, 1 << 16))) {
            out.writeUTF(f.network());
            out.writeUTF(f.weightsHash());
            out.writeInt(f.count());
            out.writeInt(f.dim());
            for (float v : f.values()) {
                out.writeFloat(v);
            }
            out.writeInt(f.checks().isEmpty() ? 0 : heads.size());
            if (!f.checks().isEmpty()) {
                heads.forEach(h -> {
                    try {
                        out.writeUTF(h);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                for (Map<String, Boolean> c : f.checks()) {
                    for (String h : heads) {
                        Boolean b = c.get(h);
                        out.writeByte(b == null ? -1 : b ? 1 : 0);
                    }
                }
            }
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        mdm.core.io.AtomicFiles.writeString(folder.resolve(key + ".json"), Json.write(description));
    }
}
