package mdm.web.internal;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The work folder as the dashboard sees it. Clients name files and folders by paths relative to
 * it; nothing outside it is ever resolved, and files are served only from inside run folders
 * (and study folders), only of the kinds a page shows, never hidden ones, never through a link
 * that leads out.
 */
final class WorkFiles {
    /** What the pages show: images, curves' data, reports. Never weights or the framework's files. */
    static final Set<String> SERVED = Set.of("png", "gif", "jpg", "jpeg", "json", "jsonl", "md", "txt", "csv",
            "yaml", "yml");
    static final String STUDIES = "studies";

    private final Path work;

    WorkFiles(Path work) {
        this.work = work.toAbsolutePath().normalize();
    }

    Path work() {
        return work;
    }

    /**
     * A path given by a client, relative to the work folder.
     *
     * @throws WebError 400 for an absolute path, a {@code ..} segment or anything that would leave the folder
     */
    Path resolve(String relative, String what) {
        if (relative == null || relative.isBlank()) {
            throw WebError.badRequest(what + " is missing: give a path relative to the work folder, e.g. runs/tiny");
        }
        String given = relative.trim();
        if (given.indexOf('\0') >= 0 || given.indexOf('\\') >= 0) {
            throw WebError.badRequest(what + " '" + printable(given) + "' is not a valid path");
        }
        Path p;
        try {
            p = Path.of(given);
        } catch (InvalidPathException e) {
            throw WebError.badRequest(what + " '" + printable(given) + "' is not a valid path");
        }
        if (p.isAbsolute()) {
            throw WebError.badRequest(what + " '" + printable(given) + "' must be relative to the work folder ("
                    + work + "), e.g. runs/tiny");
        }
        for (Path segment : p) {
            if (segment.toString().equals("..")) {
                throw WebError.badRequest(what + " '" + printable(given) + "' may not contain '..': give a path "
                        + "inside the work folder");
            }
        }
        Path full = work.resolve(p).normalize();
        if (!full.startsWith(work)) {
            throw WebError.badRequest(what + " '" + printable(given) + "' leaves the work folder");
        }
        return full;
    }

    /**
     * The file behind a {@code /files/...} address, or a 404: it must lie in a run folder (as
     * {@code isRun} tells) or a study folder, have a served extension, no hidden segment, and its
     * real path (links followed) must still be inside the work folder.
     */
    Path servable(String relative, Predicate<Path> isRun) {
        Path file;
        try {
            file = resolve(relative, "file");
        } catch (WebError e) {
            throw WebError.notFound("no such file: " + e.getMessage());
        }
        Path rel = work.relativize(file);
        for (Path segment : rel) {
            if (segment.toString().startsWith(".")) {
                throw WebError.notFound("no such file: " + printable(relative));
            }
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0 || !SERVED.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            throw WebError.notFound("no such file: " + printable(relative) + " (the dashboard serves only "
                    + String.join(", ", SERVED.stream().sorted().toList()) + " files)");
        }
        if (!Files.isRegularFile(file) || !insideRunOrStudy(file, isRun)) {
            throw WebError.notFound("no such file: " + printable(relative));
        }
        try {
            if (!file.toRealPath().startsWith(work.toRealPath())) {
                throw WebError.notFound("no such file: " + printable(relative));
            }
        } catch (IOException e) {
            throw WebError.notFound("no such file: " + printable(relative));
        }
        return file;
    }

    private boolean insideRunOrStudy(Path file, Predicate<Path> isRun) {
        Path studies = work.resolve(STUDIES);
        for (Path dir = file.getParent(); dir != null && dir.startsWith(work) && !dir.equals(work); dir = dir.getParent()) {
            if (dir.getParent() != null && dir.getParent().equals(studies)) {
                return true;
            }
            if (isRun.test(dir)) {
                return true;
            }
        }
        return false;
    }

    /** The path relative to the work folder with '/' separators, or null when it lies outside. */
    String relative(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        if (!abs.startsWith(work)) {
            return null;
        }
        return work.relativize(abs).toString().replace('\\', '/');
    }

    /** The address of a file under {@code /files/}, with its modification time so that a rewrite is fetched anew. */
    String url(Path file) {
        String rel = relative(file);
        if (rel == null) {
            return null;
        }
        StringBuilder s = new StringBuilder("/files");
        for (String segment : rel.split("/")) {
            s.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        try {
            s.append("?v=").append(Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            // not written yet: no version
        }
        return s.toString();
    }

    /** A client's text in a message, without control characters and not too long. */
    static String printable(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
