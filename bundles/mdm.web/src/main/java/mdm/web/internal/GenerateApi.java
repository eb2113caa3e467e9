package mdm.web.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import mdm.api.generate.GenerationRequest;
import mdm.api.generate.GenerationResult;
import mdm.api.runs.RunInfo;

/**
 * Images from a checkpoint of a run in the work folder, through the Generator service (so the
 * files land where {@code mdm:sample} puts them). One generation at a time: on two cores a second
 * would only slow the first and a training job down.
 */
final class GenerateApi {
    static final Set<String> FIELDS = Set.of("checkpoint", "labels", "prompts", "n", "steps", "sampler", "guidance",
            "seed", "ema");
    static final int MAX_CONDITIONS = 64;
    static final int MAX_CONDITION_LENGTH = 500;

    private final Services services;
    private final WorkFiles files;
    private final Semaphore one = new Semaphore(1);
    private final int maxImages;
    private final int maxSteps;

    GenerateApi(Services services, WorkFiles files, int maxImages, int maxSteps) {
        this.services = services;
        this.files = files;
        this.maxImages = maxImages;
        this.maxSteps = maxSteps;
    }

    ObjectNode generate(Fields f) {
        String given = f.text("checkpoint");
        Path checkpoint = files.resolve(given, "checkpoint");
        RunInfo run = services.runs().run(checkpoint).orElseThrow(() -> WebError.notFound("no checkpoint or run at "
                + WorkFiles.printable(given) + ": choose one of GET /api/runs"));
        if (run.checkpoints().isEmpty()) {
            throw WebError.badRequest("the run " + files.relative(run.folder()) + " has no checkpoint yet: wait for "
                    + "its first one (training.checkpoint_every in its spec)");
        }
        List<String> labels = f.texts("labels", MAX_CONDITIONS, MAX_CONDITION_LENGTH);
        List<String> prompts = f.texts("prompts", MAX_CONDITIONS, MAX_CONDITION_LENGTH);
        if (!labels.isEmpty() && !prompts.isEmpty()) {
            throw WebError.badRequest("give labels or prompts, not both");
        }
        Long n = f.whole("n", 1, maxImages);
        if (n == null) {
            throw WebError.badRequest("n (the number of images, 1 to " + maxImages + ") is missing");
        }
        Long steps = f.whole("steps", 1, maxSteps);
        Double guidance = f.number("guidance", 0, 100);
        Long seed = f.whole("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        GenerationRequest request = new GenerationRequest(checkpoint, prompts, labels, n.intValue(),
                steps == null ? null : steps.intValue(), f.text("sampler"), guidance, seed == null ? 0 : seed,
                f.bool("ema", true), null, null);
        if (!one.tryAcquire()) {
            throw new WebError(429, "another generation is running; try again when it has finished");
        }
        try {
            return json(services.generator().generate(request));
        } finally {
            one.release();
        }
    }

    /**
     * The grids (one per resolution, highest first) and, per image, its file at every resolution
     * ({@code level-<side>/NNN.png}, or .gif for clips), so a page can put them side by side.
     */
    ObjectNode json(GenerationResult r) {
        ObjectNode o = Json.object();
        o.put("folder", files.relative(r.folder()));
        o.put("millis", r.millis());
        ObjectNode details = Json.MAPPER.valueToTree(r.details());
        if (details.hasNonNull("checkpoint")) {
            String rel = files.relative(Path.of(details.get("checkpoint").asText()));
            if (rel != null) {
                details.put("checkpoint", rel);
            }
        }
        if (details.hasNonNull("index")) {
            // like every other file: its address under /files/, never the server's own path
            Path index = Path.of(details.get("index").asText());
            String url = Files.exists(index) ? files.url(index) : null;
            if (url != null) {
                details.put("index", url);
            } else {
                details.remove("index");
            }
        }
        o.set("details", details);
        ArrayNode grids = o.putArray("grids");
        for (Path g : r.grids()) {
            grids.addObject().put("name", g.getFileName().toString()).put("url", files.url(g));
        }
        Map<Integer, Map<Integer, String>> byImage = new TreeMap<>();
        for (Path p : r.images()) {
            Path parent = p.getParent();
            String folder = parent == null ? "" : parent.getFileName().toString();
            String name = p.getFileName().toString();
            if (!folder.startsWith("level-") || !name.matches("\\d+\\.(png|gif)")) {
                continue; // frames of a clip live one folder deeper
            }
            int side = Integer.parseInt(folder.substring("level-".length()));
            int index = Integer.parseInt(name.substring(0, name.indexOf('.')));
            byImage.computeIfAbsent(index, k -> new TreeMap<>((a, b) -> b - a)).put(side, files.url(p));
        }
        ArrayNode images = o.putArray("images");
        byImage.forEach((index, levels) -> {
            ObjectNode image = images.addObject();
            image.put("index", index);
            image.put("condition", index < r.conditions().size() ? r.conditions().get(index) : "");
            ArrayNode ls = image.putArray("levels");
            levels.forEach((side, url) -> ls.addObject().put("side", side).put("url", url));
        });
        if (r.evaluation() != null) {
            o.set("scores", Json.MAPPER.valueToTree(new TreeMap<>(r.evaluation().scores())));
        } else {
            o.putNull("scores");
        }
        List<String> conditions = new ArrayList<>(r.conditions());
        o.set("conditions", Json.MAPPER.valueToTree(conditions));
        return o;
    }
}
