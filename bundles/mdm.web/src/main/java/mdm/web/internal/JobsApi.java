package mdm.web.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import mdm.api.train.ExperimentSpec;
import mdm.api.train.Job;
import mdm.api.train.Progress;
import mdm.api.train.TrainRequest;
import mdm.api.train.Trainer;

/** Training jobs: listed, started (from a spec of the spec folders or a pasted one), followed, stopped. */
final class JobsApi {
    static final Set<String> START_FIELDS = Set.of("spec", "yaml", "steps", "output", "resume");

    private final Services services;
    private final WorkFiles files;
    private final SpecsApi specs;
    private final RunsApi runs;

    JobsApi(Services services, WorkFiles files, SpecsApi specs, RunsApi runs) {
        this.services = services;
        this.files = files;
        this.specs = specs;
        this.runs = runs;
    }

    ArrayNode list() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Job j : services.trainer().jobs()) {
            out.add(json(j));
        }
        return out;
    }

    Job job(String id) {
        return services.trainer().job(id).orElseThrow(() -> WebError.notFound("no job '" + WorkFiles.printable(id)
                + "': GET /api/jobs lists them (jobs are kept while the runtime runs)"));
    }

    /** The job with its run: checkpoints, sample grids, curves. */
    ObjectNode detail(String id) {
        Job j = job(id);
        ObjectNode o = json(j);
        var catalog = services.runsIfAny();
        var run = catalog == null ? java.util.Optional.<mdm.api.runs.RunInfo>empty() : catalog.run(j.output());
        o.set("run", run.filter(r -> files.relative(r.folder()) != null).map(runs::detail).orElse(null));
        return o;
    }

    /**
     * Starts a job. The output must lie inside the work folder (the dashboard writes nowhere
     * else, and shows only what is there); without one, the spec's output is used.
     */
    ObjectNode start(Fields f) throws IOException {
        Trainer trainer = services.trainer();
        Long steps = f.whole("steps", 1, 100_000_000);
        boolean resume = f.bool("resume", false);
        String outputField = f.text("output");
        Path out = outputField == null ? null : files.resolve(outputField, "output");
        Path spec = specs.specOf(f);
        Job job;
        try {
            ExperimentSpec validated = trainer.validate(spec);
            if (out == null) {
                Path declared = Path.of(validated.output());
                out = declared.isAbsolute() ? declared.normalize() : files.work().resolve(declared).normalize();
                if (files.relative(out) == null) {
                    throw WebError.badRequest("the spec's output " + validated.output() + " is outside the work folder "
                            + files.work() + ": give an output folder relative to it (e.g. runs/" + validated.name() + ")");
                }
            }
            spec = specs.keep(spec);
            job = trainer.start(new TrainRequest(spec, steps, out, resume));
        } catch (RuntimeException e) {
            specs.discard(spec);
            throw e;
        }
        ObjectNode o = json(job);
        o.put("spec", files.relative(spec) != null ? files.relative(spec) : spec.getFileName().toString());
        return o;
    }

    /** Asks the job to checkpoint and stop; it ends at its next step (the events say when). */
    ObjectNode stop(String id) {
        Job j = job(id);
        if (!j.state().finished()) {
            j.stop();
        }
        return json(j);
    }

    ObjectNode json(Job j) {
        Progress p = j.progress();
        ObjectNode o = Json.object();
        o.put("id", j.id());
        o.put("experiment", j.spec().name());
        o.put("state", j.state().name().toLowerCase(java.util.Locale.ROOT));
        o.put("finished", j.state().finished());
        o.put("stage", p.stage());
        o.put("step", p.step());
        o.put("totalSteps", p.totalSteps());
        number(o, "loss", p.loss());
        ObjectNode levels = o.putObject("levels");
        p.levelLosses().forEach((k, v) -> number(levels, k, v));
        number(o, "learningRate", p.learningRate());
        number(o, "imagesPerSecond", p.imagesPerSecond());
        number(o, "etaSeconds", p.etaSeconds());
        o.put("message", p.message());
        o.put("reason", j.reason().orElse(null));
        String rel = files.relative(j.output());
        o.put("output", rel != null ? rel : j.output().toString());
        return o;
    }

    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
