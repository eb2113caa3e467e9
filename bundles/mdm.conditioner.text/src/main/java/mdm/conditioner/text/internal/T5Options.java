package mdm.conditioner.text.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Options of the {@code t5} conditioner.
 *
 * @param modelDir             Hugging Face model folder (config.json + safetensors), relative to the work folder
 * @param vocabFile            piece/log-prob vocabulary; empty = the bundled t5.vocab
 * @param maxCaptionLength     reader limit (≤ 0: none); the released 64² config uses 512
 * @param maxTokenLength       reader limit (≤ 0: none); the released configs use 128
 * @param unconditionalCaption the caption of the unconditional input (the demo's default negative prompt is "")
 * @param embeddingCacheMb     host memory for cached caption embeddings; 0 = no cache
 */
record T5Options(@JsonProperty("model_dir") String modelDir,
                 @JsonProperty("vocab_file") String vocabFile,
                 @JsonProperty("max_caption_length") Integer maxCaptionLength,
                 @JsonProperty("max_token_length") Integer maxTokenLength,
                 @JsonProperty("unconditional_caption") String unconditionalCaption,
                 @JsonProperty("embedding_cache_mb") Integer embeddingCacheMb) {
    static final String DEFAULT_MODEL_DIR = "models/flan-t5-xl";

    T5Options {
        modelDir = modelDir == null || modelDir.isBlank() ? DEFAULT_MODEL_DIR : modelDir;
        vocabFile = vocabFile == null ? "" : vocabFile;
        maxCaptionLength = maxCaptionLength == null ? 512 : maxCaptionLength;
        maxTokenLength = maxTokenLength == null ? 128 : maxTokenLength;
        unconditionalCaption = unconditionalCaption == null ? "" : unconditionalCaption;
        embeddingCacheMb = embeddingCacheMb == null ? 0 : embeddingCacheMb;
        if (embeddingCacheMb < 0) {
            throw new IllegalArgumentException("embedding_cache_mb must be ≥ 0 (0 turns the cache off), got " + embeddingCacheMb);
        }
    }
}
