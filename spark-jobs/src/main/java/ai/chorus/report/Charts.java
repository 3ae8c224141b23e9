package ai.chorus.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;

/** The report's charts as PNG bytes (JFreeChart, drawn headless: no display is needed on a cluster or in CI). */
public final class Charts {
    static final int WIDTH = 720;
    static final int HEIGHT = 360;
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

    static {
        // Before the first AWT class: servers and CI have no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** Training loss per step, with the validation loss as points where the run computed it. */
    public static byte[] loss(TrainingRun run) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("loss", run, "loss"));
        XYSeries val = series("val_loss", run, "val_loss");
        if (val.getItemCount() > 0) {
            data.addSeries(val);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Training loss", "step", "loss", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesShapesVisible(0, false);
        if (data.getSeriesCount() > 1) {
            renderer.setSeriesLinesVisible(1, false);
            renderer.setSeriesShapesVisible(1, true);
        }
        chart.getXYPlot().setRenderer(renderer);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        return png(style(chart));
    }

    public static byte[] learningRate(TrainingRun run) {
        XYSeriesCollection data = new XYSeriesCollection(series("learning rate", run, "learning_rate"));
        JFreeChart chart = ChartFactory.createXYLineChart("Learning rate", "step", "learning rate", data,
                PlotOrientation.VERTICAL, false, false, false);
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setNumberFormatOverride(new DecimalFormat("0.0##E0"));
        return png(style(chart));
    }

    /** Recall@K of both directions of a pair side by side, K along the x axis. */
    public static byte[] recallAtK(EvalResult result) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (String retrieved : result.retrievedModalities()) {
            Map<String, Double> m = result.directionMetrics(retrieved);
            for (int k : result.recallKs()) {
                Double v = m.get("recall@" + k);
                if (v != null) {
                    data.addValue(v, result.directionLabel(retrieved), "R@" + k);
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Recall@K: " + result.pairName(), "K", "recall", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 1.12); // room for the value labels above the bars
        return png(style(bars(chart, "0.00")));
    }

    /** How many queries found their first relevant candidate at rank 1, 2, 3–5, ... */
    public static byte[] rankHistogram(PairExamples.Direction direction) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<RankHistogram.Bin> bins = RankHistogram.of(direction.ranks(), direction.candidates());
        for (RankHistogram.Bin b : bins) {
            data.addValue(b.count(), "queries", b.label());
        }
        JFreeChart chart = ChartFactory.createBarChart("Rank of the first relevant candidate: " + direction.label(),
                "rank", "queries", data, PlotOrientation.VERTICAL, false, false, false);
        NumberAxis counts = (NumberAxis) chart.getCategoryPlot().getRangeAxis();
        counts.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        counts.setUpperMargin(0.12); // room for the value labels above the bars
        return png(style(bars(chart, "0")));
    }

    private static XYSeries series(String name, TrainingRun run, String field) {
        XYSeries s = new XYSeries(name, true, true);
        for (TrainingRun.Round r : run.rounds()) {
            double x = r.step();
            double y = r.value(field);
            if (Double.isFinite(x) && Double.isFinite(y)) {
                s.addOrUpdate(x, y);
            }
        }
        return s;
    }

    private static JFreeChart bars(JFreeChart chart, String labelFormat) {
        BarRenderer renderer = (BarRenderer) chart.getCategoryPlot().getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}",
                new DecimalFormat(labelFormat)));
        renderer.setDefaultItemLabelsVisible(true);
        return chart;
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        if (chart.getPlot() instanceof XYPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(GRID);
            p.setRangeGridlinePaint(GRID);
        } else if (chart.getPlot() instanceof CategoryPlot p) {
            p.setBackgroundPaint(Color.WHITE);
            p.setRangeGridlinePaint(GRID);
        }
        return chart;
    }

    private static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
