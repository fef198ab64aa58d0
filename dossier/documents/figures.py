"""Figures for the drafts: dose-response curves, batch results and biodistribution (PNG).

The figures are drawn directly with Pillow on a canvas supersampled twice and reduced
(anti-aliasing), in DejaVu Sans from matplotlib's font folder. A build draws hundreds
of them (201 at ×100), and matplotlib cost 0.5 s to import and 100-400 ms a figure;
this costs 30 ms to import and 10-20 ms a figure. Everything is computed in plain
Python from the inputs (fixed size, resolution and font, no date or software metadata,
no cache between builds), so the same inputs give byte-identical images.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from PIL import ImageDraw, ImageFont

    from dossier.analysis.assays import BatchComputed
    from dossier.compute.potency.types import DoseResponseData, PotencyAnalysis
    from dossier.model.potency import AcceptanceCriterion

__all__ = ["batch_figure", "biodistribution_figure", "dose_response_figure"]

COLOURS = ["#1F3A5F", "#C0392B", "#2E8B57", "#8E44AD", "#D68910"]
INK = "#000000"

DPI = 150
"""Pixels per inch of the PNG; a 6.3 in figure printed 150 mm wide is about 160 dpi."""
SS = 2
"""Supersampling factor: drawn at SS × the size, then reduced with a box filter."""
PX = DPI / 72 * SS
"""Canvas pixels per typographic point."""
FONT_PT = 8.5
MINUS = "\u2212"
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

Scale = Literal["linear", "log"]
Marker = Literal["o", "s", "^", "D", "v"]


# --- fonts ---------------------------------------------------------------------------


@cache
def _font_file() -> str | None:
    """DejaVu Sans from matplotlib's bundled fonts (found without importing matplotlib),
    else the system's; None when neither exists (Pillow's own font is used)."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    candidates = []
    if spec is not None and spec.origin is not None:
        candidates.append(
            Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        )
    candidates.append(Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    return next((str(p) for p in candidates if p.is_file()), None)


@cache
def _font(size_pt: float) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    size = size_pt * PX
    path = _font_file()
    if path is None:  # pragma: no cover - matplotlib ships the font
        return ImageFont.load_default(size)  # type: ignore[return-value]
    return ImageFont.truetype(path, size)


def _text_size(text: str, size_pt: float) -> tuple[float, float]:
    """Width and height (ascent + descent) of ``text`` in canvas pixels."""
    font = _font(size_pt)
    ascent, descent = font.getmetrics()
    return font.getlength(text), float(ascent + descent)


# --- scales and ticks ----------------------------------------------------------------


def _fwd(scale: Scale, v: float) -> float:
    return math.log10(v) if scale == "log" else v


def _inv(scale: Scale, v: float) -> float:
    return 10.0**v if scale == "log" else v


def _number(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def _linear_ticks(lo: float, hi: float, nbins: int) -> list[tuple[float, str]]:
    """Round-numbered ticks inside ``[lo, hi]``: the finest step of 1, 2, 2.5 or 5 × 10^k
    that gives at most ``nbins + 1`` of them."""
    exp = 10.0 ** math.floor(math.log10((hi - lo) / max(nbins, 1)))
    for step in (m * exp for m in (1, 2, 2.5, 5, 10, 20, 25, 50, 100)):
        first = math.ceil(lo / step - 1e-9)
        last = math.floor(hi / step + 1e-9)
        if last - first <= nbins:
            break
    mantissa = step / 10.0 ** math.floor(math.log10(step) + 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9) + (1 if mantissa == 2.5 else 0))
    biggest = max(abs(first * step), abs(last * step))
    if biggest >= 1e6:  # a common power of ten: "1.5×10⁶"
        power = math.floor(math.log10(biggest))
        unit = 10.0**power
        digits = max(0, -math.floor(math.log10(step / unit) + 1e-9))
        return [
            (i * step, _number(i * step / unit, digits) + f"×10{str(power).translate(SUPERSCRIPT)}")
            for i in range(first, last + 1)
        ]
    return [(i * step, _number(i * step, decimals)) for i in range(first, last + 1)]


def _log_ticks(lo: float, hi: float, nbins: int) -> tuple[list[tuple[float, str]], list[float]]:
    """Major ticks (labelled) and minor ticks for a log axis over ``[lo, hi]`` (values).

    Over less than three decades the majors are 1, 2 and 5 × 10^k written as plain
    numbers; otherwise powers of ten (every n-th when crowded)."""
    k_lo, k_hi = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    inside = [
        (k, m * 10.0**k)
        for k in range(k_lo, k_hi + 1)
        for m in range(1, 10)
        if lo * (1 - 1e-9) <= m * 10.0**k <= hi * (1 + 1e-9)
    ]
    decades = math.log10(hi / lo)
    if decades < 3:
        majors = [
            (v, f"{float(f'{v:.12g}'):g}") for k, v in inside if round(v / 10.0**k) in (1, 2, 5)
        ]
        minors = [v for k, v in inside if round(v / 10.0**k) not in (1, 2, 5)]
        if len(majors) < 2:  # less than a factor of 2.5: every mantissa, else round numbers
            majors = [(v, f"{float(f'{v:.12g}'):g}") for _, v in inside]
            minors = []
        if len(majors) < 2:
            majors = _linear_ticks(lo, hi, nbins)
        return majors, minors
    powers = [k for k, v in inside if round(v / 10.0**k) == 1]
    stride = max(1, math.ceil(len(powers) / max(nbins, 1)))
    plain = all(-2 <= k <= 4 for k in powers)
    majors = [
        (10.0**k, f"{10.0**k:.{max(0, -k)}f}" if plain else "10" + str(k).translate(SUPERSCRIPT))
        for k in powers
        if k % stride == 0
    ]
    shown = {round(math.log10(v)) for v, _ in majors}
    minors = [v for k, v in inside if not (round(v / 10.0**k) == 1 and k in shown)]
    return majors, minors


@dataclass
class _Axis:
    scale: Scale = "linear"
    limits: tuple[float, float] | None = None
    ticks: list[tuple[float, str]] | None = None
    rotation: float | None = None
    label: str = ""


# --- the plot ------------------------------------------------------------------------


@dataclass
class _Points:
    xs: list[float]
    ys: list[float]
    colour: str
    marker: Marker = "o"
    size: float = 12.0
    """Marker area in points², as matplotlib's scatter ``s``."""
    hollow: bool = False


@dataclass
class _Line:
    xs: list[float]
    ys: list[float]
    colour: str
    width: float = 1.2


@dataclass
class _ErrorBar:
    x: float
    y: float
    lower: float
    upper: float
    colour: str


@dataclass
class _Plot:
    """One axes on a figure of a fixed size; collects artists, then draws them."""

    width_in: float = 6.3
    height_in: float = 3.4
    margins: tuple[float, float, float, float] = (0.1, 0.97, 0.95, 0.16)
    """left, right, top, bottom as fractions of the figure (grown to fit the labels)."""
    x: _Axis = field(default_factory=_Axis)
    y: _Axis = field(default_factory=_Axis)
    points: list[_Points] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    hlines: list[tuple[float, str]] = field(default_factory=list)
    errorbars: list[_ErrorBar] = field(default_factory=list)
    legend: list[tuple[str, _Points]] = field(default_factory=list)
    legend_loc: Literal["best", "upper right"] = "best"
    legend_pt: float = FONT_PT

    # data limits -------------------------------------------------------------------

    def _drop_unplottable(self) -> None:
        """Leave out non-finite values, and values not above zero on a log axis."""

        def ok(axis: _Axis, v: float) -> bool:
            return math.isfinite(v) and (axis.scale == "linear" or v > 0)

        def pairs(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
            kept = [(a, b) for a, b in zip(xs, ys, strict=True) if ok(self.x, a) and ok(self.y, b)]
            return [a for a, _ in kept], [b for _, b in kept]

        for p in self.points:
            p.xs, p.ys = pairs(p.xs, p.ys)
        for line in self.lines:
            line.xs, line.ys = pairs(line.xs, line.ys)
        self.hlines = [(y, c) for y, c in self.hlines if ok(self.y, y)]
        self.errorbars = [
            e
            for e in self.errorbars
            if ok(self.x, e.x) and all(ok(self.y, v) for v in (e.y, e.lower, e.upper))
        ]

    def _data(self) -> tuple[list[float], list[float]]:
        xs: list[float] = []
        ys: list[float] = [y for y, _ in self.hlines]
        for p in self.points:
            xs += p.xs
            ys += p.ys
        for line in self.lines:
            xs += line.xs
            ys += line.ys
        for e in self.errorbars:
            xs.append(e.x)
            ys += [e.lower, e.upper]
        return xs, ys

    def _pairs(self) -> list[tuple[float, float]]:
        """Every drawn data point (markers, line vertices, error bars), for the legend."""
        pairs: list[tuple[float, float]] = []
        for p in self.points:
            pairs += zip(p.xs, p.ys, strict=True)
        for line in self.lines:
            pairs += zip(line.xs, line.ys, strict=True)
        for e in self.errorbars:
            pairs += [(e.x, e.lower), (e.x, e.y), (e.x, e.upper)]
        return pairs

    @staticmethod
    def _limits(axis: _Axis, values: list[float]) -> tuple[float, float]:
        if axis.limits is not None:
            return axis.limits
        vals = [_fwd(axis.scale, v) for v in values if axis.scale == "linear" or v > 0]
        if not vals:
            return (1.0, 10.0) if axis.scale == "log" else (0.0, 1.0)
        lo, hi = min(vals), max(vals)
        pad = (hi - lo) * 0.05 if hi > lo else max(abs(lo) * 0.05, 0.5)
        return _inv(axis.scale, lo - pad), _inv(axis.scale, hi + pad)

    # drawing -----------------------------------------------------------------------

    def png(self) -> bytes:
        from PIL import Image, ImageDraw

        width, height = round(self.width_in * DPI) * SS, round(self.height_in * DPI) * SS
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        self._drop_unplottable()
        xs, ys = self._data()
        xlim, ylim = self._limits(self.x, xs), self._limits(self.y, ys)
        fs = FONT_PT
        _, text_h = _text_size("0", fs)
        tick_len, pad = 3.5 * PX, 3.5 * PX

        left, right, top, bottom = self.margins
        plot_w = (right - left) * width
        plot_h = (top - bottom) * height
        # ticks (their number depends on the axes' size, as matplotlib's "auto" bins)
        yticks, yminor = self._ticks(self.y, ylim, int(plot_h / PX / (fs * 2)))
        xticks, xminor = self._ticks(self.x, xlim, int(plot_w / PX / (fs * 3)))
        # grow the margins to fit the tick labels and axis labels
        ylab_w = max((_text_size(t, fs)[0] for _, t in yticks), default=0.0)
        need_left = ylab_w + tick_len + pad + (text_h + pad if self.y.label else 0) + 2 * PX
        x0 = max(left * width, need_left)
        spacing = plot_w / max(len(xticks), 1)
        rotation, stride = self._x_rotation(xticks, spacing, text_h)
        xlab_h = max(
            (self._rotated_extent(t, fs, rotation)[1] for _, t in xticks[::stride]), default=0.0
        )
        need_bottom = xlab_h + tick_len + pad + (text_h + pad if self.x.label else 0) + 2 * PX
        y1 = height - max(bottom * height, min(need_bottom, 0.6 * height))
        x1, y0 = right * width, (1 - top) * height

        xlo, xhi = _fwd(self.x.scale, xlim[0]), _fwd(self.x.scale, xlim[1])
        ylo, yhi = _fwd(self.y.scale, ylim[0]), _fwd(self.y.scale, ylim[1])

        def px(v: float) -> float:
            return x0 + (_fwd(self.x.scale, v) - xlo) / (xhi - xlo) * (x1 - x0)

        def py(v: float) -> float:
            return y1 - (_fwd(self.y.scale, v) - ylo) / (yhi - ylo) * (y1 - y0)

        # zorder as matplotlib: lines, spines, markers, ticks, legend
        for y, colour in self.hlines:
            _dashed(draw, x0, py(y), x1, colour, 1.0 * PX)
        for line in self.lines:
            pts = [(px(a), py(b)) for a, b in zip(line.xs, line.ys, strict=True)]
            draw.line(pts, fill=line.colour, width=round(line.width * PX))
        spine = round(0.8 * PX)
        draw.line([(x0, y0), (x0, y1), (x1, y1)], fill=INK, width=spine)
        for e in self.errorbars:
            cx = px(e.x)
            lw = round(1.5 * PX)
            draw.line([(cx, py(e.lower)), (cx, py(e.upper))], fill=e.colour, width=lw)
            for v in (e.lower, e.upper):
                draw.line([(cx - 3 * PX, py(v)), (cx + 3 * PX, py(v))], fill=e.colour, width=lw)
            _marker(draw, cx, py(e.y), "o", 3 * PX, e.colour, hollow=False)
        for p in self.points:
            r = math.sqrt(p.size) / 2 * PX
            for a, b in zip(p.xs, p.ys, strict=True):
                _marker(draw, px(a), py(b), p.marker, r, p.colour, p.hollow)
        # ticks and their labels
        font = _font(fs)
        for v in yminor:
            draw.line([(x0 - 2 * PX, py(v)), (x0, py(v))], fill=INK, width=round(0.6 * PX))
        for v in xminor:
            draw.line([(px(v), y1), (px(v), y1 + 2 * PX)], fill=INK, width=round(0.6 * PX))
        for v, text in yticks:
            draw.line([(x0 - tick_len, py(v)), (x0, py(v))], fill=INK, width=spine)
            draw.text((x0 - tick_len - pad, py(v)), text, fill=INK, font=font, anchor="rm")
        for i, (v, text) in enumerate(xticks):
            draw.line([(px(v), y1), (px(v), y1 + tick_len)], fill=INK, width=spine)
            if i % stride == 0:
                _text(image, px(v), y1 + tick_len + pad, text, fs, rotation)
        if self.x.label:
            draw.text(
                ((x0 + x1) / 2, y1 + tick_len + pad + xlab_h + pad),
                self.x.label,
                fill=INK,
                font=font,
                anchor="ma",
            )
        if self.y.label:
            _text(image, x0 - tick_len - 2 * pad - ylab_w, (y0 + y1) / 2, self.y.label, fs, 90)
        self._legend(draw, (x0, y0, x1, y1), [(px(a), py(b)) for a, b in self._pairs()])
        return _encode_png(image.reduce(SS))

    @staticmethod
    def _ticks(
        axis: _Axis, lim: tuple[float, float], space: int
    ) -> tuple[list[tuple[float, str]], list[float]]:
        nbins = max(3, min(9, space))
        if axis.ticks is not None:
            return axis.ticks, []
        if axis.scale == "log":
            return _log_ticks(lim[0], lim[1], nbins)
        return _linear_ticks(lim[0], lim[1], nbins), []

    def _x_rotation(
        self, ticks: list[tuple[float, str]], spacing: float, text_h: float
    ) -> tuple[float, int]:
        """The x labels' rotation (given, or 0° when they fit side by side, else 45°) and
        the stride that keeps the shown ones apart."""
        widest = max((_text_size(t, FONT_PT)[0] for _, t in ticks), default=0.0)
        if self.x.rotation is not None:
            rotation = self.x.rotation
        else:
            rotation = 0.0 if widest + 2 * PX <= spacing else 45.0
        across = widest if rotation == 0 else text_h / math.sin(math.radians(rotation))
        return rotation, max(1, math.ceil((across + 2 * PX) / max(spacing, 1e-9)))

    @staticmethod
    def _rotated_extent(text: str, size_pt: float, rotation: float) -> tuple[float, float]:
        w, h = _text_size(text, size_pt)
        a = math.radians(rotation)
        return abs(w * math.cos(a)) + abs(h * math.sin(a)), abs(w * math.sin(a)) + abs(
            h * math.cos(a)
        )

    def _legend(
        self,
        draw: ImageDraw.ImageDraw,
        box: tuple[float, float, float, float],
        data: list[tuple[float, float]],
    ) -> None:
        if not self.legend:
            return
        fs = self.legend_pt
        font = _font(fs)
        _, h = _text_size("0", fs)
        row = h + 0.5 * fs * PX
        handle = 2.0 * fs * PX
        gap = 0.8 * fs * PX
        w = handle + gap + max(_text_size(label, fs)[0] for label, _ in self.legend)
        total_h = row * len(self.legend)
        x0, y0, x1, y1 = box
        inset = 0.5 * fs * PX + 0.4 * fs * PX
        corners = {
            "upper right": (x1 - inset - w, y0 + inset),
            "upper left": (x0 + inset, y0 + inset),
            "lower left": (x0 + inset, y1 - inset - total_h),
            "lower right": (x1 - inset - w, y1 - inset - total_h),
        }
        if self.legend_loc == "best":

            def badness(corner: tuple[float, float]) -> int:
                lx, ly = corner
                return sum(lx <= a <= lx + w and ly <= b <= ly + total_h for a, b in data)

            lx, ly = min(corners.values(), key=badness)  # first of the least covered
        else:
            lx, ly = corners[self.legend_loc]
        for i, (label, points) in enumerate(self.legend):
            cy = ly + row * i + row / 2
            r = math.sqrt(points.size) / 2 * PX
            _marker(draw, lx + handle / 2, cy, points.marker, r, points.colour, points.hollow)
            draw.text((lx + handle + gap, cy), label, fill=INK, font=font, anchor="lm")


def _marker(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    marker: Marker,
    r: float,
    colour: str,
    hollow: bool,
) -> None:
    """A marker of radius ``r`` (plus a 1 pt edge, as matplotlib's) centred on (x, y)."""
    edge = 1.0 * PX
    fill = None if hollow else colour
    width = round(edge)
    r += edge / 2  # the edge is centred on the outline, as matplotlib's
    if marker == "o":
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=colour, width=width)
        return
    if marker == "s":
        q = r * 0.85
        draw.rectangle([x - q, y - q, x + q, y + q], fill=fill, outline=colour, width=width)
        return
    shapes = {
        "^": [(0.0, -1.0), (0.866, 0.5), (-0.866, 0.5)],
        "v": [(0.0, 1.0), (0.866, -0.5), (-0.866, -0.5)],
        "D": [(0.0, -1.0), (0.75, 0.0), (0.0, 1.0), (-0.75, 0.0)],
    }
    scale = r * 1.15
    draw.polygon(
        [(x + a * scale, y + b * scale) for a, b in shapes[marker]],
        fill=fill,
        outline=colour,
        width=width,
    )


def _dashed(
    draw: ImageDraw.ImageDraw, x0: float, y: float, x1: float, colour: str, lw: float
) -> None:
    """A horizontal dashed line, matplotlib's "--" pattern (3.7 on, 1.6 off × width)."""
    on, off = 3.7 * lw, 1.6 * lw
    x = x0
    while x < x1:
        draw.line([(x, y), (min(x + on, x1), y)], fill=colour, width=round(lw))
        x += on + off


def _text(image: Any, x: float, y: float, text: str, size_pt: float, rotation: float) -> None:
    """``text`` rotated by ``rotation`` degrees: unrotated centred below (x, y); rotated
    with the top right of its box at (x, y) (tick labels) or, at 90°, centred on (x, y)
    with its right edge there (the y label)."""
    from PIL import ImageDraw

    if rotation == 0:
        ImageDraw.Draw(image).text((x, y), text, fill=INK, font=_font(size_pt), anchor="ma")
        return
    mask = _rotated(text, size_pt, rotation)
    if rotation == 90:
        at = (round(x - mask.width), round(y - mask.height / 2))
    else:
        at = (round(x - mask.width), round(y))
    image.paste(INK, at, mask)


@lru_cache(maxsize=4096)
def _rotated(text: str, size_pt: float, rotation: float) -> Any:
    """The coverage mask of ``text`` rotated (tissue and batch names recur across figures)."""
    from PIL import Image, ImageDraw

    font = _font(size_pt)
    left, _, right, _ = font.getbbox(text, anchor="ls")
    ascent, descent = font.getmetrics()
    mask = Image.new("L", (math.ceil(right - min(left, 0)) + 2, ascent + descent))
    ImageDraw.Draw(mask).text((-min(left, 0) + 1, ascent), text, fill=255, font=font, anchor="ls")
    if rotation == 90:
        return mask.transpose(Image.Transpose.ROTATE_90)
    return mask.rotate(rotation, resample=Image.Resampling.BICUBIC, expand=True)


def _encode_png(image: Any) -> bytes:
    """``image`` (RGB) as PNG: rows unfiltered, zlib level 3, the resolution and nothing
    else. Pillow's encoder tries every filter on every row, which took two thirds of the
    time of a figure; the plots are mostly flat colour, so unfiltered rows compress as well."""
    width, height = image.size
    raw = image.tobytes()
    stride = width * 3
    rows = b"".join(b"\x00" + raw[i * stride : (i + 1) * stride] for i in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    per_metre = round(DPI / 0.0254)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(rows, 3)),
            chunk(b"IEND", b""),
        ]
    )


