"""Image quality metrics for the evaluation harness: PSNR, MS-SSIM and SSIMULACRA2 always; LPIPS and
DISTS when torch, the metric packages and their weights are already on the machine (nothing is
downloaded at run time)."""
import os

import numpy as np
from PIL import Image
from scipy import ndimage


def load_rgb(path):
    """8-bit RGB array (alpha, if any, composited over white as gcx does)."""
    with Image.open(path) as image:
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            white = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, image)
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def psnr(reference, distorted):
    """PSNR over all RGB samples, peak 255; infinite for identical images."""
    mse = np.mean((reference.astype(np.float64) - distorted.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


_MS_SSIM_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def _ssim_parts(x, y, data_range=255.0):
    """Mean luminance-contrast-structure terms with an 11x11 Gaussian window (sigma 1.5), over the
    window positions that lie inside the image (a 'valid' filter, as pytorch_msssim computes)."""
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    blur = lambda a: ndimage.gaussian_filter(a, 1.5, truncate=5 / 1.5)[5:-5, 5:-5]
    mu_x, mu_y = blur(x), blur(y)
    sxx = blur(x * x) - mu_x ** 2
    syy = blur(y * y) - mu_y ** 2
    sxy = blur(x * y) - mu_x * mu_y
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    luminance = (2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)
    return float(np.mean(luminance * cs)), float(np.mean(cs))


def ms_ssim(reference, distorted):
    """Multi-scale SSIM (Wang, Simoncelli, Bovik 2003; five scales, the paper's weights), per RGB
    channel on 0-255 samples, averaged over the channels. Negative contrast terms count as 0. None
    for an image whose shorter side is 160 pixels or less: the fifth scale has no 11x11 window then."""
    if min(reference.shape[:2]) <= 160:
        return None
    scores = []
    for channel in range(3):
        x = reference[..., channel].astype(np.float64)
        y = distorted[..., channel].astype(np.float64)
        values = []
        for scale in range(5):
            ssim_value, cs = _ssim_parts(x, y)
            values.append(max(ssim_value if scale == 4 else cs, 0.0))
            if scale < 4:
                h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
                x = x[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
                y = y[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        scores.append(float(np.prod(np.power(values, _MS_SSIM_WEIGHTS))))
    return float(np.mean(scores))


def ssimulacra2(reference_path, distorted_path):
    """SSIMULACRA2 (PyPI `ssimulacra2`, a maintained port of libjxl's metric): 100 is identical,
    about 30 'low quality', negative for very poor images."""
    from ssimulacra2 import compute_ssimulacra2
    return float(compute_ssimulacra2(reference_path, distorted_path))


class DeepMetrics:
    """LPIPS (AlexNet) and DISTS, only when torch, the `lpips` / `DISTS_pytorch` packages and the
    backbone weights are already present: a benchmark never downloads weights. `notes` says why a
    metric is skipped."""

    def __init__(self):
        self.lpips = None
        self.dists = None
        self.notes = []
        try:
            import torch  # noqa: F401
        except ImportError:
            self.notes.append("LPIPS and DISTS skipped: torch is not installed")
            return
        hub = os.path.join(os.environ.get("TORCH_HOME", os.path.expanduser("~/.cache/torch")), "hub", "checkpoints")
        present = set(os.listdir(hub)) if os.path.isdir(hub) else set()
        try:
            import lpips
            if any(name.startswith("alexnet") for name in present):
                self.lpips = lpips.LPIPS(net="alex", verbose=False)
            else:
                self.notes.append("LPIPS skipped: the AlexNet weights are not in %s" % hub)
        except ImportError:
            self.notes.append("LPIPS skipped: the lpips package is not installed")
        try:
            from DISTS_pytorch import DISTS
            if any(name.startswith("vgg16") for name in present):
                self.dists = DISTS()
            else:
                self.notes.append("DISTS skipped: the VGG16 weights are not in %s" % hub)
        except ImportError:
            self.notes.append("DISTS skipped: the DISTS_pytorch package is not installed")

    @staticmethod
    def _tensor(image, scale):
        import torch
        t = torch.from_numpy(image.astype(np.float32) / 255.0).permute(2, 0, 1).unsqueeze(0)
        return t * 2 - 1 if scale == "signed" else t

    def measure(self, reference, distorted):
        out = {}
        if self.lpips is not None:
            import torch
            with torch.no_grad():
                out["lpips"] = float(self.lpips(self._tensor(reference, "signed"), self._tensor(distorted, "signed")))
        if self.dists is not None:
            import torch
            with torch.no_grad():
                out["dists"] = float(self.dists(self._tensor(reference, "unit"), self._tensor(distorted, "unit")))
        return out
