package mdm.conditioner.text.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import mdm.api.MdmException;
import mdm.api.conditioning.Conditioner;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.EmbeddingOrigin;
import mdm.api.data.Sample;
import mdm.api.model.Conditioning;
import mdm.conditioner.text.CaptionBatches;
import mdm.conditioner.text.EmbeddingCache;
import mdm.conditioner.text.TokenBatch;
import mdm.core.tensor.NativeArrays;

/**
 * Captions → frozen T5 encoder → tokens (B×L×d_model, pad rows zero) and mask (B×L, float 1/0),
 * as the reference's {@code LanguageModel.forward} gives them to the UNet (mdm-facts §3.9, §5.7).
 *
 * <p>Samples carrying a precomputed caption embedding of this conditioner's {@link #embeddingOrigin} are not
 * encoded again: their rows are laid into the batch as they are (a frozen encoder's output for a row's real
 * tokens does not depend on the padding around it, which {@link EmbeddingCache} relies on too), the other rows
 * are encoded, and everything is padded with zeros to the batch's longest row, as encoding all of them would.
 */
public final class T5Conditioner implements Conditioner {
    /** The conditioner's {@code mdm.name}. */
    public static final String NAME = "t5";

    private final CaptionBatches captions;
    private final T5Encoder encoder;
    private final EmbeddingCache cache;
    private final Supplier<String> fingerprint;
    private volatile String fingerprintValue;

    /**
     * @param cache       null for none
     * @param fingerprint what {@link #embeddingOrigin} names (computed once, on first use)
     */
    public T5Conditioner(CaptionBatches captions, T5Encoder encoder, EmbeddingCache cache, Supplier<String> fingerprint) {
        this.captions = captions;
        this.encoder = encoder;
        this.cache = cache;
        this.fingerprint = fingerprint;
    }

    @Override
    public int featureDim() {
        return encoder.config().dModel();
    }

    @Override
    public Conditioning encode(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager) {
        if (anyPrecomputed(batch, unconditional)) {
            return fromRows(batch, unconditional, training, manager);
        }
        TokenBatch tokens = captions.tokens(batch, unconditional, training);
        NDArray mask = tokens.maskArray(manager);
        NDArray features = cache == null ? run(tokens, mask, manager) : fromCache(tokens, manager);
        return new Conditioning(features, mask, null);
    }

    @Override
    public Conditioning unconditional(int n, NDManager manager) {
        List<Sample> none = Collections.nCopies(n, Sample.condition(-1, null));
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        return encode(none, all, false, manager);
    }

    @Override
    public boolean acceptsForTraining(Sample sample) {
        return captions.acceptsForTraining(sample);
    }

    /** Only the caption: a text model follows the caption alone. */
    @Override
    public Sample conditionOf(Sample sample) {
        return Sample.condition(-1, sample.caption());
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of();
    }

    /** Frozen, so its encodings can be precomputed: {@code t5}, the fingerprint of its options and weights, the mode. */
    @Override
    public EmbeddingOrigin embeddingOrigin(boolean training) {
        String f = fingerprintValue;
        if (f == null) {
            synchronized (this) {
                if (fingerprintValue == null) {
                    fingerprintValue = fingerprint.get();
                }
                f = fingerprintValue;
            }
        }
        return new EmbeddingOrigin(NAME, f, EmbeddingOrigin.tokenization(training));
    }

    /** The embedding cache, or null. */
    public EmbeddingCache cache() {
        return cache;
    }

    @Override
    public void close() {
        encoder.close();
    }

