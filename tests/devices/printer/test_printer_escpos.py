"""The ESC/POS bytes a Chinese thermal printer receives for a receipt."""

from __future__ import annotations

from datetime import datetime

import zxingcpp

from devices.printer.document import Cut, KeyValue, PrintDocument, QrCode, TextLine, Title
from devices.printer.escpos_render import CHINESE_MODE, EscposRenderer
from devices.printer.layout import Line, cells, lay_out
from devices.printer.profile import FontCoverage, load_profile
from devices.printer.readback import raster_images, stack
from kiosk.records.receipt_layout import build_receipt
from kiosk.visit.receipt import ReceiptData, ReceiptKind, case_follow_url

INIT = b"\x1b@"


def sample(applicant: str = "张*三", next_steps: tuple[str, ...] = ("凭本回执到 3 号窗口领取",)) -> ReceiptData:
    return ReceiptData(
        ReceiptKind.ACCEPTED, "示范区政务服务中心", "城乡居民基本养老保险参保登记", "SQ2026112200012345",
        datetime(2026, 11, 22, 14, 3), "demo-0001", applicant, next_steps,
    )


def without_rasters(data: bytes) -> bytes:
    """The bytes with every GS v 0 bitmap left out (a bitmap byte may well be 0x3F, "?")."""
    out, at = b"", 0
    while (found := data.find(b"\x1dv0", at)) >= 0:
        width_bytes = int.from_bytes(data[found + 4 : found + 6], "little")
        height = int.from_bytes(data[found + 6 : found + 8], "little")
        out += data[at:found]
        at = found + 8 + width_bytes * height
    return out + data[at:]


def render(document: PrintDocument, profile: str = "default", width: int = 80, **kw: FontCoverage) -> bytes:
    return EscposRenderer(load_profile(profile, width, **kw)).render(document)


def test_receipt_starts_in_chinese_mode_and_encodes_gb18030() -> None:
    data = render(build_receipt(sample(applicant="张*三")))
    assert data.startswith(INIT + CHINESE_MODE)
    for text in ("受理回执", "示范区政务服务中心", "申请人：张*三", "受理编号：SQ2026112200012345"):
        assert text.encode("gb18030") in data, text
    before_qr, _, after_qr = without_rasters(data).partition(b"\x1d(k")
    assert b"?" not in before_qr  # (QR length bytes may be 0x3F: only text is checked)
    assert case_follow_url(sample()).encode() in after_qr


def test_common_name_is_text_not_image() -> None:
    data = render(PrintDocument((KeyValue("申请人", "欧阳*华"),)))
    assert "申请人：欧阳*华".encode("gb18030") + b"\n" in data
    assert raster_images(data) == []


def test_rare_character_in_name_prints_as_a_raster_line_not_a_question_mark() -> None:
    data = render(PrintDocument((KeyValue("申请人", "刘*䶮"),)), "default", 58)
    assert "刘".encode("gb18030") not in data  # the whole line went as an image
    assert "䶮".encode("gb18030") not in data
    assert b"?" not in without_rasters(data)
    (line,) = raster_images(data)
    assert line.width == 384
    assert line.height == 24
    inked = [x for x in range(line.width) if any(line.getpixel((x, y)) == 0 for y in range(line.height))]
    # "申请人：刘*䶮" is 14 half-width cells: the ink ends within the 168 dots they take, and 䶮 has ink.
    assert inked
    assert max(inked) < 14 * 12
    assert any(x >= 12 * 12 for x in inked)


def test_gbk_character_is_raster_on_gb2312_printer_and_text_on_gbk_printer() -> None:
    document = PrintDocument((TextLine("王*堃"),))
    assert len(raster_images(render(document))) == 1
    assert "王*堃".encode("gb18030") in render(document, font=FontCoverage.GBK)


def test_gb18030_printer_prints_extension_characters_as_text() -> None:
    data = render(PrintDocument((TextLine("刘*䶮 𠮷"),)), "Sunmi-V2", 58)
    assert "刘*䶮 𠮷".encode("gb18030") in data
    assert raster_images(data) == []


def test_native_qr_where_the_profile_supports_it() -> None:
    url = "https://zwfw.example.gov.cn/cases?case_no=SQ1"
    data = render(PrintDocument((QrCode(url),)), "TM-T88V")
    assert b"\x1d(k\x04\x001A2\x00" in data  # model 2
    assert b"\x1d(k\x03\x001E1" in data  # error correction M
    assert b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url.encode() in data
    assert b"\x1d(k\x03\x001Q0" in data  # print it
    assert raster_images(data) == []


def test_image_qr_where_the_profile_has_no_native_qr_and_it_scans() -> None:
    url = "https://zwfw.example.gov.cn/cases?case_no=SQ2026112200012345"
    data = render(PrintDocument((QrCode(url),)), "POS-5890", 58)
    assert b"\x1d(k" not in data
    picture = stack(raster_images(data))
    assert picture.width == 384
    decoded = zxingcpp.read_barcodes(picture)
    assert [d.text for d in decoded] == [url]


def test_cut_at_the_end_partial_where_the_printer_has_a_cutter() -> None:
    data = render(PrintDocument((Title("受理回执"), Cut())))
    assert data.endswith(b"\x1dV\x01")
    no_cutter = render(PrintDocument((Title("受理回执"), Cut())), "ZJ-5870", 58)
    assert b"\x1dV" not in no_cutter
    assert no_cutter.endswith(b"\x1bd\x06")  # feed to the tear bar instead


def test_title_is_double_size_bold_centred() -> None:
    data = render(PrintDocument((Title("受理回执"),)))
    line = data[data.index(CHINESE_MODE) + len(CHINESE_MODE) :]
    assert b"\x1d!\x11" in line  # GS ! double width and height
    assert b"\x1bE\x01" in line  # bold
    assert b"\x1ba\x01" in line  # centred
    assert line.endswith("受理回执".encode("gb18030") + b"\n")


def test_lines_never_exceed_the_paper_width() -> None:
    for width, columns in ((58, 32), (80, 48)):
        profile = load_profile("default", width)
        document = build_receipt(sample(next_steps=("很长的说明，包括 ASCII words and numbers 12345" * 6,)))
        lines = [item for item in lay_out(document, profile) if isinstance(item, Line)]
        assert len(lines) > 15
        for line in lines:
            assert cells(line.text) * line.size <= columns, line


def test_code_system_is_selected_only_when_the_profile_asks() -> None:
    plain = render(PrintDocument((TextLine("受理"),)))
    assert b"\x1cC" not in plain
    chosen = EscposRenderer(load_profile("default", 58, kanji_code_system=0)).render(PrintDocument((TextLine("受理"),)))
    assert chosen.startswith(INIT + CHINESE_MODE + b"\x1cC\x00")
