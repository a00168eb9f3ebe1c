"""Sphinx configuration of the course website (`make html`; tools/site.py stages the notebooks).

Built offline from requirements.lock: myst-nb renders the notebooks with their stored outputs
(nothing is executed), sphinx-book-theme gives the sidebar, previous/next links and search.
"""

project = "bpcourse"
author = "bpcourse authors"
html_title = "bpcourse: backpropagation, verified"
extensions = ["myst_nb"]
exclude_patterns = ["_build", ".doctrees", "**.ipynb_checkpoints", "images/README*"]

# Notebooks: stored outputs only; solutions and long cells behind a click (tools/site.py tags them).
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widgets: no require.js from a CDN
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_show_sourcelink = False
