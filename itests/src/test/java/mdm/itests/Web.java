package mdm.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * A client of the dashboard's API inside the test framework: it finds where the server listens
 * (the HTTP runtime's endpoint), keeps a browser-like session (cookie and CSRF token), and can
 * send raw requests for what a well-behaved client would never send.
 */
final class Web {
    final String base;
    final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private String cookie;
    private String csrf;

    private Web(String base, int port) {
        this.base = base;
        this.port = port;
    }

    /** Waits for the server and the dashboard, then opens a session. */
    static Web connect(BundleContext context) throws Exception {
        int port = port(context, 60);
        Web web = new Web("http://127.0.0.1:" + port, port);
        web.waitForDashboard();
        return web;
    }

    /** The port the HTTP runtime listens on (the tests ask for a free one), waiting up to {@code seconds}. */
    static int port(BundleContext context, int seconds) throws InterruptedException, InvalidSyntaxException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<?>[] refs = context.getAllServiceReferences(
                    "org.osgi.service.servlet.runtime.HttpServiceRuntime", null);
            if (refs != null && refs.length > 0) {
                Object port = refs[0].getProperty("org.osgi.service.http.port");
                if (port != null && Integer.parseInt(String.valueOf(port)) > 0) {
                    return Integer.parseInt(String.valueOf(port));
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the HTTP server did not start within " + seconds + " s");
    }

    private void waitForDashboard() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                Response r = get("/api/session");
                if (r.status == 200) {
                    csrf = r.body.replaceAll(".*\"csrf\":\"([^\"]+)\".*", "$1");
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the dashboard did not answer within 60 s");
            }
            Thread.sleep(200);
        }
    }

    record Response(int status, String type, String body, byte[] bytes, java.net.http.HttpHeaders headers) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), true);
    }

    /** A POST as the page sends it: JSON, with the session's cookie and CSRF token. */
    Response post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .header("X-MDM-CSRF", csrf).POST(HttpRequest.BodyPublishers.ofString(json)), true);
    }

    Response send(HttpRequest.Builder request, boolean withSession) throws IOException, InterruptedException {
        if (withSession && cookie != null) {
            request.header("Cookie", cookie);
        }
        HttpResponse<byte[]> r = client.send(request.timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("mdm-session=")).findFirst()
                .ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
        return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                new String(r.body(), StandardCharsets.UTF_8), r.body(), r.headers());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    /** The status line and the rest of the answer to a request written byte for byte. */
    String raw(String requestLine, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(requestLine).append("\r\n");
            boolean host = false;
            for (String h : headers) {
                req.append(h).append("\r\n");
                host |= h.toLowerCase().startsWith("host:");
            }
            if (!host) {
                req.append("Host: 127.0.0.1:").append(port).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static int status(String rawAnswer) {
        return Integer.parseInt(rawAnswer.substring(9, 12));
    }
}
