package io.github.audioldm4j.random;

/**
 * The 32-bit Mersenne Twister exactly as torch's CPU generator runs it.
 *
 * <p>Ported from pytorch {@code aten/src/ATen/core/MT19937RNGEngine.h} ({@code mt19937_engine}):
 * the seed is kept as a uint64 (reported by {@code initial_seed()}), but only its low 32 bits
 * initialise the state ({@code init_with_uint32}); {@code left_} starts at 1 so the first draw
 * runs {@code next_state()}. uint32 values are held in Java {@code int}s (two's complement
 * arithmetic is arithmetic mod 2^32). Not thread-safe.
 */
final class Mt19937 {
    static final int N = 624;
    static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UMASK = 0x80000000;
    private static final int LMASK = 0x7fffffff;

    /** The uint64 seed as given to manual_seed ({@code data_.seed_}). */
    long seed;
    /** Draws left before the next twist ({@code data_.left_}), in [1, 624]. */
    int left;
    /** Index of the next state word to temper ({@code data_.next_}), in [0, 624]. */
    int next;
    /** The 624-word state ({@code data_.state_}), uint32 bit patterns. */
    final int[] state = new int[N];

    Mt19937(long seed) {
        initWithUint32(seed);
    }

    private Mt19937(Mt19937 other) {
        this.seed = other.seed;
        this.left = other.left;
        this.next = other.next;
        System.arraycopy(other.state, 0, this.state, 0, N);
    }

    Mt19937 copy() {
        return new Mt19937(this);
    }

    /** {@code init_with_uint32}: Knuth's multiplier 1812433253 on the low 32 bits of the seed. */
    void initWithUint32(long seed64) {
        seed = seed64;
        state[0] = (int) seed64;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        left = 1;
        next = 0;
    }

    private static int twist(int u, int v) {
        int mixBits = (u & UMASK) | (v & LMASK);
        return (mixBits >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
    }

    /** {@code next_state()}: regenerates all 624 words in place. */
    private void nextState() {
        left = N;
        next = 0;
        int p = 0;
        for (int j = N - M + 1; --j != 0; p++) {
            state[p] = state[p + M] ^ twist(state[p], state[p + 1]);
        }
        for (int j = M; --j != 0; p++) {
            state[p] = state[p + M - N] ^ twist(state[p], state[p + 1]);
        }
        state[p] = state[p + M - N] ^ twist(state[p], state[0]);
    }

    /** {@code operator()}: the next tempered uint32 (as an int bit pattern). */
    int nextInt() {
        if (--left == 0) {
            nextState();
        }
        int y = state[next++];
        y ^= (y >>> 11);
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= (y >>> 18);
        return y;
    }
}
