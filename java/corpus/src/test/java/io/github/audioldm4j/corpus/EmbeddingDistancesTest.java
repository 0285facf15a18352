package io.github.audioldm4j.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** FAD and KAD against fadtk/kadtk-style numpy + scipy references ({@code make_distance_reference.py}). */
class EmbeddingDistancesTest {

    static double[][] matrix(JsonNode a) {
        double[][] m = new double[a.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new double[a.get(i).size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = a.get(i).get(j).asDouble();
            }
        }
        return m;
    }

    @Test
    void matchThePythonReferenceTo1e6() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/corpus/distances.json")) {
            root = new ObjectMapper().readTree(in);
        }
        assertTrue(root.get("cases").size() >= 3);
        for (JsonNode c : root.get("cases")) {
            double[][] r = matrix(c.get("reference"));
            double[][] x = matrix(c.get("candidate"));
            double fad = EmbeddingDistances.frechet(r, x);
            double kad = EmbeddingDistances.kernel(r, x);
            double h = EmbeddingDistances.medianPairwiseDistance(r);
            String name = c.get("name").asText();
            System.out.printf("[corpus] %s: FAD %.9g (ref %.9g), KAD %.9g (ref %.9g)%n", name, fad,
                    c.get("fad").asDouble(), kad, c.get("kad").asDouble());
            assertEquals(c.get("fad").asDouble(), fad, 1e-6 * Math.max(1e-6, Math.abs(c.get("fad").asDouble())), name);
            assertEquals(c.get("kad").asDouble(), kad, 1e-6 * Math.max(1e-3, Math.abs(c.get("kad").asDouble())), name);
            assertEquals(c.get("bandwidth").asDouble(), h, 1e-12 * c.get("bandwidth").asDouble(), name);
        }
    }

    @Test
    void identicalSetsAreAtDistanceZeroAndBadInputIsNamed() {
        double[][] a = {{0, 1}, {1, 0}, {2, 2}, {3, 1}};
        assertEquals(0.0, EmbeddingDistances.frechet(a, a), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingDistances.frechet(new double[][] {{1, 2}}, a));
        assertEquals("reference must hold at least 2 embeddings, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EmbeddingDistances.kernel(a, new double[][] {{1}, {2}}));
        assertEquals("candidate embeddings must have dimension 2, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingDistances.frechet(a, new double[][] {{1, Double.NaN}, {0, 0}}));
        assertEquals("candidate[0] must be finite, got NaN", e.getMessage());
    }

    @Test
    void closedFormsOfScaledAndShiftedSets() {
        // candidate = s * reference + shift: S_c = s^2 S_r exactly, so
        // FAD = |m_r - (s m_r + shift)|^2 + (1 - s)^2 tr(S_r)
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
        int m = 30;
        int d = 6;
        double[][] r = new double[m][d];
        for (double[] row : r) {
            for (int j = 0; j < d; j++) {
                row[j] = rnd.nextGaussian();
            }
        }
        double s = 0.7;
        double[] shift = {0.5, -0.2, 0, 1, 0.1, -0.3};
        double[][] c = new double[m][d];
        double[] mean = new double[d];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = s * r[i][j] + shift[j];
                mean[j] += r[i][j] / m;
            }
        }
        double trace = 0;
        for (int j = 0; j < d; j++) {
            double v = 0;
            for (int i = 0; i < m; i++) {
                v += (r[i][j] - mean[j]) * (r[i][j] - mean[j]);
            }
            trace += v / (m - 1);
        }
        double meanTerm = 0;
        for (int j = 0; j < d; j++) {
            double diff = mean[j] - (s * mean[j] + shift[j]);
            meanTerm += diff * diff;
        }
        double expected = meanTerm + (1 - s) * (1 - s) * trace;
        assertEquals(expected, EmbeddingDistances.frechet(r, c), 1e-9 * expected);
        // KAD of a set against itself: 2 A / (m (m - 1)) - 2 (A + m) / m^2, A = sum over i != j of k(x_i, x_j)
        double h = EmbeddingDistances.medianPairwiseDistance(r);
        double a = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    a += Math.exp(-EmbeddingDistances.squaredDistance(r[i], r[j]) / (2 * h * h));
                }
            }
        }
        double kad = EmbeddingDistances.KAD_SCALE * (2 * a / ((double) m * (m - 1)) - 2 * (a + m) / ((double) m * m));
        assertEquals(kad, EmbeddingDistances.kernel(r, r), 1e-9 * Math.abs(kad));
    }

    @Test
    void statsFollowNumpy() {
        double[] v = {1, 2, 3, 4, 10};
        assertEquals(3.0, Stats.quantile(v, 0.5));
        assertEquals(1.2, Stats.quantile(v, 0.05), 1e-12);
        assertEquals(8.8, Stats.quantile(v, 0.95), 1e-12);
        Stats.Summary s = Stats.summarize(new double[] {1, 2, 3, 4, 10, Double.POSITIVE_INFINITY}, 7);
        assertEquals(5, s.n(), "non-finite values are left out");
        assertEquals(4.0, s.mean(), 1e-12);
        assertTrue(s.ciLow() < 4 && s.ciHigh() > 4, s.toString());
        assertEquals(s, Stats.summarize(new double[] {1, 2, 3, 4, 10}, 7), "seeded bootstrap");
    }
}
