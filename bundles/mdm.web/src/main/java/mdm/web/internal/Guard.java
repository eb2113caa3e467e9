package mdm.web.internal;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Decides, before any servlet runs, whether a request may go on:
 * <ul>
 * <li>on loopback, only requests addressed to a loopback name (a page of another site that
 * rebinds its DNS name to 127.0.0.1 still sends its own name: refused);</li>
 * <li>beyond loopback, only requests carrying the access token (header, cookie, or once in the
 * address, which then becomes a cookie);</li>
 * <li>anything but GET and HEAD only with the session's CSRF token in {@value #CSRF_HEADER} and, when
 * the browser names an origin, from this origin; or with the access token as a Bearer header,
 * which no other site can make a browser send.</li>
 * </ul>
 * Every response gets headers that keep the pages from being framed or fed foreign scripts.
 */
final class Guard {
    static final String CSRF_HEADER = "X-MDM-CSRF";
    static final String TOKEN_COOKIE = "mdm-token";
    static final String SESSION = "mdm.session";

    private final Sessions sessions;
    private final AccessToken token;
    /** Until the server says where it listens, act as if beyond loopback. */
    private volatile boolean exposed = true;

    Guard(Sessions sessions, AccessToken token) {
        this.sessions = sessions;
        this.token = token;
    }

    void exposed(boolean exposed) {
        this.exposed = exposed;
    }

    boolean exposed() {
        return exposed;
    }

    AccessToken token() {
        return token;
    }

    /** True when the request may go on; otherwise the answer has been written. */
    boolean admit(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        protect(resp);
        boolean exposedNow = exposed;
        if (!exposedNow && !loopbackName(req.getServerName())) {
            return refuse(req, resp, 403, "this dashboard listens on loopback and answers only to local names "
                    + "(127.0.0.1, localhost); open it as http://127.0.0.1:" + req.getLocalPort() + "/");
        }
        boolean bearer = bearer(req);
        if (exposedNow && !bearer && !token.matches(cookie(req, TOKEN_COOKIE))) {
            String given = queryParameter(req, "token");
            if (given != null && token.matches(given) && "GET".equals(req.getMethod())) {
                cookie(resp, req, TOKEN_COOKIE, given);
                resp.setStatus(303);
                resp.setHeader("Location", path.isEmpty() ? "/" : path);
                return false;
            }
            return refuse(req, resp, 401, "this dashboard needs its access token: open the address the runtime "
                    + "printed (…/?token=…), or send 'Authorization: Bearer <token>'; the token is in " + token.file());
        }
        Sessions.Session session = sessions.find(cookie(req, Sessions.COOKIE));
        if (session == null) {
            session = sessions.create();
            cookie(resp, req, Sessions.COOKIE, session.id());
        }
        req.setAttribute(SESSION, session);
        String method = req.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method) && !bearer) {
            if (!Secrets.same(session.csrf(), req.getHeader(CSRF_HEADER))) {
                return refuse(req, resp, 403, "missing or wrong " + CSRF_HEADER + " header: a page gets its token "
                        + "from GET /api/session and sends it with every POST (scripts may send "
                        + "'Authorization: Bearer <token>' instead)");
            }
            String origin = req.getHeader("Origin");
            if (origin != null && !origin.equalsIgnoreCase(req.getScheme() + "://" + req.getHeader("Host"))) {
                return refuse(req, resp, 403, "a request from " + WorkFiles.printable(origin)
                        + " may not change anything here");
            }
        }
        return true;
    }

    private boolean bearer(HttpServletRequest req) {
        String auth = req.getHeader("Authorization");
        return auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(auth.substring(7).trim());
    }

    /** Headers every answer carries. */
    static void protect(HttpServletResponse resp) {
        resp.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                + "script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                + "form-action 'self'");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    }

    /** localhost, a name under .localhost, 127.0.0.0/8 or ::1. */
    static boolean loopbackName(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static boolean refuse(HttpServletRequest req, HttpServletResponse resp, int status, String message)
            throws IOException {
        if (path(req).startsWith("/api/") || path(req).equals("/api")) {
            Json.write(resp, status, Json.error(message));
        } else {
            resp.setStatus(status);
            resp.setContentType("text/plain;charset=utf-8");
            resp.getWriter().write(message + "\n");
        }
        return false;
    }

    static String path(HttpServletRequest req) {
        String uri = req.getRequestURI();
        return uri == null ? "" : uri;
    }

    static String cookie(HttpServletRequest req, String name) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(name)) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void cookie(HttpServletResponse resp, HttpServletRequest req, String name, String value) {
        resp.addHeader("Set-Cookie", name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (req.isSecure() ? "; Secure" : ""));
    }

    /** A parameter of the query string only (never the body, which a servlet may still have to read). */
    static String queryParameter(HttpServletRequest req, String name) {
        String query = req.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            try {
                if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                // a malformed escape: not the parameter asked for
            }
        }
        return null;
    }
}
