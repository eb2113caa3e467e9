package mdm.conditioner.text.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import mdm.api.MdmException;
import mdm.conditioner.text.Vocabulary;

/**
 * The {@code t5} conditioner's fingerprint for precomputed caption embeddings: SHA-256 over everything that
 * decides the encoding of a caption — the caption limits, the vocabulary (every piece and its score) and the
 * bytes of the model folder's files ({@code config.json}, the weights and their index). Not the unconditional
 * caption (dropped rows are always encoded by the conditioner itself) nor the cache size. Reading the weights
 * takes about as long as loading them (seconds for flan-t5-xl); the conditioner computes it once, and only when
 * precomputed embeddings are made or used.
 */
final class T5Fingerprint {
    private T5Fingerprint() {
    }

    static String of(Path modelDir, Vocabulary vocabulary, int maxCaptionLength, int maxTokenLength) {
        MessageDigest sha = sha256();
        sha.update("mdm t5 caption embedding 1\n".getBytes(StandardCharsets.UTF_8));
        sha.update(("max_caption_length=" + maxCaptionLength + "\nmax_token_length=" + maxTokenLength + "\n")
                .getBytes(StandardCharsets.UTF_8));
        ByteBuffer number = ByteBuffer.allocate(8);
        for (int id = 0; id < vocabulary.size(); id++) {
            byte[] piece = vocabulary.piece(id);
            sha.update(number.clear().putLong(piece.length).array());
            sha.update(piece);
            sha.update(number.clear().putDouble(vocabulary.cost(id)).array());
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(modelDir)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(p -> { String n = p.getFileName().toString();
                        return n.endsWith(".json") || n.endsWith(".safetensors") || n.endsWith(".bin"); })
                    .sorted().toList();
        } catch (IOException e) {
            throw new MdmException("cannot list the T5 model folder " + modelDir + ": " + e.getMessage(), e);
        }
        byte[] buffer = new byte[1 << 20];
        for (Path f : files) {
            sha.update(("\nfile " + f.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0;) {
                    sha.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new MdmException("cannot read " + f + " for the t5 conditioner's fingerprint: " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
