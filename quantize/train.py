"""``edge train``: LoRA fine-tuning with peft on CPU (a GPU is used when present, never needed).

A plain torch loop instead of transformers' Trainer: fewer moving parts, exact control of the
seed, the early stop and what is saved (safetensors adapter + a training record).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from edge.errors import BuildError, DataError
from edge.fsutil import staged_dir
from edge.manifest import sha256_file
from edge.specs import TaskSpec
from edge.tokenization import load_tokenizer, show_line_breaks
from quantize.data import records_sha256
from quantize.families import BERT, Family, special_ids
from quantize.merge import load_base_with_head
from quantize.newtask import SPEC_FILE, VALIDATION_FILE, spec_toml
from quantize.sources import ADAPTER_RECORD, PEFT_TASK_TYPES, open_base


@dataclass
class TrainConfig:
    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    target_modules: tuple[str, ...] | None = None  # default: the base family's (quantize.families)
    val_fraction: float = 0.1
    patience: int = 2
    # What early stopping watches. Accuracy, not loss: on CLINC150 the validation loss rose from
    # epoch 3 (the head grows confident) while validation accuracy kept rising to epoch 10
    # (0.93 → 0.96); stopping on the loss kept the epoch-3 model.
    monitor: str = "val_accuracy"
    seed: int = 0
    max_length: int | None = None  # default: the task's
    # Distillation (train(teacher=...)): loss = alpha * CE(gold) + (1 - alpha) * T^2 * KL(teacher
    # || student) at temperature T, over every real token (PII) or text (intent).
    distill_alpha: float = 0.5
    distill_temperature: float = 2.0
    # Recall first (token tasks): the class weight of O in the gold cross-entropy (1.0: plain
    # CE). Below 1, a token of an entity tagged O (a miss: PII left in clear) costs more than
    # an O token tagged as an entity (a spurious span, redacted on the safe side). Why a class
    # weight and not a decode-time cut: scaling P(O) after training bought little recall back
    # (issue 17, round 3: x0.1 on P(O), dev any-type recall 0.954 -> 0.964, F1 0.758 -> 0.751).
    o_weight: float = 1.0
    # A time slot (a lent GPU, CI): no epoch starts that would end, at the last epoch's pace,
    # past this many minutes; the best epoch so far is kept, as with early stopping.
    max_minutes: float | None = None
    threads: int | None = None
    device: str | None = None  # default: cuda when available, else cpu


def oversample_records(records: list[dict], factors: dict[str, int]) -> list[dict]:
    """Repeat the records of rare labels (e.g. CLINC150's 100 out-of-scope examples)."""
    if not factors:
        return records
    out = []
    for r in records:
        out.extend([r] * factors.get(r.get("label", ""), 1))
    return out


def _encode(tokenizer, records: list[dict], spec: TaskSpec, max_length: int, family: Family = BERT):
    """Token ids with [CLS]/[SEP] (the family's) and, per record, the label ids (-100 where
    ignored)."""
    label2id = {lbl: i for i, lbl in enumerate(spec.model_labels)}
    encs = tokenizer.encode_batch([r["text"] for r in records], add_special_tokens=False)
    specials = special_ids(tokenizer, family)
    cls_id, sep_id = specials["cls"], specials["sep"]
    out = []
    for rec, enc in zip(records, encs, strict=True):
        ids = [cls_id, *enc.ids[: max_length - 2], sep_id]
        if spec.kind == "sequence-classification":
            out.append((ids, label2id[rec["label"]] if "label" in rec else -100))
            continue
        if "spans" not in rec:  # unlabelled: only the teacher's soft labels teach it
            out.append((ids, [-100] * len(ids)))
            continue
        labels = [-100]
        seen: set[int] = set()
        for start, end in enc.offsets[: max_length - 2]:
            tag = "O"
            for k, sp in enumerate(rec["spans"]):
                if start < sp["end"] and end > sp["start"]:
                    tag = ("I-" if k in seen else "B-") + sp["label"]
                    seen.add(k)
                    break
            labels.append(label2id[tag])
        labels.append(-100)
        out.append((ids, labels))
    return out


def _batches(encoded, order, batch_size: int, pad_id: int, token_task: bool):
    import torch

    for b in range(0, len(order), batch_size):
        chunk = [encoded[i] for i in order[b : b + batch_size]]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        if token_task:
            labels = torch.full((len(chunk), width), -100, dtype=torch.long)
        else:
            labels = torch.zeros(len(chunk), dtype=torch.long)
        for row, (seq, lab) in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
            if token_task:
                labels[row, : len(lab)] = torch.tensor(lab)
            else:
                labels[row] = lab
        yield ids, mask, labels


def _evaluate(model, encoded, batch_size, pad_id, token_task, device) -> dict[str, float]:
    import torch

    model.eval()
    loss_sum, n_batches, correct, total = 0.0, 0, 0, 0
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]))
    with torch.inference_mode():
        for batch in _batches(encoded, order, batch_size, pad_id, token_task):
            ids, mask, labels = (t.to(device) for t in batch)
            out = model(input_ids=ids, attention_mask=mask, labels=labels)
            loss_sum += float(out.loss)
            n_batches += 1
            pred = out.logits.argmax(-1)
            keep = labels != -100
            correct += int((pred[keep] == labels[keep]).sum())
            total += int(keep.sum())
    model.train()
    return {"val_loss": loss_sum / max(1, n_batches), "val_accuracy": correct / max(1, total)}


