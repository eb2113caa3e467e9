package mdm.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The dashboard's access token, kept in {@code <work>/web/token} (readable by its owner only) so
 * that it survives restarts. It is required when the server listens beyond loopback; on loopback
 * it is optional and lets scripts POST without a browser session ({@code Authorization: Bearer}).
 */
final class AccessToken {
    private final Path file;
    private final String value;

    private AccessToken(Path file, String value) {
        this.file = file;
        this.value = value;
    }

    /** Reads the token, or writes a new one when there is none (or it is not a token). */
    static AccessToken loadOrCreate(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (existing.matches("[A-Za-z0-9_-]{32,}")) {
                    return new AccessToken(file, existing);
                }
            }
            Files.createDirectories(file.getParent());
            String token = Secrets.newToken();
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the folder's permissions apply
            }
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new AccessToken(file, token);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the dashboard's access token " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    boolean matches(String given) {
        return Secrets.same(value, given);
    }

    String value() {
        return value;
    }
}
