"""The text in an image, read by Debian's ``tesseract`` run as a subprocess with a time limit."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

#: tesseract reads small text badly: images are upscaled until their shorter side is this large
MIN_SIDE = 600
#: and shrunk beyond this longer side (tesseract's time grows with the pixels)
MAX_SIDE = 2400
#: tesseract's language codes → ISO 639-1, for ``text_language``
ISO_639_1 = {"eng": "en", "ara": "ar", "fas": "fa", "urd": "ur", "hin": "hi"}
#: scripts tell the language apart where the languages' letters differ
_ARABIC_SCRIPT = ("ara", "fas", "urd")


@dataclass
class OcrResult:
    text: str | None  # None: tesseract is missing or failed
    language: str | None
    error: str | None = None


@lru_cache(maxsize=1)
def tesseract_path() -> str | None:
    return shutil.which("tesseract")


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    path = tesseract_path()
    if path is None:
        return frozenset()
    try:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def prepare(img: Image.Image) -> Image.Image:
    """Greyscale, autocontrast, upscaled small images (light preprocessing for tesseract)."""
    grey = ImageOps.autocontrast(img.convert("L"))
    short, long_ = min(grey.size), max(grey.size)
    scale = 1.0
    if short < MIN_SIDE:
        scale = min(MIN_SIDE / short, 4.0)
    if long_ * scale > MAX_SIDE:
        scale = MAX_SIDE / long_
    if scale != 1.0:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.LANCZOS)
    return grey


def read_text(img: Image.Image, languages: str, timeout: float) -> OcrResult:
    """The text tesseract reads in ``img`` with ``languages`` (those not installed are left out)."""
    path = tesseract_path()
    if path is None:
        log.warning("tesseract is not installed: images are not read for text")
        return OcrResult(None, None, "tesseract is not installed")
    wanted = [code for code in languages.split("+") if code in installed_languages()]
    if not wanted:
        log.warning("none of the OCR languages %s is installed for tesseract", languages)
        return OcrResult(None, None, f"no installed tesseract language among {languages}")
    buf = io.BytesIO()
    prepare(img).save(buf, format="PNG")
    try:
        done = subprocess.run([path, "stdin", "stdout", "-l", "+".join(wanted), "--psm", "3"],
                              input=buf.getvalue(), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return OcrResult(None, None, f"tesseract took longer than {timeout:g} s")
    except OSError as exc:
        log.warning("tesseract could not run: %s", exc)
        return OcrResult(None, None, "tesseract could not run")
    if done.returncode != 0:
        return OcrResult(None, None, "tesseract failed")
    text = " ".join(done.stdout.decode("utf-8", "replace").split())
    return OcrResult(text, guess_language(text, wanted) if text else None)


def guess_language(text: str, languages: list[str]) -> str | None:
    """The language of the text read, by script; among the Arabic-script languages by the letters
    only Persian and Urdu use (a guess: a language enricher may know better)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    counts = {"latin": 0, "arabic": 0, "devanagari": 0}
    for ch in letters:
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
            counts["arabic"] += 1
        elif 0x0900 <= code <= 0x097F:
            counts["devanagari"] += 1
        elif code < 0x0250:
            counts["latin"] += 1
    script = max(counts, key=lambda k: counts[k])
    if counts[script] == 0:
        return None
    if script == "latin":
        return "en" if "eng" in languages else None
    if script == "devanagari":
        return "hi" if "hin" in languages else None
    urdu = sum(text.count(ch) for ch in "ٹڈڑںےۓھ")
    persian = sum(text.count(ch) for ch in "پچژگ")
    candidates = [code for code in _ARABIC_SCRIPT if code in languages]
    if "urd" in candidates and urdu:
        return "ur"
    if "fas" in candidates and persian:
        return "fa"
    return ISO_639_1[candidates[0]] if candidates else None
