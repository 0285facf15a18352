package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;
import java.util.List;

/**
 * AudioLDM2ProjectionModel: projects CLAP [B,1,512] and T5 [B,L,1024] to 768 and wraps each
 * stream in its learned SOS/EOS vectors; returns the GPT-2 input [B,L+5,768] and mask [B,L+5].
 */
public final class ProjectionModel extends Component {
    ProjectionModel(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /** The projected sequence and its mask. */
    public record Projected(HostTensor hiddenStates, HostTensor attentionMask) {}

    public Projected project(HostTensor clapEmbeds, HostTensor t5Hidden, HostTensor t5Mask) {
        List<HostTensor> out = run(clapEmbeds, t5Hidden, t5Mask);
        return new Projected(out.get(0), out.get(1));
    }
}
