package mdm.conditioner.text;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.MdmException;

/**
 * A SentencePiece vocabulary in the reference's {@code piece<TAB>log-prob} form, read the way its
 * "t5" mode reads it: line index = token id, "▁" in a piece stands for a space, the cost of a
 * piece is its negated log-probability (the special tokens have log-prob 0, hence cost 0).
 */
public final class Vocabulary {
    /** The bundled copy of the reference's {@code data/t5.vocab}. */
    public static final String BUNDLED_T5 = "t5.vocab";

    private static final byte[] META_SPACE = "\u2581".getBytes(StandardCharsets.UTF_8);

    private final List<byte[]> pieces;
    private final double[] costs;
    private final ByteTrie trie;
    private final int pad;
    private final int eos;
    private final int unk;

    private Vocabulary(List<byte[]> pieces, double[] costs, String source) {
        this.pieces = pieces;
        this.costs = costs;
        this.trie = new ByteTrie();
        for (int id = 0; id < pieces.size(); id++) {
            if (!trie.insert(pieces.get(id), id)) {
                throw new MdmException("vocabulary " + source + " line " + (id + 1) + ": piece '"
                        + text(id) + "' occurs twice (after replacing ▁ by a space); fix the vocabulary file.");
            }
        }
        this.pad = require("<pad>", source);
        this.eos = require("</s>", source);
        this.unk = require("<unk>", source);
    }

    /** The reference's t5.vocab, as shipped inside this bundle. */
    public static Vocabulary t5() {
        try (InputStream in = Vocabulary.class.getResourceAsStream(BUNDLED_T5)) {
            if (in == null) {
                throw new MdmException("the bundled " + BUNDLED_T5 + " is missing from mdm.conditioner.text; rebuild the bundle.");
            }
            return parse(in.readAllBytes(), "bundled " + BUNDLED_T5);
        } catch (IOException e) {
            throw new MdmException("cannot read the bundled " + BUNDLED_T5 + ": " + e.getMessage(), e);
        }
    }

    /** Reads a vocabulary file ({@code piece<TAB>log-prob} per line). */
    public static Vocabulary read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new MdmException("vocabulary file not found: " + file.toAbsolutePath()
                    + ". Set vocab_file to a piece<TAB>log-prob file (e.g. ml-mdm's data/t5.vocab) or leave it empty for the bundled one.");
        } catch (IOException e) {
            throw new MdmException("cannot read vocabulary " + file + ": " + e.getMessage(), e);
        }
    }

    static Vocabulary parse(byte[] content, String source) {
        List<byte[]> pieces = new ArrayList<>();
        List<Double> costs = new ArrayList<>();
        int start = 0;
        int lineNo = 0;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            lineNo++;
            byte[] line = rstrip(Arrays.copyOfRange(content, start, end));
            start = end + 1;
            int tab = indexOf(line, (byte) '\t');
            if (tab < 0 || indexOf(Arrays.copyOfRange(line, tab + 1, line.length), (byte) '\t') >= 0) {
                throw new MdmException("vocabulary " + source + " line " + lineNo
                        + ": expected 'piece<TAB>log-prob', got '" + new String(line, StandardCharsets.UTF_8) + "'.");
            }
            double logProb;
            try {
                logProb = Double.parseDouble(new String(line, tab + 1, line.length - tab - 1, StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                throw new MdmException("vocabulary " + source + " line " + lineNo + ": the log-prob is not a number.");
            }
            pieces.add(replace(Arrays.copyOfRange(line, 0, tab), META_SPACE, (byte) ' '));
            costs.add(-logProb);
        }
        return new Vocabulary(pieces, costs.stream().mapToDouble(Double::doubleValue).toArray(), source);
    }

    public int size() {
        return pieces.size();
    }

    /** Cost of a piece: −log-prob. */
    public double cost(int id) {
        return costs[id];
    }

    /** A piece's bytes with "▁" already replaced by a space. */
    public byte[] piece(int id) {
        return pieces.get(id).clone();
    }

    /** A piece as text, with a space where the file has "▁". */
    public String text(int id) {
        return new String(pieces.get(id), StandardCharsets.UTF_8);
    }

    /** The id of a piece written with spaces, or −1. */
    public int id(String piece) {
        return trie.find(piece.getBytes(StandardCharsets.UTF_8));
    }

    public int pad() {
        return pad;
    }

    public int eos() {
        return eos;
    }

    /** The reference maps "bos" to {@code <unk>}; it is unused with its defaults (prepad_bos false). */
    public int unk() {
        return unk;
    }

    ByteTrie trie() {
        return trie;
    }

    private int require(String piece, String source) {
        int id = id(piece);
        if (id < 0) {
            throw new MdmException("vocabulary " + source + " has no " + piece + " piece; use a T5 vocabulary.");
        }
        return id;
    }

    /** Python's bytes.rstrip(): drops trailing ASCII whitespace. */
    private static byte[] rstrip(byte[] line) {
        int n = line.length;
        while (n > 0 && (line[n - 1] == ' ' || (line[n - 1] >= 9 && line[n - 1] <= 13))) {
            n--;
        }
        return n == line.length ? line : Arrays.copyOf(line, n);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] replace(byte[] a, byte[] what, byte with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length);
        for (int i = 0; i < a.length; i++) {
            if (i + what.length <= a.length && Arrays.equals(a, i, i + what.length, what, 0, what.length)) {
                out.write(with);
                i += what.length - 1;
            } else {
                out.write(a[i]);
            }
        }
        return out.toByteArray();
    }
}
