package mdm.web.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mdm.api.MdmException;
import mdm.api.generate.Generator;
import mdm.api.runs.RunCatalog;
import mdm.api.train.Trainer;
import mdm.features.ComponentDirectory;
import mdm.features.FeatureManager;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The JSON API under {@code /api}: every route answers JSON, errors as {@code {"error": "..."}}
 * with a 4xx status for what the client can fix and never a stack trace. The capabilities are the
 * services' (the same the shell calls); this class only routes and translates.
 */
@Component(service = Servlet.class, configurationPid = "mdm.web", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
                "osgi.http.whiteboard.servlet.pattern=/api/*",
                "osgi.http.whiteboard.servlet.name=mdm.web.api",
                "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=" + DashboardContext.NAME + ")"})
@Designate(ocd = WebConfig.class)
public class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String[] ROUTES = {
        "GET /api/session", "GET /api/jobs", "POST /api/jobs", "GET /api/jobs/{id}", "POST /api/jobs/{id}/stop",
        "GET /api/jobs/{id}/events", "GET /api/runs", "GET /api/runs/detail?path=", "GET /api/runs/metrics?path=&from=",
        "GET /api/specs", "POST /api/specs/validate", "POST /api/generate", "GET /api/components",
        "GET /api/features", "POST /api/features/{name}/install", "POST /api/features/{name}/uninstall",
        "GET /api/studies"};

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Trainer trainer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Generator generator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RunCatalog catalog;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FeatureManager featureManager;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ComponentDirectory directory;

    private final int maxRequestBytes;
    private final WorkFiles files;
    private final JobsApi jobs;
    private final RunsApi runs;
    private final SpecsApi specs;
    private final GenerateApi generate;
    private final RegistryApi registry;
    private final EventStream events;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Activate
    public ApiServlet(BundleContext context, WebConfig config) {
        Services services = new Services(() -> trainer, () -> generator, () -> catalog, () -> featureManager,
                () -> directory);
        this.maxRequestBytes = config.maxRequestBytes();
        this.files = new WorkFiles(workFolder(context));
        this.runs = new RunsApi(services, files);
        this.specs = new SpecsApi(services, files, specFolders(context, config));
        this.jobs = new JobsApi(services, files, specs, runs);
        this.generate = new GenerateApi(services, files, config.maxImages(), config.maxSamplingSteps());
        this.registry = new RegistryApi(services, context.getBundle().getSymbolicName());
        this.events = new EventStream(config.maxEventStreams());
    }

    @Deactivate
    void deactivate() {
        events.close();
    }

    static Path workFolder(BundleContext context) {
        String work = context.getProperty("mdm.work");
        return Path.of(work == null ? "work" : work).toAbsolutePath().normalize();
    }

    private static List<Path> specFolders(BundleContext context, WebConfig config) {
        List<Path> folders = new ArrayList<>();
        if (config.specFolders() != null && config.specFolders().length > 0) {
            Arrays.stream(config.specFolders()).filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath().normalize())
                    .forEach(folders::add);
        } else if (context.getProperty("mdm.samples.dir") != null) {
            folders.add(Path.of(context.getProperty("mdm.samples.dir")).toAbsolutePath().normalize());
        }
        return folders;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            Object answer = route(req, resp);
            if (answer != null) {
                Json.write(resp, "POST".equals(req.getMethod()) && answer instanceof Created c ? 201 : 200,
                        answer instanceof Created c ? c.body() : answer);
            }
        } catch (WebError e) {
            fail(resp, e.status, e.getMessage());
        } catch (MdmException | IllegalArgumentException e) {
            // the services' own words: the shell prints the same message
            fail(resp, 400, message(e));
        } catch (IllegalStateException e) {
            fail(resp, 409, message(e));
        } catch (RuntimeException e) {
            log.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            fail(resp, 500, "internal error (" + e.getClass().getSimpleName() + "): " + message(e)
                    + "; the runtime's log (work/logs/mdm.log) has the details");
        }
    }

    /** A newly made resource: answered 201. */
    private record Created(Object body) {
    }

    private Object route(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        List<String> p = Arrays.stream(info.split("/")).filter(s -> !s.isEmpty()).toList();
        String method = req.getMethod();
        String first = p.isEmpty() ? "" : p.get(0);
        switch (first) {
            case "session" -> {
                only(method, "GET", p, 1);
                Sessions.Session s = (Sessions.Session) req.getAttribute(Guard.SESSION);
                return Json.object().put("csrf", s == null ? null : s.csrf()).put("csrfHeader", Guard.CSRF_HEADER)
                        .put("work", files.work().toString());
            }
            case "jobs" -> {
                if (p.size() == 1) {
                    if ("POST".equals(method)) {
                        return new Created(jobs.start(new Fields(Json.body(req, maxRequestBytes), JobsApi.START_FIELDS)));
                    }
                    only(method, "GET", p, 1);
                    return jobs.list();
                }
                if (p.size() == 2) {
                    only(method, "GET", p, 2);
                    return jobs.detail(p.get(1));
                }
                if (p.size() == 3 && p.get(2).equals("stop")) {
                    only(method, "POST", p, 3);
                    return jobs.stop(p.get(1));
                }
                if (p.size() == 3 && p.get(2).equals("events")) {
                    only(method, "GET", p, 3);
                    events.stream(jobs.job(p.get(1)), jobs::json, resp);
                    return null;
                }
            }
            case "runs" -> {
                only(method, "GET", p, p.size());
                if (p.size() == 1) {
                    return runs.list();
                }
                if (p.size() == 2 && p.get(1).equals("detail")) {
                    return runs.detail(runs.run(Guard.queryParameter(req, "path")));
                }
                if (p.size() == 2 && p.get(1).equals("metrics")) {
                    String from = Guard.queryParameter(req, "from");
                    long start;
                    try {
                        start = from == null || from.isBlank() ? 0 : Long.parseLong(from.trim());
                    } catch (NumberFormatException e) {
                        throw WebError.badRequest("from must be a line number (0 or more), got '"
                                + WorkFiles.printable(from) + "'");
                    }
                    if (start < 0) {
                        throw WebError.badRequest("from must be 0 or more, got " + start);
                    }
                    return runs.metrics(runs.run(Guard.queryParameter(req, "path")), start);
                }
            }
            case "specs" -> {
                if (p.size() == 1) {
                    only(method, "GET", p, 1);
                    return specs.list();
                }
                if (p.size() == 2 && p.get(1).equals("validate")) {
                    only(method, "POST", p, 2);
                    return specs.validate(new Fields(Json.body(req, maxRequestBytes), java.util.Set.of("spec", "yaml")));
                }
            }
            case "generate" -> {
                only(method, "POST", p, 1);
                return generate.generate(new Fields(Json.body(req, maxRequestBytes), GenerateApi.FIELDS));
            }
            case "components" -> {
                only(method, "GET", p, 1);
                return registry.components();
            }
            case "features" -> {
                if (p.size() == 1) {
                    only(method, "GET", p, 1);
                    return registry.features();
                }
                if (p.size() == 3 && (p.get(2).equals("install") || p.get(2).equals("uninstall"))) {
                    only(method, "POST", p, 3);
                    return p.get(2).equals("install") ? registry.install(p.get(1)) : registry.uninstall(p.get(1));
                }
            }
            case "studies" -> {
                only(method, "GET", p, 1);
                return runs.studies();
            }
            default -> {
            }
        }
        throw WebError.notFound("no API route " + method + " /api" + WorkFiles.printable(info) + "; the routes are: "
                + String.join(", ", ROUTES));
    }

    /** The route exists with {@code size} segments: other methods get a 405 naming the allowed one. */
    private static void only(String method, String allowed, List<String> p, int size) {
        if (p.size() != size) {
            throw WebError.notFound("no API route /api/" + String.join("/", p) + "; the routes are: "
                    + String.join(", ", ROUTES));
        }
        boolean ok = method.equals(allowed) || (allowed.equals("GET") && method.equals("HEAD"));
        if (!ok) {
            throw new WebError(405, method + " is not allowed on /api/" + String.join("/", p) + "; use " + allowed);
        }
    }

    private static void fail(HttpServletResponse resp, int status, String message) throws IOException {
        if (resp.isCommitted()) {
            return; // an event stream already under way: the client sees it end
        }
        resp.resetBuffer(); // keeps the headers already set (the session cookie)
        if (status == 405) {
            resp.setHeader("Allow", message.substring(message.lastIndexOf(' ') + 1));
        }
        Json.write(resp, status, Json.error(message));
    }

    static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
