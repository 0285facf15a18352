package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** CLAP text tower: {@code get_text_features}, L2-normalised, [B,512]. */
public final class ClapTextEncoder extends Component {
    ClapTextEncoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /**
     * @param inputIds int64 [B, clap_max_length], padded with the tokenizer's pad id
     * @param attentionMask int64 [B, clap_max_length]
     * @return float32 [B, 512]
     */
    public HostTensor encode(HostTensor inputIds, HostTensor attentionMask) {
        return run(inputIds, attentionMask).get(0);
    }
}
