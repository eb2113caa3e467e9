package mdm.data.imagefolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import mdm.api.MdmException;

/**
 * The files of an ImageNet-style tree: classes are the sorted names of the root's sub-folders
 * (hidden ones ignored), a class's images are every matching file below its folder, in sorted order.
 */
record FolderIndex(List<String> classes, List<Path> files, int[] labels) {
    static FolderIndex scan(ImageFolderOptions options) {
        Path root = Path.of(options.path());
        if (!Files.isDirectory(root)) {
            throw new MdmException("image folder not found: " + root.toAbsolutePath() + ". Set path to a folder with one sub-folder of images per class.");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new MdmException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) {
            throw new MdmException(root.toAbsolutePath() + " has no sub-folders: the image-folder dataset expects one sub-folder per class "
                    + "(e.g. root/cat/1.jpg, root/dog/2.png).");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).filter(p -> matches(p, options.extensions())).sorted().forEach(p -> {
                    files.add(p);
                    labels.add(label);
                });
            } catch (IOException e) {
                throw new MdmException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (files.isEmpty()) {
            throw new MdmException("no images (" + String.join(", ", options.extensions()) + ") under " + root.toAbsolutePath());
        }
        return new FolderIndex(List.copyOf(classes), List.copyOf(files), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean matches(Path file, List<String> extensions) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
