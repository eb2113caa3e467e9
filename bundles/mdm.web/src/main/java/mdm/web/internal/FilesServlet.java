package mdm.web.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import mdm.api.runs.RunCatalog;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Files of run folders and study folders under {@code /files/<path in the work folder>}: sample
 * grids, curves, metrics, reports. Nothing else (see {@link WorkFiles#servable}); no listings.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/files/*",
        "osgi.http.whiteboard.servlet.name=mdm.web.files",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=" + DashboardContext.NAME + ")"})
public class FilesServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Map<String, String> TYPES = Map.of("png", "image/png", "gif", "image/gif", "jpg", "image/jpeg",
            "jpeg", "image/jpeg", "json", "application/json", "jsonl", "application/x-ndjson",
            "md", "text/markdown;charset=utf-8", "csv", "text/csv;charset=utf-8");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RunCatalog catalog;
    private final WorkFiles files;

    @Activate
    public FilesServlet(BundleContext context) {
        this.files = new WorkFiles(ApiServlet.workFolder(context));
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            resp.setHeader("Allow", "GET, HEAD");
            text(resp, 405, "files are only read here");
            return;
        }
        String info = req.getPathInfo();
        RunCatalog c = catalog;
        Path file;
        try {
            file = files.servable(info == null ? "" : info.substring(1),
                    dir -> c != null && c.run(dir).filter(r -> r.folder().equals(dir)).isPresent());
        } catch (WebError e) {
            text(resp, e.status, e.getMessage());
            return;
        }
        String name = file.getFileName().toString();
        String type = TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT),
                "text/plain;charset=utf-8");
        long modified = Files.getLastModifiedTime(file).toMillis();
        long since = req.getDateHeader("If-Modified-Since");
        if (since >= 0 && modified / 1000 <= since / 1000) {
            resp.setStatus(304);
            return;
        }
        resp.setContentType(type);
        resp.setDateHeader("Last-Modified", modified);
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLengthLong(Files.size(file));
        if ("HEAD".equals(req.getMethod())) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(resp.getOutputStream());
        }
    }

    private static void text(HttpServletResponse resp, int status, String message) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=utf-8");
        resp.getWriter().write(message + "\n");
    }
}
