package io.github.audioldm4j.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Adaptive 21-point Gauss-Kronrod quadrature as scipy's {@code integrate.quad} runs it (QUADPACK
 * {@code dqagse} with {@code dqk21}, Piessens et al. 1983; scipy
 * {@code scipy/integrate/quadpack/dqk21.f}, constants by L. W. Fullerton). The 21-point rule is
 * reproduced operation for operation, so when QUADPACK accepts the first estimate (always the case
 * for the LMS integrands, which are polynomials of degree &lt;= 3) the result is scipy's to the
 * last bit. Otherwise the interval with the largest error estimate is bisected until the summed
 * error meets the tolerance; QUADPACK's Wynn-epsilon extrapolation is not implemented, so on such
 * integrands the result agrees with scipy only to the tolerance. Package-private.
 */
final class LmsQuadrature {
    private LmsQuadrature() {}

    private static final double EPMACH = Math.ulp(1.0); // d1mach(4)
    private static final double UFLOW = Double.MIN_NORMAL; // d1mach(1)
    /** scipy.integrate.quad default epsabs. */
    static final double DEFAULT_EPSABS = 1.49e-8;
    private static final int LIMIT = 50;

    private static final double[] WG = {
        0.066671344308688137593568809893332,
        0.149451349150580593145776339657697,
        0.219086362515982043995534934228163,
        0.269266719309996355091226921569469,
        0.295524224714752870173892994651338,
    };
    private static final double[] XGK = {
        0.995657163025808080735527280689003,
        0.973906528517171720077964012084452,
        0.930157491355708226001207180059508,
        0.865063366688984510732096688423493,
        0.780817726586416897063717578345042,
        0.679409568299024406234327365114874,
        0.562757134668604683339000099272694,
        0.433395394129247190799265943165784,
        0.294392862701460198131126603103866,
        0.148874338981631210884826001129720,
        0.000000000000000000000000000000000,
    };
    private static final double[] WGK = {
        0.011694638867371874278064396062192,
        0.032558162307964727478818972459390,
        0.054755896574351996031381300244580,
        0.075039674810919952767043140916190,
        0.093125454583697605535065465083366,
        0.109387158802297641899210590325805,
        0.123491976262065851077958109831074,
        0.134709217311473325928054001771707,
        0.142775938577060080797094273138717,
        0.147739104901338491374841515972068,
        0.149445554002916905664936468389821,
    };

    /** Result of one 21-point rule: integral, error estimate, integral of |f|, integral of |f - mean|. */
    private record Qk21(double result, double abserr, double resabs, double resasc, double a, double b) {}

    /** {@code dqk21}: Kronrod 21 / Gauss 10 on [a, b] with QUADPACK's error estimate. */
    private static Qk21 qk21(DoubleUnaryOperator f, double a, double b) {
        double[] fv1 = new double[10];
        double[] fv2 = new double[10];
        double centr = 0.5 * (a + b);
        double hlgth = 0.5 * (b - a);
        double dhlgth = Math.abs(hlgth);
        double resg = 0.0;
        double fc = f.applyAsDouble(centr);
        double resk = WGK[10] * fc;
        double resabs = Math.abs(resk);
        for (int j = 1; j <= 5; j++) {
            int jtw = 2 * j;
            double absc = hlgth * XGK[jtw - 1];
            double fval1 = f.applyAsDouble(centr - absc);
            double fval2 = f.applyAsDouble(centr + absc);
            fv1[jtw - 1] = fval1;
            fv2[jtw - 1] = fval2;
            double fsum = fval1 + fval2;
            resg = resg + WG[j - 1] * fsum;
            resk = resk + WGK[jtw - 1] * fsum;
            resabs = resabs + WGK[jtw - 1] * (Math.abs(fval1) + Math.abs(fval2));
        }
        for (int j = 1; j <= 5; j++) {
            int jtwm1 = 2 * j - 1;
            double absc = hlgth * XGK[jtwm1 - 1];
            double fval1 = f.applyAsDouble(centr - absc);
            double fval2 = f.applyAsDouble(centr + absc);
            fv1[jtwm1 - 1] = fval1;
            fv2[jtwm1 - 1] = fval2;
            double fsum = fval1 + fval2;
            resk = resk + WGK[jtwm1 - 1] * fsum;
            resabs = resabs + WGK[jtwm1 - 1] * (Math.abs(fval1) + Math.abs(fval2));
        }
        double reskh = resk * 0.5;
        double resasc = WGK[10] * Math.abs(fc - reskh);
        for (int j = 0; j < 10; j++) {
            resasc = resasc + WGK[j] * (Math.abs(fv1[j] - reskh) + Math.abs(fv2[j] - reskh));
        }
        double result = resk * hlgth;
        resabs = resabs * dhlgth;
        resasc = resasc * dhlgth;
        double abserr = Math.abs((resk - resg) * hlgth);
        if (resasc != 0.0 && abserr != 0.0) {
            abserr = resasc * Math.min(1.0, Math.pow(200.0 * abserr / resasc, 1.5));
        }
        if (resabs > UFLOW / (50.0 * EPMACH)) {
            abserr = Math.max((EPMACH * 50.0) * resabs, abserr);
        }
        return new Qk21(result, abserr, resabs, resasc, a, b);
    }

    /**
     * {@code scipy.integrate.quad(f, a, b, epsabs, epsrel)[0]}.
     *
     * @throws IllegalStateException if the tolerance is not met within QUADPACK's 50 subintervals
     */
    static double quad(DoubleUnaryOperator f, double a, double b, double epsabs, double epsrel) {
        Qk21 first = qk21(f, a, b);
        double result = first.result();
        double abserr = first.abserr();
        double errbnd = Math.max(epsabs, epsrel * Math.abs(result));
        // dqagse: test on accuracy of the first approximation (dqk21 is called there with
        // (result, abserr, defabs, resabs) = our (result, abserr, resabs, resasc))
        if ((abserr <= errbnd && abserr != first.resasc()) || abserr == 0.0) {
            return result;
        }
        if (abserr <= 100.0 * EPMACH * first.resabs() && abserr > errbnd) {
            return result; // ier = 2: roundoff detected, QUADPACK returns this estimate
        }
        List<Qk21> parts = new ArrayList<>();
        parts.add(first);
        while (parts.size() < LIMIT) {
            int worst = 0;
            for (int i = 1; i < parts.size(); i++) {
                if (parts.get(i).abserr() > parts.get(worst).abserr()) {
                    worst = i;
                }
            }
            Qk21 w = parts.remove(worst);
            double mid = 0.5 * (w.a() + w.b());
            parts.add(qk21(f, w.a(), mid));
            parts.add(qk21(f, mid, w.b()));
            double area = 0;
            double err = 0;
            for (Qk21 p : parts) {
                area += p.result();
                err += p.abserr();
            }
            if (err <= Math.max(epsabs, epsrel * Math.abs(area))) {
                return area;
            }
        }
        throw new IllegalStateException("quadrature did not reach the tolerance in " + LIMIT + " subintervals on ["
                + a + ", " + b + "]");
    }
}
