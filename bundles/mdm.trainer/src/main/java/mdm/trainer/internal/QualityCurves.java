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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdm.core.image.ImageCodec;

/**
 * Plots the figures of evaluation during training ({@code quality} records of metrics.jsonl)
 * against the training images seen: {@code quality-<figure>.png} beside {@code loss.png}.
 */
final class QualityCurves {
    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private QualityCurves() {
    }

    static List<Path> write(List<JsonNode> records, Path folder) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (JsonNode r : records) {
            JsonNode q = r.get("quality");
            if (q == null || !q.isObject()) {
                continue;
            }
            double x = r.path("images_seen").asDouble();
            q.fields().forEachRemaining(e -> series.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                    .add(new double[] {x, e.getValue().asDouble()}));
        }
        List<Path> files = new ArrayList<>();
        series.forEach((name, points) -> files.add(plot(name, points, folder.resolve("quality-" + name + ".png"))));
        return files;
    }

    private static Path plot(String name, List<double[]> points, Path file) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(name + " during training", LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double xMax = Math.max(1, points.stream().mapToDouble(p -> p[0]).max().orElse(1));
        double yMin = Math.min(0, points.stream().mapToDouble(p -> p[1]).min().orElse(0));
        double yMax = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
        if (yMax <= yMin) {
            yMax = yMin + 1;
        }
        g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
        for (int i = 0; i <= 4; i++) {
            double v = yMin + (yMax - yMin) * i / 4;
            int y = y(v, yMin, yMax);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(LEFT + 1, y, W - RIGHT, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.4g", v), 8, y + 4);
            double xv = xMax * i / 4;
            int x = x(xv, xMax);
            g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 4);
            g.drawString(String.format("%,d", Math.round(xv)), x - 20, H - BOTTOM + 18);
        }
        g.drawString("training images seen", W / 2 - 50, H - 12);
        g.setColor(new Color(20, 60, 170));
        g.setStroke(new BasicStroke(2f));
        int px = -1;
        int py = -1;
        for (double[] p : points) {
            int cx = x(p[0], xMax);
            int cy = y(p[1], yMin, yMax);
            g.fillOval(cx - 3, cy - 3, 6, 6);
            if (px >= 0) {
                g.drawLine(px, py, cx, cy);
            }
            px = cx;
            py = cy;
        }
        g.dispose();
        ImageCodec.writePng(img, file); // whole or not at all
        return file;
    }

    private static int x(double v, double xMax) {
        return LEFT + (int) Math.round((W - LEFT - RIGHT) * v / xMax);
    }

    private static int y(double v, double lo, double hi) {
        return H - BOTTOM - (int) Math.round((H - TOP - BOTTOM) * (v - lo) / (hi - lo));
    }
}
