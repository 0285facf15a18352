#!/usr/bin/python3
"""Generate the tiny audioldm4j test bundle.

Tiny, deterministic stand-ins for every AudioLDM2 component with exactly the I/O contract of the
real exports (see ../../shared/design/BUNDLE.md and README.md "Bundle layout"): the same input and
output names, dtypes, ranks and fixed widths (CLAP 512, T5 1024, GPT-2 768, 8 latent channels,
64 mel bins, 4x VAE downsampling of time and mel, vocoder hop 160 with the HiFi-GAN "+32" tail).
Internally the models are small (a few thousand to ~100k parameters) so the bundle stays small
enough to commit and fast enough for CPU tests.

Runs on Debian's python3-torch (torch 1.13) with numpy only:

    /usr/bin/python3 torchscript-models/make_tiny_bundle.py torchscript-models/tiny-bundle

Writes manifest.json, one TorchScript file per component, tokenizers/{clap,t5}.json (HF
tokenizer.json format), and reference/ with .npy inputs/outputs of every component (the parity
fixtures the Java tests compare against) plus reference/index.json. The output is a pure function
of this script (fixed seeds, CPU, deterministic kernels).
"""

import hashlib
import json
import math
import os
import sys

# Byte-identical output wherever the checkout lives: TorchScript serialises some attributes in set order
# (pin the hash seed) and records the source file name of every scripted class in its debug info (run the
# source under the relative name "make_tiny_bundle.py" from this folder).
if os.environ.get("PYTHONHASHSEED") != "0" or os.environ.get("AUDIOLDM4J_CANONICAL_RUN") != "1":
    _args = [os.path.abspath(a) for a in sys.argv[1:]]
    _env = dict(os.environ, PYTHONHASHSEED="0", AUDIOLDM4J_CANONICAL_RUN="1")
    _code = ("import sys, __main__; __main__.__file__ = 'make_tiny_bundle.py'; "
             "sys.argv = ['make_tiny_bundle.py'] + sys.argv[1:]; "
             "exec(compile(open('make_tiny_bundle.py').read(), 'make_tiny_bundle.py', 'exec'), __main__.__dict__)")
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    os.execve(sys.executable, [sys.executable, "-c", _code] + _args, _env)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

FORMAT_VERSION = 1
TOOL_VERSION = "make_tiny_bundle 1"

# Real-model widths (the contract); internal widths are tiny.
CLAP_DIM = 512
T5_DIM = 1024
GPT2_DIM = 768
LATENT_CHANNELS = 8
MEL_BINS = 64
VAE_DOWN = 4
HOP = 160
CLAP_MAX_LEN = 512
T5_MAX_LEN = 128
INNER = 32


# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------

class ClapText(nn.Module):
    """(input_ids i64 [B,512], attention_mask i64 [B,512]) -> L2-normalised text_embeds [B,512]."""

    def __init__(self, vocab: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, INNER)
        self.pos = nn.Parameter(torch.randn(CLAP_MAX_LEN, INNER) * 0.1)
        self.mix = nn.Linear(INNER, INNER)
        self.proj = nn.Linear(INNER, CLAP_DIM)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.embed(input_ids) + self.pos[: input_ids.shape[1]].unsqueeze(0)
        h = torch.tanh(self.mix(h))
        m = attention_mask.to(h.dtype).unsqueeze(-1)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        return F.normalize(self.proj(pooled), dim=-1)


