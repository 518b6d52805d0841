"""Time expressions and money amounts near a tracked-item mention: "by 2030", "in September", "$8.5 billion"."""

from __future__ import annotations

import re

from cpec_watch.parsers.dates import MONTH_NAME

_MONTH = MONTH_NAME
_NUMBER = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|a few|several)"
_UNIT = r"(?:days?|weeks?|months?|years?|decades?)"
_YEAR = r"(?:19|20)\d\d(?:-\d\d)?"
_RELATIVE = r"(?:next|last|this|coming|current|following) (?:year|month|week|fiscal year|financial year)"
_PART = r"(?:(?:early|mid|late)[\s-]+|the (?:end|start|beginning|middle|first half|second half) of )?"
_TIMES = re.compile(
    rf"\b(?:in|by|from|until|till|since|before|after|during|on|within|around|till)\s+{_PART}"
    rf"(?:{_MONTH}(?:\s*/\s*{_MONTH})?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?:{_YEAR}|{_RELATIVE}))?(?![\w-])"
    rf"|(?:FY\s?)?{_YEAR}\b|{_RELATIVE}\b)"
    rf"|\bwithin\s+(?:the\s+next\s+)?{_NUMBER}\s+{_UNIT}\b"
    rf"|\b{_NUMBER}\s+{_UNIT}\s+(?:before|after|ahead of)\s+(?:the\s+)?(?:deadline|schedule|target date|completion)\b"
    rf"|\b(?:for|from|over|in|during)\s+the\s+(?:last|past|next|coming)\s+(?:{_NUMBER}\s+)?{_UNIT}\b"
    rf"|\b(?:by|in|at)\s+the\s+end\s+of\s+(?:the\s+)?(?:year|month|{_RELATIVE}|{_YEAR})\b"
    rf"|\b{_RELATIVE}\b|\bahead of schedule\b|\bin recent years\b",
    re.IGNORECASE,
)
_SCALE = r"(?:\s?(?:billion|bn|million|mn|trillion|tn|crore|lakh|arab)\b)?"
_AMOUNTS = re.compile(
    rf"(?:\bUS\s?\$|\bUSD\s?|\bRs\.?\s?|\bPKR\s?|\bRMB\s?|\bCNY\s?|\$|¥|€|£)\s?\d[\d,]*(?:\.\d+)?{_SCALE}"
    rf"|\b\d[\d,]*(?:\.\d+)?{_SCALE}\s+(?:US\s+)?(?:dollars|rupees|yuan|renminbi|USD|PKR)\b",
    re.IGNORECASE,
)


def find_times(text: str) -> tuple[str, ...]:
    """Time expressions in ``text``, in order: "in September", "by 2030", "within two years", "next year"..."""
    return tuple(dict.fromkeys(m.group().strip().rstrip(".") for m in _TIMES.finditer(text)))


def find_amounts(text: str) -> tuple[str, ...]:
    """Money amounts in ``text``, in order: "$8.5 billion", "Rs85 billion", "US$ 6.8bn", "500 million dollars"."""
    return tuple(dict.fromkeys(m.group().strip() for m in _AMOUNTS.finditer(text)))
