package mdm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import mdm.api.train.Trainer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Every route of the dashboard's JSON API over real HTTP in the real runtime: what it answers,
 * and that every wrong request gets a 4xx with a message (never a stack trace) while the runtime
 * goes on. Also the guards: CSRF, host names, body size, path traversal, the token off loopback.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebApiIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    private BundleContext context;
    @Inject
    private Trainer trainer;
    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() {
        return MdmRuntime.options();
    }

    static String tinySpec() throws Exception {
        return Files.readString(Itest.RESOURCES.resolve("tiny-nested.yaml"));
    }

    static JsonNode json(Web.Response r) throws Exception {
        assertTrue(r.toString(), r.type().startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    /** A 4xx whose JSON error says {@code expected}; no Java stack trace in it. */
    static void refused(Web.Response r, int status, String expected) throws Exception {
        assertEquals(r.toString(), status, r.status());
        String error = json(r).path("error").asText();
        assertTrue("'" + expected + "' in " + error, error.contains(expected));
        assertFalse(r.body(), r.body().contains("\tat ") || r.body().contains("Exception:"));
    }

    static String body(Object... keyValues) throws Exception {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            o.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
        }
        return JSON.writeValueAsString(o);
    }

    @Test
    public void trainFollowGenerateThroughTheApiAndBadInputIsRefused() throws Exception {
        Web web = Web.connect(context);
        String tiny = tinySpec();

        JsonNode valid = json(web.post("/api/specs/validate", body("yaml", tiny)));
        assertTrue(valid.toString(), valid.path("valid").asBoolean());
        assertEquals(6, valid.path("totalSteps").asInt());
        refused(web.post("/api/specs/validate", body("yaml", tiny.replace("backbone: nested_unet", "backbone: nested_unte"))),
                400, "nested_unet"); // the trainer's own words: the nearest name
        refused(web.post("/api/specs/validate", body("yaml", "name: x\n")), 400, "components");

        Web.Response created = web.post("/api/jobs", body("yaml", tiny, "output", "runs/web-api"));
        assertEquals(created.toString(), 201, created.status());
        String id = json(created).path("id").asText();
        assertTrue(json(created).path("spec").asText().startsWith("specs/pasted-"));

        // live progress as Server-Sent Events until the job ends
        List<String> events = events(web, id, 240);
        assertTrue(String.join("\n", events), events.stream().filter(l -> l.equals("event: progress")).count() >= 2);
        assertTrue(events.contains("event: end"));
        assertTrue(events.get(events.size() - 1), events.get(events.size() - 1).contains("\"state\":\"completed\""));

        JsonNode job = json(web.get("/api/jobs/" + id));
        assertEquals("completed", job.path("state").asText());
        assertEquals(6, job.path("step").asInt());
        JsonNode run = job.path("run");
        assertEquals("runs/web-api", run.path("path").asText());
        assertTrue(run.toString(), run.path("checkpoints").size() >= 2);
        assertTrue(run.toString(), run.path("samples").toString().contains("final.png"));
        assertTrue(run.toString(), run.path("curves").toString().contains("loss.png"));
        assertTrue(json(web.get("/api/jobs")).toString().contains("\"id\":\"" + id + "\""));

        JsonNode metrics = json(web.get("/api/runs/metrics?path=runs/web-api&from=0"));
        long losses = 0;
        for (JsonNode r : metrics.path("records")) {
            losses += r.has("loss") ? 1 : 0;
        }
        assertEquals(6, losses);
        JsonNode rest = json(web.get("/api/runs/metrics?path=runs/web-api&from=" + metrics.path("next").asLong()));
        assertEquals(0, rest.path("records").size());
        assertTrue(json(web.get("/api/runs")).toString().contains("\"path\":\"runs/web-api\""));
        JsonNode detail = json(web.get("/api/runs/detail?path=runs/web-api"));
        String grid = detail.path("samples").get(0).path("url").asText();
        Web.Response png = web.get(grid);
        assertEquals(200, png.status());
        assertEquals("image/png", png.type());
        assertEquals((byte) 0x89, png.bytes()[0]);

        Web.Response generated = web.post("/api/generate", body("checkpoint", "runs/web-api", "labels", List.of("red", "blue"),
                "n", 4, "steps", 2, "seed", 3));
        JsonNode g = json(generated);
        assertEquals(generated.toString(), 200, generated.status());
        assertEquals(2, g.path("grids").size());
        assertEquals(4, g.path("images").size());
        assertEquals(List.of(16, 8), List.of(g.path("images").get(0).path("levels").get(0).path("side").asInt(),
                g.path("images").get(0).path("levels").get(1).path("side").asInt()));
        assertEquals("blue", g.path("images").get(1).path("condition").asText());
        assertTrue(g.path("millis").asLong() > 0);
        assertEquals(200, web.get(g.path("images").get(3).path("levels").get(1).path("url").asText()).status());

        // bad input: 4xx with the reason, and the runtime carries on
        refused(web.post("/api/generate", body("checkpoint", "runs/nowhere", "n", 2)), 404, "no checkpoint or run");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 0)), 400, "n must be from 1 to 64");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 1_000_000)), 400, "n must be from 1 to 64");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api")), 400, "n (the number of images");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "prompts", List.of("a red circle"))),
                400, "class");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "labels", List.of("red"),
                "prompts", List.of("a red circle"))), 400, "not both");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "labels", List.of("mauve"))), 400,
                "unknown label 'mauve'");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "sampler", "euler")), 400, "ddim");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "steps", 0)), 400, "steps must be");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "guidance", "strong")), 400, "guidance");
        refused(web.post("/api/generate", body("checkpoint", "../outside", "n", 2)), 400, "may not contain '..'");
        refused(web.post("/api/generate", body("checkpoint", "/etc", "n", 2)), 400, "relative to the work folder");
        refused(web.post("/api/generate", body("checkpoint", "runs/web-api", "n", 2, "count", 2)), 400, "unknown field 'count'");
        refused(web.post("/api/generate", "{not json"), 400, "not valid JSON");
        refused(web.send(web.request("/api/generate").header("Content-Type", "text/plain")
                .header("X-MDM-CSRF", csrf(web)).POST(HttpRequest.BodyPublishers.ofString("{}")), true), 415, "JSON");

        refused(web.post("/api/jobs", body("spec", "nope.yaml")), 404, "shapes-class.yaml");
        refused(web.post("/api/jobs", body("yaml", "name: broken\n")), 400, "components");
        try (Stream<Path> kept = Files.list(MdmRuntime.WORK.resolve("specs"))) {
            assertFalse("a refused spec is not kept", kept.anyMatch(p -> {
                try {
                    return Files.readString(p).contains("name: broken");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        refused(web.post("/api/jobs", body()), 400, "give either 'spec'");
        refused(web.post("/api/jobs", body("yaml", tiny, "output", "../elsewhere")), 400, "may not contain '..'");
        refused(web.post("/api/jobs", body("yaml", tiny, "steps", 0)), 400, "steps must be");
        refused(web.post("/api/jobs", body("yaml", tiny, "output", "runs/web-api")), 400, "already holds a run");
        refused(web.get("/api/jobs/nope"), 404, "no job 'nope'");
        refused(web.post("/api/jobs/nope/stop", "{}"), 404, "no job 'nope'");
        refused(web.get("/api/jobs/nope/events"), 404, "no job 'nope'");
        refused(web.get("/api/runs/detail?path=runs/nowhere"), 404, "no run at runs/nowhere");
        refused(web.get("/api/runs/metrics?path=runs/web-api&from=-1"), 400, "from must be");
        refused(web.get("/api/runs/metrics?path=runs/web-api&from=x"), 400, "from must be");
        refused(web.get("/api/runs/detail"), 400, "path is missing");
        refused(web.get("/api/nothing"), 404, "the routes are");
        refused(web.send(web.request("/api/jobs").DELETE().header("X-MDM-CSRF", csrf(web)), true), 405, "use GET");
        assertEquals("completed", json(web.post("/api/jobs/" + id + "/stop", "{}")).path("state").asText());

        assertTrue("the trainer is untouched", trainer.job(id).isPresent());
        assertEquals(200, web.get("/api/components").status());
    }

    @Test
    public void stoppingARunningJobCheckpointsIt() throws Exception {
        Web web = Web.connect(context);
        Web.Response created = web.post("/api/jobs", body("yaml", tinySpec(), "output", "runs/web-stop", "steps", 5000));
        assertEquals(created.toString(), 201, created.status());
        String id = json(created).path("id").asText();
        long deadline = System.currentTimeMillis() + 180_000;
        while (json(web.get("/api/jobs/" + id)).path("step").asLong() < 2) {
            assertTrue("the job did not start", System.currentTimeMillis() < deadline);
            Thread.sleep(200);
        }
        assertEquals("stopping", json(web.post("/api/jobs/" + id + "/stop", "{}")).path("state").asText());
        assertTrue(trainer.job(id).orElseThrow().await(2, TimeUnit.MINUTES));
        JsonNode job = json(web.get("/api/jobs/" + id));
        assertEquals("stopped", job.path("state").asText());
        assertTrue(job.path("reason").asText().contains("stopped by the user"));
        assertTrue(job.toString(), job.path("run").path("checkpoints").size() >= 1);
    }

    @Test
    public void componentsFeaturesSpecsAndStudies() throws Exception {
        Web web = Web.connect(context);
        String components = json(web.get("/api/components")).toString();
        assertTrue(components, components.contains("{\"kind\":\"backbone\",\"name\":\"nested_unet\",\"bundle\":\"mdm.backbone.nested\""));
        JsonNode features = json(web.get("/api/features"));
        assertTrue(features.toString(), features.toString().contains("\"name\":\"mdm-web\""));

        JsonNode installed = json(web.post("/api/features/mdm-ablation-shifted-cosine/install", "{}"));
        assertTrue(installed.toString(), installed.path("log").toString().contains("mdm.sample.ablation"));
        assertTrue(json(web.get("/api/components")).toString().contains("\"name\":\"cosine\",\"bundle\":\"mdm.sample.ablation\""));
        json(web.post("/api/features/mdm-ablation-shifted-cosine/uninstall", "{}"));
        assertFalse(json(web.get("/api/components")).toString().contains("mdm.sample.ablation"));
        refused(web.post("/api/features/mdm-nothing/install", "{}"), 400, "no feature 'mdm-nothing'");
        refused(web.post("/api/features/mdm-framework/uninstall", "{}"), 400, "cannot be removed");
        refused(web.post("/api/features/mdm-web/uninstall", "{}"), 409, "serves this dashboard");
        refused(web.get("/api/features/mdm-web/install"), 405, "use POST");

        String specs = json(web.get("/api/specs")).toString();
        assertTrue(specs, specs.contains("\"name\":\"shapes-class.yaml\""));

        assertEquals("[]", json(web.get("/api/studies")).toString());
        Path study = Files.createDirectories(MdmRuntime.WORK.resolve("studies/ablation-1/plots"));
        Files.writeString(study.getParent().resolve("report.md"), "# Ablation\n\n![fid](plots/fid.png)\n");
        Files.copy(Itest.SAMPLES.resolve("results/shapes-class-loss.png"), study.resolve("fid.png"));
        JsonNode studies = json(web.get("/api/studies"));
        assertEquals(studies.toString(), "ablation-1", studies.get(0).path("name").asText());
        Web.Response report = web.get(studies.get(0).path("report").asText());
        assertEquals(200, report.status());
        assertTrue(report.body().startsWith("# Ablation"));
        assertEquals("plots/fid.png", studies.get(0).path("plots").get(0).path("name").asText());
    }

    @Test
    public void sessionsHostsSizesAndFilesAreGuarded() throws Exception {
        Web web = Web.connect(context);
        // a POST without the session's token, or from another origin, changes nothing
        refused(web.send(web.request("/api/features/mdm-ablation-shifted-cosine/install")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")), true),
                403, "X-MDM-CSRF");
        refused(web.send(web.request("/api/features/mdm-ablation-shifted-cosine/install").header("X-MDM-CSRF", csrf(web))
                .header("Origin", "http://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), true), 403, "may not change anything");
        assertFalse("nothing was installed", json(web.get("/api/components")).toString().contains("mdm.sample.ablation"));
        // a page of another site whose name was rebound to 127.0.0.1
        String rebound = web.raw("GET /api/jobs HTTP/1.1", "Host: evil.example:" + web.port);
        assertEquals(rebound, 403, Web.status(rebound));
        // the body limit
        refused(web.post("/api/specs/validate", body("yaml", "#".repeat(1_100_000))), 413, "limit");

        // files: only shown kinds, only in run or study folders, nothing through '..' or a link out
        Path run = Files.createDirectories(MdmRuntime.WORK.resolve("runs/guarded/samples"));
        Files.writeString(run.getParent().resolve("metrics.jsonl"), "{\"step\":1,\"loss\":0.5}\n");
        Files.copy(Itest.SAMPLES.resolve("results/shapes-class-final.png"), run.resolve("final.png"));
        Files.writeString(run.getParent().resolve("model.safetensors"), "weights");
        Path secret = Files.writeString(MdmRuntime.WORK.getParent().resolve("secret-" + MdmRuntime.WORK.getFileName()
                + ".txt"), "top secret");
        Files.createSymbolicLink(run.resolve("leak.txt"), secret);
        Files.createDirectories(MdmRuntime.WORK.resolve("notarun"));
        Files.writeString(MdmRuntime.WORK.resolve("notarun/x.txt"), "not served");
        assertEquals(200, web.get("/files/runs/guarded/samples/final.png").status());
        assertEquals(200, web.get("/files/runs/guarded/metrics.jsonl").status());
        String up = "../".repeat(MdmRuntime.WORK.getNameCount() + 2);
        String[] attempts = {
            "GET /files/runs/guarded/../../../" + MdmRuntime.WORK.getParent().relativize(secret) + " HTTP/1.1",
            "GET /files/runs/guarded/%2e%2e/%2e%2e/%2e%2e/" + secret.getFileName() + " HTTP/1.1",
            "GET /files/runs/guarded/..%2f..%2f..%2f" + secret.getFileName() + " HTTP/1.1",
            "GET /files/" + up + "etc/passwd HTTP/1.1",
            "GET /files//etc/passwd HTTP/1.1",
            "GET /files/runs/guarded/samples/leak.txt HTTP/1.1",
            "GET /files/runs/guarded/model.safetensors HTTP/1.1",
            "GET /files/notarun/x.txt HTTP/1.1",
            "GET /files/runs/ HTTP/1.1",
            "GET /files/ HTTP/1.1",
            "GET /static/ HTTP/1.1",
            "GET /files/runs/guarded/samples/final.png%00.txt HTTP/1.1",
        };
        for (String attempt : attempts) {
            String answer = web.raw(attempt);
            int status = Web.status(answer);
            assertTrue(attempt + " → " + answer, status >= 400 && status < 500);
            assertFalse(attempt + " → " + answer, answer.contains("top secret") || answer.contains("root:")
                    || answer.contains("weights") || answer.contains("not served"));
        }
        refused(web.post("/api/generate", body("checkpoint", "runs/guarded/../../..", "n", 1)), 400, "'..'");
    }

    /** Listening beyond loopback (as configured through Configuration Admin), every request needs the token. */
    @Test
    public void beyondLoopbackTheTokenIsRequired() throws Exception {
        org.osgi.service.cm.Configuration http = configurationAdmin.getConfiguration("org.apache.felix.http", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        int exposedPort = -1;
        props.put("org.apache.felix.http.host", "0.0.0.0");
        props.put("org.osgi.service.http.port", "0");
        try {
            int before = Web.port(context, 30);
            http.update(props);
            long deadline = System.currentTimeMillis() + 60_000;
            int port;
            while ((port = Web.port(context, 30)) == before) {
                assertTrue("the server did not restart", System.currentTimeMillis() < deadline);
                Thread.sleep(200);
            }
            exposedPort = port;
            String token = Files.readString(MdmRuntime.WORK.resolve("web/token")).trim();
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            String base = "http://127.0.0.1:" + port;
            HttpResponse<String> without = awaitAnswer(client, HttpRequest.newBuilder(java.net.URI.create(base + "/api/jobs")).build());
            assertEquals(without.body(), 401, without.statusCode());
            assertTrue(without.body(), without.body().contains("access token"));
            HttpResponse<String> bearer = client.send(HttpRequest.newBuilder(java.net.URI.create(base + "/api/jobs"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(bearer.body(), 200, bearer.statusCode());
            HttpResponse<String> link = client.send(HttpRequest.newBuilder(java.net.URI.create(base + "/?token=" + token))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, link.statusCode());
            String cookie = link.headers().firstValue("Set-Cookie").orElseThrow();
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(java.net.URI.create(base + "/"))
                    .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>mdm dashboard</title>"));
        } finally {
            http.delete();
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (Web.port(context, 30) == exposedPort) {
            assertTrue("the server did not go back to loopback", System.currentTimeMillis() < deadline);
            Thread.sleep(200);
        }
        assertEquals("back on loopback", 200, Web.connect(context).get("/api/jobs").status());
    }

    private static HttpResponse<String> awaitAnswer(HttpClient client, HttpRequest request) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 404 && r.statusCode() != 503) {
                    return r;
                }
            } catch (java.io.IOException e) {
                // restarting
            }
            assertTrue("no answer after the restart", System.currentTimeMillis() < deadline);
            Thread.sleep(200);
        }
    }

    private static String csrf(Web web) throws Exception {
        return json(web.get("/api/session")).path("csrf").asText();
    }

    /** The lines of a job's event stream until it ends (or {@code seconds} pass). */
    static List<String> events(Web web, String id, int seconds) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<List<String>> lines = client.sendAsync(web.request("/api/jobs/" + id + "/events").build(),
                HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
                    assertEquals(200, r.statusCode());
                    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
                    List<String> out = new ArrayList<>();
                    try (Stream<String> s = r.body()) {
                        s.filter(l -> !l.isEmpty()).forEach(out::add);
                    }
                    return out;
                });
        return lines.get(seconds, TimeUnit.SECONDS);
    }
}
