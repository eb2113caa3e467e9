package mdm.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import mdm.api.MdmException;

/** The state-dict file formats we read, told apart by content (the extension only improves messages). */
public enum TensorFileFormat {
    /** numpy {@code np.savez}: a zip of {@code <name>.npy} entries. */
    NPZ,
    /** safetensors: 8-byte header length, JSON header, raw data. */
    SAFETENSORS,
    /** PyTorch {@code torch.save} zip ({@code .pt}, {@code .pth}, {@code .bin}). */
    TORCH_ZIP;

    /** The format of {@code file}, from its first bytes and, for zips, its entry names. */
    public static TensorFileFormat of(Path file) {
        ZipArchives.requireReadable(file);
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            return ofZip(file);
        }
        if (head.length >= 9 && head[8] == '{') {
            return SAFETENSORS;
        }
        String hint = "";
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            hint = " It starts like a bare pickle: a legacy (torch < 1.6 or _use_new_zipfile_serialization=False) "
                    + "torch.save file, which is not supported; re-save it with torch >= 1.6.";
        } else if (head.length >= 6 && (head[0] & 0xff) == 0x93 && head[1] == 'N') {
            hint = " It is a single .npy array; save state dicts with np.savez.";
        }
        throw new MdmException("Unknown state-dict format: " + file + " (first bytes "
                + HexFormat.ofDelimiter(" ").formatHex(head, 0, Math.min(head.length, 9)) + ")." + hint
                + " Supported: .npz, .safetensors, PyTorch zip .pt/.pth/.bin.");
    }

    private static TensorFileFormat ofZip(Path file) {
        try (ZipFile zip = ZipArchives.open(file)) {
            boolean npy = false;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash).equals("/data.pkl")) {
                    return TORCH_ZIP;
                }
                npy |= name.endsWith(".npy");
            }
            if (npy) {
                return NPZ;
            }
            throw new MdmException("Unknown state-dict format: " + file
                    + " is a zip archive with neither .npy entries (npz) nor <name>/data.pkl (torch.save).");
        } catch (IOException e) {
            throw new MdmException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
