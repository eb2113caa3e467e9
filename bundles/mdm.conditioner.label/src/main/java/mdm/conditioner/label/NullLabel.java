package mdm.conditioner.label;

/** How the unconditional input of the class conditioner looks. */
public enum NullLabel {
    /**
     * An all-zero token of the same width: no label column is added, so real labels keep exactly the
     * reference's one-hot form and width; it is orthogonal to every label, adds nothing through the
     * UNet's bias-free pooled projection ({@code cond_emb}), and reaches cross-attention as the
     * LayerNorm's learned shift.
     */
    ZERO,
    /** One more column after the labels: a one-hot "null class" with its own learned embedding (as DiT does). */
    EXTRA
}