MONITORS = ("val_accuracy", "val_loss")


def _better(metrics: dict, best: dict, monitor: str) -> bool:
    """Higher accuracy (ties: lower loss) or lower loss, per ``monitor``."""
    if monitor == "val_loss":
        return metrics["val_loss"] < best["val_loss"]
    key = (metrics["val_accuracy"], -metrics["val_loss"])
    return key > (best["val_accuracy"], -best["val_loss"])


def _load_teacher(teacher: tuple[str | Path, str | Path], spec: TaskSpec, student_base, tokenizer):
    """The teacher, merged and frozen; what the adapter record says of it; and the map from the
    student's token ids to the teacher's (None when both bases share one tokenizer)."""
    from quantize.merge import merge
    from quantize.sources import check_compatible, open_adapter

    try:
        t_base, t_adapter = open_base(teacher[0], export=False), open_adapter(teacher[1])
        to_teacher = _teacher_token_map(tokenizer, student_base, t_base)  # before the slow merge
        check_compatible(t_base, t_adapter, spec)
        model = merge(t_base, t_adapter, spec).float()  # fp32 whatever the weights' dtype
    except BuildError as e:
        raise BuildError(f"teacher: {e}") from None
    for p in model.parameters():
        p.requires_grad_(False)
    record = {
        "base_name": t_base.name,
        "base_sha256": t_base.sha256(),
        "adapter_sha256": t_adapter.sha256(),
        "layers": t_base.config["num_hidden_layers"],
        "model_type": t_base.family.model_type,
        # "mapped": the student's ids were rewritten into the teacher's vocabulary
        "token_ids": "shared" if to_teacher is None else "mapped",
    }
    return model, record, to_teacher


