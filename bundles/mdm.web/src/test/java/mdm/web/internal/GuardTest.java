package mdm.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardTest {
    @TempDir
    Path work;
    Guard guard;
    AccessToken token;

    @BeforeEach
    void setUp() {
        token = AccessToken.loadOrCreate(work.resolve("web/token"));
        guard = new Guard(new Sessions(), token);
        guard.exposed(false);
    }

    private Http.Response admit(Http.Request req, boolean expected) throws Exception {
        Http.Response resp = new Http.Response();
        assertEquals(expected, guard.admit(req.servlet(), resp.servlet()), () -> resp.status + " " + resp.text());
        assertEquals("DENY", resp.header("X-Frame-Options"), "every answer carries the protective headers");
        assertNotNull(resp.header("Content-Security-Policy"));
        return resp;
    }

    @Test
    void loopbackNamesOnly() throws Exception {
        assertTrue(Guard.loopbackName("localhost"));
        assertTrue(Guard.loopbackName("127.0.0.1"));
        assertTrue(Guard.loopbackName("127.1.2.3"));
        assertTrue(Guard.loopbackName("[::1]"));
        assertTrue(Guard.loopbackName("app.localhost"));
        assertFalse(Guard.loopbackName("evil.example"));
        assertFalse(Guard.loopbackName("127.0.0.1.evil.example"));
        assertFalse(Guard.loopbackName("10.0.0.1"));
        assertFalse(Guard.loopbackName(null));
        Http.Request rebound = new Http.Request();
        rebound.host = "evil.example";
        Http.Response resp = admit(rebound, false);
        assertEquals(403, resp.status);
        assertTrue(resp.text().contains("answers only to local names"), resp.text());
        assertTrue(resp.text().startsWith("{\"error\":"), "JSON under /api");
    }

    @Test
    void aSessionIsMadeOnceAndPostsNeedItsCsrfToken() throws Exception {
        Http.Response first = admit(new Http.Request(), true);
        String cookie = first.header("Set-Cookie");
        assertTrue(cookie.startsWith(Sessions.COOKIE + "=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                cookie);
        String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
        Http.Request again = new Http.Request().cookie(Sessions.COOKIE, id);
        Http.Response second = admit(again, true);
        assertTrue(second.all("Set-Cookie").isEmpty(), "the session is known: no new cookie");
        Sessions.Session session = (Sessions.Session) again.attributes.get(Guard.SESSION);

        Http.Response noToken = admit(new Http.Request().method("POST").cookie(Sessions.COOKIE, id), false);
        assertEquals(403, noToken.status);
        assertTrue(noToken.text().contains(Guard.CSRF_HEADER));
        assertEquals(403, admit(new Http.Request().method("POST").cookie(Sessions.COOKIE, id)
                .header(Guard.CSRF_HEADER, "guess"), false).status);
        admit(new Http.Request().method("POST").cookie(Sessions.COOKIE, id).header(Guard.CSRF_HEADER, session.csrf()), true);
        assertEquals(403, admit(new Http.Request().method("POST").cookie(Sessions.COOKIE, id)
                .header(Guard.CSRF_HEADER, session.csrf()).header("Origin", "http://evil.example"), false).status,
                "another origin may not post even with a leaked token");
        admit(new Http.Request().method("POST").cookie(Sessions.COOKIE, id).header(Guard.CSRF_HEADER, session.csrf())
                .header("Origin", "http://127.0.0.1:8642"), true);
        admit(new Http.Request().method("POST").header("Authorization", "Bearer " + token.value()), true);
        assertEquals(403, admit(new Http.Request().method("POST").header("Authorization", "Bearer wrong"), false).status);
    }

    @Test
    void beyondLoopbackTheTokenIsRequiredAndAnAddressWithItBecomesACookie() throws Exception {
        guard.exposed(true);
        Http.Request remote = new Http.Request();
        remote.host = "192.168.1.20";
        Http.Response refused = admit(remote, false);
        assertEquals(401, refused.status);
        assertTrue(refused.text().contains(token.file().toString()), "says where the token is");

        Http.Request page = new Http.Request();
        page.host = "192.168.1.20";
        page.uri = "/";
        page.query = "token=" + token.value();
        Http.Response redirect = admit(page, false);
        assertEquals(303, redirect.status);
        assertEquals("/", redirect.header("Location"), "the token leaves the address bar");
        assertTrue(redirect.header("Set-Cookie").startsWith(Guard.TOKEN_COOKIE + "=" + token.value()));

        Http.Request withCookie = new Http.Request().cookie(Guard.TOKEN_COOKIE, token.value());
        withCookie.host = "192.168.1.20";
        admit(withCookie, true);
        Http.Request wrong = new Http.Request().cookie(Guard.TOKEN_COOKIE, "x" + token.value());
        wrong.host = "192.168.1.20";
        assertEquals(401, admit(wrong, false).status);
        Http.Request bearer = new Http.Request().header("Authorization", "Bearer " + token.value());
        bearer.host = "192.168.1.20";
        admit(bearer, true);
    }

    @Test
    void theTokenIsKeptPrivatelyAndReused() throws Exception {
        Path file = work.resolve("web/token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(token.value(), AccessToken.loadOrCreate(file).value());
        assertTrue(token.value().length() >= 43);
        Files.writeString(file, "not a token!");
        assertFalse(AccessToken.loadOrCreate(file).value().contains("!"), "a damaged file is replaced");
    }
}
