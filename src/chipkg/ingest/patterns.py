"""The patterns and character classes the parser's rules are written in: heading numbers, author
lines, captions, dates, footnote entries, and which punctuation may sit around a marker.

Kept apart from the rules so that each rule module reads as the rule, and so that a new layout
changes one table here rather than a regular expression buried in a function."""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"

# Headings: 一、 (level 1), （一） (level 2), 1. (level 3, only when numbered in sequence)
RE_L1 = re.compile(rf"^([{CN_NUM}]{{1,3}})、\s*(.+)$")
RE_L2 = re.compile(rf"^（([{CN_NUM}]{{1,3}})）\s*(.+)$")
RE_L3 = re.compile(r"^([0-9]{1,2})[.．]\s*(\S.*)$")
# A list item （1） / (1): not a heading, not a marker; starts a paragraph after a finished line
RE_ENUM = re.compile(r"^[（(][0-9]{1,2}[）)]")
# （执笔：王丽沈湘）: the author line that closes an article
RE_AUTHOR = re.compile(r"^[（(]\s*执笔\s*[：:]\s*(.+?)\s*[）)]$")
# 图 1 / 表 2: a figure or table caption (a table runs until the next heading)
RE_CAPTION = re.compile(r"^([图表])\s*[0-9]+")
# The lead of an article: 据官网 2024年 12月 23日报道 / 2025年 1月 15日，…
RE_DATE_LEAD = re.compile(
    r"^(?:据[^，。]{0,20}?)?\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日"
)
# A footnote entry: its number, then (optionally) its URL or text on the same line
RE_FN_ENTRY = re.compile(r"^([1-9][0-9]{0,2})(?:\s+(\S.*))?$")
# A line that starts a URL (a footnote's URL, or a PDF link annotation echoed after the block)
RE_URL_START = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
# A run of digits that may be a footnote marker: 1, 23, 4-5, 4- / 5 (wrapped)
RE_NUMRUN = re.compile(r"[0-9]+(?:\s*[-–]\s*[0-9]+)?")

SENTENCE_END = "。！？；"
CLOSERS = "”’」』）)》"
TERMINAL = SENTENCE_END + "：:"
# What may follow a footnote marker.
AFTER_MARKER = set("。，、；：！？）)”’」』,;:")
# What may precede a marker: a glued marker follows a word, not a space, digit or opening bracket.
NOT_BEFORE_MARKER = set("0123456789０１２３４５６７８９.．,，(（[［/\\-–+#第$€£¥@=<>") | {" ", "\t"}
# A candidate printed right after one of these (or a Latin letter) is "weak": more likely the end
# of a name (FuSe2, Exynos™2) than a marker
NAME_END = set("™®")

SHORT_MARGIN = 8  # a line this many half-width columns below full width ends its paragraph
INDENT_MIN, INDENT_MAX = 2, 8  # a first line is indented by two CJK characters (measured)
TITLE_MAX_CHARS = 60
