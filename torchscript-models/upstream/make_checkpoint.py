#!/usr/bin/env python3
"""Random-init AudioLDM2 checkpoints built with the real upstream classes, for parity checks.

Real weights cannot exist on these machines, but weights do not change code paths: an
``AudioLDM2Pipeline`` of the real diffusers/transformers classes (ClapModel, T5EncoderModel,
GPT2Model, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel, AutoencoderKL,
SpeechT5HifiGan, DDIMScheduler) with random weights is an exact oracle for the exporter and the
Java pipeline. This script writes one with ``save_pretrained`` (diffusers folder layout, loadable
with ``AudioLDM2Pipeline.from_pretrained`` and exportable with ``export_audioldm2.py``).

Configs (``--config``):

* ``small``: internal widths of diffusers' own AudioLDM2 fast tests (tests/pipelines/audioldm2,
  get_dummy_components: one layer, 8-37 wide), but the I/O contract of the real checkpoints,
  which the exporter and the Java pipeline rely on: CLAP projection 512, T5 width 1024, GPT-2
  width 768, 8 latent channels, VAE factor 4, 64 mel bins, HiFi-GAN hop 160 with the real
  upsampling rates (the ``160*T+32`` length quirk), CLAP audio on 1001x64 log-mels. Unlike the fast
  tests, every UNet cross-attention block has both streams (``[None, 768, 1024]``: self-attention,
  GPT-2, T5), as the real checkpoints do.
* ``base``: cvssp/audioldm2 (hub configs in ../shared/design/AUDIOLDM2_FACTS.md section 3.1).
* ``large``: cvssp/audioldm2-large: as base with ``transformer_layers_per_block 2`` (converter
  docstring; the cross_attention_dim of the real hub file is UNVERIFIED, see FACTS 3.1).
* ``music``: cvssp/audioldm2-music: the base shapes (FACTS 3.1; UNet values UNVERIFIED).

Tokenizers are real ``tokenizers`` objects trained offline on a built-in caption corpus (a
byte-level BPE in RoBERTa's layout for CLAP, a Unigram model in T5's layout for T5), so every
code path (fast tokenizers, tokenizer.json for the Java side) is the real one; only the
vocabularies are small. Everything is deterministic for ``--seed``.

Usage::

    python make_checkpoint.py --config small --out /tmp/ckpt-small [--seed 0]
"""

import argparse
import json
import os
import sys

import torch

CONFIGS = ("small", "base", "large", "music")

# a caption corpus for the tokenizers (AudioCaps-like sentences written for this script)
_SUBJECTS = ["a dog", "a cat", "a man", "a woman", "a child", "rain", "wind", "a car", "a train", "an engine",
             "a bird", "birds", "a crowd", "a piano", "a guitar", "drums", "a violin", "water", "thunder", "a bell",
             "a hammer", "a door", "footsteps", "a siren", "an orchestra", "a choir", "a clock", "a helicopter"]
_VERBS = ["barking", "meowing", "speaking", "singing", "laughing", "falling", "blowing", "passing by", "honking",
          "running", "chirping", "cheering", "playing", "ringing", "hitting a wooden surface", "closing",
          "walking on gravel", "wailing", "ticking", "humming", "splashing", "rumbling", "whistling"]
_PLACES = ["in the distance", "nearby", "in a large room", "outdoors", "on a busy street", "in a forest",
           "at night", "with an echo", "over a steady hum", "while people talk", "in the rain", "softly", "loudly"]


def caption_corpus():
    lines = []
    for i, s in enumerate(_SUBJECTS):
        for j, v in enumerate(_VERBS):
            p = _PLACES[(i * 7 + j * 3) % len(_PLACES)]
            lines.append("%s %s %s" % (s, v, p))
            lines.append("%s %s" % (s.capitalize(), v))
    lines += ["The quick brown fox jumps over the lazy dog.", "Techno music with a strong, upbeat tempo and high "
              "melodic riffs.", "A hammer is hitting a wooden surface.", "Low quality, average quality, noise."]
    return lines


