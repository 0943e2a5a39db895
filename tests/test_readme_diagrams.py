"""tools.readme_diagrams: the pages show the committed drawings, and a stale or lost one is noticed."""

import pytest

from tools import readme_diagrams


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A README and a docs page in a temporary tree, each diagram drawn as one line."""
    drawings = tmp_path / "diagrams"
    drawings.mkdir()
    for name in readme_diagrams.NAMES:
        (drawings / f"{name}.mmd").write_text(f"flowchart LR\n  {name.replace('-', '_')}\n")
    readme = tmp_path / "README.md"
    page = tmp_path / "page.md"
    readme.write_text("# Title\n<!-- diagram:prod-topology -->\nold\n<!-- /diagram:prod-topology -->\n")
    page.write_text("".join(f"## {n}\n<!-- diagram:{n} -->\n<!-- /diagram:{n} -->\n" for n in readme_diagrams.NAMES))
    monkeypatch.setattr(readme_diagrams, "DIAGRAMS", str(drawings))
    monkeypatch.setattr(readme_diagrams, "pages", lambda: [str(readme), str(page)])
    return readme, page


def test_the_committed_pages_show_the_committed_diagrams():
    assert readme_diagrams.main(["--check"]) == 0


def test_a_stale_page_is_reported_then_rewritten(site, capsys):
    readme, page = site
    assert readme_diagrams.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "README.md, " in err and "page.md: the diagrams differ from docs/diagrams: run make diagrams" in err
    assert readme_diagrams.main([]) == 0
    assert readme.read_text() == ("# Title\n<!-- diagram:prod-topology -->\n```mermaid\nflowchart LR\n  prod_topology\n"
                                  "```\n<!-- /diagram:prod-topology -->\n")
    assert page.read_text().count("```mermaid") == len(readme_diagrams.NAMES)
    assert readme_diagrams.main(["--check"]) == 0


def test_a_diagram_no_page_shows_is_reported(site, capsys):
    _, page = site
    page.write_text("nothing drawn here\n")
    assert readme_diagrams.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "no page shows dev-topology, dev-east-west, dev-north-south, prod-east-west, prod-north-south" in err
