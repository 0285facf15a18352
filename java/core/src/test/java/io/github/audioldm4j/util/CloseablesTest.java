package io.github.audioldm4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseablesTest {
    @Test
    void closesEveryResourceAndRethrowsTheFirstFailure() {
        List<String> closed = new ArrayList<>();
        IllegalStateException boom1 = new IllegalStateException("one");
        IllegalArgumentException boom2 = new IllegalArgumentException("two");
        AutoCloseable a = () -> closed.add("a");
        AutoCloseable b = () -> {
            closed.add("b");
            throw boom1;
        };
        AutoCloseable c = () -> {
            closed.add("c");
            throw boom2;
        };
        AutoCloseable d = () -> closed.add("d");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Closeables.closeAll(a, b, null, c, d));
        assertSame(boom1, e);
        assertEquals(1, e.getSuppressed().length);
        assertSame(boom2, e.getSuppressed()[0]);
        assertEquals(List.of("a", "b", "c", "d"), closed);
    }

    @Test
    void checkedExceptionsAreWrapped() {
        AutoCloseable bad = () -> {
            throw new java.io.IOException("disk");
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Closeables.closeAll(bad));
        assertEquals("disk", e.getCause().getMessage());
    }
}