class ClapAudio(nn.Module):
    """(input_features f32 [B,1,1001,64], is_longer bool [B,1]) -> L2-normalised audio_embeds [B,512]."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=5, stride=4, padding=2)
        self.longer = nn.Parameter(torch.randn(8) * 0.1)
        self.proj = nn.Linear(8, CLAP_DIM)

    def forward(self, input_features: torch.Tensor, is_longer: torch.Tensor) -> torch.Tensor:
        h = F.gelu(self.conv(input_features / 50.0))
        pooled = h.mean(dim=(2, 3)) + is_longer.to(h.dtype) * self.longer
        return F.normalize(self.proj(pooled), dim=-1)


class MaskedSelfAttention(nn.Module):
    """Single-head attention at width INNER with an additive key mask (and optional causality)."""

    def __init__(self, causal: bool):
        super().__init__()
        self.qkv = nn.Linear(INNER, 3 * INNER)
        self.out = nn.Linear(INNER, INNER)
        self.causal = causal
        self.scale = 1.0 / math.sqrt(INNER)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = torch.matmul(q, k.transpose(1, 2)) * self.scale
        bias = (1.0 - key_mask.to(x.dtype)).unsqueeze(1) * -10000.0
        scores = scores + bias
        if self.causal:
            n = x.shape[1]
            causal = torch.ones(n, n, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(causal.unsqueeze(0), -10000.0)
        return self.out(torch.matmul(torch.softmax(scores, dim=-1), v))


class T5Encoder(nn.Module):
    """(input_ids i64 [B,128], attention_mask i64 [B,128]) -> last_hidden_state f32 [B,128,1024].

    Like T5, valid-token outputs do not depend on how many pad tokens follow (no absolute
    positions, keys masked), so the Java side may slice to the longest real length.
    """

    def __init__(self, vocab: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, INNER)
        self.attn = MaskedSelfAttention(causal=False)
        self.norm = nn.LayerNorm(INNER)
        self.proj = nn.Linear(INNER, T5_DIM)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        h = self.embed(input_ids)
        h = h + self.attn(self.norm(h), attention_mask)
        return self.proj(self.norm(h))


class Projection(nn.Module):
    """AudioLDM2ProjectionModel (diffusers modeling_audioldm2.py, AudioLDM2ProjectionModel.forward):
    (clap_embeds f32 [B,1,512], t5_hidden f32 [B,L,1024], t5_mask i64 [B,L])
    -> (hidden_states f32 [B,L+5,768], attention_mask i64 [B,L+5]).
    h = [sos, W clap, eos] ++ [sos1, W1 t5, eos1]; mask = [1, 1, 1] ++ [1, t5_mask, 1].
    """

    def __init__(self):
        super().__init__()
        # Low-rank stand-ins for the real Linear(512->768) / Linear(1024->768) keep the file small.
        self.projection = nn.Sequential(nn.Linear(CLAP_DIM, INNER), nn.Linear(INNER, GPT2_DIM))
        self.projection_1 = nn.Sequential(nn.Linear(T5_DIM, INNER), nn.Linear(INNER, GPT2_DIM))
        self.sos_embed = nn.Parameter(torch.randn(GPT2_DIM) * 0.5)
        self.eos_embed = nn.Parameter(torch.randn(GPT2_DIM) * 0.5)
        self.sos_embed_1 = nn.Parameter(torch.randn(GPT2_DIM) * 0.5)
        self.eos_embed_1 = nn.Parameter(torch.randn(GPT2_DIM) * 0.5)
        self.dim = GPT2_DIM

    def forward(self, clap_embeds: torch.Tensor, t5_hidden: torch.Tensor, t5_mask: torch.Tensor):
        b = clap_embeds.shape[0]
        h = self.projection(clap_embeds)
        h = torch.cat([self.sos_embed.expand(b, 1, self.dim), h, self.eos_embed.expand(b, 1, self.dim)], dim=1)
        h1 = self.projection_1(t5_hidden)
        h1 = torch.cat([self.sos_embed_1.expand(b, 1, self.dim), h1, self.eos_embed_1.expand(b, 1, self.dim)], dim=1)
        ones3 = torch.ones(b, 3, dtype=torch.long, device=t5_mask.device)
        one = torch.ones(b, 1, dtype=torch.long, device=t5_mask.device)
        mask = torch.cat([ones3, one, t5_mask.to(torch.long), one], dim=1)
        return torch.cat([h, h1], dim=1), mask


class Gpt2(nn.Module):
    """Stateless GPT2Model: (inputs_embeds f32 [B,N,768], attention_mask i64 [B,N]) -> last_hidden_state [B,N,768].
    Causal, padding-masked, learned positions 0..N-1, final layer norm (ln_f)."""

    def __init__(self):
        super().__init__()
        # low-rank learned positions for 1024 slots (the real wpe is [1024, 768])
        self.wpe_a = nn.Parameter(torch.randn(1024, 8) * 0.1)
        self.wpe_b = nn.Parameter(torch.randn(8, GPT2_DIM) * 0.1)
        self.down = nn.Linear(GPT2_DIM, INNER)
        self.attn = MaskedSelfAttention(causal=True)
        self.up = nn.Linear(INNER, GPT2_DIM)
        self.ln_f = nn.LayerNorm(GPT2_DIM)

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        n = inputs_embeds.shape[1]
        h = inputs_embeds + torch.matmul(self.wpe_a[:n], self.wpe_b).unsqueeze(0)
        h = h + self.up(self.attn(torch.tanh(self.down(h)), attention_mask))
        return self.ln_f(h)


class CrossAttention(nn.Module):
    def __init__(self, ctx_dim: int, channels: int):
        super().__init__()
        self.q = nn.Linear(channels, INNER)
        self.k = nn.Linear(ctx_dim, INNER)
        self.v = nn.Linear(ctx_dim, INNER)
        self.out = nn.Linear(INNER, channels)
        self.scale = 1.0 / math.sqrt(INNER)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor, ctx_mask: torch.Tensor) -> torch.Tensor:
        scores = torch.matmul(self.q(x), self.k(ctx).transpose(1, 2)) * self.scale
        scores = scores + (1.0 - ctx_mask.to(x.dtype)).unsqueeze(1) * -10000.0
        return self.out(torch.matmul(torch.softmax(scores, dim=-1), self.v(ctx)))


class UNet(nn.Module):
    """(sample f32 [B,8,H,16], timestep f32 [B], encoder_hidden_states f32 [B,8,768],
    encoder_hidden_states_1 f32 [B,L,1024], encoder_attention_mask_1 i64 [B,L]) -> noise_pred [B,8,H,16].
    ResNet-ish conv, sinusoidal time embedding (128, flip_sin_to_cos), self-attention over the
    latent, cross-attention to the GPT-2 stream (unmasked) and to the T5 stream (masked)."""

    def __init__(self):
        super().__init__()
        c = 16
        self.conv_in = nn.Conv2d(LATENT_CHANNELS, c, 3, padding=1)
        self.time = nn.Sequential(nn.Linear(128, c), nn.SiLU(), nn.Linear(c, c))
        self.conv_mid = nn.Conv2d(c, c, 3, padding=1)
        self.ca_gpt2 = CrossAttention(GPT2_DIM, c)
        self.ca_t5 = CrossAttention(T5_DIM, c)
        self.conv_out = nn.Conv2d(c, LATENT_CHANNELS, 3, padding=1)

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor,
                encoder_hidden_states_1: torch.Tensor, encoder_attention_mask_1: torch.Tensor) -> torch.Tensor:
        b, _, h, w = sample.shape
        half = 64
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=sample.device) / half)
        args = timestep.to(torch.float32).unsqueeze(1) * freqs.unsqueeze(0)
        temb = torch.cat([torch.cos(args), torch.sin(args)], dim=1).to(sample.dtype)
        x = F.silu(self.conv_in(sample)) + self.time(temb).unsqueeze(-1).unsqueeze(-1)
        x = x + F.silu(self.conv_mid(x))
        tokens = x.flatten(2).transpose(1, 2)  # [B, H*W, C]
        ones = torch.ones(b, encoder_hidden_states.shape[1], dtype=torch.long, device=sample.device)
        tokens = tokens + self.ca_gpt2(tokens, encoder_hidden_states, ones)
        tokens = tokens + self.ca_t5(tokens, encoder_hidden_states_1, encoder_attention_mask_1)
        x = tokens.transpose(1, 2).reshape(b, x.shape[1], h, w)
        return self.conv_out(x)


class VaeEncoder(nn.Module):
    """(mel f32 [B,1,T,64]) -> moments f32 [B,16,T/4,16] (mean = first 8 channels, logvar = last 8)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(16, 16, 3, stride=2, padding=1)
        self.out = nn.Conv2d(16, 2 * LATENT_CHANNELS, 1)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        h = F.silu(self.c1(mel / 5.0))
        h = F.silu(self.c2(h))
        return self.out(h)


