package io.github.audioldm4j.model;

import io.github.audioldm4j.bundle.ComponentSpec;
import io.github.audioldm4j.runtime.HostTensor;
import io.github.audioldm4j.runtime.LoadedModule;

/**
 * AudioLDM2UNet2DConditionModel: predicts the noise for latents [B,8,H,16] at a timestep,
 * cross-attending to the GPT-2 stream [B,8,768] and the masked T5 stream [B,L,1024].
 */
public final class UNet extends Component {
    UNet(LoadedModule module, ComponentSpec spec) {
        super(module, spec);
    }

    /**
     * @param sample float32 [B,8,H,16]
     * @param timestep float32 [B]
     * @param encoderHiddenStates float32 [B,8,768] (GPT-2 stream)
     * @param encoderHiddenStates1 float32 [B,L,1024] (T5 stream)
     * @param encoderAttentionMask1 int64 [B,L]
     * @return noise prediction float32 [B,8,H,16]
     */
    public HostTensor predict(HostTensor sample, HostTensor timestep, HostTensor encoderHiddenStates,
            HostTensor encoderHiddenStates1, HostTensor encoderAttentionMask1) {
        return run(sample, timestep, encoderHiddenStates, encoderHiddenStates1, encoderAttentionMask1).get(0);
    }
}
