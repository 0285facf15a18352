package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** AutoencoderKL post_quant_conv + decoder: z [B,8,T/4,16] -> mel [B,1,T,64]. */
public final class VaeDecoder extends Component {
    VaeDecoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /** @param z latents already divided by the scaling factor */
    public HostTensor decode(HostTensor z) {
        return run(z).get(0);
    }
}
