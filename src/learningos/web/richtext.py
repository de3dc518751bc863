"""AI text as HTML: paragraphs, bulleted and numbered lists, fenced code blocks and quotes.

The AI roles answer in plain text with light Markdown habits ("- " and "1." items, ``` fences,
"> " quotes, `code`, **bold**). Everything is escaped first; only those structures become
markup, so a reply can never inject HTML. Used as the `rich` template filter; styled by `.rich`
in app.css.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,4})[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_FENCE = re.compile(r"^\s*```\s*([\w+#.-]*)\s*$")
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_SPACE_BEFORE_CLOSING = re.compile(r"[ \t]+([”»])")


def _inline(text: str) -> str:
    safe = str(escape(_SPACE_BEFORE_CLOSING.sub(r"\1", text.strip())))
    safe = _CODE.sub(r"<code>\1</code>", safe)
    return _BOLD.sub(r"<strong>\1</strong>", safe)


def _paragraph(lines: list[str]) -> str:
    return "<p>" + "<br>\n".join(_inline(line) for line in lines) + "</p>"


def _list(kind: str, items: list[str], start: int) -> str:
    attrs = f' start="{start}"' if kind == "ol" and start != 1 else ""
    body = "".join(f"<li>{_inline(item)}</li>" for item in items)
    return f"<{kind}{attrs}>{body}</{kind}>"


def rich_text(text: str | None) -> Markup:
    lines = (text or "").replace("\r\n", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            end = next((j for j in range(i + 1, len(lines)) if _FENCE.match(lines[j])), len(lines))
            code = "\n".join(lines[i + 1 : end])
            lang = f' data-lang="{escape(fence.group(1))}"' if fence.group(1) else ""
            out.append(f"<pre{lang}><code>{escape(code)}</code></pre>")
            i = end + 1
            continue
        if not line.strip():
            i += 1
            continue
        for kind, pattern in (("ul", _BULLET), ("ol", _NUMBERED)):
            if pattern.match(line):
                items, start = [], int(m.group(1)) if (m := _NUMBERED.match(line)) else 1
                while i < len(lines) and (found := pattern.match(lines[i])):
                    items.append(found.group(found.lastindex or 1))
                    i += 1
                out.append(_list(kind, items, start))
                break
        else:
            if _QUOTE.match(line):
                quoted = []
                while i < len(lines) and (found := _QUOTE.match(lines[i])):
                    quoted.append(found.group(1))
                    i += 1
                inner = [q for q in quoted if q.strip()]
                out.append(f"<blockquote>{_paragraph(inner)}</blockquote>" if inner else "")
                continue
            block = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                block.append(lines[i])
                i += 1
            out.append(_paragraph(block))
    # Every piece of text above went through escape(); only our own tags are added.
    return Markup("\n".join(part for part in out if part))  # noqa: S704


def _starts_block(line: str) -> bool:
    return any(p.match(line) for p in (_BULLET, _NUMBERED, _QUOTE, _FENCE))
