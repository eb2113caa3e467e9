package mdm.data.tsvtar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.EmbeddingOrigin;
import mdm.core.io.AtomicFiles;
import mdm.core.io.Safetensors;
import mdm.core.tensor.NativeArrays;

/**
 * A shard's precomputed caption embeddings: {@code <shard>.emb.safetensors} next to the shard TSV
 * {@code <shard>.tsv}, one row per TSV row in order, written by the caption-embedding job (mdm.spark
 * {@code EmbedMain}) and read by the {@code tsv-tar} data set.
 *
 * <p>Tensors: {@code embeddings} F32 [T, D] (every row's tokens one after the other, no padding),
 * {@code masks} F32 [T] (1 for a real token, 0 for a {@code <pad>} id inside a caption) and {@code offsets}
 * I64 [R + 1] (row r is tokens {@code offsets[r]} to {@code offsets[r+1]}; an empty row is a caption without
 * an embedding: blank, or dropped by the training reader's limits). Metadata: {@code format}, the origin
 * ({@code conditioner}, {@code fingerprint}, {@code tokenization}), {@code dim}, {@code rows},
 * {@code captions_sha256} (of the shard's captions, so a sidecar of an edited shard is refused) and
 * {@code shard} (the TSV's file name).
 */
public final class CaptionEmbeddingSidecar {
    public static final String SUFFIX = ".emb.safetensors";
    public static final String FORMAT = "mdm-caption-embeddings/1";
    static final List<String> METADATA = List.of("format", "conditioner", "fingerprint", "tokenization", "dim", "rows",
            "captions_sha256", "shard");

    private final Path file;
    private final EmbeddingOrigin origin;
    private final int dim;
    private final long[] offsets;
    private final long embeddingsAt;
    private final long masksAt;

    private CaptionEmbeddingSidecar(Path file, EmbeddingOrigin origin, int dim, long[] offsets, long embeddingsAt, long masksAt) {
        this.file = file;
        this.origin = origin;
        this.dim = dim;
        this.offsets = offsets;
        this.embeddingsAt = embeddingsAt;
        this.masksAt = masksAt;
    }

    /** The sidecar's path for a shard TSV: {@code images_00000.tsv} → {@code images_00000.emb.safetensors}. */
    public static Path of(Path shardTsv) {
        String name = shardTsv.getFileName().toString();
        String base = name.endsWith(".tsv") ? name.substring(0, name.length() - 4) : name;
        return shardTsv.resolveSibling(base + SUFFIX);
    }

    public Path file() {
        return file;
    }

    public EmbeddingOrigin origin() {
        return origin;
    }

    public int dim() {
        return dim;
    }

    public int rows() {
        return offsets.length - 1;
    }

    /**
     * Opens and checks the sidecar of a shard whose TSV rows have these captions (null for a row without one).
     *
     * @throws MdmException when it is not a sidecar of this shard as it is now: missing tensors or metadata, a
     *                      row count or caption hash that differ, inconsistent shapes or offsets
     */
    public static CaptionEmbeddingSidecar open(Path shardTsv, List<String> captions) {
        Path file = of(shardTsv);
        String fix = " Re-run the caption-embedding job (mdm.spark.EmbedMain) on the data set, or delete " + file.getFileName()
                + " (or set the tsv-tar option embeddings: ignore).";
        Safetensors.Layout layout = Safetensors.layout(file);
        Map<String, String> meta = layout.metadata();
        List<String> missing = METADATA.stream().filter(k -> !meta.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new MdmException(file + " is not a caption-embedding sidecar: its metadata lacks " + missing + "." + fix);
        }
        if (!FORMAT.equals(meta.get("format"))) {
            throw new MdmException(file + " has format '" + meta.get("format") + "', this version reads '" + FORMAT + "'." + fix);
        }
        int rows = parse(meta, "rows", file);
        int dim = parse(meta, "dim", file);
        if (rows != captions.size()) {
            throw new MdmException(file + " holds " + rows + " caption rows but its shard " + shardTsv.getFileName() + " has "
                    + captions.size() + ": the shard changed after the embeddings were made." + fix);
        }
        if (!captionsHash(captions).equals(meta.get("captions_sha256"))) {
            throw new MdmException(file + " was made from other captions than " + shardTsv.getFileName()
                    + " holds now (captions_sha256 differs): the shard was edited after the embeddings were made." + fix);
        }
        Safetensors.TensorLayout embeddings = tensor(layout, "embeddings", "F32", 2, file, fix);
        Safetensors.TensorLayout masks = tensor(layout, "masks", "F32", 1, file, fix);
        Safetensors.TensorLayout offsetTensor = tensor(layout, "offsets", "I64", 1, file, fix);
        long tokens = embeddings.shape()[0];
        if (embeddings.shape()[1] != dim || masks.shape()[0] != tokens || offsetTensor.shape()[0] != rows + 1L) {
            throw new MdmException(file + ": shapes embeddings " + java.util.Arrays.toString(embeddings.shape()) + ", masks "
                    + java.util.Arrays.toString(masks.shape()) + ", offsets " + java.util.Arrays.toString(offsetTensor.shape())
                    + " do not fit " + rows + " rows of width " + dim + "." + fix);
        }
        long[] offsets = new long[rows + 1];
        ByteBuffer bytes = read(file, offsetTensor.offset(), 8L * (rows + 1));
        for (int i = 0; i <= rows; i++) {
            offsets[i] = bytes.getLong();
            if ((i == 0 && offsets[0] != 0) || (i > 0 && offsets[i] < offsets[i - 1]) || offsets[i] > tokens) {
                throw new MdmException(file + ": offsets are not increasing from 0 to " + tokens + " (row " + i + ")." + fix);
            }
        }
        if (offsets[rows] != tokens) {
            throw new MdmException(file + ": the rows cover " + offsets[rows] + " of its " + tokens + " tokens." + fix);
        }
        EmbeddingOrigin origin;
        try {
            origin = new EmbeddingOrigin(meta.get("conditioner"), meta.get("fingerprint"), meta.get("tokenization"));
        } catch (IllegalArgumentException e) {
            throw new MdmException(file + ": " + e.getMessage() + "." + fix);
        }
        return new CaptionEmbeddingSidecar(file, origin, dim, offsets, embeddings.offset(), masks.offset());
    }

