package mdm.core.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import mdm.api.MdmException;

/**
 * Lays images out in a grid on white, each optionally with its caption wrapped under it. Cells are
 * enlarged by an integer factor with nearest-neighbour sampling so that small images stay legible
 * and pixel-exact.
 */
public final class ImageGrid {
    private static final int PAD = 4;
    private static final int FONT_SIZE = 11;

    private ImageGrid() {
    }

    /**
     * @param captions one per image, or null for no captions; a null entry leaves that cell bare
     * @param scale    integer enlargement of every cell (1 = actual pixels)
     */
    public static BufferedImage render(List<FloatImage> images, List<String> captions, int columns, int scale) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one image");
        }
        if (captions != null && captions.size() != images.size()) {
            throw new IllegalArgumentException(captions.size() + " captions for " + images.size() + " images");
        }
        int cols = Math.max(1, Math.min(columns, images.size()));
        int rows = (images.size() + cols - 1) / cols;
        int cellW = 0;
        int cellH = 0;
        for (FloatImage im : images) {
            cellW = Math.max(cellW, im.width() * scale);
            cellH = Math.max(cellH, im.height() * scale);
        }
        List<List<String>> lines = new ArrayList<>();
        int textH = 0;
        int lineH = 0;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, FONT_SIZE);
        if (captions != null) {
            FontMetrics metrics = metrics(font);
            lineH = metrics.getHeight();
            int maxLines = 0;
            for (String caption : captions) {
                List<String> wrapped = caption == null ? List.of() : wrap(caption, metrics, cellW);
                lines.add(wrapped);
                maxLines = Math.max(maxLines, wrapped.size());
            }
            textH = maxLines * lineH + (maxLines > 0 ? 2 : 0);
        }
        int boxW = cellW + PAD;
        int boxH = cellH + textH + PAD;
        BufferedImage out = new BufferedImage(cols * boxW + PAD, rows * boxH + PAD, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(new Color(40, 40, 40));
            for (int i = 0; i < images.size(); i++) {
                FloatImage im = images.get(i);
                int x0 = PAD + (i % cols) * boxW;
                int y0 = PAD + (i / cols) * boxH;
                g.drawImage(im.toBufferedImage(), x0, y0, im.width() * scale, im.height() * scale, null);
                if (captions != null) {
                    int baseline = y0 + cellH + 1 + g.getFontMetrics().getAscent();
                    for (String line : lines.get(i)) {
                        g.drawString(line, x0, baseline);
                        baseline += lineH;
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Greedy word wrap to a pixel width; a word longer than the width gets a line of its own. */
    static List<String> wrap(String text, FontMetrics metrics, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (line.length() > 0 && metrics.stringWidth(candidate) > width) {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            } else {
                line.setLength(0);
                line.append(candidate);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static FontMetrics metrics(Font font) {
        try {
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            try {
                return g.getFontMetrics(font);
            } finally {
                g.dispose();
            }
        } catch (Error | RuntimeException e) {
            // headless JREs without fontconfig/fonts fail here, not at startup
            throw new MdmException("cannot draw captions: no usable font (" + e + "). Install fonts, e.g. "
                    + "'apt-get install fontconfig fonts-dejavu-core', or render the grid without captions.", e);
        }
    }
}
