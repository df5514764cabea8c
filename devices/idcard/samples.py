"""Sample cards for the simulator, the demo and tests (示例证件).

Every person here is invented; the numbers have valid check characters so the forms accept them, but use
the "示例" (sample) addresses and authorities so nobody mistakes them for real documents. The names include
characters beyond GB2312 (䶮 U+4DAE, 堃 U+5803) because real names do, and a kiosk that drops them fails the
very people who already struggle with paperwork.
"""

from __future__ import annotations

from datetime import date

from devices.idcard.card import CardType, IdCard
from devices.idcard.photo import WLT_SIZE


def _fake_photo(seed: str) -> bytes:
    """1024 bytes standing in for a WLT photo; not decodable, like the real thing without a vendor decoder."""
    pattern = ("WLT-SAMPLE-" + seed).encode("ascii")
    return (pattern * (WLT_SIZE // len(pattern) + 1))[:WLT_SIZE]


SAMPLE_CARDS: dict[str, IdCard] = {
    "wang_yan": IdCard(
        card_type=CardType.RESIDENT, name="王䶮", gender_code="1", ethnicity_code="01",
        birth_date=date(1985, 3, 12), address="北京市东城区示例胡同1号", id_number="110101198503120017",
        authority="北京市公安局东城分局(示例)", valid_from=date(2015, 6, 1), valid_until=date(2035, 6, 1),
        photo=_fake_photo("wang_yan"),
    ),
    "li_kun": IdCard(
        card_type=CardType.RESIDENT, name="李堃", gender_code="2", ethnicity_code="03",
        birth_date=date(1949, 1, 1), address="北京市东城区示例大街88号院3号楼2单元501室",
        id_number="110101194901010026", authority="北京市公安局东城分局(示例)",
        valid_from=date(2010, 3, 15), valid_until=None, photo=_fake_photo("li_kun"),
    ),
    "zhao_shuying": IdCard(
        card_type=CardType.RESIDENT, name="赵淑英", gender_code="2", ethnicity_code="01",
        birth_date=date(1938, 5, 20), address="北京市东城区示例北里6号楼1门102室",
        id_number="110101193805200028", authority="北京市公安局东城分局(示例)",
        valid_from=date(2008, 7, 1), valid_until=None, photo=_fake_photo("zhao_shuying"),
    ),
    "chan_tai_man": IdCard(
        card_type=CardType.HMT_PERMIT, name="陈大文", gender_code="1", birth_date=date(1992, 1, 1),
        address="广东省深圳市福田区示例路100号", id_number="81000019920101003X",
        authority="深圳市公安局(示例)", valid_from=date(2023, 9, 1), valid_until=date(2028, 9, 1),
        pass_number="H12345678", issue_count=1,  # noqa: S106 - a travel permit number, not a password
        photo=_fake_photo("chan_tai_man"),
    ),
    "john_smith": IdCard(
        card_type=CardType.FOREIGN_PERMANENT, name="史密斯", english_name="SMITH, JOHN SAMPLE",
        gender_code="1", id_number="USA110085030101", nationality_code="USA", birth_date=date(1985, 3, 1),
        valid_from=date(2018, 5, 1), valid_until=date(2028, 5, 1), card_version="01",
        authority_code="1100", photo=_fake_photo("john_smith"),
    ),
}

#: The card the demo and ``kiosk doctor id-reader --port sim://`` place when none is named.
DEFAULT_SAMPLE = "wang_yan"