def _teacher_token_map(tokenizer, student_base, teacher_base):
    """A LongTensor: student token id -> teacher token id of the same string (the specials by
    role: [CLS] -> <s>, [SEP] -> </s>, [PAD] -> <pad>, ...); None for the same tokenizer.json.

    Why: all-mpnet-base-v2 holds MiniLM's 30,522 word pieces, which split text identically, at
    other ids (5 specials come first). Feeding the teacher the student's pieces, renamed, keeps
    the student's tokenization and labels and gives the teacher one logit row per student
    token, which the per-token KL needs. A student token the teacher lacks has no such row:
    refused, as a silent stand-in would teach nonsense for it.
    """
    import torch

    t_file = teacher_base.path / "tokenizer.json"
    if sha256_file(t_file) == sha256_file(student_base.path / "tokenizer.json"):
        return None
    role = {token: r for r, token in student_base.family.specials.items()}
    t_tok = load_tokenizer(t_file, BuildError)
    t_vocab, t_special = (
        t_tok.get_vocab(with_added_tokens=True),
        special_ids(t_tok, teacher_base.family),
    )
    s_vocab = tokenizer.get_vocab(with_added_tokens=True)
    table = torch.zeros(max(s_vocab.values()) + 1, dtype=torch.long)
    missing = []
    for token, sid in s_vocab.items():
        tid = t_special[role[token]] if token in role else t_vocab.get(token)
        if tid is None:
            missing.append(token)
        else:
            table[sid] = tid
    if missing:
        shown = ", ".join(repr(t) for t in sorted(missing)[:8])
        raise BuildError(
            f"its base {teacher_base.name} has no token for {len(missing)} of the student "
            f"base {student_base.name}'s tokens ({shown}{', ...' if len(missing) > 8 else ''}); "
            "distil from a teacher whose vocabulary holds every student word piece (e.g. "
            "all-mpnet-base-v2 for all-MiniLM-L6-v2), or train the student on the teacher's base"
        )
    return table


def _teacher_logits(teacher_model, to_teacher, ids, mask):
    """The teacher's logits for the student's batch, its ids mapped into the teacher's vocab."""
    import torch

    with torch.no_grad():
        t_ids = ids if to_teacher is None else to_teacher[ids]
        return teacher_model(input_ids=t_ids, attention_mask=mask).logits


def gold_loss(out, labels, token_task: bool, cfg: TrainConfig, o_id: int | None):
    """Cross-entropy on the gold labels (-100 ignored), O weighted by ``cfg.o_weight``.

    At ``o_weight`` 1 it is the model's own loss (``out.loss``), as before the option. The
    weighted mean (sum of w*CE over sum of w) keeps the loss's scale comparable across batches
    with few or many entity tokens.
    """
    import torch.nn.functional as F

    if not token_task or cfg.o_weight == 1.0 or o_id is None:
        return out.loss
    logits = out.logits
    weight = logits.new_ones(logits.shape[-1])
    weight[o_id] = cfg.o_weight
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), weight=weight, ignore_index=-100
    )


def _distill_loss(student, teacher, mask, token_task: bool, cfg: TrainConfig):
    """T^2-scaled KL(teacher || student) at temperature T, averaged over real tokens/texts."""
    import torch.nn.functional as F

    t = cfg.distill_temperature
    log_p = F.log_softmax(student / t, dim=-1)
    q = F.softmax(teacher / t, dim=-1)
    kl = (q * (q.clamp_min(1e-12).log() - log_p)).sum(-1)
    if token_task:
        m = mask.to(kl.dtype)
        kl = (kl * m).sum() / m.sum().clamp_min(1.0)
    else:
        kl = kl.mean()
    return kl * t * t


