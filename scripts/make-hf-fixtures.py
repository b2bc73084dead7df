#!/usr/bin/env python3
"""Build Hugging Face-style model folders (model.onnx + config.json + tokenizer / preprocessor files) for the tests.

Run from the repo root with Debian's Python (needs torch, onnx, numpy and Pillow; no `transformers`, no `tokenizers`):

    /usr/bin/python3 scripts/make-hf-fixtures.py

Neither `transformers` nor `tokenizers` is installable here (no internet), so the files they would write are written
as they write them: `tokenizer.json` in the tokenizers library's serialisation of a BERT WordPiece tokenizer, and the
reference token ids come from a port of google-research/bert's `tokenization.py` (BasicTokenizer + WordpieceTokenizer),
which is what `BertTokenizer` implements. The models are trained for real (seeded, a few seconds on CPU) and exported
with torch.onnx.export the way a notebook does (named inputs, dynamic batch and sequence axes).

Writes test/fixtures/hf/<folder>/ and an `expected.json` in each.
"""
import base64
import json
import os
import re
import unicodedata

import numpy as np
import onnx
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "hf")
torch.manual_seed(0)
np.random.seed(0)


def write_json(folder, name, value):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def export(model, args, path, input_names, output_names, dynamic_axes):
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=17, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def train(model, n, epochs, batch, lr, loss):
    """Adam over shuffled mini-batches of the n examples; `loss(indices)` is the batch's loss."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(n)
        for b in range(0, n, batch):
            opt.zero_grad()
            loss(perm[b: b + batch]).backward()
            opt.step()


# --------------------------------------------------------------------------- BERT WordPiece (tokenization.py port)

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def is_ws(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_ctrl(c):
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf")


def is_punc(c):
    cp = ord(c)
    return (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126) or unicodedata.category(c).startswith("P")


def basic_tokens(text):
    text = "".join(" " if is_ws(c) else c for c in text if not (ord(c) in (0, 0xFFFD) or is_ctrl(c)))
    out = []
    for tok in text.split():
        tok = unicodedata.normalize("NFD", tok.lower())
        tok = "".join(c for c in tok if unicodedata.category(c) != "Mn")
        cur = ""
        for c in tok:
            if is_punc(c):
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(c)
            else:
                cur += c
        if cur:
            out.append(cur)
    return out


def wordpiece(tok, vocab, max_chars=100):
    if len(tok) > max_chars:
        return ["[UNK]"]
    out, start = [], 0
    while start < len(tok):
        end, cur = len(tok), None
        while start < end:
            s = tok[start:end] if start == 0 else "##" + tok[start:end]
            if s in vocab:
                cur = s
                break
            end -= 1
        if cur is None:
            return ["[UNK]"]
        out.append(cur)
        start = end
    return out


def bert_encode(text, vocab, max_length):
    """BertTokenizer(text, truncation=True, max_length=max_length): content cut first, then [CLS] ... [SEP]."""
    parts = re.split("(" + "|".join(re.escape(s) for s in SPECIALS) + ")", text)
    toks = []
    for p in parts:
        if p in SPECIALS:
            toks.append(p)
        else:
            for w in basic_tokens(p):
                toks += wordpiece(w, vocab)
    truncated = len(toks) > max_length - 2
    toks = ["[CLS]"] + toks[: max_length - 2] + ["[SEP]"]
    return toks, [vocab[t] for t in toks], truncated


def tokenizer_json(vocab):
    """What `BertTokenizerFast.save_pretrained` writes as tokenizer.json (tokenizers 0.13+ serialisation)."""
    def added(t):
        return {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(t) for t in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [vocab["[SEP]"]], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


# --------------------------------------------------------------------------- text: support-ticket intents

INTENTS = ["billing", "delivery", "praise"]
SUBJECTS = {
    "billing": ["my invoice", "the bill", "my card", "the refund", "the payment", "my subscription", "the charge",
                "the price", "my account balance", "the receipt"],
    "delivery": ["my parcel", "the package", "the order", "the courier", "the shipment", "my delivery",
                 "the box", "the tracking number", "the driver", "the shipping"],
    "praise": ["your team", "the support", "the service", "this app", "the staff", "your product",
               "the new design", "the help desk", "the quality", "your agent"],
}
TEMPLATES = {
    "billing": ["i was charged twice for {s}", "why is {s} so expensive", "please refund {s}",
                "{s} shows a wrong amount", "i cannot pay {s}", "there is an extra fee on {s}",
                "cancel {s} and stop charging me", "{s} was billed after i cancelled"],
    "delivery": ["{s} has not arrived yet", "where is {s}", "{s} arrived damaged", "{s} is late again",
                 "{s} was delivered to the wrong address", "{s} is stuck in transit",
                 "when will {s} be shipped", "{s} never showed up"],
    "praise": ["thank you so much, {s} is wonderful", "i love {s}", "{s} is great, well done",
               "{s} was really helpful", "amazing work by {s}", "{s} made my day",
               "{s} is fantastic, thanks", "really happy with {s}"],
}
MAX_POSITIONS = 64
MODEL_MAX_LENGTH = 48


# Words every class uses (greetings, politeness, time), so that the model learns to look past them.
PREFIXES = ["", "hi, ", "hello! ", "hey team, ", "good morning. "]
SUFFIXES = ["", "?", "!", ". please help", ". it has been a week", ". thanks", ". any update?", ". this is the second time",
            ". i have been waiting for days", ". can you check"]


def intent_corpus():
    rng = np.random.default_rng(1)
    rows = []
    for label, templates in TEMPLATES.items():
        for t in templates:
            for s in SUBJECTS[label]:
                for _ in range(3):
                    text = PREFIXES[rng.integers(len(PREFIXES))] + t.format(s=s) + SUFFIXES[rng.integers(len(SUFFIXES))]
                    rows.append((text, INTENTS.index(label)))
    return rows


class TinyBert(torch.nn.Module):
    """Embeddings (word + position + token type, LayerNorm) -> one self-attention block -> [CLS] pooler -> classifier."""

    def __init__(self, vocab_size, hidden=32, heads=2, labels=3):
        super().__init__()
        self.heads = heads
        self.word = torch.nn.Embedding(vocab_size, hidden)
        self.position = torch.nn.Embedding(MAX_POSITIONS, hidden)
        self.token_type = torch.nn.Embedding(2, hidden)
        self.norm1 = torch.nn.LayerNorm(hidden)
        self.qkv = torch.nn.Linear(hidden, 3 * hidden)
        self.out = torch.nn.Linear(hidden, hidden)
        self.norm2 = torch.nn.LayerNorm(hidden)
        self.ff = torch.nn.Sequential(torch.nn.Linear(hidden, 64), torch.nn.GELU(), torch.nn.Linear(64, hidden))
        self.norm3 = torch.nn.LayerNorm(hidden)
        self.pooler = torch.nn.Linear(hidden, hidden)
        self.classifier = torch.nn.Linear(hidden, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        n, t = input_ids.shape
        positions = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.norm1(self.word(input_ids) + self.position(positions) + self.token_type(token_type_ids))
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        d = q.shape[-1] // self.heads
        split = lambda z: z.reshape(n, t, self.heads, d).transpose(1, 2)  # noqa: E731
        scores = split(q) @ split(k).transpose(-1, -2) / (d ** 0.5)
        scores = scores + (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        a = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(n, t, -1)
        x = self.norm2(x + self.out(a))
        x = self.norm3(x + self.ff(x))
        return self.classifier(torch.tanh(self.pooler(x[:, 0])))


def text_intent():
    folder = os.path.join(OUT, "text-intent")
    os.makedirs(folder, exist_ok=True)
    rows = intent_corpus()
    words = sorted({w for text, _ in rows for w in basic_tokens(text)})
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    # Whole words of the corpus, common suffixes and every letter (alone and as a continuation), so that an unseen
    # word is split into pieces as a real WordPiece vocabulary splits it, rather than becoming [UNK].
    pieces = SPECIALS + words + ["##s", "##ed", "##ing", "##ly", "##er"] + letters + ["##" + c for c in letters] + list("0123456789.,!?'-")
    vocab = {t: i for i, t in enumerate(dict.fromkeys(pieces))}

    encoded = [bert_encode(text, vocab, MODEL_MAX_LENGTH)[1] for text, _ in rows]
    width = max(len(e) for e in encoded)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, e in enumerate(encoded):
        ids[i, : len(e)] = torch.tensor(e)
        mask[i, : len(e)] = 1
    labels = torch.tensor([y for _, y in rows])
    model = TinyBert(len(vocab))
    train(model, len(rows), epochs=25, batch=32, lr=3e-3,
          loss=lambda idx: torch.nn.functional.cross_entropy(model(ids[idx], mask[idx], torch.zeros_like(ids[idx])), labels[idx]))
    model.eval()
    with torch.no_grad():
        accuracy = (model(ids, mask, torch.zeros_like(ids)).argmax(-1) == labels).float().mean().item()
    print(f"text-intent: training accuracy {accuracy:.3f} on {len(rows)} sentences, vocabulary {len(vocab)}")

    example = bert_encode("where is my parcel", vocab, MODEL_MAX_LENGTH)[1]
    t = torch.tensor([example])
    export(model, (t, torch.ones_like(t), torch.zeros_like(t)), os.path.join(folder, "model.onnx"),
           ["input_ids", "attention_mask", "token_type_ids"], ["logits"],
           {name: {0: "batch_size", 1: "sequence_length"} for name in ["input_ids", "attention_mask", "token_type_ids"]}
           | {"logits": {0: "batch_size"}})
    write_json(folder, "config.json", {
        "_name_or_path": "tiny-support-intents",
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "hidden_size": 32, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 64,
        "max_position_embeddings": MAX_POSITIONS, "type_vocab_size": 2, "vocab_size": len(vocab),
        "id2label": {str(i): name for i, name in enumerate(INTENTS)},
        "label2id": {name: i for i, name in enumerate(INTENTS)},
        "problem_type": "single_label_classification",
        "torch_dtype": "float32", "transformers_version": "4.46.0",
    })
    write_json(folder, "tokenizer.json", tokenizer_json(vocab))
    write_json(folder, "tokenizer_config.json", {
        "added_tokens_decoder": {str(vocab[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                                 "single_word": False, "special": True} for t in SPECIALS},
        "clean_up_tokenization_spaces": True, "cls_token": "[CLS]", "do_lower_case": True, "mask_token": "[MASK]",
        "model_max_length": MODEL_MAX_LENGTH, "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": None,
        "tokenize_chinese_chars": True, "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]",
    })
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")

    sentences = [
        "Where is my parcel? It has not arrived yet.",
        "I was charged twice for my subscription!",
        "Thank you, the support team was wonderful.",
        "The courier delivered my box to the wrong address",
        "Why is the invoice so expensive?",
        "Hello, my order is late and the tracking number does not work",
        "Great job, your agent was really helpful!",
        "Unbelievable: the Café's [MASK] naïve résumé\ttabs and\nnewlines",
        "",
        " ".join(["the refund was billed after i cancelled my subscription"] * 12),
    ]
    cases = []
    for s in sentences:
        tokens, token_ids, truncated = bert_encode(s, vocab, MODEL_MAX_LENGTH)
        t = torch.tensor([token_ids])
        with torch.no_grad():
            logits = model(t, torch.ones_like(t), torch.zeros_like(t))[0]
        cases.append({"text": s, "tokens": tokens, "input_ids": token_ids,
                      "truncated": truncated,
                      "logits": [round(float(v), 6) for v in logits], "label": INTENTS[int(logits.argmax())]})
    write_json(folder, "expected.json", {
        "source": "token ids: BertTokenizer rules (google-research/bert tokenization.py port) with truncation to "
                  "model_max_length; logits: the PyTorch model before export",
        "model_max_length": MODEL_MAX_LENGTH, "cases": cases})


# --------------------------------------------------------------------------- image: colour classifier (ImageNet statistics)

COLOURS = ["red", "green", "blue", "yellow"]
RGB = {"red": (200, 30, 40), "green": (40, 170, 60), "blue": (30, 60, 200), "yellow": (230, 210, 40)}
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
SIDE = 32


def pixel_values(img):
    """ViTImageProcessor: PIL resize to 32x32 (BICUBIC, on the uint8 picture), * 1/255, (x - mean) / std, CHW."""
    x = np.asarray(img.convert("RGB").resize((SIDE, SIDE), resample=Image.BICUBIC), dtype=np.float32) * np.float32(1 / 255)
    x = (x - np.array(IMAGENET_MEAN, dtype=np.float32)) / np.array(IMAGENET_STD, dtype=np.float32)
    return x.transpose(2, 0, 1)


def colour_picture(rng, colour, w, h):
    """A blob of the colour on a random light or dark background, with noise (so the class is the blob, not the frame)."""
    bg = rng.integers(0, 255, size=3)
    a = np.ones((h, w, 3)) * bg
    cx, cy, r = rng.integers(w // 3, 2 * w // 3), rng.integers(h // 3, 2 * h // 3), rng.integers(min(w, h) // 4, min(w, h) // 2)
    yy, xx = np.mgrid[0:h, 0:w]
    a[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = np.array(RGB[colour]) + rng.normal(0, 15, size=3)
    a += rng.normal(0, 10, size=a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def image_colours():
    folder = os.path.join(OUT, "image-colours")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    xs, ys = [], []
    for i in range(800):
        colour = COLOURS[i % 4]
        xs.append(pixel_values(colour_picture(rng, colour, int(rng.integers(24, 90)), int(rng.integers(24, 90)))))
        ys.append(i % 4)
    X, Y = torch.tensor(np.stack(xs)), torch.tensor(ys)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveMaxPool2d(1), torch.nn.Flatten(),
        torch.nn.Linear(16, len(COLOURS)))
    train(model, len(Y), epochs=15, batch=64, lr=1e-2, loss=lambda idx: torch.nn.functional.cross_entropy(model(X[idx]), Y[idx]))
    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(-1) == Y).float().mean().item()
    print(f"image-colours: training accuracy {accuracy:.3f}")
    export(model, (torch.zeros(1, 3, SIDE, SIDE),), os.path.join(folder, "model.onnx"), ["pixel_values"], ["logits"],
           {"pixel_values": {0: "batch_size"}, "logits": {0: "batch_size"}})
    write_json(folder, "config.json", {
        "_name_or_path": "tiny-colour-classifier", "architectures": ["ViTForImageClassification"], "model_type": "vit", "image_size": SIDE, "num_channels": 3,
        "id2label": {str(i): c for i, c in enumerate(COLOURS)}, "label2id": {c: i for i, c in enumerate(COLOURS)},
        "problem_type": "single_label_classification", "transformers_version": "4.46.0",
    })
    write_json(folder, "preprocessor_config.json", {
        "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": IMAGENET_MEAN, "image_std": IMAGENET_STD,
        "image_processor_type": "ViTImageProcessor", "resample": 3, "rescale_factor": 0.00392156862745098,
        "size": {"height": SIDE, "width": SIDE},
    })
    # A test picture: not square, not the model's size, a yellow blob on blue-grey (an RGB PNG, no alpha, no ICC).
    picture = colour_picture(np.random.default_rng(7), "yellow", 120, 80)
    picture.save(os.path.join(folder, "yellow-blob.png"), optimize=False)
    decoded = Image.open(os.path.join(folder, "yellow-blob.png"))
    pv = pixel_values(decoded)
    with torch.no_grad():
        logits = model(torch.tensor(pv)[None])[0]
    write_json(folder, "expected.json", {
        "source": "pixel_values: PIL 9.4 resize BICUBIC + numpy rescale/normalize (ViTImageProcessor's steps); logits: PyTorch",
        "cases": [{"picture": "yellow-blob.png", "label": COLOURS[int(logits.argmax())],
                   # The decoded picture's RGB bytes (row-major), for the unit test of the page's resize in Node.
                   "rgb": {"width": decoded.width, "height": decoded.height,
                           "base64": base64.b64encode(np.asarray(decoded.convert("RGB"), dtype=np.uint8).tobytes()).decode("ascii")},
                   "logits": [round(float(v), 6) for v in logits],
                   "pixel_values": {"shape": [1, 3, SIDE, SIDE], "data": [round(float(v), 7) for v in pv.reshape(-1)]}}]})


# --------------------------------------------------------------------------- outputs as pictures and sequences


class RedMask(torch.nn.Module):
    """A probability map of 'red' pixels: sigmoid(8 * (r - (g + b) / 2)) on the un-normalised picture, [N, 1, H, W]."""

    def forward(self, pixel_values):
        x = pixel_values * 0.5 + 0.5  # undo mean/std 0.5
        r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
        return torch.sigmoid(12 * (r - (g + b) / 2 - 0.3))


def mask_red():
    folder = os.path.join(OUT, "mask-red")
    os.makedirs(folder, exist_ok=True)
    export(RedMask(), (torch.zeros(1, 3, SIDE, SIDE),), os.path.join(folder, "model.onnx"), ["pixel_values"], ["mask"],
           {"pixel_values": {0: "batch_size"}, "mask": {0: "batch_size"}})
    write_json(folder, "preprocessor_config.json", {
        "do_normalize": True, "do_rescale": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
        "image_processor_type": "SegformerImageProcessor", "resample": 2, "rescale_factor": 0.00392156862745098,
        "size": {"height": SIDE, "width": SIDE}})
    # A red disc left of centre on grey: the map is high inside the disc, low elsewhere.
    a = np.full((SIDE, SIDE, 3), 128, dtype=np.uint8)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    a[(xx - 10) ** 2 + (yy - 16) ** 2 < 36] = (220, 20, 30)
    Image.fromarray(a).save(os.path.join(folder, "red-disc.png"))


class OneHotSteps(torch.nn.Module):
    """A stand-in recogniser: each step's code (0 = blank, 1..3 = a, b, c) becomes that class's score, [N, T, 4]."""

    def forward(self, codes):
        steps = torch.arange(4, dtype=torch.float32).reshape(1, 1, 4)
        return 5.0 - 5.0 * (codes.unsqueeze(-1) - steps).abs().clamp(max=1.0)


def ctc_steps():
    folder = os.path.join(OUT, "ctc-steps")
    os.makedirs(folder, exist_ok=True)
    export(OneHotSteps(), (torch.zeros(1, 8),), os.path.join(folder, "model.onnx"), ["codes"], ["logits"],
           {"codes": {0: "batch_size", 1: "steps"}, "logits": {0: "batch_size", 1: "steps"}})
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("<blank>\na\nb\nc\n")


# --------------------------------------------------------------------------- audio: high or low tone


class ToneHeight(torch.nn.Module):
    """Zero-crossing rate of the waveform: a 440 Hz tone at 16 kHz crosses 0.055 times a sample, 3 kHz 0.375."""

    def forward(self, input_values):
        crossings = ((input_values[:, 1:] * input_values[:, :-1]) < 0).float().mean(dim=1, keepdim=True)
        return torch.cat([40 * (0.15 - crossings), 40 * (crossings - 0.15)], dim=1)


def write_wav(path, rate, channels, seconds, hz):
    import wave
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.5 * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(tone[:, None], channels, axis=1).tobytes())


def audio_tone():
    folder = os.path.join(OUT, "audio-tone")
    os.makedirs(folder, exist_ok=True)
    export(ToneHeight(), (torch.zeros(1, 16000),), os.path.join(folder, "model.onnx"), ["input_values"], ["logits"],
           {"input_values": {0: "batch_size", 1: "samples"}, "logits": {0: "batch_size"}})
    write_json(folder, "config.json", {"_name_or_path": "tone-height", "id2label": {"0": "low tone", "1": "high tone"},
                                       "label2id": {"low tone": 0, "high tone": 1}, "problem_type": "single_label_classification"})
    write_json(folder, "preprocessor_config.json", {"do_normalize": False, "feature_extractor_type": "Wav2Vec2FeatureExtractor",
                                                    "feature_size": 1, "padding_side": "right", "padding_value": 0.0,
                                                    "return_attention_mask": False, "sampling_rate": 16000})
    # 1 s at 44.1 kHz stereo (the page resamples to 16 kHz mono): a 3 kHz tone, and a 440 Hz one at 8 kHz mono.
    write_wav(os.path.join(folder, "high-3khz-44k-stereo.wav"), 44100, 2, 1.0, 3000)
    write_wav(os.path.join(folder, "low-440hz-8k-mono.wav"), 8000, 1, 0.5, 440)


if __name__ == "__main__":
    audio_tone()
    text_intent()
    image_colours()
    mask_red()
    ctc_steps()