# --- the figures ---------------------------------------------------------------------


def dose_response_figure(
    data: DoseResponseData, analysis: PotencyAnalysis, dose_label: str
) -> bytes:
    """Responses per preparation against dose (log scale) with the fitted model."""
    plot = _Plot(x=_Axis("log", label=dose_label), y=_Axis(label="response"))
    preps = [analysis.standard, *[r.preparation for r in analysis.results]]
    doses = [o.dose for o in data.observations if o.dose > 0]
    lo, hi = math.log(min(doses)), math.log(max(doses))
    logs = [lo + (hi - lo) * i / 199 for i in range(200)]
    grid = [math.exp(v) for v in logs]
    params = analysis.parameters
    for i, prep in enumerate(preps):
        colour = COLOURS[i % len(COLOURS)]
        pts = [o for o in data.observations if o.preparation == prep and o.dose > 0]
        points = _Points([o.dose for o in pts], [o.response for o in pts], colour)
        plot.points.append(points)
        plot.legend.append((prep, points))
        if analysis.model == "4pl" and f"C[{prep}]" in params:
            a, b, d, c = params["A"], params["B"], params["D"], params[f"C[{prep}]"]
            curve = [d + (a - d) / (1 + _exp(b * (v - c))) for v in logs]
            plot.lines.append(_Line(grid, curve, colour))
        elif (
            analysis.model == "parallel-line"
            and f"a[{prep}]" in params
            and analysis.transform == "none"
        ):
            line = [params[f"a[{prep}]"] + params["slope"] * v for v in logs]
            plot.lines.append(_Line(grid, line, colour))
    return plot.png()


