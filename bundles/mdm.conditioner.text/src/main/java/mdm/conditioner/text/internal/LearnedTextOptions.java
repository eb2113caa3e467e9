package mdm.conditioner.text.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Options of the {@code learned-text} conditioner.
 *
 * @param vocabFile            piece/log-prob vocabulary; empty = the bundled t5.vocab
 * @param maxCaptionLength     reader limit (≤ 0: none)
 * @param maxTokenLength       reader limit and size of the position table (must be > 0)
 * @param unconditionalCaption the caption of the unconditional input
 * @param dim                  token width D (the backbone's conditioning_feature_dim)
 * @param layers               number of SelfAttention1DBlocks
 * @param heads                attention heads (dim must divide by it)
 */
record LearnedTextOptions(@JsonProperty("vocab_file") String vocabFile,
                          @JsonProperty("max_caption_length") Integer maxCaptionLength,
                          @JsonProperty("max_token_length") Integer maxTokenLength,
                          @JsonProperty("unconditional_caption") String unconditionalCaption,
                          @JsonProperty("dim") Integer dim,
                          @JsonProperty("layers") Integer layers,
                          @JsonProperty("heads") Integer heads) {
    LearnedTextOptions {
        vocabFile = vocabFile == null ? "" : vocabFile;
        maxCaptionLength = maxCaptionLength == null ? 512 : maxCaptionLength;
        maxTokenLength = maxTokenLength == null ? 128 : maxTokenLength;
        unconditionalCaption = unconditionalCaption == null ? "" : unconditionalCaption;
        dim = dim == null ? 128 : dim;
        layers = layers == null ? 2 : layers;
        heads = heads == null ? 4 : heads;
        if (maxTokenLength <= 0) {
            throw new IllegalArgumentException("max_token_length must be positive for learned-text (it sizes the "
                    + "position table), got " + maxTokenLength);
        }
        if (dim <= 0 || layers < 0 || heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("need dim > 0 divisible by heads > 0 and layers ≥ 0, got dim " + dim
                    + ", heads " + heads + ", layers " + layers);
        }
    }
}
