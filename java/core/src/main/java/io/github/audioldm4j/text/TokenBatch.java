package io.github.audioldm4j.text;

import io.github.audioldm4j.runtime.HostTensor;

/**
 * Token ids and attention mask of a batch, row-major [batch, length].
 */
public record TokenBatch(long[] ids, long[] mask, int batch, int length) {
    public HostTensor idsTensor() {
        return HostTensor.ofLongs(ids, batch, length);
    }

    public HostTensor maskTensor() {
        return HostTensor.ofLongs(mask, batch, length);
    }

    /** Re-pads (or cuts) every row to {@code newLength}, filling ids with {@code padId} and mask with 0. */
    public TokenBatch withLength(int newLength, long padId) {
        long[] i2 = new long[batch * newLength];
        long[] m2 = new long[batch * newLength];
        java.util.Arrays.fill(i2, padId);
        int n = Math.min(length, newLength);
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, b * length, i2, b * newLength, n);
            System.arraycopy(mask, b * length, m2, b * newLength, n);
        }
        return new TokenBatch(i2, m2, batch, newLength);
    }
}
