package mdm.data.videoframes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import mdm.api.MdmException;

/**
 * The clips under a root: one folder of frames each, frames in natural name order (frame2 before
 * frame10), an optional {@code caption.txt} per clip.
 */
record ClipIndex(List<String> classes, List<Clip> clips) {
    record Clip(Path folder, List<Path> frames, int label, String caption) {
    }

    /** Compares names by their runs of digits as numbers, the rest as text. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String na = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    static ClipIndex scan(VideoFramesOptions options) {
        Path root = Path.of(options.path());
        if (!Files.isDirectory(root)) {
            throw new MdmException("video folder not found: " + root.toAbsolutePath() + ". Set path to a folder with one sub-folder of frames per clip.");
        }
        List<String> classes = new ArrayList<>();
        List<Clip> clips = new ArrayList<>();
        if (options.classes()) {
            for (Path classDir : folders(root)) {
                classes.add(classDir.getFileName().toString());
                for (Path clip : folders(classDir)) {
                    clips.add(clip(clip, options, classes.size() - 1, classDir.getFileName().toString().replace('_', ' ')));
                }
            }
        } else {
            for (Path clip : folders(root)) {
                clips.add(clip(clip, options, -1, null));
            }
        }
        if (clips.isEmpty()) {
            throw new MdmException(root.toAbsolutePath() + " has no clip folders: video-frames expects "
                    + (options.classes() ? "root/class/clip/frame images" : "root/clip/frame images") + ".");
        }
        return new ClipIndex(List.copyOf(classes), List.copyOf(clips));
    }

    private static Clip clip(Path folder, VideoFramesOptions options, int label, String className) {
        List<Path> frames;
        try (Stream<Path> s = Files.list(folder)) {
            frames = s.filter(Files::isRegularFile).filter(p -> isFrame(p, options.extensions()))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString(), NATURAL)).toList();
        } catch (IOException e) {
            throw new MdmException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        String caption = className;
        Path captionFile = folder.resolve("caption.txt");
        if (Files.isRegularFile(captionFile)) {
            try {
                caption = Files.readString(captionFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new MdmException("cannot read " + captionFile + ": " + e.getMessage(), e);
            }
        }
        return new Clip(folder, frames, label, caption);
    }

    private static List<Path> folders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString(), NATURAL)).toList();
        } catch (IOException e) {
            throw new MdmException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isFrame(Path file, List<String> extensions) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
