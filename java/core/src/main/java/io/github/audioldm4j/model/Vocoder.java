package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** SpeechT5HifiGan: log-mel [B,T,64] -> waveform [B,160*T+32] at 16 kHz. */
public final class Vocoder extends Component {
    Vocoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    public HostTensor vocode(HostTensor mel) {
        return run(mel).get(0);
    }
}
