package io.github.audioldm4j.runtime.shim;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ThreadSettingTest} for the shim runtime (its own JVMs; run by the shim-native profile). */
class ThreadSettingNativeTest {
    @Test
    void theShimRuntimeAppliesTheThreadSettingToOpenBlasAndEveryThread() throws Exception {
        ShimTesting.assumeShimUsable();
        ThreadSettingTest.check("shim", List.of("-D" + ShimLibrary.PATH_PROPERTY + "=" + ShimLibrary.load()));
    }
}