    private static boolean anyPrecomputed(List<Sample> batch, boolean[] unconditional) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).captionEmbedding() != null && (unconditional == null || !unconditional[i])) {
                return true;
            }
        }
        return false;
    }

    /** The batch from per-row embeddings: precomputed where the samples carry them, encoded for the rest. */
    private Conditioning fromRows(List<Sample> batch, boolean[] unconditional, boolean training, NDManager manager) {
        EmbeddingOrigin own = embeddingOrigin(training);
        int b = batch.size();
        int d = featureDim();
        CaptionEmbedding[] rows = new CaptionEmbedding[b];
        List<Sample> toEncode = new ArrayList<>();
        List<Integer> encodedAt = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Sample s = batch.get(i);
            boolean dropped = unconditional != null && unconditional[i];
            if (!dropped && s.captionEmbedding() != null) {
                EmbeddingOrigin.requireUsable(own, NAME, s);
                if (s.captionEmbedding().dim() != d) {
                    throw new MdmException("sample '" + s.id() + "' carries a caption embedding of width "
                            + s.captionEmbedding().dim() + " but this T5 has d_model " + d + "; re-run the caption-embedding job.");
                }
                rows[i] = s.captionEmbedding();
            } else {
                toEncode.add(s);
                encodedAt.add(i);
            }
        }
        if (!toEncode.isEmpty()) {
            boolean[] flags = new boolean[toEncode.size()];
            for (int k = 0; k < flags.length; k++) {
                flags[k] = unconditional != null && unconditional[encodedAt.get(k)];
            }
            Conditioning fresh = encode(toEncode, flags, training, manager);
            List<CaptionEmbedding> encoded = CaptionEmbedding.rows(fresh.tokens(), fresh.mask(), own);
            fresh.tokens().close();
            fresh.mask().close();
            for (int k = 0; k < flags.length; k++) {
                rows[encodedAt.get(k)] = encoded.get(k);
            }
        }
        int len = 0;
        for (CaptionEmbedding r : rows) {
            len = Math.max(len, r.length());
        }
        float[] flat = new float[b * len * d];
        float[] mask = new float[b * len];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i].features(), 0, flat, i * len * d, rows[i].features().length);
            System.arraycopy(rows[i].mask(), 0, mask, i * len, rows[i].length());
        }
        return new Conditioning(NativeArrays.create(manager, flat, new Shape(b, len, d)),
                NativeArrays.create(manager, mask, new Shape(b, len)), null);
    }

    /** Encoder output times the mask: padded rows become exactly 0. */
    private NDArray run(TokenBatch tokens, NDArray mask, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = tokens.idsArray(scope);
            NDArray hidden = encoder.encode(ids, mask);
            hidden.attach(scope);
            NDArray column = mask.expandDims(-1);
            column.attach(scope);
            NDArray out = hidden.mul(column);
            out.attach(manager);
            return out;
        }
    }

    private NDArray fromCache(TokenBatch tokens, NDManager manager) {
        int b = tokens.batchSize();
        int len = tokens.length();
        int d = featureDim();
        int[][] rows = new int[b][];
        Map<List<Integer>, int[]> missing = new LinkedHashMap<>();
        float[][] found = new float[b][];
        for (int i = 0; i < b; i++) {
            rows[i] = trimPadding(tokens.ids()[i], tokens.pad());
            found[i] = cache.get(rows[i]);
            if (found[i] == null) {
                missing.putIfAbsent(Arrays.stream(rows[i]).boxed().toList(), rows[i]);
            }
        }
        if (!missing.isEmpty()) {
            encodeAndStore(new ArrayList<>(missing.values()), tokens.pad(), manager);
            for (int i = 0; i < b; i++) {
                if (found[i] == null) {
                    found[i] = cache.get(rows[i]);
                    if (found[i] == null) { // too large for the cache: encode the batch directly
                        NDArray mask = tokens.maskArray(manager);
                        NDArray out = run(tokens, mask, manager);
                        mask.close();
                        return out;
                    }
                }
            }
        }
        float[] flat = new float[b * len * d];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                if (rows[i][j] != tokens.pad()) {
                    System.arraycopy(found[i], j * d, flat, (i * len + j) * d, d);
                }
            }
        }
        return NativeArrays.create(manager, flat, new Shape(b, len, d));
    }

    private void encodeAndStore(List<int[]> rows, int pad, NDManager manager) {
        TokenBatch batch = new TokenBatch(padRows(rows, pad), pad);
        try (NDManager scope = manager.newSubManager()) {
            NDArray hidden = encoder.encode(batch.idsArray(scope), batch.maskArray(scope));
            hidden.attach(scope);
            float[] all = hidden.toFloatArray();
            int len = batch.length();
            int d = featureDim();
            for (int i = 0; i < rows.size(); i++) {
                cache.put(rows.get(i), Arrays.copyOfRange(all, i * len * d, (i * len + rows.get(i).length) * d));
            }
        }
    }

    private static int[][] padRows(List<int[]> rows, int pad) {
        int longest = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[][] out = new int[rows.size()][longest];
        for (int i = 0; i < rows.size(); i++) {
            Arrays.fill(out[i], pad);
            System.arraycopy(rows.get(i), 0, out[i], 0, rows.get(i).length);
        }
        return out;
    }

    private static int[] trimPadding(int[] row, int pad) {
        int n = row.length;
        while (n > 0 && row[n - 1] == pad) {
            n--;
        }
        return Arrays.copyOf(row, n);
    }
}
