package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** Stateless GPT2Model forward: (inputs_embeds [B,N,768], attention_mask [B,N]) -> last_hidden_state [B,N,768]. */
public final class Gpt2Model extends Component {
    Gpt2Model(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    public HostTensor forward(HostTensor inputsEmbeds, HostTensor attentionMask) {
        return run(inputsEmbeds, attentionMask).get(0);
    }
}
