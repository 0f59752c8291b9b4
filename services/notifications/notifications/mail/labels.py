"""Words for codes (statuses, career stages, directions, partner roles, report types) in each
language."""

from __future__ import annotations

from datetime import date

STATUS = {
    "en": {
        "draft": "draft",
        "submitted": "submitted",
        "under_review": "under review",
        "changes_requested": "changes requested",
        "approved": "approved",
        "rejected": "rejected",
        "active": "active",
        "completed": "completed",
        "cancelled": "cancelled",
        "withdrawn": "withdrawn",
        "endorsed": "endorsed",
        "accepted": "accepted",
        "waitlisted": "waitlisted",
    },
    "ja": {
        "draft": "下書き",
        "submitted": "提出済み",
        "under_review": "審査中",
        "changes_requested": "修正依頼",
        "approved": "承認",
        "rejected": "不採択",
        "active": "実施中",
        "completed": "完了",
        "cancelled": "中止",
        "withdrawn": "取り下げ",
        "endorsed": "受入承諾済み",
        "accepted": "採用",
        "waitlisted": "補欠",
    },
    "hi": {
        "draft": "मसौदा",
        "submitted": "जमा किया गया",
        "under_review": "समीक्षाधीन",
        "changes_requested": "संशोधन का अनुरोध",
        "approved": "स्वीकृत",
        "rejected": "अस्वीकृत",
        "active": "सक्रिय",
        "completed": "पूर्ण",
        "cancelled": "रद्द",
        "withdrawn": "वापस लिया गया",
        "endorsed": "समर्थित",
        "accepted": "स्वीकार किया गया",
        "waitlisted": "प्रतीक्षा सूची में",
    },
}

CAREER_STAGE = {
    "en": {
        "undergraduate": "undergraduate student",
        "masters": "master's student",
        "phd": "doctoral student",
        "postdoc": "postdoctoral researcher",
        "faculty": "faculty member",
        "engineer": "engineer",
        "professional": "professional",
    },
    "ja": {
        "undergraduate": "学部生",
        "masters": "修士課程学生",
        "phd": "博士課程学生",
        "postdoc": "博士研究員",
        "faculty": "教員",
        "engineer": "エンジニア",
        "professional": "社会人",
    },
    "hi": {
        "undergraduate": "स्नातक छात्र",
        "masters": "स्नातकोत्तर छात्र",
        "phd": "शोध छात्र (पीएचडी)",
        "postdoc": "पोस्टडॉक्टरल शोधकर्ता",
        "faculty": "संकाय सदस्य",
        "engineer": "अभियंता",
        "professional": "पेशेवर",
    },
}

DIRECTION = {
    "en": {"JP_TO_IN": "Japan → India", "IN_TO_JP": "India → Japan"},
    "ja": {"JP_TO_IN": "日本 → インド", "IN_TO_JP": "インド → 日本"},
    "hi": {"JP_TO_IN": "जापान → भारत", "IN_TO_JP": "भारत → जापान"},
}

PARTNER_ROLE = {
    "en": {"lead": "lead partner", "member": "member partner"},
    "ja": {"lead": "代表機関", "member": "参加機関"},
    "hi": {"lead": "प्रमुख साझेदार", "member": "सदस्य साझेदार"},
}

REPORT_TYPE = {
    "en": {
        "programme_portfolio": "Programme portfolio",
        "exchange_flows": "Talent-exchange flows",
        "partner_activity": "Partner activity",
        "budget_commitments": "Budget commitments",
    },
    "ja": {
        "programme_portfolio": "プログラム一覧",
        "exchange_flows": "人材交流の動向",
        "partner_activity": "パートナー機関の活動",
        "budget_commitments": "承認済み予算",
    },
    "hi": {
        "programme_portfolio": "कार्यक्रम पोर्टफ़ोलियो",
        "exchange_flows": "प्रतिभा आदान-प्रदान प्रवाह",
        "partner_activity": "साझेदार गतिविधि",
        "budget_commitments": "बजट प्रतिबद्धताएँ",
    },
}

_HINDI_MONTHS = (
    "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून",
    "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर",
)  # fmt: skip


def word(table: dict[str, dict[str, str]], language: str, code: str | None) -> str:
    """The word for ``code`` in ``language``, else English, else the code itself."""
    if code is None:
        return ""
    return table.get(language, {}).get(code) or table["en"].get(code) or code


def long_date(value: str | None, language: str) -> str:
    """An ISO date as a reader writes it: 1 April 2027, 2027年4月1日, 1 अप्रैल 2027."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    if language == "hi":
        return f"{day.day} {_HINDI_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"
