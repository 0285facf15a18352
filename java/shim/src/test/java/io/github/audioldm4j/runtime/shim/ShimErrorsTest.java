package io.github.audioldm4j.runtime.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Message formatting of native failures; pure Java. */
class ShimErrorsTest {
    private static final String TORCHSCRIPT = "The following operation failed in the TorchScript interpreter.\n"
            + "Traceback of TorchScript, serialized code (most recent call last):\n"
            + "  File \"code/__torch__.py\", line 12, in forward\n"
            + "    x = torch.conv2d(mel, w)\n"
            + "        ~~~~~~~~~~~~ <--- HERE\n"
            + "RuntimeError: fake inner line that is not the last\n"
            + "\n"
            + "Traceback of TorchScript, original code (most recent call last):\n"
            + "  File \"make_tiny_bundle.py\", line 241, in forward\n"
            + "RuntimeError: Given groups=1, weight of size [16, 1, 3, 3], expected input[1, 2, 3, 5] to have 1 "
            + "channels, but got 2 channels instead\n";

    @Test
    void torchScriptTracebacksAreReducedToTheErrorLine() {
        assertEquals("RuntimeError: Given groups=1, weight of size [16, 1, 3, 3], expected input[1, 2, 3, 5] to have 1 "
                + "channels, but got 2 channels instead", ShimErrors.summary(TORCHSCRIPT));
        assertEquals(TORCHSCRIPT.strip(), ShimErrors.traceback(TORCHSCRIPT).getMessage());
    }

    @Test
    void otherMessagesKeepTheirTextOnOneLine() {
        assertEquals("cannot open module file 'x.pt': not found", ShimErrors.summary("cannot open module file 'x.pt': not found"));
        assertEquals("first second", ShimErrors.summary("first\n\n  second\n"));
        assertEquals("(no message)", ShimErrors.summary(""));
        assertEquals("(no message)", ShimErrors.summary(null));
        assertNull(ShimErrors.traceback("one line"), "no cause when the summary is the whole message");
    }

    @Test
    void describeNamesFunctionStatusAndName() {
        assertEquals("aldm2_module_forward failed (status 5 FORWARD_FAILED): boom",
                ShimErrors.describe("aldm2_module_forward", 5, "FORWARD_FAILED", "boom"));
    }
}