def clap_tokenizer(vocab_size, max_length):
    """RoBERTa-layout byte-level BPE (<s>=0, <pad>=1, </s>=2, <unk>=3, <mask>=4), trained here."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import RobertaTokenizerFast
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=1, show_progress=False,
                                  special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(caption_corpus(), trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")),
                                                      trim_offsets=True, add_prefix_space=False)
    fast = RobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                model_max_length=max_length)
    assert fast.pad_token_id == 1 and fast.bos_token_id == 0 and fast.eos_token_id == 2, "RoBERTa special ids"
    return fast


def t5_tokenizer(vocab_size, max_length):
    """T5-layout Unigram (<pad>=0, </s>=1, <unk>=2, Metaspace, '</s>' appended), trained here."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import T5TokenizerFast
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.Replace("  ", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"],
                                      unk_token="<unk>", show_progress=False)
    tok.train_from_iterator(caption_corpus(), trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                       special_tokens=[("</s>", tok.token_to_id("</s>"))])
    fast = T5TokenizerFast(tokenizer_object=tok, eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                           extra_ids=0, model_max_length=max_length)
    assert fast.pad_token_id == 0 and fast.eos_token_id == 1, "T5 special ids"
    return fast


def component_configs(name):
    """The constructor arguments of every component for a named config."""
    if name == "small":
        return dict(
            clap_text=dict(vocab_size=1000, hidden_size=32, intermediate_size=37, num_hidden_layers=1,
                           num_attention_heads=2, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, projection_dim=512),
            clap_audio=dict(spec_size=256, window_size=8, num_mel_bins=64, patch_size=4, patch_stride=[4, 4],
                            patch_embeds_hidden_size=16, depths=[1, 1], num_attention_heads=[2, 2],
                            hidden_size=32, intermediate_size=37, num_hidden_layers=2, projection_dim=512,
                            enable_fusion=False, layer_norm_eps=1e-5),
            clap_vocab=1000, clap_max_length=512,
            t5=dict(vocab_size=1000, d_model=1024, d_ff=37, d_kv=8, num_heads=2, num_layers=1,
                    feed_forward_proj="gated-gelu", decoder_start_token_id=0, pad_token_id=0, eos_token_id=1),
            t5_vocab=600, t5_max_length=128,
            gpt2=dict(n_embd=768, n_layer=1, n_head=2, vocab_size=1000, n_positions=1024, n_ctx=1024, bos_token_id=999, eos_token_id=999,
                      activation_function="gelu_new", layer_norm_epsilon=1e-5),
            unet=dict(sample_size=256, in_channels=8, out_channels=8, block_out_channels=(16, 32), layers_per_block=1,
                      norm_num_groups=8, attention_head_dim=8, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                      up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                      cross_attention_dim=([None, 768, 1024], [None, 768, 1024]), transformer_layers_per_block=1),
            vae=dict(in_channels=1, out_channels=1, latent_channels=8, block_out_channels=[8, 16, 16],
                     down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3,
                     layers_per_block=1, norm_num_groups=8, sample_size=1024, scaling_factor=0.4110932946205139,
                     force_upcast=True),
            vocoder=dict(model_in_dim=64, sampling_rate=16000, upsample_initial_channel=32,
                         upsample_rates=[5, 4, 2, 2, 2], upsample_kernel_sizes=[16, 16, 8, 4, 4],
                         resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]], leaky_relu_slope=0.1,
                         normalize_before=False),
        )
    if name in ("base", "large", "music"):
        c = dict(
            # laion CLAP (RoBERTa-base text tower + HTSAT audio tower), hub config of cvssp/audioldm2 text_encoder
            clap_text=dict(vocab_size=50265, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                           num_attention_heads=12, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, projection_dim=512),
            clap_audio=dict(spec_size=256, window_size=8, num_mel_bins=64, patch_size=4, patch_stride=[4, 4],
                            patch_embeds_hidden_size=128, depths=[2, 2, 12, 2], num_attention_heads=[4, 8, 16, 32],
                            hidden_size=1024, num_hidden_layers=4, projection_dim=512, enable_fusion=False,
                            layer_norm_eps=1e-5),
            clap_vocab=4000, clap_max_length=512,
            # flan-t5-large encoder
            t5=dict(vocab_size=32128, d_model=1024, d_ff=2816, d_kv=64, num_heads=16, num_layers=24,
                    feed_forward_proj="gated-gelu", decoder_start_token_id=0, pad_token_id=0, eos_token_id=1),
            t5_vocab=2000, t5_max_length=128,
            # GPT-2 base
            gpt2=dict(n_embd=768, n_layer=12, n_head=12, vocab_size=50257, n_positions=1024, n_ctx=1024,
                      activation_function="gelu_new", layer_norm_epsilon=1e-5),
            unet=dict(sample_size=256, in_channels=8, out_channels=8, block_out_channels=(128, 256, 384, 640),
                      layers_per_block=2, norm_num_groups=32, attention_head_dim=8,
                      down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                        "CrossAttnDownBlock2D"),
                      up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                      cross_attention_dim=([None, 768, 1024],) * 4, transformer_layers_per_block=1),
            vae=dict(in_channels=1, out_channels=1, latent_channels=8, block_out_channels=[128, 256, 512],
                     down_block_types=["DownEncoderBlock2D"] * 3, up_block_types=["UpDecoderBlock2D"] * 3,
                     layers_per_block=2, norm_num_groups=32, sample_size=1024, scaling_factor=0.4110932946205139,
                     force_upcast=True),
            vocoder=dict(model_in_dim=64, sampling_rate=16000, upsample_initial_channel=1024,
                         upsample_rates=[5, 4, 2, 2, 2], upsample_kernel_sizes=[16, 16, 8, 4, 4],
                         resblock_kernel_sizes=[3, 7, 11], resblock_dilation_sizes=[[1, 3, 5]] * 3,
                         leaky_relu_slope=0.1, normalize_before=False),
        )
        if name == "large":
            c["unet"] = dict(c["unet"], transformer_layers_per_block=2)
        return c
    raise ValueError("config must be one of %s, got %r" % (", ".join(CONFIGS), name))


