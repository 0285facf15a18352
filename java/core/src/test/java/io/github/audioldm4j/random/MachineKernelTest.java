package io.github.audioldm4j.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TorchGenerator#machineKernel} and {@link TorchGenerator#matchingTorch}: the pipeline's seed kernel. */
class MachineKernelTest {
    @AfterEach
    void clear() {
        System.clearProperty(TorchGenerator.KERNEL_PROPERTY);
    }

    @Test
    void x86MachinesDrawWithTheAvx2KernelOthersWithTheScalarOne() {
        System.clearProperty(TorchGenerator.KERNEL_PROPERTY);
        String arch = System.getProperty("os.arch");
        TorchGenerator.Kernel expected = arch.equals("amd64") || arch.equals("x86_64") ? TorchGenerator.Kernel.AVX2
                : TorchGenerator.Kernel.DEFAULT;
        assertEquals(expected, TorchGenerator.machineKernel(), "os.arch " + arch);
        assertEquals(expected, TorchGenerator.matchingTorch(42).kernel());
        assertArrayEquals(new TorchGenerator(42, expected).randn(1, 8, 64, 16),
                TorchGenerator.matchingTorch(42).randn(1, 8, 64, 16));
    }

    @Test
    void thePropertySelectsTheKernel() {
        System.setProperty(TorchGenerator.KERNEL_PROPERTY, "default");
        assertEquals(TorchGenerator.Kernel.DEFAULT, TorchGenerator.matchingTorch(1).kernel());
        System.setProperty(TorchGenerator.KERNEL_PROPERTY, " AVX2 ");
        assertEquals(TorchGenerator.Kernel.AVX2, TorchGenerator.matchingTorch(1).kernel());
    }

    @Test
    void aBadPropertyValueIsNamed() {
        System.setProperty(TorchGenerator.KERNEL_PROPERTY, "avx512");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, TorchGenerator::machineKernel);
        assertEquals("audioldm4j.randn.kernel must be default or avx2, got \"avx512\"", e.getMessage());
    }
}
