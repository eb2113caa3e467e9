package mdm.web.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Browser sessions, each with its own token against cross-site request forgery: a page gets it
 * from {@code GET /api/session} (which another site cannot read) and sends it with every POST.
 * The store is bounded: the least recently used session goes first.
 */
final class Sessions {
    static final String COOKIE = "mdm-session";
    static final int MAX = 1024;

    record Session(String id, String csrf) {
    }

    private final Map<String, Session> byId = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
            return size() > MAX;
        }
    };

    synchronized Session find(String id) {
        return id == null ? null : byId.get(id);
    }

    synchronized Session create() {
        Session s = new Session(Secrets.newToken(), Secrets.newToken());
        byId.put(s.id(), s);
        return s;
    }

    synchronized int size() {
        return byId.size();
    }
}
