package mdm.conditioner.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An HF tokenizers {@code tokenizer.json} holding a Unigram model built from a vocab file's pieces
 * and scores, read independently of {@link Vocabulary}. Spaces become "▁" (a Replace normalizer);
 * no other normalisation, no pre-tokenisation (one "word" per input), no byte fallback.
 */
final class UnigramJson {
    private UnigramJson() {
    }

    static String fromVocabFile(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Replace");
        normalizer.putObject("pattern").put("String", " ");
        normalizer.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", 2);
        ArrayNode vocab = model.putArray("vocab");
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t");
            ArrayNode entry = vocab.addArray();
            entry.add(parts[0]);
            entry.add(Double.parseDouble(parts[1]));
        }
        model.put("byte_fallback", false);
        return mapper.writeValueAsString(root);
    }
}
