package mdm.web.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The page itself: {@code /} is the single page (its views are #/jobs, #/train, …), {@code /static/}
 * its script and style, from this bundle's {@code web/} folder. Anything else is a 404 (there is
 * no listing of anything).
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/",
        "osgi.http.whiteboard.servlet.name=mdm.web.page",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=" + DashboardContext.NAME + ")"})
public class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/static/app.js", "app.js",
            "/static/charts.js", "charts.js",
            "/static/markdown.js", "markdown.js",
            "/static/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of("html", "text/html;charset=utf-8",
            "js", "text/javascript;charset=utf-8", "css", "text/css;charset=utf-8", "png", "image/png");

    private final Bundle bundle;

    @Activate
    public PageServlet(BundleContext context) {
        this.bundle = context.getBundle();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI();
        String file = FILES.get(path);
        URL entry = file == null ? null : bundle.getEntry("web/" + file);
        if (entry == null) {
            resp.setStatus(404);
            resp.setContentType("text/plain;charset=utf-8");
            resp.getWriter().write("nothing at " + WorkFiles.printable(path) + ": the dashboard is at /\n");
            return;
        }
        if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
            resp.setStatus(405);
            resp.setHeader("Allow", "GET, HEAD");
            return;
        }
        resp.setContentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
        resp.setHeader("Cache-Control", "no-cache");
        try (InputStream in = entry.openStream()) {
            byte[] bytes = in.readAllBytes();
            resp.setContentLength(bytes.length);
            if ("GET".equals(req.getMethod())) {
                resp.getOutputStream().write(bytes);
            }
        }
    }
}
