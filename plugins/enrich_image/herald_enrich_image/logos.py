"""Finding the tenant's own logos in an image.

First ORB features: matches kept by Lowe's ratio test (0.75), then a RANSAC homography; a logo is
present when at least ``min_inliers`` matches agree with one homography (12 by default: random
textures rarely give more than 6, a logo of ~150 px in a 1024 px image gives 30 to 200) and that
homography maps the logo to a plausible quadrilateral (convex, not degenerate). Small, flat logos
have too few corners for features, so a multi-scale normalised template match follows as a
fallback (scales 0.2–1.5 of the logo, score ≥ ``template_threshold``), which finds a logo pasted
unrotated at another size."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from herald_enrich_image.decode import Refused, decode, working_copy

#: logos are described at most this large on their longer side
LOGO_SIDE = 400
#: ORB features per logo and per image
LOGO_FEATURES = 1000
IMAGE_FEATURES = 3000
RATIO = 0.75
TEMPLATE_SCALES = (0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0, 1.25, 1.5)
#: a template's pixels must vary by at least this (a blank logo would match anything blank)
MIN_TEMPLATE_STD = 8.0
#: how many logos' descriptions a process keeps
CACHE_SIZE = 256


@dataclass(frozen=True)
class LogoModel:
    """What matching needs of one logo: its ORB keypoints and descriptors, and a grey copy."""

    points: np.ndarray  # (n, 2) float32
    descriptors: np.ndarray | None
    grey: np.ndarray  # uint8
    size: tuple[int, int]  # w, h


@dataclass
class LogoMatch:
    id: str
    name: str
    method: str  # "features" or "template"
    score: float  # inliers, or the template correlation


_cache: OrderedDict[tuple[str, str], LogoModel | None] = OrderedDict()
_lock = threading.Lock()


def _grey(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def _features(grey: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    orb = cv2.ORB_create(nfeatures=n, scaleFactor=1.2, nlevels=8, fastThreshold=10)
    keypoints, descriptors = orb.detectAndCompute(grey, None)
    points = np.float32([kp.pt for kp in keypoints]).reshape(-1, 2)
    return points, descriptors


def describe(data: bytes) -> LogoModel | None:
    """The logo's model, or None when its bytes are not an image."""
    try:
        decoded = decode(data)
    except Refused:
        return None
    grey = _grey(working_copy(decoded.image, LOGO_SIDE))
    points, descriptors = _features(grey, LOGO_FEATURES)
    return LogoModel(points, descriptors, grey, (grey.shape[1], grey.shape[0]))


def model_for(logo_id: str, data: bytes) -> LogoModel | None:
    """The logo's model from the process cache, keyed by (logo id, content hash)."""
    key = (str(logo_id), hashlib.sha256(data).hexdigest())
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    model = describe(data)
    with _lock:
        _cache[key] = model
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def cache_info() -> int:
    """How many logo models the process holds."""
    return len(_cache)


def _plausible(homography: np.ndarray, size: tuple[int, int], image_shape: tuple[int, ...]) -> bool:
    w, h = size
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    if not cv2.isContourConvex(quad.astype(np.float32)):
        return False
    area = cv2.contourArea(quad.astype(np.float32))
    image_area = image_shape[0] * image_shape[1]
    return image_area * 0.0005 <= area <= image_area * 1.5


def _by_features(model: LogoModel, points: np.ndarray, descriptors: np.ndarray | None,
                 image_shape: tuple[int, ...], min_inliers: int) -> int:
    if model.descriptors is None or descriptors is None or len(model.descriptors) < min_inliers:
        return 0
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(model.descriptors, descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < min_inliers:
        return 0
    src = model.points[[m.queryIdx for m in good]].reshape(-1, 1, 2)
    dst = points[[m.trainIdx for m in good]].reshape(-1, 1, 2)
    homography, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
    if homography is None or mask is None:
        return 0
    inliers = int(mask.sum())
    if inliers < min_inliers or not _plausible(homography, model.size, image_shape):
        return 0
    return inliers


def _by_template(model: LogoModel, grey: np.ndarray, threshold: float) -> float:
    if float(model.grey.std()) < MIN_TEMPLATE_STD:
        return 0.0
    best = 0.0
    for scale in TEMPLATE_SCALES:
        w, h = round(model.size[0] * scale), round(model.size[1] * scale)
        if w < 12 or h < 12 or w > grey.shape[1] or h > grey.shape[0]:
            continue
        template = cv2.resize(model.grey, (w, h), interpolation=cv2.INTER_AREA)
        if float(template.std()) < MIN_TEMPLATE_STD:
            continue
        result = cv2.matchTemplate(grey, template, cv2.TM_CCOEFF_NORMED)
        best = max(best, float(result.max()))
        if best >= threshold:
            break
    return best


def find_logos(img: Image.Image, logos: list[dict[str, object]], *, min_inliers: int,
               template_threshold: float) -> list[LogoMatch]:
    """The tenant's logos present in ``img`` (``logos``: ``{"id", "name", "data"}``)."""
    usable = [(logo, data) for logo in logos if isinstance(data := logo.get("data"), bytes | bytearray) and data]
    if not usable:
        return []
    grey = _grey(img)
    points, descriptors = _features(grey, IMAGE_FEATURES)
    found = []
    for logo, data in usable:
        model = model_for(str(logo.get("id")), bytes(data))
        if model is None:
            continue
        name = str(logo.get("name") or logo.get("id"))
        inliers = _by_features(model, points, descriptors, grey.shape, min_inliers)
        if inliers:
            found.append(LogoMatch(str(logo.get("id")), name, "features", float(inliers)))
            continue
        score = _by_template(model, grey, template_threshold)
        if score >= template_threshold:
            found.append(LogoMatch(str(logo.get("id")), name, "template", round(score, 3)))
    return found
