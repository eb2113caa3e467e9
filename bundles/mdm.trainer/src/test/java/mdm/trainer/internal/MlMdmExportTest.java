package mdm.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import mdm.api.MdmException;
import mdm.api.Options;
import mdm.api.model.Backbone;
import mdm.api.model.BackboneConfig;
import mdm.api.train.ComponentRef;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.ImportRequest;
import mdm.api.train.Job;
import mdm.api.train.TrainRequest;
import mdm.backbone.nested.internal.NestedUNetComponent;
import mdm.core.config.Json;
import mdm.core.io.MlMdmCheckpoint;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDictFiles;
import mdm.core.io.TorchSave;
import mdm.core.fixtures.EngineExtension;
import mdm.core.runtime.EngineRuntime;
import mdm.trainer.TestComponents;
import mdm.trainer.internal.spec.MlMdmYaml;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdm:export} against what the reference writes: {@code testdata/ml-mdm-export/export_golden.json} is
 * ml-mdm's own output for its tiny nested32 model (its trainer's two {@code torch.save} files, its config
 * dataclasses, its trainer arguments; see the README there). The same model, imported from that config, is
 * exported and compared field by field, key by key, dtype and shape; and export → import gives back the
 * same bits, for an imported model and for a trained one with its EMA.
 */
class MlMdmExportTest {
    static final Path GOLDEN = Path.of(System.getProperty("mdm.testdata", "../../testdata"), "ml-mdm-export",
            "export_golden.json");
    /** Top-level keys of our config.yaml besides ml-mdm's trainer arguments. */
    static final Set<String> SECTIONS = Set.of("name", MlMdmYaml.MODEL, MlMdmYaml.VISION_MODEL, MlMdmYaml.UNET_CONFIG,
            MlMdmYaml.DIFFUSION_CONFIG, MlMdmYaml.READER_CONFIG, MlMdmYaml.OURS);

    static EngineRuntime runtime;
    static JsonNode golden;

    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension(r -> runtime = r);

    @BeforeAll
    static void golden() {
        golden = Json.read(GOLDEN);
    }

    private static ExportService exporter() {
        return new ExportService(TestComponents.registry(runtime), runtime);
    }

    private static ImportService importer() {
        return new ImportService(TestComponents.registry(runtime), runtime);
    }

    /** The reference's nested32 config as an ml-mdm YAML, with its weights (fresh ones) and an EMA file. */
    private static Path importNested32(Path dir) {
        ObjectNode yaml = Json.empty();
        yaml.put(MlMdmYaml.MODEL, golden.path("model").asText());
        yaml.set(MlMdmYaml.UNET_CONFIG, golden.path("config").path("unet_config").deepCopy());
        yaml.set(MlMdmYaml.DIFFUSION_CONFIG, golden.path("config").path("diffusion_config").deepCopy());
        yaml.putObject(MlMdmYaml.READER_CONFIG).put(MlMdmYaml.IMAGE_SIZE, 32);
        Path file = dir.resolve("nested32.yaml");
        mdm.core.io.AtomicFiles.writeString(file, Json.yaml(yaml));
        NestedUNetComponent factory = new NestedUNetComponent();
        BackboneConfig config = factory.parseConfig(Json.options(golden.path("config").path("unet_config")));
        try (NDManager m = runtime.newManager()) {
            Backbone model = factory.create(config, m, 1);
            Backbone ema = factory.create(config, m, 2);
            Safetensors.write(dir.resolve("model.safetensors"), model.parameters());
            Safetensors.write(dir.resolve("ema.safetensors"), ema.parameters());
        }
        Options extra = Json.options(Json.empty().put("classes", 15).put(ImportService.EMA,
                dir.resolve("ema.safetensors").toString()));
        return importer().importModel(new ImportRequest(file, dir.resolve("model.safetensors"), dir.resolve("ckpt"),
                null, new ComponentRef("class", Json.options(Json.empty().put("width", 16))), null, extra));
    }

