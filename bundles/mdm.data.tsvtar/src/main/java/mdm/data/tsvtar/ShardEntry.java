package mdm.data.tsvtar;

import java.nio.file.Path;

/**
 * One row of a shard TSV.
 *
 * @param row     the row's index among the shard TSV's data rows (its row in the caption-embedding sidecar)
 * @param tar     the resolved tar file, or null when it was not found
 * @param problem what is wrong with the row itself (missing tar, too few columns), or null
 */
record ShardEntry(Path tsv, int line, int row, String tarName, Path tar, String member, String caption, String problem) {
    /** "entry 'x.jpg' of shard 'images_00000.tar' (line 2 of images_00000.tsv)". */
    String where() {
        return "entry '" + member + "' of shard '" + tarName + "' (line " + line + " of " + tsv.getFileName() + ")";
    }
}
