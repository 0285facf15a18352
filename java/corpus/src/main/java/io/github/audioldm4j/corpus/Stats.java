package io.github.audioldm4j.corpus;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Summary statistics of a metric over clips: mean with a bootstrap CI, median, p5, p95. */
public final class Stats {
    /** Bootstrap resamples of the confidence intervals. */
    public static final int BOOTSTRAP = 2000;

    private Stats() {}

    /**
     * @param n number of values
     * @param mean their mean
     * @param ciLow lower end of the 95% percentile-bootstrap interval of the mean
     * @param ciHigh upper end
     * @param median the median
     * @param p5 5th percentile (numpy's linear interpolation)
     * @param p95 95th percentile
     */
    public record Summary(int n, double mean, double ciLow, double ciHigh, double median, double p5, double p95) {}

    /** The summary of finite values (non-finite ones, e.g. SI-SDR +inf of an identical output, are left out). */
    public static Summary summarize(double[] values, long seed) {
        Check.notNull("values", values);
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double[] ci = bootstrapMeanCi(v, seed);
        return new Summary(v.length, mean, ci[0], ci[1], quantile(v, 0.5), quantile(v, 0.05), quantile(v, 0.95));
    }

    /** numpy.quantile with linear interpolation on sorted values. */
    public static double quantile(double[] sorted, double q) {
        if (sorted == null || sorted.length == 0) {
            throw new IllegalArgumentException("sorted must not be empty");
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The 2.5 and 97.5 percentiles of the means of {@link #BOOTSTRAP} resamples (seeded). */
    public static double[] bootstrapMeanCi(double[] values, long seed) {
        if (values.length == 1) {
            return new double[] {values[0], values[0]};
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] means = new double[BOOTSTRAP];
        for (int b = 0; b < BOOTSTRAP; b++) {
            double s = 0;
            for (int i = 0; i < values.length; i++) {
                s += values[rnd.nextInt(values.length)];
            }
            means[b] = s / values.length;
        }
        Arrays.sort(means);
        return new double[] {quantile(means, 0.025), quantile(means, 0.975)};
    }
}