    @Test
    void theExportHasTheReferencesStructure(@TempDir Path dir) throws Exception {
        Path checkpoint = importNested32(dir);
        ExportResult r = exporter().exportModel(new ExportRequest(checkpoint, dir.resolve("out"), null));
        assertEquals(List.of("config.yaml", "vis_model_noema_000000.pth", "vis_model_000000.pth", "export.json"),
                r.files());
        JsonNode config = Json.read(r.folder().resolve("config.yaml"));
        JsonNode ref = golden.path("config");

        // config: the model, every field of ml-mdm's dataclasses in their order, the same values
        assertEquals(ref.path("model").asText(), config.path(MlMdmYaml.MODEL).asText());
        assertSameFields(ref.path("unet_config"), config.path(MlMdmYaml.UNET_CONFIG), "unet_config");
        assertSameFields(ref.path("diffusion_config"), config.path(MlMdmYaml.DIFFUSION_CONFIG), "diffusion_config");
        Set<String> readerFields = fieldNames(ref.path("reader_config"));
        assertTrue(readerFields.containsAll(fieldNames(config.path(MlMdmYaml.READER_CONFIG))),
                "reader_config fields ml-mdm lacks: " + fieldNames(config.path(MlMdmYaml.READER_CONFIG)));
        assertEquals(32, config.path(MlMdmYaml.READER_CONFIG).path(MlMdmYaml.IMAGE_SIZE).asInt());
        // every other top-level key is an argument of ml-mdm's trainer (they travel as its defaults)
        Set<String> trainer = fieldNames(golden.path("trainer_arguments"));
        for (String k : fieldNames(config)) {
            assertTrue(SECTIONS.contains(k) || trainer.contains(k), "top-level key '" + k + "' is not an argument "
                    + "of ml-mdm's trainer");
        }
        assertEquals(1, config.path("categorical_conditioning").asInt(), "a class model is categorical");

        // files: the records of torch.save, the entries ml-mdm's trainer writes, every key with dtype and shape
        for (String kind : new String[] {"vis_model_NNNNNN.pth", "vis_model_noema_NNNNNN.pth"}) {
            JsonNode g = golden.path("files").path(kind);
            Path file = r.folder().resolve(kind.replace("NNNNNN", "000000"));
            assertEquals(strings(g.path("records")), records(file), kind + ": records");
            try (NDManager m = runtime.newManager()) {
                MlMdmCheckpoint read = StateDictFiles.readMlMdmCheckpoint(file, m);
                assertTrue(read.skippedGlobals().isEmpty(), "only torch's own globals: " + read.skippedGlobals());
                Map<String, String> top = new LinkedHashMap<>();
                top.put(TorchSave.STATE_DICT, "OrderedDict");
                read.scalars().forEach((k, v) -> top.put(k, v instanceof Double ? "float"
                        : v instanceof Number ? "int" : v.getClass().getSimpleName()));
                Map<String, String> expected = new LinkedHashMap<>();
                g.path("top_level").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asText()));
                // ml-mdm also pickles its argparse Namespace ("args"), which its loader never reads on resume
                assertEquals("Namespace", expected.remove("args"));
                assertEquals(expected, top, kind + ": top-level entries");
                List<List<Object>> keys = new ArrayList<>();
                read.stateDict().forEach((k, v) -> keys.add(List.of(k, v.getDataType().toString().toLowerCase(),
                        List.of(box(v.getShape().getShape())))));
                List<List<Object>> ref2 = new ArrayList<>();
                for (JsonNode e : g.path("state_dict")) {
                    List<Long> shape = new ArrayList<>();
                    e.get(2).forEach(n -> shape.add(n.asLong()));
                    ref2.add(List.of(e.get(0).asText(), e.get(1).asText(), shape));
                }
                assertEquals(ref2, keys, kind + ": state-dict keys, dtypes and shapes in order");
            }
        }
        for (String key : strings(golden.path("loaded_on_resume"))) {
            // what train_parallel.py reads from --pretrained-vision-file is there
            assertTrue(key.equals(TorchSave.STATE_DICT) || readValues(r.folder().resolve("vis_model_noema_000000.pth"))
                    .containsKey(key), key);
        }
    }

    @Test
    void exportThenImportGivesTheSameBits(@TempDir Path dir) throws Exception {
        Path checkpoint = importNested32(dir);
        ExportResult r = exporter().exportModel(new ExportRequest(checkpoint, dir.resolve("out"), "ml-mdm"));
        Path back = importer().importModel(new ImportRequest(r.folder().resolve("config.yaml"),
                r.folder().resolve(r.files().get(1)), dir.resolve("back"), null, null, null,
                Json.options(Json.empty().put(ImportService.EMA, r.folder().resolve(r.files().get(2)).toString()))));
        assertSameBits(checkpoint.resolve(CheckpointStore.MODEL), back.resolve(CheckpointStore.MODEL));
        assertSameBits(checkpoint.resolve(CheckpointStore.EMA), back.resolve(CheckpointStore.EMA));
        // what ml-mdm has no field for came back from the export's own section
        JsonNode spec = Json.read(back.resolve(CheckpointStore.EXPERIMENT)).path("spec");
        assertEquals("class", spec.path("components").path("conditioner").path("name").asText());
        assertEquals(16, spec.path("components").path("conditioner").path("width").asInt());
        assertEquals(15, spec.path("data").path("classes").asInt());
    }

    @Test
    void aTrainedCheckpointWithItsEmaComesBackBitForBit(@TempDir Path dir) throws Exception {
        Path spec = Path.of(MlMdmExportTest.class.getResource("/tiny-nested.yaml").toURI());
        Path run;
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, dir)) {
            Job job = trainer.start(new TrainRequest(spec, null, dir.resolve("run"), false));
            assertTrue(job.await(5, TimeUnit.MINUTES));
            run = dir.resolve("run");
        }
        ExportResult r = exporter().exportModel(new ExportRequest(run, dir.resolve("out"), null));
        assertEquals(6, r.step());
        assertTrue(r.notCarried().get(0).startsWith("the optimiser state"), r.notCarried().toString());
        JsonNode config = Json.read(r.folder().resolve("config.yaml"));
        assertEquals("nested_unet", config.path(MlMdmYaml.MODEL).asText());
        assertEquals(4, config.path("batch_size").asInt());
        Map<String, Object> values = readValues(r.folder().resolve("vis_model_noema_000006.pth"));
        assertEquals(6L, ((Number) values.get("batch_num")).longValue());
        assertTrue((Double) values.get("exp_avg_loss") > 0, "the run's last loss: " + values);
        Path back = importer().importModel(new ImportRequest(r.folder().resolve("config.yaml"),
                r.folder().resolve("vis_model_noema_000006.pth"), dir.resolve("back"), null, null, null,
                Json.options(Json.empty().put(ImportService.EMA, r.folder().resolve("vis_model_000006.pth").toString()))));
        Path last = r.checkpoint();
        assertSameBits(last.resolve(CheckpointStore.MODEL), back.resolve(CheckpointStore.MODEL));
        assertSameBits(last.resolve(CheckpointStore.EMA), back.resolve(CheckpointStore.EMA));
        assertFalse(sameBits(back.resolve(CheckpointStore.MODEL), back.resolve(CheckpointStore.EMA)),
                "model and EMA differ after training, so both were carried");

        // a checkpoint of the first progressive stage is the inner network alone: a plain ml-mdm unet
        Path stage1 = run.resolve("checkpoints/step-00000002");
        ExportResult inner = exporter().exportModel(new ExportRequest(stage1, dir.resolve("out-stage1"), null));
        JsonNode innerConfig = Json.read(inner.folder().resolve("config.yaml"));
        assertEquals("unet", innerConfig.path(MlMdmYaml.MODEL).asText());
        assertFalse(innerConfig.path(MlMdmYaml.UNET_CONFIG).has(MlMdmYaml.INNER_CONFIG));
        assertEquals(new ArrayList<>(MlMdmYaml.UNET_FIELDS), new ArrayList<>(fieldNames(innerConfig.path(
                MlMdmYaml.UNET_CONFIG))), "a UNetConfig has exactly ml-mdm's UNetConfig fields");
        assertEquals(new ArrayList<>(MlMdmYaml.DIFFUSION_FIELDS), new ArrayList<>(fieldNames(innerConfig.path(
                MlMdmYaml.DIFFUSION_CONFIG))), "the unet pipeline's DiffusionConfig has no nested fields");
        Path innerBack = importer().importModel(new ImportRequest(inner.folder().resolve("config.yaml"),
                inner.folder().resolve(inner.files().get(1)), dir.resolve("back-stage1"), null, null, null,
                Json.options(Json.empty().put(ImportService.EMA, inner.folder().resolve(inner.files().get(2)).toString()))));
        assertSameBits(stage1.resolve(CheckpointStore.MODEL), innerBack.resolve(CheckpointStore.MODEL));
        assertSameBits(stage1.resolve(CheckpointStore.EMA), innerBack.resolve(CheckpointStore.EMA));
    }

    @Test
    void badInputIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
        ExportService e = exporter();
        MdmException format = assertThrows(MdmException.class,
                () -> e.exportModel(new ExportRequest(dir, dir.resolve("out"), "onnx")));
        assertEquals("unknown export format 'onnx': the formats are ml-mdm", format.getMessage());
        Files.writeString(dir.resolve("weights.pth"), "x");
        MdmException file = assertThrows(MdmException.class,
                () -> e.exportModel(new ExportRequest(dir.resolve("weights.pth"), dir.resolve("out"), null)));
        assertTrue(file.getMessage().contains("is a file, not a checkpoint"), file.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        MdmException none = assertThrows(MdmException.class,
                () -> e.exportModel(new ExportRequest(dir.resolve("empty"), dir.resolve("out"), null)));
        assertTrue(none.getMessage().contains("is neither a checkpoint"), none.getMessage());
        // a cascade (a chain of UNets) has no ml-mdm model
        Path cascade = dir.resolve("cascade/checkpoints/step-00000006");
        Files.createDirectories(cascade);
        ObjectNode record = Json.empty();
        record.set("spec", Json.read(Path.of(MlMdmExportTest.class.getResource("/tiny-cascade.yaml").toURI())));
        Files.writeString(cascade.resolve(CheckpointStore.EXPERIMENT), Json.write(record));
        Files.writeString(cascade.resolve(CheckpointStore.STATE), "{}");
        MdmException pipeline = assertThrows(MdmException.class,
                () -> e.exportModel(new ExportRequest(cascade, dir.resolve("out"), null)));
        assertTrue(pipeline.getMessage().contains("is a 'cascade' pipeline") && pipeline.getMessage()
                .contains("ml-mdm cannot represent"), pipeline.getMessage());
        // an output folder with something in it is never written into
        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("keep.txt"), "mine");
        MdmException full = assertThrows(MdmException.class,
                () -> e.exportModel(new ExportRequest(cascade, busy, null)));
        assertTrue(full.getMessage().contains("exists and is not empty"), full.getMessage());
        assertEquals("mine", Files.readString(busy.resolve("keep.txt")));
        assertFalse(Files.exists(dir.resolve("out")), "nothing written on a refusal");
    }

    @Test
    void ourSpatialPositionEncodingHasNoMlMdmField() throws Exception {
        JsonNode level = Json.mapper().readTree("{\"resolution_channels\": [32, 32], \"inner_config\": "
                + "{\"resolution_channels\": [64, 128], \"spatial_positional_encoding\": true}}");
        MdmException e = assertThrows(MdmException.class, () -> MlMdmYaml.unetConfig(level, "unet_config"));
        assertEquals("unet_config.inner_config.spatial_positional_encoding has no field in ml-mdm's config: "
                + "this model cannot be written for ml-mdm", e.getMessage());
    }

    // --- helpers

    private static void assertSameFields(JsonNode ref, JsonNode ours, String where) {
        assertEquals(new ArrayList<>(fieldNames(ref)), new ArrayList<>(fieldNames(ours)), where + ": fields and order");
        for (Iterator<String> it = ref.fieldNames(); it.hasNext();) {
            String f = it.next();
            JsonNode a = ref.get(f);
            JsonNode b = ours.get(f);
            if (a.isObject()) {
                assertSameFields(a, b, where + "." + f);
            } else if (a.isNumber() && b.isNumber()) {
                assertEquals(a.asDouble(), b.asDouble(), 0, where + "." + f);
            } else {
                assertEquals(a, b, where + "." + f);
            }
        }
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> out = new java.util.LinkedHashSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The torch.save records of a file, without the archive's own folder name, sorted like the golden's. */
    private static List<String> records(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                ZipEntry entry = e.nextElement();
                String n = entry.getName();
                out.add(n.substring(n.indexOf('/') + 1));
                assertEquals(ZipEntry.STORED, entry.getMethod(), n + " is stored, as torch.save writes it");
            }
        }
        out.sort(null);
        return out;
    }

    private static Map<String, Object> readValues(Path file) {
        try (NDManager m = runtime.newManager()) {
            return new LinkedHashMap<>(StateDictFiles.readMlMdmCheckpoint(file, m).scalars());
        }
    }

    private static Long[] box(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static void assertSameBits(Path a, Path b) {
        assertTrue(sameBits(a, b), a + " and " + b + " differ");
    }

    private static boolean sameBits(Path a, Path b) {
        try (NDManager m = runtime.newManager()) {
            Map<String, NDArray> x = Safetensors.read(a, m);
            Map<String, NDArray> y = Safetensors.read(b, m);
            assertEquals(new ArrayList<>(x.keySet()), new ArrayList<>(y.keySet()));
            Set<String> differ = new HashSet<>();
            for (String k : x.keySet()) {
                assertEquals(x.get(k).getDataType(), y.get(k).getDataType(), k);
                assertArrayEquals(x.get(k).getShape().getShape(), y.get(k).getShape().getShape(), k);
                ByteBuffer bx = x.get(k).toByteBuffer();
                ByteBuffer by = y.get(k).toByteBuffer();
                if (!bx.equals(by)) {
                    differ.add(k);
                }
            }
            return differ.isEmpty();
        }
    }
}
