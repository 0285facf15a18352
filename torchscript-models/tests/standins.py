"""Small stand-ins with the interfaces export_audioldm2.py reads from a diffusers AudioLDM2Pipeline.

Each class mirrors the call signature and control flow of its diffusers / transformers counterpart
(cited per class) at tiny internal widths, while honouring the bundle contract's external widths (CLAP
512, T5 1024, GPT-2 768, 8 latent channels, 64 mel bins, VAE factor 4, vocoder hop 160 + 32 tail), so
an export from them is a valid audioldm4j bundle. No diffusers or transformers needed.
"""

import json
import math
import os
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.dirname(HERE)
TINY_BUNDLE = os.path.join(MODELS_DIR, "tiny-bundle")
INNER = 16

# Token ids of the tiny bundle's tokenizer.json files for a few texts (make_pipeline_reference.py tables;
# the Java TextTokenizerTest checks the DJL tokenizers produce exactly these from the same files).
CLAP_IDS = {
    "A dog barking": [0, 36, 272, 274, 273, 78, 268, 2],
    "rain on the wooden surface": [0, 85, 68, 264, 224, 266, 263, 269, 82, 82, 71, 72, 81, 267, 88, 85, 73, 68, 70,
                                   72, 2],
    "music": [0, 80, 88, 86, 76, 70, 2],
    "hammer hitting wood": [0, 75, 68, 80, 80, 265, 224, 75, 76, 87, 87, 268, 269, 82, 82, 71, 2],
    "": [0, 2],
}
T5_IDS = {
    "A dog barking": [35, 8, 10, 13, 1],
    "rain on the wooden surface": [16, 18, 4, 20, 23, 24, 27, 1],
    "music": [32, 1],
    "hammer hitting wood": [28, 30, 72, 13, 20, 1],
    "": [1],
}
EXAMPLE_PROMPTS = ("A dog barking", "rain on the wooden surface", "hammer hitting wood")


# ------------------------------------------------------------------------------------------------
# tokenizers
# ------------------------------------------------------------------------------------------------

class _Backend:
    def __init__(self, text):
        self._text = text

    def to_str(self, pretty=False):
        return self._text


