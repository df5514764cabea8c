"""The PNG preview: same layout as the paper, Chinese drawn with a CJK font, nothing cut off."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printer.document import Align, PrintDocument, QrCode, TextLine
from devices.printer.glyphs import find_cjk_font, glyph, render_line
from devices.printer.preview import MARGIN, render_preview, write_preview
from devices.printer.profile import load_profile
from kiosk.records.receipt_layout import build_receipt
from kiosk.visit.receipt import ReceiptData, ReceiptKind, case_follow_url

SAMPLE = ReceiptData(
    ReceiptKind.ACCEPTED, "示范区政务服务中心", "城乡居民基本养老保险参保登记（含长期护理保险）",
    "SQ2026112200012345", datetime(2026, 11, 22, 14, 3), "demo-0001", "刘*䶮",
    ("材料审核通过后 5 个工作日内短信通知结果", "凭本回执和身份证到 3 号窗口领取（工作日 9:00-17:00）"),
)

needs_cjk_font = pytest.mark.skipif(find_cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")


def paper(image: Image.Image) -> Image.Image:
    return image.crop((MARGIN, MARGIN, image.width - MARGIN, image.height - MARGIN))


@pytest.mark.parametrize(("width", "dots"), [(58, 384), (80, 576)])
def test_preview_is_paper_wide_and_nothing_spills_past_the_edges(width: int, dots: int, tmp_path: Path) -> None:
    path = write_preview(build_receipt(SAMPLE), load_profile("default", width), tmp_path / f"receipt-{width}.png")
    image = Image.open(path)
    assert image.width == dots + 2 * MARGIN
    # The grey surround stays grey: no ink was drawn past the paper's edge.
    surround = [image.getpixel((x, y)) for y in range(image.height) for x in (*range(MARGIN), image.width - 1)]
    assert set(surround) == {200}
    # The QR code on the preview scans to the case-follow URL.
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [case_follow_url(SAMPLE)]
    keep = os.environ.get("KIOSK_KEEP_PREVIEWS")
    if keep:
        write_preview(build_receipt(SAMPLE), load_profile("default", width), Path(keep) / f"receipt-{width}.png")


@needs_cjk_font
def test_chinese_and_rare_characters_are_drawn_not_boxes() -> None:
    # A missing glyph comes out as the same "tofu" box for every character; real glyphs differ.
    drawn = {ch: glyph(ch, 1, False).tobytes() for ch in "受理回执䶮堃𠮷"}
    assert len(set(drawn.values())) == len(drawn)
    for ch, pixels in drawn.items():
        assert min(pixels) == 0, f"{ch} has no ink"


@needs_cjk_font
def test_long_words_wrap_instead_of_being_cut() -> None:
    document = PrintDocument((TextLine("很长的办理说明" * 12),))
    image = paper(render_preview(document, load_profile("default", 58)))
    lines = (image.height - MARGIN) // 30
    assert lines >= 6  # 84 characters / 16 per line


def test_alignment_matches_the_printer() -> None:
    line = render_line("A023", size=4, bold=True, align=Align.CENTER, width_dots=576)
    inked = [x for x in range(line.width) if any(line.getpixel((x, y)) < 128 for y in range(line.height))]
    assert abs((min(inked) + max(inked)) / 2 - 288) < 24


def test_qr_block_in_preview_scans() -> None:
    url = "https://zwfw.example.gov.cn/cases?ticket=A023"
    image = render_preview(PrintDocument((QrCode(url, "扫码查看排队进度"),)), load_profile("default", 58))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
