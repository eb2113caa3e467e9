package mdm.trainer.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdm.api.model.Backbone;
import mdm.api.model.Conditioning;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.ExportRequest;
import mdm.api.train.ExportResult;
import mdm.api.train.Job;
import mdm.api.train.TrainRequest;
import mdm.core.config.Json;
import mdm.core.io.AtomicFiles;
import mdm.core.io.Npz;
import mdm.core.io.Safetensors;
import mdm.core.io.StateDicts;
import mdm.core.io.TorchSave;
import mdm.core.runtime.EngineRuntime;
import mdm.core.runtime.GradMode;
import mdm.trainer.TestComponents;

/**
 * The Java half of the export round trip through ml-mdm's own loader (its Python half is
 * {@code testdata/tools/ml_mdm_export.py check}; CI has no copy of the reference, so this runs by hand):
 * trains the reference's tiny nested32 model (the config of {@code testdata/ml-mdm-export}) for a few steps
 * of both progressive stages on 32² shapes with class conditioning, exports the final checkpoint with
 * {@link ExportService}, and runs our network with the checkpoint's model and EMA weights on the reference's
 * fixture inputs ({@code testdata/ml-mdm/nested32_inputs.npz}, the class and the text case), writing inputs
 * and outputs as {@code roundtrip-<case>.pth} for the Python side to compare with ml-mdm's forward.
 *
 * <pre>
 * mvn -q -pl bundles/mdm.trainer test-compile exec:java -Dexec.classpathScope=test -Dmdm.testdata=$PWD/testdata \
 *     -Dexec.mainClass=mdm.trainer.internal.ExportRoundTrip -Dexec.args="/tmp/roundtrip 6 10"
 * </pre>
 */
public final class ExportRoundTrip {
    private ExportRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/roundtrip").toAbsolutePath();
        int innerSteps = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int outerSteps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path testdata = Path.of(System.getProperty("mdm.testdata", "../../testdata"));
        JsonNode golden = Json.read(testdata.resolve("ml-mdm-export/export_golden.json")).path("config");
        Files.createDirectories(work);
        Path spec = work.resolve("nested32-shapes.yaml");
        AtomicFiles.writeString(spec, Json.yaml(spec(golden, innerSteps, outerSteps)));
        try (EngineRuntime runtime = EngineRuntime.standalone()) {
            long t0 = System.nanoTime();
            Path run = work.resolve("run");
            // "0 0" exports and runs the model that an earlier call trained into this folder
            if (innerSteps + outerSteps > 0) {
                train(runtime, spec, run, work);
                System.out.println("trained " + (innerSteps + outerSteps) + " steps in "
                        + (System.nanoTime() - t0) / 1_000_000_000 + " s");
            }
            Path out = work.resolve("export");
            if (Files.isDirectory(out)) {
                throw new IllegalStateException(out + " exists: remove it to export again");
            }
            ExportResult r = new ExportService(TestComponents.registry(runtime), runtime)
                    .exportModel(new ExportRequest(run, out, "ml-mdm"));
            System.out.println("exported " + r.checkpoint() + " (step " + r.step() + ") to " + r.folder() + ": "
                    + r.files());
            GradMode.disable();
            JsonNode record = Json.read(r.checkpoint().resolve(CheckpointStore.EXPERIMENT));
            ExperimentSpec parsed = GenerationService.rebuildSpec(record, r.checkpoint());
            try (Experiment exp = ExperimentResolver.resolve(parsed, TestComponents.registry(runtime));
                 NDManager m = runtime.newManager()) {
                StagePlan plan = exp.finalStage();
                Map<String, NDArray> in = Npz.read(testdata.resolve("ml-mdm/nested32_inputs.npz"), m);
                for (String kase : List.of("class", "text")) {
                    Map<String, NDArray> io = new LinkedHashMap<>();
                    io.put("x_t.32", in.get("x_t.32"));
                    io.put("x_t.16", in.get("x_t.16"));
                    io.put("times", in.get("times"));
                    Conditioning cond;
                    if (kase.equals("class")) {
                        cond = new Conditioning(in.get("class.lm_outputs"), null,
                                Map.of("scale", in.get("class.micro_scale")));
                        io.put("lm_outputs", in.get("class.lm_outputs"));
                        io.put("micro.scale", in.get("class.micro_scale"));
                    } else {
                        cond = new Conditioning(in.get("text.lm_outputs"), in.get("text.lm_mask"), Map.of());
                        io.put("lm_outputs", in.get("text.lm_outputs"));
                        io.put("lm_mask", in.get("text.lm_mask"));
                    }
                    for (String which : List.of("model", "ema")) {
                        Backbone net = plan.factory().create(plan.config(), m, 0);
                        StateDicts.loadStrict(Safetensors.read(r.checkpoint().resolve(which.equals("model")
                                ? CheckpointStore.MODEL : CheckpointStore.EMA), m), net.parameters());
                        List<NDArray> outs = net.forward(List.of(in.get("x_t.32"), in.get("x_t.16")), in.get("times"),
                                cond, false);
                        io.put(which + ".out.32", outs.get(0));
                        io.put(which + ".out.16", outs.get(1));
                    }
                    Path file = work.resolve("roundtrip-" + kase + ".pth");
                    TorchSave.write(file, io, Map.of());
                    System.out.println("wrote " + file);
                }
            }
        }
    }

    private static void train(EngineRuntime runtime, Path spec, Path run, Path work) throws Exception {
        try (TrainingService trainer = new TrainingService(TestComponents.registry(runtime), runtime, work)) {
            Job job = trainer.start(new TrainRequest(spec, null, run, false));
            if (!job.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("training did not finish");
            }
            if (job.state() != mdm.api.train.JobState.COMPLETED) {
                throw new IllegalStateException("training " + job.state() + ": " + job.reason().orElse(""));
            }
        }
    }

    /** The reference's nested32 model, class-conditioned on 32² shapes, both progressive stages. */
    static ObjectNode spec(JsonNode golden, int innerSteps, int outerSteps) {
        ObjectNode s = Json.empty();
        s.put("name", "nested32-shapes");
        s.put("seed", 11);
        ObjectNode c = s.putObject("components");
        c.put("backbone", golden.path("model").asText());
        c.put("schedule", "deepfloyd");
        c.put("sampler", "ddim");
        c.putObject("conditioner").put("name", "class").put("width", 16);
        ObjectNode ds = c.putObject("dataset");
        ds.put("name", "shapes").put("image_size", 32).put("two_shape_fraction", 0).put("class_label", "colour");
        ds.putArray("textures").add("plain");
        s.set("model", golden.path("unet_config").deepCopy());
        s.set("diffusion", golden.path("diffusion_config").deepCopy());
        s.putObject("optimizer").put("lr", 1e-3).put("warmup_steps", 2).put("ema_decay", 0.9);
        s.putObject("training").put("batch_size", 4).put("checkpoint_every", 1000).put("log_every", 1);
        s.putObject("sampling").put("steps", 4).put("count", 4).put("guidance", 2.0);
        var stages = s.putArray("stages");
        stages.addObject().put("name", "16").put("levels", 1).put("steps", innerSteps);
        stages.addObject().put("name", "32").put("levels", 2).put("steps", outerSteps);
        return s;
    }
}
