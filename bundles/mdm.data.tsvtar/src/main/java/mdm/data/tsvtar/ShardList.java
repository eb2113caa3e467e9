package mdm.data.tsvtar;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdm.api.MdmException;

/**
 * Reads the ml-mdm reader's listing: an index TSV ({@code filename}) of shard TSVs, or one shard
 * TSV ({@code tar, file, caption}). A relative tar path is looked for relative to its TSV's folder,
 * then as the bare file name in that folder (the reference's TSVs hold paths relative to where
 * they were made, e.g. {@code tests/test_files/images_00000.tar} next to the TSV).
 */
final class ShardList {
    private ShardList() {
    }

    static List<ShardEntry> read(Path listing) {
        TsvTable table = TsvTable.read(listing);
        if (table.column("tar") >= 0 && table.column("file") >= 0 && table.column("caption") >= 0) {
            return shard(table);
        }
        int filename = table.column("filename");
        if (filename < 0) {
            throw new MdmException(listing + ": header " + table.header() + " is neither a shard TSV ('tar<TAB>file<TAB>caption') "
                    + "nor an index of shard TSVs ('filename').");
        }
        List<ShardEntry> out = new ArrayList<>();
        Path folder = folder(listing);
        for (TsvTable.Row row : table.rows()) {
            if (filename >= row.fields().size() || row.fields().get(filename).isBlank()) {
                throw new MdmException(listing + " line " + row.line() + ": no shard file name");
            }
            Path shard = folder.resolve(row.fields().get(filename).trim());
            if (!Files.isRegularFile(shard)) {
                throw new MdmException("shard TSV " + shard.toAbsolutePath() + " (line " + row.line() + " of " + listing + ") not found");
            }
            out.addAll(shard(TsvTable.read(shard)));
        }
        return out;
    }

    private static List<ShardEntry> shard(TsvTable table) {
        int tarCol = table.column("tar");
        int fileCol = table.column("file");
        int captionCol = table.column("caption");
        int needed = Math.max(tarCol, Math.max(fileCol, captionCol)) + 1;
        Path folder = folder(table.file());
        Map<String, Path> tars = new HashMap<>();
        List<ShardEntry> out = new ArrayList<>(table.rows().size());
        for (int r = 0; r < table.rows().size(); r++) {
            TsvTable.Row row = table.rows().get(r);
            List<String> f = row.fields();
            if (f.size() < needed) {
                String tarName = tarCol < f.size() ? f.get(tarCol) : "?";
                String member = fileCol < f.size() ? f.get(fileCol) : "?";
                out.add(new ShardEntry(table.file(), row.line(), r, fileName(tarName), null, member, null,
                        "the row has " + f.size() + " of the " + needed + " columns"));
                continue;
            }
            String tarName = f.get(tarCol).trim();
            Path tar = tars.computeIfAbsent(tarName, t -> resolve(folder, t));
            String problem = tar != null ? null : "shard tar not found (looked for " + String.join(", ", candidates(folder, tarName)) + ")";
            out.add(new ShardEntry(table.file(), row.line(), r, fileName(tarName), tar, f.get(fileCol).trim(), f.get(captionCol), problem));
        }
        return out;
    }

    private static Path resolve(Path folder, String tarName) {
        for (String c : candidates(folder, tarName)) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> candidates(Path folder, String tarName) {
        Set<String> out = new LinkedHashSet<>();
        Path given = Path.of(tarName);
        out.add((given.isAbsolute() ? given : folder.resolve(given)).toAbsolutePath().normalize().toString());
        out.add(folder.resolve(given.getFileName()).toAbsolutePath().normalize().toString());
        return List.copyOf(out);
    }

    private static String fileName(String tarName) {
        Path p = Path.of(tarName.isBlank() ? "?" : tarName);
        return p.getFileName().toString();
    }

    private static Path folder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
