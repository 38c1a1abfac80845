package io.imagefarm.hasher.board;

import java.util.List;
import java.util.Locale;

/**
 * A small server-rendered SVG of a repository's last builds: one bar per build, its height the build's
 * duration (scaled to the longest shown), its fill darker the more steps came from the cache; a dot
 * marks the cache-hit ratio. Only numbers go into it, never text from a status, so nothing in it
 * needs escaping.
 */
public final class TrendChart {

    static final int WIDTH = 180;
    static final int HEIGHT = 36;

    private TrendChart() {
    }

    public static String svg(List<BuildBoard.FinishedBuild> builds) {
        List<BuildBoard.FinishedBuild> timed = builds.stream().filter(b -> b.duration() != null).toList();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        if (timed.isEmpty()) {
            svg.append("<title>no finished builds yet</title></svg>");
            return svg.toString();
        }
        long longest = Math.max(1, timed.stream().mapToLong(b -> b.duration().toMillis()).max().orElse(1));
        double slot = (double) WIDTH / Math.max(timed.size(), 10);
        double totalSeconds = 0;
        double ratioSum = 0;
        int ratios = 0;
        for (int i = 0; i < timed.size(); i++) {
            BuildBoard.FinishedBuild b = timed.get(i);
            double h = Math.max(1, (HEIGHT - 4) * b.duration().toMillis() / (double) longest);
            Double ratio = b.cacheRatio();
            double x = i * slot + 1;
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill-opacity=\"%.2f\"><title>%.1f s, %s cached</title></rect>",
                    x, HEIGHT - h, Math.max(1, slot - 2), h, 0.35 + 0.65 * (ratio == null ? 0 : ratio),
                    b.duration().toMillis() / 1000.0, ratio == null ? "n/a" : Math.round(ratio * 100) + "%"));
            if (ratio != null) {
                svg.append(String.format(Locale.ROOT, "<circle class=\"ratio\" cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\"/>",
                        x + Math.max(1, slot - 2) / 2, (HEIGHT - 2) - (HEIGHT - 6) * ratio));
                ratioSum += ratio;
                ratios++;
            }
            totalSeconds += b.duration().toMillis() / 1000.0;
        }
        svg.append(String.format(Locale.ROOT, "<title>last %d builds: %.1f s on average, %s of steps cached</title>",
                timed.size(), totalSeconds / timed.size(), ratios == 0 ? "n/a" : Math.round(100 * ratioSum / ratios) + "%"));
        svg.append("</svg>");
        return svg.toString();
    }
}
