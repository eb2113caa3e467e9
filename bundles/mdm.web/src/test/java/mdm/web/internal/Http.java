package mdm.web.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Requests and responses without a server: just what the dashboard's classes read and write. */
final class Http {
    private Http() {
    }

    static final class Request {
        String method = "GET";
        String uri = "/api/jobs";
        String query;
        String host = "127.0.0.1";
        int port = 8642;
        final Map<String, String> headers = new HashMap<>();
        final Map<String, String> cookies = new LinkedHashMap<>();
        final Map<String, Object> attributes = new HashMap<>();

        Request method(String m) {
            method = m;
            return this;
        }

        Request header(String name, String value) {
            headers.put(name.toLowerCase(), value);
            return this;
        }

        Request cookie(String name, String value) {
            cookies.put(name, value);
            return this;
        }

        HttpServletRequest servlet() {
            return (HttpServletRequest) Proxy.newProxyInstance(Http.class.getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                        case "getMethod" -> method;
                        case "getRequestURI" -> uri;
                        case "getQueryString" -> query;
                        case "getServerName" -> host;
                        case "getServerPort", "getLocalPort" -> port;
                        case "getScheme" -> "http";
                        case "isSecure" -> false;
                        case "getHeader" -> "host".equalsIgnoreCase((String) args[0])
                                ? headers.getOrDefault("host", host + ":" + port) : headers.get(((String) args[0]).toLowerCase());
                        case "getCookies" -> cookies.isEmpty() ? null : cookies.entrySet().stream()
                                .map(e -> new Cookie(e.getKey(), e.getValue())).toArray(Cookie[]::new);
                        case "setAttribute" -> attributes.put((String) args[0], args[1]);
                        case "getAttribute" -> attributes.get((String) args[0]);
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    static final class Response {
        int status = 200;
        final Map<String, List<String>> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        String contentType;

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase());
            return v == null ? null : v.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of());
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }

        HttpServletResponse servlet() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }

                @Override
                public void write(int b) {
                    body.write(b);
                }
            };
            PrintWriter writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
            return (HttpServletResponse) Proxy.newProxyInstance(Http.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "setHeader" -> headers.put(((String) args[0]).toLowerCase(), new ArrayList<>(List.of((String) args[1])));
                            case "addHeader" -> headers.computeIfAbsent(((String) args[0]).toLowerCase(), k -> new ArrayList<>())
                                    .add((String) args[1]);
                            case "setContentType" -> contentType = (String) args[0];
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "getWriter" -> {
                                return writer;
                            }
                            case "setContentLength", "setContentLengthLong", "setCharacterEncoding" -> {
                            }
                            case "isCommitted" -> {
                                return false;
                            }
                            default -> throw new UnsupportedOperationException(m.getName());
                        }
                        return null;
                    });
        }
    }
}
