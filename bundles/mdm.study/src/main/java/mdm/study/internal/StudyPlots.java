package mdm.study.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Line plots with one line per arm and its spread over seeds shaded (mean ± standard deviation). */
final class StudyPlots {
    private static final int W = 860;
    private static final int H = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 44;
    private static final int BOTTOM = 56;
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    /** One arm: x, mean and spread of each point. */
    record Series(String name, double[] x, double[] mean, double[] spread) {
    }

    private StudyPlots() {
    }

    static void write(String title, String xLabel, String yLabel, List<Series> series, Path file) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double xMax = 0;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.mean()[i])) {
                    continue;
                }
                double sp = Double.isFinite(s.spread()[i]) ? s.spread()[i] : 0;
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.mean()[i] - sp);
                yMax = Math.max(yMax, s.mean()[i] + sp);
            }
        }
        if (!Double.isFinite(yMin)) {
            yMin = 0;
            yMax = 1;
        }
        if (yMin > 0 && yMin < 0.5 * yMax) {
            yMin = 0;
        }
        if (yMax <= yMin) {
            yMax = yMin + 1;
        }
        double pad = (yMax - yMin) * 0.05;
        yMax += pad;
        yMin = yMin == 0 ? 0 : yMin - pad;
        double xStep = niceStep(xMax <= 0 ? 1 : xMax / 5);
        xMax = xStep * Math.ceil((xMax <= 0 ? 1 : xMax) / xStep);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double v = yMin + (yMax - yMin) * i / 5;
            int y = y(v, yMin, yMax);
            g.setColor(new Color(228, 228, 228));
            g.drawLine(LEFT + 1, y, W - RIGHT, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.4g", v), 8, y + 4);
        }
        for (double xv = 0; xv <= xMax * (1 + 1e-9); xv += xStep) {
            int x = x(xv, xMax);
            g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 4);
            String label = xStep >= 1 ? String.format("%,d", Math.round(xv)) : String.format("%.3g", xv);
            g.drawString(label, x - 4 * label.length() / 2 - 4, H - BOTTOM + 18);
        }
        g.drawString(xLabel, LEFT + (W - LEFT - RIGHT) / 2 - 60, H - 14);
        g.drawString(yLabel, 8, TOP - 8);
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            Color c = COLOURS[si % COLOURS.length];
            Polygon band = new Polygon();
            int n = s.x().length;
            for (int i = 0; i < n; i++) {
                if (Double.isFinite(s.mean()[i])) {
                    double sp = Double.isFinite(s.spread()[i]) ? s.spread()[i] : 0;
                    band.addPoint(x(s.x()[i], xMax), y(s.mean()[i] + sp, yMin, yMax));
                }
            }
            for (int i = n - 1; i >= 0; i--) {
                if (Double.isFinite(s.mean()[i])) {
                    double sp = Double.isFinite(s.spread()[i]) ? s.spread()[i] : 0;
                    band.addPoint(x(s.x()[i], xMax), y(s.mean()[i] - sp, yMin, yMax));
                }
            }
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            g.fillPolygon(band);
            g.setColor(c);
            g.setStroke(new BasicStroke(2f));
            int px = Integer.MIN_VALUE;
            int py = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(s.mean()[i])) {
                    continue;
                }
                int cx = x(s.x()[i], xMax);
                int cy = y(s.mean()[i], yMin, yMax);
                g.fillOval(cx - 3, cy - 3, 7, 7);
                if (Double.isFinite(s.spread()[i]) && s.spread()[i] > 0) { // error bar: visible with one point too
                    int hi = y(s.mean()[i] + s.spread()[i], yMin, yMax);
                    int lo = y(s.mean()[i] - s.spread()[i], yMin, yMax);
                    g.setStroke(new BasicStroke(1f));
                    g.drawLine(cx, hi, cx, lo);
                    g.drawLine(cx - 4, hi, cx + 4, hi);
                    g.drawLine(cx - 4, lo, cx + 4, lo);
                    g.setStroke(new BasicStroke(2f));
                }
                if (px != Integer.MIN_VALUE) {
                    g.drawLine(px, py, cx, cy);
                }
                px = cx;
                py = cy;
            }
            int ly = TOP + 10 + si * 20;
            g.fillRect(W - RIGHT + 14, ly - 8, 18, 8);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), W - RIGHT + 38, ly);
        }
        g.setColor(Color.DARK_GRAY);
        int noteY = TOP + 16 + series.size() * 20;
        g.drawString("line: mean over seeds", W - RIGHT + 14, noteY);
        g.drawString("band, bars: ± 1 std", W - RIGHT + 14, noteY + 15);
        g.dispose();
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** 1, 2 or 5 times a power of ten, the smallest at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static int x(double v, double xMax) {
        return LEFT + (int) Math.round((W - LEFT - RIGHT) * v / xMax);
    }

    private static int y(double v, double lo, double hi) {
        return H - BOTTOM - (int) Math.round((H - TOP - BOTTOM) * (v - lo) / (hi - lo));
    }
}