class TableTokenizer:
    """The subset of a transformers fast tokenizer the exporter uses: ``__call__(texts, padding,
    max_length, truncation, return_tensors)``, ``pad_token_id``, ``model_max_length`` and
    ``backend_tokenizer.to_str()``. Ids come from a fixed table (texts outside it are an error).
    Truncation keeps the final special token, as HF does when specials are added after truncating."""

    def __init__(self, json_path, table, pad_id, model_max_length):
        with open(json_path, encoding="utf-8") as f:
            data = json.load(f)
        data["padding"] = {"strategy": "BatchLongest", "direction": "Right", "pad_id": pad_id}  # must be dropped
        self.backend_tokenizer = _Backend(json.dumps(data))
        self.table = table
        self.pad_token_id = pad_id
        self.model_max_length = model_max_length

    def __call__(self, texts, padding=False, max_length=None, truncation=False, return_tensors=None):
        if isinstance(texts, str):
            texts = [texts]
        rows = []
        for t in texts:
            if t not in self.table:
                raise KeyError("TableTokenizer has no ids for %r" % t)
            r = list(self.table[t])
            if truncation and max_length is not None and len(r) > max_length:
                r = r[:max_length - 1] + [r[-1]]
            rows.append(r)
        if padding == "max_length":
            length = max_length
        elif padding in (True, "longest"):
            length = max(len(r) for r in rows)
        else:
            raise ValueError("unsupported padding %r" % (padding,))
        ids = torch.full((len(rows), length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
            mask[i, :len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask}


def clap_tokenizer():
    return TableTokenizer(os.path.join(TINY_BUNDLE, "tokenizers", "clap.json"), CLAP_IDS, 1, 512)


def t5_tokenizer():
    return TableTokenizer(os.path.join(TINY_BUNDLE, "tokenizers", "t5.json"), T5_IDS, 0, 128)


# ------------------------------------------------------------------------------------------------
# models
# ------------------------------------------------------------------------------------------------

class PoolerOutput:
    """transformers v5 style: get_*_features returns an output object with ``pooler_output``."""

    def __init__(self, pooler_output):
        self.pooler_output = pooler_output


class FakeClapModel(nn.Module):
    """ClapModel surface: ``get_text_features(input_ids, attention_mask)`` (masked mean pool -> projection;
    deliberately *not* normalised, so the wrapper's normalisation is observable) and
    ``get_audio_features(input_features, is_longer)``."""

    def __init__(self, vocab=300, v5_outputs=False):
        super().__init__()
        self.embed = nn.Embedding(vocab, INNER)
        self.pos = nn.Parameter(torch.randn(514, INNER) * 0.1)
        self.text_proj = nn.Linear(INNER, 512)
        self.conv = nn.Conv2d(1, 4, 5, stride=4, padding=2)
        self.longer = nn.Parameter(torch.randn(4) * 0.1)
        self.audio_proj = nn.Linear(4, 512)
        self.v5_outputs = v5_outputs
        self.config = SimpleNamespace(model_type="clap")

    def get_text_features(self, input_ids=None, attention_mask=None, position_ids=None):
        # Roberta-style positions: cumulative count of non-pad tokens, offset by the pad id (1)
        not_pad = (input_ids != 1).long()
        positions = torch.cumsum(not_pad, dim=1) * not_pad + 1
        h = torch.tanh(self.embed(input_ids) + self.pos[positions])
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        out = self.text_proj(pooled) * 3.0
        return PoolerOutput(out) if self.v5_outputs else out

    def get_audio_features(self, input_features=None, is_longer=None):
        h = F.gelu(self.conv(input_features / 50.0))
        pooled = h.mean(dim=(2, 3)) + is_longer.to(h.dtype) * self.longer
        out = F.normalize(self.audio_proj(pooled), dim=-1)
        return PoolerOutput(out) if self.v5_outputs else out


class FakeT5EncoderModel(nn.Module):
    """T5EncoderModel surface ``forward(input_ids, attention_mask, return_dict)``; masked self-attention
    without absolute positions, so valid-token outputs do not depend on trailing padding (as in T5)."""

    def __init__(self, vocab=200):
        super().__init__()
        self.embed = nn.Embedding(vocab, INNER)
        self.qkv = nn.Linear(INNER, 3 * INNER)
        self.norm = nn.LayerNorm(INNER)
        self.out = nn.Linear(INNER, 1024)
        self.config = SimpleNamespace(model_type="t5")

    def forward(self, input_ids=None, attention_mask=None, return_dict=None):
        h = self.embed(input_ids)
        q, k, v = self.qkv(self.norm(h)).chunk(3, dim=-1)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(INNER)
        scores = scores + (1.0 - attention_mask[:, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
        h = h + torch.matmul(torch.softmax(scores, dim=-1), v)
        last = self.out(self.norm(h))
        return (last,) if return_dict is False else SimpleNamespace(last_hidden_state=last)


class ProjectionOutput:
    def __init__(self, hidden_states, attention_mask):
        self.hidden_states = hidden_states
        self.attention_mask = attention_mask


class FakeProjectionModel(nn.Module):
    """AudioLDM2ProjectionModel (diffusers pipelines/audioldm2/modeling_audioldm2.py) with the same
    forward semantics: Linear per stream, SOS/EOS vectors around each, masks extended with ones and
    concatenated. Low-rank linears keep it small."""

    def __init__(self):
        super().__init__()
        self.projection = nn.Sequential(nn.Linear(512, INNER), nn.Linear(INNER, 768))
        self.projection_1 = nn.Sequential(nn.Linear(1024, INNER), nn.Linear(INNER, 768))
        self.sos_embed = nn.Parameter(torch.randn(768) * 0.5)
        self.eos_embed = nn.Parameter(torch.randn(768) * 0.5)
        self.sos_embed_1 = nn.Parameter(torch.randn(768) * 0.5)
        self.eos_embed_1 = nn.Parameter(torch.randn(768) * 0.5)

    @staticmethod
    def _special(h, mask, sos, eos):
        b = h.shape[0]
        if mask is not None:
            one = mask.new_ones((b, 1))
            mask = torch.cat([one, mask, one], dim=-1)
        return torch.cat([sos.expand(b, 1, -1), h, eos.expand(b, 1, -1)], dim=1), mask

    def forward(self, hidden_states=None, hidden_states_1=None, attention_mask=None, attention_mask_1=None):
        h, m = self._special(self.projection(hidden_states), attention_mask, self.sos_embed, self.eos_embed)
        h1, m1 = self._special(self.projection_1(hidden_states_1), attention_mask_1, self.sos_embed_1,
                               self.eos_embed_1)
        return ProjectionOutput(torch.cat([h, h1], dim=1), torch.cat([m, m1], dim=-1))


class FakeGPT2Model(nn.Module):
    """GPT2Model surface ``forward(inputs_embeds, attention_mask, use_cache, return_dict)``: learned
    positions 0..N-1, causal + padding-masked attention, final ln_f; tuple output for return_dict=False."""

    def __init__(self):
        super().__init__()
        self.wpe = nn.Parameter(torch.randn(64, 768) * 0.1)
        self.down = nn.Linear(768, INNER)
        self.qkv = nn.Linear(INNER, 3 * INNER)
        self.up = nn.Linear(INNER, 768)
        self.ln_f = nn.LayerNorm(768)
        self.config = SimpleNamespace(max_new_tokens=8, n_embd=768)

    def forward(self, inputs_embeds=None, attention_mask=None, use_cache=None, return_dict=None):
        n = inputs_embeds.shape[1]
        h = inputs_embeds + self.wpe[:n].unsqueeze(0)
        q, k, v = self.qkv(torch.tanh(self.down(h))).chunk(3, dim=-1)
        scores = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(INNER)
        causal = torch.ones(n, n, dtype=torch.bool, device=h.device).triu(1)
        keep = (attention_mask[:, None, :] > 0) & ~causal.unsqueeze(0)
        scores = scores.masked_fill(~keep, torch.finfo(h.dtype).min)
        h = h + self.up(torch.matmul(torch.softmax(scores, dim=-1), v))
        last = self.ln_f(h)
        return (last, None) if return_dict is False else SimpleNamespace(last_hidden_state=last)


class FakeGPT2LMHeadModel(nn.Module):
    """GPT2LMHeadModel surface: ``transformer`` + ``lm_head`` (the wrapper must use the base model)."""

    def __init__(self):
        super().__init__()
        self.transformer = FakeGPT2Model()
        self.lm_head = nn.Linear(768, 50, bias=False)
        self.config = self.transformer.config

    def forward(self, inputs_embeds=None, attention_mask=None, use_cache=None, return_dict=None):
        h = self.transformer(inputs_embeds=inputs_embeds, attention_mask=attention_mask, return_dict=False)[0]
        return (self.lm_head(h),)


class UNetOutput:
    def __init__(self, sample):
        self.sample = sample


class MiniUNet(nn.Module):
    """AudioLDM2UNet2DConditionModel's forward control flow (diffusers modeling_audioldm2.py, forward):
    ``default_overall_up_factor = 2**num_upsamplers`` and the Python ``forward_upsample_size`` decision,
    masks turned into -10000 biases, timestep 0-dim -> [1] -> expand(batch), sinusoidal embedding
    (flip_sin_to_cos, computed in float32, cast to the sample dtype), 3 stride-2 down blocks, a
    bottleneck with cross-attention to both streams, 3 nearest-upsampling up blocks with skip
    connections and ``upsample_size`` from the matching residual."""

    def __init__(self):
        super().__init__()
        c = INNER
        self.conv_in = nn.Conv2d(8, c, 3, padding=1)
        self.time = nn.Sequential(nn.Linear(32, c), nn.SiLU(), nn.Linear(c, c))
        self.down = nn.ModuleList([nn.Conv2d(c, c, 3, stride=2, padding=1) for _ in range(3)])
        self.up = nn.ModuleList([nn.Conv2d(c, c, 3, padding=1) for _ in range(3)])
        self.q = nn.Linear(c, c)
        self.k = nn.Linear(768, c)
        self.v = nn.Linear(768, c)
        self.k1 = nn.Linear(1024, c)
        self.v1 = nn.Linear(1024, c)
        self.conv_out = nn.Conv2d(c, 8, 3, padding=1)
        self.num_upsamplers = 3
        self.config = SimpleNamespace(in_channels=8, sample_size=16)

    def _attend(self, x, k, v, bias):
        scores = torch.matmul(self.q(x), k.transpose(1, 2)) / math.sqrt(INNER)
        if bias is not None:
            scores = scores + bias
        return torch.matmul(torch.softmax(scores, dim=-1), v)

    def forward(self, sample, timestep, encoder_hidden_states, class_labels=None, timestep_cond=None,
                attention_mask=None, cross_attention_kwargs=None, encoder_attention_mask=None, return_dict=True,
                encoder_hidden_states_1=None, encoder_attention_mask_1=None):
        default_overall_up_factor = 2 ** self.num_upsamplers
        forward_upsample_size = False
        upsample_size = None
        if any(s % default_overall_up_factor != 0 for s in sample.shape[-2:]):
            forward_upsample_size = True
        if encoder_attention_mask_1 is not None:
            encoder_attention_mask_1 = (1 - encoder_attention_mask_1.to(sample.dtype)) * -10000.0
            encoder_attention_mask_1 = encoder_attention_mask_1.unsqueeze(1)
        timesteps = timestep
        if not torch.is_tensor(timesteps):
            timesteps = torch.tensor([timesteps], dtype=torch.int64, device=sample.device)
        elif len(timesteps.shape) == 0:
            timesteps = timesteps[None].to(sample.device)
        timesteps = timesteps.expand(sample.shape[0])
        half = 16
        exponent = -math.log(10000) * torch.arange(0, half, dtype=torch.float32, device=timesteps.device) / half
        args = timesteps[:, None].float() * torch.exp(exponent)[None, :]
        t_emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1).to(dtype=sample.dtype)
        emb = self.time(t_emb)

        x = self.conv_in(sample) + emb[:, :, None, None]
        res = [x]
        for conv in self.down:
            x = F.silu(conv(x))
            res.append(x)
        b, c, h, w = x.shape
        tokens = x.flatten(2).transpose(1, 2)
        tokens = tokens + self._attend(tokens, self.k(encoder_hidden_states), self.v(encoder_hidden_states), None)
        tokens = tokens + self._attend(tokens, self.k1(encoder_hidden_states_1), self.v1(encoder_hidden_states_1),
                                       encoder_attention_mask_1)
        x = tokens.transpose(1, 2).reshape(b, c, h, w)
        res.pop()
        for conv in self.up:
            skip = res.pop()
            if forward_upsample_size:
                upsample_size = skip.shape[2:]
            if upsample_size is None:
                x = F.interpolate(x, scale_factor=2.0, mode="nearest")
            else:
                x = F.interpolate(x, size=upsample_size, mode="nearest")
            x = F.silu(conv(x)) + skip
        out = self.conv_out(x)
        return (out,) if not return_dict else UNetOutput(out)


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, INNER, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(INNER, 16, 3, stride=2, padding=1)

    def forward(self, x):
        return self.c2(F.silu(self.c1(x / 5.0)))


class _Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(8, INNER, 3, padding=1)
        self.c2 = nn.Conv2d(INNER, INNER, 3, padding=1)
        self.out = nn.Conv2d(INNER, 1, 3, padding=1)

    def forward(self, z, latent_embeds=None):
        h = F.silu(self.c1(z))
        h = F.silu(self.c2(F.interpolate(h, scale_factor=2.0, mode="nearest")))
        h = F.interpolate(h, scale_factor=2.0, mode="nearest")
        return self.out(h) * 2.0 - 6.0


class FakeAutoencoderKL(nn.Module):
    """AutoencoderKL surface: encoder, quant_conv (16 -> 16), post_quant_conv (8 -> 8), decoder and the
    config fields the exporter reads (3 block_out_channels -> factor 4)."""

    def __init__(self):
        super().__init__()
        self.encoder = _Encoder()
        self.quant_conv = nn.Conv2d(16, 16, 1)
        self.post_quant_conv = nn.Conv2d(8, 8, 1)
        self.decoder = _Decoder()
        self.config = SimpleNamespace(scaling_factor=0.4110932946205139, block_out_channels=[8, 16, 32],
                                      latent_channels=8, force_upcast=True)


class FakeHifiGan(nn.Module):
    """SpeechT5HifiGan surface: (mel [B,T,64]) -> [B, 160T+32] (rates [5,4,2,2,2], kernels [16,16,8,4,4],
    padding (k-u)//2), leaky_relu 0.1 before each upsample, 0.01 before conv_post, tanh."""

    def __init__(self):
        super().__init__()
        rates, kernels, ch = [5, 4, 2, 2, 2], [16, 16, 8, 4, 4], [8, 8, 4, 4, 4, 4]
        self.conv_pre = nn.Conv1d(64, ch[0], 7, padding=3)
        self.ups = nn.ModuleList([nn.ConvTranspose1d(ch[i], ch[i + 1], kernels[i], stride=rates[i],
                                                     padding=(kernels[i] - rates[i]) // 2) for i in range(5)])
        self.conv_post = nn.Conv1d(ch[5], 1, 7, padding=3)
        self.config = SimpleNamespace(upsample_rates=rates, sampling_rate=16000, model_in_dim=64)

    def forward(self, spectrogram):
        x = self.conv_pre(spectrogram.transpose(1, 2) / 5.0)
        for up in self.ups:
            x = up(F.leaky_relu(x, 0.1))
        x = self.conv_post(F.leaky_relu(x, 0.01))
        return torch.tanh(x).squeeze(1)


# ------------------------------------------------------------------------------------------------
# scheduler
# ------------------------------------------------------------------------------------------------

SCHEDULER_CONFIG = {"_class_name": "DDIMScheduler", "_diffusers_version": "0.21.0.dev0", "beta_end": 0.0195,
                    "beta_schedule": "scaled_linear", "beta_start": 0.0015, "clip_sample": False,
                    "clip_sample_range": 1.0, "dynamic_thresholding_ratio": 0.995, "num_train_timesteps": 1000,
                    "prediction_type": "epsilon", "rescale_betas_zero_snr": False, "sample_max_value": 1.0,
                    "set_alpha_to_one": False, "steps_offset": 1, "thresholding": False,
                    "timestep_spacing": "leading", "trained_betas": None}


class StandInDDIM:
    """diffusers DDIMScheduler (schedulers/scheduling_ddim.py) for the cvssp/audioldm2 config: scaled_linear
    betas, leading spacing + steps_offset, set_alpha_to_one False, epsilon prediction, no clipping, eta
    noise drawn with ``torch.randn(shape, generator)``. Same method signatures as diffusers."""

    def __init__(self):
        self.config = SimpleNamespace(**SCHEDULER_CONFIG)
        betas = torch.linspace(0.0015 ** 0.5, 0.0195 ** 0.5, 1000, dtype=torch.float32) ** 2
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.final_alpha_cumprod = self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0
        self.num_inference_steps = None
        self.timesteps = None

    def set_timesteps(self, num_inference_steps, device=None):
        self.num_inference_steps = num_inference_steps
        ratio = 1000 // num_inference_steps
        ts = (np.arange(0, num_inference_steps) * ratio).round()[::-1].copy().astype(np.int64)
        self.timesteps = torch.from_numpy(ts) + 1

    def scale_model_input(self, sample, timestep=None):
        return sample

    def step(self, model_output, timestep, sample, eta=0.0, use_clipped_model_output=False, generator=None,
             variance_noise=None, return_dict=True):
        t = int(timestep)
        prev_t = t - 1000 // self.num_inference_steps
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        b_t = 1 - a_t
        x0 = (sample - b_t ** 0.5 * model_output) / a_t ** 0.5
        variance = ((1 - a_prev) / b_t) * (1 - a_t / a_prev)
        std = eta * variance ** 0.5
        prev = a_prev ** 0.5 * x0 + (1 - a_prev - std ** 2) ** 0.5 * model_output
        if eta > 0:
            noise = torch.randn(model_output.shape, generator=generator, dtype=model_output.dtype)
            prev = prev + std * noise
        return SimpleNamespace(prev_sample=prev)


# ------------------------------------------------------------------------------------------------
# source
# ------------------------------------------------------------------------------------------------

def make_source(seed=0, v5_outputs=False, lm_head=False):
    """An export_audioldm2.Source made of stand-ins (deterministic for a seed)."""
    import export_audioldm2 as ex
    torch.manual_seed(seed)
    source = ex.Source(
        model_id="audioldm4j/standin-export-test",
        text_encoder=FakeClapModel(v5_outputs=v5_outputs),
        text_encoder_2=FakeT5EncoderModel(),
        projection_model=FakeProjectionModel(),
        language_model=FakeGPT2LMHeadModel() if lm_head else FakeGPT2Model(),
        unet=MiniUNet(),
        vae=FakeAutoencoderKL(),
        vocoder=FakeHifiGan(),
        tokenizer=clap_tokenizer(),
        tokenizer_2=t5_tokenizer(),
        scheduler=StandInDDIM(),
        scheduler_config=dict(SCHEDULER_CONFIG),
        scheduler_config_origin="file",
        versions={"diffusers": None, "transformers": None},
    )
    return source


def standin_options(ex, **overrides):
    """Export options sized for the stand-ins (small latent heights, the tiny tokenizer's prompts)."""
    ref = ex.ReferenceSettings(prompts=["A dog barking"], audio_length_s=0.64, num_inference_steps=10,
                               guidance_scale=3.5, seed=42, record_steps=3)
    opts = ex.ExportOptions(latent_heights=(16, 10), example_prompts=EXAMPLE_PROMPTS, reference=ref,
                            log=lambda *_: None)
    for k, v in overrides.items():
        setattr(opts, k, v)
    return opts
