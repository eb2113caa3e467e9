package mdm.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import mdm.api.MdmException;

/** Decodes PNG/JPEG (anything javax.imageio reads) to float RGB and writes PNG. */
public final class ImageCodec {
    static {
        // file-backed caches are slower and leave files behind; images here are small
        ImageIO.setUseCache(false);
    }

    private ImageCodec() {
    }

    /**
     * Decodes image bytes to RGB in [-1, 1].
     *
     * @param what names the bytes in errors, e.g. {@code "entry x.jpg in shard y.tar"}
     * @throws MdmException if the bytes are not an image javax.imageio can read
     */
    public static FloatImage decode(byte[] bytes, String what) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new MdmException("cannot decode " + what + ": " + e.getMessage()
                    + " (a damaged file, or a format such as CMYK JPEG that javax.imageio does not read)", e);
        }
        if (image == null) {
            throw new MdmException("cannot decode " + what + ": not a PNG, JPEG, GIF or BMP image ("
                    + bytes.length + " bytes)");
        }
        return FloatImage.fromBufferedImage(image);
    }

    /** Reads and decodes an image file. */
    public static FloatImage read(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new MdmException("image not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new MdmException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** PNG bytes of an image. */
    public static byte[] encodePng(FloatImage image) {
        return encodePng(image.toBufferedImage());
    }

    public static byte[] encodePng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes a PNG file (parent folders are created). */
    public static Path writePng(FloatImage image, Path file) {
        return writePng(image.toBufferedImage(), file);
    }

    public static Path writePng(BufferedImage image, Path file) {
        // whole or not at all: a crash never leaves half a PNG where a finished one is expected
        return mdm.core.io.AtomicFiles.write(file, encodePng(image));
    }
}
