package mdm.web.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** JSON in and out of the API: bodies read within a size limit, answers and errors written alike. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ObjectNode error(String message) {
        return object().put("error", message);
    }

    static void write(HttpServletResponse resp, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            status = 500;
            bytes = MAPPER.writeValueAsBytes(error("internal error: the answer could not be written as JSON"));
        }
        resp.setStatus(status);
        resp.setContentType("application/json;charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /**
     * The request's JSON object; 415 when it is not declared JSON (which also keeps plain HTML
     * forms of other sites out), 413 above {@code limit} bytes, 400 when it does not parse.
     */
    static ObjectNode body(HttpServletRequest req, int limit) throws IOException {
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new WebError(415, "send the request body as JSON (Content-Type: application/json)");
        }
        long declared = req.getContentLengthLong();
        if (declared > limit) {
            throw new WebError(413, "the request body has " + declared + " bytes; the limit is " + limit
                    + " (maxRequestBytes in the mdm.web configuration)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = req.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (out.size() > limit) {
                    throw new WebError(413, "the request body is larger than the limit of " + limit
                            + " bytes (maxRequestBytes in the mdm.web configuration)");
                }
            }
        }
        if (out.size() == 0) {
            return object();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw WebError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw WebError.badRequest("the request body must be a JSON object");
        }
        return o;
    }
}