def default_language_model_class():
    """The class the installed diffusers' AudioLDM2Pipeline declares for language_model: GPT2Model up to
    0.39 (the class in cvssp/audioldm2's model_index.json), GPT2LMHeadModel from 0.40 (its generation
    loop calls GenerationMixin methods; the exporter takes the base model out of either)."""
    import diffusers
    major, minor = (int(x) for x in diffusers.__version__.split(".")[:2])
    return "GPT2LMHeadModel" if (major, minor) >= (0, 40) else "GPT2Model"


def audible_vocoder_init(vocoder, gain=1.5):
    """Re-initialises the vocoder's convolutions so that random weights give audio-level output.

    transformers' SpeechT5HifiGan._init_weights draws every convolution from N(0, 0.01): through the ~20
    convolutions of HiFi-GAN the output of a real log-mel is ~1e-10, the same near-silence for every input, so
    CLAP scores of all candidates tie and waveform comparisons only see a positively homogeneous map. PyTorch's
    default convolution init times `gain` with zero biases gives, for a speech-like log-mel, a peak of ~0.3-0.5
    and a standard deviation of ~0.07-0.1 at the small and base sizes (measured). Deterministic under the caller's
    torch.manual_seed."""
    for m in vocoder.modules():
        if isinstance(m, (torch.nn.Conv1d, torch.nn.ConvTranspose1d)):
            m.reset_parameters()
            with torch.no_grad():
                m.weight.mul_(gain)
                if m.bias is not None:
                    m.bias.zero_()


