package mdm.data.tsvtar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.data.DataStream;
import mdm.core.image.Crop;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import mdm.core.image.Resize;
import mdm.core.random.HostRandom;
import mdm.api.data.CaptionEmbedding;
import mdm.api.data.EmbeddingOrigin;
import mdm.core.fixtures.EngineExtension;
import mdm.core.io.Safetensors;
import mdm.core.runtime.EngineRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TsvTarDatasetTest {
    static EngineRuntime runtime;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);
    private static final Path DATA = Path.of(System.getProperty("mdm.testdata", "testdata"), "data");
    private static final String CAPTION = "Manager in store with TVs, computers, laptops, printers, monitors.";
    @TempDir
    Path dir;

    private final TsvTarDataset dataset = new TsvTarDataset();

    private static byte[] referenceJpeg() throws IOException {
        return TarArchive.index(DATA.resolve("images_00000.tar")).read("0000000000.jpg");
    }

    @Test
    void readsTheReferenceShard() throws IOException {
        byte[] jpeg = referenceJpeg();
        assertEquals(3147, jpeg.length, "member size as tar -tv lists it");
        assertEquals(0xFFD8, ((jpeg[0] & 0xff) << 8) | (jpeg[1] & 0xff), "JPEG start marker");
        assertEquals(0xFFD9, ((jpeg[jpeg.length - 2] & 0xff) << 8) | (jpeg[jpeg.length - 1] & 0xff), "JPEG end marker");

        // the TSV names tests/test_files/images_00000.tar: found as the bare name next to the TSV
        String options = "{path: '" + DATA.resolve("images_00000.tsv") + "', image_size: 32}";
        assertEquals(1, dataset.describe(Json.parseOptions(options)).size());
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            Sample x = s.next();
            assertEquals(CAPTION, x.caption());
            assertEquals("tsv-tar:images_00000.tar/0000000000.jpg", x.id());
            assertEquals(32, x.height());
            assertEquals(32, x.width());
            FloatImage decoded = ImageCodec.decode(jpeg, "reference");
            System.out.printf("reference shard image: %d×%d, read as 32² (shorter side + centre crop)%n", decoded.width(), decoded.height());
            assertArrayEquals(Resize.centreCrop(Resize.shorterSide(decoded, 32), 32, 32).data(), x.pixels());
            assertEquals(x.id(), s.next().id(), "one entry, so every epoch gives it again");
        }
    }

    @Test
    void tarReaderFollowsLongNamesAndStopsAtDamage() throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        String longName = "deep/".repeat(30) + "image.png";
        members.put("a.txt", "alpha".getBytes(StandardCharsets.UTF_8));
        members.put(longName, new byte[700]);
        members.put("c.txt", "gamma".getBytes(StandardCharsets.UTF_8));
        Path tar = TestTars.write(dir.resolve("t.tar"), members);
        TarArchive sound = TarArchive.index(tar);
        assertNull(sound.damage());
        assertEquals(3, sound.size());
        assertEquals("gamma", new String(sound.read("c.txt"), StandardCharsets.UTF_8));
        assertEquals(700, sound.read(longName).length);

        byte[] bytes = Files.readAllBytes(tar);
        int lastHeader = bytes.length - 1024 - 1024; // c.txt: header + one data block before the end marker
        bytes[lastHeader + 1] ^= 0x20;
        TarArchive damaged = TarArchive.index(Files.write(dir.resolve("d.tar"), bytes));
        assertEquals("bad header checksum at byte " + lastHeader, damaged.damage());
        assertEquals("alpha", new String(damaged.read("a.txt"), StandardCharsets.UTF_8));
        assertNull(damaged.read("c.txt"));

        // a.txt header+data, the long name's 'L' header+data, then its member's header and 700 bytes from byte 2560
        TarArchive truncated = TarArchive.index(Files.write(dir.resolve("e.tar"), java.util.Arrays.copyOf(bytes, 2048 + 512 + 300)));
        assertTrue(truncated.damage().contains("truncated"), truncated.damage());
        assertEquals("alpha", new String(truncated.read("a.txt"), StandardCharsets.UTF_8));
        TarArchive cutInPadding = TarArchive.index(Files.write(dir.resolve("f.tar"), java.util.Arrays.copyOf(bytes, 1024 + 512 + 300)));
        assertTrue(cutInPadding.damage().contains("truncated"), "a long name with no member after it: " + cutInPadding.damage());
    }

    @Test
    void paxSizeRecordsGiveTheMemberSize() throws IOException {
        byte[] big = new byte[1300];
        java.util.Arrays.fill(big, (byte) 7);
        Path tar = TestTars.writePaxSized(dir.resolve("pax.tar"), "big.bin", big, "after.txt",
                "omega".getBytes(StandardCharsets.UTF_8));
        TarArchive t = TarArchive.index(tar);
        assertNull(t.damage());
        assertArrayEquals(big, t.read("big.bin"), "the pax size (1300), not the ustar field (0)");
        assertEquals("omega", new String(t.read("after.txt"), StandardCharsets.UTF_8));
    }

    /** A shard with one good row and five bad ones, each bad in its own way. */
    private Path badShard() throws IOException {
        Files.write(dir.resolve("good.tar"), Files.readAllBytes(DATA.resolve("images_00000.tar")));
        byte[] corrupt = Files.readAllBytes(DATA.resolve("images_00000.tar"));
        corrupt[3] ^= 0x01; // inside the first member's name: its checksum no longer matches
        Files.write(dir.resolve("corrupt.tar"), corrupt);
        TestTars.write(dir.resolve("text.tar"), Map.of("note.jpg", "not an image".getBytes(StandardCharsets.UTF_8)));
        // the first caption spans two lines, so the rows after it start on lines 4..8
        String tsv = "tar\tfile\tcaption\n"
                + "sub/good.tar\t0000000000.jpg\t\"a \"\"quoted\"\"\tcaption\nover two lines\"\n"
                + "good.tar\tmissing.jpg\ta missing image\n"
                + "good.tar\t0000000000.jpg\t \n"
                + "corrupt.tar\t0000000000.jpg\ta corrupt tar\n"
                + "absent.tar\tx.jpg\tno such tar\n"
                + "text.tar\tnote.jpg\tnot an image\n";
        return Files.writeString(dir.resolve("shard.tsv"), tsv);
    }

    @Test
    void badEntriesAreSkippedAndCountedWithClearMessages() throws IOException {
        Path shard = badShard();
        String options = "{path: '" + shard + "', image_size: 16}";
        assertEquals(6, dataset.describe(Json.parseOptions(options)).size());
        try (SampleStream s = dataset.open(Json.parseOptions(options), 3, StreamPosition.START)) {
            Sample first = s.next();
            Sample second = s.next();
            assertEquals("a \"quoted\"\tcaption\nover two lines", first.caption());
            assertEquals(first.id(), second.id(), "only the good entry comes out, epoch after epoch");
            DataStream stream = (DataStream) s;
            assertTrue(stream.skipped() >= 5, "all five bad rows of epoch 0, then some of epoch 1: " + stream.skipped());
            String problems = String.join("\n", stream.problems());
            System.out.println("tsv-tar problems reported:\n" + String.join("\n", stream.problems().subList(0, 5)));
            assertTrue(problems.contains("missing image: entry 'missing.jpg' of shard 'good.tar' (line 4 of shard.tsv)"), problems);
            assertTrue(problems.contains("empty caption for entry '0000000000.jpg' of shard 'good.tar' (line 5 of shard.tsv)"), problems);
            assertTrue(problems.contains("entry '0000000000.jpg' of shard 'corrupt.tar' (line 6 of shard.tsv): the tar")
                    && problems.contains("is damaged (bad header checksum at byte 0)"), problems);
            assertTrue(problems.contains("entry 'x.jpg' of shard 'absent.tar' (line 7 of shard.tsv): shard tar not found"), problems);
            assertTrue(problems.contains("cannot decode entry 'note.jpg' of shard 'text.tar' (line 8 of shard.tsv)"), problems);
        }
    }

    @Test
    void badEntryStopsTheStreamWhenConfigured() throws IOException {
        Path shard = badShard();
        String options = "{path: '" + shard + "', image_size: 16, loader: {shuffle: false, on_error: stop}}";
        try (SampleStream s = dataset.open(Json.parseOptions(options), 3, StreamPosition.START)) {
            s.next();
            MdmException e = assertThrows(MdmException.class, s::next);
            assertTrue(e.getMessage().contains("missing image: entry 'missing.jpg' of shard 'good.tar' (line 4 of shard.tsv)"), e.getMessage());
            assertTrue(e.getMessage().contains("on_error"), e.getMessage());
        }
    }

    @Test
    void indexFilesListShards() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("shards"));
        Files.write(sub.resolve("images_00000.tar"), Files.readAllBytes(DATA.resolve("images_00000.tar")));
        Files.write(sub.resolve("images_00000.tsv"), Files.readAllBytes(DATA.resolve("images_00000.tsv")));
        Files.writeString(sub.resolve("images_00001.tsv"), "tar\tfile\tcaption\nimages_00000.tar\t0000000000.jpg\tsecond\n");
        Path index = Files.writeString(dir.resolve("index.tsv"), "filename\nshards/images_00000.tsv\nshards/images_00001.tsv\n");
        String options = "{path: '" + index + "', image_size: 8, loader: {shuffle: false}}";
        assertEquals(2, dataset.describe(Json.parseOptions(options)).size());
        try (SampleStream s = dataset.open(Json.parseOptions(options), 0, StreamPosition.START)) {
            assertEquals(List.of(CAPTION, "second"), List.of(s.next().caption(), s.next().caption()));
        }
        Path wrong = Files.writeString(dir.resolve("wrong.tsv"), "url\tcaption\nhttp://x\ty\n");
        MdmException e = assertThrows(MdmException.class, () -> dataset.describe(Json.parseOptions("{path: '" + wrong + "'}")));
        assertTrue(e.getMessage().contains("neither a shard TSV"), e.getMessage());
    }

    private static final EmbeddingOrigin FROZEN = new EmbeddingOrigin("frozen-test", "abc123", EmbeddingOrigin.TRAINING);

    /** A made-up embedding per caption: its length and values follow from the caption, so rows are told apart. */
    private static CaptionEmbedding made(String caption, EmbeddingOrigin origin) {
        int n = 1 + caption.length() % 4;
        float[] f = new float[n * 3];
        for (int i = 0; i < f.length; i++) {
            f[i] = caption.hashCode() % 97 + i * 0.25f;
        }
        float[] mask = new float[n];
        java.util.Arrays.fill(mask, 1f);
        mask[0] = n > 1 ? 0f : 1f; // a <pad> inside a caption keeps its 0
        return new CaptionEmbedding(f, mask, 3, origin);
    }

    private static Path writeSidecar(Path tsv, EmbeddingOrigin origin) {
        List<String> captions = TsvTarDataset.captionShards(tsv).get(0).captions();
        List<CaptionEmbedding> rows = captions.stream().map(c -> c.isBlank() ? null : made(c, origin)).toList();
        try (var m = runtime.newManager()) {
            return CaptionEmbeddingSidecar.write(tsv, captions, rows, origin, 3, m);
        }
    }

    /** Two shards with sidecars: every sample carries its own row; mismatching sidecars are refused, each clearly. */
    @Test
    void captionEmbeddingSidecarsAreReadAndCheckedAgainstTheirShards() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("shards"));
        Files.write(sub.resolve("images_00000.tar"), Files.readAllBytes(DATA.resolve("images_00000.tar")));
        Path a = Files.writeString(sub.resolve("a.tsv"), "tar\tfile\tcaption\nimages_00000.tar\t0000000000.jpg\tfirst caption\n"
                + "images_00000.tar\t0000000000.jpg\tthe second one\n");
        Path b = Files.writeString(sub.resolve("b.tsv"), "tar\tfile\tcaption\nimages_00000.tar\t0000000000.jpg\tthird\n");
        Path index = Files.writeString(dir.resolve("index.tsv"), "filename\nshards/a.tsv\nshards/b.tsv\n");
        assertEquals(sub.resolve("a.emb.safetensors"), CaptionEmbeddingSidecar.of(a));
        writeSidecar(a, FROZEN);
        writeSidecar(b, FROZEN);
        String options = "{path: '" + index + "', image_size: 8, loader: {shuffle: false}";
        try (SampleStream s = dataset.open(Json.parseOptions(options + ", embeddings: require}"), 0, StreamPosition.START)) {
            for (int i = 0; i < 3; i++) {
                Sample x = s.next();
                CaptionEmbedding expected = made(x.caption(), FROZEN);
                assertEquals(FROZEN, x.captionEmbedding().origin());
                assertArrayEquals(expected.features(), x.captionEmbedding().features(), x.caption());
                assertArrayEquals(expected.mask(), x.captionEmbedding().mask(), x.caption());
            }
        }
        try (SampleStream s = dataset.open(Json.parseOptions(options + ", embeddings: ignore}"), 0, StreamPosition.START)) {
            assertNull(s.next().captionEmbedding());
        }

        // b's sidecar by another conditioner: the data set is one origin or none
        writeSidecar(b, new EmbeddingOrigin("frozen-test", "def456", EmbeddingOrigin.TRAINING));
        MdmException mixed = assertThrows(MdmException.class, () -> dataset.open(Json.parseOptions(options + "}"), 0, StreamPosition.START));
        assertTrue(mixed.getMessage().contains("disagree") && mixed.getMessage().contains("abc123")
                && mixed.getMessage().contains("def456"), mixed.getMessage());
        // none for b: auto reads a's and gives b's captions alone; require names b
        Files.delete(CaptionEmbeddingSidecar.of(b));
        try (SampleStream s = dataset.open(Json.parseOptions(options + "}"), 0, StreamPosition.START)) {
            assertTrue(s.next().captionEmbedding() != null && s.next().captionEmbedding() != null);
            assertNull(s.next().captionEmbedding(), "b has no sidecar");
        }
        MdmException required = assertThrows(MdmException.class,
                () -> dataset.open(Json.parseOptions(options + ", embeddings: require}"), 0, StreamPosition.START));
        assertTrue(required.getMessage().contains("1 of 2 shards") && required.getMessage().contains("b.tsv"), required.getMessage());

        // a edited after its sidecar was made: a caption changed, then a row added
        Files.writeString(a, Files.readString(a).replace("first caption", "first caption, edited"));
        assertMismatch(options, "captions_sha256 differs");
        Files.writeString(a, Files.readString(a) + "images_00000.tar\t0000000000.jpg\tfourth\n");
        assertMismatch(options, "holds 2 caption rows but its shard a.tsv has 3");
        // not a sidecar of ours: a tensor or a metadata key missing
        writeSidecar(a, FROZEN);
        Map<String, String> meta = new LinkedHashMap<>(Safetensors.layout(CaptionEmbeddingSidecar.of(a)).metadata());
        try (var m = runtime.newManager()) {
            var tensors = Safetensors.read(CaptionEmbeddingSidecar.of(a), m);
            tensors.remove("masks");
            Safetensors.write(CaptionEmbeddingSidecar.of(a), tensors, meta);
            assertMismatch(options, "lacks the tensor 'masks'");
            meta.remove("fingerprint");
            Safetensors.write(CaptionEmbeddingSidecar.of(a), Safetensors.read(CaptionEmbeddingSidecar.of(a), m), meta);
            assertMismatch(options, "its metadata lacks [fingerprint]");
        }
    }

    private void assertMismatch(String options, String expected) {
        // a fresh component: a running one keeps the listing it read (the shards are not expected to change under it)
        MdmException e = assertThrows(MdmException.class, () -> new TsvTarDataset().open(Json.parseOptions(options + "}"), 0, StreamPosition.START));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("a.emb.safetensors")
                && e.getMessage().contains("Re-run the caption-embedding job"), e.getMessage());
    }

    @Test
    void randomCropUsesTheSampleStream() throws IOException {
        FloatImage decoded = ImageCodec.decode(referenceJpeg(), "reference");
        FloatImage a = Resize.shorterSideAndCrop(decoded, 24, Crop.RANDOM, new HostRandom(1));
        assertEquals(24, a.width());
        String options = "{path: '" + DATA.resolve("images_00000.tsv") + "', image_size: 24, crop: random}";
        float[] first;
        try (SampleStream s = dataset.open(Json.parseOptions(options), 5, StreamPosition.START)) {
            first = s.next().pixels();
        }
        try (SampleStream s = dataset.open(Json.parseOptions(options), 5, StreamPosition.START)) {
            assertArrayEquals(first, s.next().pixels());
        }
    }
}
