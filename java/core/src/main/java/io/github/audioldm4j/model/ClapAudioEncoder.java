package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** CLAP audio tower: {@code get_audio_features}, L2-normalised, [B,512]; used to re-rank candidates. */
public final class ClapAudioEncoder extends Component {
    ClapAudioEncoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /**
     * @param inputFeatures float32 [B,1,1001,64] from the CLAP feature extractor
     * @param isLonger bool [B,1]
     * @return float32 [B,512]
     */
    public HostTensor encode(HostTensor inputFeatures, HostTensor isLonger) {
        return run(inputFeatures, isLonger).get(0);
    }
}
