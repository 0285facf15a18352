package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/** AutoencoderKL encoder + quant_conv: mel [B,1,T,64] -> moments [B,16,T/4,16] (mean ++ logvar). */
public final class VaeEncoder extends Component {
    VaeEncoder(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /** Raw moments; see {@link LatentDistribution#fromMoments}. */
    public HostTensor moments(HostTensor mel) {
        return run(mel).get(0);
    }

    /** Encodes to the diagonal Gaussian posterior. */
    public LatentDistribution encode(HostTensor mel) {
        return LatentDistribution.fromMoments(moments(mel));
    }
}