def train(
    base: str | Path,
    spec: TaskSpec,
    records: list[dict],
    out_dir: str | Path,
    *,
    val_records: list[dict] | None = None,
    config: TrainConfig | None = None,
    force: bool = False,
    quiet: bool = False,
    console: Console | None = None,
    teacher: tuple[str | Path, str | Path] | None = None,
    data_source: dict | None = None,
    spec_comments: list[str] | None = None,
) -> dict:
    """Train a LoRA adapter; returns the training record written beside it.

    Beside the adapter also go the task spec (``task.toml``, with ``spec_comments`` on top) and
    the validation split (``validation.jsonl``), so ``edge build`` finds the spec without flags
    and judges each variant on the task's own labelled texts; ``data_source`` (where the
    training data is: ``quantize.data.Table.source``) lets ``edge eval`` fit its baseline on it.

    ``teacher`` = (base, adapter) of a trained model of the same task: the student also learns
    the teacher's soft labels (knowledge distillation), on unlabelled records (text only) too.
    Why: a base cut to its first layers (``all-MiniLM-L6-v2:L2``) is fast, and learns more
    from the 6-layer model's full label distributions than from the gold labels alone.
    """
    import torch
    from peft import LoraConfig, get_peft_model

    cfg = config or TrainConfig()
    if cfg.monitor not in MONITORS:
        raise BuildError(f"monitor must be one of {', '.join(MONITORS)}, not {cfg.monitor!r}")
    if cfg.o_weight <= 0:
        raise BuildError(f"o_weight must be above 0 (1: plain cross-entropy), not {cfg.o_weight}")
    if cfg.o_weight != 1.0 and spec.kind != "token-classification":
        raise BuildError(
            f"o_weight weighs the O tag of token tasks; task {spec.name!r} classifies texts: "
            "leave it at 1"
        )
    console = console or Console(stderr=True)
    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise BuildError(f"{out_dir} exists; pass --force to replace it")
    if not records:
        raise DataError("no training records")
    unlabelled = [r for r in records if "spans" not in r and "label" not in r]
    if unlabelled and teacher is None:
        raise DataError(
            f"{len(unlabelled)} training records have no labels (no spans/label); unlabelled "
            "texts teach only through a teacher: pass one (--teacher-adapter) or label them"
        )
    if unlabelled:  # validation needs gold labels: it is held out of the labelled records
        records = [r for r in records if "spans" in r or "label" in r]
    started = time.perf_counter()
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    if val_records is None:
        if len(records) < 10:
            raise DataError("need at least 10 records to hold out a validation split (or --val)")
        perm = rng.permutation(len(records))
        n_val = max(1, int(len(records) * cfg.val_fraction))
        val_records = [records[i] for i in perm[:n_val]]
        records = [records[i] for i in perm[n_val:]]
    records = records + unlabelled

    base_dir = open_base(base, export=False)  # an MPNet base is trained to teach
    family = base_dir.family
    cfg = replace(cfg, target_modules=tuple(cfg.target_modules or family.lora_targets))
    tokenizer = show_line_breaks(load_tokenizer(base_dir.path / "tokenizer.json", BuildError))
    pad_id = special_ids(tokenizer, family)["pad"]
    max_length = cfg.max_length or spec.max_length
    token_task = spec.kind == "token-classification"
    o_id = spec.model_labels.index("O") if token_task and "O" in spec.model_labels else None
    train_enc = _encode(tokenizer, records, spec, max_length, family)
    val_enc = _encode(tokenizer, val_records, spec, max_length, family)

    teacher_model, teacher_record, to_teacher = None, None, None
    if teacher is not None:
        teacher_model, teacher_record, to_teacher = _load_teacher(
            teacher, spec, base_dir, tokenizer
        )
    model = load_base_with_head(base_dir, spec)
    lora = LoraConfig(
        task_type=PEFT_TASK_TYPES[spec.kind],
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=list(cfg.target_modules),
    )
    model = get_peft_model(model.float(), lora)  # fp32 training whatever the weights dtype
    device = cfg.device or ("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    model.train()
    if teacher_model is not None:
        teacher_model.to(device)
        to_teacher = to_teacher.to(device) if to_teacher is not None else None
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps_per_epoch = -(-len(train_enc) // cfg.batch_size)
    total_steps = steps_per_epoch * cfg.epochs
    warmup = max(1, int(total_steps * cfg.warmup_ratio))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / (total_steps - warmup + 1))),
    )

    history: list[dict] = []
    best: dict | None = None
    best_state: dict | None = None
    bad_epochs = 0
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    with progress:
        bar = progress.add_task("training", total=total_steps, info="")
        for epoch in range(1, cfg.epochs + 1):
            epoch_started = time.perf_counter()
            order = rng.permutation(len(train_enc)).tolist()
            # group similar lengths inside chunks of 50 batches: less padding, still shuffled
            chunk = cfg.batch_size * 50
            order = [
                i
                for c in range(0, len(order), chunk)
                for i in sorted(order[c : c + chunk], key=lambda i: len(train_enc[i][0]))
            ]
            batches = list(_batches(train_enc, order, cfg.batch_size, pad_id, token_task))
            for k in rng.permutation(len(batches)):
                ids, mask, labels = (t.to(device) for t in batches[k])
                out = model(input_ids=ids, attention_mask=mask, labels=labels)
                # a batch of unlabelled texts has no gold term (its mean over nothing is nan)
                if bool((labels != -100).any()):
                    loss = gold_loss(out, labels, token_task, cfg, o_id)
                else:
                    loss = out.logits.new_zeros(())
                if teacher_model is not None:
                    soft = _teacher_logits(teacher_model, to_teacher, ids, mask)
                    kd = _distill_loss(out.logits, soft, mask, token_task, cfg)
                    loss = cfg.distill_alpha * loss + (1 - cfg.distill_alpha) * kd
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
                progress.update(bar, advance=1, info=f"epoch {epoch} loss {loss.item():.3f}")
            metrics = {"epoch": epoch, **_evaluate(model, val_enc, 64, pad_id, token_task, device)}
            history.append(metrics)
            if not quiet:  # a line per epoch also reaches logs that are not a terminal
                console.print(
                    f"epoch {epoch}: val_loss {metrics['val_loss']:.4f} "
                    f"val_accuracy {metrics['val_accuracy']:.4f}"
                )
            progress.update(
                bar,
                info=f"epoch {epoch} val_loss {metrics['val_loss']:.3f} "
                f"val_acc {metrics['val_accuracy']:.3f}",
            )
            if best is None or _better(metrics, best, cfg.monitor):
                best, bad_epochs = metrics, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad_epochs += 1
                if bad_epochs >= cfg.patience:
                    break
            if cfg.max_minutes is not None:
                now = time.perf_counter()
                if now + (now - epoch_started) > started + 60 * cfg.max_minutes:
                    break
    assert best_state is not None and best is not None
    model.load_state_dict(best_state)
    model.to("cpu")

    record = {
        "task": spec.name,
        "kind": spec.kind,
        "labels": spec.model_labels,
        **({"pooling": spec.pooling} if spec.kind == "sequence-classification" else {}),
        "base_name": base_dir.name,
        "base_sha256": base_dir.sha256(),
        "data_sha256": records_sha256(records),
        "val_sha256": records_sha256(val_records),
        "train_records": len(records),
        **({"unlabelled_records": len(unlabelled)} if unlabelled else {}),
        "val_records": len(val_records),
        "config": asdict(cfg),
        "oversampled_records": len(records),
        "history": history,
        "best": best,
        **({"teacher": teacher_record} if teacher_record else {}),
        **({"data": data_source} if data_source else {}),
        "spec_file": SPEC_FILE,
        "validation_file": VALIDATION_FILE,
        "seconds": round(time.perf_counter() - started, 1),
        "device": device,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    with staged_dir(out_dir) as tmp:
        model.save_pretrained(str(tmp), safe_serialization=True)
        (tmp / "README.md").unlink(missing_ok=True)
        cfg_path = tmp / "adapter_config.json"
        adapter_cfg = json.loads(cfg_path.read_text())
        adapter_cfg["base_model_name_or_path"] = base_dir.name  # not this machine's path
        cfg_path.write_text(json.dumps(adapter_cfg, indent=2, sort_keys=True) + "\n")
        (tmp / ADAPTER_RECORD).write_text(json.dumps(record, indent=2) + "\n")
        (tmp / SPEC_FILE).write_text(spec_toml(spec, spec_comments or []), encoding="utf-8")
        (tmp / VALIDATION_FILE).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in val_records),
            encoding="utf-8",
        )
    return record