def _exp(v: float) -> float:
    return math.inf if v > 700 else math.exp(v)


def batch_figure(
    results: list[BatchComputed], criterion: AcceptanceCriterion | None, unit: str
) -> bytes:
    """Batch results with their 95 % limits against the release limits."""
    shown = [r for r in results if r.value is not None]
    plot = _Plot(
        height_in=2.8,
        x=_Axis(
            limits=(-0.6, len(shown) - 0.4),
            ticks=[(float(i), r.batch) for i, r in enumerate(shown)],
        ),
        y=_Axis(label=unit),
    )
    plain_x: list[float] = []
    plain_y: list[float] = []
    for x, r in enumerate(shown):
        assert r.value is not None
        if r.ci_lower is not None and r.ci_upper is not None:
            plot.errorbars.append(_ErrorBar(x, r.value, r.ci_lower, r.ci_upper, COLOURS[0]))
        else:
            plain_x.append(float(x))
            plain_y.append(r.value)
    if plain_x:
        plot.points.append(_Points(plain_x, plain_y, COLOURS[0], size=36.0))
    if criterion is not None and not criterion.report_only:
        for limit in (criterion.lower, criterion.upper):
            if limit is not None:
                plot.hlines.append((limit, COLOURS[1]))
    return plot.png()


def biodistribution_figure(bd: Any, group: str) -> bytes:
    """Mean copies per µg genomic DNA by tissue (log scale), one marker per time point,
    with the LLOQ as a dashed line; tissues with nothing quantifiable sit on the LLOQ."""
    cells = [c for c in bd.cells if c.group == group]
    tissues = list(dict.fromkeys(c.tissue for c in cells))
    index: dict[tuple[str, str], Any] = {}
    for c in cells:
        index.setdefault((c.tissue, c.timepoint), c)
    markers: list[Marker] = ["o", "s", "^", "D", "v"]
    lloq = max((c.lloq for c in cells), default=1.0)
    plot = _Plot(
        height_in=3.2,
        x=_Axis(
            limits=(-0.6, len(tissues) - 0.4),
            ticks=[(float(j), t) for j, t in enumerate(tissues)],
            rotation=35.0,
        ),
        y=_Axis("log", label="copies per µg genomic DNA"),
        legend_loc="upper right",
        legend_pt=7.5,
    )
    plot.hlines.append((lloq, COLOURS[1]))
    for i, tp in enumerate(bd.timepoints):
        xs, ys, hollow = [], [], []
        offset = (i - (len(bd.timepoints) - 1) / 2) * 0.18
        for j, tissue in enumerate(tissues):
            cell = index.get((tissue, tp))
            if cell is None:
                continue
            if cell.mean is None:
                hollow.append(j + offset)
            else:
                xs.append(j + offset)
                ys.append(cell.mean)
        colour = COLOURS[i % len(COLOURS)]
        marker = markers[i % len(markers)]
        points = _Points(xs, ys, colour, marker, 18.0)
        plot.points.append(points)
        plot.legend.append((tp, points))
        if hollow:
            plot.points.append(_Points(hollow, [lloq] * len(hollow), colour, marker, 18.0, True))
    return plot.png()