class VaeDecoder(nn.Module):
    """(z f32 [B,8,T/4,16]) -> mel f32 [B,1,T,64]."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.ConvTranspose2d(LATENT_CHANNELS, 16, 4, stride=2, padding=1)
        self.c2 = nn.ConvTranspose2d(16, 16, 4, stride=2, padding=1)
        self.out = nn.Conv2d(16, 1, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.silu(self.c1(z))
        h = F.silu(self.c2(h))
        return self.out(h) * 2.0 - 6.0


class Vocoder(nn.Module):
    """SpeechT5HifiGan contract: (mel f32 [B,T,64]) -> waveform f32 [B,160*T+32].
    Upsample rates [5,4,2,2,2], kernels [16,16,8,4,4], padding (k-u)//2 -> 160T+32 samples."""

    def __init__(self):
        super().__init__()
        rates = [5, 4, 2, 2, 2]
        kernels = [16, 16, 8, 4, 4]
        ch = [16, 8, 8, 4, 4, 4]
        self.conv_pre = nn.Conv1d(MEL_BINS, ch[0], 7, padding=3)
        self.ups = nn.ModuleList([
            nn.ConvTranspose1d(ch[i], ch[i + 1], kernels[i], stride=rates[i], padding=(kernels[i] - rates[i]) // 2)
            for i in range(5)
        ])
        self.conv_post = nn.Conv1d(ch[5], 1, 7, padding=3)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = self.conv_pre(mel.transpose(1, 2) / 5.0)
        for up in self.ups:
            x = up(F.leaky_relu(x, 0.1))
        x = self.conv_post(F.leaky_relu(x, 0.01))
        return torch.tanh(x).squeeze(1)


# --------------------------------------------------------------------------------------------
# Tokenizers (HF tokenizer.json)
# --------------------------------------------------------------------------------------------

def bytes_to_unicode():
    """GPT-2 / RoBERTa byte-level alphabet: printable bytes map to themselves, the rest to 256+."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def clap_tokenizer():
    """A tiny RoBERTa-style byte-level BPE: <s>=0, <pad>=1, </s>=2, <unk>=3, the 256 byte symbols,
    and a few merges for common English fragments."""
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for ch in bytes_to_unicode():
        vocab.setdefault(ch, len(vocab))
    merges = []
    for word in ["Ġa", "Ġt", "he", "Ġthe", "in", "er", "on", "Ġs", "ing", "Ġw", "Ġd", "og", "Ġdog", "ar", "Ġb"]:
        # split the word into the two largest known pieces
        for cut in range(len(word) - 1, 0, -1):
            a, b = word[:cut], word[cut:]
            if a in vocab and b in vocab:
                merges.append(a + " " + b)
                vocab.setdefault(word, len(vocab))
                break
    added = [
        {"id": 0, "content": "<s>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True},
        {"id": 1, "content": "<pad>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True},
        {"id": 2, "content": "</s>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True},
        {"id": 3, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True},
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def t5_tokenizer():
    """A tiny T5-style Unigram tokenizer: <pad>=0, </s>=1, <unk>=2, Metaspace pre-tokenizer, "$A </s>"."""
    pieces = [["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581", -2.0]]
    for w in ["the", "a", "dog", "bark", "ing", "s", "rain", "on", "wood", "en", "sur", "face", "hammer", "hit", "music"]:
        pieces.append(["\u2581" + w, -3.0 - 0.1 * len(pieces)])
        pieces.append([w, -5.0 - 0.1 * len(pieces)])
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-":
        pieces.append([c, -8.0])
        pieces.append(["\u2581" + c, -8.5])
    added = [
        {"id": 0, "content": "<pad>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
        {"id": 1, "content": "</s>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
        {"id": 2, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": pieces, "byte_fallback": False},
    }


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def spec(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": shape}


def save_npy(path, t):
    a = t.detach().cpu().numpy()
    if a.dtype == np.float32 or a.dtype == np.int64 or a.dtype == np.bool_:
        np.save(path, np.ascontiguousarray(a), allow_pickle=False)
    else:
        raise ValueError("unsupported dtype " + str(a.dtype))


def main(out):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    os.makedirs(os.path.join(out, "tokenizers"), exist_ok=True)
    os.makedirs(os.path.join(out, "reference"), exist_ok=True)

    clap_tok = clap_tokenizer()
    t5_tok = t5_tokenizer()
    clap_vocab = len(clap_tok["model"]["vocab"])
    t5_vocab = len(t5_tok["model"]["vocab"])
    with open(os.path.join(out, "tokenizers", "clap.json"), "w", encoding="utf-8") as f:
        json.dump(clap_tok, f, ensure_ascii=False, indent=1)
    with open(os.path.join(out, "tokenizers", "t5.json"), "w", encoding="utf-8") as f:
        json.dump(t5_tok, f, ensure_ascii=False, indent=1)

    # Construction order is fixed: every module's initial weights depend on it.
    modules = {
        "clap_text": ClapText(clap_vocab),
        "clap_audio": ClapAudio(),
        "t5_encoder": T5Encoder(t5_vocab),
        "projection": Projection(),
        "gpt2": Gpt2(),
        "unet": UNet(),
        "vae_encoder": VaeEncoder(),
        "vae_decoder": VaeDecoder(),
        "vocoder": Vocoder(),
    }

    # Example inputs (also the parity reference). B = 2 everywhere; T = 32 mel frames.
    g = torch.Generator().manual_seed(1234)
    B, T, L, N = 2, 32, 7, 13
    clap_ids = torch.ones(B, CLAP_MAX_LEN, dtype=torch.long)
    clap_mask = torch.zeros(B, CLAP_MAX_LEN, dtype=torch.long)
    for b, n in enumerate([9, 5]):
        clap_ids[b, :n] = torch.randint(4, clap_vocab, (n,), generator=g)
        clap_ids[b, 0], clap_ids[b, n - 1] = 0, 2
        clap_mask[b, :n] = 1
    t5_ids = torch.zeros(B, T5_MAX_LEN, dtype=torch.long)
    t5_mask = torch.zeros(B, T5_MAX_LEN, dtype=torch.long)
    for b, n in enumerate([L, 4]):
        t5_ids[b, :n] = torch.randint(3, t5_vocab, (n,), generator=g)
        t5_ids[b, n - 1] = 1
        t5_mask[b, :n] = 1
    inputs = {
        "clap_text": (clap_ids, clap_mask),
        "clap_audio": (torch.randn(B, 1, 1001, MEL_BINS, generator=g) * 20 - 40,
                       torch.tensor([[False], [True]])),
        "t5_encoder": (t5_ids, t5_mask),
        "projection": (torch.randn(B, 1, CLAP_DIM, generator=g) * 0.05,
                       torch.randn(B, L, T5_DIM, generator=g),
                       t5_mask[:, :L].clone()),
        "gpt2": (torch.randn(B, N, GPT2_DIM, generator=g), torch.tensor([[1] * N, [1] * (N - 3) + [0] * 3])),
        "unet": (torch.randn(B, LATENT_CHANNELS, T // VAE_DOWN, MEL_BINS // VAE_DOWN, generator=g),
                 torch.tensor([981.0, 981.0]),
                 torch.randn(B, 8, GPT2_DIM, generator=g),
                 torch.randn(B, L, T5_DIM, generator=g),
                 t5_mask[:, :L].clone()),
        "vae_encoder": (torch.randn(B, 1, T, MEL_BINS, generator=g) * 2 - 5,),
        "vae_decoder": (torch.randn(B, LATENT_CHANNELS, T // VAE_DOWN, MEL_BINS // VAE_DOWN, generator=g),),
        "vocoder": (torch.randn(B, T, MEL_BINS, generator=g) * 2 - 5,),
    }
    io_specs = {
        "clap_text": ([spec("input_ids", "int64", ["B", CLAP_MAX_LEN]), spec("attention_mask", "int64", ["B", CLAP_MAX_LEN])],
                      [spec("text_embeds", "float32", ["B", CLAP_DIM])]),
        "clap_audio": ([spec("input_features", "float32", ["B", 1, 1001, MEL_BINS]), spec("is_longer", "bool", ["B", 1])],
                       [spec("audio_embeds", "float32", ["B", CLAP_DIM])]),
        "t5_encoder": ([spec("input_ids", "int64", ["B", T5_MAX_LEN]), spec("attention_mask", "int64", ["B", T5_MAX_LEN])],
                       [spec("last_hidden_state", "float32", ["B", T5_MAX_LEN, T5_DIM])]),
        "projection": ([spec("clap_embeds", "float32", ["B", 1, CLAP_DIM]), spec("t5_hidden", "float32", ["B", "L", T5_DIM]),
                        spec("t5_mask", "int64", ["B", "L"])],
                       [spec("hidden_states", "float32", ["B", "L+5", GPT2_DIM]), spec("attention_mask", "int64", ["B", "L+5"])]),
        "gpt2": ([spec("inputs_embeds", "float32", ["B", "N", GPT2_DIM]), spec("attention_mask", "int64", ["B", "N"])],
                 [spec("last_hidden_state", "float32", ["B", "N", GPT2_DIM])]),
        "unet": ([spec("sample", "float32", ["B", LATENT_CHANNELS, "H", MEL_BINS // VAE_DOWN]), spec("timestep", "float32", ["B"]),
                  spec("encoder_hidden_states", "float32", ["B", 8, GPT2_DIM]),
                  spec("encoder_hidden_states_1", "float32", ["B", "L", T5_DIM]),
                  spec("encoder_attention_mask_1", "int64", ["B", "L"])],
                 [spec("noise_pred", "float32", ["B", LATENT_CHANNELS, "H", MEL_BINS // VAE_DOWN])]),
        "vae_encoder": ([spec("mel", "float32", ["B", 1, "T", MEL_BINS])],
                        [spec("moments", "float32", ["B", 2 * LATENT_CHANNELS, "T/4", MEL_BINS // VAE_DOWN])]),
        "vae_decoder": ([spec("z", "float32", ["B", LATENT_CHANNELS, "T/4", MEL_BINS // VAE_DOWN])],
                        [spec("mel", "float32", ["B", 1, "T", MEL_BINS])]),
        "vocoder": ([spec("mel", "float32", ["B", "T", MEL_BINS])],
                    [spec("waveform", "float32", ["B", "160*T+32"])]),
    }

    components = {}
    reference = {}
    for name, module in modules.items():
        module.eval()
        scripted = torch.jit.script(module)
        fname = name + ".pt"
        path = os.path.join(out, fname)
        scripted.save(path)
        loaded = torch.jit.load(path)
        with torch.no_grad():
            eager = module(*inputs[name])
            outs = loaded(*inputs[name])
        if not isinstance(outs, tuple):
            outs, eager = (outs,), (eager,)
        for a, b in zip(outs, eager):
            if a.is_floating_point():
                assert torch.allclose(a, b, atol=1e-6), name
                assert torch.isfinite(a).all(), name
            else:
                assert torch.equal(a, b), name
        ins_spec, outs_spec = io_specs[name]
        components[name] = {
            "file": fname,
            "sha256": sha256(path),
            "dtype": "float32",
            "optional": name == "clap_audio",
            "inputs": ins_spec,
            "outputs": outs_spec,
        }
        ref = {"inputs": [], "outputs": []}
        for i, t in enumerate(inputs[name]):
            rel = "reference/%s.in%d.npy" % (name, i)
            save_npy(os.path.join(out, rel), t)
            ref["inputs"].append(rel)
        for i, t in enumerate(outs):
            rel = "reference/%s.out%d.npy" % (name, i)
            save_npy(os.path.join(out, rel), t)
            ref["outputs"].append(rel)
        reference[name] = ref

    with open(os.path.join(out, "reference", "index.json"), "w") as f:
        json.dump({"kind": "component_io", "tolerance_abs": 1e-5, "components": reference}, f, indent=1)

    manifest = {
        "format_version": FORMAT_VERSION,
        "model_id": "audioldm4j/tiny-random",
        "description": "Tiny random stand-in with the exact I/O contract of cvssp/audioldm2 exports; for tests only.",
        "sample_rate": 16000,
        "mel": {"n_fft": 1024, "hop": HOP, "win": 1024, "n_mels": MEL_BINS, "f_min": 0.0, "f_max": 8000.0,
                "log_clamp": 1e-5},
        "vae": {"scaling_factor": 0.4110932946205139, "downsample": VAE_DOWN, "latent_channels": LATENT_CHANNELS,
                "mel_bins": MEL_BINS},
        "scheduler": {"_class_name": "DDIMScheduler", "_diffusers_version": "0.21.0.dev0",
                      "beta_end": 0.0195, "beta_schedule": "scaled_linear", "beta_start": 0.0015,
                      "clip_sample": False, "clip_sample_range": 1.0, "dynamic_thresholding_ratio": 0.995,
                      "num_train_timesteps": 1000, "prediction_type": "epsilon", "rescale_betas_zero_snr": False,
                      "sample_max_value": 1.0, "set_alpha_to_one": False, "steps_offset": 1,
                      "thresholding": False, "timestep_spacing": "leading", "trained_betas": None},
        "defaults": {"num_inference_steps": 200, "guidance_scale": 3.5, "audio_length_s": 10.24, "eta": 0.0,
                     "max_new_tokens": 8},
        "tokenizers": {"clap_max_length": CLAP_MAX_LEN, "t5_max_length": T5_MAX_LEN,
                       "files": {
                           "clap": {"file": "tokenizers/clap.json", "pad_id": 1,
                                    "sha256": sha256(os.path.join(out, "tokenizers", "clap.json"))},
                           "t5": {"file": "tokenizers/t5.json", "pad_id": 0,
                                  "sha256": sha256(os.path.join(out, "tokenizers", "t5.json"))}}},
        "components": components,
        "export": {"tool": TOOL_VERSION, "torch": torch.__version__, "diffusers": None,
                   "date": "generated"},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    write_fixtures(os.path.join(os.path.dirname(os.path.abspath(out)), "fixtures"))
    print("wrote", out)


class NanDecoder(nn.Module):
    """vae_decoder contract, but every output is NaN (a stand-in for an fp16 overflow)."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        b, _, t, _ = z.shape
        return torch.full((b, 1, t * 4, 64), float("nan"), dtype=z.dtype, device=z.device) + z.sum() * 0


def write_fixtures(folder):
    """Bad-model fixtures for error-path tests (kept outside the bundle so its checksums hold)."""
    os.makedirs(folder, exist_ok=True)
    torch.jit.script(NanDecoder()).save(os.path.join(folder, "nan_vae_decoder.pt"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny-bundle"))
