package io.github.audioldm4j.pipeline;

/** A growable first-in first-out queue of floats (the output side of the long-audio stages). */
final class FloatQueue {
    private float[] data = new float[1 << 14];
    private int start;
    private int end;

    int available() {
        return end - start;
    }

    void put(float[] x, int offset, int n) {
        if (end + n > data.length) {
            int live = end - start;
            if (live + n > data.length) {
                float[] bigger = new float[Math.max(data.length * 2, live + n)];
                System.arraycopy(data, start, bigger, 0, live);
                data = bigger;
            } else {
                System.arraycopy(data, start, data, 0, live);
            }
            start = 0;
            end = live;
        }
        System.arraycopy(x, offset, data, end, n);
        end += n;
    }

    int take(float[] out, int offset, int length) {
        int n = Math.min(length, end - start);
        System.arraycopy(data, start, out, offset, n);
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return n;
    }
}
