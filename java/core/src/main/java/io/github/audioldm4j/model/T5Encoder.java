package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** T5 (flan-t5-large) encoder at a fixed length: last_hidden_state [B, t5_max_length, 1024]. */
public final class T5Encoder extends Component {
    T5Encoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /**
     * @param inputIds int64 [B, t5_max_length]
     * @param attentionMask int64 [B, t5_max_length]
     * @return float32 [B, t5_max_length, 1024]; rows past each sequence's length are padding
     */
    public HostTensor encode(HostTensor inputIds, HostTensor attentionMask) {
        return run(inputIds, attentionMask).get(0);
    }
}
