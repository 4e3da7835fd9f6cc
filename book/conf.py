# Sphinx configuration of the course's site: Sphinx + MyST-NB + sphinx-book-theme, built fully offline by
# `python scripts/build_site.py` (which assembles the pages next to this file in a build folder first).
import pathlib

import tomllib

_project = tomllib.loads((pathlib.Path(__file__).parent / "pyproject.toml").read_text())["project"]

project = "LSTM Lab"
author = "the LSTM Lab authors"
copyright = "LSTM Lab; Tiny Shakespeare from Andrej Karpathy's char-rnn (public domain text)"
release = _project["version"]
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# the notebooks arrive executed (nbval ran them in the tests; build_site.py runs them otherwise)
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widget JavaScript from a CDN: the explorers are replaced by precomputed frames
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "LSTM Lab"
html_static_path = ["_static"]
html_js_files = ["static_explorer.js"]
html_css_files = ["course.css"]
mathjax_path = "mathjax/tex-svg.js"  # MathJax 3, shipped in _static: equations render without any network
html_theme_options = {
    "repository_url": _project["urls"]["Repository"],
    "use_repository_button": False,
    "use_download_button": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "home_page_in_toc": True,
}
html_show_sourcelink = False
suppress_warnings = ["mystnb.unknown_mime_type"]
