"""Keras' model summary: one row per layer (name, type, output shape, parameter count), then totals."""

from __future__ import annotations

import html

NOT_BUILT = (
    "Model {name!r} has not been built yet, so its weights and output shapes are unknown. Build it by "
    "giving the first layer input_dim=n (or input_shape=(n,)), by starting a Sequential with "
    "ts.Input(shape=(n,)), by calling it on data (model(x)), or by fit."
)


def _count(params) -> int:
    return int(sum(p.data.size for p in params))


def _bytes(params) -> str:
    n = sum(p.data.nbytes for p in params)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}"
        n /= 1024


def rows(model) -> list[tuple[str, str, str, int]] | None:
    """(name, type, output shape, parameter count) per layer, or None if the model is not built."""
    layers = list(getattr(model, "layers", None) or model.children())
    if any(not getattr(layer, "built", True) for layer in layers) or not model.parameters():
        return None
    shapes = ["?"] * len(layers)
    width = getattr(model, "input_dim", None)
    if width is not None and hasattr(model, "layers"):
        shape: tuple = getattr(model, "input_shape", None) or (None, width)
        for i, layer in enumerate(layers):
            shape = layer.compute_output_shape(shape)
            shapes[i] = str(shape)
    return [(getattr(layer, "name", "") or str(i), type(layer).__name__, shapes[i], _count(layer.parameters()))
            for i, layer in enumerate(layers)]


def totals(model) -> tuple[str, str, str]:
    params = model.parameters()
    frozen = [p for p in params if not p.requires_grad]
    trained = [p for p in params if p.requires_grad]
    return (f"{_count(params):,} ({_bytes(params)})", f"{_count(trained):,} ({_bytes(trained)})",
            f"{_count(frozen):,} ({_bytes(frozen)})")


def text(model, line_length: int = 65) -> str:
    name = getattr(model, "name", type(model).__name__)
    table = rows(model)
    if table is None:
        return NOT_BUILT.format(name=name)
    widths = (int(line_length * 0.45), int(line_length * 0.35))
    extra = max(0, max(len(f"{layer} ({kind})") for layer, kind, _, _ in table) + 2 - widths[0])  # a long name
    widths, line_length = (widths[0] + extra, widths[1]), line_length + extra  # widens the table, as Keras 3's
    line = lambda a, b, c: f" {a:<{widths[0] - 1}}{b:<{widths[1]}}{c:>{line_length - sum(widths)}}"  # noqa: E731
    out = [f'Model: "{name}"', "_" * line_length, line("Layer (type)", "Output Shape", "Param #"), "=" * line_length]
    for i, (layer, kind, shape, count) in enumerate(table):
        out.append(line(f"{layer} ({kind})", shape, f"{count:,}"))
        out.append("_" * line_length if i < len(table) - 1 else "=" * line_length)
    total, trainable, frozen = totals(model)
    out += [f"Total params: {total}", f"Trainable params: {trainable}", f"Non-trainable params: {frozen}",
            "_" * line_length]
    return "\n".join(out)


def html_table(model) -> str:
    raw_name = str(getattr(model, "name", type(model).__name__))
    name = html.escape(raw_name)
    table = rows(model)
    if table is None:
        return f"<p>{html.escape(NOT_BUILT.format(name=raw_name))}</p>"
    body = "".join(f"<tr><td>{html.escape(a)} ({html.escape(b)})</td><td>{html.escape(c)}</td>"
                   f"<td style='text-align:right'>{d:,}</td></tr>" for a, b, c, d in table)
    total, trainable, frozen = (html.escape(t) for t in totals(model))
    return (f"<b>Model: \"{name}\"</b><table><thead><tr><th>Layer (type)</th><th>Output Shape</th>"
            f"<th>Param #</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p>Total params: {total}<br>Trainable params: {trainable}<br>Non-trainable params: {frozen}</p>")
