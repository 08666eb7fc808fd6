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
# The lead of an article: 据官网 2024年 12月 23日报道 / 2025年 1月 15日，… / the source first,
# then the date (据日本时报报道，2024年 11月 11日，…)
RE_SOURCE_LEAD = r"据[^，。；]{1,24}?(?:报道|消息|披露|报告|公告|发布|称|介绍|显示)\s*[，,]"
RE_DATE_LEAD = re.compile(
    rf"^(?:{RE_SOURCE_LEAD}|据[^，。]{{0,20}}?)?\s*"
    r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日"
)
# …or a lead that names its source and no date: 据路透社报道，某公司…
RE_ATTRIBUTED_LEAD = re.compile(rf"^{RE_SOURCE_LEAD}")
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

# Line breaking (as a PDF sets CJK text): what may not start a line, and what may not end one
NO_LINE_START = set("，。、；：！？）)”’」』》〉】%,.;:!?")
NO_LINE_END = set("“‘「『（(《〈【")

# Line widths, in display columns (a CJK character is 2). The full width of a report is the
# FULL_QUANTILE of its line widths; a first line is INDENT columns narrower (two characters).
FULL_QUANTILE = 0.95
INDENT = 4
# A line ends its paragraph when the next line's first word would have fitted on it with
# FIT_SLACK columns to spare: PDF text measured in columns is off by up to ~7 columns (measured
# on the bundled report and dev-2/dev-3: a continuation line may be 51 columns of 60).
FIT_SLACK = 8
# Where the widths leave a choice, the reading with the least cost wins: each column a line
# that goes on leaves unfilled, each paragraph start, each column a first line is wider than a
# first line can be; BIG rules a reading out.
ROOM_COST, START_COST, WIDE_COST, BIG = 1.0, 0.5, 2.0, 1000.0
TITLE_MAX_CHARS = 60