    /** Row {@code r}'s embedding, or null for a row the job left empty (no caption, or dropped by the limits). */
    public CaptionEmbedding row(int r) {
        int length = Math.toIntExact(offsets[r + 1] - offsets[r]);
        if (length == 0) {
            return null;
        }
        float[] features = new float[length * dim];
        read(file, embeddingsAt + 4L * dim * offsets[r], 4L * features.length).asFloatBuffer().get(features);
        float[] mask = new float[length];
        read(file, masksAt + 4L * offsets[r], 4L * length).asFloatBuffer().get(mask);
        return new CaptionEmbedding(features, mask, dim, origin);
    }

    /**
     * Writes a shard's sidecar whole or not at all (a temporary sibling renamed over the target).
     *
     * @param captions the shard's captions, one per TSV row (null where a row has none)
     * @param rows     the embedding of each row, null for a row without one
     */
    public static Path write(Path shardTsv, List<String> captions, List<CaptionEmbedding> rows, EmbeddingOrigin origin, int dim,
                             NDManager manager) {
        if (rows.size() != captions.size()) {
            throw new IllegalArgumentException(rows.size() + " embeddings for " + captions.size() + " captions");
        }
        long[] offsets = new long[rows.size() + 1];
        for (int i = 0; i < rows.size(); i++) {
            CaptionEmbedding e = rows.get(i);
            if (e != null && (e.dim() != dim || !e.origin().equals(origin))) {
                throw new IllegalArgumentException("row " + i + " is of width " + e.dim() + " by " + e.origin().describe()
                        + ", the sidecar of width " + dim + " by " + origin.describe());
            }
            offsets[i + 1] = offsets[i] + (e == null ? 0 : e.length());
        }
        int tokens = Math.toIntExact(offsets[rows.size()]);
        float[] features = new float[Math.multiplyExact(tokens, dim)];
        float[] masks = new float[tokens];
        for (int i = 0; i < rows.size(); i++) {
            CaptionEmbedding e = rows.get(i);
            if (e != null) {
                System.arraycopy(e.features(), 0, features, (int) offsets[i] * dim, e.features().length);
                System.arraycopy(e.mask(), 0, masks, (int) offsets[i], e.length());
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("conditioner", origin.conditioner());
        meta.put("fingerprint", origin.fingerprint());
        meta.put("tokenization", origin.tokenization());
        meta.put("dim", Integer.toString(dim));
        meta.put("rows", Integer.toString(rows.size()));
        meta.put("captions_sha256", captionsHash(captions));
        meta.put("shard", shardTsv.getFileName().toString());
        Path target = of(shardTsv).toAbsolutePath();
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("embeddings", NativeArrays.create(scope, features, new Shape(tokens, dim)));
            tensors.put("masks", NativeArrays.create(scope, masks, new Shape(tokens)));
            tensors.put("offsets", NativeArrays.create(scope, offsets, new Shape(offsets.length)));
            return AtomicFiles.writeVia(target, tmp -> Safetensors.write(tmp, tensors, meta));
        }
    }

    /** SHA-256 (hex) of the captions in row order, each length-prefixed UTF-8 (a missing one as −1). */
    public static String captionsHash(List<String> captions) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer length = ByteBuffer.allocate(4);
        for (String c : captions) {
            byte[] b = c == null ? new byte[0] : c.getBytes(StandardCharsets.UTF_8);
            sha.update(length.clear().putInt(c == null ? -1 : b.length).array());
            sha.update(b);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static int parse(Map<String, String> meta, String key, Path file) {
        try {
            int v = Integer.parseInt(meta.get(key));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new MdmException(file + ": metadata '" + key + "' is '" + meta.get(key) + "', not a count");
        }
    }

    private static Safetensors.TensorLayout tensor(Safetensors.Layout layout, String name, String dtype, int rank, Path file,
                                                   String fix) {
        Safetensors.TensorLayout t = layout.tensors().get(name);
        if (t == null) {
            throw new MdmException(file + " lacks the tensor '" + name + "' (it has " + layout.tensors().keySet() + ")." + fix);
        }
        if (!t.dtype().equals(dtype) || t.shape().length != rank) {
            throw new MdmException(file + ": tensor '" + name + "' is " + t.dtype() + " of rank " + t.shape().length + ", expected "
                    + dtype + " of rank " + rank + "." + fix);
        }
        return t;
    }

    private static ByteBuffer read(Path file, long position, long length) {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = position;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, pos);
                if (n < 0) {
                    throw new MdmException(file + " is truncated");
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return buffer.flip();
    }
}
