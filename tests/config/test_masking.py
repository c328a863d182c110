"""Masking that holds: phones and ID numbers found and masked however spelled; one canonical phone."""

from __future__ import annotations

import pytest

from config.masking import mask_id_number, mask_phone, mask_text, normalize_phone

MASKED = [
    # mobile, every spelling the 公示 leaked
    ("电话13812345678", "电话138****5678"),
    ("+8613812345678", "+86138****5678"),
    ("8613912345678", "86139****5678"),
    ("0086 138 1234 5678", "0086 138 **** 5678"),
    ("+86-138-1234-5678", "+86-138-****-5678"),
    ("138 1234 5678", "138 **** 5678"),
    ("138-1234-5678", "138-****-5678"),
    ("138.1234.5678", "138.****.5678"),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits
    ("１３８－１２３４－５６７８", "１３８－****－５６７８"),
    ("138\u30001234\u30005678", "138\u3000****\u30005678"),  # ideographic spaces
    ("手机:13812345678。", "手机:138****5678。"),
    ("2026 13812345678", "2026 138****5678"),  # the year before it stays
    # landline
    ("021-6123 4567", "021-**** 4567"),
    ("021-61234567", "021-****4567"),
    ("02161234567", "021****4567"),
    ("(021)61234567", "(021)****4567"),
    ("（０２１）６１２３４５６７", "（０２１）****４５６７"),
    ("0755-28299971", "0755-****9971"),
    ("+86 21 6123 4567", "+86 21 **** 4567"),
    # 18-character ID numbers
    ("身份证11010519491231002X", "身份证1101**********002X"),
    ("11010519491231002x", "1101**********002x"),
    ("110105 19491231 002X", "1101** ******** 002X"),
    ("1101 0519 4912 3100 2X", "1101 **** **** **00 2X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "１１０１**********００２Ｘ"),
    ("110105-19491231-0021", "1101**-********-0021"),
    # 15-digit ID numbers
    ("老证号110105491231002", "老证号1101*******1002"),
    ("110105 491231 002", "1101** *****1 002"),
    # several in one text
    ("王某（身份证 11010519491231002X，电话 13812345678）", "王某（身份证 1101**********002X，电话 138****5678）"),
]

NOT_MASKED = [
    "2026",
    "2026年度",
    "2026-12-02",
    "2026年12月2日",
    "2026-12-02 13:45",
    "资助金额1380000元",  # an amount of up to 10 digits is no phone
    "1,380,000元",
    "服务热线95588",
    "400-820-8820",
    "第12345678号",  # a bare 8-digit number without area code cannot be told from an amount
    "12345678901234567890",  # 20 digits: no ID number, no phone
    "卡号6222021234567890123",  # 19 digits: no ID number, no phone
    "110105194913310021",  # month 13: no birth date, no ID number
    "",
    "没有数字的文字",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_numbers_are_masked_however_spelled(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", NOT_MASKED)
def test_years_dates_amounts_and_service_numbers_stay(text: str) -> None:
    assert mask_text(text) == text


def test_masking_keeps_everything_but_the_hidden_digits() -> None:
    text = "<b>案例</b> 联系 +86 138-1234-5678 或 021-6123 4567，证件 110105194912310021 完。"
    masked = mask_text(text)
    assert len(masked) == len(text)
    assert [a for a, b in zip(text, masked, strict=True) if a != b] == list("1234" + "6123" + "0519491231")


def test_an_eleven_digit_amount_starting_like_a_mobile_is_masked() -> None:
    # Documented choice: it cannot be told from a mobile number; hiding it costs less than a leaked phone.
    assert mask_text("13800000000元") == "138****0000元"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("0755-28299971", "0755-****9971"),
        ("02161234567", "021****4567"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("138", "***"),
        ("1234567890", "123***7890"),  # no phone, still mostly hidden
        ("", ""),
    ],
)
def test_phone_values(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("110105491231002", "1101*******1002"),
        ("3101", "****"),
        ("310101990", "3101*1990"),  # incomplete: first and last 4 only
    ],
)
def test_id_number_values(value: str, expected: str) -> None:
    assert mask_id_number(value) == expected


SAME_MOBILE = [
    "13812345678",
    "+8613812345678",
    "+86 138 1234 5678",
    "8613812345678",
    "0086-138-1234-5678",
    "138 1234 5678",
    "138-1234-5678",
    "138.1234.5678",
    "１３８１２３４５６７８",
    " 138 1234 5678 ",
]


@pytest.mark.parametrize("spelling", SAME_MOBILE)
def test_every_spelling_of_a_mobile_is_one_number(spelling: str) -> None:
    assert normalize_phone(spelling) == "13812345678"


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("021-6123 4567", "02161234567"),
        ("(021) 6123-4567", "02161234567"),
        ("０２１－６１２３４５６７", "02161234567"),
        ("+86 21 6123 4567", "02161234567"),
        ("0086 755 2829 9971", "075528299971"),
        ("021-61234567-123", "02161234567-123"),
        ("021-61234567转123", "02161234567-123"),
        ("021 61234567 ext. 123", "02161234567-123"),
        ("abc", "abc"),  # no phone: left for the caller's check to refuse
        ("", ""),
    ],
)
def test_landlines_and_extensions_have_one_spelling(spelling: str, expected: str) -> None:
    assert normalize_phone(spelling) == expected
