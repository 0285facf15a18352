package io.github.audioldm4j.corpus;

import io.github.audioldm4j.util.Check;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Distribution distances between two sets of embeddings (rows), computed in float64.
 *
 * <ul>
 *   <li>FAD, the Fréchet distance of Gaussians fitted to the sets (Kilgour et al. 2019; fadtk):
 *       {@code |mu_r - mu_c|^2 + tr(S_r) + tr(S_c) - 2 tr((S_r S_c)^(1/2))} with unbiased
 *       covariances ({@code numpy.cov}). The trace of the matrix square root is taken as
 *       {@code sum sqrt(eig(S_r^(1/2) S_c S_r^(1/2)))}, which has the eigenvalues of {@code S_r S_c}
 *       (similar matrices) but is symmetric, so a symmetric eigensolver (EJML) applies.</li>
 *   <li>KAD, the kernel audio distance (Chung et al. 2025, kadtk): the unbiased MMD² with the
 *       Gaussian kernel {@code exp(-|x - y|^2 / (2 h^2))}, the bandwidth {@code h} being the median
 *       pairwise distance within the reference set (numpy's median over the pairs i &lt; j), scaled
 *       by 1000 as kadtk reports it.</li>
 * </ul>
 */
public final class EmbeddingDistances {
    /** kadtk's default scale of the MMD². */
    public static final double KAD_SCALE = 1000.0;

    private EmbeddingDistances() {}

    /** FAD between the reference set and the candidate set (rows are embeddings of one dimension). */
    public static double frechet(double[][] reference, double[][] candidate) {
        int d = check("reference", reference, 2);
        if (check("candidate", candidate, 2) != d) {
            throw new IllegalArgumentException("candidate embeddings must have dimension " + d + ", got "
                    + candidate[0].length);
        }
        double[] mr = mean(reference);
        double[] mc = mean(candidate);
        DMatrixRMaj sr = covariance(reference, mr);
        DMatrixRMaj sc = covariance(candidate, mc);
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            meanTerm += (mr[i] - mc[i]) * (mr[i] - mc[i]);
        }
        DMatrixRMaj root = symmetricSqrt(sr);
        DMatrixRMaj tmp = new DMatrixRMaj(d, d);
        DMatrixRMaj inner = new DMatrixRMaj(d, d);
        CommonOps_DDRM.mult(root, sc, tmp);
        CommonOps_DDRM.mult(tmp, root, inner);
        symmetrize(inner);
        double traceSqrt = 0;
        for (double ev : eigenvalues(inner)) {
            traceSqrt += Math.sqrt(Math.max(0, ev));
        }
        return meanTerm + CommonOps_DDRM.trace(sr) + CommonOps_DDRM.trace(sc) - 2 * traceSqrt;
    }

    /** The Gaussian-kernel bandwidth KAD uses: the median pairwise distance within the reference set. */
    public static double medianPairwiseDistance(double[][] reference) {
        check("reference", reference, 2);
        int m = reference.length;
        double[] d = new double[m * (m - 1) / 2];
        int k = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                d[k++] = Math.sqrt(squaredDistance(reference[i], reference[j]));
            }
        }
        Arrays.sort(d);
        int n = d.length;
        return n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    }

    /** KAD (unbiased MMD² with the median-distance Gaussian kernel), times {@link #KAD_SCALE}. */
    public static double kernel(double[][] reference, double[][] candidate) {
        int dim = check("reference", reference, 2);
        if (check("candidate", candidate, 2) != dim) {
            throw new IllegalArgumentException("candidate embeddings must have dimension " + dim + ", got "
                    + candidate[0].length);
        }
        double h = medianPairwiseDistance(reference);
        double gamma = h > 0 ? 1.0 / (2 * h * h) : Double.POSITIVE_INFINITY;
        int m = reference.length;
        int n = candidate.length;
        double xx = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    xx += Math.exp(-gamma * squaredDistance(reference[i], reference[j]));
                }
            }
        }
        double yy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    yy += Math.exp(-gamma * squaredDistance(candidate[i], candidate[j]));
                }
            }
        }
        double xy = 0;
        for (double[] x : reference) {
            for (double[] y : candidate) {
                xy += Math.exp(-gamma * squaredDistance(x, y));
            }
        }
        double mmd = xx / ((double) m * (m - 1)) + yy / ((double) n * (n - 1)) - 2 * xy / ((double) m * n);
        return KAD_SCALE * mmd;
    }

    private static int check(String name, double[][] rows, int min) {
        Check.notNull(name, rows);
        if (rows.length < min) {
            throw new IllegalArgumentException(name + " must hold at least " + min + " embeddings, got " + rows.length);
        }
        int d = Check.notNull(name + "[0]", rows[0]).length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != d) {
                throw new IllegalArgumentException(name + "[" + i + "] must have dimension " + d + ", got "
                        + (rows[i] == null ? "null" : rows[i].length));
            }
            for (double v : rows[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(name + "[" + i + "] must be finite, got " + v);
                }
            }
        }
        return d;
    }

    private static double[] mean(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int i = 0; i < m.length; i++) {
                m[i] += r[i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= rows.length;
        }
        return m;
    }

    private static DMatrixRMaj covariance(double[][] rows, double[] mean) {
        int d = mean.length;
        DMatrixRMaj c = new DMatrixRMaj(d, d);
        for (double[] r : rows) {
            for (int i = 0; i < d; i++) {
                double a = r[i] - mean[i];
                for (int j = i; j < d; j++) {
                    c.add(i, j, a * (r[j] - mean[j]));
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = c.get(i, j) / (rows.length - 1);
                c.set(i, j, v);
                c.set(j, i, v);
            }
        }
        return c;
    }

    private static void symmetrize(DMatrixRMaj a) {
        for (int i = 0; i < a.numRows; i++) {
            for (int j = i + 1; j < a.numCols; j++) {
                double v = (a.get(i, j) + a.get(j, i)) / 2;
                a.set(i, j, v);
                a.set(j, i, v);
            }
        }
    }

    private static double[] eigenvalues(DMatrixRMaj sym) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(sym.numRows, false, true);
        if (!eig.decompose(sym.copy())) {
            throw new IllegalStateException("eigendecomposition did not converge");
        }
        double[] v = new double[sym.numRows];
        for (int i = 0; i < v.length; i++) {
            v[i] = eig.getEigenvalue(i).getReal();
        }
        return v;
    }

    /** The PSD square root V diag(sqrt(max(0, l))) V^T of a symmetric matrix. */
    private static DMatrixRMaj symmetricSqrt(DMatrixRMaj sym) {
        int d = sym.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(sym.copy())) {
            throw new IllegalStateException("eigendecomposition did not converge");
        }
        DMatrixRMaj out = new DMatrixRMaj(d, d);
        for (int k = 0; k < d; k++) {
            double s = Math.sqrt(Math.max(0, eig.getEigenvalue(k).getReal()));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < d; i++) {
                double vi = v.get(i, 0) * s;
                for (int j = 0; j < d; j++) {
                    out.add(i, j, vi * v.get(j, 0));
                }
            }
        }
        return out;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