def build(name, seed, language_model_class=None):
    """An AudioLDM2Pipeline of the real classes with random weights (deterministic for seed)."""
    from diffusers import AudioLDM2Pipeline, AudioLDM2ProjectionModel, AudioLDM2UNet2DConditionModel, AutoencoderKL, \
        DDIMScheduler
    from transformers import ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapTextConfig, \
        GPT2Config, GPT2LMHeadModel, GPT2Model, SpeechT5HifiGan, SpeechT5HifiGanConfig, T5Config, T5EncoderModel
    c = component_configs(name)

    def seeded(k):
        torch.manual_seed(seed * 1000 + k)

    text = dict(c["clap_text"])
    audio = dict(c["clap_audio"])
    projection_dim = text.pop("projection_dim")
    audio.pop("projection_dim")
    seeded(1)
    clap = ClapModel(ClapConfig(text_config=ClapTextConfig(**text).to_dict(),
                                audio_config=ClapAudioConfig(**audio).to_dict(), projection_dim=projection_dim))
    seeded(2)
    t5 = T5EncoderModel(T5Config(**c["t5"]))
    seeded(3)
    gpt2_config = GPT2Config(**c["gpt2"])
    lm_class = language_model_class or default_language_model_class()
    gpt2 = {"GPT2Model": GPT2Model, "GPT2LMHeadModel": GPT2LMHeadModel}[lm_class](gpt2_config)
    gpt2.config.max_new_tokens = 8
    seeded(4)
    projection = AudioLDM2ProjectionModel(text_encoder_dim=512, text_encoder_1_dim=1024, langauge_model_dim=768)
    seeded(5)
    unet = AudioLDM2UNet2DConditionModel(**c["unet"])
    seeded(6)
    vae = AutoencoderKL(**c["vae"])
    seeded(7)
    vocoder = SpeechT5HifiGan(SpeechT5HifiGanConfig(**c["vocoder"]))
    audible_vocoder_init(vocoder)
    # cvssp/audioldm2 scheduler_config.json (FACTS 3.1)
    scheduler = DDIMScheduler(beta_start=0.0015, beta_end=0.0195, beta_schedule="scaled_linear",
                              num_train_timesteps=1000, prediction_type="epsilon", steps_offset=1,
                              set_alpha_to_one=False, clip_sample=False, timestep_spacing="leading")
    # cvssp/audioldm2 feature_extractor/preprocessor_config.json (FACTS: frequency_min 50, frequency_max 14000)
    feature_extractor = ClapFeatureExtractor(feature_size=64, sampling_rate=48000, hop_length=480, max_length_s=10,
                                             fft_window_size=1024, truncation="rand_trunc", padding="repeatpad",
                                             frequency_min=50, frequency_max=14000)
    pipe = AudioLDM2Pipeline(vae=vae, text_encoder=clap, text_encoder_2=t5, projection_model=projection,
                             language_model=gpt2, tokenizer=clap_tokenizer(c["clap_vocab"], c["clap_max_length"]),
                             tokenizer_2=t5_tokenizer(c["t5_vocab"], c["t5_max_length"]),
                             feature_extractor=feature_extractor, unet=unet, scheduler=scheduler, vocoder=vocoder)
    for m in (clap, t5, gpt2, projection, unet, vae, vocoder):
        m.eval()
    return pipe


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", choices=CONFIGS, default="small")
    p.add_argument("--out", required=True, help="checkpoint folder to write (must not exist, or --overwrite)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--language-model-class", choices=("GPT2Model", "GPT2LMHeadModel"), default=None,
                   help="default: what the installed diffusers' AudioLDM2Pipeline declares")
    p.add_argument("--overwrite", action="store_true")
    a = p.parse_args(argv)
    if os.path.exists(a.out) and os.listdir(a.out) and not a.overwrite:
        p.error("--out %s exists and is not empty (pass --overwrite)" % a.out)
    if a.seed < 0:
        p.error("--seed must be >= 0, got %d" % a.seed)
    pipe = build(a.config, a.seed, a.language_model_class)
    pipe.save_pretrained(a.out, safe_serialization=True)
    counts = {k: sum(x.numel() for x in getattr(pipe, k).parameters())
              for k in ("text_encoder", "text_encoder_2", "language_model", "projection_model", "unet", "vae", "vocoder")}
    import diffusers
    import transformers
    info = {"config": a.config, "seed": a.seed, "language_model": type(pipe.language_model).__name__,
            "parameters": counts, "torch": torch.__version__,
            "diffusers": diffusers.__version__, "transformers": transformers.__version__}
    with open(os.path.join(a.out, "audioldm4j_checkpoint.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
