package mdm.trainer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import mdm.core.image.ImageCodec;

/**
 * Draws the loss curve of each resolution level (and the total) as a PNG next to the metrics:
 * raw values faint, a smoothed line on top, a log-scaled loss axis, stage boundaries marked.
 */
final class LossCurves {
    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private LossCurves() {
    }

    /** Writes {@code loss.png} and {@code loss-<side>.png} per level; returns the files. */
    static List<Path> write(List<JsonNode> records, Path folder) {
        List<Path> files = new ArrayList<>();
        if (records.isEmpty()) {
            return files;
        }
        files.add(plot(records, "loss", "total loss", folder.resolve("loss.png")));
        Set<String> levels = new LinkedHashSet<>();
        for (JsonNode r : records) {
            for (Iterator<String> it = r.path("levels").fieldNames(); it.hasNext(); ) {
                levels.add(it.next());
            }
        }
        for (String side : levels) {
            files.add(plot(records, "levels." + side, "loss at " + side + "x" + side,
                    folder.resolve("loss-" + side + ".png")));
        }
        return files;
    }

    private static Path plot(List<JsonNode> records, String path, String title, Path file) {
        List<double[]> points = new ArrayList<>();
        List<Long> stageStarts = new ArrayList<>();
        String stage = null;
        for (JsonNode r : records) {
            JsonNode v = path.startsWith("levels.") ? r.path("levels").path(path.substring(7)) : r.path(path);
            if (v.isNumber() && v.asDouble() > 0 && Double.isFinite(v.asDouble())) {
                points.add(new double[] {r.path("step").asDouble(), v.asDouble()});
            }
            String s = r.path("stage").asText();
            if (!s.equals(stage)) {
                if (stage != null) {
                    stageStarts.add(r.path("step").asLong());
                }
                stage = s;
            }
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        if (points.size() >= 1) {
            double xMax = Math.max(1, points.get(points.size() - 1)[0]);
            double yMin = points.stream().mapToDouble(p -> p[1]).min().orElse(1e-3);
            double yMax = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
            double lo = Math.floor(Math.log10(yMin));
            double hi = Math.max(lo + 1, Math.ceil(Math.log10(yMax)));
            axes(g, xMax, lo, hi);
            g.setColor(new Color(150, 150, 150));
            for (long s : stageStarts) {
                int x = x(s, xMax);
                g.drawLine(x, TOP, x, H - BOTTOM);
            }
            g.setColor(new Color(120, 160, 230));
            for (double[] p : points) {
                g.fillRect(x(p[0], xMax) - 1, y(p[1], lo, hi) - 1, 2, 2);
            }
            g.setColor(new Color(20, 60, 170));
            g.setStroke(new BasicStroke(2f));
            double smooth = points.get(0)[1];
            int px = -1;
            int py = -1;
            for (double[] p : points) {
                smooth = 0.9 * smooth + 0.1 * p[1];
                int cx = x(p[0], xMax);
                int cy = y(smooth, lo, hi);
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
        }
        g.dispose();
        ImageCodec.writePng(img, file); // whole or not at all
        return file;
    }

    private static void axes(Graphics2D g, double xMax, double lo, double hi) {
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
        for (double e = lo; e <= hi; e++) {
            int y = y(Math.pow(10, e), lo, hi);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT + 1, y, W - RIGHT, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("1e%d", (int) e), 20, y + 4);
        }
        for (int i = 0; i <= 4; i++) {
            double step = xMax * i / 4;
            int x = x(step, xMax);
            g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 4);
            g.drawString(String.format("%d", Math.round(step)), x - 12, H - BOTTOM + 18);
        }
        g.drawString("step", W / 2, H - 12);
    }

    private static int x(double step, double xMax) {
        return LEFT + (int) Math.round((W - LEFT - RIGHT) * step / xMax);
    }

    private static int y(double v, double lo, double hi) {
        double t = (Math.log10(v) - lo) / (hi - lo);
        return H - BOTTOM - (int) Math.round((H - TOP - BOTTOM) * t);
    }
}
