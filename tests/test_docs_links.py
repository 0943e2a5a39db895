"""Every relative link of the README, the contributor's guide and docs/*.md resolves: its file
exists, and its `#anchor` names a heading of the target page by GitHub's slug rules
(github-slugger: lower case, punctuation and symbols dropped, each space a hyphen, a repeated
slug numbered -1, -2, ...). https://github.com/Flet/github-slugger"""

import glob
import os
import re
import unicodedata

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = sorted([os.path.join(ROOT, "README.md"), os.path.join(ROOT, "CONTRIBUTING.md"),
                *glob.glob(os.path.join(ROOT, "docs", "*.md"))])
LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def prose_lines(text):
    """The lines outside fenced code blocks, with inline code removed."""
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            yield ""
        elif fenced:
            yield ""
        else:
            yield re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group(0)) - 2) + "`", line)


def slug(text):
    """GitHub's anchor for a heading's plain text."""
    kept = "".join(c for c in text.lower() if c in "-_ " or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def heading_text(markdown):
    """A heading's plain text: link targets, emphasis and code marks dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`]", lambda m: "" if m.group(0) == "`" else m.group(0), text).strip()


def anchors(text):
    seen = {}
    out = set()
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(heading_text(match.group(1)))
            count = seen.get(base, 0)
            seen[base] = count + 1
            out.add(base if count == 0 else f"{base}-{count}")
    return out


def links(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for number, line in enumerate(prose_lines(text), 1):
        for target in LINK.findall(line):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: are not ours to check
                yield number, target


def broken(path):
    problems = []
    for number, target in links(path):
        file_part, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        where = f"{os.path.relpath(path, ROOT)}:{number}: link {target}"
        if not os.path.exists(resolved):
            problems.append(f"{where}: {os.path.relpath(resolved, ROOT)} does not exist")
        elif anchor and resolved.endswith(".md"):
            with open(resolved, encoding="utf-8") as handle:
                if anchor not in anchors(handle.read()):
                    problems.append(f"{where}: no heading of {os.path.relpath(resolved, ROOT)} has the anchor #{anchor}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: os.path.relpath(p, ROOT))
def test_every_relative_link_and_anchor_resolves(page):
    assert os.path.exists(page)
    assert broken(page) == []


def test_the_readme_is_a_short_front_door_that_links_every_page():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert readme.count("\n") <= 300
    linked = {os.path.normpath(os.path.join(ROOT, t.partition("#")[0])) for _, t in links(os.path.join(ROOT, "README.md"))}
    assert set(PAGES) - {os.path.join(ROOT, "README.md")} <= linked


def test_every_page_of_docs_says_who_needs_it_at_its_start():
    for page in glob.glob(os.path.join(ROOT, "docs", "*.md")):
        with open(page, encoding="utf-8") as handle:
            opening = "\n".join(handle.read().split("\n")[:12])
        assert "who needs" in opening.lower(), os.path.relpath(page, ROOT)


# The slug rules, from github-slugger's README examples.
def test_slugs_follow_github():
    assert slug("Привет non-latin 你好") == "привет-non-latin-你好"
    assert slug("😄 emoji") == "-emoji"
    assert slug(heading_text("The Kubernetes layer: `aks-networking:kubernetes`")) == \
        "the-kubernetes-layer-aks-networkingkubernetes"
    assert anchors("# foo\n## foo\n## bar\n### foo\n```\n# not a heading\n```\n") == {"foo", "foo-1", "bar", "foo-2"}


def test_a_broken_link_or_anchor_is_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A section: `key`\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#a-section-key) [gone](missing.md) [bad](other.md#nothing) [self](#top)\n"
                    "`[code](not-a-link.md)`\n```\n[fenced](not-a-link.md)\n```\n# Top\n"
                    "[web](https://example.com/x.md)\n")
    assert [p.split(": ", 2)[-1] for p in broken(str(page))] == [
        f"{os.path.relpath(str(tmp_path / 'missing.md'), ROOT)} does not exist",
        f"no heading of {os.path.relpath(str(tmp_path / 'other.md'), ROOT)} has the anchor #nothing",
    ]
