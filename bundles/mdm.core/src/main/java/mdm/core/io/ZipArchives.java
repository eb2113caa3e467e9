package mdm.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import mdm.api.MdmException;

/** Opening zip-based files (npz, torch.save) with errors that say which file and what went wrong. */
final class ZipArchives {
    private ZipArchives() {
    }

    static ZipFile open(Path file) {
        requireReadable(file);
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new MdmException(file + " is not a readable zip archive (truncated or corrupt file?): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new MdmException("Cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole entry, checked against the size the archive declares. */
    static byte[] readEntry(Path file, ZipFile zip, ZipEntry entry) {
        long declared = entry.getSize();
        if (declared > Integer.MAX_VALUE - 8) {
            throw new MdmException(file + ": entry '" + entry.getName() + "' is larger than 2 GB, which is not supported");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            if (declared >= 0 && bytes.length != declared) {
                throw new MdmException(file + ": entry '" + entry.getName() + "' is truncated: " + bytes.length
                        + " of " + declared + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new MdmException(file + ": cannot read entry '" + entry.getName()
                    + "' (truncated or corrupt file?): " + e.getMessage(), e);
        }
    }

    static void requireReadable(Path file) {
        if (!Files.exists(file)) {
            throw new MdmException("State-dict file not found: " + file.toAbsolutePath()
                    + " (check the path)");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new MdmException("State-dict file is not a readable regular file: " + file.toAbsolutePath());
        }
    }
}
