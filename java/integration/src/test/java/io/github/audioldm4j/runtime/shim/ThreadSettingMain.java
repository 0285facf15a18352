package io.github.audioldm4j.runtime.shim;

import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import io.github.audioldm4j.runtime.ModelRuntime;
import io.github.audioldm4j.runtime.ModelRuntimes;
import io.github.audioldm4j.runtime.ModuleOptions;
import io.github.audioldm4j.testing.TinyBundle;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Child process of {@link ThreadSettingTest}: runs the tiny bundle's vocoder on a 1024-frame mel
 * in the loading thread and in a second thread, prints the SHA-256 of each output's float bits.
 */
final class ThreadSettingMain {
    private ThreadSettingMain() {}

    public static void main(String[] args) throws Exception {
        float[] mel = new float[1024 * 64];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < mel.length; i++) {
            mel[i] = (float) (r.nextDouble() * 4 - 7);
        }
        HostTensor in = HostTensor.ofFloats(mel, 1, 1024, 64);
        try (ModelRuntime rt = ModelRuntimes.createDefault();
                LoadedModule m = rt.load(TinyBundle.file("vocoder.pt"), ModuleOptions.CPU_FP32)) {
            String main = sha(m.forward(List.of(in)).get(0).floats());
            String[] other = new String[1];
            Thread t = new Thread(() -> other[0] = sha(m.forward(List.of(in)).get(0).floats()));
            t.start();
            t.join();
            System.out.println("THREADS " + rt.name() + " main=" + main + " other=" + other[0]);
        }
    }

    static String sha(float[] x) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (float v : x) {
                int b = Float.floatToIntBits(v);
                d.update(new byte[] {(byte) b, (byte) (b >> 8), (byte) (b >> 16), (byte) (b >> 24)});
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
